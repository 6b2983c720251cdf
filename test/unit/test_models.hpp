// Shared fixtures of the unit tests: the V2 model 2.0.0 typed in from the spec's table (section 3), plan
// builders, and small assertion helpers. Every number here is copied from spec/costsim.md, not from the code.
#pragma once

#include "core/errors.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/simulator_v2.hpp"

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
// V2 model 2.0.0 (spec section 3 table; "*" row = fallback).
// ---------------------------------------------------------------------------------------------------
inline costsim::SkillCoefficients coeff(double cost, double latency, double confidence, const char* risk_type,
                                        double factor)
{
    costsim::SkillCoefficients c;
    c.base_cost_cents = cost;
    c.base_latency_ms = latency;
    c.confidence = confidence;
    c.risk_type = risk_type;
    c.risk_factor = factor;
    return c;
}

inline costsim::Model model_2_0_0()
{
    costsim::Model m;
    m.version = "2.0.0";
    auto http = coeff(0, 350, 0.85, "timeout", 0.08);
    http.latency_variance_ms = 150;
    m.skills["http_call"] = http;
    auto llm = coeff(3.5, 1800, 0.92, "rate_limit", 0.03);
    llm.cost_per_1k_input_chars = 0.8;
    llm.cost_per_1k_output_chars = 1.2;
    llm.latency_per_1k_input_chars_ms = 200;
    m.skills["llm_invoke"] = llm;
    m.skills["json_transform"] = coeff(0, 5, 0.98, "transform_error", 0.005);
    m.skills["fs_read"] = coeff(0, 30, 0.95, "not_found", 0.03);
    m.skills["fs_write"] = coeff(0, 50, 0.94, "permission", 0.02);
    m.skills["shell_lite"] = coeff(0, 150, 0.88, "timeout", 0.07);
    m.skills["kv_get"] = coeff(0, 3, 0.97, "not_found", 0.01);
    m.skills["kv_set"] = coeff(0, 5, 0.97, "quota", 0.01);
    m.skills["webhook_send"] = coeff(0, 200, 0.90, "timeout", 0.08);
    m.skills["email_send"] = coeff(0.8, 350, 0.93, "delivery", 0.03);
    m.fallback = coeff(5, 500, 0.60, "unknown", 0.15);
    return m;
}

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
