// Shared fixtures of the unit tests: the V2 model 2.0.0 (test/model_2_0_0.hpp, typed in from the spec), plan
// builders, and small assertion helpers. Every number here is copied from spec/costsim.md, not from the code.
#pragma once

#include "core/errors.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/simulator_v2.hpp"
#include "../model_2_0_0.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace costsim_test {

using costsim::json::Array;
using costsim::json::Object;
using costsim::json::Value;

// ---------------------------------------------------------------------------------------------------
// Plan builders.
// ---------------------------------------------------------------------------------------------------
// One step object; `iterations` is omitted from the JSON when not given (so the default applies).
inline Value step(const std::string& skill, Object params = {}, std::optional<int> iterations = {})
{
    Object o;
    o.emplace_back("skill", Value(skill));
    if (!params.empty()) o.emplace_back("params", Value(std::move(params)));
    if (iterations) o.emplace_back("iterations", Value(*iterations));
    return Value(std::move(o));
}

inline costsim::Plan plan_of(const std::string& json_text)
{
    return costsim::parse_plan(costsim::json::parse(json_text));
}

inline costsim::Plan plan_of(Array steps) { return costsim::parse_plan(Value(std::move(steps))); }

inline std::string repeat(const std::string& unit, std::size_t times)
{
    std::string s;
    s.reserve(unit.size() * times);
    for (std::size_t i = 0; i < times; ++i) s += unit;
    return s;
}

// ---------------------------------------------------------------------------------------------------
// Assertion helpers (no gmock: the link line is -lgtest -lgtest_main only).
// ---------------------------------------------------------------------------------------------------
inline bool contains(const std::string& haystack, const std::string& needle)
{
    return haystack.find(needle) != std::string::npos;
}

inline bool has_item(const std::vector<std::string>& items, const std::string& item)
{
    for (const auto& s : items)
        if (s == item) return true;
    return false;
}

// Runs `fn`, expects a costsim::Error of `kind`; returns its message ("" when nothing or the wrong thing
// was thrown, after recording a failure).
inline std::string expect_error(const std::function<void()>& fn, costsim::ErrorKind kind)
{
    try {
        fn();
    } catch (const costsim::Error& e) {
        EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << "message: " << e.what();
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected costsim::Error, got another exception: " << e.what();
        return "";
    } catch (...) {
        ADD_FAILURE() << "expected costsim::Error, got a non-std exception";
        return "";
    }
    ADD_FAILURE() << "expected costsim::Error, nothing was thrown";
    return "";
}

// A member that must be present (records a failure and returns a static null otherwise).
inline const Value& member(const Value& object, const std::string& key)
{
    static const Value null_value;
    const Value* v = object.find(key);
    if (!v) {
        ADD_FAILURE() << "missing key \"" << key << "\"";
        return null_value;
    }
    return *v;
}

inline double number_at(const Value& object, const std::string& key)
{
    const Value& v = member(object, key);
    if (!v.is_number()) {
        ADD_FAILURE() << "key \"" << key << "\" is not a number";
        return -999999.0;
    }
    return v.as_number();
}

inline std::string string_at(const Value& object, const std::string& key)
{
    const Value& v = member(object, key);
    if (!v.is_string()) {
        ADD_FAILURE() << "key \"" << key << "\" is not a string";
        return "<not a string>";
    }
    return v.as_string();
}

inline bool bool_at(const Value& object, const std::string& key)
{
    const Value& v = member(object, key);
    if (!v.is_bool()) {
        ADD_FAILURE() << "key \"" << key << "\" is not a boolean";
        return false;
    }
    return v.as_bool();
}

inline const Array& array_at(const Value& object, const std::string& key)
{
    static const Array empty;
    const Value& v = member(object, key);
    if (!v.is_array()) {
        ADD_FAILURE() << "key \"" << key << "\" is not an array";
        return empty;
    }
    return v.as_array();
}

}  // namespace costsim_test
