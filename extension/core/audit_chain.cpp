// The status_history hash chain (spec section 10): the hashed row document, row hashes, and chain verification.
#include "core/audit_chain.hpp"

#include "core/hashing.hpp"
#include "core/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace costsim::audit {
namespace {

json::Value text_or_null(const std::optional<std::string>& text)
{
    return text.has_value() ? json::Value(*text) : json::Value(nullptr);
}

}  // namespace

json::Value row_document(const StatusChange& row)
{
    // Members in code-unit order (json::canonical sorts them anyway). The int64 members become JSON numbers
    // (doubles): exact up to 2^53, which microsecond timestamps reach only in the year 2255.
    json::Object members;
    members.reserve(13);
    members.emplace_back("actor_id", text_or_null(row.actor_id));
    members.emplace_back("actor_type", json::Value(row.actor_type));
    members.emplace_back("correlation_id", text_or_null(row.correlation_id));
    members.emplace_back("created_at_us", json::Value(row.created_at_us));
    members.emplace_back("entity_id", json::Value(row.entity_id));
    members.emplace_back("entity_type", json::Value(row.entity_type));
    members.emplace_back("id", json::Value(row.id));
    members.emplace_back("metadata", row.metadata);
    members.emplace_back("new_status", json::Value(row.new_status));
    members.emplace_back("old_status", text_or_null(row.old_status));
    members.emplace_back("reason", text_or_null(row.reason));
    members.emplace_back("seq", json::Value(row.seq));
    members.emplace_back("tenant_id", json::Value(row.tenant_id));
    return json::Value(std::move(members));
}

const std::string& genesis_hash()
{
    static const std::string genesis(64, '0');
    return genesis;
}

std::string row_hash(const std::string& prev_hash, const StatusChange& row)
{
    return sha256_hex(prev_hash + json::canonical(row_document(row)));
}

// The checks, in this order, for the row expected at seq = rows() + 1:
//   - its seq is not the expected one: "sequence gap". A row deleted from the middle of the chain shows here
//     (at the missing seq, with the id of the row found in its place); so do a duplicated or reordered seq.
//   - its stored prev_hash is not the previous row's stored row_hash (the genesis hash for seq 1): "prev_hash
//     mismatch". A row whose prev_hash was rewritten shows here, even when its row_hash was recomputed to match.
//   - its stored row_hash is not row_hash(prev_hash, row): "row_hash mismatch". A row with any other column
//     edited shows here (and the next row, if any, still links to the stored hash, so the break is this row).
// Only the first break is kept; later rows are only counted. The head always moves to the stored row_hash, so
// one edited row does not make every later row report a break of its own.
void ChainVerifier::add(const StatusChange& row, const std::string& prev_hash, const std::string& stored_row_hash)
{
    const std::int64_t expected = rows_ + 1;
    if (!first_break_.has_value()) {
        if (row.seq != expected) {
            first_break_ = ChainBreak{expected, row.id, "sequence gap"};
        } else if (prev_hash != head_) {
            first_break_ = ChainBreak{expected, row.id, "prev_hash mismatch"};
        } else if (row_hash(prev_hash, row) != stored_row_hash) {
            first_break_ = ChainBreak{expected, row.id, "row_hash mismatch"};
        }
    }
    rows_ = expected;
    head_ = stored_row_hash;
}

}  // namespace costsim::audit
