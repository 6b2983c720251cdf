#!/usr/bin/env bash
# The background workers (issue 5): with costsim.worker_count = 2 exactly one leads (a session advisory lock) and
# the other takes over within 2 s when the leader dies (pg_terminate_backend, then kill -9, which makes the
# postmaster restart every process); an alert a dead worker was sending is requeued and says so; queued alerts are
# delivered to a real Alertmanager (Debian's prometheus-alertmanager, on loopback) and show up in its API; an
# unreachable or refusing URL gives the backoff schedule min(2^attempts, 300) s, then `failed`, and nothing is
# marked sent that was not accepted. Runs against the test cluster (PG* variables, a superuser, started with
# COSTSIM_WORKERS=2); stops what it starts, resets what it sets.
set -uo pipefail
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-worker.XXXXXX") || exit 1
chmod 755 "$TMP"
psql_q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
am_pid=""
cleanup() {
  [ -n "$am_pid" ] && kill "$am_pid" 2>/dev/null && wait "$am_pid" 2>/dev/null
  psql_q -c "ALTER SYSTEM RESET costsim.alertmanager_url" -c "SELECT pg_reload_conf()" >/dev/null 2>&1
  psql_q -c "SELECT costsim.enable_v2('worker test done', 'worker.sh')" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"
leader() { psql_q -c "SELECT coalesce(leader_pid, 0) FROM costsim.worker_status()" 2>/dev/null || echo 0; }
# The pid holding the leadership lock now (pg_locks: advisory, classid 0x63737377, objid 1).
lock_holder() {
  psql_q -c "SELECT coalesce(min(pid), 0) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1668510583
               AND objid = 1 AND objsubid = 2 AND granted" 2>/dev/null || echo 0
}
new_leader() {  # new_leader OLD_PID: a leader holds the lock, and it is not OLD_PID
  local pid
  pid=$(lock_holder)
  [ "$pid" != 0 ] && [ "$pid" != "$1" ]
}

# ---------------------------------------------------------------- leadership
check "two workers are configured" equals 2 "$(psql_q -c "SELECT workers FROM costsim.worker_status()")"
wait_for 10 new_leader 0
check "two costsim worker processes run" \
  equals 2 "$(psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'costsim worker'")"
first=$(lock_holder)
check "exactly one holds the leadership lock, and worker_status names it" \
  equals "1|$first" "$(psql_q -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1668510583 AND objid = 1 AND granted")|$(leader)"
check "the leader runs its cycle (last_cycle within the last 3 s)" \
  wait_for 5 bash -c "[ \"\$(psql -X -A -t -c \"SELECT last_cycle > now() - interval '3 s' FROM costsim.worker_status()\")\" = t ]"

t0=$(now_ms)
psql_q -c "SELECT pg_terminate_backend($first)" >/dev/null
wait_for 10 new_leader "$first"
took=$(($(now_ms) - t0))
echo "# pg_terminate_backend of the leader: another worker led after $took ms"
check "after pg_terminate_backend of the leader, another leads within 2 s ($took ms)" \
  bash -c "new_leader() { p=\$(psql -X -A -t -c \"SELECT coalesce(min(pid),0) FROM pg_locks WHERE locktype='advisory' AND classid=1668510583 AND objid=1 AND granted\"); [ \"\$p\" != 0 ] && [ \"\$p\" != $first ]; }; new_leader && [ $took -le 2000 ]"

# An alert "being sent" when the leader dies, as a dead worker leaves it: the next leader requeues it and says so.
# synchronous_commit on: the test cluster runs with it off, and a crash restart loses commits whose WAL was not
# yet written out of shared memory.
PGOPTIONS="-c synchronous_commit=on" psql_q -c "SELECT costsim.disable_v2('worker test: in-flight alert', 'worker.sh')" >/dev/null
in_flight=$(psql_q -c "SELECT max(id) FROM costsim.alerts")
PGOPTIONS="-c synchronous_commit=on" psql_q \
  -c "UPDATE costsim.alerts SET status = 'sending', attempts = attempts + 1 WHERE id = $in_flight" >/dev/null

second=$(lock_holder)
postmaster=$(head -1 "$(psql_q -c "SHOW data_directory")/postmaster.pid" 2>/dev/null || echo "")
t0=$(now_ms)
kill -9 "$second"
# The postmaster ends every backend and worker, recovers, and starts the workers again.
wait_for 60 bash -c "psql -X -A -t -c 'SELECT 1' >/dev/null 2>&1"
wait_for 30 new_leader "$second"
took=$(($(now_ms) - t0))
echo "# kill -9 of the leader: the server restarted every process and a worker led after $took ms"
check "after kill -9 of the leader (a crash restart), a worker leads again ($took ms)" new_leader "$second"
check "the postmaster survived (it restarted its children, not itself)" \
  equals "$postmaster" "$(head -1 "$(psql_q -c "SHOW data_directory")/postmaster.pid" 2>/dev/null)"
check "the alert in flight when a worker died is requeued, and says why" \
  wait_for 10 bash -c "[ \"\$(psql -X -A -t -c \"SELECT status || '|' || (last_error LIKE 'interrupted:%') FROM costsim.alerts WHERE id = $in_flight\")\" = 'queued|true' ]"

# ---------------------------------------------------------------- delivery to a real Alertmanager
AM=$(command -v prometheus-alertmanager || true)
if [ -z "$AM" ]; then echo "not ok $((n + 1)) - prometheus-alertmanager is installed"; exit 1; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
       node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cat >"$TMP/alertmanager.yml" <<'YAML'
route:
  receiver: nobody
  group_wait: 1s
receivers:
  - name: nobody
YAML
mkdir -p "$TMP/am-data"
"$AM" --config.file="$TMP/alertmanager.yml" --storage.path="$TMP/am-data" --web.listen-address="127.0.0.1:$port" \
  --cluster.listen-address= >"$TMP/am.log" 2>&1 &
am_pid=$!
check "Alertmanager answers on 127.0.0.1:$port" wait_for 20 curl -sf "http://127.0.0.1:$port/-/ready"

psql_q -c "ALTER SYSTEM SET costsim.alertmanager_url = 'http://127.0.0.1:$port'" -c "SELECT pg_reload_conf()" >/dev/null
check "the queued alerts are sent (status sent, sent_at set)" \
  wait_for 20 bash -c "[ \"\$(psql -X -A -t -c \"SELECT count(*) FROM costsim.alerts WHERE status <> 'sent' AND status <> 'failed'\")\" = 0 ]"
incident=$(psql_q -c "SELECT incident_id FROM costsim.alerts WHERE id = $in_flight")
check "Alertmanager's API shows CostSimV2Disabled for the incident" \
  wait_for 10 bash -c "curl -sf 'http://127.0.0.1:$port/api/v2/alerts' | grep -q '\"alertname\":\"CostSimV2Disabled\"' &&
                       curl -sf 'http://127.0.0.1:$port/api/v2/alerts' | grep -q '\"incident_id\":\"$incident\"'"
check "its labels: severity p2, component costsim, circuit_breaker costsim_v2" \
  bash -c "curl -sf 'http://127.0.0.1:$port/api/v2/alerts' | grep -q '\"severity\":\"p2\"' &&
           curl -sf 'http://127.0.0.1:$port/api/v2/alerts' | grep -q '\"component\":\"costsim\"' &&
           curl -sf 'http://127.0.0.1:$port/api/v2/alerts' | grep -q '\"circuit_breaker\":\"costsim_v2\"'"
check "worker_status counts the alerts sent" \
  bash -c "[ \"\$(psql -X -A -t -c 'SELECT alerts_sent > 0 FROM costsim.worker_status()')\" = t ]"

# ---------------------------------------------------------------- refused and unreachable
# A URL that answers 404 (Alertmanager under another path): not accepted, so not sent.
psql_q -c "ALTER SYSTEM SET costsim.alertmanager_url = 'http://127.0.0.1:$port/nowhere'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
psql_q -c "SELECT costsim.enable_v2('worker test: refused alert', 'worker.sh')" >/dev/null
refused=$(psql_q -c "SELECT max(id) FROM costsim.alerts")
check "an alert Alertmanager refuses (HTTP 404) is not marked sent: queued again, attempt 1, HTTP 404" \
  wait_for 10 bash -c "[ \"\$(psql -X -A -t -c \"SELECT status || '|' || attempts || '|' || last_error FROM costsim.alerts WHERE id = $refused\")\" = 'queued|1|HTTP 404 from Alertmanager' ]"
check "its next attempt is 2^1 = 2 s after the failure" \
  equals t "$(psql_q -c "SELECT next_attempt_at BETWEEN now() - interval '1 s' AND now() + interval '2.2 s' FROM costsim.alerts WHERE id = $refused")"

# Unreachable: nothing listens on the port any more.
kill "$am_pid" 2>/dev/null; wait "$am_pid" 2>/dev/null; am_pid=""
psql_q -c "ALTER SYSTEM SET costsim.alertmanager_url = 'http://127.0.0.1:$port'" -c "SELECT pg_reload_conf()" >/dev/null
check "unreachable: attempt 2 fails, next attempt 2^2 = 4 s later" \
  wait_for 10 bash -c "[ \"\$(psql -X -A -t -c \"SELECT attempts || '|' || (last_error NOT LIKE 'HTTP%') || '|' || (next_attempt_at - now() BETWEEN interval '2 s' AND interval '4.2 s') FROM costsim.alerts WHERE id = $refused\")\" = '2|true|true' ]"
# The schedule at higher attempts, without waiting for it: at 8 attempts the 9th failure waits 2^9 = 512 -> 300 s;
# the 10th failure is final.
psql_q -c "UPDATE costsim.alerts SET attempts = 8, next_attempt_at = now() WHERE id = $refused" >/dev/null
check "attempt 9 fails: next attempt min(2^9, 300) = 300 s later" \
  wait_for 10 bash -c "[ \"\$(psql -X -A -t -c \"SELECT attempts || '|' || status || '|' || (next_attempt_at - now() BETWEEN interval '297 s' AND interval '300.2 s') FROM costsim.alerts WHERE id = $refused\")\" = '9|queued|true' ]"
psql_q -c "UPDATE costsim.alerts SET next_attempt_at = now() WHERE id = $refused" >/dev/null
check "attempt 10 fails: the alert is failed, never sent" \
  wait_for 10 bash -c "[ \"\$(psql -X -A -t -c \"SELECT attempts || '|' || status || '|' || (sent_at IS NULL) FROM costsim.alerts WHERE id = $refused\")\" = '10|failed|true' ]"
check "worker_status counts the failed posts" \
  bash -c "[ \"\$(psql -X -A -t -c 'SELECT alert_send_failures >= 3 FROM costsim.worker_status()')\" = t ]"

# Without a URL, alerts stay queued.
psql_q -c "ALTER SYSTEM RESET costsim.alertmanager_url" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
psql_q -c "SELECT costsim.disable_v2('worker test: no url', 'worker.sh')" >/dev/null
queued=$(psql_q -c "SELECT max(id) FROM costsim.alerts")
sleep 2.5
check "with no costsim.alertmanager_url the alert stays queued, untried" \
  equals "queued|0" "$(psql_q -c "SELECT status || '|' || attempts FROM costsim.alerts WHERE id = $queued")"

finish
