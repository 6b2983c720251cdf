#include "pg/metrics_shmem.hpp"

#include "pg/boundary.hpp"
#include "pg/jsonb_io.hpp"
#include "pg/shared_memory.hpp"
#include "pg/table_owner.hpp"

#include "bgworker/worker.hpp"

extern "C" {
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"
}

namespace costsim::pg {
namespace {

pg_atomic_uint64* counters = nullptr;  // Catalogue::slot_count() of them, in shared memory
std::size_t counter_count = 0;
Size shmem_size() { return mul_size(counter_count, sizeof(pg_atomic_uint64)); }

void attach_counters(void* area, bool found)
{
    counters = static_cast<pg_atomic_uint64*>(area);
    if (!found)
        for (std::size_t i = 0; i < counter_count; ++i) pg_atomic_init_u64(&counters[i], 0);
}

}  // namespace

void metrics_install_hooks()
{
    Failure failure;
    if (!run_core(failure, [] { counter_count = metrics::Catalogue::instance().slot_count(); })) raise(failure);
    request_shared_area(SharedArea{"costsim metrics", shmem_size(), nullptr, attach_counters});
}

void metrics_count(std::size_t slot) noexcept
{
    if (counters && slot < counter_count) pg_atomic_fetch_add_u64(&counters[slot], 1);
}

void metrics_observe(const metrics::Catalogue::Observation& observation) noexcept
{
    if (!counters) return;
    metrics_count(observation.bucket);
    metrics_count(observation.count);
    if (observation.sum < counter_count) pg_atomic_fetch_add_u64(&counters[observation.sum], observation.sum_increment);
}

void metrics_count_schema_error() noexcept
{
    if (counters) metrics_count(metrics::Catalogue::instance().schema_error_slot());
}

}  // namespace costsim::pg

using namespace costsim::pg;

namespace {

// name, labels, value of the metrics kept in tables. The breaker's state: 0 closed, 1 open, 2 half_open.
constexpr const char* table_metrics_query =
    "SELECT 'costsim_v2_circuit_breaker_state', '{}'::jsonb, "
    "       (CASE state WHEN 'closed' THEN 0 WHEN 'open' THEN 1 ELSE 2 END)::float8 "
    "  FROM costsim.circuit_breakers WHERE name = 'costsim_v2' "
    "UNION ALL SELECT 'costsim_cb_consecutive_failures', '{}'::jsonb, consecutive_failures::float8 "
    "  FROM costsim.circuit_breakers WHERE name = 'costsim_v2' "
    "UNION ALL SELECT 'costsim_cb_incidents_total', jsonb_build_object('severity', s.severity), "
    "       (SELECT count(*) FROM costsim.incidents i WHERE i.severity = s.severity)::float8 "
    "  FROM (VALUES ('p1'), ('p2'), ('p3')) s(severity) "
    "UNION ALL SELECT 'costsim_alert_queue_depth', '{}'::jsonb, "
    "       (SELECT count(*) FROM costsim.alerts WHERE status IN ('queued', 'sending'))::float8 "
    // Cost percentiles by version over the recent window: the last 1000 shadow comparisons.
    "UNION ALL SELECT 'costsim_output_' || q.name, jsonb_build_object('version', v.version), "
    "       percentile_cont(q.fraction) WITHIN GROUP (ORDER BY v.cost) "
    "  FROM (SELECT id, v1_cost_cents, v2_cost_cents FROM costsim.provenance ORDER BY id DESC LIMIT 1000) p "
    "  CROSS JOIN LATERAL (VALUES ('v1', p.v1_cost_cents), ('v2', p.v2_cost_cents)) v(version, cost) "
    "  CROSS JOIN (VALUES ('p50', 0.5::float8), ('p90', 0.9::float8)) q(name, fraction) "
    " WHERE v.cost IS NOT NULL GROUP BY q.name, q.fraction, v.version";

// The canary's series (0.4 and later): runs by outcome, every outcome from the start; the latest judged
// canary's KL(V1 || V2).
constexpr const char* canary_metrics_query =
    "SELECT 'costsim_canary_runs_total', jsonb_build_object('status', s.status), "
    "       (SELECT count(*) FROM costsim.canary_reports r WHERE r.status = s.status)::float8 "
    "  FROM unnest(enum_range(NULL::costsim.canary_status)) s(status) WHERE s.status <> 'running' "
    "UNION ALL (SELECT 'costsim_kl_divergence', '{}'::jsonb, (r.statistics).kl_divergence "
    "  FROM costsim.canary_reports r WHERE r.status IN ('passed', 'failed') AND r.statistics IS NOT NULL "
    " ORDER BY r.id DESC LIMIT 1)";

// C phase, inside SPI: the rows of a (name, labels, value) query into the result.
void put_rows(ReturnSetInfo* rsinfo, const char* query)
{
    if (SPI_execute(query, true, 0) != SPI_OK_SELECT) elog(ERROR, "costsim: reading the table metrics failed");
    for (uint64 i = 0; i < SPI_processed; ++i) {
        HeapTuple row = SPI_tuptable->vals[i];
        bool nulls[3] = {false, false, false};
        Datum values[3];
        for (int column = 0; column < 3; ++column)
            values[column] = SPI_getbinval(row, SPI_tuptable->tupdesc, column + 1, &nulls[column]);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(costsim_metric_values);
// costsim.metric_values() RETURNS TABLE(name text, labels jsonb, value double precision)
Datum costsim_metric_values(PG_FUNCTION_ARGS)
{
    if (!counters)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("costsim metrics need shared memory"),
                        errhint("Add costsim to shared_preload_libraries and restart the server.")));
    InitMaterializedSRF(fcinfo, 0);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    // Reading the catalogue's rows takes no allocation and cannot throw.
    for (const costsim::metrics::Row& row : costsim::metrics::Catalogue::instance().rows()) {
        uint64 raw = 0;
        for (std::size_t slot = row.first; slot <= row.last; ++slot) raw += pg_atomic_read_u64(&counters[slot]);
        Datum values[3] = {CStringGetTextDatum(row.name.c_str()), jsonb_from_text(row.labels.c_str()),
                           Float8GetDatum(static_cast<double>(raw) / row.scale)};
        bool nulls[3] = {false, false, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    // Gauges and counters kept in tables (the breaker, incidents, the alert queue, recent costs, canaries) and by
    // the worker.
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "costsim: SPI_connect failed");
    const SavedUser saved = become_owner_of("circuit_breakers");
    put_rows(rsinfo, table_metrics_query);
    // A library newer than the extension's SQL (before ALTER EXTENSION UPDATE) has no canary tables to read.
    if (SPI_execute("SELECT 1 WHERE to_regclass('costsim.canary_reports') IS NOT NULL", true, 1) == SPI_OK_SELECT &&
        SPI_processed == 1)
        put_rows(rsinfo, canary_metrics_query);
    restore_user(saved);
    SPI_finish();
    Datum values[3] = {CStringGetTextDatum("costsim_alert_send_failures_total"), jsonb_from_text("{}"),
                       Float8GetDatum(static_cast<double>(costsim::worker::alert_send_failures()))};
    bool nulls[3] = {false, false, false};
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    return (Datum)0;
}
}
