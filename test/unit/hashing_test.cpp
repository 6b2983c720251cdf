// hashing: SHA-256 (FIPS 180-2 / NIST test vectors) and the JCS hash of a value.
#include "core/hashing.hpp"
#include "core/json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace json = costsim::json;

TEST(Sha256, KnownVectors)
{
    // FIPS 180-2 appendix B.1 / B.2, and the empty message.
    EXPECT_EQ(costsim::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(costsim::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(costsim::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, BinarySafeAndLowercaseHex)
{
    // An embedded NUL is part of the data: "a\0b" must not hash like "a".
    EXPECT_NE(costsim::sha256_hex(std::string("a\0b", 3)), costsim::sha256_hex("a"));
    const std::string h = costsim::sha256_hex("anything");
    ASSERT_EQ(h.size(), 64u);
    for (char c : h) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << h;
}

TEST(CanonicalHash, EqualsSha256OfHandWrittenCanonicalText)
{
    // {"b":1,"a":"x","c":[2.50,{"z":null,"y":true}]} in JCS: keys sorted, 2.50 -> 2.5, no whitespace.
    json::Value v = json::parse(R"({"b":1,"a":"x","c":[2.50,{"z":null,"y":true}]})");
    EXPECT_EQ(costsim::canonical_hash(v), costsim::sha256_hex(R"({"a":"x","b":1,"c":[2.5,{"y":true,"z":null}]})"));
    // Member order of the input does not matter.
    json::Value w = json::parse(R"({"c":[2.5,{"y":true,"z":null}],"a":"x","b":1.0})");
    EXPECT_EQ(costsim::canonical_hash(v), costsim::canonical_hash(w));
    // A different value hashes differently.
    EXPECT_NE(costsim::canonical_hash(v), costsim::canonical_hash(json::parse(R"({"a":"x","b":2})")));
    EXPECT_EQ(costsim::canonical_hash(json::Value()), costsim::sha256_hex("null"));
}
