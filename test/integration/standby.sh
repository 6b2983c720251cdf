#!/usr/bin/env bash
# The background workers and a hot standby (issue 5): a streaming standby of the test cluster (pg_basebackup -R)
# starts no costsim worker while it is in recovery (they start after recovery, BgWorkerStart_RecoveryFinished),
# answers read-only calls (v2_status, simulate: V1's answer, the shadow row it cannot write is counted, not
# raised), and once promoted its workers start, one leads, and it runs a canary request. Runs against the test
# cluster (PG* variables, a superuser); the standby lives in a temporary directory on its own loopback port and
# is stopped and removed on exit, pass or fail.
set -uo pipefail
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-standby.XXXXXX") || exit 1
chmod 755 "$TMP"
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
STANDBY=$TMP/data
standby_up=0
source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

# The server runs as the postgres OS user when we are root (as scripts/cluster.sh does).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres: "$TMP"
cleanup() {
  if [ "$standby_up" = 1 ]; then as_pg "$PG_BINDIR/pg_ctl" -D "$STANDBY" -m immediate -w stop >/dev/null 2>&1; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

port=$((PGPORT + 100))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
primary() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
standby() { psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$TMP" -p "$port" "$@"; }

# ---------------------------------------------------------------- a streaming standby
check "pg_basebackup -R makes a standby of the test cluster" \
  as_pg "$PG_BINDIR/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -D "$STANDBY" -R -X stream -c fast
cat >>"$STANDBY/postgresql.auto.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$TMP'
hot_standby = on
EOF
check "the standby starts" as_pg "$PG_BINDIR/pg_ctl" -D "$STANDBY" -l "$TMP/standby.log" -w -t 60 start
standby_up=1
check "it is in recovery" equals t "$(standby -c 'SELECT pg_is_in_recovery()' 2>&1)"

# The same configuration as the primary's: costsim preloaded, two workers. None may start while in recovery;
# watch for 3 s (a worker that started would show within the primary's 1 s start-up).
workers() {
  standby -c "SELECT pg_stat_clear_snapshot(); SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'costsim worker'" \
    2>/dev/null | tail -n 1
}
no_worker_for_3s() {
  local deadline=$(($(now_ms) + 3000))
  while [ "$(now_ms)" -lt "$deadline" ]; do [ "$(workers)" = 0 ] || return 1; sleep 0.2; done
}
check "the standby has the extension and 2 workers configured" \
  equals "1|2" "$(standby -c "SELECT count(*), current_setting('costsim.worker_count') FROM pg_extension WHERE extname = 'costsim'" 2>&1)"
check "no costsim worker runs on the standby while it is in recovery" no_worker_for_3s
check "worker_status on the standby: no leader" \
  equals "2|0" "$(standby -c 'SELECT workers, coalesce(leader_pid, 0) FROM costsim.worker_status()' 2>&1)"

# ---------------------------------------------------------------- read-only calls on the standby
check "v2_status() answers on the standby" \
  equals closed "$(standby -c "SELECT costsim.v2_status()->'breaker'->>'state'" 2>&1)"
check "the reference datasets are readable on the standby" \
  equals 5 "$(standby -c "SELECT count(*) FROM costsim.reference_datasets WHERE 'golden' = ANY (tags)" 2>&1)"
failures_before=$(standby -c "SELECT coalesce(sum(value), 0) FROM costsim.metrics WHERE name = 'costsim_provenance_write_failures_total'")
answer=$(standby -c "SET costsim.v2_sandbox = on; SET costsim.v2_sample_rate = 1;
                     SELECT costsim.simulate('[{\"skill\":\"llm_invoke\",\"params\":{\"prompt\":\"standby\"}}]', 100)->>'estimated_cost_cents'" 2>&1)
check "simulate with the sandbox on answers V1's cost on the standby (spec: llm_invoke 5 cents)" equals 5 "$answer"
check "the shadow row it could not write is counted as a provenance write failure" \
  equals "$((failures_before + 1))" \
  "$(standby -c "SELECT sum(value)::bigint FROM costsim.metrics WHERE name = 'costsim_provenance_write_failures_total'")"
check "run_canary on the standby is refused as a read-only transaction (an ERROR, the server stays up)" \
  bash -c "psql -X -h '$TMP' -p $port -c 'SELECT costsim.run_canary(0)' 2>&1 | grep -q 'ERROR:.*read-only transaction' &&
           [ \"\$(psql -X -A -t -h '$TMP' -p $port -c 'SELECT 1')\" = 1 ]"

# ---------------------------------------------------------------- promotion
check "the standby is promoted" as_pg "$PG_BINDIR/pg_ctl" -D "$STANDBY" -w -t 60 promote
led() { [ "$(standby -c 'SELECT coalesce(leader_pid, 0) > 0 FROM costsim.worker_status()' 2>/dev/null)" = t ]; }
check "after promotion its workers start and one leads (within 15 s)" wait_for 15 led
check "two costsim workers run on the promoted server" wait_for 10 bash -c "[ \"\$(psql -X -A -t -q -h '$TMP' -p $port -c \"SELECT pg_stat_clear_snapshot(); SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'costsim worker'\" | tail -n 1)\" = 2 ]"
request=$(standby -c "SELECT costsim.request_canary(0)")
ran() {
  [ -n "$(standby -c "SELECT status FROM costsim.canary_reports WHERE request_id = $request AND status IN ('passed', 'failed')")" ]
}
check "the promoted server's leader runs a canary request" wait_for 30 ran

finish
