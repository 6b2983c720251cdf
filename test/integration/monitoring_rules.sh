#!/usr/bin/env bash
# The monitoring configuration (spec section 11), checked with the tools that consume it, plus the exporter's
# queries run against the database:
#   - promtool check rules / test rules (monitoring/rules/costsim.yml and its unit tests), amtool check-config and
#     routing (P1 -> pager, P2 -> Slack, P3 -> default, for Prometheus alerts and for the database's own alerts),
#     promtool check config (monitoring/prometheus.yml);
#   - every alert of section 11 is defined, with matching severity/priority labels and a runbook that exists, and the
#     runbooks the database's own alerts point at exist;
#   - every query of monitoring/queries.yaml runs as costsim_auditor (the role the README gives the exporter), returns
#     the columns it declares, never two rows with the same label set, and well-formed histograms; once on the real
#     costsim.metrics, once on synthetic metrics shaped like every series of section 11 (including those the
#     extension does not provide yet), where every section 11 metric must come out with its labels; the breaker's
#     and the alert queue's series, as exported, equal what the tables say.
# Runs against the test cluster (PG* variables) as a superuser; writes nothing to the database.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-monitoring-rules.XXXXXX") || exit 1
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
MON=$ROOT/monitoring

source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

# ---- the tools ----
check "promtool check rules monitoring/rules/costsim.yml" promtool check rules "$MON/rules/costsim.yml"
check "promtool test rules monitoring/rules/costsim_test.yml (every alert fires and does not fire)" \
  promtool test rules "$MON/rules/costsim_test.yml"
check "amtool check-config monitoring/alertmanager.yml" amtool check-config "$MON/alertmanager.yml"
check "promtool check config monitoring/prometheus.yml (and the rule file it loads)" \
  promtool check config "$MON/prometheus.yml"

routes_to() {  # routes_to RECEIVER LABEL=VALUE...
  amtool config routes test --config.file="$MON/alertmanager.yml" --verify.receivers="$1" "${@:2}"
}
check "routing: priority P1 pages" routes_to costsim-pager alertname=CostSimDriftCritical priority=P1 severity=critical
check "routing: the database's p1 CostSimV2Disabled pages" \
  routes_to costsim-pager alertname=CostSimV2Disabled component=costsim severity=p1 incident_id=1
check "routing: priority P2 goes to Slack" routes_to costsim-slack alertname=CostSimDriftWarning priority=P2 severity=warning
check "routing: the database's p2 CostSimV2Disabled goes to Slack" \
  routes_to costsim-slack alertname=CostSimV2Disabled component=costsim severity=p2 incident_id=2
check "routing: priority P3 goes to the default receiver" \
  routes_to costsim-default alertname=CostSimSchemaErrors priority=P3 severity=info
check "routing: the database's p3 alert goes to the default receiver" \
  routes_to costsim-default alertname=CostSimV2Disabled component=costsim severity=p3 incident_id=3

# ---- the alerts: all of section 11, labelled consistently, each with its runbook ----
alerts_complete() {
  node - "$MON/rules/costsim.yml" "$ROOT" <<'EOF'
const fs = require('fs');
const [file, root] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf8');
const blocks = text.split(/^\s*- alert: /m).slice(1);
const want = ['CostSimDriftCritical', 'CostSimDriftWarning', 'CostSimSchemaErrors', 'CostSimV2BreakerOpen',
              'CostSimCanaryFailed', 'CostSimCanaryNotRun', 'CostSimKLDivergenceHigh', 'CostSimAlertQueueBacklog',
              'CostSimAlertSendFailures'];
const pairs = { critical: 'P1', warning: 'P2', info: 'P3' };
const seen = [];
const errors = [];
for (const b of blocks) {
  const name = b.split('\n')[0].trim();
  seen.push(name);
  const get = (k) => ((b.match(new RegExp('^\\s+' + k + ':\\s*(.+)$', 'm')) || [])[1] || '').replace(/^"|"\s*$/g, '');
  const sev = get('severity'), pri = get('priority'), rb = get('runbook_url');
  if (!sev || pairs[sev] !== pri) errors.push(`${name}: severity ${sev} with priority ${pri}`);
  if (!get('summary') || !get('description')) errors.push(`${name}: summary and description needed`);
  if (!rb || !/^docs\/runbooks\/[a-z0-9-]+\.md$/.test(rb) || !fs.existsSync(root + '/' + rb))
    errors.push(`${name}: runbook ${rb} missing`);
  console.log(`# ${name}: ${sev}/${pri}, ${rb}`);
}
for (const w of want) if (!seen.includes(w)) errors.push(`alert ${w} is not defined`);
if (errors.length) { console.log(errors.join('\n')); process.exit(1); }
EOF
}
check "every section 11 alert is defined, severity/priority agree, runbooks exist" alerts_complete
cat "$TMP/log" | grep '^# ' || true

psql_q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
db_runbooks_exist() {
  local name url
  for name in CostSimV2Disabled CostSimV2Reenabled; do
    url=$(psql_q -c "SELECT costsim.breaker_alert('$name', jsonb_populate_record(NULL::costsim.incidents,
            '{\"id\": 1, \"breaker\": \"costsim_v2\", \"trip\": \"manual\", \"severity\": \"p2\", \"reason\": \"r\"}'),
            's')->'annotations'->>'runbook_url'") || return 1
    echo "$name -> $url"
    [ -n "$url" ] && [ -f "$ROOT/$url" ] || { echo "no file $ROOT/$url"; return 1; }
  done
}
check "the runbooks the database's own alerts point at exist (v2-disabled.md, v2-reenabled.md)" db_runbooks_exist

# ---- the exporter's queries ----
# queries.yaml parsed with the subset of YAML it uses (top-level query names, `query: |` blocks, metric columns with
# their usage) into JSON: [{name, query, columns: [{name, usage}]}].
node - "$MON/queries.yaml" >"$TMP/queries.json" <<'EOF'
const fs = require('fs');
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
const out = [];
let cur = null, inQuery = false, col = null;
for (const line of lines) {
  if (inQuery) {
    if (line.trim() === '' || /^ {4,}/.test(line)) { cur.query += line.replace(/^ {4}/, '') + '\n'; continue; }
    inQuery = false;
  }
  if (/^\s*#/.test(line) || line.trim() === '') continue;
  let m;
  if ((m = line.match(/^([A-Za-z_][A-Za-z0-9_]*):\s*$/))) { cur = { name: m[1], query: '', columns: [] }; out.push(cur); }
  else if ((m = line.match(/^  query:\s*\|\s*$/))) inQuery = true;
  else if ((m = line.match(/^  query:\s*"(.*)"\s*$/))) cur.query = m[1];
  else if ((m = line.match(/^    - ([A-Za-z_][A-Za-z0-9_]*):\s*$/))) { col = { name: m[1] }; cur.columns.push(col); }
  else if ((m = line.match(/^        usage:\s*"?([A-Z]+)"?\s*$/))) col.usage = m[1];
}
for (const q of out) q.query = q.query.trim();
console.log(JSON.stringify(out));
EOF
check "queries.yaml parses: queries with SQL and typed columns" node -e "
  const qs = JSON.parse(require('fs').readFileSync('$TMP/queries.json', 'utf8'));
  if (qs.length < 10) throw new Error('only ' + qs.length + ' queries');
  for (const q of qs) {
    if (!q.query) throw new Error(q.name + ': no query');
    for (const c of q.columns) if (!['LABEL', 'COUNTER', 'GAUGE', 'HISTOGRAM'].includes(c.usage))
      throw new Error(q.name + '.' + c.name + ': usage ' + c.usage);
  }
  console.log(qs.map((q) => q.name).join(' '));"

# Synthetic metrics: every series of section 11 the way the extension publishes it (or will: cost delta, output
# percentiles, canary runs, KL), with duplicate-prone shapes (histograms with several label sets, negative bounds).
cat >"$TMP/synthetic.sql" <<'EOF'
CREATE TEMP TABLE synthetic_metrics (name text, labels jsonb, value double precision);
INSERT INTO synthetic_metrics VALUES
  ('costsim_runs_total', '{"version": "v1", "status": "feasible"}', 10),
  ('costsim_runs_total', '{"version": "v2", "status": "success"}', 9),
  ('costsim_runs_total', '{"version": "v2", "status": "failed"}', 1),
  ('costsim_schema_errors_total', '{}', 3),
  ('costsim_provenance_write_failures_total', '{}', 0),
  ('costsim_comparison_verdict_total', '{"verdict": "match"}', 7),
  ('costsim_comparison_verdict_total', '{"verdict": "mismatch"}', 2),
  ('costsim_runtime_ms_bucket', '{"version": "v1", "le": "0.1"}', 4),
  ('costsim_runtime_ms_bucket', '{"version": "v1", "le": "1"}', 9),
  ('costsim_runtime_ms_bucket', '{"version": "v1", "le": "+Inf"}', 10),
  ('costsim_runtime_ms_sum', '{"version": "v1"}', 5.5),
  ('costsim_runtime_ms_count', '{"version": "v1"}', 10),
  ('costsim_runtime_ms_bucket', '{"version": "v2", "le": "0.1"}', 1),
  ('costsim_runtime_ms_bucket', '{"version": "v2", "le": "1"}', 8),
  ('costsim_runtime_ms_bucket', '{"version": "v2", "le": "+Inf"}', 10),
  ('costsim_runtime_ms_sum', '{"version": "v2"}', 7.25),
  ('costsim_runtime_ms_count', '{"version": "v2"}', 10),
  ('costsim_drift_score_bucket', '{"le": "0.01"}', 5),
  ('costsim_drift_score_bucket', '{"le": "0.05"}', 6),
  ('costsim_drift_score_bucket', '{"le": "0.1"}', 6),
  ('costsim_drift_score_bucket', '{"le": "0.15"}', 6),
  ('costsim_drift_score_bucket', '{"le": "0.2"}', 7),
  ('costsim_drift_score_bucket', '{"le": "0.3"}', 9),
  ('costsim_drift_score_bucket', '{"le": "0.5"}', 9),
  ('costsim_drift_score_bucket', '{"le": "1"}', 9),
  ('costsim_drift_score_bucket', '{"le": "+Inf"}', 9),
  ('costsim_drift_score_sum', '{}', 0.95),
  ('costsim_drift_score_count', '{}', 9),
  ('costsim_cost_delta_cents_bucket', '{"le": "100"}', 8),
  ('costsim_cost_delta_cents_bucket', '{"le": "-100"}', 1),
  ('costsim_cost_delta_cents_bucket', '{"le": "0"}', 5),
  ('costsim_cost_delta_cents_bucket', '{"le": "+Inf"}', 9),
  ('costsim_cost_delta_cents_sum', '{}', 120),
  ('costsim_cost_delta_cents_count', '{}', 9),
  ('costsim_output_p50', '{"version": "v1"}', 120),
  ('costsim_output_p90', '{"version": "v1"}', 400),
  ('costsim_output_p50', '{"version": "v2"}', 130),
  ('costsim_output_p90', '{"version": "v2"}', 410),
  ('costsim_canary_runs_total', '{"status": "passed"}', 4),
  ('costsim_canary_runs_total', '{"status": "failed"}', 1),
  ('costsim_kl_divergence', '{}', 0.12),
  ('costsim_alert_send_failures_total', '{}', 2),
  ('costsim_v2_circuit_breaker_state', '{}', 2),
  ('costsim_cb_consecutive_failures', '{}', 2),
  ('costsim_cb_incidents_total', '{"severity": "p1"}', 5),
  ('costsim_cb_incidents_total', '{"severity": "p2"}', 1),
  ('costsim_cb_incidents_total', '{"severity": "p3"}', 0),
  ('costsim_alert_queue_depth', '{}', 3);
EOF

# run_queries MODE: each query as costsim_auditor (real) or on the synthetic table (synthetic), checked, and the
# metric families it exported (name and label names) written to $TMP/families.MODE.
run_queries() {
  node - "$1" "$TMP" <<'EOF'
const fs = require('fs');
const { execFileSync } = require('child_process');
const [mode, tmp] = process.argv.slice(2);
const qs = JSON.parse(fs.readFileSync(tmp + '/queries.json', 'utf8'));
const setup = mode === 'real' ? 'SET ROLE costsim_auditor;\n' : fs.readFileSync(tmp + '/synthetic.sql', 'utf8');
const errors = [];
const families = [];
const psql = (sql) => execFileSync('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1'],
                                   { input: 'BEGIN;\n' + setup + sql + '\nROLLBACK;\n', encoding: 'utf8' }).trim();
for (const q of qs) {
  const sql = mode === 'real' ? q.query : q.query.replace(/costsim\.metrics\b/g, 'pg_temp.synthetic_metrics');
  let columns, rows;
  try {
    // the column names, whether or not there are rows: from a temporary view of the query
    columns = JSON.parse(psql(`CREATE TEMP VIEW q_shape AS ${sql};
      SELECT coalesce(json_agg(attname ORDER BY attnum), '[]') FROM pg_attribute
       WHERE attrelid = 'pg_temp.q_shape'::regclass AND attnum > 0;`));
    rows = JSON.parse(psql(`SELECT coalesce(json_agg(row_to_json(q)), '[]') FROM (${sql}) q;`));
  } catch (e) { errors.push(`${q.name}: ${String(e.stderr || e.message).trim()}`); continue; }
  const declared = new Set();
  const labels = q.columns.filter((c) => c.usage === 'LABEL').map((c) => c.name);
  for (const c of q.columns) {
    declared.add(c.name);
    if (c.usage === 'HISTOGRAM') for (const s of ['_bucket', '_sum', '_count']) declared.add(c.name + s);
  }
  for (const c of declared) if (!columns.includes(c)) errors.push(`${q.name}: declared column ${c} not returned`);
  for (const c of columns) if (!declared.has(c)) errors.push(`${q.name}: column ${c} returned but not declared`);
  const keys = new Set();
  for (const r of rows) {
    const key = JSON.stringify(labels.map((l) => r[l]));
    if (keys.has(key)) errors.push(`${q.name}: two rows with labels ${key}`);
    keys.add(key);
    for (const l of labels) if (r[l] === null) errors.push(`${q.name}: NULL label ${l}`);
    for (const c of q.columns.filter((c) => c.usage === 'HISTOGRAM')) {
      const le = r[c.name], counts = r[c.name + '_bucket'], count = r[c.name + '_count'];
      const bad = (why) => errors.push(`${q.name}: histogram ${c.name} ${key}: ${why} ${JSON.stringify(r)}`);
      if (!Array.isArray(le) || !Array.isArray(counts) || le.length !== counts.length) { bad('bounds/counts'); continue; }
      if (le.some((x, i) => typeof x !== 'number' || (i > 0 && x <= le[i - 1]))) bad('bounds not ascending');
      if (counts.some((x, i) => !Number.isInteger(x) || (i > 0 && x < counts[i - 1]))) bad('counts not cumulative');
      if (!Number.isInteger(count) || (counts.length && counts[counts.length - 1] > count)) bad('count');
      if (typeof r[c.name + '_sum'] !== 'number') bad('sum');
    }
  }
  if (rows.length)
    for (const c of q.columns.filter((c) => c.usage !== 'LABEL'))
      families.push(`${q.name}_${c.name}{${[...labels].sort().join(',')}}`);
  console.log(`# ${q.name}: ${rows.length} row(s)` + (mode === 'synthetic' || rows.length > 12 ? '' : ' ' + JSON.stringify(rows)));
}
fs.writeFileSync(`${tmp}/families.${mode}`, families.sort().join('\n') + '\n');
if (errors.length) { console.log(errors.join('\n')); process.exit(1); }
EOF
}
check "every query runs as costsim_auditor on the real costsim.metrics: declared columns, unique label sets, sound histograms" \
  run_queries real
grep '^# ' "$TMP/log" || true
check "every query on synthetic section 11 metrics: declared columns, unique label sets, sound histograms" \
  run_queries synthetic

# The metric families (name{label names}) section 11 lists, as the exporter will name them.
cat >"$TMP/families.expected" <<'EOF'
costsim_alert_queue_depth{}
costsim_alert_send_failures_total{}
costsim_canary_runs_total{status}
costsim_cb_consecutive_failures{}
costsim_cb_incidents_total{severity}
costsim_comparison_verdict_total{verdict}
costsim_cost_delta_cents{}
costsim_drift_score{}
costsim_kl_divergence{}
costsim_output_p50{version}
costsim_output_p90{version}
costsim_runs_total{status,version}
costsim_runtime_ms{version}
costsim_schema_errors_total{}
costsim_v2_circuit_breaker_state{}
EOF
check "every section 11 metric is exported, with its labels (synthetic metrics)" \
  bash -c "comm -23 '$TMP/families.expected' '$TMP/families.synthetic' | sed 's/^/missing: /' | grep . && exit 1 || exit 0"
check "the metrics the extension publishes today come out of the real database (runs, verdicts, histograms, breaker, incidents, alert queue and delivery)" \
  bash -c "for f in 'costsim_runs_total{status,version}' 'costsim_comparison_verdict_total{verdict}' 'costsim_drift_score{}' \
                    'costsim_runtime_ms{version}' 'costsim_schema_errors_total{}' 'costsim_v2_circuit_breaker_state{}' \
                    'costsim_cb_consecutive_failures{}' 'costsim_cb_incidents_total{severity}' 'costsim_alert_queue_depth{}' \
                    'costsim_alert_send_failures_total{}'; do
             grep -qxF \"\$f\" '$TMP/families.real' || { echo \"missing: \$f\"; exit 1; }; done"

synthetic_values() {  # the folded values of the synthetic histograms and gauges are the ones fed in
  node - "$TMP" <<'EOF'
const fs = require('fs');
const { execFileSync } = require('child_process');
const tmp = process.argv[2];
const qs = JSON.parse(fs.readFileSync(tmp + '/queries.json', 'utf8'));
const setup = fs.readFileSync(tmp + '/synthetic.sql', 'utf8');
const run = (name) => {
  const q = qs.find((x) => x.name === name);
  const sql = q.query.replace(/costsim\.metrics\b/g, 'pg_temp.synthetic_metrics');
  return JSON.parse(execFileSync('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1'], { encoding: 'utf8',
    input: `BEGIN;\n${setup}SELECT coalesce(json_agg(row_to_json(q) ORDER BY row_to_json(q)::text), '[]') FROM (${sql}) q;\nROLLBACK;\n` }));
};
const expect = (name, want) => {
  const got = JSON.stringify(run(name));
  if (got !== JSON.stringify(want)) throw new Error(`${name}: got ${got}, want ${JSON.stringify(want)}`);
};
expect('costsim_cost_delta', [{ cents: [-100, 0, 100], cents_bucket: [1, 5, 8], cents_sum: 120, cents_count: 9 }]);
expect('costsim_drift', [{ score: [0.01, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1], score_bucket: [5, 6, 6, 6, 7, 9, 9, 9],
                           score_sum: 0.95, score_count: 9 }]);
expect('costsim_runtime', [{ version: 'v1', ms: [0.1, 1], ms_bucket: [4, 9], ms_sum: 5.5, ms_count: 10 },
                           { version: 'v2', ms: [0.1, 1], ms_bucket: [1, 8], ms_sum: 7.25, ms_count: 10 }]);
expect('costsim_output', [{ version: 'v1', p50: 120, p90: 400 }, { version: 'v2', p50: 130, p90: 410 }]);
expect('costsim_canary_runs', [{ status: 'failed', total: 1 }, { status: 'passed', total: 4 }]);
expect('costsim_kl', [{ divergence: 0.12 }]);
expect('costsim_alert_send_failures', [{ total: 2 }]);
expect('costsim_v2_circuit_breaker', [{ state: 2 }]);
expect('costsim_cb', [{ consecutive_failures: 2 }]);
expect('costsim_cb_incidents', [{ severity: 'p1', total: 5 }, { severity: 'p2', total: 1 }, { severity: 'p3', total: 0 }]);
expect('costsim_alert_queue', [{ depth: 3 }]);
EOF
}
check "synthetic histograms fold into bounds/cumulative counts/sum/count; gauges and counters pass through" synthetic_values

tables_match() {  # the breaker's and the queue's series, through the queries, equal what the tables say right now
  local want got
  want=$(psql_q -c "SELECT CASE state WHEN 'closed' THEN 0 WHEN 'open' THEN 1 ELSE 2 END || '|' || consecutive_failures
                      || '|' || (SELECT count(*) FROM costsim.alerts WHERE status IN ('queued', 'sending'))
                      || '|' || (SELECT count(*) FROM costsim.incidents WHERE severity = 'p1')
                      FROM costsim.circuit_breakers WHERE name = 'costsim_v2'") || return 1
  got=$(node -e "
    const fs = require('fs'); const { execFileSync } = require('child_process');
    const qs = JSON.parse(fs.readFileSync('$TMP/queries.json', 'utf8'));
    const one = (n) => JSON.parse(execFileSync('psql', ['-X', '-A', '-t', '-q', '-c',
      'SELECT json_agg(row_to_json(q)) FROM (' + qs.find((q) => q.name === n).query + ') q'], { encoding: 'utf8' }));
    const inc = one('costsim_cb_incidents').find((r) => r.severity === 'p1').total;
    console.log([one('costsim_v2_circuit_breaker')[0].state, one('costsim_cb')[0].consecutive_failures,
                 one('costsim_alert_queue')[0].depth, inc].join('|'));") || return 1
  echo "tables: $want, queries: $got"
  [ "$want" = "$got" ]
}
check "breaker state, consecutive failures, queue depth and p1 incidents, as exported, equal the tables" tables_match

finish
