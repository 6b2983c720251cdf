// A small JSON value model: what the core reads plans from and writes results to, plus RFC 8785 (JCS)
// canonical serialization for hashing. Numbers are IEEE doubles (I-JSON), strings are UTF-8.
#pragma once
#include "core/no_postgres.hpp"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace costsim::json {

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;  // members in insertion order; keys unique

enum class Kind { null, boolean, number, string, array, object };

class Value {
public:
    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool b) : data_(b) {}
    Value(double d) : data_(d) {}
    Value(int i) : data_(static_cast<double>(i)) {}
    Value(std::int64_t i) : data_(static_cast<double>(i)) {}
    Value(const char* s) : data_(std::string(s)) {}
    Value(std::string s) : data_(std::move(s)) {}
    Value(Array a) : data_(std::move(a)) {}
    Value(Object o) : data_(std::move(o)) {}

    Kind kind() const noexcept { return static_cast<Kind>(data_.index()); }
    bool is_null() const noexcept { return kind() == Kind::null; }
    bool is_bool() const noexcept { return kind() == Kind::boolean; }
    bool is_number() const noexcept { return kind() == Kind::number; }
    bool is_string() const noexcept { return kind() == Kind::string; }
    bool is_array() const noexcept { return kind() == Kind::array; }
    bool is_object() const noexcept { return kind() == Kind::object; }

    // Typed access; std::bad_variant_access on a wrong kind (callers check kind() first).
    bool as_bool() const { return std::get<bool>(data_); }
    double as_number() const { return std::get<double>(data_); }
    const std::string& as_string() const { return std::get<std::string>(data_); }
    const Array& as_array() const { return std::get<Array>(data_); }
    const Object& as_object() const { return std::get<Object>(data_); }
    Array& as_array() { return std::get<Array>(data_); }
    Object& as_object() { return std::get<Object>(data_); }

    // Object member lookup: nullptr when this is not an object or the key is absent.
    const Value* find(std::string_view key) const;
    // Object member insert-or-replace; turns a null into an empty object first.
    Value& set(std::string key, Value value);

    bool operator==(const Value& other) const { return data_ == other.data_; }
    bool operator!=(const Value& other) const { return !(*this == other); }

private:
    std::variant<std::nullptr_t, bool, double, std::string, Array, Object> data_;
};

// JSON text -> Value. Strict RFC 8259 grammar, UTF-8 validated, no lone surrogates, duplicate keys keep the
// last value, nesting deeper than max_depth is refused. Numbers that overflow a double are kept as +-infinity
// (callers that need finite numbers check; canonical() refuses them).
class ParseError : public std::runtime_error {
public:
    enum class Reason { syntax, too_deep };
    ParseError(const std::string& message, std::size_t offset, Reason reason = Reason::syntax)
        : std::runtime_error(message + " at byte " + std::to_string(offset)), offset_(offset), reason_(reason) {}
    std::size_t offset() const noexcept { return offset_; }
    Reason reason() const noexcept { return reason_; }

private:
    std::size_t offset_;
    Reason reason_;
};
inline constexpr std::size_t default_max_depth = 512;
Value parse(std::string_view text, std::size_t max_depth = default_max_depth);

// Compact JSON text, members in stored order, numbers as in format_number.
std::string dump(const Value& value);
// RFC 8785 canonical form: members sorted by UTF-16 code units, ECMAScript number text, minimal escapes.
// Throws costsim::Error(invalid_input) for a non-finite number.
std::string canonical(const Value& value);
// The canonical form of an object restricted to `keys` (each once), a missing key written as null; without
// copying any member.
std::string canonical_subset(const Value& object, std::initializer_list<std::string_view> keys);
// Appends `text` as a JSON string literal, with RFC 8785's escapes (the text must be UTF-8).
void append_string(std::string& out, std::string_view text);
// ECMAScript Number.prototype.toString (shortest round-trip digits); the number must be finite.
std::string format_number(double number);
// The same text into a caller's buffer, without allocating or throwing: its length (at most 25, so a NUL fits),
// or 0 for a non-finite number.
inline constexpr std::size_t number_text_capacity = 32;
std::size_t write_number(double number, char (&text)[number_text_capacity]) noexcept;
// Unicode code points in UTF-8 text (what Python's len() counts for a str).
std::size_t char_count(std::string_view utf8) noexcept;

}  // namespace costsim::json
