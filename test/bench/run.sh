#!/usr/bin/env bash
# costsim benchmarks (`make bench`). Prints figures and ratios against baselines measured in the same run;
# nothing here is a pass/fail test: the script exits 0 whatever the ratios are (non-zero only when something
# fails to build or run).
#
#   1. core: test/bench/build/core_bench (Google Benchmark, -O2), plan steps per second of extension/core,
#      simulate path vs json parse+dump baseline, and the spec target of 1,000,000 steps/s per core.
#   2. SQL: builds and installs the extension, starts a throwaway cluster (scripts/cluster.sh) and runs pgbench
#      (-M prepared, 2 clients) with the same 5-step plan bound as a parameter:
#        baseline  SELECT :plan::jsonb
#        v1        SELECT costsim.simulate_v1(:plan::jsonb)
#        sandbox   SELECT costsim.simulate(:plan::jsonb) with costsim.v2_sandbox=on, v2_sample_rate=1
#        (info)    SELECT :result::jsonb   (the jsonb simulate_v1 returns: parsing and sending a result that size)
#      interleaved BENCH_ROUNDS times; ratios v1/baseline (target >= 0.70) and sandbox/v1 (target >= 0.40).
#   3. per call: test/bench/per_call.sql, microseconds per call inside the server (no client or protocol share),
#      beside jsonb conversions of the plan and of a result-sized value from the same run.
#   4. divergence: test/bench/divergence.sql, divergence_report vs the same report in plain SQL, and the exports.
#   5. the breaker: test/bench/breaker.sql, the sandbox path with and without its automatic rules.
#   6. status_history: test/bench/status_history.sh, chained vs plain inserts (1 and 8 clients) and a 1,000,000-row
#      CSV export vs COPY ... TO STDOUT.
#   7. canary: test/bench/canary.sql, a canary over 10,000 shadow inputs and validate_all_datasets(), per sample,
#      vs a bare simulate_with_comparison loop over the same inputs.
#   8. the API layer: test/bench/api.sql, api.simulate (PostgREST's entry point) vs costsim.simulate.
#
# Environment: BENCH_SECONDS (15, per pgbench run), BENCH_ROUNDS (2), BENCH_CLIENTS (2),
#   BENCH_MIN_TIME (0.2, --benchmark_min_time of the core bench), SKIP_CORE=1, SKIP_SQL=1,
#   COSTSIM_CLUSTER_DIR (/tmp/costsim-bench), COSTSIM_PORT (55440).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_DIR=$ROOT/test/bench
BENCH_SECONDS=${BENCH_SECONDS:-15}
BENCH_ROUNDS=${BENCH_ROUNDS:-2}
BENCH_CLIENTS=${BENCH_CLIENTS:-2}
BENCH_MIN_TIME=${BENCH_MIN_TIME:-0.2}
export COSTSIM_CLUSTER_DIR=${COSTSIM_CLUSTER_DIR:-/tmp/costsim-bench}
export COSTSIM_PORT=${COSTSIM_PORT:-55440}

# The 5-step plan; keep identical to plan_5 in test/bench/core_bench.cpp.
PLAN='[{"skill":"llm_invoke","params":{"prompt":"Summarise the incident report for the on-call engineer."}},{"skill":"http_call","params":{"url":"https://api.example.com/status","timeout":5}},{"skill":"json_transform","params":{"expr":".items[]"}},{"skill":"kv_set","params":{"key":"summary"},"iterations":2},{"skill":"email_send","params":{"to":"oncall@example.com"}}]'

say() { printf '\n== %s\n' "$*"; }
die() { echo "bench: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------- 1. core
if [ "${SKIP_CORE:-0}" != 1 ]; then
  say "core benchmark (Google Benchmark, -O2, one thread)"
  make -C "$BENCH_DIR" -j2 --no-print-directory all
  "$BENCH_DIR/build/core_bench" --benchmark_min_time="$BENCH_MIN_TIME"
fi

[ "${SKIP_SQL:-0}" != 1 ] || exit 0

# ----------------------------------------------------------------------------------------------- 2. SQL
PG_BINDIR=$(pg_config --bindir)
PGBENCH=$PG_BINDIR/pgbench
PSQL=$PG_BINDIR/psql
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench) || die "pgbench not found"
[ -x "$PSQL" ] || PSQL=$(command -v psql) || die "psql not found"

say "building and installing the extension (no coverage)"
# A tree last built with COVERAGE=1 (scripts/test.sh) holds -O0 --coverage objects that make considers up to
# date: those would be benchmarked, so rebuild from clean in that case.
if [ -f "$ROOT/costsim.so" ] && grep -q '__gcov_' "$ROOT/costsim.so" 2>/dev/null; then
  echo "bench: costsim.so in the tree is a coverage build; rebuilding without coverage"
  make -C "$ROOT" --no-print-directory clean >/dev/null
fi
env -u COVERAGE make -C "$ROOT" -j2 --no-print-directory
env -u COVERAGE make -C "$ROOT" --no-print-directory install >/dev/null
if grep -q '__gcov_' "$(pg_config --pkglibdir)/costsim.so" 2>/dev/null; then
  die "the installed costsim.so is a coverage build; refusing to benchmark it"
fi

cluster() { "$ROOT/scripts/cluster.sh" "$@"; }
trap 'cluster stop >/dev/null 2>&1 || true' EXIT
say "starting a throwaway cluster in $COSTSIM_CLUSTER_DIR on port $COSTSIM_PORT"
cluster start
eval "$(cluster env)"
PG_VERSION=$("$PSQL" -X -A -t -c "SHOW server_version")

sql() { "$PSQL" -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
# The plan must simulate before it is timed (a failing call would only measure error handling).
RESULT=$(sql -c "SELECT costsim.simulate_v1('$PLAN'::jsonb)::text") || die "simulate_v1 fails on the bench plan"
status=$(sql -c "SELECT costsim.simulate_v1('$PLAN'::jsonb)->>'status'")
echo "simulate_v1 on the bench plan: status $status; plan ${#PLAN} bytes, result ${#RESULT} bytes (jsonb text)"

# "<rows> <rows with status error>"
provenance_rows() {
  sql -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE status <> 'ok') FROM costsim.provenance"
}
clear_provenance() {
  # The bench's own rows only: it runs on a throwaway cluster. TRUNCATE if allowed, else DELETE.
  sql -c "TRUNCATE costsim.provenance" >/dev/null 2>&1 || sql -c "DELETE FROM costsim.provenance" >/dev/null
}

# run_pgbench SCRIPT [PGOPTIONS] -> prints the TPS (without initial connection time)
run_pgbench() {
  local script=$1 options=${2:-} out tps
  if ! out=$(PGOPTIONS="$options" "$PGBENCH" -n -M prepared -c "$BENCH_CLIENTS" -j "$BENCH_CLIENTS" \
              -T "$BENCH_SECONDS" -D plan="$PLAN" -D result="$RESULT" -f "$BENCH_DIR/$script" 2>&1); then
    echo "$out" >&2
    die "pgbench $script failed"
  fi
  if grep -q 'number of failed transactions: [1-9]' <<<"$out"; then
    echo "$out" >&2
    die "pgbench $script had failed transactions"
  fi
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' <<<"$out")
  [ -n "$tps" ] || { echo "$out" >&2; die "no TPS in the pgbench output of $script"; }
  echo "$tps"
}

# The breaker's rules stay on, as in production: the bench plan's drift score (0.20) is not above the threshold.
SANDBOX_OPTS='-c costsim.v2_sandbox=on -c costsim.v2_sample_rate=1'
clear_provenance
declare -a BASE OUTF V1 SBX
say "pgbench: -M prepared, $BENCH_CLIENTS clients, ${BENCH_SECONDS}s per run, $BENCH_ROUNDS interleaved round(s)"
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  BASE[r]=$(run_pgbench baseline.sql)
  echo "round $r  baseline  SELECT :plan::jsonb                  tps ${BASE[r]}"
  OUTF[r]=$(run_pgbench output_floor.sql)
  echo "round $r  (info)    SELECT :result::jsonb                tps ${OUTF[r]}"
  V1[r]=$(run_pgbench simulate_v1.sql)
  echo "round $r  v1        SELECT costsim.simulate_v1(...)      tps ${V1[r]}"
  SBX[r]=$(run_pgbench simulate_sandbox.sql "$SANDBOX_OPTS")
  read -r rows errors <<<"$(provenance_rows)"
  echo "round $r  sandbox   SELECT costsim.simulate(...) + V2    tps ${SBX[r]}  (provenance rows: $rows, V2 errors: $errors)"
  [ "$rows" -gt 0 ] || echo "bench: WARNING: the sandbox run wrote no provenance row (is the shadow path active?)"
  [ "$errors" -eq 0 ] || echo "bench: WARNING: $errors shadow evaluations failed: the sandbox figure is not V2's"
  clear_provenance
done

# Means over the rounds, and per-round ratios to show the noise.
summary=$(
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do echo "${BASE[r]} ${V1[r]} ${SBX[r]} ${OUTF[r]}"; done |
  awk -v rounds="$BENCH_ROUNDS" '
    function word(ratio, target) { return ratio >= target ? "PASS" : "short of target" }
    { b += $1; v += $2; s += $3; o += $4
      printf "round %d: simulate_v1/baseline %.3f   sandbox/simulate_v1 %.3f   (simulate_v1/output_floor %.3f)\n",
             NR, $2 / $1, $3 / $2, $2 / $4 }
    END {
      b /= rounds; v /= rounds; s /= rounds; o /= rounds
      printf "\nmean TPS: baseline %.0f   simulate_v1 %.0f   sandbox %.0f   (output_floor %.0f)\n", b, v, s, o
      printf "simulate_v1 / baseline  = %.3f  (target >= 0.70)  %s\n", v / b, word(v / b, 0.70)
      printf "sandbox / simulate_v1   = %.3f  (target >= 0.40)  %s\n", s / v, word(s / v, 0.40)
      printf "(info) simulate_v1 / output_floor = %.3f: a bare SELECT of a jsonb the size of the result\n", v / o
      printf "       (parse + send, no simulation) bounds what simulate_v1 can reach; no target\n"
    }')
say "SQL benchmark summary (PostgreSQL $PG_VERSION, $(nproc) CPUs; informational, not a test)"
echo "$summary"

say "server-side cost per call (test/bench/per_call.sql; informational, not a test)"
"$PSQL" -X -v ON_ERROR_STOP=1 -v plan="$PLAN" -f "$BENCH_DIR/per_call.sql"

say "divergence report and exports on 1,000,000 provenance rows (test/bench/divergence.sql; informational)"
"$PSQL" -X -v ON_ERROR_STOP=1 -f "$BENCH_DIR/divergence.sql"
# Peak RSS of a fresh backend (VmHWM, read by the backend itself) after a statement.
peak_rss() {
  "$PSQL" -X -A -t -v ON_ERROR_STOP=1 -c "$1" \
    -c "SELECT substring(pg_read_file('/proc/self/status') from 'VmHWM:\\s*([0-9]+ kB)')" | tail -n 1
}
echo "backend peak RSS: idle session $(peak_rss 'SELECT 1');" \
     "after a parquet export of every row $(peak_rss "SELECT length(costsim.divergence_export('parquet'))")"
sql -c "TRUNCATE costsim.provenance"

say "the breaker on the sandbox path (test/bench/breaker.sql; informational)"
"$PSQL" -X -v ON_ERROR_STOP=1 -v plan="$PLAN" -f "$BENCH_DIR/breaker.sql"

say "status_history: chained vs plain inserts, exports vs COPY (test/bench/status_history.sh; informational)"
BENCH_SECONDS=10 bash "$BENCH_DIR/status_history.sh"

say "the canary and the dataset validations (test/bench/canary.sql; informational)"
"$PSQL" -X -v ON_ERROR_STOP=1 -f "$BENCH_DIR/canary.sql"

say "the API layer: api.simulate vs costsim.simulate (test/bench/api.sql; informational)"
"$PSQL" -X -v ON_ERROR_STOP=1 -v plan="$PLAN" -f "$BENCH_DIR/api.sql"
exit 0
