#!/usr/bin/env bash
# The V2 circuit breaker under load (spec section 7): 8 concurrent sessions push drift over the threshold through
# the sandbox path; the breaker must open exactly once — one incident, one status_history row, one alert, one
# NOTIFY costsim_breaker — and the sandbox must stop shadowing V2 once it is open. Runs against the test cluster
# (PG* variables) as a superuser, and closes the breaker again on exit (the tests after it use the sandbox).
set -uo pipefail
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-breaker.XXXXXX") || exit 1
PGBENCH=$(pg_config --bindir)/pgbench
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench)
psql_q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
listener=""
cleanup() {
  [ -n "$listener" ] && kill "$listener" 2>/dev/null
  psql_q -c "SELECT costsim.enable_v2('integration test done', 'test/integration/breaker.sh')" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

# A plan whose V1 and V2 costs differ: an unknown skill (V1 and V2 price it differently), drift score 0.3 > 0.20.
PLAN='[{"skill":"mystery"}]'
drift=$(psql_q -c "SELECT (costsim.compare(costsim.simulate_v1('$PLAN'), costsim.simulate_v2('$PLAN')))->>'drift_score'")
check "the plan's drift score ($drift) is above the 0.20 threshold" awk -v d="$drift" 'BEGIN { exit !(d > 0.2) }'

# A fresh start: closed, with a new changed_at (the windows count only what comes after it).
psql_q -c "SELECT costsim.disable_v2('reset before the breaker test', 'breaker.sh'),
                  costsim.enable_v2('reset before the breaker test', 'breaker.sh')" >/dev/null
check "the breaker starts closed" equals closed "$(psql_q -c "SELECT state FROM costsim.circuit_breakers")"
incidents_before=$(psql_q -c "SELECT count(*) FROM costsim.incidents")
last_incident=$(psql_q -c "SELECT coalesce(max(id), 0) FROM costsim.incidents")
alerts_before=$(psql_q -c "SELECT count(*) FROM costsim.alerts")
# As a superuser this session bypasses row-level security: name the tenant (seq is per tenant).
history_before=$(psql_q -c "SELECT count(*) FROM costsim.status_history WHERE tenant_id = '_system'")
provenance_before=$(psql_q -c "SELECT count(*) FROM costsim.provenance")

# A listener, for the duration of the load (psql prints notifications after each command it runs).
psql -X -q -c "LISTEN costsim_breaker" -c "SELECT pg_sleep(20)" >"$TMP/notifications" 2>&1 &
listener=$!
sleep 1

echo "SELECT costsim.simulate(:plan::jsonb);" >"$TMP/simulate.sql"
PGOPTIONS="-c costsim.v2_sandbox=on -c costsim.v2_sample_rate=1" \
  "$PGBENCH" -n -M prepared -c 8 -j 2 -t 50 -D plan="$PLAN" -f "$TMP/simulate.sql" >"$TMP/pgbench" 2>&1
check "pgbench: 8 clients x 50 sandbox calls, none failed" \
  grep -q "number of transactions actually processed: 400" "$TMP/pgbench"

check "the breaker is open, tripped by drift" \
  equals "open|drift" "$(psql_q -c "SELECT state || '|' || trip FROM costsim.circuit_breakers")"
check "exactly one new incident: drift, p1, unresolved" \
  equals "1|drift|p1|true" "$(psql_q -c "SELECT count(*) || '|' || min(trip::text) || '|' || min(severity) || '|' || bool_and(resolved_at IS NULL) FROM costsim.incidents WHERE id > $last_incident")"
check "the incident count grew by exactly one" \
  equals "$((incidents_before + 1))" "$(psql_q -c "SELECT count(*) FROM costsim.incidents")"
check "exactly one alert queued: CostSimV2Disabled, severity p1" \
  equals "$((alerts_before + 1))|CostSimV2Disabled|p1" \
  "$(psql_q -c "SELECT (SELECT count(*) FROM costsim.alerts) || '|' || (payload->'labels'->>'alertname') || '|' || (payload->'labels'->>'severity') FROM costsim.alerts ORDER BY id DESC LIMIT 1")"
check "exactly one status_history row for the trip (closed -> open) in tenant _system" \
  equals "$((history_before + 1))|closed|open" \
  "$(psql_q -c "SELECT (SELECT count(*) FROM costsim.status_history WHERE tenant_id = '_system') || '|' || old_status || '|' || new_status FROM costsim.status_history WHERE tenant_id = '_system' ORDER BY seq DESC LIMIT 1")"
shadowed=$(($(psql_q -c "SELECT count(*) FROM costsim.provenance") - provenance_before))
echo "# shadow evaluations recorded before the breaker opened: $shadowed of 400 calls"
check "V2 was shadowed until the breaker opened (at least cb_min_samples = 20), then no more" \
  awk -v s="$shadowed" 'BEGIN { exit !(s >= 20 && s < 400) }'
check "calls after the opening are not shadowed" bash -c "
  before=\$(psql -X -A -t -c 'SELECT count(*) FROM costsim.provenance')
  PGOPTIONS='-c costsim.v2_sandbox=on -c costsim.v2_sample_rate=1' psql -X -A -t -c \"SELECT costsim.simulate('$PLAN')\" >/dev/null
  after=\$(psql -X -A -t -c 'SELECT count(*) FROM costsim.provenance')
  [ \"\$before\" = \"\$after\" ]"

wait "$listener" 2>/dev/null
listener=""
check "exactly one NOTIFY costsim_breaker, for the opening" \
  equals 1 "$(grep -c 'notification "costsim_breaker" with payload .*"state": "open"' "$TMP/notifications")"
check "the notification carries the breaker, the trip and the incident" bash -c "
  line=\$(grep 'notification \"costsim_breaker\"' '$TMP/notifications')
  grep -q '\"breaker\": \"costsim_v2\"' <<<\"\$line\" && grep -q '\"trip\": \"drift\"' <<<\"\$line\" &&
  grep -q '\"incident_id\": [0-9]' <<<\"\$line\""

# Closing again: one resolution, one more alert.
psql_q -c "SELECT costsim.enable_v2('drift understood', 'breaker.sh')" >/dev/null
check "enable_v2 closes it and resolves the incident" \
  equals "closed|breaker.sh" "$(psql_q -c "SELECT (SELECT state FROM costsim.circuit_breakers) || '|' || resolved_by FROM costsim.incidents ORDER BY id DESC LIMIT 1")"

# A change committed by another session while a REPEATABLE READ transaction runs: once the transaction has seen
# the change, it must not shadow V2 again (the breaker's row is read as of now, not as of its snapshot), nor after.
(
  PGOPTIONS="-c costsim.v2_sandbox=on -c costsim.v2_sample_rate=1 -c costsim.cb_auto_trip=off" psql -X -q -A -t \
    -c "BEGIN ISOLATION LEVEL REPEATABLE READ" \
    -c "SELECT costsim.simulate('$PLAN', 1000, NULL, 'rr-0')" \
    -c "SELECT pg_sleep(2)" \
    -c "SELECT costsim.simulate('$PLAN', 1000, NULL, 'rr-1')" \
    -c "SELECT costsim.simulate('$PLAN', 1000, NULL, 'rr-2')" \
    -c "COMMIT" \
    -c "SELECT costsim.simulate('$PLAN', 1000, NULL, 'rr-3')" >"$TMP/rr" 2>&1
) &
rr=$!
sleep 1
psql_q -c "SELECT costsim.disable_v2('repeatable read test', 'breaker.sh')" >/dev/null
wait "$rr"
check "a REPEATABLE READ session shadowed V2 before the change (rr-0)" \
  equals 1 "$(psql_q -c "SELECT count(*) FROM costsim.provenance WHERE run_id = 'rr-0'")"
check "once it has seen the change, no more shadowing in that transaction (rr-2) nor after it (rr-3)" \
  equals 0 "$(psql_q -c "SELECT count(*) FROM costsim.provenance WHERE run_id IN ('rr-2', 'rr-3')")"
psql_q -c "SELECT costsim.enable_v2('repeatable read test done', 'breaker.sh')" >/dev/null

finish
