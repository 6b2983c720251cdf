// Digests (OpenSSL): SHA-256 as lowercase hex, and the JCS hash of a JSON value.
#pragma once
#include "core/no_postgres.hpp"

#include "core/json.hpp"

#include <string>
#include <string_view>

namespace costsim {

std::string sha256_hex(std::string_view data);
// SHA-256 (hex) of json::canonical(value): the hash used for inputs and outputs (spec section 4).
std::string canonical_hash(const json::Value& value);

}  // namespace costsim
