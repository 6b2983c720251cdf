// SHA-256 digests and HMAC-SHA256 through OpenSSL, the canonical (RFC 8785) hash of a JSON value, and
// constant-time string equality.
#include "core/hashing.hpp"

#include "core/errors.hpp"
#include "core/json.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace costsim {
namespace {

// OpenSSL 3 looks the algorithm up in its providers on every EVP_sha256() digest (most of a small digest's
// cost): fetch the implementation once per process and reuse it. Never freed; it lives as long as the process.
const EVP_MD* sha256_algorithm()
{
    static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (algorithm == nullptr) throw Error(ErrorKind::internal, "SHA-256 is not available (OpenSSL EVP_MD_fetch)");
    return algorithm;
}

// The same for the HMAC implementation (the EVP_MAC API: HMAC_CTX and friends are deprecated in OpenSSL 3).
EVP_MAC* hmac_algorithm()
{
    static EVP_MAC* const algorithm = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (algorithm == nullptr) throw Error(ErrorKind::internal, "HMAC is not available (OpenSSL EVP_MAC_fetch)");
    return algorithm;
}

struct MacContextFree {
    void operator()(EVP_MAC_CTX* context) const noexcept { EVP_MAC_CTX_free(context); }
};

// Lowercase hex of a digest or MAC.
std::string to_hex(const unsigned char* bytes, std::size_t length)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(length * 2, '\0');
    for (std::size_t i = 0; i < length; ++i) {
        out[2 * i] = hex[bytes[i] >> 4];
        out[2 * i + 1] = hex[bytes[i] & 0x0F];
    }
    return out;
}

}  // namespace

std::string sha256_hex(std::string_view data)
{
    static const char empty = '\0';
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    const void* bytes = data.data() != nullptr ? static_cast<const void*>(data.data()) : &empty;
    if (EVP_Digest(bytes, data.size(), digest, &length, sha256_algorithm(), nullptr) != 1 || length != 32) {
        throw Error(ErrorKind::internal, "SHA-256 digest failed (OpenSSL EVP_Digest)");
    }
    return to_hex(digest, length);
}

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new())
{
    if (context_ == nullptr || EVP_DigestInit_ex(context_, sha256_algorithm(), nullptr) != 1) {
        EVP_MD_CTX_free(context_);
        throw Error(ErrorKind::internal, "SHA-256 digest failed (OpenSSL EVP_DigestInit_ex)");
    }
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(context_); }

void Sha256Stream::update(std::string_view data)
{
    if (data.empty()) return;
    if (EVP_DigestUpdate(context_, data.data(), data.size()) != 1)
        throw Error(ErrorKind::internal, "SHA-256 digest failed (OpenSSL EVP_DigestUpdate)");
}

std::string Sha256Stream::finish()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_, digest, &length) != 1 || length != 32)
        throw Error(ErrorKind::internal, "SHA-256 digest failed (OpenSSL EVP_DigestFinal_ex)");
    return to_hex(digest, length);
}

std::string canonical_hash(const json::Value& value) { return sha256_hex(json::canonical(value)); }

std::string hmac_sha256_hex(std::string_view key, std::string_view message)
{
    // An empty string_view may have a null data(): give OpenSSL a valid pointer with the length 0 (a null key
    // would mean "keep the previous key", and a fresh context has none).
    static const unsigned char empty = 0;
    const auto* key_bytes = key.data() != nullptr ? reinterpret_cast<const unsigned char*>(key.data()) : &empty;
    const auto* message_bytes =
        message.data() != nullptr ? reinterpret_cast<const unsigned char*>(message.data()) : &empty;

    std::unique_ptr<EVP_MAC_CTX, MacContextFree> context(EVP_MAC_CTX_new(hmac_algorithm()));
    if (!context) throw Error(ErrorKind::internal, "HMAC context allocation failed (OpenSSL EVP_MAC_CTX_new)");
    char digest_name[] = "SHA256";
    const OSSL_PARAM parameters[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end(),
    };
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    if (EVP_MAC_init(context.get(), key_bytes, key.size(), parameters) != 1 ||
        EVP_MAC_update(context.get(), message_bytes, message.size()) != 1 ||
        EVP_MAC_final(context.get(), mac, &length, sizeof mac) != 1 || length != 32) {
        throw Error(ErrorKind::internal, "HMAC-SHA256 failed (OpenSSL EVP_MAC)");
    }
    return to_hex(mac, length);
}

bool equal_in_constant_time(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace costsim
