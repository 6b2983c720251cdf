// The V2 circuit breaker on the sandbox path. See breaker.hpp; the transitions themselves are SQL functions
// (sql/src/breaker.sql), called here as the table owner when a window trips.
#include "core/breaker.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include "pg/boundary.hpp"
#include "pg/breaker.hpp"
#include "pg/settings.hpp"
#include "pg/shared_memory.hpp"
#include "pg/subtransaction.hpp"
#include "pg/table_owner.hpp"
#include "pg/unix_time.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lwlock.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

namespace costsim::pg {
namespace {

// ---- the per-backend cache of the breaker's row ----

struct CachedBreaker {
    bool loaded = false;
    bool closed = true;
    TimestampTz changed_at = 0;  // the windows count only what came after it
};
CachedBreaker cached;
Oid breakers_relid = InvalidOid;

void on_relcache_invalidation(Datum, Oid relid)
{
    if (relid == InvalidOid || relid == breakers_relid) cached.loaded = false;
}

// C phase: reads the row (as the owner: any caller of the sandbox path may need it).
void load_breaker()
{
    breakers_relid = get_relname_relid("circuit_breakers", get_namespace_oid("costsim", false));
    const SavedUser saved = become_owner_of("circuit_breakers");
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "costsim: SPI_connect failed");
    // As of now, not as of the statement's or the transaction's snapshot: the invalidation that sent us here may
    // come from a transaction that committed after they were taken (REPEATABLE READ, a long statement).
    SPIPlanPtr plan =
        SPI_prepare("SELECT state = 'closed', changed_at FROM costsim.circuit_breakers WHERE name = 'costsim_v2'", 0,
                    nullptr);
    if (!plan || SPI_execute_snapshot(plan, nullptr, nullptr, GetLatestSnapshot(), InvalidSnapshot, true, false, 1) !=
                     SPI_OK_SELECT)
        elog(ERROR, "costsim: reading costsim.circuit_breakers failed");
    CachedBreaker row;
    row.loaded = true;
    if (SPI_processed == 1) {  // no row: nothing ever opens it
        bool is_null = false;
        row.closed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
        row.changed_at = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &is_null));
    }
    SPI_finish();
    restore_user(saved);
    cached = row;
}

// ---- the windows, in shared memory ----

struct DriftEntry {
    TimestampTz at;
    double score;
};

// Rings of the latest drift scores and V2 error times, cluster-wide. `lock` guards both.
struct Windows {
    LWLock* lock;
    uint32 drift_next, drift_count;
    uint32 error_next, error_count;
    DriftEntry drift[settings::max_cb_window_size];
    TimestampTz errors[settings::max_schema_error_threshold];
};
Windows* windows = nullptr;
constexpr const char* tranche = "costsim breaker windows";

void attach_windows(void* area, bool found)
{
    windows = static_cast<Windows*>(area);
    if (!found) {
        memset(windows, 0, sizeof(Windows));
        windows->lock = &(GetNamedLWLockTranche(tranche))->lock;
    }
}

// The drift scores since `since`, oldest first, at most `limit` of the latest (a plain array: C phase).
int recent_drift(TimestampTz since, int limit, double* out)
{
    LWLockAcquire(windows->lock, LW_SHARED);
    const int available = static_cast<int>(windows->drift_count);
    int taken = 0;
    // newest backwards, then reversed
    for (int i = 0; i < available && taken < limit; ++i) {
        const uint32 at = (windows->drift_next + settings::max_cb_window_size - 1 - i) % settings::max_cb_window_size;
        if (windows->drift[at].at < since) break;
        out[taken++] = windows->drift[at].score;
    }
    LWLockRelease(windows->lock);
    for (int i = 0; i < taken / 2; ++i) std::swap(out[i], out[taken - 1 - i]);
    return taken;
}

int recent_errors(TimestampTz since, std::int64_t* out_unix_us)
{
    LWLockAcquire(windows->lock, LW_SHARED);
    const int available = static_cast<int>(windows->error_count);
    int taken = 0;
    for (int i = 0; i < available; ++i) {
        const uint32 at = (windows->error_next + settings::max_schema_error_threshold - 1 - i) %
                          settings::max_schema_error_threshold;
        if (windows->errors[at] < since) break;
        out_unix_us[taken++] = unix_microseconds(windows->errors[at]);
    }
    LWLockRelease(windows->lock);
    return taken;
}

// Opens the breaker for an automatic trip; never raises (the sandbox path must not fail because of it).
void trip(const char* kind, const char* reason, const char* details)
{
    const char* failure = in_subtransaction([&] {
        const SavedUser saved = become_owner_of("circuit_breakers");
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "costsim: SPI_connect failed");
        Oid types[3] = {TEXTOID, TEXTOID, TEXTOID};
        Datum values[3] = {CStringGetTextDatum(kind), CStringGetTextDatum(reason), CStringGetTextDatum(details)};
        if (SPI_execute_with_args("SELECT costsim.open_breaker($1::costsim.breaker_trip, $2, 'system', $3::jsonb)", 3,
                                  types, values, nullptr, false, 1) != SPI_OK_SELECT)
            elog(ERROR, "costsim: opening the breaker failed");
        SPI_finish();
        restore_user(saved);
    });
    if (failure) {
        ereport(LOG, (errmsg("costsim: could not open the V2 breaker (%s): %s", reason, failure)));
        cached.loaded = false;  // read the row again
        return;
    }
    // Open now (by this call or by another session first): the rest of this statement must not shadow V2 either,
    // and the row this transaction changed is not visible to its current command yet.
    cached.loaded = true;
    cached.closed = false;
    cached.changed_at = GetCurrentTimestamp();  // at or after the row's changed_at: the windows start afresh
}

}  // namespace

bool v2_breaker_closed()
{
    if (!cached.loaded) load_breaker();
    return cached.closed;
}

bool v2_may_shadow()
{
    if (cached.loaded) return cached.closed;
    if (const char* failure = in_subtransaction([] { load_breaker(); })) {
        ereport(LOG, (errmsg("costsim: could not read the V2 breaker, V2 not shadowed: %s", failure)));
        return false;
    }
    return cached.closed;
}

void breaker_observe_drift(double drift_score)
{
    if (!windows || !settings::cb_auto_trip || !std::isfinite(drift_score)) return;
    const TimestampTz now = GetCurrentTimestamp();
    LWLockAcquire(windows->lock, LW_EXCLUSIVE);
    windows->drift[windows->drift_next] = DriftEntry{now, drift_score};
    windows->drift_next = (windows->drift_next + 1) % settings::max_cb_window_size;
    if (windows->drift_count < static_cast<uint32>(settings::max_cb_window_size)) ++windows->drift_count;
    LWLockRelease(windows->lock);

    if (!v2_may_shadow()) return;  // open (or unreadable): nothing to trip
    const breaker::Policy policy = settings::breaker_policy();
    auto* scores = static_cast<double*>(palloc(sizeof(double) * policy.window_size));
    const int count = recent_drift(cached.changed_at, static_cast<int>(policy.window_size), scores);
    double p95 = 0;
    bool trips = false;
    Failure failure;
    if (!run_core(failure, [&] {
            const std::vector<double> window(scores, scores + count);
            trips = breaker::drift_trips(window, policy);
            if (trips) p95 = *breaker::drift_p95(window, policy);
        }))
        ereport(LOG, (errmsg("costsim: the breaker's drift rule could not be evaluated: %s", failure.message)));
    pfree(scores);
    if (!trips) return;
    trip("drift",
         psprintf("drift p95 %.4f > %.2f over the last %d comparisons", p95, policy.drift_threshold, count),
         psprintf("{\"p95\": %.6f, \"samples\": %d, \"drift_threshold\": %.6f, \"window_size\": %zu}", p95, count,
                  policy.drift_threshold, policy.window_size));
}

void breaker_observe_v2_error()
{
    if (!windows || !settings::cb_auto_trip) return;
    const TimestampTz now = GetCurrentTimestamp();
    LWLockAcquire(windows->lock, LW_EXCLUSIVE);
    windows->errors[windows->error_next] = now;
    windows->error_next = (windows->error_next + 1) % settings::max_schema_error_threshold;
    if (windows->error_count < static_cast<uint32>(settings::max_schema_error_threshold)) ++windows->error_count;
    LWLockRelease(windows->lock);

    if (!v2_may_shadow()) return;  // open (or unreadable): nothing to trip
    const breaker::Policy policy = settings::breaker_policy();
    auto* times = static_cast<std::int64_t*>(palloc(sizeof(std::int64_t) * settings::max_schema_error_threshold));
    const int count = recent_errors(cached.changed_at, times);
    bool trips = false;
    Failure failure;
    if (!run_core(failure, [&] {
            trips = breaker::errors_trip(std::vector<std::int64_t>(times, times + count), unix_microseconds(now),
                                         policy);
        }))
        ereport(LOG, (errmsg("costsim: the breaker's V2-error rule could not be evaluated: %s", failure.message)));
    pfree(times);
    if (!trips) return;
    trip("v2_errors", psprintf("%zu or more V2 errors within an hour", policy.error_threshold),
         psprintf("{\"error_threshold\": %zu}", policy.error_threshold));
}

void breaker_install_hooks()
{
    request_shared_area(SharedArea{"costsim breaker windows", sizeof(Windows), tranche, attach_windows});
}

void breaker_cache_install() { CacheRegisterRelcacheCallback(on_relcache_invalidation, (Datum)0); }

}  // namespace costsim::pg

using namespace costsim;
using namespace costsim::pg;

extern "C" {

PG_FUNCTION_INFO_V1(costsim_breaker_window);
// costsim.breaker_window(OUT samples integer, OUT p95 float8, OUT v2_errors_last_hour integer)
Datum costsim_breaker_window(PG_FUNCTION_ARGS)
{
    if (!windows)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the costsim breaker's windows need shared memory"),
                        errhint("Add costsim to shared_preload_libraries and restart the server.")));
    v2_breaker_closed();  // loads changed_at
    const breaker::Policy policy = settings::breaker_policy();
    auto* scores = static_cast<double*>(palloc(sizeof(double) * policy.window_size));
    const int count = recent_drift(cached.changed_at, static_cast<int>(policy.window_size), scores);
    auto* times = static_cast<std::int64_t*>(palloc(sizeof(std::int64_t) * settings::max_schema_error_threshold));
    const int errors = recent_errors(cached.changed_at, times);
    const std::int64_t hour_ago = unix_microseconds(GetCurrentTimestamp()) - 3600LL * 1000000LL;
    int last_hour = 0;
    for (int i = 0; i < errors; ++i)
        if (times[i] > hour_ago) ++last_hour;
    double p95 = 0;
    bool has_p95 = false;
    Failure failure;
    if (!run_core(failure, [&] {
            const auto value = breaker::drift_p95(std::vector<double>(scores, scores + count), policy);
            has_p95 = value.has_value();
            if (has_p95) p95 = *value;
        }))
        raise(failure);
    Datum values[3] = {Int32GetDatum(count), Float8GetDatum(p95), Int32GetDatum(last_hour)};
    bool nulls[3] = {false, !has_p95, false};
    PG_RETURN_DATUM(result_row(result_descriptor(fcinfo), values, nulls));
}
}
