// Signed download links for exports (spec section 10): HMAC-SHA256 over export id, format, expiry and tenant.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace costsim {

struct ExportLink {
    std::string export_id;
    std::string format;
    std::int64_t expires_at = 0;  // seconds since 1970-01-01 UTC
    std::string tenant_id;
};

// The signed message: the RFC 8785 text of {"expires_at": n, "export_id": "...", "format": "...", "tenant_id": "..."}.
std::string link_message(const ExportLink& link);

// HMAC-SHA256 of link_message under the secret, lowercase hex. An empty secret is Error(internal).
std::string sign_link(const ExportLink& link, std::string_view secret);

enum class LinkCheck { valid, expired, bad_signature };

// bad_signature unless `signature` is exactly the 64-character lowercase hex signature of the link (compared in
// constant time, whatever is wrong with it); otherwise expired when now > expires_at (valid up to and including
// the expiry second); otherwise valid. An empty secret is a misconfiguration: Error(internal), as in sign_link.
LinkCheck check_link(const ExportLink& link, std::string_view signature, std::string_view secret,
                     std::int64_t now_seconds);

}  // namespace costsim
