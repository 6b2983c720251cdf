#!/usr/bin/env bash
# The canary and the background worker (spec section 8), with real processes: request_canary() is run by the
# leader worker (woken at commit, so the report is final well under a second later); a leader that dies while its
# canary runs (held up on the breaker's row by another session) leaves the report 'running', and the worker that
# takes over marks it and its request 'interrupted', never running it again (pg_terminate_backend, then kill -9,
# which makes the postmaster restart every process); two run_canary() at once: the second is skipped at once (the
# canary's transaction advisory lock); pg_cron's job costsim-canary queues a request the worker runs, and
# unschedule_canary() removes it. Runs against the test cluster (PG* variables, a superuser, COSTSIM_WORKERS=2,
# pg_cron with cron.database_name = the test database); resets what it sets: no cron job, no session holding
# anything, the breaker closed, no canary request left pending.
#
# The canaries this test asks for are request_canary(0) (the golden datasets only): their verdict does not depend
# on whatever shadow traffic other tests left, so that they do not count failures towards a P1 trip of the shared
# cluster's breaker. pg_cron's job runs the default request_canary() (100 recent shadow inputs + golden).
#
# COSTSIM_CANARY_KILL9: 1 runs the kill -9 part, 0 skips it, auto (default) skips it when client sessions other
# than this test's are connected (a crash restart would end them too).
set -uo pipefail
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-canary-worker.XXXXXX") || exit 1
chmod 755 "$TMP"
APP="canary_worker.sh-$$"  # application_name prefix of this test's sessions
psql_q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
bg_pids=()                 # background psql processes this test started

source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

# ---------------------------------------------------------------- helpers
# sql_is EXPECTED SQL: the query's (single-line) result is EXPECTED; remembers what it saw in $last.
last=""
sql_is() { last=$(psql_q -c "$2" 2>&1); [ "$last" = "$1" ]; }
# becomes SECONDS EXPECTED SQL: polls (wait_for) until the query says EXPECTED; says what it saw last when not.
becomes() {
  local seconds=$1
  shift
  wait_for "$seconds" sql_is "$@" && return 0
  echo "after ${seconds} s: expected: $1"
  echo "actual:                $last"
  echo "query: $2"
  return 1
}
# The pid holding the leadership lock now (advisory, classid 0x63737377, objid 1, objsubid 2), 0 when none.
lock_holder() {
  psql_q -c "SELECT coalesce(min(pid), 0) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1668510583
               AND objid = 1 AND objsubid = 2 AND granted" 2>/dev/null || echo 0
}
new_leader() {  # new_leader OLD_PID: a leader holds the lock, and it is not OLD_PID
  local pid
  pid=$(lock_holder)
  [ "$pid" != 0 ] && [ "$pid" != "$1" ]
}
accepts_connections() { psql_q -c "SELECT 1" >/dev/null 2>&1; }
# The backend pid of this test's session named NAME (application_name $APP-NAME), 0 when none.
session_pid() {
  psql_q -c "SELECT coalesce(min(pid), 0) FROM pg_stat_activity WHERE application_name = '$APP-$1'" 2>/dev/null || echo 0
}
# in_sleep NAME: that session is inside its pg_sleep.
in_sleep() {
  [ "$(psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$APP-$1' AND state = 'active'
                    AND query LIKE '%pg_sleep%'" 2>/dev/null)" = 1 ]
}
# Starts a session (in the background) that locks the V2 breaker's row and sleeps on it: execute_canary's
# breaker_canary_result waits for that row. Sets $blocker_psql (the psql process).
start_blocker() {  # start_blocker NAME
  PGAPPNAME="$APP-$1" psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" \
    -c "SELECT name FROM costsim.circuit_breakers WHERE name = 'costsim_v2' FOR UPDATE" \
    -c "SELECT pg_sleep(60)" -c "COMMIT" >"$TMP/$1.log" 2>&1 &
  blocker_psql=$!
  bg_pids+=("$blocker_psql")
  wait_for 20 in_sleep "$1"
}
end_session() {  # end_session NAME PSQL_PID: terminates this test's session NAME, reaps its psql
  local pid
  pid=$(session_pid "$1")
  [ "$pid" != 0 ] && psql_q -c "SELECT pg_terminate_backend($pid)" >/dev/null 2>&1
  [ -n "${2:-}" ] && wait "$2" 2>/dev/null
  return 0
}
no_session() { [ "$(session_pid "$1")" = 0 ]; }
# "request status|report count|statuses of its reports" of a request
request_outcome() {
  echo "SELECT q.status || '|' || count(r.id) || '|' || coalesce(string_agg(r.status::text, ',' ORDER BY r.id), '')
          FROM costsim.canary_requests q LEFT JOIN costsim.canary_reports r ON r.request_id = q.id
         WHERE q.id = $1 GROUP BY q.status"
}
request_finished() {  # the request left pending/running
  [ "$(psql_q -c "SELECT status NOT IN ('pending', 'running') FROM costsim.canary_requests WHERE id = $1" 2>/dev/null)" = t ]
}
judged() {  # judged REQUEST: done, one report, passed or failed
  local outcome
  outcome=$(psql_q -c "$(request_outcome "$1")")
  case "$outcome" in
    "done|1|passed" | "done|1|failed") return 0 ;;
    *) echo "expected: done|1|passed (or failed)"; echo "actual:   $outcome"
       psql_q -c "SELECT status, error, failure_reasons FROM costsim.canary_reports WHERE request_id = $1"
       return 1 ;;
  esac
}
judged_by() {  # judged_by REQUEST PID: judged, and claimed by the worker PID
  judged "$1" && equals "$2" "$(psql_q -c "SELECT worker_pid FROM costsim.canary_requests WHERE id = $1")"
}
a_ran() {  # session A (psql exit status $1, its output in $TMP/a.out) committed a canary that passed or failed
  [ "$1" = 0 ] && [[ "$(head -1 "$TMP/a.out")" =~ ^[0-9]+\|(passed|failed)$ ]] || { cat "$TMP/a.out"; return 1; }
}

cron_present=""
cleanup() {
  local p
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
  psql_q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE application_name LIKE '$APP-%' AND pid <> pg_backend_pid()" >/dev/null 2>&1
  for p in "${bg_pids[@]}"; do wait "$p" 2>/dev/null; done
  [ -n "$cron_present" ] && psql_q -c "SELECT costsim.unschedule_canary()" >/dev/null 2>&1
  psql_q -c "SELECT costsim.enable_v2('canary test done', 'canary_worker.sh')" >/dev/null 2>&1
  # What this test queued is run by the leader (nothing is left pending).
  wait_for 30 sql_is 0 "SELECT count(*) FROM costsim.canary_requests WHERE status IN ('pending', 'running')" \
    2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

# ---------------------------------------------------------------- the setting
check "two workers are configured and pg_cron is installed here" \
  equals "2|true" "$(psql_q -c "SELECT workers || '|' || EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_cron')
                               FROM costsim.worker_status()")"
check "a worker leads" wait_for 30 new_leader 0

breaker_before=$(psql_q -c "SELECT state || ', ' || consecutive_failures || ' consecutive failed canaries'
                              FROM costsim.circuit_breakers WHERE name = 'costsim_v2'")
echo "# the V2 breaker before: $breaker_before"

# ---------------------------------------------------------------- 1. request_canary() -> the leader runs it
leader=$(lock_holder)
t0=$(now_ms)
rid=$(psql_q -c "SELECT costsim.request_canary(0)")
wait_for 30 request_finished "$rid"
seen=$(($(now_ms) - t0))
check "request_canary(0) ($rid): the leader runs it: request done, one report, passed or failed" judged "$rid"
check "the request was claimed by the leader (worker_pid $leader) before its report finished" \
  equals "$leader|true" "$(psql_q -c "SELECT q.worker_pid || '|' || (q.started_at <= r.finished_at AND r.finished_at <= q.finished_at)
                                     FROM costsim.canary_requests q JOIN costsim.canary_reports r ON r.request_id = q.id
                                    WHERE q.id = $rid")"
latency=$(psql_q -c "SELECT round(extract(epoch FROM r.finished_at - q.requested_at) * 1000)
                       FROM costsim.canary_requests q JOIN costsim.canary_reports r ON r.request_id = q.id
                      WHERE q.id = $rid")
echo "# request_canary(0) -> report final: ${latency} ms on the server's clock (requested_at -> finished_at);" \
     "seen by polling after $seen ms"

# ---------------------------------------------------------------- 2. the leader dies while its canary runs
# (a) pg_terminate_backend. A session holds the breaker's row: the canary waits for it at its end (lock_timeout
# 10 s in the worker), its report committed as running.
check "a session holds the V2 breaker's row (FOR UPDATE) and sleeps" start_blocker blocker1
blocker=$(session_pid blocker1)
leader=$(lock_holder)
rid=$(psql_q -c "SELECT costsim.request_canary(0)")
check "the leader ($leader) runs request $rid: its report is running and the leader waits for the blocker's lock" \
  becomes 20 "running|running|Lock|true" \
  "SELECT q.status || '|' || r.status || '|' || coalesce(a.wait_event_type, '') || '|' || ($blocker = ANY (pg_blocking_pids(a.pid)))
     FROM costsim.canary_requests q JOIN costsim.canary_reports r ON r.request_id = q.id, pg_stat_activity a
    WHERE q.id = $rid AND a.pid = $leader"
echo "# the leader waits: $(psql_q -c "SELECT wait_event_type || '/' || wait_event || ' in: ' || query FROM pg_stat_activity WHERE pid = $leader")"
check "worker_status() names the leader $leader, and so does the request" \
  equals "$leader|$leader" "$(psql_q -c "SELECT s.leader_pid || '|' || q.worker_pid FROM costsim.worker_status() s, costsim.canary_requests q WHERE q.id = $rid")"
t0=$(now_ms)
psql_q -c "SELECT pg_terminate_backend($leader)" >/dev/null
wait_for 15 new_leader "$leader"
took=$(($(now_ms) - t0))
check "after pg_terminate_backend of the leader, the other worker leads ($took ms)" new_leader "$leader"
second=$(lock_holder)
check "worker_status() names the new leader ($second)" \
  becomes 5 "$second" "SELECT leader_pid FROM costsim.worker_status()"
check "the report is interrupted, its error says the worker stopped; the request is interrupted" \
  becomes 10 "interrupted|1|interrupted|true" \
  "SELECT q.status || '|' || count(r.id) || '|' || string_agg(r.status::text, ',') || '|' ||
          bool_and(r.error LIKE 'interrupted:%worker%stopped%' AND r.finished_at IS NOT NULL)
     FROM costsim.canary_requests q JOIN costsim.canary_reports r ON r.request_id = q.id
    WHERE q.id = $rid GROUP BY q.status"
echo "# interrupted report: $(psql_q -c "SELECT error FROM costsim.canary_reports WHERE request_id = $rid")"
end_session blocker1 "$blocker_psql"
check "the blocking session is gone" wait_for 10 no_session blocker1
rid_after=$(psql_q -c "SELECT costsim.request_canary(0)")
wait_for 30 request_finished "$rid_after"
check "a new request ($rid_after) completes normally under the new leader ($second)" judged_by "$rid_after" "$second"
check "the interrupted request $rid was not run again (one report, interrupted; the request interrupted)" \
  equals "interrupted|1|interrupted" "$(psql_q -c "$(request_outcome "$rid")")"

# (b) kill -9: the postmaster ends every backend (the blocking session too), recovers, starts the workers again.
kill9=${COSTSIM_CANARY_KILL9:-auto}
if [ "$kill9" = auto ]; then
  others=$(psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'
                        AND pid <> pg_backend_pid() AND application_name NOT LIKE '$APP-%'
                        AND application_name <> 'pg_cron'" 2>/dev/null || echo 1)
  if [ "$others" = 0 ]; then kill9=1; else kill9=0; echo "# $others other client session(s) connected: kill -9 skipped"; fi
fi
if [ "$kill9" = 1 ]; then
  check "a session holds the V2 breaker's row again" start_blocker blocker2
  blocker=$(session_pid blocker2)
  leader=$(lock_holder)
  rid=$(PGOPTIONS="-c synchronous_commit=on" psql_q -c "SELECT costsim.request_canary(0)")
  check "the leader ($leader) runs request $rid and waits for the blocker's lock" \
    becomes 20 "running|running|Lock|true" \
    "SELECT q.status || '|' || r.status || '|' || coalesce(a.wait_event_type, '') || '|' || ($blocker = ANY (pg_blocking_pids(a.pid)))
       FROM costsim.canary_requests q JOIN costsim.canary_reports r ON r.request_id = q.id, pg_stat_activity a
      WHERE q.id = $rid AND a.pid = $leader"
  # The cluster runs with synchronous_commit off: a crash restart loses commits whose WAL is still in shared
  # memory. A synchronous commit with an xid writes out the WAL up to it, the worker's claim included.
  PGOPTIONS="-c synchronous_commit=on" psql_q -c "BEGIN" -c "SELECT txid_current()" -c "COMMIT" >/dev/null
  postmaster=$(head -1 "$(psql_q -c "SHOW data_directory")/postmaster.pid" 2>/dev/null || echo "")
  t0=$(now_ms)
  kill -9 "$leader"
  wait_for 60 accepts_connections
  up=$(($(now_ms) - t0))
  wait_for 30 new_leader "$leader"
  took=$(($(now_ms) - t0))
  echo "# kill -9 of the leader: connections accepted again after $up ms, a worker led after $took ms"
  check "after kill -9 of the leader (a crash restart), a worker leads again ($took ms)" new_leader "$leader"
  check "the postmaster survived (it restarted its children, not itself)" \
    equals "$postmaster" "$(head -1 "$(psql_q -c "SHOW data_directory")/postmaster.pid" 2>/dev/null)"
  check "the blocking session died with the restart" wait_for 10 no_session blocker2
  wait "$blocker_psql" 2>/dev/null
  check "the report is interrupted, its error says the worker stopped; the request is interrupted" \
    becomes 15 "interrupted|1|interrupted|true" \
    "SELECT q.status || '|' || count(r.id) || '|' || string_agg(r.status::text, ',') || '|' ||
            bool_and(r.error LIKE 'interrupted:%worker%stopped%' AND r.finished_at IS NOT NULL)
       FROM costsim.canary_requests q JOIN costsim.canary_reports r ON r.request_id = q.id
      WHERE q.id = $rid GROUP BY q.status"
  third=$(lock_holder)
  rid_after=$(psql_q -c "SELECT costsim.request_canary(0)")
  wait_for 30 request_finished "$rid_after"
  check "a new request ($rid_after) completes normally under the new leader ($third)" judged_by "$rid_after" "$third"
  check "the interrupted request $rid was not run again" \
    equals "interrupted|1|interrupted" "$(psql_q -c "$(request_outcome "$rid")")"
else
  echo "ok $((n += 1)) # SKIP kill -9 of the leader (COSTSIM_CANARY_KILL9=${COSTSIM_CANARY_KILL9:-auto})"
fi

# ---------------------------------------------------------------- 3. two run_canary() at once
# Session A holds the canary's transaction advisory lock (it runs a canary, then sleeps before COMMIT).
PGAPPNAME="$APP-a" psql_q -c "BEGIN" -c "SELECT id || '|' || status FROM costsim.run_canary(0)" \
  -c "SELECT pg_sleep(5)" -c "COMMIT" >"$TMP/a.out" 2>&1 &
a_psql=$!
bg_pids+=("$a_psql")
a_holds="SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.classid = 1668510583 AND l.objid = 2 AND l.objsubid = 2 AND l.granted
            AND a.application_name = '$APP-a' AND a.query LIKE '%pg_sleep%'"
check "session A ran a canary and holds the canary lock inside its transaction" becomes 20 1 "$a_holds"
t0=$(now_ms)
b=$(PGAPPNAME="$APP-b" psql_q -c "SELECT id || '|' || status FROM costsim.run_canary(0)" 2>&1)
b_ms=$(($(now_ms) - t0))
a_still=$(psql_q -c "$a_holds")
echo "# session B's run_canary(0) returned after $b_ms ms: $b"
check "session B's run_canary(0) returns skipped" equals skipped "${b#*|}"
check "... without waiting for A (A still held the lock when B returned)" equals 1 "$a_still"
wait "$a_psql"
a_rc=$?
a=$(head -1 "$TMP/a.out")
check "session A committed; its canary ran: passed or failed ($a)" a_ran "$a_rc"
check "exactly one of the two ran; B's report says why it was skipped" \
  equals "1|1|{\"another canary was running\"}" \
  "$(psql_q -c "SELECT count(*) FILTER (WHERE status IN ('passed', 'failed')) || '|' ||
                       count(*) FILTER (WHERE status = 'skipped') || '|' ||
                       (SELECT failure_reasons::text FROM costsim.canary_reports WHERE id = ${b%%|*})
                  FROM costsim.canary_reports WHERE id IN (${a%%|*}, ${b%%|*})" 2>&1)"

# ---------------------------------------------------------------- 4. pg_cron
base=$(psql_q -c "SELECT coalesce(max(id), 0) FROM costsim.canary_requests")
cron_present=1
job=$(psql_q -c "SELECT costsim.schedule_canary('* * * * *')")
t0=$(now_ms)
check "schedule_canary('* * * * *'): cron.job has costsim-canary (job $job)" \
  equals "$job|* * * * *|SELECT costsim.request_canary()|$PGDATABASE|true" \
  "$(psql_q -c "SELECT jobid || '|' || schedule || '|' || command || '|' || database || '|' || active
                  FROM cron.job WHERE jobname = 'costsim-canary'")"
check "within 90 s cron.job_run_details shows a succeeded run of it" \
  becomes 90 t "SELECT EXISTS (SELECT FROM cron.job_run_details WHERE jobid = $job AND status = 'succeeded')"
echo "# pg_cron ran the job $(($(now_ms) - t0)) ms after it was scheduled:" \
     "$(psql_q -c "SELECT status || ', ' || return_message || ', ' || start_time FROM cron.job_run_details
                    WHERE jobid = $job ORDER BY runid LIMIT 1")"
check "unschedule_canary() returns true" equals t "$(psql_q -c "SELECT costsim.unschedule_canary()")"
check "the job is gone, and unschedule_canary() now returns false" \
  equals "0|f" "$(psql_q -c "SELECT count(*) FROM cron.job WHERE jobname = 'costsim-canary'")|$(psql_q -c "SELECT costsim.unschedule_canary()")"
cron_present=""
cron_rid=$(psql_q -c "SELECT min(q.id) FROM costsim.canary_requests q, cron.job_run_details d
                       WHERE q.id > $base AND d.jobid = $job AND d.status = 'succeeded'
                         AND q.requested_at BETWEEN d.start_time - interval '5 s' AND d.end_time + interval '5 s'")
check "the job's run queued a canary request ($cron_rid)" test -n "$cron_rid"
if [ -n "$cron_rid" ]; then
  wait_for 30 request_finished "$cron_rid"
  check "the worker executed it: the request is done, its report passed or failed" judged "$cron_rid"
else
  check "the worker executed it: the request is done, its report passed or failed" false
fi

# ---------------------------------------------------------------- 5. as found
psql_q -c "SELECT costsim.enable_v2('canary test done', 'canary_worker.sh')" >/dev/null
breaker_now() {
  psql_q -c "SELECT state || ', ' || consecutive_failures || ' consecutive failed canaries'
               FROM costsim.circuit_breakers WHERE name = 'costsim_v2'"
}
echo "# the V2 breaker before: $breaker_before; now: $(breaker_now)"
# pg_cron's canary (shadow inputs included) may have failed and counted towards a P1 trip: when the count was 0
# before, a golden canary that passes puts it back to 0.
if [ "$breaker_before" = "closed, 0 consecutive failed canaries" ] && [ "$(breaker_now)" != "$breaker_before" ]; then
  rid=$(psql_q -c "SELECT costsim.request_canary(0)")
  wait_for 30 request_finished "$rid"
  echo "# golden canary (request $rid): $(psql_q -c "SELECT string_agg(status::text, ',') FROM costsim.canary_reports
                                                      WHERE request_id = $rid"); the V2 breaker now: $(breaker_now)"
fi
check "enable_v2: the V2 breaker is closed" \
  equals closed "$(psql_q -c "SELECT state FROM costsim.circuit_breakers WHERE name = 'costsim_v2'")"
check "no canary request is left pending or running" \
  becomes 30 0 "SELECT count(*) FROM costsim.canary_requests WHERE status IN ('pending', 'running')"
check "no session of this test is left, nobody holds the canary lock, no cron job" \
  equals "0|0|0" "$(psql_q -c "SELECT (SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '$APP-%') || '|' ||
                                     (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1668510583
                                         AND objid = 2 AND objsubid = 2) || '|' ||
                                     (SELECT count(*) FROM cron.job WHERE jobname = 'costsim-canary')")"

finish
