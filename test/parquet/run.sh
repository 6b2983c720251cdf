#!/usr/bin/env bash
# Proves the core Parquet writer (extension/core/parquet.cpp) with two independent readers: installs the pinned
# readers (npm), builds write_samples, writes the sample files (empty, one_row, million, edges, wide; see README.md)
# into a temporary directory, and reads each back with DuckDB (check_duckdb.js) and hyparquet
# (check_hyparquet.js), which compare every value, the schema, row groups, statistics and key-value metadata
# with what the row index says. Prints `ok N - ...` / `not ok N - ...` per check, `#` lines with timings and
# sizes, then `N checks, M failed`; exits non-zero on any failure. Leaves nothing behind but node_modules/.
# Needs g++, node (20) and npm; ignores the PG* environment (test/integration/parquet_readers.sh runs it).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cd "$HERE" || exit 1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-parquet.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/samples"

n=0 failures=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {  # not_ok DESCRIPTION [LOG]
  n=$((n + 1)) failures=$((failures + 1))
  echo "not ok $n - $1"
  if [ -n "${2:-}" ] && [ -s "$2" ]; then tail -n 20 "$2" | sed 's/^/#   /'; fi
}
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
finish() {
  echo "$n checks, $failures failed"
  [ "$failures" -eq 0 ] && [ "$n" -gt 0 ]
  exit $?
}

# 1. The readers, exactly as package-lock.json pins them. Not `npm ci`: the registry these machines reach
# serves @duckdb/node-bindings only for linux-x64, so the lock file cannot list the other platforms' optional
# binaries and npm 11's `npm ci` rejects it as out of sync. `npm install` over the same lock file installs
# the same exact versions; the lock file must come out unchanged (it is restored if not).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  not_ok "node and npm are installed"
  finish
fi
cp package-lock.json "$TMP/package-lock.json"
if npm install --prefer-offline --no-audit --no-fund --loglevel=error >"$TMP/npm.log" 2>&1; then
  if cmp -s package-lock.json "$TMP/package-lock.json"; then
    ok "npm install: @duckdb/node-api and hyparquet as package-lock.json pins them"
  else
    diff "$TMP/package-lock.json" package-lock.json >"$TMP/npm.log" 2>&1
    cp "$TMP/package-lock.json" package-lock.json
    not_ok "npm install leaves package-lock.json unchanged" "$TMP/npm.log"
    finish
  fi
else
  not_ok "npm install" "$TMP/npm.log"
  finish
fi

# 2. The sample writer, from the core sources.
if make --no-print-directory BUILD="$TMP/build" >"$TMP/make.log" 2>&1; then
  ok "build write_samples (g++ -std=c++17 -O2 over extension/core/parquet.cpp)"
else
  not_ok "build write_samples" "$TMP/make.log"
  finish
fi

# 3. The sample files; the million-row one is timed on its own (wall time, peak RSS).
if "$TMP/build/write_samples" "$TMP/samples" empty one_row edges wide >"$TMP/write.log" 2>&1; then
  ok "write empty.parquet, one_row.parquet, edges.parquet, wide.parquet"
else
  not_ok "write empty.parquet, one_row.parquet, edges.parquet, wide.parquet" "$TMP/write.log"
fi
start=$(now)
if [ -x /usr/bin/time ]; then
  timed=(/usr/bin/time -f '%e %M' -o "$TMP/million.time")
else
  timed=()
fi
if "${timed[@]}" "$TMP/build/write_samples" "$TMP/samples" million >"$TMP/write.log" 2>&1; then
  ok "write million.parquet (1,000,000 rows, 4 row groups)"
  end=$(now)
  bytes=$(stat -c %s "$TMP/samples/million.parquet")
  if [ -s "$TMP/million.time" ]; then
    read -r wall rss_kb <"$TMP/million.time"
    echo "# million.parquet: $bytes bytes, written in $wall s, peak RSS $((rss_kb / 1024)) MiB"
  else
    echo "# million.parquet: $bytes bytes, written in $(seconds "$start" "$end") s"
  fi
else
  not_ok "write million.parquet" "$TMP/write.log"
fi

# 4. Both readers over every file. Their lines are renumbered into this run's sequence.
run_checker() {  # run_checker NAME SCRIPT
  local log="$TMP/$1.log" rc=0 start end line
  start=$(now)
  node "$2" "$TMP/samples" >"$log" 2>&1 || rc=$?
  end=$(now)
  while IFS= read -r line; do
    case "$line" in
      "ok - "*) ok "${line#ok - }" ;;
      "not ok - "*) n=$((n + 1)) failures=$((failures + 1)); echo "not ok $n - ${line#not ok - }" ;;
      "#"*) echo "$line" ;;
      *) echo "# $line" ;;
    esac
  done <"$log"
  if [ "$rc" -ne 0 ] && ! grep -q '^not ok - ' "$log"; then
    not_ok "$1 exits 0 (exit $rc)"
  fi
  echo "# $1: all files read and checked in $(seconds "$start" "$end") s"
}
run_checker duckdb check_duckdb.js
run_checker hyparquet check_hyparquet.js

finish
