// status_history rows between PostgreSQL and the core: read as plain C values in the C phase, turned into the
// core's StatusChange in the C++ phase; and appending a row as the table's owner.
#pragma once

#include "core/audit_chain.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" {
#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"
#include "utils/portal.h"
#include "utils/snapshot.h"
}

namespace costsim::pg {

// A text value of a row, not NUL-terminated: it points into the tuple (or palloc'd text), so it lives as long as
// the tuple. data == nullptr for SQL NULL.
struct TextView {
    const char* data;
    std::size_t size;
};

// A chained row as C values (metadata as JSON text).
struct HistoryRow {
    std::int64_t id;
    std::int64_t seq;
    TextView tenant_id;
    TextView entity_type;
    TextView entity_id;
    TextView old_status;
    TextView new_status;
    TextView actor_type;
    TextView actor_id;
    TextView reason;
    TextView correlation_id;
    TextView metadata;
    std::int64_t created_at_us;  // since 1970-01-01 UTC
    TextView prev_hash;
    TextView row_hash;
};

// Where a row's columns are in tuples of some descriptor (the table's, or a query's over whole rows).
constexpr int history_column_count = 15;
struct HistoryColumns {
    int attnums[history_column_count];
};
// C phase: the columns found by name (an error if one is missing).
HistoryColumns history_columns(TupleDesc descriptor);
// C phase: a row, deformed once; its text values point into the tuple.
HistoryRow read_history_row(HeapTuple tuple, TupleDesc descriptor, const HistoryColumns& columns);

// C phase (call it through pg_guard from a C++ phase): the next batch of at most `batch` whole rows from an SPI
// cursor, read into `batch_context`, which is reset first (as is the previous batch's tuple table, which the
// previous rows pointed into). Returns the number of rows; 0 at the end.
int fetch_history_rows(Portal portal, long batch, MemoryContext batch_context, HistoryRow** rows);

// C++ phase: the row as the core hashes it (the metadata parsed).
audit::StatusChange to_status_change(const HistoryRow& row);
inline std::string_view view_of(TextView text) { return std::string_view(text.data ? text.data : "", text.size); }

// The last row of a tenant's chain.
struct ChainEnd {
    std::int64_t seq;        // 0 for an empty chain
    char* row_hash;          // nullptr for an empty chain (whose head is the genesis hash)
    TimestampTz created_at;  // DT_NOBEGIN for an empty chain
};
// C phase: the last row of the tenant's chain as `snapshot` sees it (one step of a backward index scan).
ChainEnd chain_end(const char* tenant, Snapshot snapshot);

// What an append records; the chain trigger adds seq, created_at and the hashes.
struct StatusChangeInput {
    const char* tenant_id;
    const char* entity_type;
    const char* entity_id;
    const char* old_status;  // nullptr = NULL
    const char* new_status;
    const char* actor_type;
    const char* actor_id;
    const char* reason;
    const char* correlation_id;
    Datum metadata;  // a jsonb object
};

// C phase: a change made by the current caller (the JWT caller or the current role) in the current request
// (its correlation id), as track_status and the exports record them.
StatusChangeInput caller_change(const char* tenant, const char* entity_type, const char* entity_id,
                                const char* old_status, const char* new_status, Datum metadata);

// C phase: appends a row to its tenant's chain as the table's owner; returns it (a costsim.status_history
// composite datum in the caller's memory context).
Datum append_status_change(const StatusChangeInput& change);

}  // namespace costsim::pg
