// The costsim background worker: costsim.worker_count processes, one of which leads (a session advisory lock,
// two-key form) and does the timed work: the breaker's timer (open -> half_open once disabled_until has passed,
// then the golden canary that decides), the canaries asked for (by pg_cron through costsim.request_canary()),
// and the delivery of queued alerts to Alertmanager. The others wait to take over; a leader that dies frees its
// lock with its process, so another leads within a second and marks what the dead one left running.
//
// Written as C in a C++ file: the loop recovers from an ERROR with PG_TRY, so no object with a destructor lives in
// these frames. libcurl is called outside any transaction.
#include "bgworker/worker.hpp"

#include <algorithm>
#include <cstring>

#include "pg/boundary.hpp"
#include "pg/settings.hpp"
#include "pg/shared_memory.hpp"

extern "C" {
#include "postgres.h"

#include <curl/curl.h>

#include "access/htup_details.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

PGDLLEXPORT void costsim_worker_main(Datum argument);
}

namespace costsim::worker {

namespace settings = costsim::pg::settings;

namespace {

// The leadership lock: pg_locks shows an advisory lock (classid 0x63737377, objid 1, objsubid 2), as
// pg_try_advisory_lock(1668510583, 1) would take it.
constexpr uint32 leader_lock_class = 0x63737377;  // "cssw"
constexpr uint32 leader_lock_object = 1;
constexpr long follower_wait_ms = 500;  // a follower tries to lead twice a second
constexpr long leader_wait_ms = 1000;   // the leader's cycle
constexpr int max_attempts = 10;        // then an alert is failed
constexpr int max_backoff_seconds = 300;
constexpr int alerts_per_cycle = 50;

// What the workers share: who leads, and when it last finished a cycle (costsim.worker_status()).
struct Shared {
    pid_t leader_pid;
    Latch* leader_latch;  // set by costsim.wake_worker() at commit
    TimestampTz leader_since;
    TimestampTz last_cycle;
    int64 alerts_sent;
    int64 alert_send_failures;
};
Shared* shared = nullptr;
MemoryContext cycle_context = nullptr;  // reset after every cycle: what a cycle keeps across its transactions
void attach_shared(void* area, bool found)
{
    shared = static_cast<Shared*>(area);
    if (!found) memset(shared, 0, sizeof(Shared));
}

// ---- leadership ----

bool try_to_lead()
{
    LOCKTAG tag;
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, leader_lock_class, leader_lock_object, 2);
    StartTransactionCommand();
    const LockAcquireResult result = LockAcquire(&tag, ExclusiveLock, true, true);  // session lock, no wait
    CommitTransactionCommand();
    return result != LOCKACQUIRE_NOT_AVAIL;
}

// ---- one transaction of SPI work ----

void begin_work(const char* what)
{
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    SPI_connect();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, what);
}

void end_work()
{
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_stat(false);
    pgstat_report_activity(STATE_IDLE, nullptr);
}

// Inside begin_work: whether the extension exists in this database (the worker may start before it does).
bool extension_present()
{
    return SPI_execute("SELECT 1 FROM pg_extension WHERE extname = 'costsim'", true, 1) == SPI_OK_SELECT &&
           SPI_processed == 1;
}

// Inside begin_work: whether the extension's SQL has the canary (0.4 and later).
bool canaries_present()
{
    return SPI_execute("SELECT 1 WHERE to_regclass('costsim.canary_requests') IS NOT NULL", true, 1) ==
               SPI_OK_SELECT &&
           SPI_processed == 1;
}

// ---- canaries ----

// Canaries a worker was running when it died are marked interrupted: never run twice, never silently lost.
void interrupt_canaries()
{
    begin_work("costsim: marking interrupted canaries");
    if (extension_present() && canaries_present()) {
        if (SPI_execute("SELECT costsim.interrupt_canaries()", false, 0) != SPI_OK_SELECT)
            elog(ERROR, "costsim worker: marking interrupted canaries failed");
        bool is_null = false;
        const int32 count = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
        if (count > 0)
            ereport(LOG, (errmsg("costsim worker: %d canary run(s) were left running by a worker that stopped; "
                                 "marked interrupted", count)));
    }
    end_work();
}

// Claims the next canary request and opens its report, in a transaction of its own (so that a worker dying
// while the canary runs leaves a visible 'running' report). 0 when there is none.
int64 claim_canary()
{
    int64 report = 0;
    begin_work("costsim: claiming a canary request");
    if (extension_present() && canaries_present()) {
        if (SPI_execute("SELECT costsim.request_half_open_trial()", false, 0) != SPI_OK_SELECT)
            elog(ERROR, "costsim worker: requesting the half-open trial failed");
        if (SPI_execute(psprintf("SELECT costsim.claim_canary_request(%d)", MyProcPid), false, 0) != SPI_OK_SELECT)
            elog(ERROR, "costsim worker: claiming a canary request failed");
        bool is_null = false;
        const Datum id = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
        if (!is_null) report = DatumGetInt64(id);
    }
    end_work();
    return report;
}

// Runs a claimed canary; if it raises, the error is recorded on its report in a new transaction.
void run_canary(int64 report)
{
    char* volatile failure = nullptr;
    MemoryContext context = CurrentMemoryContext;
    PG_TRY();
    {
        begin_work("costsim: running a canary");
        // The canary may wait for the breaker's row; it is the worker's long job, not its 200 ms chores.
        SPI_execute("SET LOCAL lock_timeout = '10s'", false, 0);
        if (SPI_execute(psprintf("SELECT status FROM costsim.execute_canary(" INT64_FORMAT ")", report), false, 0) !=
            SPI_OK_SELECT)
            elog(ERROR, "costsim worker: running canary " INT64_FORMAT " failed", report);
        ereport(LOG, (errmsg("costsim worker: canary " INT64_FORMAT " %s", report,
                             SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1))));
        end_work();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData* error = CopyErrorData();
        FlushErrorState();
        AbortOutOfAnyTransaction();
        failure = psprintf("%s", error->message ? error->message : "unknown error");
        FreeErrorData(error);
    }
    PG_END_TRY();
    if (!failure) return;
    ereport(LOG, (errmsg("costsim worker: canary " INT64_FORMAT " raised: %s", report, failure)));
    begin_work("costsim: recording a canary's error");
    Oid types[2] = {INT8OID, TEXTOID};
    Datum values[2] = {Int64GetDatum(report), CStringGetTextDatum(failure)};
    if (SPI_execute_with_args("SELECT costsim.fail_canary($1, $2)", 2, types, values, nullptr, false, 0) !=
        SPI_OK_SELECT)
        elog(ERROR, "costsim worker: recording canary " INT64_FORMAT "'s error failed", report);
    end_work();
}

// ---- alerts ----

struct Claimed {
    int64 id;
    int attempts;  // including this one
    char* body;    // the JSON array posted: [payload]
};

// Alerts a worker claimed ('sending') and never finished: it died on the way. Alertmanager deduplicates an
// alert sent twice, so they go back to the queue, their attempt counted, and say why.
void requeue_interrupted()
{
    begin_work("costsim: requeueing interrupted alerts");
    if (extension_present()) {
        if (SPI_execute("UPDATE costsim.alerts SET status = CASE WHEN attempts >= 10 THEN 'failed' ELSE 'queued' END, "
                        "last_error = 'interrupted: the worker sending it stopped before it knew the outcome', "
                        "next_attempt_at = now() WHERE status = 'sending'",
                        false, 0) != SPI_OK_UPDATE)
            elog(ERROR, "costsim worker: requeueing interrupted alerts failed");
        if (SPI_processed > 0)
            ereport(LOG, (errmsg("costsim worker: %llu alert(s) were being sent when a worker stopped; requeued",
                                 static_cast<unsigned long long>(SPI_processed))));
    }
    end_work();
}

// Claims due alerts (committed as 'sending' before anything is posted). Returns how many, in `claimed`.
int claim_alerts(Claimed* claimed)
{
    int count = 0;
    begin_work("costsim: claiming alerts");
    if (extension_present()) {
        if (SPI_execute(psprintf("UPDATE costsim.alerts a SET status = 'sending', attempts = attempts + 1 "
                                 "FROM (SELECT id FROM costsim.alerts WHERE status = 'queued' AND next_attempt_at <= now() "
                                 "ORDER BY next_attempt_at, id LIMIT %d FOR UPDATE SKIP LOCKED) due "
                                 "WHERE a.id = due.id RETURNING a.id, a.attempts, jsonb_build_array(a.payload)::text",
                                 alerts_per_cycle),
                        false, 0) != SPI_OK_UPDATE_RETURNING)
            elog(ERROR, "costsim worker: claiming alerts failed");
        for (uint64 i = 0; i < SPI_processed; ++i) {
            HeapTuple row = SPI_tuptable->vals[i];
            bool is_null = false;
            claimed[count].id = DatumGetInt64(SPI_getbinval(row, SPI_tuptable->tupdesc, 1, &is_null));
            claimed[count].attempts = DatumGetInt32(SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &is_null));
            claimed[count].body = MemoryContextStrdup(cycle_context, SPI_getvalue(row, SPI_tuptable->tupdesc, 3));
            ++count;
        }
    }
    end_work();
    return count;
}

size_t discard_response(char*, size_t size, size_t count, void*) { return size * count; }

// POSTs one alert; nullptr when Alertmanager accepted it (HTTP 200), else why not (palloc'd).
const char* post_alert(const char* url, const char* body)
{
    CURL* curl = curl_easy_init();
    if (!curl) return "curl_easy_init failed";
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(settings::alert_timeout_ms));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings::alert_timeout_ms));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_response);
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (code != CURLE_OK) return psprintf("%s", *error ? error : curl_easy_strerror(code));
    if (status != 200) return psprintf("HTTP %ld from Alertmanager", status);
    return nullptr;
}

// Records the outcome of each claimed alert: sent, or back in the queue after min(2^attempts, 300) s, or failed
// after max_attempts.
void record_outcomes(const Claimed* claimed, const char* const* failures, int count)
{
    begin_work("costsim: recording alert outcomes");
    for (int i = 0; i < count; ++i) {
        int status;
        if (failures[i]) {
            const int backoff = claimed[i].attempts >= 9 ? max_backoff_seconds
                                                          : std::min(1 << claimed[i].attempts, max_backoff_seconds);
            Oid types[3] = {INT8OID, TEXTOID, INT4OID};
            Datum values[3] = {Int64GetDatum(claimed[i].id), CStringGetTextDatum(failures[i]), Int32GetDatum(backoff)};
            status = SPI_execute_with_args(
                psprintf("UPDATE costsim.alerts SET status = CASE WHEN attempts >= %d THEN 'failed' ELSE 'queued' END, "
                         "last_error = $2, next_attempt_at = now() + make_interval(secs => $3) "
                         "WHERE id = $1 AND status = 'sending'",
                         max_attempts),
                3, types, values, nullptr, false, 0);
        } else {
            Oid types[1] = {INT8OID};
            Datum values[1] = {Int64GetDatum(claimed[i].id)};
            status = SPI_execute_with_args("UPDATE costsim.alerts SET status = 'sent', sent_at = now(), last_error = NULL "
                                           "WHERE id = $1 AND status = 'sending'",
                                           1, types, values, nullptr, false, 0);
        }
        if (status != SPI_OK_UPDATE) elog(ERROR, "costsim worker: recording an alert's outcome failed");
    }
    end_work();
}

void deliver_alerts()
{
    const char* base = settings::alertmanager_url;
    if (!base || !*base) return;  // no Alertmanager: alerts stay queued
    Claimed* claimed = static_cast<Claimed*>(palloc(sizeof(Claimed) * alerts_per_cycle));
    const int count = claim_alerts(claimed);
    if (count == 0) return;
    int base_length = static_cast<int>(strlen(base));
    while (base_length > 0 && base[base_length - 1] == '/') --base_length;
    const char* url = psprintf("%.*s/api/v2/alerts", base_length, base);
    const char** failures = static_cast<const char**>(palloc(sizeof(char*) * count));
    for (int i = 0; i < count; ++i) {
        pgstat_report_activity(STATE_RUNNING, "costsim: posting an alert to Alertmanager");
        failures[i] = post_alert(url, claimed[i].body);
        if (failures[i]) {
            ++shared->alert_send_failures;
            ereport(LOG, (errmsg("costsim worker: alert %lld not delivered (attempt %d): %s",
                                 static_cast<long long>(claimed[i].id), claimed[i].attempts, failures[i])));
        } else {
            ++shared->alerts_sent;
        }
    }
    record_outcomes(claimed, failures, count);
}

// ---- the leader's cycle ----

void run_cycle()
{
    begin_work("costsim: breaker timer");
    if (extension_present()) {
        if (SPI_execute("SELECT costsim.breaker_tick()", false, 0) != SPI_OK_SELECT)
            elog(ERROR, "costsim worker: the breaker timer failed");
        if (SPI_execute("DELETE FROM costsim.alerts WHERE status IN ('sent', 'failed') "
                        "AND created_at < now() - interval '30 days'",
                        false, 0) != SPI_OK_DELETE)
            elog(ERROR, "costsim worker: purging old alerts failed");
    }
    end_work();
    deliver_alerts();
    if (const int64 report = claim_canary()) run_canary(report);
    shared->last_cycle = GetCurrentTimestamp();
}

}  // namespace

void install()
{
    pg::request_shared_area(pg::SharedArea{"costsim worker", sizeof(Shared), nullptr, attach_shared});
    for (int i = 1; i <= settings::worker_count; ++i) {
        BackgroundWorker worker;
        memset(&worker, 0, sizeof worker);
        worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
        worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
        worker.bgw_restart_time = 5;  // a standing-by worker takes over at once; this only paces retries
        snprintf(worker.bgw_library_name, BGW_MAXLEN, "costsim");
        snprintf(worker.bgw_function_name, BGW_MAXLEN, "costsim_worker_main");
        snprintf(worker.bgw_name, BGW_MAXLEN, "costsim worker %d", i);
        snprintf(worker.bgw_type, BGW_MAXLEN, "costsim worker");
        worker.bgw_main_arg = Int32GetDatum(i);
        RegisterBackgroundWorker(&worker);
    }
}

long long alert_send_failures() noexcept { return shared ? shared->alert_send_failures : 0; }

namespace {

bool wake_at_commit = false;

void wake_leader_at_commit(XactEvent event, void*)
{
    if (event == XACT_EVENT_COMMIT && wake_at_commit && shared && shared->leader_latch) SetLatch(shared->leader_latch);
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
        wake_at_commit = false;
}

}  // namespace

}  // namespace costsim::worker

using namespace costsim;
using namespace costsim::worker;

extern "C" {

void costsim_worker_main(Datum)
{
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(pg::settings::database, nullptr, 0);
    // Never block DDL or a transaction for long: a busy breaker or alert row waits for the next cycle.
    SetConfigOption("lock_timeout", "200ms", PGC_SUSET, PGC_S_OVERRIDE);
    // A claim ('sending', 'running') must survive a crash, or work would be done again instead of marked.
    SetConfigOption("synchronous_commit", "on", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("application_name", "costsim worker", PGC_USERSET, PGC_S_OVERRIDE);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    volatile bool leading = false;  // set inside PG_TRY, read after an error
    volatile bool inherited = false;  // a new leader has yet to settle what a dead one left in flight
    cycle_context = AllocSetContextCreate(TopMemoryContext, "costsim worker cycle", ALLOCSET_DEFAULT_SIZES);
    for (;;) {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                        leading ? leader_wait_ms : follower_wait_ms, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        if (RecoveryInProgress()) continue;  // a hot standby: nothing to do until promoted
        MemoryContext previous = MemoryContextSwitchTo(cycle_context);
        PG_TRY();
        {
            if (!leading && try_to_lead()) {
                leading = true;
                shared->leader_pid = MyProcPid;
                shared->leader_latch = MyLatch;
                shared->leader_since = GetCurrentTimestamp();
                ereport(LOG, (errmsg("costsim worker: leading (pid %d)", MyProcPid)));
                inherited = true;
            }
            if (inherited) {  // retried every cycle until it succeeds
                requeue_interrupted();
                interrupt_canaries();
                inherited = false;
            }
            if (leading) run_cycle();
        }
        PG_CATCH();
        {
            MemoryContextSwitchTo(cycle_context);
            EmitErrorReport();
            FlushErrorState();
            AbortOutOfAnyTransaction();  // SPI and the snapshot go with it
        }
        PG_END_TRY();
        MemoryContextSwitchTo(previous);
        MemoryContextReset(cycle_context);
    }
}

PG_FUNCTION_INFO_V1(costsim_wake_worker);
// costsim.wake_worker() RETURNS void: the leader's latch is set when this transaction commits (a request it
// cannot see yet would otherwise wait for its next cycle, a second later).
Datum costsim_wake_worker(PG_FUNCTION_ARGS)
{
    static bool registered = false;
    if (!registered) {
        RegisterXactCallback(wake_leader_at_commit, nullptr);
        registered = true;
    }
    wake_at_commit = true;
    PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(costsim_worker_status);
// costsim.worker_status(OUT workers integer, OUT leader_pid integer, OUT leader_since timestamptz,
//   OUT last_cycle timestamptz, OUT alerts_sent bigint, OUT alert_send_failures bigint)
Datum costsim_worker_status(PG_FUNCTION_ARGS)
{
    if (!shared)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the costsim background worker needs costsim in shared_preload_libraries"),
                        errhint("Add costsim to shared_preload_libraries and restart the server.")));
    const Shared now = *shared;
    Datum values[6] = {Int32GetDatum(pg::settings::worker_count), Int32GetDatum(now.leader_pid),
                       TimestampTzGetDatum(now.leader_since), TimestampTzGetDatum(now.last_cycle),
                       Int64GetDatum(now.alerts_sent), Int64GetDatum(now.alert_send_failures)};
    bool nulls[6] = {false, now.leader_pid == 0, now.leader_since == 0, now.last_cycle == 0, false, false};
    PG_RETURN_DATUM(pg::result_row(pg::result_descriptor(fcinfo), values, nulls));
}
}
