// The status_history hash chain (spec section 10): what a row's hash covers, how rows link, and how a chain is
// verified. Each tenant has its own chain: seq 1, 2, 3, ...; the first row's prev_hash is the genesis hash.
#pragma once
#include "core/no_postgres.hpp"

#include "core/json.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace costsim::audit {

// One status_history row, as hashed. Optional text columns are SQL NULL when absent.
struct StatusChange {
    std::int64_t id = 0;
    std::int64_t seq = 0;
    std::string tenant_id;
    std::string entity_type;
    std::string entity_id;
    std::optional<std::string> old_status;
    std::string new_status;
    std::string actor_type;
    std::optional<std::string> actor_id;
    std::optional<std::string> reason;
    std::optional<std::string> correlation_id;
    json::Value metadata = json::Object{};
    std::int64_t created_at_us = 0;  // microseconds since 1970-01-01 UTC: no session setting can change a hash
};

// The hashed document (integers are JSON numbers: exact up to 2^53, which ids, seqs and microsecond timestamps
// stay below until the year 2255): an object with exactly the members actor_id, actor_type, correlation_id, created_at_us,
// entity_id, entity_type, id, metadata, new_status, old_status, reason, seq, tenant_id (absent optionals are
// null). Its RFC 8785 form is what row_hash covers.
json::Value row_document(const StatusChange& row);

// 64 zeros: the prev_hash of a tenant's first row.
const std::string& genesis_hash();

// SHA-256 (lowercase hex) of prev_hash (its 64 hex characters) followed by the RFC 8785 text of row_document(row).
std::string row_hash(const std::string& prev_hash, const StatusChange& row);

// Where a chain first stops being intact.
struct ChainBreak {
    std::int64_t seq = 0;  // the seq the verifier expected at that point
    std::int64_t id = 0;   // the id of the row found there
    std::string reason;    // "sequence gap" (also duplicated, replayed or reordered rows), "prev_hash mismatch" or
                           // "row_hash mismatch"
};

// Feed one tenant's rows in seq order; the first break is kept. What it cannot see alone: rows removed from the
// end of the chain (a truncated chain is still a valid chain) — an externally kept head hash covers that.
class ChainVerifier {
public:
    void add(const StatusChange& row, const std::string& prev_hash, const std::string& stored_row_hash);
    bool intact() const noexcept { return !first_break_.has_value(); }
    const std::optional<ChainBreak>& first_break() const noexcept { return first_break_; }
    std::int64_t rows() const noexcept { return rows_; }
    // The last stored row_hash seen (the chain head), or the genesis hash when no row was added.
    const std::string& head() const noexcept { return head_; }

private:
    std::int64_t rows_ = 0;
    std::string head_ = genesis_hash();
    std::optional<ChainBreak> first_break_;
};

}  // namespace costsim::audit
