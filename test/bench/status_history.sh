#!/usr/bin/env bash
# status_history benchmarks (part of `make bench`, run by test/bench/run.sh against its throwaway cluster; can be run
# alone against any cluster of the PG* variables, as a superuser). Informational: prints figures and ratios, exits 0
# unless something fails to run.
#
#   1. Chained inserts vs plain inserts: pgbench (-M prepared) of one-row INSERTs into costsim.status_history (the
#      chain trigger: lock, chain end, SHA-256) and into bench_plain_history, a table of the same columns and
#      indexes without the chain; 1 client, 8 clients on one tenant (every append queues on one chain), 8 clients
#      on 8 tenants (and 2 clients on one tenant). Target: chained >= 50 % of plain. Also costsim.log_status_change() (the function callers use).
#   2. Export of 1,000,000 rows to CSV: create_export (makes the file once to hash it) and download_export (makes it
#      again and sends it) against COPY (SELECT ... same rows ...) TO STDOUT (FORMAT csv), all read to /dev/null by
#      psql on the same machine. Target: within 1.5x of COPY. Plus the backends' peak RSS.
#
# Environment: BENCH_SECONDS (10 per pgbench run), EXPORT_ROWS (1000000).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_SECONDS=${BENCH_SECONDS:-10}
EXPORT_ROWS=${EXPORT_ROWS:-1000000}
PSQL=$(pg_config --bindir)/psql
PGBENCH=$(pg_config --bindir)/pgbench
[ -x "$PSQL" ] || PSQL=$(command -v psql)
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-bench-history.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

sql() { "$PSQL" -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
die() { echo "bench: $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
say() { printf '\n== %s\n' "$*"; }

# ------------------------------------------------------------------------------------------------ 1. inserts
sql <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_plain_history;
CREATE TABLE bench_plain_history (LIKE costsim.status_history INCLUDING ALL);
CREATE SEQUENCE IF NOT EXISTS bench_plain_seq;
SQL

cat >"$TMP/plain.sql" <<'SQL'
INSERT INTO bench_plain_history (tenant_id, seq, entity_type, entity_id, new_status, actor_type, metadata, created_at, prev_hash, row_hash) VALUES (:tenant, nextval('bench_plain_seq'), 'job', 'job-' || :client_id, 'running', 'system', '{}', now(), '0000000000000000000000000000000000000000000000000000000000000000', '0000000000000000000000000000000000000000000000000000000000000000');
SQL
cat >"$TMP/chained.sql" <<'SQL'
INSERT INTO costsim.status_history (tenant_id, entity_type, entity_id, new_status, actor_type, metadata) VALUES (:tenant, 'job', 'job-' || :client_id, 'running', 'system', '{}');
SQL
cat >"$TMP/log.sql" <<'SQL'
SELECT costsim.log_status_change('job', 'job-' || :client_id, 'running', tenant_id => :tenant);
SQL

# run SCRIPT CLIENTS TENANT_MODE -> TPS
run() {
  local script=$1 clients=$2 mode=$3 out tps files
  files=(-f "$TMP/$script")
  if [ "$mode" = per-client ]; then
    # pgbench variables cannot be concatenated in -D: build a script with the tenant as an expression.
    sed "s/:tenant/'bench-' || :client_id/g" "$TMP/$script" >"$TMP/pc-$script"
    files=(-f "$TMP/pc-$script")
  fi
  out=$("$PGBENCH" -n -M prepared -c "$clients" -j "$((clients < 2 ? 1 : 2))" -T "$BENCH_SECONDS" \
          -D tenant=bench-one "${files[@]}" 2>&1) || { echo "$out" >&2; die "pgbench $script failed"; }
  if grep -q 'number of failed transactions: [1-9]' <<<"$out"; then echo "$out" >&2; die "pgbench $script: failures"; fi
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' <<<"$out")
  [ -n "$tps" ] || { echo "$out" >&2; die "no TPS from pgbench $script"; }
  echo "$tps"
}

say "status_history inserts: pgbench -M prepared, ${BENCH_SECONDS}s per run"
printf '%-26s %12s %12s %12s %9s %9s\n' "clients / tenants" "plain tps" "chained tps" "log_status" "chained/" "log/"
printf '%-26s %12s %12s %12s %9s %9s\n' "" "" "" "_change tps" "plain" "plain"
for setting in "1 one" "2 one" "8 one" "8 per-client"; do
  read -r clients mode <<<"$setting"
  plain=$(run plain.sql "$clients" "$mode")
  chained=$(run chained.sql "$clients" "$mode")
  logged=$(run log.sql "$clients" "$mode")
  label="$clients / $([ "$mode" = one ] && echo "1 tenant" || echo "$clients tenants")"
  awk -v l="$label" -v p="$plain" -v c="$chained" -v g="$logged" \
    'BEGIN { printf "%-26s %12.0f %12.0f %12.0f %9.3f %9.3f  %s\n", l, p, c, g, c / p, g / p,
             (c / p >= 0.5 ? "PASS (target >= 0.50)" : "short of the 0.50 target") }'
done
verdict=$(sql -c "SELECT count(*) FILTER (WHERE NOT intact) FROM costsim.verify_chain()")
echo "verify_chain() after the runs: $verdict broken chain(s) across $(sql -c "SELECT count(DISTINCT tenant_id) FROM costsim.status_history") tenants"

# ------------------------------------------------------------------------------------------------- 2. export
say "export of $EXPORT_ROWS rows to CSV"
TENANT="bench-export-$$"
t0=$(now)
sql -c "INSERT INTO costsim.status_history (tenant_id, entity_type, entity_id, new_status, actor_type, reason, metadata)
        SELECT '$TENANT', 'job', 'job-' || g, CASE WHEN g % 2 = 0 THEN 'done' ELSE 'running' END, 'system',
               CASE WHEN g % 10 = 0 THEN 'retry, after \"timeout\"' END, jsonb_build_object('n', g, 'tag', 'bench')
          FROM generate_series(1, $EXPORT_ROWS) g"
t1=$(now)
awk -v n="$EXPORT_ROWS" -v s="$(elapsed "$t0" "$t1")" \
  'BEGIN { printf "bulk chained INSERT ... SELECT of %d rows: %.1f s (%.0f rows/s)\n", n, s, n / s }'
sql -c "ANALYZE costsim.status_history"

COLUMNS="id, seq, tenant_id, entity_type, entity_id, old_status, new_status, actor_type, actor_id, reason, correlation_id, metadata, created_at, prev_hash, row_hash"
copy_run() {
  local t0 t1
  t0=$(now)
  "$PSQL" -X -q -v ON_ERROR_STOP=1 -c "COPY (SELECT $COLUMNS FROM costsim.status_history WHERE tenant_id = '$TENANT' ORDER BY seq) TO STDOUT (FORMAT csv, HEADER)" >"$TMP/copy.csv"
  t1=$(now)
  elapsed "$t0" "$t1"
}
create_run() {  # prints "seconds export_id expires sig sha256 bytes"
  local t0 t1 line
  t0=$(now)
  line=$(PGOPTIONS="-c costsim.tenant_id=$TENANT" sql -F ' ' -c "SELECT export_id, expires, sig, sha256, byte_count FROM costsim.create_export('csv')")
  t1=$(now)
  echo "$(elapsed "$t0" "$t1") $line"
}
download_run() {  # download_run ID EXPIRES SIG -> seconds; the file in $TMP/export.csv
  local t0 t1
  t0=$(now)
  PGOPTIONS="-c costsim.tenant_id=$TENANT" "$PSQL" -X -q -v ON_ERROR_STOP=1 \
    -c "COPY (SELECT costsim.download_export('$1', 'csv', $2, '$3')) TO STDOUT (FORMAT binary)" >"$TMP/export.bin"
  t1=$(now)
  elapsed "$t0" "$t1"
}
declare -a COPY_S CREATE_S DOWNLOAD_S
for r in 1 2; do
  COPY_S[r]=$(copy_run)
  read -r CREATE_S[r] id expires sig sha bytes <<<"$(create_run)"
  DOWNLOAD_S[r]=$(download_run "$id" "$expires" "$sig")
  echo "round $r: COPY ... TO STDOUT (csv) ${COPY_S[r]} s   create_export ${CREATE_S[r]} s   download_export ${DOWNLOAD_S[r]} s"
done
# Binary COPY framing around the one bytea: 19-byte header, 2-byte field count, 4-byte length; 2-byte trailer.
tail -c +26 "$TMP/export.bin" | head -c -2 >"$TMP/export.csv"
file_sha=$(sha256sum "$TMP/export.csv" | cut -d' ' -f1)
echo "export file: $(wc -c <"$TMP/export.csv") bytes (byte_count $bytes), $(($(wc -l <"$TMP/export.csv") - 1)) rows;" \
     "sha256sum $( [ "$file_sha" = "$sha" ] && echo matches || echo 'DOES NOT MATCH') create_export's sha256;" \
     "COPY's file: $(wc -c <"$TMP/copy.csv") bytes"
awk -v c1="${COPY_S[1]}" -v c2="${COPY_S[2]}" -v e1="${CREATE_S[1]}" -v e2="${CREATE_S[2]}" \
    -v d1="${DOWNLOAD_S[1]}" -v d2="${DOWNLOAD_S[2]}" 'BEGIN {
  c = (c1 + c2) / 2; e = (e1 + e2) / 2; d = (d1 + d2) / 2
  printf "mean: COPY %.2f s, create_export %.2f s, download_export %.2f s\n", c, e, d
  printf "download_export / COPY = %.2f  (target <= 1.50)  %s\n", d / c, (d / c <= 1.5 ? "PASS" : "short of target")
  printf "create_export / COPY   = %.2f  (target <= 1.50)  %s\n", e / c, (e / c <= 1.5 ? "PASS" : "short of target")
  printf "(create + download) / COPY = %.2f: the whole path, the file made twice (once to hash, once to send)\n", (e + d) / c
}'
peak_rss() {
  PGOPTIONS="-c costsim.tenant_id=$TENANT" "$PSQL" -X -A -t -v ON_ERROR_STOP=1 -c "$1" \
    -c "SELECT substring(pg_read_file('/proc/self/status') from 'VmHWM:\\s*([0-9]+ kB)')" | tail -n 1
}
echo "backend peak RSS (VmHWM: includes the shared buffers the backend touched): idle $(peak_rss 'SELECT 1'); create_export $(peak_rss "SELECT 1 FROM costsim.create_export('csv')");" \
     "create + download $(peak_rss "SELECT length(costsim.download_export(e.export_id, 'csv', e.expires, e.sig)) FROM costsim.create_export('csv') e")"
sql -c "DROP TABLE bench_plain_history; DROP SEQUENCE bench_plain_seq"
exit 0
