#!/usr/bin/env bash
# costsim.divergence_export read back by two independent Parquet readers (DuckDB's Node API and hyparquet):
# for an empty window, one sample and 1,000,000 samples, every row of the file must equal what
# costsim.divergence_samples returns, and the summary in its metadata what costsim.divergence_report returns.
# The JSONL export's lines are checked against the same rows. Runs against the test cluster (PG* variables),
# as a superuser (it writes provenance rows of its own tenant directly, and removes them).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-export.XXXXXX") || exit 1
TENANT=export-test
psql_q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
  psql_q -c "DELETE FROM costsim.provenance WHERE tenant_id = '$TENANT'" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

# Rows of this test's tenant; costs and scores computable from the index.
add_samples() {  # add_samples COUNT
  psql_q -c "
    INSERT INTO costsim.provenance (created_at, tenant_id, source, status, input, budget_cents, input_hash,
        v1_model_version, v2_model_version, v1_output_hash, v2_output_hash, v1_cost_cents, v2_cost_cents,
        v1_duration_ms, v2_duration_ms, v1_feasible, v2_feasible, v1_status, v2_status, v2_confidence, drift_score,
        verdict, v1_runtime_us, v2_runtime_us)
    SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '1.000001 second', '$TENANT', 'simulate', 'ok', '[]',
           1000, md5(g::text), '1.0.0', '2.0.0', 'x', 'y', g % 997, g % 997 + (g % 7) - 3, 1, 1, true, true,
           'feasible', 'success', 0.9, round(((g % 7) * 0.05)::numeric, 4)::float8,
           (CASE WHEN g % 7 <= 1 THEN 'match' WHEN g % 7 <= 3 THEN 'minor_drift' WHEN g % 7 = 4 THEN 'major_drift'
                 ELSE 'mismatch' END)::costsim.drift_verdict, 1, 1
      FROM generate_series(1, $1) g"
}

export_case() {  # export_case NAME START END
  local name=$1 window="'$2'::timestamptz, '$3'::timestamptz, NULL, '$TENANT'"
  psql_q -c "SELECT encode(costsim.divergence_export('parquet', $window), 'base64')" | base64 -d >"$TMP/$name.parquet" &&
  psql_q -c "\\copy (SELECT (extract(epoch FROM created_at) * 1000000)::bigint, input_hash, v1_cost_cents,
                            v2_cost_cents, cost_delta_cents, drift_score, verdict
                       FROM costsim.divergence_samples($window) ORDER BY created_at, id) TO '$TMP/$name.expected.csv' CSV" &&
  psql_q -c "SELECT to_jsonb(costsim.divergence_report($window))" >"$TMP/$name.summary.json" &&
  psql_q -c "SELECT convert_from(costsim.divergence_export('jsonl', $window), 'UTF8')" >"$TMP/$name.jsonl"
}

# The JSONL export: a summary line with the report's sample_count, then one line per expected row.
jsonl_matches() {  # jsonl_matches NAME
  node --input-type=module -e "
    import { readFileSync } from 'node:fs';
    const lines = readFileSync('$TMP/$1.jsonl', 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    const expected = readFileSync('$TMP/$1.expected.csv', 'utf8').split('\n').filter((l) => l !== '');
    const report = JSON.parse(readFileSync('$TMP/$1.summary.json', 'utf8'));
    if (lines[0].kind !== 'summary' || lines[0].sample_count !== report.sample_count) throw new Error('summary line');
    if (lines.length - 1 !== expected.length) throw new Error('sample lines: ' + (lines.length - 1) + ' vs ' + expected.length);
    expected.forEach((row, i) => {
      const f = row.split(','), s = lines[i + 1];
      if (s.kind !== 'sample' || s.input_hash !== f[1] || s.v1_cost_cents !== Number(f[2]) || s.v2_cost_cents !== Number(f[3])
          || s.cost_delta_cents !== Number(f[4]) || s.drift_score !== Number(f[5]) || s.verdict !== f[6]
          || Date.parse(s.created_at) !== Math.floor(Number(f[0]) / 1000))
        throw new Error('line ' + (i + 2) + ': ' + JSON.stringify(s) + ' vs ' + row);
    });"
}

check "npm install: the readers test/parquet/package-lock.json pins" \
  bash -c "cd '$ROOT/test/parquet' && npm install --prefer-offline --no-audit --no-fund --loglevel=error && git -C '$ROOT' diff --quiet -- test/parquet/package-lock.json"
psql_q -c "DELETE FROM costsim.provenance WHERE tenant_id = '$TENANT'"
check "one sample in the table" add_samples 1
check "export: an empty window" export_case empty "2025-01-01" "2025-01-02"
check "export: one sample" export_case one "2026-01-01" "2026-01-02"
check "1,000,000 samples in the table" add_samples 1000000
start=$(date +%s.%N)
check "export: 1,000,000 samples" export_case million "2026-01-01" "2027-01-01"
echo "# 1,000,000-sample exports (parquet + jsonl + the expected rows): $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s; parquet $(stat -c %s "$TMP/million.parquet") bytes"
for name in empty one million; do check "jsonl export ($name) matches divergence_samples" jsonl_matches "$name"; done
node "$ROOT/test/parquet/check_export.js" "$TMP" empty one million >"$TMP/readers.log" 2>&1
readers_rc=$?
while IFS= read -r line; do
  case "$line" in
    "ok - "*) n=$((n + 1)); echo "ok $n - ${line#ok - }" ;;
    "not ok - "*) n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - ${line#not ok - }" ;;
    *) echo "# $line" ;;
  esac
done <"$TMP/readers.log"
if [ "$readers_rc" -ne 0 ] && [ "$failures" -eq 0 ]; then n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - the readers ran"; fi
finish
