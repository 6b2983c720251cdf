#!/usr/bin/env bash
# costsim.status_history under concurrency and at scale (docs/sql.md "The audit log: costsim.status_history"):
#  1. 8 concurrent writers (pgbench) on one tenant: the chain stays one unbroken chain, seq 1..4000.
#  2. A 1,000,000-row CSV export: created, downloaded as raw bytes (binary COPY, no hex in the client), and
#     checked against the file's SHA-256, size, line count, header, statuses and the first and last rows.
#  3. A small tenant's JSONL export read back line by line by an independent parser (node's JSON.parse) and
#     compared with the rows.
# Runs against the test cluster (PG* variables) as a superuser (it writes rows of its own tenants directly).
# status_history is append-only, so every run uses tenants of its own (it-*-PID-EPOCH) and leaves them.
# Prints `ok N - ...` / `not ok N - ...` per check and `#` comments (timings, memory); exits non-zero on failure.
set -uo pipefail
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-status-history.XXXXXX") || exit 1
RUN="$$-$(date +%s)"
T_CONC="it-conc-$RUN" T_BIG="it-big-$RUN" T_JSONL="it-jsonl-$RUN"
if [ -z "${PGBENCH:-}" ]; then
  if [ -x /usr/lib/postgresql/15/bin/pgbench ]; then PGBENCH=/usr/lib/postgresql/15/bin/pgbench; else PGBENCH=pgbench; fi
fi
HEADER='id,seq,tenant_id,entity_type,entity_id,old_status,new_status,actor_type,actor_id,reason,correlation_id,metadata,created_at,prev_hash,row_hash'
ISO="'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'"   # created_at as the export writes it (UTC, microseconds)

psql_q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
as_tenant() { PGOPTIONS="-c costsim.tenant_id=$1" "${@:2}"; }   # as_tenant TENANT COMMAND...
cleanup() {
  touch "$TMP"/*.stop 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"
is() {  # is DESCRIPTION EXPECTED ACTUAL
  n=$((n + 1))
  if [ "$2" = "$3" ]; then echo "ok $n - $1"; else
    failures=$((failures + 1)); echo "not ok $n - $1"
    printf '%s\n' "expected: $2" "     got: $3" | cut -c 1-2000 | sed 's/\r/\\r/g; s/^/#   /'; fi
}
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# The backend's memory while a statement runs: RssAnon sampled every 50 ms (private memory: palloc'd data), and
# VmHWM at the end (peak resident set, which also counts the shared buffers the backend touched).
cat >"$TMP/sampler.sh" <<'EOF'
pid=$(cat "$1.pid") max=0
while [ ! -e "$1.stop" ] && [ -r "/proc/$pid/status" ]; do
  v=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
  if [ -n "$v" ] && [ "$v" -gt "$max" ]; then max=$v; echo "$max" >"$1.anon"; fi
  sleep 0.05
done
EOF
# in_backend NAME TENANT OUT SQL: runs SQL in one session of TENANT, its result (or COPY data) into OUT, sampling
# the backend's memory; leaves NAME.seconds and NAME.mem (a description) in $TMP.
in_backend() {
  local name=$1 tenant=$2 out=$3 sql=$4 rc t0 t1
  t0=$(now)
  as_tenant "$tenant" psql -X -A -t -q -v ON_ERROR_STOP=1 >"$out" 2>"$TMP/$name.err" <<EOF
\o $TMP/$name.pid
SELECT pg_backend_pid();
\o
\! bash '$TMP/sampler.sh' '$TMP/$name' </dev/null >/dev/null 2>&1 &
$sql
\! touch '$TMP/$name.stop'; grep VmHWM /proc/\$(cat '$TMP/$name.pid')/status >'$TMP/$name.hwm' 2>/dev/null
EOF
  rc=$?
  t1=$(now)
  touch "$TMP/$name.stop"
  seconds "$t0" "$t1" >"$TMP/$name.seconds"
  local hwm anon
  hwm=$(awk '{ printf "%.0f MB", $2 / 1024 }' "$TMP/$name.hwm" 2>/dev/null)
  anon=$(awk '{ printf "%.0f MB", $1 / 1024 }' "$TMP/$name.anon" 2>/dev/null)
  echo "backend peak RSS (VmHWM, shared buffers included) ${hwm:-?}, peak private memory (RssAnon, sampled) ${anon:-?}" \
    >"$TMP/$name.mem"
  cat "$TMP/$name.err" >&2
  return "$rc"
}
# The bytea of a binary COPY of one row and one column: 19-byte header, int16 field count, int32 length, the
# data, the int16 trailer.
strip_copy() {  # strip_copy IN OUT
  [ "$(head -c 11 "$1" | od -An -c | tr -d ' \n')" = 'PGCOPY\n377\r\n\0' ] || { echo "not a binary COPY: $1"; return 1; }
  tail -c +26 "$1" | head -c -2 >"$2"
}
# create_export TENANT FORMAT OUT: the export's fields, `|`-separated, into OUT
create_export() {
  as_tenant "$1" psql_q -c "SELECT export_id, record_count, byte_count, sha256, head_seq, head_hash, expires, sig
                              FROM costsim.create_export('$2')" >"$3"
}
download() {  # download TENANT EXPORT_FIELDS_FILE FORMAT OUT
  local id count bytes sha head_seq head_hash expires sig
  IFS='|' read -r id count bytes sha head_seq head_hash expires sig <"$2" || return 1
  as_tenant "$1" psql_q -c "COPY (SELECT costsim.download_export('$id', '$3', $expires, '$sig')) TO STDOUT (FORMAT binary)" \
    >"$4.copy" && strip_copy "$4.copy" "$4"
}
field() { cut -d'|' -f"$2" "$1" 2>/dev/null; }   # field FILE N (1 export_id, 2 record_count, 3 byte_count, 4 sha256,
                                                # 5 head_seq, 6 head_hash, 7 expires, 8 sig)

#############################################################################################################
# 1. Concurrent writers on one tenant
#############################################################################################################
echo "SELECT costsim.log_status_change('job', 'job-' || :client_id, 'running');" >"$TMP/conc.pgbench"
t0=$(now)
check "pgbench: 8 clients x 500 log_status_change on one tenant ($T_CONC), no failed transaction" \
  bash -c 'PGOPTIONS="-c costsim.tenant_id=$1" "$2" -n -c 8 -j 2 -t 500 -f "$3" >"$3.out" 2>&1; rc=$?; cat "$3.out";
           [ "$rc" -eq 0 ] && grep -q "^number of transactions actually processed: 4000/4000" "$3.out" &&
           ! grep -q "^number of failed transactions: [1-9]" "$3.out"' _ "$T_CONC" "$PGBENCH" "$TMP/conc.pgbench"
echo "# pgbench, 4000 appends from 8 clients: $(seconds "$t0" "$(now)") s"
is "concurrent writers: verify_chain intact, rows_checked 4000, head_seq 4000" "t|4000|4000" \
  "$(psql_q -c "SELECT intact, rows_checked, head_seq FROM costsim.verify_chain('$T_CONC')" 2>&1)"
is "concurrent writers: seq is exactly 1..4000 (count = count distinct = max = 4000, min 1)" "4000|4000|1|4000" \
  "$(psql_q -c "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM costsim.status_history
                 WHERE tenant_id = '$T_CONC'" 2>&1)"
is "concurrent writers: every prev_hash is the row_hash of seq - 1 (64 zeros for seq 1)" "0" \
  "$(psql_q -c "SELECT count(*) FROM costsim.status_history c
                  LEFT JOIN costsim.status_history p ON p.tenant_id = c.tenant_id AND p.seq = c.seq - 1
                 WHERE c.tenant_id = '$T_CONC'
                   AND c.prev_hash IS DISTINCT FROM CASE WHEN c.seq = 1 THEN repeat('0', 64) ELSE p.row_hash END" 2>&1)"
is "concurrent writers: 4000 distinct row hashes, each 64 lowercase hex characters" "4000|4000" \
  "$(psql_q -c "SELECT count(DISTINCT row_hash), count(*) FILTER (WHERE row_hash ~ '^[0-9a-f]{64}\$')
                  FROM costsim.status_history WHERE tenant_id = '$T_CONC'" 2>&1)"
is "concurrent writers: 500 rows from each of the 8 clients" \
  "job-0:500,job-1:500,job-2:500,job-3:500,job-4:500,job-5:500,job-6:500,job-7:500" \
  "$(psql_q -c "SELECT string_agg(entity_id || ':' || c, ',' ORDER BY entity_id)
                  FROM (SELECT entity_id, count(*) AS c FROM costsim.status_history
                         WHERE tenant_id = '$T_CONC' GROUP BY 1) t" 2>&1)"

#############################################################################################################
# 2. 1,000,000 rows, one CSV export
#############################################################################################################
t0=$(now)
check "1,000,000 rows for tenant $T_BIG in one INSERT (the chain trigger sets seq and the hashes)" \
  psql_q -c "INSERT INTO costsim.status_history (tenant_id, entity_type, entity_id, new_status, actor_type, metadata)
             SELECT '$T_BIG', 'job', 'job-' || g, CASE WHEN g % 2 = 0 THEN 'done' ELSE 'running' END, 'system',
                    jsonb_build_object('n', g)
               FROM generate_series(1, 1000000) g"
echo "# INSERT of 1,000,000 rows: $(seconds "$t0" "$(now)") s"
BIG=$TMP/big
check "create_export('csv') of the 1,000,000 rows" \
  in_backend create "$T_BIG" "$BIG.fields" \
    "SELECT export_id, record_count, byte_count, sha256, head_seq, head_hash, expires, sig FROM costsim.create_export('csv');"
IFS='|' read -r ID COUNT BYTES SHA HEAD_SEQ HEAD_HASH EXPIRES SIG <"$BIG.fields"
echo "# create_export (csv, 1,000,000 rows, ${BYTES:-?} bytes): $(cat "$TMP/create.seconds" 2>/dev/null) s; $(cat "$TMP/create.mem" 2>/dev/null)"
in_backend bytea "$T_BIG" "$BIG.length" \
  "SELECT length(costsim.download_export('${ID:-}', 'csv', ${EXPIRES:-0}, '${SIG:-}'));" 2>"$TMP/bytea.log"
is "download_export alone (the bytea, nothing sent): its length is byte_count" "${BYTES:-none}" \
  "$(cat "$BIG.length" "$TMP/bytea.log" 2>/dev/null)"
echo "# download_export alone (the bytea, not sent): $(cat "$TMP/bytea.seconds" 2>/dev/null) s; $(cat "$TMP/bytea.mem" 2>/dev/null)"
check "download_export of it, as raw bytes (binary COPY)" \
  in_backend download "$T_BIG" "$BIG.copy" \
    "COPY (SELECT costsim.download_export('${ID:-}', 'csv', ${EXPIRES:-0}, '${SIG:-}')) TO STDOUT (FORMAT binary);"
echo "# download_export (csv, 1,000,000 rows): $(cat "$TMP/download.seconds" 2>/dev/null) s; $(cat "$TMP/download.mem" 2>/dev/null)"
check "the binary COPY framing is stripped" strip_copy "$BIG.copy" "$BIG.csv"
rm -f "$BIG.copy"
is "create_export: record_count 1000000, head_seq 1000000" "1000000|1000000" "${COUNT:-}|${HEAD_SEQ:-}"
is "create_export: head_hash is the row_hash of seq 1000000" \
  "$(psql_q -c "SELECT row_hash FROM costsim.status_history WHERE tenant_id = '$T_BIG' AND seq = 1000000" 2>&1)" "${HEAD_HASH:-}"
is "the file's SHA-256 (sha256sum) is the sha256 create_export returned" "${SHA:-none}" \
  "$(sha256sum "$BIG.csv" 2>/dev/null | cut -d' ' -f1)"
is "the file's size is byte_count" "${BYTES:-none}" "$(stat -c %s "$BIG.csv" 2>/dev/null)"
is "the file has 1,000,001 lines" "1000001" "$(wc -l <"$BIG.csv" 2>/dev/null)"
is "the first line is the header, CRLF-terminated" "$HEADER"$'\r' "$(head -n 1 "$BIG.csv" 2>/dev/null)"
is "every line ends with CRLF" "0" "$(awk '!/\r$/ { bad++ } END { print bad + 0 }' "$BIG.csv" 2>/dev/null)"
is "500000 rows with new_status done, 500000 running" "500000|500000" \
  "$(awk -F, 'NR > 1 && $7 == "done" { d++ } NR > 1 && $7 == "running" { r++ } END { print d + 0 "|" r + 0 }' "$BIG.csv" 2>/dev/null)"
is "the rows are in seq order, 1..1000000" "0" \
  "$(awk -F, 'NR > 1 && $2 != NR - 1 { bad++ } END { print bad + 0 }' "$BIG.csv" 2>/dev/null)"
is "the first row, as the documented layout says" \
  "$(psql_q -c "SELECT id || ',1,$T_BIG,job,job-1,,running,system,,,,\"{\"\"n\"\":1}\",' ||
                       to_char(created_at AT TIME ZONE 'UTC', $ISO) || ',' || prev_hash || ',' || row_hash
                  FROM costsim.status_history WHERE tenant_id = '$T_BIG' AND seq = 1" 2>&1)" \
  "$(sed -n '2p' "$BIG.csv" 2>/dev/null | tr -d '\r')"
is "the last row, as the documented layout says" \
  "$(psql_q -c "SELECT id || ',1000000,$T_BIG,job,job-1000000,,done,system,,,,\"{\"\"n\"\":1000000}\",' ||
                       to_char(created_at AT TIME ZONE 'UTC', $ISO) || ',' || prev_hash || ',' || row_hash
                  FROM costsim.status_history WHERE tenant_id = '$T_BIG' AND seq = 1000000" 2>&1)" \
  "$(tail -n 1 "$BIG.csv" 2>/dev/null | tr -d '\r')"
rm -f "$BIG.csv"
is "the export and both downloads are audited (seq 1000001 created, 1000002 and 1000003 downloaded)" \
  "1000001:NULL->created,1000002:created->downloaded,1000003:created->downloaded" \
  "$(psql_q -c "SELECT string_agg(seq || ':' || coalesce(old_status, 'NULL') || '->' || new_status, ',' ORDER BY seq)
                  FROM costsim.status_history WHERE tenant_id = '$T_BIG' AND entity_type = 'status_history_export'
                   AND entity_id = '${ID:-}'" 2>&1)"
t0=$(now)
is "verify_chain of the 1,000,003 rows: intact" "t|1000003" \
  "$(psql_q -c "SELECT intact, rows_checked FROM costsim.verify_chain('$T_BIG')" 2>&1)"
echo "# verify_chain (1,000,003 rows): $(seconds "$t0" "$(now)") s"

#############################################################################################################
# 3. A small tenant's JSONL export, parsed by node
#############################################################################################################
JL=$TMP/jl
check "rows of every shape for tenant $T_JSONL" as_tenant "$T_JSONL" psql_q <<'SQL'
SELECT count(*) FROM (
  SELECT costsim.log_status_change('order', 'o-1', 'created')
  UNION ALL SELECT costsim.log_status_change('order', 'o-1', 'paid', 'created', 'user', 'u-1', 'said "hi", then left',
                                            'corr,1', '{"b":1,"a":"x","nested":{"z":[1,2.5,null,true],"a":{}}}')
  UNION ALL SELECT costsim.log_status_change('invoice', E'i\t7', 'done', '', 'role', '', E'line1\nline2\r\nline3',
                                            E'back\\slash', '{"emoji":"😀","é":"ü","ctl":"\u0001\u001f","q":"\"\\"}')
  UNION ALL SELECT costsim.log_status_change('order', 'o-2', 'done', NULL, 'system', NULL, NULL, NULL,
                                            '{"big":12345678901234567890,"small":1e-7,"neg":-0.5,"zero":0,"e":1e21}')
  UNION ALL SELECT costsim.log_status_change('ünïcode ✓', '{"not":"json"}', 'x', NULL, 'system', NULL, ' padded ')
) t;
SQL
check "one row inserted directly, as superuser" psql_q -c "
  INSERT INTO costsim.status_history (tenant_id, entity_type, entity_id, new_status, actor_type)
  VALUES ('$T_JSONL', 'job', 'j-1', 'running', 'system')"
check "create_export('jsonl')" create_export "$T_JSONL" jsonl "$JL.fields"
check "download_export of it, as raw bytes (binary COPY)" download "$T_JSONL" "$JL.fields" jsonl "$JL.jsonl"
check "the rows as expected, one JSON object per line (PostgreSQL's json_build_object)" psql_q -o "$JL.expected" -c "
  SELECT json_build_object('id', id, 'seq', seq, 'tenant_id', tenant_id, 'entity_type', entity_type,
           'entity_id', entity_id, 'old_status', old_status, 'new_status', new_status, 'actor_type', actor_type,
           'actor_id', actor_id, 'reason', reason, 'correlation_id', correlation_id, 'metadata', metadata,
           'created_at', to_char(created_at AT TIME ZONE 'UTC', $ISO), 'prev_hash', prev_hash, 'row_hash', row_hash)
    FROM costsim.status_history WHERE tenant_id = '$T_JSONL' AND seq <= $(field "$JL.fields" 5 || echo 0) ORDER BY seq"
is "jsonl: record_count and head_seq are the six rows" "6|6" "$(field "$JL.fields" 2)|$(field "$JL.fields" 5)"
is "jsonl: SHA-256 of the file (sha256sum) is the sha256 returned" "$(field "$JL.fields" 4)" \
  "$(sha256sum "$JL.jsonl" 2>/dev/null | cut -d' ' -f1)"
is "jsonl: the file's size is byte_count" "$(field "$JL.fields" 3)" "$(stat -c %s "$JL.jsonl" 2>/dev/null)"
cat >"$TMP/check_jsonl.js" <<'EOF'
// node check_jsonl.js MODE EXPORT EXPECTED: MODE lines | members | values
const { readFileSync } = require('node:fs');
const { isDeepStrictEqual } = require('node:util');
const [mode, exportFile, expectedFile] = process.argv.slice(2);
const text = readFileSync(exportFile, 'utf8');
const expected = readFileSync(expectedFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
if (!text.endsWith('\n') || text.includes('\r')) throw new Error('the file must end with LF and hold no CR');
const lines = text.slice(0, -1).split('\n').map((l, i) => {
  try { return JSON.parse(l); } catch (e) { throw new Error(`line ${i + 1} is not JSON: ${l}`); }
});
if (lines.length !== expected.length) throw new Error(`${lines.length} lines, expected ${expected.length}`);
lines.forEach((got, i) => {
  const want = expected[i];
  if (mode === 'members' && !isDeepStrictEqual(Object.keys(got), Object.keys(want)))
    throw new Error(`line ${i + 1}: members ${Object.keys(got)} instead of ${Object.keys(want)}`);
  if (mode === 'values' && !isDeepStrictEqual(got, want))  // (object members compared regardless of order)
    throw new Error(`line ${i + 1}:\n  got      ${JSON.stringify(got)}\n  expected ${JSON.stringify(want)}`);
});
EOF
check "jsonl: one JSON line per row, LF-terminated (node JSON.parse)" node "$TMP/check_jsonl.js" lines "$JL.jsonl" "$JL.expected"
check "jsonl: each line's members are the csv's columns, in order" node "$TMP/check_jsonl.js" members "$JL.jsonl" "$JL.expected"
check "jsonl: each line equals its row (numbers, strings, nulls, metadata)" node "$TMP/check_jsonl.js" values "$JL.jsonl" "$JL.expected"

finish
