#!/usr/bin/env bash
# The whole monitoring chain on loopback (spec section 11): PostgreSQL -> prometheus-postgres-exporter (with
# monitoring/queries.yaml, connecting as a role made the way monitoring/README.md says) -> Prometheus (with
# monitoring/rules/costsim.yml) -> Alertmanager (with monitoring/alertmanager.yml) -> a webhook receiver standing in
# for the pager and Slack; the database's own breaker alerts go to the same Alertmanager (costsim.alertmanager_url,
# delivered by the background worker). Drift is induced in the database through the sandbox path (drift score
# 0.3 > 0.20); the breaker must open by itself, the exporter must show it, Prometheus must fire the P1 drift alert and
# the breaker alert, and Alertmanager must page the P1 (and the database's p1 CostSimV2Disabled, then
# CostSimV2Reenabled), send the P2 to Slack and hold back the P2 drift warning while the P1 fires.
#
# Time is compressed: scrape and evaluation every second, and every `for:` of the rules shortened from minutes to
# the same number of seconds (5m -> 5s, 15m -> 15s, ...) by sed in a temporary copy of the rules; Alertmanager's
# group_wait/group_interval likewise. The rate() windows stay as they are: the drift histogram counters are cumulative
# and cluster-wide, so Prometheus scrapes them before the burst and rate() over the window then holds the burst alone.
#
# Runs against the test cluster (PG* variables) as a superuser (it creates and drops a login role for the exporter,
# so local connections must not need a password, as with scripts/cluster.sh) and needs the background worker
# (costsim.worker_count >= 1). Every server it starts listens on 127.0.0.1 only and is stopped on exit, pass or fail;
# on exit costsim.alertmanager_url is reset and the breaker closed again (later tests use the sandbox).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
MON=$ROOT/monitoring
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-monitoring-chain.XXXXXX") || exit 1
EXPORTER_ROLE=costsim_exporter_chain_test
ALERTMANAGER=$(command -v prometheus-alertmanager || command -v alertmanager)
psql_q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }

pids=()
stop_process() {  # stop_process PID: TERM, up to 10 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
cleanup() {
  local pid
  psql_q -c "ALTER SYSTEM RESET costsim.alertmanager_url" -c "SELECT pg_reload_conf()" >/dev/null 2>&1
  for pid in "${pids[@]}"; do stop_process "$pid"; done
  psql_q -c "SELECT costsim.enable_v2('monitoring test done', 'monitoring_chain.sh')" >/dev/null 2>&1
  psql_q -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS $EXPORTER_ROLE" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"
free_port() {  # a free TCP port on 127.0.0.1, from the kernel
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });"
}
give_up() {  # a prerequisite failed: report it as a failure and stop (the trap cleans up)
  echo "# giving up: $1"
  echo "$n checks, $((failures + 1)) failed"
  exit 1
}

EXPORTER_PORT=$(free_port) PROMETHEUS_PORT=$(free_port) ALERTMANAGER_PORT=$(free_port) HOOK_PORT=$(free_port)
echo "# loopback ports: exporter $EXPORTER_PORT, prometheus $PROMETHEUS_PORT, alertmanager $ALERTMANAGER_PORT, webhook $HOOK_PORT"

# ---- the exporter's role (monitoring/README.md) and the exporter ----
psql_q -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS $EXPORTER_ROLE" -c "CREATE ROLE $EXPORTER_ROLE LOGIN IN ROLE costsim_auditor, pg_monitor" \
  || give_up "cannot create the exporter's role"
DATA_SOURCE_NAME="host=${PGHOST:-/var/run/postgresql} port=${PGPORT:-5432} user=$EXPORTER_ROLE dbname=${PGDATABASE:-costsim} sslmode=disable" \
  prometheus-postgres-exporter --web.listen-address="127.0.0.1:$EXPORTER_PORT" --extend.query-path="$MON/queries.yaml" \
  --disable-default-metrics --disable-settings-metrics --log.level=warn >"$TMP/exporter.log" 2>&1 &
pids+=($!)

scrape_exporter() {  # the exporter's /metrics into $TMP/metrics; fails unless HTTP 200
  [ "$(curl -s -o "$TMP/metrics" -w '%{http_code}' "http://127.0.0.1:$EXPORTER_PORT/metrics")" = 200 ]
}
exporter_up() { scrape_exporter && grep -qx 'pg_up 1' "$TMP/metrics"; }
check "exporter: listening on 127.0.0.1, connected to PostgreSQL as $EXPORTER_ROLE (pg_up 1)" wait_for 30 exporter_up
scrape_exporter
exporter_healthy() {
  grep -q '^pg_exporter_user_queries_load_error{.*} 0$' "$TMP/metrics" &&
    grep -qx 'pg_exporter_last_scrape_error 0' "$TMP/metrics" ||
    { grep '^pg_exporter' "$TMP/metrics"; cat "$TMP/exporter.log"; return 1; }
}
check "exporter: queries.yaml loaded (pg_exporter_user_queries_load_error 0) and the last scrape had no error" exporter_healthy
exporter_has_series() {
  grep -q '^costsim_runs_total{.*status="success".*version="v2"} ' "$TMP/metrics" &&
    grep -q '^costsim_drift_score_bucket{.*le="0.2"} ' "$TMP/metrics" &&
    grep -q '^costsim_drift_score_count{.*} ' "$TMP/metrics" &&
    grep -q '^costsim_runtime_ms_bucket{.*version="v1".*le="+Inf"} ' "$TMP/metrics" &&
    grep -q '^costsim_v2_circuit_breaker_state{.*} ' "$TMP/metrics" &&
    grep -q '^costsim_cb_incidents_total{.*severity="p1".*} ' "$TMP/metrics" ||
    { grep '^costsim' "$TMP/metrics"; return 1; }
}
check "exporter: /metrics has costsim_runs_total, the drift histogram, the breaker state and the incident counters" \
  exporter_has_series
no_duplicate_series() { ! grep '^costsim' "$TMP/metrics" | sed 's/ [^ ]*$//' | sort | uniq -d | grep .; }
check "exporter: no two costsim series with the same name and labels" no_duplicate_series

# ---- a webhook receiver (pager and Slack stand-in): one JSON line per request ----
cat >"$TMP/hook.js" <<'EOF'
const http = require('http');
const fs = require('fs');
const [port, file] = process.argv.slice(2);
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    fs.appendFileSync(file, JSON.stringify({ path: req.url, body }) + '\n');
    res.end('ok');
  });
}).listen(Number(port), '127.0.0.1');
EOF
: >"$TMP/hook.jsonl"
node "$TMP/hook.js" "$HOOK_PORT" "$TMP/hook.jsonl" >"$TMP/hook.log" 2>&1 &
pids+=($!)

# ---- Alertmanager: the shipped routing, receivers pointed at the webhook, grouping waits of a second ----
sed -e "s#http://127.0.0.1:9095/#http://127.0.0.1:$HOOK_PORT/#g" \
    -e "s#https://hooks.slack.com/services/[^']*#http://127.0.0.1:$HOOK_PORT/slack#" \
    -e 's/group_wait: [0-9]*[sm]/group_wait: 1s/' -e 's/group_interval: [0-9]*[sm]/group_interval: 1s/' \
    "$MON/alertmanager.yml" >"$TMP/alertmanager.yml"
check "alertmanager: the test copy of monitoring/alertmanager.yml is valid" amtool check-config "$TMP/alertmanager.yml"
"$ALERTMANAGER" --config.file="$TMP/alertmanager.yml" --storage.path="$TMP/alertmanager-data" \
  --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address= --log.level=warn \
  >"$TMP/alertmanager.log" 2>&1 &
pids+=($!)

# ---- Prometheus: the shipped rules with `for:` in seconds instead of minutes, 1 s scrape and evaluation ----
mkdir -p "$TMP/rules"
sed -E 's/^( +for: )([0-9]+)m$/\1\2s/' "$MON/rules/costsim.yml" >"$TMP/rules/costsim.yml"
fors_in_seconds() {
  ! grep -E '^ +for: ' "$TMP/rules/costsim.yml" | grep -vE 'for: [0-9]+s$' | grep . &&
    grep -qE '^ +for: 5s$' "$TMP/rules/costsim.yml"
}
check "rules: every 'for:' shortened from minutes to seconds in the test copy" fors_in_seconds
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $TMP/rules/costsim.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:$ALERTMANAGER_PORT']
scrape_configs:
  - job_name: costsim
    static_configs:
      - targets: ['127.0.0.1:$EXPORTER_PORT']
EOF
check "prometheus: the test configuration is valid" promtool check config "$TMP/prometheus.yml"
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/prometheus-data" \
  --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --log.level=warn >"$TMP/prometheus.log" 2>&1 &
pids+=($!)

PROM=http://127.0.0.1:$PROMETHEUS_PORT
AM=http://127.0.0.1:$ALERTMANAGER_PORT
prom_query() {  # prom_query PROMQL: the first sample's value, or nothing
  curl -s --get --data-urlencode "query=$1" "$PROM/api/v1/query" |
    node -e "let s = ''; process.stdin.on('data', (c) => s += c).on('end', () => {
      const r = JSON.parse(s).data.result; if (r.length) console.log(r[0].value[1]); });"
}
servers_ready() { curl -sf "$PROM/-/ready" >/dev/null && curl -sf "$AM/-/ready" >/dev/null; }
check "prometheus and alertmanager are ready" wait_for 30 servers_ready
loopback_only() {  # every TCP socket the started processes listen on is bound to 127.0.0.1 (from /proc, no tools)
  node - "${pids[@]}" <<'EOF'
const fs = require('fs');
const loopback = new Set(['0100007F', '0000000000000000FFFF00000100007F', '00000000000000000000000001000000']);
const listening = new Map();   // socket inode -> local address (hex)
for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
  if (!fs.existsSync(file)) continue;
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[3] === '0A') listening.set(f[9], f[1]);
  }
}
let bad = 0;
for (const pid of process.argv.slice(2)) {
  const addrs = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try { target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch (e) { continue; }
    const m = target.match(/^socket:\[(\d+)\]$/);
    if (m && listening.has(m[1])) addrs.push(listening.get(m[1]));
  }
  const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  console.log(`${pid} ${cmd}: ${addrs.join(' ') || 'no listening socket'}`);
  if (addrs.length === 0 || addrs.some((a) => !loopback.has(a.split(':')[0]))) bad++;
}
process.exit(bad ? 1 : 0);
EOF
}
check "every server started here (exporter, webhook, alertmanager, prometheus) listens on 127.0.0.1 only" loopback_only
# The database's own breaker alerts go to this Alertmanager too (reset on exit).
psql_q -c "ALTER SYSTEM SET costsim.alertmanager_url = '$AM'" -c "SELECT pg_reload_conf()" >/dev/null
# The baseline: the counters are cluster-wide and cumulative; rate() needs samples from before the burst.
baseline_scraped() {
  [ "$(prom_query 'up{job="costsim"}')" = 1 ] &&
    [ "$(prom_query 'count_over_time(costsim_drift_score_count[1m])')" -ge 3 ] 2>/dev/null
}
check "prometheus scrapes the exporter (up 1) and has the drift histogram from before the burst" \
  wait_for 30 baseline_scraped

# ---- induce drift: an unknown skill prices differently in V1 and V2 (drift score 0.3) ----
PLAN='[{"skill":"mystery"}]'
drift=$(psql_q -c "SELECT (costsim.compare(costsim.simulate_v1('$PLAN'), costsim.simulate_v2('$PLAN')))->>'drift_score'")
check "the plan's drift score ($drift) is above the 0.20 threshold" awk -v d="$drift" 'BEGIN { exit !(d > 0.2) }'
[ "$(psql_q -c "SELECT state FROM costsim.circuit_breakers WHERE name = 'costsim_v2'")" = closed ] ||
  psql_q -c "SELECT costsim.enable_v2('closed before the monitoring chain test', 'monitoring_chain.sh')" >/dev/null
check "the breaker starts closed" equals closed "$(psql_q -c "SELECT state FROM costsim.circuit_breakers WHERE name = 'costsim_v2'")"
for i in $(seq 300); do echo "SELECT costsim.simulate('$PLAN');"; done >"$TMP/burst.sql"
burst_start=$SECONDS
check "300 sandbox simulations (v2_sandbox on, sample rate 1), each its own transaction" \
  env PGOPTIONS="-c costsim.v2_sandbox=on -c costsim.v2_sample_rate=1" psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -f "$TMP/burst.sql"
check "the breaker opened by itself, tripped by drift" \
  equals "open|drift" "$(psql_q -c "SELECT state || '|' || trip FROM costsim.circuit_breakers WHERE name = 'costsim_v2'")"
incident=$(psql_q -c "SELECT coalesce(incident_id, 0) FROM costsim.circuit_breakers WHERE name = 'costsim_v2'")

exporter_shows_open() {
  scrape_exporter && grep -qE '^costsim_v2_circuit_breaker_state\{.*\} 1$' "$TMP/metrics" &&
    grep -qE '^costsim_cb_incidents_total\{.*severity="p1".*\} [1-9]' "$TMP/metrics" ||
    { grep '^costsim_v2\|^costsim_cb' "$TMP/metrics"; return 1; }
}
check "exporter: costsim_v2_circuit_breaker_state is 1 (open) and the p1 incident is counted" exporter_shows_open

# ---- Prometheus fires the alerts ----
alert_state() {  # alert_state ALERTNAME: state|value|severity|priority of the alert in Prometheus, if any
  curl -s "$PROM/api/v1/alerts" | node -e "let s = ''; process.stdin.on('data', (c) => s += c).on('end', () => {
    const a = JSON.parse(s).data.alerts.find((x) => x.labels.alertname === '$1');
    if (a) console.log([a.state, a.value, a.labels.severity, a.labels.priority, a.labels.instance].join('|')); });"
}
firing() {  # firing ALERTNAME (prints what Prometheus has, so a timeout shows the last state)
  local st
  st=$(alert_state "$1")
  echo "$1: ${st:-not active}"
  [[ $st == firing\|* ]]
}
check "prometheus: CostSimDriftCritical (P1, drift p95 > 0.2) is firing within 60 s" wait_for 60 firing CostSimDriftCritical
echo "# $((SECONDS - burst_start)) s after the burst started, CostSimDriftCritical: $(alert_state CostSimDriftCritical)"
p1_alert_labelled() {
  local state value sev pri inst
  IFS='|' read -r state value sev pri inst <<<"$(alert_state CostSimDriftCritical)"
  echo "$state $value $sev $pri $inst"
  [ "$sev|$pri|$inst" = "critical|P1|127.0.0.1:$EXPORTER_PORT" ] && awk -v v="$value" 'BEGIN { exit !(v > 0.2 && v <= 0.3) }'
}
check "prometheus: the P1 alert is critical/P1 for the exporter's instance, its value (p95) in (0.2, 0.3]" p1_alert_labelled
check "prometheus: CostSimV2BreakerOpen (P2) is firing" wait_for 30 firing CostSimV2BreakerOpen
check "prometheus: CostSimDriftWarning (P2, p95 > 0.15, for 15m shortened to 15s) is firing" \
  wait_for 60 firing CostSimDriftWarning

# ---- Alertmanager routes them ----
hook_received() {  # hook_received PATH ALERTNAME: a notification for ALERTNAME reached PATH
  node -e "
    const lines = require('fs').readFileSync('$TMP/hook.jsonl', 'utf8').split('\n').filter((l) => l);
    const hit = lines.map((l) => JSON.parse(l)).some((r) => r.path === '$1' && r.body.includes('$2'));
    process.exit(hit ? 0 : 1);"
}
check "alertmanager: the P1 drift alert paged (webhook /costsim/pager)" \
  wait_for 30 hook_received /costsim/pager '"alertname":"CostSimDriftCritical"'
check "alertmanager: the P2 breaker alert went to Slack (/slack)" wait_for 30 hook_received /slack CostSimV2BreakerOpen
am_state() {  # am_state ALERTNAME: Alertmanager's status of the alert (active, suppressed, ...)
  curl -s "$AM/api/v2/alerts" | node -e "let s = ''; process.stdin.on('data', (c) => s += c).on('end', () => {
    const a = JSON.parse(s).find((x) => x.labels.alertname === '$1'); if (a) console.log(a.status.state); });"
}
warning_suppressed() { [ "$(am_state CostSimDriftWarning)" = suppressed ]; }
warning_inhibited() {
  wait_for 20 warning_suppressed || { echo "state in alertmanager: $(am_state CostSimDriftWarning)"; return 1; }
  sleep 2   # a group_interval and more: a notification, if any, would have gone out
  ! hook_received /slack CostSimDriftWarning
}
check "alertmanager: CostSimDriftWarning is received but inhibited while the P1 fires (suppressed, not sent to Slack)" \
  warning_inhibited
db_alert_paged() {  # db_alert_paged ALERTNAME: the database's own alert for this test's incident reached the pager
  node -e "
    const lines = require('fs').readFileSync('$TMP/hook.jsonl', 'utf8').split('\n').filter((l) => l);
    const hit = lines.map((l) => JSON.parse(l)).filter((r) => r.path === '/costsim/pager')
      .flatMap((r) => JSON.parse(r.body).alerts)
      .some((a) => a.labels.alertname === '$1' && a.labels.incident_id === '$incident' && a.labels.severity === 'p1'
                   && a.labels.component === 'costsim' && a.annotations.runbook_url.startsWith('docs/runbooks/'));
    process.exit(hit ? 0 : 1);"
}
check "alertmanager: the database's own CostSimV2Disabled (p1, incident $incident), sent by the worker, paged" \
  wait_for 30 db_alert_paged CostSimV2Disabled
routed_apart() { ! hook_received /slack CostSimDriftCritical && ! hook_received /costsim/pager CostSimV2BreakerOpen; }
check "alertmanager: nothing P1 went to Slack, nothing P2 paged" routed_apart

# ---- close the breaker again (later tests need it closed) ----
psql_q -c "SELECT costsim.enable_v2('monitoring test done', 'monitoring_chain.sh')" >/dev/null
closed_again() {
  equals closed "$(psql_q -c "SELECT state FROM costsim.circuit_breakers WHERE name = 'costsim_v2'")" &&
    scrape_exporter && grep -qE '^costsim_v2_circuit_breaker_state\{.*\} 0$' "$TMP/metrics"
}
check "enable_v2 closes the breaker, and the exporter shows it (state 0)" closed_again
check "alertmanager: the database's CostSimV2Reenabled for incident $incident paged" \
  wait_for 30 db_alert_paged CostSimV2Reenabled

finish
