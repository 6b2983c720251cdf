// json: strict parsing (RFC 8259 + UTF-8 validation), dump, RFC 8785 canonical form, ECMAScript number text,
// char_count. Expected texts are written by hand from RFC 8259 / RFC 8785 / ECMA-262 Number::toString.
#include "core/errors.hpp"
#include "core/json.hpp"

#include "test_models.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace json = costsim::json;
using costsim_test::contains;

namespace {

void expect_rejected(const std::string& text, std::size_t max_depth = json::default_max_depth)
{
    try {
        json::parse(text, max_depth);
        ADD_FAILURE() << "accepted invalid JSON: [" << text << "]";
    } catch (const json::ParseError& e) {
        EXPECT_LE(e.offset(), text.size()) << "offset beyond the input for [" << text << "]";
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type for [" << text << "]: " << e.what();
    }
}

std::string nested_arrays(std::size_t depth)
{
    return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

// ------------------------------------------------------------------------------------------------ parse

TEST(JsonParse, ObjectWithEveryKind)
{
    json::Value v = json::parse(R"({"a":[1,-2.5,3e2,true,false,null,"x"],"b":{},"c":[]})");
    ASSERT_TRUE(v.is_object());
    ASSERT_EQ(v.as_object().size(), 3u);
    const json::Value* a = v.find("a");
    ASSERT_NE(a, nullptr);
    ASSERT_TRUE(a->is_array());
    const json::Array& arr = a->as_array();
    ASSERT_EQ(arr.size(), 7u);
    EXPECT_EQ(arr[0].as_number(), 1.0);
    EXPECT_EQ(arr[1].as_number(), -2.5);
    EXPECT_EQ(arr[2].as_number(), 300.0);  // 3e2
    EXPECT_TRUE(arr[3].is_bool());
    EXPECT_TRUE(arr[3].as_bool());
    EXPECT_FALSE(arr[4].as_bool());
    EXPECT_TRUE(arr[5].is_null());
    EXPECT_EQ(arr[6].as_string(), "x");
    ASSERT_NE(v.find("b"), nullptr);
    EXPECT_TRUE(v.find("b")->is_object());
    EXPECT_TRUE(v.find("b")->as_object().empty());
    ASSERT_NE(v.find("c"), nullptr);
    EXPECT_TRUE(v.find("c")->is_array());
    EXPECT_TRUE(v.find("c")->as_array().empty());
    EXPECT_EQ(v.find("zz"), nullptr);
    // Members keep insertion order.
    EXPECT_EQ(v.as_object()[0].first, "a");
    EXPECT_EQ(v.as_object()[1].first, "b");
    EXPECT_EQ(v.as_object()[2].first, "c");
}

TEST(JsonParse, WhitespaceAndTopLevelScalars)
{
    json::Value v = json::parse(" \t\n\r[ 1 , 2 ]\n ");
    ASSERT_TRUE(v.is_array());
    ASSERT_EQ(v.as_array().size(), 2u);
    EXPECT_EQ(v.as_array()[1].as_number(), 2.0);

    EXPECT_EQ(json::parse("42").as_number(), 42.0);
    EXPECT_EQ(json::parse("\"s\"").as_string(), "s");
    EXPECT_TRUE(json::parse("null").is_null());
    EXPECT_TRUE(json::parse(" true ").as_bool());
    EXPECT_FALSE(json::parse("false").as_bool());
}

TEST(JsonParse, Numbers)
{
    EXPECT_EQ(json::parse("0").as_number(), 0.0);
    json::Value neg_zero = json::parse("-0");
    EXPECT_EQ(neg_zero.as_number(), 0.0);
    EXPECT_EQ(json::parse("1E2").as_number(), 100.0);
    EXPECT_EQ(json::parse("1e+2").as_number(), 100.0);
    EXPECT_EQ(json::parse("1e-2").as_number(), 0.01);
    EXPECT_EQ(json::parse("0.5").as_number(), 0.5);
    EXPECT_EQ(json::parse("-0.5e1").as_number(), -5.0);
    EXPECT_EQ(json::parse("123456789").as_number(), 123456789.0);
    // Correctly rounded decimal -> double conversion.
    EXPECT_EQ(json::parse("0.1").as_number(), 0.1);
    EXPECT_EQ(json::parse("333333333.33333329").as_number(), 333333333.33333329);
    EXPECT_EQ(json::parse("5e-324").as_number(), 5e-324);
    // Overflow is kept as +-infinity (header contract); canonical() refuses it (see below).
    EXPECT_TRUE(std::isinf(json::parse("1e400").as_number()));
    EXPECT_GT(json::parse("1e400").as_number(), 0);
    EXPECT_LT(json::parse("-1e400").as_number(), 0);
}

TEST(JsonParse, StringEscapesDecodeToUtf8)
{
    json::Value v = json::parse(R"("\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00")");
    // \u00e9 = U+00E9 -> C3 A9; \u20ac = U+20AC -> E2 82 AC; \ud83d\ude00 = U+1F600 -> F0 9F 98 80
    EXPECT_EQ(v.as_string(), std::string("\"\\/\b\f\n\r\tA") + "\xc3\xa9" + "\xe2\x82\xac" + "\xf0\x9f\x98\x80");
    // Raw (unescaped) UTF-8 is accepted as is.
    EXPECT_EQ(json::parse("\"h\xc3\xa9llo \xf0\x9f\x98\x80\"").as_string(), "h\xc3\xa9llo \xf0\x9f\x98\x80");
    // Escaped NUL is a valid character.
    EXPECT_EQ(json::parse(R"("a\u0000b")").as_string(), std::string("a\0b", 3));
    // DEL (0x7F) is not a control character in JSON's sense: allowed raw.
    EXPECT_EQ(json::parse("\"\x7f\"").as_string(), "\x7f");
}

TEST(JsonParse, RejectsTrailingCommas)
{
    expect_rejected("[1,2,]");
    expect_rejected(R"({"a":1,})");
    expect_rejected("[,1]");
    expect_rejected("[1,,2]");
    expect_rejected(R"({,"a":1})");
}

TEST(JsonParse, RejectsLeadingZeros)
{
    expect_rejected("01");
    expect_rejected("-01");
    expect_rejected("00");
    expect_rejected("[01]");
    expect_rejected("012.5");
}

TEST(JsonParse, RejectsMalformedNumbers)
{
    expect_rejected("+1");
    expect_rejected(".5");
    expect_rejected("1.");
    expect_rejected("1.e3");
    expect_rejected("1e");
    expect_rejected("1e+");
    expect_rejected("-");
    expect_rejected("0x10");
    expect_rejected("NaN");
    expect_rejected("Infinity");
    expect_rejected("-Infinity");
}

TEST(JsonParse, RejectsBadEscapes)
{
    expect_rejected(R"("\q")");
    expect_rejected(R"("\x41")");
    expect_rejected(R"("\U0041")");
    expect_rejected(R"("\u12")");
    expect_rejected(R"("\u12G4")");
    expect_rejected(R"("\')");
    expect_rejected("\"\\");  // backslash at end of input
}

TEST(JsonParse, AcceptsUtf8BoundarySequences)
{
    const char* valid[] = {
        "\x7f",                  // U+007F, last 1-byte
        "\xc2\x80",              // U+0080, first 2-byte
        "\xdf\xbf",              // U+07FF, last 2-byte
        "\xe0\xa0\x80",          // U+0800, first 3-byte
        "\xed\x9f\xbf",          // U+D7FF, just below the surrogates
        "\xee\x80\x80",          // U+E000, just above the surrogates
        "\xef\xbf\xbf",          // U+FFFF
        "\xf0\x90\x80\x80",      // U+10000, first 4-byte
        "\xf1\x80\x80\x80",      // U+40000
        "\xf4\x8f\xbf\xbf",      // U+10FFFF, the last code point
    };
    for (const char* v : valid) {
        SCOPED_TRACE(v);
        const std::string text = std::string("\"") + v + "\"";
        EXPECT_EQ(json::parse(text).as_string(), v);
        EXPECT_EQ(json::char_count(v), 1u);
    }
}

TEST(JsonParse, RejectsInvalidUtf8)
{
    expect_rejected("\"\xff\"");              // never valid in UTF-8
    expect_rejected("\"\x80\"");              // stray continuation byte
    expect_rejected("\"\xc3\"");              // truncated 2-byte sequence
    expect_rejected("\"\xe2\x82\"");          // truncated 3-byte sequence
    expect_rejected("\"\xc0\xaf\"");          // overlong '/'
    expect_rejected("\"\xe0\x80\xaf\"");      // overlong 3-byte
    expect_rejected("\"\xed\xa0\x80\"");      // UTF-8-encoded surrogate U+D800
    expect_rejected("\"\xf4\x90\x80\x80\"");  // U+110000, beyond Unicode
    expect_rejected("\"\xf8\x88\x80\x80\x80\"");  // 5-byte form
    expect_rejected("[\"ok\", \"\xfe\"]");
    expect_rejected("{\"\xff\":1}");          // in a key too
}

TEST(JsonParse, RejectsLoneSurrogates)
{
    expect_rejected(R"("\ud800")");
    expect_rejected(R"("\udc00")");
    expect_rejected(R"("\ud83d\u0041")");  // high surrogate followed by a non-surrogate escape
    expect_rejected(R"("\ud83dx")");       // high surrogate followed by a plain character
    expect_rejected(R"("\ude00\ud83d")");  // reversed pair
    expect_rejected(R"("\ud83d\ud83d")");  // two high surrogates
}

TEST(JsonParse, RejectsControlCharactersInStrings)
{
    expect_rejected("\"a\tb\"");
    expect_rejected("\"a\nb\"");
    expect_rejected("\"\x01\"");
    expect_rejected("\"\x1f\"");
    expect_rejected(std::string("\"\0\"", 3));
}

TEST(JsonParse, RejectsTrailingGarbage)
{
    expect_rejected("1 2");
    expect_rejected("{} x");
    expect_rejected("[1]]");
    expect_rejected("truex");
    expect_rejected("nullnull");
    expect_rejected(R"("a""b")");
    expect_rejected(std::string("{}\0", 3));
}

TEST(JsonParse, RejectsOtherSyntaxErrors)
{
    expect_rejected("");
    expect_rejected("   ");
    expect_rejected("tru");
    expect_rejected("nul");
    expect_rejected("[1");
    expect_rejected("[1 2]");
    expect_rejected(R"({"a"})");
    expect_rejected(R"({"a" 1})");
    expect_rejected("{1:2}");
    expect_rejected("{a:1}");
    expect_rejected("'a'");
    expect_rejected("\"abc");
    expect_rejected("[true, TRUE]");
}

TEST(JsonParse, NestingLimit)
{
    // Nesting depth = number of enclosing arrays/objects. Exactly max_depth is fine; one more is refused.
    EXPECT_NO_THROW(json::parse("[[[1]]]", 3));
    expect_rejected("[[[[1]]]]", 3);
    EXPECT_NO_THROW(json::parse(R"({"a":{"b":{"c":1}}})", 3));
    expect_rejected(R"({"a":{"b":{"c":{}}}})", 3);
    expect_rejected(R"([{"a":[{}]}])", 3);
    // Default limit (512).
    EXPECT_NO_THROW(json::parse(nested_arrays(json::default_max_depth)));
    expect_rejected(nested_arrays(json::default_max_depth + 1));
    // Far deeper input is refused cleanly (no stack overflow).
    expect_rejected(nested_arrays(200000));
    expect_rejected(std::string(200000, '['));
}

TEST(JsonParse, ErrorReasons)
{
    // Too deep is told apart from bad syntax (the pg layer maps it to 54000, syntax to 22023).
    auto reason_of = [](const std::string& text, std::size_t depth) {
        try {
            json::parse(text, depth);
        } catch (const json::ParseError& e) {
            return static_cast<int>(e.reason());
        }
        ADD_FAILURE() << "accepted [" << text << "]";
        return -1;
    };
    EXPECT_EQ(reason_of("[[[[1]]]]", 3), static_cast<int>(json::ParseError::Reason::too_deep));
    EXPECT_EQ(reason_of(nested_arrays(json::default_max_depth + 1), json::default_max_depth),
              static_cast<int>(json::ParseError::Reason::too_deep));
    EXPECT_EQ(reason_of("[1,]", 3), static_cast<int>(json::ParseError::Reason::syntax));
    EXPECT_EQ(reason_of("\"\\ud800\"", 3), static_cast<int>(json::ParseError::Reason::syntax));
    EXPECT_EQ(reason_of("01", 3), static_cast<int>(json::ParseError::Reason::syntax));
}

TEST(JsonParse, DuplicateKeysKeepLast)
{
    json::Value v = json::parse(R"({"a":1,"b":2,"a":3})");
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(v.as_object().size(), 2u);  // keys unique
    ASSERT_NE(v.find("a"), nullptr);
    EXPECT_EQ(v.find("a")->as_number(), 3.0);
    EXPECT_EQ(v.find("b")->as_number(), 2.0);
    EXPECT_EQ(json::canonical(v), R"({"a":3,"b":2})");
    // Nested objects too.
    json::Value w = json::parse(R"({"o":{"k":"first","k":"last"}})");
    EXPECT_EQ(w.find("o")->find("k")->as_string(), "last");
    EXPECT_EQ(w.find("o")->as_object().size(), 1u);
}

TEST(JsonParse, DuplicateKeysInLargeObjects)
{
    // 200 distinct keys k0..k199 (values 0..199), then k5, k150 and k199 again with new values.
    std::string text = "{";
    for (int i = 0; i < 200; ++i) text += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":" + std::to_string(i);
    text += R"(,"k5":-5,"k150":-150,"k199":-199,"k5":-55})";
    json::Value v = json::parse(text);
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(v.as_object().size(), 200u);  // keys unique
    EXPECT_EQ(v.find("k5")->as_number(), -55.0);   // the last of three
    EXPECT_EQ(v.find("k150")->as_number(), -150.0);
    EXPECT_EQ(v.find("k199")->as_number(), -199.0);
    for (int i = 0; i < 200; ++i) {
        const json::Value* m = v.find("k" + std::to_string(i));
        ASSERT_NE(m, nullptr) << i;
        if (i != 5 && i != 150 && i != 199) {
            EXPECT_EQ(m->as_number(), static_cast<double>(i)) << i;
        }
    }
    // Canonical form of a large object: ASCII keys, so UTF-16 order is plain byte order of the keys.
    std::vector<std::string> keys;
    for (int i = 0; i < 200; ++i) keys.push_back("k" + std::to_string(i));
    std::sort(keys.begin(), keys.end());
    std::string expected = "{";
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const int n = std::stoi(keys[i].substr(1));
        const int value = n == 5 ? -55 : n == 150 ? -150 : n == 199 ? -199 : n;
        expected += (i ? "," : "") + std::string("\"") + keys[i] + "\":" + std::to_string(value);
    }
    expected += "}";
    EXPECT_EQ(json::canonical(v), expected);
}

// ------------------------------------------------------------------------------------------------ Value

TEST(JsonValue, FindAndSet)
{
    json::Value num(1.5);
    EXPECT_EQ(num.find("x"), nullptr);  // not an object
    json::Value v;                      // null
    v.set("x", 1);                      // null -> {} first
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(v.find("x")->as_number(), 1.0);
    v.set("y", "two");
    v.set("x", true);  // replace, keys stay unique
    EXPECT_EQ(v.as_object().size(), 2u);
    EXPECT_TRUE(v.find("x")->as_bool());
    EXPECT_EQ(v.find("y")->as_string(), "two");
    EXPECT_EQ(json::Value(std::int64_t{7}).as_number(), 7.0);
}

// ------------------------------------------------------------------------------------------------ dump

TEST(JsonDump, CompactInStoredOrder)
{
    const std::string text = R"({"b":1,"a":[true,false,null,"x",-2.5,{}],"c":{"d":[]}})";
    EXPECT_EQ(json::dump(json::parse(text)), text);
    EXPECT_EQ(json::dump(json::Value(1e21)), "1e+21");  // numbers as in format_number
    EXPECT_EQ(json::dump(json::Value()), "null");
}

TEST(JsonDump, RoundTrip)
{
    json::Object o;
    o.emplace_back("z", json::Value(std::string("q\"uo\\te\n\t\x01 /\x7f ") + "\xc3\xa9\xf0\x9f\x98\x80"));
    o.emplace_back("n", json::Value(0.1));
    o.emplace_back("big", json::Value(1.7976931348623157e308));
    o.emplace_back("tiny", json::Value(5e-324));
    o.emplace_back("neg", json::Value(-123456.789));
    o.emplace_back("arr", json::Value(json::Array{json::Value(), json::Value(false), json::Value(json::Object{})}));
    json::Value v(std::move(o));
    const std::string text = json::dump(v);
    json::Value back = json::parse(text);
    EXPECT_EQ(back, v) << text;
    EXPECT_EQ(json::dump(back), text);
}

// ------------------------------------------------------------------------------------------------ canonical

TEST(JsonCanonical, KeysSortedByUtf16CodeUnits)
{
    // RFC 8785 section 3.2.3 example. Sorted by UTF-16 code units:
    // "\r" (000D) < "1" (0031) < U+0080 < U+00F6 < U+20AC < U+1F600 (D83D DE00) < U+FB33.
    // (By UTF-8 bytes or code points U+FB33 would come before U+1F600.)
    json::Value v = json::parse(
        R"({"\u20ac":1,"\r":2,"\ufb33":3,"1":4,"\ud83d\ude00":5,"\u0080":6,"\u00f6":7})");
    const std::string expected = std::string("{") +
                                 "\"\\r\":2," +
                                 "\"1\":4," +
                                 "\"\xc2\x80\":6," +          // U+0080 raw (not a JSON control character)
                                 "\"\xc3\xb6\":7," +          // U+00F6
                                 "\"\xe2\x82\xac\":1," +      // U+20AC
                                 "\"\xf0\x9f\x98\x80\":5," +  // U+1F600
                                 "\"\xef\xac\xb3\":3" +       // U+FB33
                                 "}";
    EXPECT_EQ(json::canonical(v), expected);
}

TEST(JsonCanonical, PrefixesAndNesting)
{
    json::Value v = json::parse(R"( { "b" : [ { "z":1, "y":2 }, "s" ], "ab":true, "a" : null, "B": false } )");
    // Code units: "B"(0x42) < "a" < "ab" < "b"; arrays keep their order; no whitespace.
    EXPECT_EQ(json::canonical(v), R"({"B":false,"a":null,"ab":true,"b":[{"y":2,"z":1},"s"]})");
    EXPECT_EQ(json::canonical(json::parse("[]")), "[]");
    EXPECT_EQ(json::canonical(json::parse("{}")), "{}");
    EXPECT_EQ(json::canonical(json::parse("[true,false,null]")), "[true,false,null]");
}

TEST(JsonCanonical, MinimalStringEscaping)
{
    json::Value v(std::string("\"\\/\b\f\n\r\t\x01\x1f\x7f") + "\xc3\xa9" + "\xe2\x80\xa8");
    // JCS (ECMAScript JSON.stringify): \" \\ and \b \f \n \r \t as two-character escapes, other controls
    // below 0x20 as \u00xx with lowercase hex, everything else (/, DEL, non-ASCII, U+2028) verbatim.
    const std::string expected = std::string("\"") + "\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f" + "\x7f" +
                                 "\xc3\xa9" + "\xe2\x80\xa8" + "\"";
    EXPECT_EQ(json::canonical(v), expected);
    EXPECT_EQ(json::canonical(json::parse(R"("\u0041\u000b")")), R"("A\u000b")");
    // Keys are escaped the same way.
    EXPECT_EQ(json::canonical(json::parse(R"({"a\nb":1})")), R"({"a\nb":1})");
}

TEST(JsonCanonical, NumbersPerEcmaScript)
{
    // Each expected text is ECMA-262 Number::toString of the parsed double (shortest round-trip digits;
    // plain notation for 1e-7 < |x| < 1e21, exponent form "d.ddde+N" / "de-N" otherwise).
    json::Value v = json::parse("[1e21,1e-7,0.000001,-0,4.50,2e-3,333333333.33333329,1e23,5e-324]");
    EXPECT_EQ(json::canonical(v), "[1e+21,1e-7,0.000001,0,4.5,0.002,333333333.3333333,1e+23,5e-324]");

    EXPECT_EQ(json::canonical(json::parse("1e21")), "1e+21");
    EXPECT_EQ(json::canonical(json::parse("1e-7")), "1e-7");
    EXPECT_EQ(json::canonical(json::parse("0.000001")), "0.000001");
    EXPECT_EQ(json::canonical(json::parse("-0")), "0");
    EXPECT_EQ(json::canonical(json::parse("4.50")), "4.5");
    EXPECT_EQ(json::canonical(json::parse("2e-3")), "0.002");
    EXPECT_EQ(json::canonical(json::parse("333333333.33333329")), "333333333.3333333");
    EXPECT_EQ(json::canonical(json::parse("1e23")), "1e+23");
    EXPECT_EQ(json::canonical(json::parse("5e-324")), "5e-324");
}

TEST(JsonFormatNumber, EcmaScriptNumberToString)
{
    EXPECT_EQ(json::format_number(0.0), "0");
    EXPECT_EQ(json::format_number(-0.0), "0");
    EXPECT_EQ(json::format_number(100.0), "100");
    EXPECT_EQ(json::format_number(-1.5), "-1.5");
    EXPECT_EQ(json::format_number(0.1), "0.1");
    EXPECT_EQ(json::format_number(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(json::format_number(1e20), "100000000000000000000");  // < 1e21: plain digits
    EXPECT_EQ(json::format_number(1e21), "1e+21");
    EXPECT_EQ(json::format_number(295147905179352825856.0), "295147905179352830000");  // 2^68, RFC 8785 App. B
    EXPECT_EQ(json::format_number(9007199254740992.0), "9007199254740992");           // 2^53
    EXPECT_EQ(json::format_number(123e-20), "1.23e-18");
    EXPECT_EQ(json::format_number(1.5e-7), "1.5e-7");
    EXPECT_EQ(json::format_number(1e-6), "0.000001");
    EXPECT_EQ(json::format_number(4.340282366920938e+38), "4.340282366920938e+38");    // RFC 8785 App. B
    EXPECT_EQ(json::format_number(9.999999999999997e+22), "9.999999999999997e+22");    // RFC 8785 App. B
    EXPECT_EQ(json::format_number(1.7976931348623157e308), "1.7976931348623157e+308");
    EXPECT_EQ(json::format_number(-1.7976931348623157e308), "-1.7976931348623157e+308");
    EXPECT_EQ(json::format_number(5e-324), "5e-324");
    EXPECT_EQ(json::format_number(123456.789), "123456.789");
}

TEST(JsonCanonical, RefusesNonFiniteNumbers)
{
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    costsim_test::expect_error([&] { json::canonical(json::Value(inf)); }, costsim::ErrorKind::invalid_input);
    costsim_test::expect_error([&] { json::canonical(json::Value(-inf)); }, costsim::ErrorKind::invalid_input);
    costsim_test::expect_error([&] { json::canonical(json::Value(nan)); }, costsim::ErrorKind::invalid_input);
    costsim_test::expect_error([&] { json::canonical(json::parse(R"({"a":[1,1e400]})")); },
                               costsim::ErrorKind::invalid_input);
}

// ------------------------------------------------------------------------------------------------ char_count

TEST(JsonCharCount, CountsCodePoints)
{
    EXPECT_EQ(json::char_count(""), 0u);
    EXPECT_EQ(json::char_count("abc"), 3u);
    EXPECT_EQ(json::char_count("\xc3\xa9"), 1u);          // é: 2 bytes, 1 char
    EXPECT_EQ(json::char_count("\xe2\x82\xac"), 1u);      // €: 3 bytes
    EXPECT_EQ(json::char_count("\xf0\x9f\x98\x80"), 1u);  // 😀: 4 bytes, 1 code point (2 UTF-16 units)
    EXPECT_EQ(json::char_count("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "b"), 5u);
    EXPECT_EQ(json::char_count(std::string(1000, 'x')), 1000u);
    EXPECT_EQ(json::char_count(costsim_test::repeat("\xc3\xa9", 1000)), 1000u);
}
