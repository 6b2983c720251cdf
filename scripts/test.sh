#!/usr/bin/env bash
# shellcheck disable=SC2016  # the single-quoted '$4', '$NF' ... below are awk fields, not shell expansions
# costsim's test command (`make test`, and what CI runs through .ci/run).
#
# Stages: packages -> unit tests (GoogleTest, with coverage) -> build + install the extension with coverage ->
# a throwaway cluster -> pgTAP (test/sql/*.sql through pg_prove) -> integration (test/integration/*.sh) ->
# stop the cluster -> fuzzing (libFuzzer, FUZZ_SECONDS, default 60) -> coverage report (gcovr, into coverage/).
# A failing stage does not stop the later ones (except those that need what it failed to make), so one run
# reports everything; the exit status is non-zero when anything failed. The last line is `N passed, M failed`
# (N, M = test cases: GoogleTest tests + pgTAP tests + integration checks + 1 for the fuzz run; a stage that
# fails without counting its own tests, e.g. the build, counts as one failure).
#
# Environment: FUZZ_SECONDS (default 60); COSTSIM_PORT (default: first free port from 54329).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd -P)
cd "$REPO"
FUZZ_SECONDS=${FUZZ_SECONDS:-60}

WORK=$(mktemp -d /tmp/costsim-test.XXXXXX)
chmod 755 "$WORK"                                  # the postgres OS user must reach the cluster inside
export COSTSIM_CLUSTER_DIR=$WORK/cluster
GCOV_DIR=$WORK/gcov                                # backends (user postgres) write .gcda files here
LOGS=$WORK/logs
mkdir -p "$GCOV_DIR" "$LOGS"
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then chown postgres: "$GCOV_DIR"; fi
unset PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE PGPASSWORD

cluster_up=0
cleanup() {
  local rc=$?
  if [ "$cluster_up" = 1 ]; then scripts/cluster.sh stop || true; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STAGES=()
PASSED=0
FAILED=0
banner() { printf '\n===== %s =====\n' "$*"; }
stage() {  # stage NAME RESULT [DETAIL]
  STAGES+=("$(printf '%-28s %-5s %s' "$1" "$2" "${3:-}")")
  printf -- '----- %s: %s %s\n' "$1" "$2" "${3:-}"
}
# run_logged LOG CMD...: run CMD with its output shown and kept in LOG; returns CMD's exit status.
run_logged() {
  local log=$1 rc=0
  shift
  "$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
  return "$rc"
}
# total FILE AWK-PATTERN FIELD-EXPR: sum over the lines of FILE matching the pattern (0 when none, or no file).
total() {
  awk "$2 { s += $3 } END { print s + 0 }" "$1" 2>/dev/null || echo 0
}

# ---------------------------------------------------------------- packages
banner "packages"
if run_logged "$LOGS/deps.log" scripts/install-deps.sh; then
  stage packages PASS
else
  FAILED=$((FAILED + 1)); stage packages FAIL
fi

# ---------------------------------------------------------------- unit tests
banner "unit tests (make unit COVERAGE=1)"
# test/unit's Makefile rebuilds when the flags change; stale counters from an earlier run must go.
if [ -d test/unit/build ]; then find test/unit/build -name '*.gcda' -delete; fi
unit_rc=0
run_logged "$LOGS/unit.log" make unit COVERAGE=1 || unit_rc=$?
u_pass=$(total "$LOGS/unit.log" '/^\[  PASSED  \] [0-9]+ tests?\./' '$4')
u_fail=$(total "$LOGS/unit.log" '/^\[  FAILED  \] [0-9]+ tests?, listed below/' '$4')
if [ "$unit_rc" -ne 0 ] && [ "$u_fail" -eq 0 ]; then u_fail=1; fi
if [ "$unit_rc" -eq 0 ] && [ "$u_pass" -eq 0 ]; then u_fail=1; echo "unit: no GoogleTest summary found (no test ran)"; fi
PASSED=$((PASSED + u_pass)); FAILED=$((FAILED + u_fail))
if [ "$u_fail" -eq 0 ]; then stage unit PASS "$u_pass tests"; else stage unit FAIL "$u_pass passed, $u_fail failed (exit $unit_rc)"; fi

# ---------------------------------------------------------------- build + install
banner "build and install the extension (COVERAGE=1)"
build_install() { make clean && make -j"$(nproc)" COVERAGE=1 && make install COVERAGE=1; }
ext_ok=0
if run_logged "$LOGS/build.log" build_install; then
  ext_ok=1; stage build+install PASS
else
  FAILED=$((FAILED + 1)); stage build+install FAIL
fi

# ---------------------------------------------------------------- cluster
banner "cluster"
if [ "$ext_ok" = 1 ]; then
  cluster_up=1                                     # from here on, the EXIT trap stops it whatever happens
  # Two background workers: one leads, the other stands by (test/integration/worker.sh kills the leader).
  if run_logged "$LOGS/cluster.log" env GCOV_PREFIX="$GCOV_DIR" GCOV_PREFIX_STRIP=0 COSTSIM_WORKERS=2 scripts/cluster.sh start; then
    eval "$(scripts/cluster.sh env)"
    export PGHOST PGPORT PGUSER PGDATABASE
    stage cluster PASS "$PGHOST port $PGPORT"
  else
    cluster_up=0; FAILED=$((FAILED + 1)); stage cluster FAIL
  fi
else
  stage cluster SKIP "the extension did not build"
fi

# ---------------------------------------------------------------- pgTAP
banner "SQL tests (pgTAP, pg_prove)"
shopt -s nullglob
sql_tests=(test/sql/*.sql)
integration_tests=(test/integration/*.sh)
shopt -u nullglob
if [ "$cluster_up" != 1 ]; then
  stage pgtap SKIP "no cluster"
elif [ ${#sql_tests[@]} -eq 0 ]; then
  FAILED=$((FAILED + 1)); stage pgtap FAIL "no test/sql/*.sql"
else
  sql_rc=0
  psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION IF NOT EXISTS pgtap' || sql_rc=$?
  if [ "$sql_rc" -eq 0 ]; then
    run_logged "$LOGS/pgtap.log" pg_prove --nocolor --failures -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$PGDATABASE" \
      "${sql_tests[@]}" || sql_rc=$?
  fi
  # "Files=2, Tests=31, ..." and, for each file with a problem, "test/sql/x.sql (Wstat: 256 Tests: 9 Failed: 1)"
  # (a file that died or ran a wrong number of tests shows "Failed: 0": it counts as one failure).
  s_total=$(total "$LOGS/pgtap.log" '/^Files=[0-9]+, Tests=[0-9]+/' 'substr($2, 7) + 0')
  s_failed_tests=$(total "$LOGS/pgtap.log" '/\(Wstat: [0-9]+.* Tests: [0-9]+ Failed: [0-9]+\)$/' '$NF + 0')
  s_fail=$(total "$LOGS/pgtap.log" '/\(Wstat: [0-9]+.* Tests: [0-9]+ Failed: [0-9]+\)$/' '($NF + 0 > 0 ? $NF + 0 : 1)')
  if [ "$sql_rc" -ne 0 ] && [ "$s_fail" -eq 0 ]; then s_fail=1; fi
  s_pass=$((s_total - s_failed_tests)); [ "$s_pass" -ge 0 ] || s_pass=0
  PASSED=$((PASSED + s_pass)); FAILED=$((FAILED + s_fail))
  if [ "$s_fail" -eq 0 ]; then stage pgtap PASS "$s_pass tests in ${#sql_tests[@]} files"
  else stage pgtap FAIL "$s_pass passed, $s_fail failed (exit $sql_rc)"; fi
fi

# ---------------------------------------------------------------- integration
banner "integration tests"
if [ "$cluster_up" != 1 ]; then
  stage integration SKIP "no cluster"
else
  for t in "${integration_tests[@]}"; do
    name=$(basename "$t" .sh)
    banner "integration: $name"
    log="$LOGS/integration-$name.log"
    i_rc=0
    run_logged "$log" bash "$t" || i_rc=$?
    i_pass=$(total "$log" '/^ok( |$)/' 1)
    i_fail=$(total "$log" '/^not ok( |$)/' 1)
    if [ "$i_rc" -ne 0 ] && [ "$i_fail" -eq 0 ]; then i_fail=1; fi
    if [ "$i_rc" -eq 0 ] && [ "$i_pass" -eq 0 ]; then i_fail=1; echo "$name: no check ran"; fi
    PASSED=$((PASSED + i_pass)); FAILED=$((FAILED + i_fail))
    if [ "$i_fail" -eq 0 ]; then stage "integration:$name" PASS "$i_pass checks"
    else stage "integration:$name" FAIL "$i_pass passed, $i_fail failed (exit $i_rc)"; fi
  done
  [ ${#integration_tests[@]} -gt 0 ] || stage integration SKIP "no test/integration/*.sh"
fi

# ---------------------------------------------------------------- stop the cluster (backends write .gcda at exit)
if [ "$cluster_up" = 1 ]; then
  banner "stop the cluster"
  if scripts/cluster.sh stop; then cluster_up=0; else echo "cluster: stop failed"; fi
fi

# ---------------------------------------------------------------- fuzzing
banner "fuzzing (make fuzz FUZZ_SECONDS=$FUZZ_SECONDS)"
if run_logged "$LOGS/fuzz.log" make fuzz FUZZ_SECONDS="$FUZZ_SECONDS"; then
  PASSED=$((PASSED + 1)); stage fuzz PASS "3 targets x ${FUZZ_SECONDS}s"
else
  FAILED=$((FAILED + 1)); stage fuzz FAIL
fi

# ---------------------------------------------------------------- coverage
banner "coverage (gcovr over extension/)"
# Backends wrote their counters under GCOV_PREFIX + the object's absolute path: put them next to the objects.
copied=0
while IFS= read -r -d '' f; do
  dest=${f#"$GCOV_DIR"}
  if [ -f "${dest%.gcda}.gcno" ]; then
    cp "$f" "$dest"; copied=$((copied + 1))
  fi
done < <(find "$GCOV_DIR" -name '*.gcda' -print0 2>/dev/null)
echo "coverage: $copied .gcda file(s) from the server processes copied next to their objects"
rm -rf coverage
mkdir -p coverage
search=()
for d in extension bgworker test/unit/build; do [ -d "$d" ] && search+=("$d"); done
if run_logged "$LOGS/gcovr.log" gcovr --root "$REPO" --filter "$REPO/extension/" --filter "$REPO/bgworker/" \
      --txt coverage/coverage.txt --html-details coverage/index.html --print-summary "${search[@]}"; then
  cat coverage/coverage.txt
  line_pct=$(awk '/^lines: [0-9.]+%/ { print $2; exit }' "$LOGS/gcovr.log")
  stage coverage PASS "lines ${line_pct:-?} (coverage/index.html)"
  echo "coverage: overall line coverage of extension/: ${line_pct:-?}"
else
  FAILED=$((FAILED + 1)); stage coverage FAIL "gcovr failed"
fi

# ---------------------------------------------------------------- summary
banner "summary"
printf '%s\n' "${STAGES[@]}"
echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
