// status_history (spec section 10): the chain trigger, appending (log_status_change, track_status) and
// verify_chain. See boundary.hpp for the phases.
#include "core/audit_chain.hpp"
#include "core/errors.hpp"
#include "core/json.hpp"

#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "pg/boundary.hpp"
#include "pg/jsonb_io.hpp"
#include "pg/request_context.hpp"
#include "pg/status_history.hpp"
#include "pg/table_owner.hpp"
#include "pg/unix_time.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

namespace costsim::pg {

namespace {

constexpr const char* history_column_names[history_column_count] = {
    "id",       "tenant_id", "seq",            "entity_type", "entity_id",  "old_status", "new_status", "actor_type",
    "actor_id", "reason",    "correlation_id", "metadata",    "created_at", "prev_hash",  "row_hash"};
// Positions in history_column_names.
enum Column { id, tenant_id, seq, entity_type, entity_id, old_status, new_status, actor_type, actor_id, reason,
              correlation_id, metadata, created_at, prev_hash, row_hash };
// The advisory lock class of the chains: pg_locks shows (classid 0x63737368, objid = hash of the tenant, 2).
constexpr uint32 chain_lock_class = 0x63737368;  // "cssh"

[[noreturn]] void fail(int sqlstate, const char* message)
{
    ereport(ERROR, (errcode(sqlstate), errmsg("%s", message)));
    pg_unreachable();
}

TextView text_value(Datum value, bool is_null)
{
    if (is_null) return TextView{nullptr, 0};
    const text* detoasted = DatumGetTextPP(value);
    return TextView{VARDATA_ANY(detoasted), VARSIZE_ANY_EXHDR(detoasted)};
}

std::optional<std::string> optional_text(TextView value)
{
    return value.data ? std::optional<std::string>(std::in_place, value.data, value.size) : std::nullopt;
}

// ---- the chain ----

// Serialises the appends to one tenant's chain until the transaction ends (pg_advisory_xact_lock's lock space).
void lock_chain(const char* tenant)
{
    LOCKTAG tag;
    const uint32 key = hash_bytes(reinterpret_cast<const unsigned char*>(tenant), static_cast<int>(strlen(tenant)));
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, chain_lock_class, key, 2);
    (void)LockAcquire(&tag, ExclusiveLock, false, false);
}

// ---- appending ----

SPIPlanPtr append_plan = nullptr;
constexpr int append_arity = 10;

// ---- verify_chain ----

constexpr long verify_batch = 1000;

struct Verdict {
    bool intact;
    std::int64_t rows, head_seq, broken_seq, broken_id;
    char* head_hash;
    char* reason;  // nullptr when intact
};

// C phase, inside SPI as the table's owner: the tenants verify_chain checks, for a caller of tenant `own` who is
// an admin or not (decided before becoming the owner, who always is).
List* tenants_to_verify(const char* requested, const char* own, bool admin)
{
    if (requested && strcmp(requested, own) != 0 && !admin)
        fail(ERRCODE_INSUFFICIENT_PRIVILEGE, "verify_chain: checking another tenant's chain needs costsim_admin");
    if (requested || !admin) return list_make1(pstrdup(requested ? requested : own));
    List* tenants = NIL;
    if (SPI_execute("SELECT DISTINCT tenant_id FROM costsim.status_history ORDER BY 1", true, 0) != SPI_OK_SELECT)
        elog(ERROR, "costsim: listing the status_history tenants failed");
    for (uint64 i = 0; i < SPI_processed; ++i)
        tenants = lappend(tenants, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
    return tenants;
}

}  // namespace

HistoryColumns history_columns(TupleDesc descriptor)
{
    HistoryColumns columns;
    for (int i = 0; i < history_column_count; ++i) {
        columns.attnums[i] = SPI_fnumber(descriptor, history_column_names[i]);
        if (columns.attnums[i] <= 0) elog(ERROR, "costsim: status_history rows have no column %s", history_column_names[i]);
    }
    return columns;
}

HistoryRow read_history_row(HeapTuple tuple, TupleDesc descriptor, const HistoryColumns& columns)
{
    const int(&attnums)[history_column_count] = columns.attnums;
    constexpr int max_columns = 64;
    if (descriptor->natts > max_columns) elog(ERROR, "costsim: status_history rows have at most %d columns", max_columns);
    Datum values[max_columns];
    bool nulls[max_columns];
    heap_deform_tuple(tuple, descriptor, values, nulls);
    auto text_at = [&](Column column) { return text_value(values[attnums[column] - 1], nulls[attnums[column] - 1]); };
    auto int64_at = [&](Column column) {
        return nulls[attnums[column] - 1] ? std::int64_t{0} : DatumGetInt64(values[attnums[column] - 1]);
    };
    HistoryRow row{};
    row.id = int64_at(Column::id);
    row.seq = int64_at(Column::seq);
    row.tenant_id = text_at(Column::tenant_id);
    row.entity_type = text_at(Column::entity_type);
    row.entity_id = text_at(Column::entity_id);
    row.old_status = text_at(Column::old_status);
    row.new_status = text_at(Column::new_status);
    row.actor_type = text_at(Column::actor_type);
    row.actor_id = text_at(Column::actor_id);
    row.reason = text_at(Column::reason);
    row.correlation_id = text_at(Column::correlation_id);
    const int metadata = attnums[Column::metadata] - 1;
    if (!nulls[metadata]) {
        const char* json = jsonb_text(values[metadata]);
        row.metadata = TextView{json, strlen(json)};
    }
    const int created = attnums[Column::created_at] - 1;
    row.created_at_us = nulls[created] ? 0 : unix_microseconds(DatumGetTimestampTz(values[created]));
    row.prev_hash = text_at(Column::prev_hash);
    row.row_hash = text_at(Column::row_hash);
    return row;
}

ChainEnd chain_end(const char* tenant, Snapshot snapshot)
{
    const Oid schema = get_namespace_oid("costsim", false);
    Relation history = table_open(get_relname_relid("status_history", schema), AccessShareLock);
    Relation by_seq = index_open(get_relname_relid("status_history_tenant_seq", schema), AccessShareLock);
    ScanKeyData key;
    TupleDesc descriptor = RelationGetDescr(history);
    // systable_beginscan_ordered takes the key's column as the table's attribute number
    ScanKeyEntryInitialize(&key, 0, SPI_fnumber(descriptor, "tenant_id"), BTEqualStrategyNumber, InvalidOid,
                           by_seq->rd_indcollation[0], F_TEXTEQ, CStringGetTextDatum(tenant));
    SysScanDesc scan = systable_beginscan_ordered(history, by_seq, snapshot, 1, &key);
    HeapTuple last = systable_getnext_ordered(scan, BackwardScanDirection);
    ChainEnd end{0, nullptr, DT_NOBEGIN};
    if (HeapTupleIsValid(last)) {
        bool is_null = false;
        end.seq = DatumGetInt64(heap_getattr(last, SPI_fnumber(descriptor, "seq"), descriptor, &is_null));
        end.row_hash = TextDatumGetCString(heap_getattr(last, SPI_fnumber(descriptor, "row_hash"), descriptor, &is_null));
        end.created_at =
            DatumGetTimestampTz(heap_getattr(last, SPI_fnumber(descriptor, "created_at"), descriptor, &is_null));
    }
    systable_endscan_ordered(scan);
    index_close(by_seq, AccessShareLock);
    table_close(history, AccessShareLock);
    return end;
}

int fetch_history_rows(Portal portal, long batch, MemoryContext batch_context, HistoryRow** rows)
{
    CHECK_FOR_INTERRUPTS();
    SPI_freetuptable(SPI_tuptable);
    MemoryContextReset(batch_context);
    SPI_cursor_fetch(portal, true, batch);
    const int count = static_cast<int>(SPI_processed);
    MemoryContext previous = MemoryContextSwitchTo(batch_context);
    *rows = static_cast<HistoryRow*>(palloc(sizeof(HistoryRow) * (count + 1)));
    const HistoryColumns columns = history_columns(SPI_tuptable->tupdesc);
    for (int i = 0; i < count; ++i) (*rows)[i] = read_history_row(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, columns);
    MemoryContextSwitchTo(previous);
    return count;
}

audit::StatusChange to_status_change(const HistoryRow& row)
{
    audit::StatusChange change;
    change.id = row.id;
    change.seq = row.seq;
    change.tenant_id = view_of(row.tenant_id);
    change.entity_type = view_of(row.entity_type);
    change.entity_id = view_of(row.entity_id);
    change.old_status = optional_text(row.old_status);
    change.new_status = view_of(row.new_status);
    change.actor_type = view_of(row.actor_type);
    change.actor_id = optional_text(row.actor_id);
    change.reason = optional_text(row.reason);
    change.correlation_id = optional_text(row.correlation_id);
    if (row.metadata.data) {
        try {
            change.metadata = json::parse(view_of(row.metadata));
        } catch (const json::ParseError& error) {
            throw invalid_input("metadata", error.what());
        }
    }
    change.created_at_us = row.created_at_us;
    return change;
}

StatusChangeInput caller_change(const char* tenant, const char* entity_type, const char* entity_id,
                                const char* old_status, const char* new_status, Datum metadata)
{
    const Actor actor = current_actor();
    StatusChangeInput change{};
    change.tenant_id = tenant;
    change.entity_type = entity_type;
    change.entity_id = entity_id;
    change.old_status = old_status;
    change.new_status = new_status;
    change.actor_type = actor.type;
    change.actor_id = actor.id;
    change.correlation_id = current_correlation_id();
    change.metadata = metadata;
    return change;
}

Datum append_status_change(const StatusChangeInput& change)
{
    const Oid types[append_arity] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
                                     TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID};
    Datum values[append_arity];
    char nulls[append_arity];
    memset(nulls, ' ', sizeof nulls);
    const char* texts[append_arity - 1] = {change.tenant_id, change.entity_type, change.entity_id,
                                           change.old_status, change.new_status, change.actor_type,
                                           change.actor_id,  change.reason,      change.correlation_id};
    for (int i = 0; i < append_arity - 1; ++i) {
        if (texts[i])
            values[i] = CStringGetTextDatum(texts[i]);
        else
            nulls[i] = 'n';
    }
    values[append_arity - 1] = change.metadata;

    const SavedUser saved = become_owner_of("status_history");
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "costsim: SPI_connect failed");
    if (!append_plan) {
        SPIPlanPtr plan = SPI_prepare(
            "INSERT INTO costsim.status_history (tenant_id, entity_type, entity_id, old_status, new_status, "
            "actor_type, actor_id, reason, correlation_id, metadata) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING status_history",
            append_arity, const_cast<Oid*>(types));
        if (!plan) elog(ERROR, "costsim: preparing the status_history insert failed");
        SPI_keepplan(plan);
        append_plan = plan;
    }
    if (SPI_execute_plan(append_plan, values, nulls, false, 1) != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
        elog(ERROR, "costsim: appending to status_history failed");
    bool is_null = false;
    const Datum row = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null),
                                        false, -1);
    SPI_finish();
    restore_user(saved);
    return row;
}

}  // namespace costsim::pg

using namespace costsim;
using namespace costsim::pg;

extern "C" {

PG_FUNCTION_INFO_V1(costsim_status_history_chain);
// BEFORE INSERT ... FOR EACH ROW on costsim.status_history: links the row into its tenant's chain.
Datum costsim_status_history_chain(PG_FUNCTION_ARGS)
{
    if (!CALLED_AS_TRIGGER(fcinfo)) fail(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "status_history_chain: not called as a trigger");
    auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_BEFORE(trigger->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigger->tg_event) ||
        !TRIGGER_FIRED_BY_INSERT(trigger->tg_event))
        fail(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "status_history_chain: must be a BEFORE INSERT row trigger");
    TupleDesc descriptor = RelationGetDescr(trigger->tg_relation);
    HeapTuple tuple = trigger->tg_trigtuple;
    const HistoryColumns columns = history_columns(descriptor);
    const int(&attnums)[history_column_count] = columns.attnums;
    HistoryRow row = read_history_row(tuple, descriptor, columns);
    // The hashed columns that may not be NULL (the table's NOT NULL constraints are checked only after this).
    const TextView required[] = {row.tenant_id, row.entity_type, row.entity_id, row.new_status, row.actor_type,
                                 row.metadata};
    const int required_columns[] = {Column::tenant_id, Column::entity_type, Column::entity_id,
                                    Column::new_status, Column::actor_type, Column::metadata};
    for (int i = 0; i < 6; ++i)
        if (!required[i].data)
            ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION),
                            errmsg("null value in column \"%s\" of relation \"status_history\"",
                                   history_column_names[required_columns[i]])));

    const char* tenant = pnstrdup(row.tenant_id.data, row.tenant_id.size);
    lock_chain(tenant);
    // As of now, with this transaction's own rows (this statement's too): under the lock, that is the chain's end
    // (a REPEATABLE READ snapshot would miss rows appended since it was taken).
    const ChainEnd end = chain_end(tenant, SnapshotSelf);
    // Never before the previous row, so that created_at follows seq even if the clock steps back.
    const TimestampTz now = GetCurrentTimestamp();
    const TimestampTz created = now > end.created_at ? now : end.created_at;
    row.seq = end.seq + 1;
    row.created_at_us = unix_microseconds(created);

    char* prev_hash = nullptr;
    char* hash = nullptr;
    Failure failure;
    if (!run_core(failure, [&] {
            const std::string& prev = end.row_hash ? std::string(end.row_hash) : audit::genesis_hash();
            prev_hash = copy_string(prev);
            const audit::StatusChange change = to_status_change(row);
            try {
                hash = copy_string(audit::row_hash(prev, change));
            } catch (const Error& error) {  // a metadata number beyond what a double holds (e.g. 1e400)
                if (error.kind() != ErrorKind::invalid_input) throw;
                throw invalid_input("metadata", std::string(error.what()) +
                                                    " (status_history hashes numbers as IEEE doubles, RFC 8785)");
            }
        }))
        raise(failure);

    int chained[4] = {attnums[Column::seq], attnums[Column::prev_hash], attnums[Column::row_hash],
                      attnums[Column::created_at]};
    Datum values[4] = {Int64GetDatum(row.seq), CStringGetTextDatum(prev_hash), CStringGetTextDatum(hash),
                       TimestampTzGetDatum(created)};
    bool nulls[4] = {false, false, false, false};
    return PointerGetDatum(heap_modify_tuple_by_cols(tuple, descriptor, 4, chained, values, nulls));
}

PG_FUNCTION_INFO_V1(costsim_log_status_change);
// costsim.log_status_change(entity_type, entity_id, new_status, old_status, actor_type, actor_id, reason,
//   correlation_id, metadata jsonb, tenant_id) RETURNS costsim.status_history
Datum costsim_log_status_change(PG_FUNCTION_ARGS)
{
    const char* names[] = {"entity_type", "entity_id", "new_status", nullptr, "actor_type"};
    for (int n : {0, 1, 2, 4}) {
        const char* value = text_argument(fcinfo, n);
        if (!value || !*value)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: must not be empty or NULL", names[n])));
    }
    if (PG_ARGISNULL(8) || !JB_ROOT_IS_OBJECT(PG_GETARG_JSONB_P(8)))
        fail(ERRCODE_INVALID_PARAMETER_VALUE, "metadata: must be a JSON object");
    const char* own_tenant = current_tenant();
    const char* tenant = PG_ARGISNULL(9) ? own_tenant : text_to_cstring(PG_GETARG_TEXT_PP(9));
    if (strcmp(tenant, own_tenant) != 0 && !caller_is_admin())
        fail(ERRCODE_INSUFFICIENT_PRIVILEGE,
             "log_status_change: recording for another tenant than one's own needs costsim_admin");
    StatusChangeInput change{};
    change.tenant_id = tenant;
    change.entity_type = text_argument(fcinfo, 0);
    change.entity_id = text_argument(fcinfo, 1);
    change.new_status = text_argument(fcinfo, 2);
    change.old_status = text_argument(fcinfo, 3);
    change.actor_type = text_argument(fcinfo, 4);
    change.actor_id = text_argument(fcinfo, 5);
    change.reason = text_argument(fcinfo, 6);
    change.correlation_id = PG_ARGISNULL(7) ? current_correlation_id() : text_argument(fcinfo, 7);
    change.metadata = PG_GETARG_DATUM(8);
    return append_status_change(change);
}

PG_FUNCTION_INFO_V1(costsim_track_status);
// AFTER INSERT OR UPDATE ... FOR EACH ROW EXECUTE FUNCTION costsim.track_status(entity_type, id_column,
//   status_column [, tenant_column]): records the row's status transitions.
Datum costsim_track_status(PG_FUNCTION_ARGS)
{
    if (!CALLED_AS_TRIGGER(fcinfo)) fail(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "track_status: not called as a trigger");
    auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    const TriggerEvent event = trigger->tg_event;
    if (!TRIGGER_FIRED_AFTER(event) || !TRIGGER_FIRED_FOR_ROW(event) ||
        !(TRIGGER_FIRED_BY_INSERT(event) || TRIGGER_FIRED_BY_UPDATE(event)))
        fail(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
             "track_status: must be an AFTER INSERT OR UPDATE ... FOR EACH ROW trigger");
    const int nargs = trigger->tg_trigger->tgnargs;
    char** args = trigger->tg_trigger->tgargs;
    if (nargs != 3 && nargs != 4)
        fail(ERRCODE_INVALID_PARAMETER_VALUE,
             "track_status: takes the entity type, the id column, the status column and optionally the tenant column");
    if (!*args[0]) fail(ERRCODE_INVALID_PARAMETER_VALUE, "track_status: the entity type must not be empty");
    Relation relation = trigger->tg_relation;
    TupleDesc descriptor = RelationGetDescr(relation);
    int attnums[3] = {0, 0, 0};  // id, status, tenant
    for (int i = 1; i < nargs; ++i) {
        attnums[i - 1] = SPI_fnumber(descriptor, args[i]);
        if (attnums[i - 1] <= 0)
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                            errmsg("track_status: column \"%s\" of \"%s\" does not exist", args[i],
                                   RelationGetRelationName(relation))));
    }
    const bool inserted = TRIGGER_FIRED_BY_INSERT(event);
    HeapTuple row = inserted ? trigger->tg_trigtuple : trigger->tg_newtuple;
    const char* new_status = SPI_getvalue(row, descriptor, attnums[1]);
    if (!new_status) return PointerGetDatum(nullptr);
    const char* old_status = inserted ? nullptr : SPI_getvalue(trigger->tg_trigtuple, descriptor, attnums[1]);
    if (old_status && strcmp(old_status, new_status) == 0) return PointerGetDatum(nullptr);
    const char* entity_id = SPI_getvalue(row, descriptor, attnums[0]);
    if (!entity_id || !*entity_id)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("track_status: the id column \"%s\" is NULL or empty", args[1])));
    const char* own_tenant = current_tenant();
    const char* tenant = nargs == 4 ? SPI_getvalue(row, descriptor, attnums[2]) : nullptr;
    if (!tenant) tenant = own_tenant;
    if (strcmp(tenant, own_tenant) != 0 && !caller_is_admin())
        fail(ERRCODE_INSUFFICIENT_PRIVILEGE,
             "track_status: recording for another tenant than one's own needs costsim_admin");

    StringInfoData metadata;
    initStringInfo(&metadata);
    appendStringInfoString(&metadata, "{\"table\": ");
    escape_json(&metadata, psprintf("%s.%s", get_namespace_name(RelationGetNamespace(relation)),
                                    RelationGetRelationName(relation)));
    appendStringInfo(&metadata, ", \"operation\": \"%s\"}", inserted ? "INSERT" : "UPDATE");
    (void)append_status_change(
        caller_change(tenant, args[0], entity_id, old_status, new_status, jsonb_from_text(metadata.data)));
    return PointerGetDatum(nullptr);
}

PG_FUNCTION_INFO_V1(costsim_verify_chain);
// costsim.verify_chain(INOUT tenant_id text, OUT intact, OUT rows_checked, OUT head_seq, OUT head_hash,
//   OUT broken_seq, OUT broken_id, OUT reason) RETURNS SETOF record
Datum costsim_verify_chain(PG_FUNCTION_ARGS)
{
    const char* requested = PG_ARGISNULL(0) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(0));
    InitMaterializedSRF(fcinfo, 0);
    auto* result = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    MemoryContext function_context = CurrentMemoryContext;
    MemoryContext batch_context =
        AllocSetContextCreate(function_context, "costsim verify_chain batch", ALLOCSET_DEFAULT_SIZES);

    const char* own_tenant = current_tenant();
    const bool admin = caller_is_admin();
    const SavedUser saved = become_owner_of("status_history");
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "costsim: SPI_connect failed");
    List* tenants = tenants_to_verify(requested, own_tenant, admin);
    Oid types[1] = {TEXTOID};
    SPIPlanPtr plan = SPI_prepare("SELECT * FROM costsim.status_history WHERE tenant_id = $1 ORDER BY seq", 1, types);
    if (!plan) elog(ERROR, "costsim: preparing the chain query failed");

    ListCell* cell;
    foreach (cell, tenants) {
        const char* tenant = static_cast<const char*>(lfirst(cell));
        Datum arguments[1] = {CStringGetTextDatum(tenant)};
        Portal portal = SPI_cursor_open(nullptr, plan, arguments, nullptr, true);
        Verdict verdict{};
        Failure failure;
        if (!run_core(failure, [&] {
                audit::ChainVerifier verifier;
                std::int64_t last_seq = 0;
                for (;;) {
                    HistoryRow* rows = nullptr;
                    int count = 0;
                    pg_guard([&] { count = fetch_history_rows(portal, verify_batch, batch_context, &rows); });
                    if (count == 0) break;
                    last_seq = rows[count - 1].seq;
                    for (int i = 0; i < count; ++i)
                        verifier.add(to_status_change(rows[i]), std::string(view_of(rows[i].prev_hash)),
                                     std::string(view_of(rows[i].row_hash)));
                }
                verdict.intact = verifier.intact();
                verdict.rows = verifier.rows();
                verdict.head_seq = last_seq;
                verdict.head_hash = copy_string(verifier.head(), function_context);
                if (const auto& broken = verifier.first_break()) {
                    verdict.broken_seq = broken->seq;
                    verdict.broken_id = broken->id;
                    verdict.reason = copy_string(broken->reason, function_context);
                }
            }))
            raise(failure);
        SPI_cursor_close(portal);

        Datum values[8] = {CStringGetTextDatum(tenant),        BoolGetDatum(verdict.intact),
                           Int64GetDatum(verdict.rows),         Int64GetDatum(verdict.head_seq),
                           CStringGetTextDatum(verdict.head_hash), Int64GetDatum(verdict.broken_seq),
                           Int64GetDatum(verdict.broken_id),    verdict.reason ? CStringGetTextDatum(verdict.reason) : 0};
        bool nulls[8] = {false, false, false, false, false, verdict.intact, verdict.intact, verdict.intact};
        MemoryContext previous = MemoryContextSwitchTo(function_context);
        tuplestore_putvalues(result->setResult, result->setDesc, values, nulls);
        MemoryContextSwitchTo(previous);
    }
    SPI_finish();
    restore_user(saved);
    MemoryContextDelete(batch_context);
    return (Datum)0;
}
}
