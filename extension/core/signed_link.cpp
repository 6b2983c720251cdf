// Signed download links for exports (spec section 10): HMAC-SHA256 over export id, format, expiry and tenant.
#include "core/signed_link.hpp"

#include "core/errors.hpp"
#include "core/hashing.hpp"
#include "core/json.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace costsim {

std::string link_message(const ExportLink& link)
{
    // expires_at is a whole number of seconds: as a JSON number (a double) it is exact up to 2^53.
    json::Object members;
    members.reserve(4);
    members.emplace_back("expires_at", json::Value(link.expires_at));
    members.emplace_back("export_id", json::Value(link.export_id));
    members.emplace_back("format", json::Value(link.format));
    members.emplace_back("tenant_id", json::Value(link.tenant_id));
    return json::canonical(json::Value(std::move(members)));
}

std::string sign_link(const ExportLink& link, std::string_view secret)
{
    if (secret.empty()) throw Error(ErrorKind::internal, "the export link secret is empty");
    return hmac_sha256_hex(secret, link_message(link));
}

LinkCheck check_link(const ExportLink& link, std::string_view signature, std::string_view secret,
                     std::int64_t now_seconds)
{
    // Always the full comparison against the expected lowercase hex: a wrong length, upper-case hex or any other
    // text is simply not equal. The signature is checked before the expiry, so an unsigned link learns nothing.
    const std::string expected = sign_link(link, secret);
    if (!equal_in_constant_time(signature, expected)) return LinkCheck::bad_signature;
    if (now_seconds > link.expires_at) return LinkCheck::expired;
    return LinkCheck::valid;
}

}  // namespace costsim
