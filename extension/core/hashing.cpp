// SHA-256 digests through OpenSSL, and the canonical (RFC 8785) hash of a JSON value.
#include "core/hashing.hpp"

#include "core/errors.hpp"
#include "core/json.hpp"

#include <cstddef>
#include <string>
#include <string_view>

#include <openssl/evp.h>

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

}  // namespace

std::string sha256_hex(std::string_view data)
{
    static constexpr char hex[] = "0123456789abcdef";
    static const char empty = '\0';
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    const void* bytes = data.data() != nullptr ? static_cast<const void*>(data.data()) : &empty;
    if (EVP_Digest(bytes, data.size(), digest, &length, sha256_algorithm(), nullptr) != 1 || length != 32) {
        throw Error(ErrorKind::internal, "SHA-256 digest failed (OpenSSL EVP_Digest)");
    }
    std::string out(static_cast<std::size_t>(length) * 2, '\0');
    for (unsigned int i = 0; i < length; ++i) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0x0F];
    }
    return out;
}

std::string canonical_hash(const json::Value& value) { return sha256_hex(json::canonical(value)); }

}  // namespace costsim
