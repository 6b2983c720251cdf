// signed_link: signed export download links (core/signed_link.hpp), and the primitives they stand on,
// hmac_sha256_hex and equal_in_constant_time (core/hashing.hpp). Expected values are RFC 4231 test vectors or
// were computed with the openssl command line (OpenSSL 3.0) over the exact bytes written in each comment, never
// with the code under test. The link messages are RFC 8785 texts written out by hand from the header.
#include "core/errors.hpp"
#include "core/hashing.hpp"
#include "core/signed_link.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace {

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

}  // namespace

// ---- hmac_sha256_hex -------------------------------------------------------------------------------------------

TEST(HmacSha256, Rfc4231TestCase1)
{
    // Key = 0x0b repeated 20 times, Data = "Hi There".
    EXPECT_EQ(costsim::hmac_sha256_hex(repeat('\x0b', 20), "Hi There"),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, Rfc4231TestCase2)
{
    // Key = "Jefe", Data = "what do ya want for nothing?".
    EXPECT_EQ(costsim::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, Rfc4231TestCases6And7KeyLongerThanTheBlock)
{
    // Key = 0xaa repeated 131 times (longer than SHA-256's 64-byte block, so it is hashed first).
    const std::string key = repeat('\xaa', 131);
    EXPECT_EQ(costsim::hmac_sha256_hex(key, "Test Using Larger Than Block-Size Key - Hash Key First"),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    EXPECT_EQ(costsim::hmac_sha256_hex(key,
                                       "This is a test using a larger than block-size key and a larger than "
                                       "block-size data. The key needs to be hashed before being used by the "
                                       "HMAC algorithm."),
              "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacSha256, EmptyMessage)
{
    // printf '' | openssl dgst -sha256 -hmac key
    EXPECT_EQ(costsim::hmac_sha256_hex("key", ""),
              "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0");
    // Empty key and empty message (RFC 2104 allows any key length). The openssl CLI refuses an empty key, so:
    // python3 -c "import hmac,hashlib;print(hmac.new(b'',b'',hashlib.sha256).hexdigest())"
    EXPECT_EQ(costsim::hmac_sha256_hex("", ""),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256, KeyIsBinarySafe)
{
    // printf 'msg' | openssl dgst -sha256 -mac HMAC -macopt hexkey:610062     (key "a\0b")
    EXPECT_EQ(costsim::hmac_sha256_hex(std::string("a\0b", 3), "msg"),
              "d056a5d043fa6f38932b1af43d07a5609dc8da00065fb7b48facf1055acaef97");
    // printf 'msg' | openssl dgst -sha256 -hmac a
    EXPECT_EQ(costsim::hmac_sha256_hex("a", "msg"), "fa501c6716103e7fd125531f0f9e9f660f7d092883b0c147a82fdac376776b16");
}

// ---- equal_in_constant_time ------------------------------------------------------------------------------------

TEST(ConstantTimeEqual, EqualStrings)
{
    static_assert(noexcept(costsim::equal_in_constant_time("a", "b")), "documented noexcept");
    EXPECT_TRUE(costsim::equal_in_constant_time("abc", "abc"));
    const std::string h(64, '7');
    EXPECT_TRUE(costsim::equal_in_constant_time(h, std::string(64, '7')));
    EXPECT_TRUE(costsim::equal_in_constant_time(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST(ConstantTimeEqual, DifferentStrings)
{
    EXPECT_FALSE(costsim::equal_in_constant_time("abc", "abd"));  // last byte
    EXPECT_FALSE(costsim::equal_in_constant_time("abc", "xbc"));  // first byte
    EXPECT_FALSE(costsim::equal_in_constant_time("abc", "ABC"));
    // Bytes after an embedded NUL still count (not a C-string comparison).
    EXPECT_FALSE(costsim::equal_in_constant_time(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(ConstantTimeEqual, DifferentLengths)
{
    EXPECT_FALSE(costsim::equal_in_constant_time("abc", "abcd"));
    EXPECT_FALSE(costsim::equal_in_constant_time("abcd", "abc"));
    EXPECT_FALSE(costsim::equal_in_constant_time(std::string("abc\0", 4), "abc"));
}

TEST(ConstantTimeEqual, Empty)
{
    EXPECT_TRUE(costsim::equal_in_constant_time("", ""));
    EXPECT_TRUE(costsim::equal_in_constant_time(std::string_view(), std::string_view()));
    EXPECT_FALSE(costsim::equal_in_constant_time("", "a"));
    EXPECT_FALSE(costsim::equal_in_constant_time("a", ""));
}

// ---- link_message / sign_link / check_link ---------------------------------------------------------------------

namespace {

const char* const kSecret = "s3cret-key";

costsim::ExportLink base_link()
{
    costsim::ExportLink link;
    link.export_id = "e1";
    link.format = "csv";
    link.expires_at = 1700000000;
    link.tenant_id = "t1";
    return link;
}
// By hand: RFC 8785, members sorted by key, no whitespace.
const char* const kMessage = R"({"expires_at":1700000000,"export_id":"e1","format":"csv","tenant_id":"t1"})";
// printf '%s' '{"expires_at":1700000000,"export_id":"e1","format":"csv","tenant_id":"t1"}' | openssl dgst -sha256 -hmac 's3cret-key'
const std::string kSignature = "4f849503d216c30cecb0b15925dc9709065d3ca1358252e9cbaf9644af682c12";

const std::int64_t kBefore = 1699990000;  // well before expiry

}  // namespace

TEST(SignedLink, LinkMessageIsTheCanonicalText)
{
    EXPECT_EQ(costsim::link_message(base_link()), kMessage);
}

TEST(SignedLink, LinkMessageEscapesStrings)
{
    // Strings are JSON strings (a quote in an id cannot forge another member); non-ASCII UTF-8 stays as it is.
    costsim::ExportLink link;
    link.export_id = "a\"b\\c\n";
    link.format = "csv";
    link.expires_at = 0;
    link.tenant_id = "t\xc3\xa9";  // "té"
    EXPECT_EQ(costsim::link_message(link),
              "{\"expires_at\":0,\"export_id\":\"a\\\"b\\\\c\\n\",\"format\":\"csv\",\"tenant_id\":\"t\xc3\xa9\"}");
}

TEST(SignedLink, SignLinkIsHmacOfTheMessage)
{
    EXPECT_EQ(costsim::sign_link(base_link(), kSecret), kSignature);
}

TEST(SignedLink, SignatureCoversEveryField)
{
    // Each expected value: printf '%s' '<message>' | openssl dgst -sha256 -hmac 's3cret-key'
    costsim::ExportLink link = base_link();
    link.export_id = "e2";  // {"expires_at":1700000000,"export_id":"e2","format":"csv","tenant_id":"t1"}
    EXPECT_EQ(costsim::sign_link(link, kSecret), "7c4261eaad3970bbfbd1d56b2865db7085dad77a1406442f619e90775896d688");
    link = base_link();
    link.format = "jsonl";  // {"expires_at":1700000000,"export_id":"e1","format":"jsonl","tenant_id":"t1"}
    EXPECT_EQ(costsim::sign_link(link, kSecret), "80674d60f99e0a2e24ffcc8b25b2007ce2b9d5fa41d042b29c0def230ecdb0de");
    link = base_link();
    link.expires_at = 1700003600;  // {"expires_at":1700003600,"export_id":"e1","format":"csv","tenant_id":"t1"}
    EXPECT_EQ(costsim::sign_link(link, kSecret), "ebed476fdaab7ddeeabb28bc3df3be2ed6d4657fd2a29d85807ca4c8a2c01957");
    link = base_link();
    link.tenant_id = "t2";  // {"expires_at":1700000000,"export_id":"e1","format":"csv","tenant_id":"t2"}
    EXPECT_EQ(costsim::sign_link(link, kSecret), "388c0eed1ff0f77cd71cf12789c1b8f125846d109fb6d480540b0e44e1dda805");
}

TEST(SignedLink, ValidUpToAndIncludingTheExpirySecond)
{
    const costsim::ExportLink link = base_link();
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, kBefore), costsim::LinkCheck::valid);
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, 0), costsim::LinkCheck::valid);
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, 1700000000 - 1), costsim::LinkCheck::valid);
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, 1700000000), costsim::LinkCheck::valid);
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, 1700000000 + 1), costsim::LinkCheck::expired);
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, 1800000000), costsim::LinkCheck::expired);
}

TEST(SignedLink, EverySingleCharacterChangeIsBadSignature)
{
    const costsim::ExportLink link = base_link();
    ASSERT_EQ(kSignature.size(), 64u);
    const std::string replacements = std::string("0179afgAFz ") + std::string(1, '\0');
    int checked = 0;
    for (std::size_t i = 0; i < kSignature.size(); ++i) {
        for (char r : replacements) {
            if (r == kSignature[i]) continue;
            std::string sig = kSignature;
            sig[i] = r;
            EXPECT_EQ(costsim::check_link(link, sig, kSecret, kBefore), costsim::LinkCheck::bad_signature)
                << "position " << i << " replaced by code " << static_cast<int>(static_cast<unsigned char>(r));
            ++checked;
        }
    }
    EXPECT_GT(checked, 64 * 10);
}

TEST(SignedLink, UpperCaseHexIsBadSignature)
{
    // printf '%s' '<kMessage>' | openssl dgst -sha256 -hmac 's3cret-key' | tr a-f A-F
    const std::string upper = "4F849503D216C30CECB0B15925DC9709065D3CA1358252E9CBAF9644AF682C12";
    EXPECT_EQ(costsim::check_link(base_link(), upper, kSecret, kBefore), costsim::LinkCheck::bad_signature);
    // A single letter upper-cased.
    std::string one = kSignature;
    const std::size_t at = one.find_first_of("abcdef");
    ASSERT_NE(at, std::string::npos);
    one[at] = static_cast<char>(std::toupper(static_cast<unsigned char>(one[at])));
    EXPECT_EQ(costsim::check_link(base_link(), one, kSecret, kBefore), costsim::LinkCheck::bad_signature);
}

TEST(SignedLink, WrongLengthSignatureIsBadSignature)
{
    const costsim::ExportLink link = base_link();
    for (std::size_t n : {0u, 1u, 32u, 63u}) {
        EXPECT_EQ(costsim::check_link(link, kSignature.substr(0, n), kSecret, kBefore),
                  costsim::LinkCheck::bad_signature)
            << "truncated to " << n;
    }
    EXPECT_EQ(costsim::check_link(link, kSignature.substr(1), kSecret, kBefore), costsim::LinkCheck::bad_signature);
    EXPECT_EQ(costsim::check_link(link, kSignature + "0", kSecret, kBefore), costsim::LinkCheck::bad_signature);
    EXPECT_EQ(costsim::check_link(link, kSignature + " ", kSecret, kBefore), costsim::LinkCheck::bad_signature);
    EXPECT_EQ(costsim::check_link(link, kSignature + std::string(1, '\0'), kSecret, kBefore),
              costsim::LinkCheck::bad_signature);
    EXPECT_EQ(costsim::check_link(link, " " + kSignature, kSecret, kBefore), costsim::LinkCheck::bad_signature);
    EXPECT_EQ(costsim::check_link(link, kSignature + kSignature, kSecret, kBefore),
              costsim::LinkCheck::bad_signature);
    EXPECT_EQ(costsim::check_link(link, "", kSecret, kBefore), costsim::LinkCheck::bad_signature);
}

TEST(SignedLink, BadSignatureWinsOverExpired)
{
    // The signature is checked first: an expired link with a wrong signature is bad_signature.
    std::string sig = kSignature;
    sig[0] = (sig[0] == '0') ? '1' : '0';
    EXPECT_EQ(costsim::check_link(base_link(), sig, kSecret, 1800000000), costsim::LinkCheck::bad_signature);
    EXPECT_EQ(costsim::check_link(base_link(), "", kSecret, 1800000000), costsim::LinkCheck::bad_signature);
}

TEST(SignedLink, ChangedLinkUnderTheOriginalSignatureIsBadSignature)
{
    costsim::ExportLink link = base_link();
    link.export_id = "e2";
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, kBefore), costsim::LinkCheck::bad_signature);
    link = base_link();
    link.format = "jsonl";
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, kBefore), costsim::LinkCheck::bad_signature);
    link = base_link();
    link.expires_at = 1700003600;  // extending the expiry
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, kBefore), costsim::LinkCheck::bad_signature);
    link = base_link();
    link.expires_at = 1700000001;
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, kBefore), costsim::LinkCheck::bad_signature);
    link = base_link();
    link.tenant_id = "t2";
    EXPECT_EQ(costsim::check_link(link, kSignature, kSecret, kBefore), costsim::LinkCheck::bad_signature);
}

TEST(SignedLink, ChangedLinkUnderItsOwnSignatureIsValid)
{
    // The converse: the openssl-computed signature of the changed link (see SignatureCoversEveryField) checks.
    costsim::ExportLink link = base_link();
    link.tenant_id = "t2";
    EXPECT_EQ(costsim::check_link(link, "388c0eed1ff0f77cd71cf12789c1b8f125846d109fb6d480540b0e44e1dda805", kSecret,
                                  kBefore),
              costsim::LinkCheck::valid);
}

TEST(SignedLink, WrongSecretIsBadSignature)
{
    const costsim::ExportLink link = base_link();
    EXPECT_EQ(costsim::check_link(link, kSignature, "s3cret-kez", kBefore), costsim::LinkCheck::bad_signature);
    EXPECT_EQ(costsim::check_link(link, kSignature, "s3cret-key ", kBefore), costsim::LinkCheck::bad_signature);
    EXPECT_EQ(costsim::check_link(link, kSignature, "s3cret-ke", kBefore), costsim::LinkCheck::bad_signature);
    // And the signature made under the wrong secret does not check under the right one:
    // printf '%s' '<kMessage>' | openssl dgst -sha256 -hmac 's3cret-kez'
    EXPECT_EQ(costsim::check_link(link, "5895538b6433c219aa49e8b3ccbcad3eb95024451a03f045f6b03d8737f3b8f7", kSecret,
                                  kBefore),
              costsim::LinkCheck::bad_signature);
}

TEST(SignedLink, EmptySecretIsAnInternalError)
{
    try {
        (void)costsim::sign_link(base_link(), "");
        ADD_FAILURE() << "sign_link with an empty secret did not throw";
    } catch (const costsim::Error& e) {
        EXPECT_EQ(e.kind(), costsim::ErrorKind::internal);
    }
}

TEST(SignedLink, EmptySecretInCheckLinkIsAnInternalError)
{
    // Documented: Error(internal) as in sign_link, even with the true HMAC under the empty key (never valid).
    // python3 -c "import hmac,hashlib;print(hmac.new(b'',b'<kMessage>',hashlib.sha256).hexdigest())"
    const std::string empty_key_sig = "d87f712462671e18aec10841a92c09b221d3263abebfcd3672943a1a8e9ff25a";
    for (const std::string& sig : {empty_key_sig, kSignature, std::string()}) {
        try {
            const costsim::LinkCheck result = costsim::check_link(base_link(), sig, "", kBefore);
            ADD_FAILURE() << "check_link with an empty secret did not throw; result " << static_cast<int>(result);
        } catch (const costsim::Error& e) {
            EXPECT_EQ(e.kind(), costsim::ErrorKind::internal);
        }
    }
}
