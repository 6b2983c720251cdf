// Digests (OpenSSL): SHA-256 as lowercase hex, and the JCS hash of a JSON value.
#pragma once
#include "core/no_postgres.hpp"

#include "core/json.hpp"

#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace costsim {

std::string sha256_hex(std::string_view data);

// SHA-256 of data given in pieces (a file as it is written).
class Sha256Stream {
public:
    Sha256Stream();
    ~Sha256Stream();
    Sha256Stream(const Sha256Stream&) = delete;
    Sha256Stream& operator=(const Sha256Stream&) = delete;

    void update(std::string_view data);
    // Lowercase hex of the digest of everything given; the stream is spent afterwards.
    std::string finish();

private:
    ::evp_md_ctx_st* context_;
};
// SHA-256 (hex) of json::canonical(value): the hash used for inputs and outputs (spec section 4).
std::string canonical_hash(const json::Value& value);

// HMAC-SHA256 (RFC 2104) of message under key, lowercase hex (64 characters).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// Equality of two strings in time that depends only on their lengths (OpenSSL CRYPTO_memcmp): false when the
// lengths differ.
bool equal_in_constant_time(std::string_view a, std::string_view b) noexcept;

}  // namespace costsim
