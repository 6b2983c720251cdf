// status_history as a file (spec section 10): CSV (RFC 4180) or JSON Lines, written as rows stream in, with the
// file's size and SHA-256 computed on the way.
#pragma once
#include "core/no_postgres.hpp"

#include "core/audit_chain.hpp"
#include "core/hashing.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace costsim::audit {

enum class HistoryFormat { csv, jsonl };
// "csv" or "jsonl"; anything else is Error(invalid_input) naming the format.
HistoryFormat history_format(std::string_view name);
const char* to_string(HistoryFormat format) noexcept;

// The columns, in file order: id, seq, tenant_id, entity_type, entity_id, old_status, new_status, actor_type,
// actor_id, reason, correlation_id, metadata, created_at, prev_hash, row_hash.
// - csv: that header (even with no row), then one row per change, CRLF after each. SQL NULL is an empty field,
//   the empty string "" (as PostgreSQL's COPY ... CSV writes them). metadata is its RFC 8785 JSON and created_at
//   ISO 8601 UTC with microseconds.
// - jsonl: one JSON object per change with the same members in the same order, LF after each; id and seq
//   exact integers, metadata an object (its RFC 8785 form), NULL null.
class HistoryExport {
public:
    using Sink = std::function<void(const char* data, std::size_t size)>;
    HistoryExport(HistoryFormat format, Sink sink);

    void add(const StatusChange& row, std::string_view prev_hash, std::string_view row_hash);
    // Writes what is buffered. Call once, after the last row.
    void finish();

    std::int64_t rows() const noexcept { return rows_; }
    std::uint64_t bytes() const noexcept { return bytes_; }
    // SHA-256 (lowercase hex) of the whole file; only after finish().
    const std::string& sha256() const noexcept { return sha256_; }

private:
    void flush();

    HistoryFormat format_;
    Sink sink_;
    std::string buffer_;
    Sha256Stream digest_;
    std::int64_t rows_ = 0;
    std::uint64_t bytes_ = 0;
    std::string sha256_;
};

}  // namespace costsim::audit
