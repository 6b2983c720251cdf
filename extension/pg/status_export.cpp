// Exports of status_history (spec section 10): create_export makes the file once to describe it (count, size,
// SHA-256, the chain head it covers) and signs a download link; download_export checks the link and makes the
// same bytes again. Both are audited in the caller's chain. See boundary.hpp for the phases.
#include "core/audit_export.hpp"
#include "core/errors.hpp"
#include "core/json.hpp"
#include "core/signed_link.hpp"
#include "core/utc_time.hpp"

#include <cstring>
#include <string>

#include "pg/boundary.hpp"
#include "pg/bytea_buffer.hpp"
#include "pg/jsonb_io.hpp"
#include "pg/request_context.hpp"
#include "pg/settings.hpp"
#include "pg/status_history.hpp"
#include "pg/table_owner.hpp"
#include "pg/unix_time.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

namespace costsim::pg {
namespace {

constexpr long export_batch = 1000;

// The rows of an export: its tenant's chain up to the head it covers, filtered, in chain order.
constexpr const char* export_rows_where =
    "WHERE tenant_id = $1 AND seq <= $2"
    " AND ($3->>'entity_type' IS NULL OR entity_type = $3->>'entity_type')"
    " AND ($3->>'entity_id' IS NULL OR entity_id = $3->>'entity_id')"
    " AND ($3->>'actor_type' IS NULL OR actor_type = $3->>'actor_type')"
    " AND ($3->>'new_status' IS NULL OR new_status = $3->>'new_status')"
    " AND ($3->>'created_from' IS NULL OR created_at >= ($3->>'created_from')::timestamptz)"
    " AND ($3->>'created_to' IS NULL OR created_at < ($3->>'created_to')::timestamptz)"
    " ORDER BY seq";
SPIPlanPtr export_rows_plan = nullptr;

[[noreturn]] void refuse(const char* message)
{
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("%s", message)));
    pg_unreachable();
}

[[noreturn]] void bad_argument(const char* message)
{
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", message)));
    pg_unreachable();
}

std::int64_t now_unix_seconds()
{
    const std::int64_t microseconds = unix_microseconds(GetCurrentTimestamp());
    return microseconds >= 0 ? microseconds / 1000000 : -((-microseconds + 999999) / 1000000);
}

// C phase, inside SPI, as the owner: the link signing key.
std::string_view signing_key()
{
    if (SPI_execute("SELECT secret FROM costsim.export_signing_key", true, 1) != SPI_OK_SELECT || SPI_processed != 1)
        elog(ERROR, "costsim: the export signing key is missing (costsim.export_signing_key)");
    bool is_null = false;
    const bytea* secret = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    return std::string_view(VARDATA_ANY(secret), VARSIZE_ANY_EXHDR(secret));
}

// What describes an export's file.
struct FileFacts {
    std::int64_t rows;
    std::int64_t bytes;
    char* sha256;  // in the function's memory context
};

// C++ phase, inside SPI: writes the export's file through `sink`, reading rows in batches.
void write_export(audit::HistoryFormat format, const char* tenant, std::int64_t head_seq, Datum filters,
                  const audit::HistoryExport::Sink& sink, MemoryContext function_context, FileFacts& facts)
{
    audit::HistoryExport file(format, sink);
    MemoryContext batch_context = nullptr;
    Portal portal = nullptr;
    pg_guard([&] {
        if (!export_rows_plan) {
            Oid types[3] = {TEXTOID, INT8OID, JSONBOID};
            // Whole rows: no projection, each row is a copy of the table's tuple.
            SPIPlanPtr plan = SPI_prepare(psprintf("SELECT * FROM costsim.status_history %s", export_rows_where), 3, types);
            if (!plan) elog(ERROR, "costsim: preparing the export query failed");
            SPI_keepplan(plan);
            export_rows_plan = plan;
        }
        Datum arguments[3] = {CStringGetTextDatum(tenant), Int64GetDatum(head_seq), filters};
        portal = SPI_cursor_open(nullptr, export_rows_plan, arguments, nullptr, true);
        batch_context = AllocSetContextCreate(function_context, "costsim export batch", ALLOCSET_DEFAULT_SIZES);
    });
    for (;;) {
        HistoryRow* rows = nullptr;
        int count = 0;
        pg_guard([&] { count = fetch_history_rows(portal, export_batch, batch_context, &rows); });
        if (count == 0) break;
        for (int i = 0; i < count; ++i)
            file.add(to_status_change(rows[i]), view_of(rows[i].prev_hash), view_of(rows[i].row_hash));
    }
    pg_guard([&] {
        SPI_cursor_close(portal);
        MemoryContextDelete(batch_context);
    });
    file.finish();
    facts.rows = file.rows();
    facts.bytes = static_cast<std::int64_t>(file.bytes());
    facts.sha256 = copy_string(file.sha256(), function_context);
}

// C phase: the audit row of an export event.
void audit_export(const char* tenant, const char* export_id, const char* old_status, const char* new_status,
                  const char* metadata)
{
    (void)append_status_change(caller_change(tenant, "status_history_export", export_id, old_status, new_status,
                                             jsonb_from_text(metadata)));
}

// C phase: a time filter as microseconds since 1970 (finite, and within what that count can hold).
std::int64_t filter_time(TimestampTz time)
{
    if (TIMESTAMP_NOT_FINITE(time) || time > PG_INT64_MAX - unix_epoch_offset_us)
        bad_argument("created_from and created_to must be finite times before the year 294000");
    return unix_microseconds(time);
}


}  // namespace
}  // namespace costsim::pg

using namespace costsim;
using namespace costsim::pg;

extern "C" {

PG_FUNCTION_INFO_V1(costsim_create_export);
// costsim.create_export(format, entity_type, entity_id, actor_type, new_status, created_from, created_to,
//   OUT export_id uuid, OUT record_count, OUT byte_count, OUT sha256, OUT head_seq, OUT head_hash,
//   OUT expires_at, OUT expires, OUT sig)
Datum costsim_create_export(PG_FUNCTION_ARGS)
{
    const char* format_name = text_argument(fcinfo, 0);
    if (!format_name) bad_argument("format: must be 'csv' or 'jsonl', not NULL");
    const char* text_filters[4] = {text_argument(fcinfo, 1), text_argument(fcinfo, 2), text_argument(fcinfo, 3),
                                   text_argument(fcinfo, 4)};
    const bool has_from = !PG_ARGISNULL(5), has_to = !PG_ARGISNULL(6);
    const std::int64_t from_us = has_from ? filter_time(PG_GETARG_TIMESTAMPTZ(5)) : 0;
    const std::int64_t to_us = has_to ? filter_time(PG_GETARG_TIMESTAMPTZ(6)) : 0;
    const char* tenant = current_tenant();
    const Actor actor = current_actor();  // before becoming the owner
    const std::int64_t expires = now_unix_seconds() + settings::export_ttl;
    MemoryContext function_context = CurrentMemoryContext;

    audit::HistoryFormat format{};
    char* filters_text = nullptr;
    Failure failure;
    if (!run_core(failure, [&] {
            format = audit::history_format(format_name);
            static constexpr const char* names[4] = {"entity_type", "entity_id", "actor_type", "new_status"};
            json::Object filters;
            for (int i = 0; i < 4; ++i)
                if (text_filters[i]) filters.emplace_back(names[i], json::Value(std::string(text_filters[i])));
            if (has_from) filters.emplace_back("created_from", json::Value(utc_timestamp(from_us)));
            if (has_to) filters.emplace_back("created_to", json::Value(utc_timestamp(to_us)));
            filters_text = copy_string(json::dump(json::Value(std::move(filters))));
        }))
        raise(failure);
    if (format == audit::HistoryFormat::jsonl && GetDatabaseEncoding() != PG_UTF8)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("jsonl exports need a UTF8 database (JSON text is UTF-8); use csv")));
    const Datum filters = jsonb_from_text(filters_text);

    const SavedUser saved = become_owner_of("status_history");
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "costsim: SPI_connect failed");
    const ChainEnd head = chain_end(tenant, GetActiveSnapshot());  // the snapshot the export's cursor reads
    FileFacts facts{};
    char* head_hash = nullptr;
    if (!run_core(failure, [&] {
            head_hash = copy_string(head.row_hash ? std::string(head.row_hash) : audit::genesis_hash(), function_context);
            write_export(format, tenant, head.seq, filters, [](const char*, std::size_t) {}, function_context, facts);
            if (static_cast<std::size_t>(facts.bytes) > ByteaBuffer::limit)
                throw Error(ErrorKind::limit_exceeded,
                            "the export would be larger than 1 GB, more than download_export can return: narrow its "
                            "filters");
        }))
        raise(failure);

    Oid types[10] = {TEXTOID, TEXTOID, JSONBOID, INT8OID, TEXTOID, INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID};
    Datum values[10] = {CStringGetTextDatum(tenant),
                        CStringGetTextDatum(audit::to_string(format)),
                        filters,
                        Int64GetDatum(head.seq),
                        CStringGetTextDatum(head_hash),
                        Int64GetDatum(facts.rows),
                        Int64GetDatum(facts.bytes),
                        CStringGetTextDatum(facts.sha256),
                        TimestampTzGetDatum(timestamp_of_unix_microseconds(expires * 1000000)),
                        CStringGetTextDatum(actor.id)};
    if (SPI_execute_with_args(
            "INSERT INTO costsim.status_history_exports (tenant_id, format, filters, head_seq, head_hash, "
            "record_count, byte_count, sha256, expires_at, created_by) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING export_id",
            10, types, values, nullptr, false, 1) != SPI_OK_INSERT_RETURNING ||
        SPI_processed != 1)
        elog(ERROR, "costsim: recording the export failed");
    bool is_null = false;
    const Datum export_id = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null),
                                              false, UUID_LEN);
    char* export_id_text = MemoryContextStrdup(function_context, SPI_getvalue(SPI_tuptable->vals[0],
                                                                                SPI_tuptable->tupdesc, 1));
    const std::string_view key = signing_key();
    char* signature = nullptr;
    char* audit_metadata = nullptr;
    if (!run_core(failure, [&] {
            signature = copy_string(sign_link(ExportLink{export_id_text, audit::to_string(format), expires, tenant}, key),
                                    function_context);
            json::Object metadata;
            metadata.emplace_back("format", json::Value(audit::to_string(format)));
            metadata.emplace_back("record_count", json::Value(facts.rows));
            metadata.emplace_back("byte_count", json::Value(facts.bytes));
            metadata.emplace_back("sha256", json::Value(std::string(facts.sha256)));
            metadata.emplace_back("head_seq", json::Value(head.seq));
            metadata.emplace_back("head_hash", json::Value(std::string(head_hash)));
            metadata.emplace_back("filters", json::parse(filters_text));
            audit_metadata = copy_string(json::dump(json::Value(std::move(metadata))), function_context);
        }))
        raise(failure);
    SPI_finish();
    restore_user(saved);
    audit_export(tenant, export_id_text, nullptr, "created", audit_metadata);

    Datum result[9] = {export_id,
                       Int64GetDatum(facts.rows),
                       Int64GetDatum(facts.bytes),
                       CStringGetTextDatum(facts.sha256),
                       Int64GetDatum(head.seq),
                       CStringGetTextDatum(head_hash),
                       TimestampTzGetDatum(timestamp_of_unix_microseconds(expires * 1000000)),
                       Int64GetDatum(expires),
                       CStringGetTextDatum(signature)};
    bool nulls[9] = {false};
    PG_RETURN_DATUM(result_row(result_descriptor(fcinfo), result, nulls));
}

PG_FUNCTION_INFO_V1(costsim_download_export);
// costsim.download_export(export_id uuid, format text, expires bigint, sig text) RETURNS bytea
Datum costsim_download_export(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
        bad_argument("download_export: export_id, format, expires and sig must not be NULL");
    const Datum export_id = PG_GETARG_DATUM(0);
    const char* export_id_text = DatumGetCString(DirectFunctionCall1(uuid_out, export_id));
    const char* format_name = text_argument(fcinfo, 1);
    const std::int64_t expires = PG_GETARG_INT64(2);
    const char* signature = text_argument(fcinfo, 3);
    const char* tenant = current_tenant();
    const std::int64_t now = now_unix_seconds();
    MemoryContext function_context = CurrentMemoryContext;

    audit::HistoryFormat format{};
    Failure failure;
    if (!run_core(failure, [&] { format = audit::history_format(format_name); })) raise(failure);

    const SavedUser saved = become_owner_of("status_history");
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "costsim: SPI_connect failed");
    const std::string_view key = signing_key();
    LinkCheck check = LinkCheck::bad_signature;
    if (!run_core(failure, [&] {
            check = check_link(ExportLink{export_id_text, format_name, expires, tenant}, signature, key, now);
        }))
        raise(failure);
    if (check == LinkCheck::bad_signature)
        refuse("download_export: the link's signature does not match (the link was altered, or is another tenant's)");
    if (check == LinkCheck::expired)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("download_export: the link expired at %s",
                               timestamptz_to_str(timestamp_of_unix_microseconds(expires * 1000000)))));

    Oid types[1] = {UUIDOID};
    Datum arguments[1] = {export_id};
    if (SPI_execute_with_args("SELECT tenant_id, format, filters, head_seq, byte_count, sha256 "
                              "FROM costsim.status_history_exports WHERE export_id = $1",
                              1, types, arguments, nullptr, false, 1) != SPI_OK_SELECT)
        elog(ERROR, "costsim: reading the export failed");
    HeapTuple described = SPI_processed == 1 ? SPI_tuptable->vals[0] : nullptr;
    TupleDesc descriptor = SPI_tuptable->tupdesc;
    if (!described || strcmp(SPI_getvalue(described, descriptor, 1), tenant) != 0 ||
        strcmp(SPI_getvalue(described, descriptor, 2), format_name) != 0)
        refuse("download_export: no such export for this tenant");
    bool is_null = false;
    const Datum filters = SPI_getbinval(described, descriptor, 3, &is_null);
    const std::int64_t head_seq = DatumGetInt64(SPI_getbinval(described, descriptor, 4, &is_null));
    const std::int64_t byte_count = DatumGetInt64(SPI_getbinval(described, descriptor, 5, &is_null));
    const char* sha256 = MemoryContextStrdup(function_context, SPI_getvalue(described, descriptor, 6));

    bytea* file = nullptr;
    FileFacts facts{};
    if (!run_core(failure, [&] {
            ByteaBuffer output("the export is larger than 1 GB: narrow its filters", function_context);
            output.reserve(static_cast<std::size_t>(byte_count));
            write_export(
                format, tenant, head_seq, filters,
                [&output](const char* data, std::size_t size) { output.append(data, size); }, function_context,
                facts);
            file = output.finish();
        }))
        raise(failure);
    if (strcmp(facts.sha256, sha256) != 0 || facts.bytes != byte_count)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("download_export: export %s no longer matches its SHA-256", export_id_text),
                        errdetail("Recorded %s (%lld bytes), made %s (%lld bytes): status_history was altered; run "
                                  "costsim.verify_chain().",
                                  sha256, static_cast<long long>(byte_count), facts.sha256,
                                  static_cast<long long>(facts.bytes))));
    SPI_finish();
    restore_user(saved);
    audit_export(tenant, export_id_text, "created", "downloaded",
                 psprintf("{\"format\": \"%s\", \"byte_count\": %lld, \"sha256\": \"%s\"}", audit::to_string(format),
                          static_cast<long long>(facts.bytes), facts.sha256));
    PG_RETURN_BYTEA_P(file);
}
}
