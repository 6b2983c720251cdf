// JSON value model, strict RFC 8259 parser, compact writer and RFC 8785 (JCS) canonical writer.
#include "core/json.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace costsim::json {

// ---------------------------------------------------------------------------------------------------------
// Value

const Value* Value::find(std::string_view key) const
{
    const Object* object = std::get_if<Object>(&data_);
    if (object == nullptr) {
        return nullptr;
    }
    for (const Member& member : *object) {
        if (member.first == key) {
            return &member.second;
        }
    }
    return nullptr;
}

Value& Value::set(std::string key, Value value)
{
    if (is_null()) {
        data_ = Object{};
    }
    Object& object = std::get<Object>(data_);
    for (Member& member : object) {
        if (member.first == key) {
            member.second = std::move(value);
            return member.second;
        }
    }
    object.emplace_back(std::move(key), std::move(value));
    return object.back().second;
}

namespace {

// ---------------------------------------------------------------------------------------------------------
// Parser: iterative (an explicit stack of open containers), so nesting never consumes the C++ stack.

bool is_whitespace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void append_utf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        const char bytes[2] = {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
        out.append(bytes, 2);
    } else if (cp < 0x10000) {
        const char bytes[3] = {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                               static_cast<char>(0x80 | (cp & 0x3F))};
        out.append(bytes, 3);
    } else {
        const char bytes[4] = {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
                               static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
        out.append(bytes, 4);
    }
}

// Bytes that may appear in a string as they are, without escaping or UTF-8 decoding.
struct PlainTable {
    bool plain[256];
    constexpr PlainTable() : plain()
    {
        for (int c = 0; c < 256; ++c) {
            plain[c] = c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
        }
    }
};
constexpr PlainTable plain_bytes;

// An object being parsed. Small objects find duplicate keys by a linear scan; from index_threshold members
// on, an open-addressing table of member positions (0 = empty slot, else position + 1) keeps that O(1).
constexpr std::size_t index_threshold = 16;

struct Frame {
    bool is_object = false;
    Array array;
    Object object;
    std::string key;                // the key whose value is being parsed
    std::vector<std::size_t> index; // empty until the object reaches index_threshold members
};

std::size_t key_hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

void rebuild_index(Frame& frame)
{
    std::size_t capacity = 64;
    while (capacity < frame.object.size() * 4) {
        capacity *= 2;
    }
    frame.index.assign(capacity, 0);
    const std::size_t mask = capacity - 1;
    for (std::size_t i = 0; i < frame.object.size(); ++i) {
        std::size_t slot = key_hash(frame.object[i].first) & mask;
        while (frame.index[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        frame.index[slot] = i + 1;
    }
}

// Adds frame.key: value to the object; a duplicate key keeps its first position and takes the last value.
void add_member(Frame& frame, Value&& value)
{
    Object& object = frame.object;
    if (object.size() < index_threshold) {
        for (Member& member : object) {
            if (member.first == frame.key) {
                member.second = std::move(value);
                return;
            }
        }
        object.emplace_back(std::move(frame.key), std::move(value));
        return;
    }
    if (frame.index.empty()) {
        rebuild_index(frame);
    }
    const std::size_t mask = frame.index.size() - 1;
    std::size_t slot = key_hash(frame.key) & mask;
    while (frame.index[slot] != 0) {
        Member& member = object[frame.index[slot] - 1];
        if (member.first == frame.key) {
            member.second = std::move(value);
            return;
        }
        slot = (slot + 1) & mask;
    }
    object.emplace_back(std::move(frame.key), std::move(value));
    frame.index[slot] = object.size();
    if (object.size() * 2 > frame.index.size()) {
        rebuild_index(frame);
    }
}

class Parser {
public:
    Parser(std::string_view text, std::size_t max_depth)
        : p_(reinterpret_cast<const unsigned char*>(text.data())), n_(text.size()), max_depth_(max_depth)
    {
    }

    Value parse_document()
    {
        std::vector<Frame> stack;
        for (;;) {
            // Expecting a value.
            skip_whitespace();
            if (pos_ >= n_) {
                fail("unexpected end of input, expected a value", pos_);
            }
            Value value;
            const unsigned char c = p_[pos_];
            if (c == '[' || c == '{') {
                if (stack.size() >= max_depth_) {
                    throw ParseError("nesting deeper than the limit", pos_, ParseError::Reason::too_deep);
                }
                ++pos_;
                stack.emplace_back();
                Frame& frame = stack.back();
                frame.is_object = c == '{';
                skip_whitespace();
                const unsigned char close = frame.is_object ? '}' : ']';
                if (pos_ < n_ && p_[pos_] == close) {
                    ++pos_;
                    value = frame.is_object ? Value(std::move(frame.object)) : Value(std::move(frame.array));
                    stack.pop_back();
                } else {
                    if (frame.is_object) {
                        parse_key(frame.key);
                    }
                    continue;
                }
            } else {
                value = parse_scalar();
            }

            // A value is complete: attach it, then read a separator (back to expecting a value) or close
            // containers until one stays open.
            for (;;) {
                if (stack.empty()) {
                    skip_whitespace();
                    if (pos_ != n_) {
                        fail("unexpected characters after the JSON value", pos_);
                    }
                    return value;
                }
                Frame& frame = stack.back();
                if (frame.is_object) {
                    add_member(frame, std::move(value));
                } else {
                    frame.array.push_back(std::move(value));
                }
                skip_whitespace();
                if (pos_ >= n_) {
                    fail(frame.is_object ? "unexpected end of input in object" : "unexpected end of input in array",
                         pos_);
                }
                const unsigned char next = p_[pos_];
                if (next == ',') {
                    ++pos_;
                    if (frame.is_object) {
                        skip_whitespace();
                        parse_key(frame.key);
                    }
                    break;
                }
                if (next == (frame.is_object ? '}' : ']')) {
                    ++pos_;
                    value = frame.is_object ? Value(std::move(frame.object)) : Value(std::move(frame.array));
                    stack.pop_back();
                    continue;
                }
                fail(frame.is_object ? "expected ',' or '}' in object" : "expected ',' or ']' in array", pos_);
            }
        }
    }

private:
    [[noreturn]] static void fail(const char* message, std::size_t offset) { throw ParseError(message, offset); }

    void skip_whitespace()
    {
        while (pos_ < n_ && is_whitespace(p_[pos_])) {
            ++pos_;
        }
    }

    bool match_literal(const char* literal, std::size_t length)
    {
        if (n_ - pos_ < length) {
            return false;
        }
        for (std::size_t i = 0; i < length; ++i) {
            if (p_[pos_ + i] != static_cast<unsigned char>(literal[i])) {
                return false;
            }
        }
        pos_ += length;
        return true;
    }

    // At a '"' (after whitespace): the key, then the ':' and the whitespace after it.
    void parse_key(std::string& key)
    {
        if (pos_ >= n_ || p_[pos_] != '"') {
            fail("expected a string key in object", pos_);
        }
        parse_string(key);
        skip_whitespace();
        if (pos_ >= n_ || p_[pos_] != ':') {
            fail("expected ':' after object key", pos_);
        }
        ++pos_;
    }

    Value parse_scalar()
    {
        const unsigned char c = p_[pos_];
        switch (c) {
        case '"': {
            std::string s;
            parse_string(s);
            return Value(std::move(s));
        }
        case 't':
            if (match_literal("true", 4)) return Value(true);
            break;
        case 'f':
            if (match_literal("false", 5)) return Value(false);
            break;
        case 'n':
            if (match_literal("null", 4)) return Value(nullptr);
            break;
        default:
            if (c == '-' || (c >= '0' && c <= '9')) {
                return Value(parse_number());
            }
            break;
        }
        fail("invalid JSON value", pos_);
    }

    // Validates one multi-byte UTF-8 sequence starting at pos_ (a byte >= 0x80) and returns its length
    // (Unicode table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
    std::size_t utf8_sequence_length() const
    {
        const unsigned char c = p_[pos_];
        std::size_t length;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c == 0xE0) {
            length = 3;
            low = 0xA0;
        } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
            length = 3;
        } else if (c == 0xED) {
            length = 3;
            high = 0x9F;
        } else if (c == 0xF0) {
            length = 4;
            low = 0x90;
        } else if (c >= 0xF1 && c <= 0xF3) {
            length = 4;
        } else if (c == 0xF4) {
            length = 4;
            high = 0x8F;
        } else {
            fail("invalid UTF-8 in string", pos_);
        }
        if (n_ - pos_ < length) {
            fail("truncated UTF-8 sequence in string", pos_);
        }
        const unsigned char second = p_[pos_ + 1];
        if (second < low || second > high) {
            fail("invalid UTF-8 in string", pos_);
        }
        for (std::size_t i = 2; i < length; ++i) {
            if ((p_[pos_ + i] & 0xC0) != 0x80) {
                fail("invalid UTF-8 in string", pos_);
            }
        }
        return length;
    }

    // Four hex digits at `at`; `escape` is the offset of the backslash, for the error message.
    std::uint32_t read_hex4(std::size_t at, std::size_t escape) const
    {
        if (at > n_ || n_ - at < 4) {
            fail("truncated \\u escape", escape);
        }
        std::uint32_t value = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            const int digit = hex_value(p_[at + i]);
            if (digit < 0) {
                fail("invalid \\u escape", escape);
            }
            value = value * 16 + static_cast<std::uint32_t>(digit);
        }
        return value;
    }

    // At a backslash inside a string: appends the escaped character and moves past the escape.
    void parse_escape(std::string& out)
    {
        const std::size_t escape = pos_;
        if (n_ - pos_ < 2) {
            fail("unterminated string", escape);
        }
        const unsigned char c = p_[pos_ + 1];
        pos_ += 2;
        switch (c) {
        case '"': out.push_back('"'); return;
        case '\\': out.push_back('\\'); return;
        case '/': out.push_back('/'); return;
        case 'b': out.push_back('\b'); return;
        case 'f': out.push_back('\f'); return;
        case 'n': out.push_back('\n'); return;
        case 'r': out.push_back('\r'); return;
        case 't': out.push_back('\t'); return;
        case 'u': break;
        default: fail("invalid escape in string", escape);
        }
        std::uint32_t cp = read_hex4(pos_, escape);
        pos_ += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("unpaired surrogate in \\u escape", escape);
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (n_ - pos_ < 2 || p_[pos_] != '\\' || p_[pos_ + 1] != 'u') {
                fail("unpaired surrogate in \\u escape", escape);
            }
            const std::uint32_t low = read_hex4(pos_ + 2, pos_);
            if (low < 0xDC00 || low > 0xDFFF) {
                fail("unpaired surrogate in \\u escape", escape);
            }
            pos_ += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
    }

    // At the opening '"': the decoded string into `out` (replacing its content), pos_ after the closing '"'.
    void parse_string(std::string& out)
    {
        const std::size_t open = pos_;
        ++pos_;
        out.clear();
        std::size_t run = pos_;  // start of the bytes not yet copied to `out`
        for (;;) {
            while (pos_ < n_ && plain_bytes.plain[p_[pos_]]) {
                ++pos_;
            }
            if (pos_ >= n_) {
                fail("unterminated string", open);
            }
            const unsigned char c = p_[pos_];
            if (c == '"') {
                out.append(reinterpret_cast<const char*>(p_ + run), pos_ - run);
                ++pos_;
                return;
            }
            if (c == '\\') {
                out.append(reinterpret_cast<const char*>(p_ + run), pos_ - run);
                parse_escape(out);
                run = pos_;
            } else if (c < 0x20) {
                fail("unescaped control character in string", pos_);
            } else {
                pos_ += utf8_sequence_length();
            }
        }
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? converted from its exact text.
    double parse_number()
    {
        const std::size_t start = pos_;
        auto is_digit = [this](std::size_t i) { return i < n_ && p_[i] >= '0' && p_[i] <= '9'; };
        const bool negative = p_[pos_] == '-';
        if (negative) {
            ++pos_;
        }
        // Integer part.
        const std::size_t int_start = pos_;
        if (!is_digit(pos_)) {
            fail("invalid number", start);
        }
        if (p_[pos_] == '0') {
            ++pos_;
        } else {
            while (is_digit(pos_)) {
                ++pos_;
            }
        }
        const std::size_t int_digits = pos_ - int_start;
        // Fraction.
        std::size_t frac_start = pos_;
        std::size_t frac_end = pos_;
        if (pos_ < n_ && p_[pos_] == '.') {
            ++pos_;
            frac_start = pos_;
            if (!is_digit(pos_)) {
                fail("invalid number: expected a digit after '.'", pos_);
            }
            while (is_digit(pos_)) {
                ++pos_;
            }
            frac_end = pos_;
        }
        // Exponent (saturated: only its sign and rough size matter when the double overflows).
        std::int64_t exponent = 0;
        bool has_exponent = false;
        if (pos_ < n_ && (p_[pos_] == 'e' || p_[pos_] == 'E')) {
            has_exponent = true;
            ++pos_;
            bool exponent_negative = false;
            if (pos_ < n_ && (p_[pos_] == '+' || p_[pos_] == '-')) {
                exponent_negative = p_[pos_] == '-';
                ++pos_;
            }
            if (!is_digit(pos_)) {
                fail("invalid number: expected a digit in the exponent", pos_);
            }
            while (is_digit(pos_)) {
                if (exponent < 1000000000) {
                    exponent = exponent * 10 + (p_[pos_] - '0');
                }
                ++pos_;
            }
            if (exponent_negative) {
                exponent = -exponent;
            }
        }

        // Fast path: a plain integer of at most 15 digits is exact in a double.
        if (!has_exponent && frac_start == frac_end && int_digits <= 15) {
            std::int64_t integer = 0;
            for (std::size_t i = int_start; i < int_start + int_digits; ++i) {
                integer = integer * 10 + (p_[i] - '0');
            }
            if (integer == 0) {
                return negative ? -0.0 : 0.0;
            }
            const double d = static_cast<double>(integer);
            return negative ? -d : d;
        }

        const char* first = reinterpret_cast<const char*>(p_ + start);
        const char* last = reinterpret_cast<const char*>(p_ + pos_);
        double result = 0.0;
        const std::from_chars_result converted = std::from_chars(first, last, result, std::chars_format::general);
        if (converted.ec == std::errc() && converted.ptr == last) {
            return result;
        }
        if (converted.ec != std::errc::result_out_of_range) {
            fail("invalid number", start);
        }
        // Out of range: overflow or underflow. Write the value as 0.d1d2... x 10^e with d1 the first
        // non-zero digit; e > 0 means too large (the range ends near 1e308), otherwise too small.
        std::int64_t magnitude;
        if (p_[int_start] != '0') {
            magnitude = static_cast<std::int64_t>(int_digits) + exponent;
        } else {
            std::size_t zeros = 0;
            while (frac_start + zeros < frac_end && p_[frac_start + zeros] == '0') {
                ++zeros;
            }
            if (frac_start + zeros == frac_end) {
                return negative ? -0.0 : 0.0;  // all digits zero (from_chars would not report this)
            }
            magnitude = exponent - static_cast<std::int64_t>(std::min<std::size_t>(zeros, 4000000000u));
        }
        const double limit = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
        return negative ? -limit : limit;
    }

    const unsigned char* p_;
    std::size_t n_;
    std::size_t max_depth_;
    std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------------------
// Writers

void append_number(std::string& out, double number)
{
    char text[number_text_capacity];
    const std::size_t length = write_number(number, text);
    if (length == 0) {
        throw Error(ErrorKind::invalid_input, "number out of range");
    }
    out.append(text, length);
}

// UTF-16 code unit order of two UTF-8 strings. UTF-8 byte order is code point order, which agrees with
// UTF-16 order except that U+10000 and above (surrogate pairs, lead bytes F0..F4) sort before U+E000..U+FFFF
// (lead bytes EE, EF). Ranking the differing byte with EE, EF moved after F0..FF gives exactly that order
// for valid UTF-8 (at the first difference both bytes are lead bytes, or both continuation bytes), and a
// strict total order on any byte strings.
unsigned byte_rank(unsigned char c)
{
    if (c <= 0xED) return c;
    if (c >= 0xF0) return c - 2u;  // F0..FF -> EE..FD
    return c + 0x10u;              // EE, EF -> FE, FF
}

int utf16_compare(std::string_view a, std::string_view b)
{
    const std::size_t common = std::min(a.size(), b.size());
    const auto* x = reinterpret_cast<const unsigned char*>(a.data());
    const auto* y = reinterpret_cast<const unsigned char*>(b.data());
    std::size_t i = 0;
    while (i < common && x[i] == y[i]) {
        ++i;
    }
    if (i == common) {
        return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
    }
    return byte_rank(x[i]) < byte_rank(y[i]) ? -1 : 1;
}

class Writer {
public:
    explicit Writer(bool canonical) : canonical_(canonical) { out_.reserve(256); }

    void write(const Value& value)
    {
        switch (value.kind()) {
        case Kind::null: out_.append("null", 4); break;
        case Kind::boolean:
            if (value.as_bool()) {
                out_.append("true", 4);
            } else {
                out_.append("false", 5);
            }
            break;
        case Kind::number: append_number(out_, value.as_number()); break;
        case Kind::string: append_string(out_, value.as_string()); break;
        case Kind::array: {
            out_.push_back('[');
            bool first = true;
            for (const Value& element : value.as_array()) {
                if (!first) {
                    out_.push_back(',');
                }
                first = false;
                write(element);
            }
            out_.push_back(']');
            break;
        }
        case Kind::object:
            if (canonical_) {
                write_sorted(value.as_object());
            } else {
                write_in_order(value.as_object());
            }
            break;
        }
    }

    // An object of the given members, sorted here (keys unique).
    void write_members(std::vector<std::pair<std::string_view, const Value*>>& members)
    {
        std::sort(members.begin(), members.end(),
                  [](const auto& a, const auto& b) { return utf16_compare(a.first, b.first) < 0; });
        out_.push_back('{');
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (i != 0) {
                out_.push_back(',');
            }
            append_string(out_, members[i].first);
            out_.push_back(':');
            write(*members[i].second);
        }
        out_.push_back('}');
    }

    std::string take() { return std::move(out_); }

private:
    void write_member(const Member& member)
    {
        append_string(out_, member.first);
        out_.push_back(':');
        write(member.second);
    }

    void write_in_order(const Object& object)
    {
        out_.push_back('{');
        bool first = true;
        for (const Member& member : object) {
            if (!first) {
                out_.push_back(',');
            }
            first = false;
            write_member(member);
        }
        out_.push_back('}');
    }

    // Members sorted by key in UTF-16 order. One scratch vector serves every nesting level: each object
    // sorts its own segment at the end and truncates it when done.
    void write_sorted(const Object& object)
    {
        const std::size_t base = scratch_.size();
        for (const Member& member : object) {
            scratch_.push_back(&member);
        }
        // Keys are unique in a well-formed Object; if not, the stored order breaks ties (members are contiguous).
        std::sort(scratch_.begin() + static_cast<std::ptrdiff_t>(base), scratch_.end(),
                  [](const Member* a, const Member* b) {
                      const int order = utf16_compare(a->first, b->first);
                      return order != 0 ? order < 0 : std::less<const Member*>{}(a, b);
                  });
        out_.push_back('{');
        for (std::size_t i = 0; i < object.size(); ++i) {
            if (i != 0) {
                out_.push_back(',');
            }
            write_member(*scratch_[base + i]);
        }
        out_.push_back('}');
        scratch_.resize(base);
    }

    bool canonical_;
    std::string out_;
    std::vector<const Member*> scratch_;
};

}  // namespace

Value parse(std::string_view text, std::size_t max_depth)
{
    Parser parser(text, max_depth);
    return parser.parse_document();
}

std::string dump(const Value& value)
{
    Writer writer(false);
    writer.write(value);
    return writer.take();
}

std::string canonical(const Value& value)
{
    Writer writer(true);
    writer.write(value);
    return writer.take();
}

std::string canonical_subset(const Value& object, std::initializer_list<std::string_view> keys)
{
    static const Value null;
    std::vector<std::pair<std::string_view, const Value*>> members;
    members.reserve(keys.size());
    for (std::string_view key : keys) {
        const Value* value = object.find(key);
        members.emplace_back(key, value != nullptr ? value : &null);
    }
    Writer writer(true);
    writer.write_members(members);
    return writer.take();
}

std::size_t write_number(double number, char (&text)[number_text_capacity]) noexcept
{
    if (!std::isfinite(number)) {
        return 0;
    }
    std::size_t length = 0;
    auto put = [&](char c) { text[length++] = c; };
    auto put_run = [&](const char* from, int count) {
        for (int i = 0; i < count; ++i) put(from[i]);
    };
    if (number == 0.0) {
        put('0');  // also -0
        return length;
    }
    // Shortest round-trip digits d1.d2...dk and exponent, e.g. "-1.2345e+02".
    char buffer[64];
    const std::to_chars_result r =
        std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::scientific);
    const char* s = buffer;
    const char* end = r.ptr;
    const bool negative = *s == '-';
    if (negative) {
        ++s;
    }
    char digits[32];
    int k = 0;
    while (s < end && *s != 'e') {
        if (*s != '.' && k < static_cast<int>(sizeof digits)) {
            digits[k++] = *s;
        }
        ++s;
    }
    int exponent = 0;
    if (s < end) {
        ++s;  // 'e'
        bool exponent_negative = false;
        if (s < end && (*s == '+' || *s == '-')) {
            exponent_negative = *s == '-';
            ++s;
        }
        while (s < end) {
            exponent = exponent * 10 + (*s - '0');
            ++s;
        }
        if (exponent_negative) {
            exponent = -exponent;
        }
    }
    // ECMA-262 Number::toString with value = 0.d1...dk x 10^n.
    const int n = exponent + 1;
    if (negative) {
        put('-');
    }
    if (k <= n && n <= 21) {
        put_run(digits, k);
        for (int i = k; i < n; ++i) put('0');
    } else if (0 < n && n <= 21) {
        put_run(digits, n);
        put('.');
        put_run(digits + n, k - n);
    } else if (-6 < n && n <= 0) {
        put('0');
        put('.');
        for (int i = n; i < 0; ++i) put('0');
        put_run(digits, k);
    } else {
        put(digits[0]);
        if (k > 1) {
            put('.');
            put_run(digits + 1, k - 1);
        }
        put('e');
        const int e = n - 1;
        put(e < 0 ? '-' : '+');
        char exponent_text[8];
        const std::to_chars_result er =
            std::to_chars(exponent_text, exponent_text + sizeof exponent_text, e < 0 ? -e : e);
        put_run(exponent_text, static_cast<int>(er.ptr - exponent_text));
    }
    return length;
}

std::string format_number(double number)
{
    std::string out;
    append_number(out, number);
    return out;
}

std::size_t char_count(std::string_view utf8) noexcept
{
    std::size_t count = 0;
    for (const char c : utf8) {
        count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }
    return count;
}

void append_string(std::string& out, std::string_view s)
{
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    const char* data = s.data();
    const std::size_t size = s.size();
    std::size_t run = 0;
    for (std::size_t i = 0; i < size; ++i) {
        const unsigned char c = static_cast<unsigned char>(data[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(data + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': out.append("\\\"", 2); break;
        case '\\': out.append("\\\\", 2); break;
        case '\b': out.append("\\b", 2); break;
        case '\f': out.append("\\f", 2); break;
        case '\n': out.append("\\n", 2); break;
        case '\r': out.append("\\r", 2); break;
        case '\t': out.append("\\t", 2); break;
        default: {
            const char escaped[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0x0F]};
            out.append(escaped, 6);
            break;
        }
        }
    }
    out.append(data + run, size - run);
    out.push_back('"');
}

}  // namespace costsim::json
