#!/usr/bin/env bash
# The HTTP API's contract (sql/src/api.sql, schema `api`), endpoint by endpoint, as PostgREST would serve it.
# PostgREST is in no registry these machines reach, so each request replays the SQL PostgREST issues for it
# (docs: PostgREST "Transactions"; /work/shared/PLATFORM.md), over a connection of its login role `authenticator`:
#
#   BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY|READ WRITE   -- READ ONLY for GET/HEAD, and for POST to a
#                                                              -- STABLE/IMMUTABLE function; READ WRITE otherwise
#   select set_config('search_path', '"api", "public"', true), set_config('role', <role claim>, true),
#          set_config('request.jwt.claims', <claims>, true), set_config('request.method', <method>, true),
#          set_config('request.path', <path>, true), set_config('request.headers', <lower-cased headers>, true)
#   <the query: select "api"."fn"("arg" := $1::type) / a json_agg over the view, filtered, ordered, paginated>
#   <response.headers and response.status, read before the transaction ends>
#   COMMIT                                                     -- postgrest.conf: db-tx-end = "commit", always
#
# and then derives what PostgREST answers: the body, the headers the function set (response.headers must be a JSON
# array of single-key objects with string values, else PostgREST answers 500 PGRST111), and the HTTP status:
# response.status, else 200, or for an error PostgREST's SQLSTATE table (src/PostgREST/Error.hs, mapSQLtoHTTP:
# 22xxx and P0001 and anything unlisted 400, 42501 403 with a JWT and 401 without, 42883/42P01 404, 23503/23505 409,
# 25006 405, 54xxx/55xxx 500, PTxyz xyz, ...).
#
# Every endpoint is checked for its success path (values from spec/costsim.md where the spec fixes them), the
# headers it sets, its transaction mode (a VOLATILE endpoint called with GET runs READ ONLY: 405 once it writes),
# its errors (400 bad input, 413 oversized plan, 503 V2 unavailable, 403 wrong role, 401 anon, 405), and tenant
# isolation (status_history rows of two tenants; the export's signed link used by the other tenant).
#
# Runs against the test cluster (PG* variables, a superuser). It lets `authenticator` log in for the duration
# (ALTER ROLE ... LOGIN), sets costsim.v2_sandbox for it the way a deployment would (ALTER ROLE authenticator SET),
# and, for one export, costsim.export_ttl = 1 (to see a link expire), opens and closes the V2 breaker (POST
# /rpc/v2_reset is the endpoint that closes it), and commits what the writing endpoints write: one canary report,
# six dataset validations (postgrest.conf has db-tx-end = "commit": no request can ask for a rollback). Its
# tenants are its own (tenant_a-PID-EPOCH, ...); their provenance rows are deleted at the end, and the role's
# settings, its NOLOGIN and the breaker are put back as they were.
set -uo pipefail
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-api.XXXXXX") || exit 1
chmod 755 "$TMP"
RUN="$$-$(date +%s)"
TA="tenant_a-$RUN" TB="tenant_b-$RUN"

psql_q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }   # as the superuser of PG*
login_before=$(psql_q -c "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'authenticator'")
breaker_opened=0
cleanup() {
  psql_q -c "ALTER ROLE authenticator RESET costsim.v2_sandbox" -c "ALTER ROLE authenticator RESET costsim.export_ttl" \
         -c "ALTER ROLE authenticator RESET costsim.cb_auto_trip" >/dev/null 2>&1
  [ "$login_before" = t ] || psql_q -c "ALTER ROLE authenticator NOLOGIN" >/dev/null 2>&1
  if [ "$breaker_opened" = 1 ]; then
    psql_q -c "SELECT costsim.enable_v2('api_contract.sh done', 'api_contract.sh')
                WHERE (SELECT state FROM costsim.circuit_breakers WHERE name = 'costsim_v2') <> 'closed'" >/dev/null 2>&1
  fi
  psql_q -c "DELETE FROM costsim.diff_artifacts WHERE tenant_id IN ('$TA', '$TB')" \
         -c "DELETE FROM costsim.provenance WHERE tenant_id IN ('$TA', '$TB')" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

# ---------------------------------------------------------------- the PostgREST replay
# JWT claims (PostgREST puts the verified claims, role included, in request.jwt.claims).
ANON='{"role":"anon"}'
BACKEND_A='{"role":"costsim_backend","tenant_id":"'$TA'","sub":"alice"}'
BACKEND_B='{"role":"costsim_backend","tenant_id":"'$TB'","sub":"bob"}'
AUDITOR_A='{"role":"costsim_auditor","tenant_id":"'$TA'","sub":"dave"}'
ADMIN_A='{"role":"costsim_admin","tenant_id":"'$TA'","sub":"carol"}'
# Request headers as PostgREST passes them: lower-cased names.
GETH='{"accept":"*/*","host":"localhost:3000","user-agent":"curl/7.88.1"}'
POSTH='{"accept":"*/*","content-type":"application/json","host":"localhost:3000","user-agent":"curl/7.88.1"}'

# PostgREST's SQLSTATE -> HTTP status (mapSQLtoHTTP in src/PostgREST/Error.hs). AUTHED: the request had a JWT.
http_status() {  # http_status SQLSTATE AUTHED MESSAGE
  local c=$1 authed=$2 m=$3
  case $c in
    08*) echo 503 ;; 09*) echo 500 ;; 0L* | 0P*) echo 403 ;;
    23503 | 23505) echo 409 ;;
    25006) echo 405 ;;
    21000) if [[ $m == *"requires a WHERE clause" ]]; then echo 400; else echo 500; fi ;;
    22023) if [[ $m == role* && $m == *"does not exist" ]]; then echo 401; else echo 400; fi ;;
    25* | 2D* | 38* | 39* | 3B* | 40*) echo 500 ;;
    28*) echo 403 ;;
    53400) echo 500 ;; 53*) echo 503 ;; 54* | 55*) echo 500 ;;
    57P01) echo 503 ;; 57* | 58* | F0* | HV* | XX*) echo 500 ;;
    P0001) echo 400 ;; P0*) echo 500 ;;
    42883 | 42P01) echo 404 ;; 42P17) echo 500 ;;
    42501) if [ "$authed" = 1 ]; then echo 403; else echo 401; fi ;;
    PT[0-9][0-9][0-9]) echo "${c#PT}" ;; PT*) echo 500 ;;
    *) echo 400 ;;
  esac
}

# The response headers PostgREST would send from response.headers, one `Name: value` a line; exit 2 when the
# setting is not a JSON array of single-key objects with string values (PostgREST: 500, PGRST111).
cat >"$TMP/headers.py" <<'PY'
import json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
if raw == "":
    sys.exit(0)
try:
    value = json.loads(raw)
except ValueError:
    sys.exit(2)
if not isinstance(value, list) or not all(isinstance(o, dict) and len(o) == 1 and isinstance(list(o.values())[0], str) for o in value):
    sys.exit(2)
for o in value:
    (k, v), = o.items()
    print(f"{k}: {v}")
PY
# A value of a JSON document, like jq -r: EXPR is Python over d (the document); strings print raw, the rest as JSON.
cat >"$TMP/jget.py" <<'PY'
import json, sys
text = open(sys.argv[2], encoding="utf-8", errors="replace").read()
try:
    d = json.loads(text)
except ValueError:
    print("<not JSON: %r>" % text[:200])
    sys.exit(1)
v = eval(sys.argv[1], {"d": d, "json": json})
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":"), sort_keys=True))
PY
jget() { python3 "$TMP/jget.py" "$1" "${2:-$TMP/body}"; }   # jget EXPR [FILE]: of the last response's body by default

# request METHOD PATH ROLE CLAIMS HEADERS SQL [ARGS...]: one PostgREST request. SQL is the main query, with the
# arguments as :'a1', :'a2', ... (PostgREST's $1, $2 ...). Leaves STATUS (HTTP), CODE (SQLSTATE or empty), MESSAGE,
# TXMODE, RESPONSE_HEADERS and RESPONSE_STATUS (the raw settings), $TMP/body (the body's bytes; a bytea result
# decoded) and $TMP/headers (the response headers), and prints a TAP comment line.
request() {
  local method=$1 path=$2 role=$3 claims=$4 headers=$5 sql=$6
  shift 6
  local mode="READ WRITE" authed=1 i=0 vars=() volatility
  case $method in
    GET | HEAD) mode="READ ONLY" ;;
    POST)
      if [[ $path == /rpc/* ]]; then   # PostgREST knows each function's volatility from its schema cache
        volatility=$(psql_q -c "SELECT provolatile FROM pg_proc WHERE oid = 'api.${path#/rpc/}'::regproc")
        [ "$volatility" = v ] || mode="READ ONLY"
      fi ;;
  esac
  [ "$role" = anon ] && authed=0
  for a in "$@"; do i=$((i + 1)); vars+=(-v "a$i=$a"); done
  rm -f "$TMP/body.raw" "$TMP/rh.raw" "$TMP/rs.raw" "$TMP/body" "$TMP/headers"
  psql -X -A -t -q -U authenticator -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -v role="$role" -v claims="$claims" \
    -v method="$method" -v path="$path" -v headers="$headers" "${vars[@]}" >/dev/null 2>"$TMP/err" <<SQL
BEGIN ISOLATION LEVEL READ COMMITTED $mode;
select set_config('search_path', '"api", "public"', true), set_config('role', :'role', true), set_config('request.jwt.claims', :'claims', true), set_config('request.method', :'method', true), set_config('request.path', :'path', true), set_config('request.headers', :'headers', true) \g /dev/null
$sql
\g $TMP/body.raw
select coalesce(current_setting('response.headers', true), '') \g $TMP/rh.raw
select coalesce(current_setting('response.status', true), '') \g $TMP/rs.raw
COMMIT;
SQL
  local rc=$? line
  TXMODE=$mode CODE="" MESSAGE="" RESPONSE_HEADERS="" RESPONSE_STATUS=""
  if [ "$rc" -ne 0 ]; then
    line=$(grep -m1 -E 'ERROR:  [0-9A-Z]{5}: ' "$TMP/err")
    if [ -n "$line" ]; then
      CODE=$(sed -E 's/.*ERROR:  ([0-9A-Z]{5}): .*/\1/' <<<"$line")
      MESSAGE=$(sed -E 's/.*ERROR:  [0-9A-Z]{5}: //' <<<"$line")
      STATUS=$(http_status "$CODE" "$authed" "$MESSAGE")
    else   # no SQL error: the connection itself failed (PostgREST: 503, PGRST000)
      CODE=PGRST000 MESSAGE=$(head -1 "$TMP/err") STATUS=503
    fi
    : >"$TMP/body"; : >"$TMP/headers"
  else
    # A bytea answer (a media-type domain) comes back from psql as \x<hex>: the body is its bytes.
    if head -c 2 "$TMP/body.raw" | grep -q '^\\x'; then
      perl -e 'local $/; my $h = <STDIN>; $h =~ s/^\\x//; $h =~ s/\s+$//; binmode STDOUT; print pack("H*", $h)' \
        <"$TMP/body.raw" >"$TMP/body"
    else
      head -c -1 "$TMP/body.raw" >"$TMP/body"   # the value, without psql's line end
    fi
    RESPONSE_HEADERS=$(head -c -1 "$TMP/rh.raw")
    printf '%s' "$RESPONSE_HEADERS" >"$TMP/rh"
    RESPONSE_STATUS=$(head -c -1 "$TMP/rs.raw")
    if ! python3 "$TMP/headers.py" "$TMP/rh" >"$TMP/headers"; then
      STATUS=500 CODE=PGRST111 MESSAGE="response.headers guc must be a JSON array composed of objects with a single key and a string value"
    elif [ -n "$RESPONSE_STATUS" ]; then
      if [[ $RESPONSE_STATUS =~ ^[0-9]+$ ]]; then STATUS=$RESPONSE_STATUS; else STATUS=500 CODE=PGRST112; fi
    else
      STATUS=200
    fi
  fi
  echo "# $method $path as $role ($mode) -> $STATUS${CODE:+ ($CODE: ${MESSAGE:0:140})}"
}
header() { grep -i -m1 "^$1: " "$TMP/headers" | sed -E 's/^[^:]+: //'; }   # header NAME: of the last response
# PostgREST's read of a view or of a set-returning function: the rows as one JSON array.
rows_of() { echo "select coalesce(json_agg(_postgrest_t), '[]')::character varying from ($1) _postgrest_t"; }
# PostgREST's call of a function returning one composite value: the row as one JSON object.
row_of() { echo "select row_to_json(_postgrest_t)::character varying from $1 _postgrest_t"; }
is() {  # is DESCRIPTION EXPECTED ACTUAL
  check "$1" equals "$2" "$3"
}
status_is() {  # status_is DESCRIPTION EXPECTED: the last response's HTTP status (and SQLSTATE, on failure)
  check "$1" equals "$2" "$STATUS${CODE:+ }$CODE"
}

# ---------------------------------------------------------------- set-up
psql_q -c "ALTER ROLE authenticator LOGIN" >/dev/null
# This test is about the API, not the breaker: its shadow calls must not trip it (the drift window is shared
# with whatever ran before, e.g. the pgTAP files).
psql_q -c "ALTER ROLE authenticator SET costsim.cb_auto_trip = off" >/dev/null
check "authenticator (created NOLOGIN by the extension) logs in for the test and may become every API role" \
  equals "true|true|true|true|true" "$(psql_q -c "SELECT rolcanlogin || '|' || pg_has_role('authenticator', 'anon', 'MEMBER') || '|' ||
                                         pg_has_role('authenticator', 'costsim_backend', 'MEMBER') || '|' ||
                                         pg_has_role('authenticator', 'costsim_auditor', 'MEMBER') || '|' ||
                                         pg_has_role('authenticator', 'costsim_admin', 'MEMBER')
                                    FROM pg_roles WHERE rolname = 'authenticator'")"
check "the V2 breaker is closed at the start" \
  equals closed "$(psql_q -c "SELECT state FROM costsim.circuit_breakers WHERE name = 'costsim_v2'")"
# The test opens and closes the breaker itself: one someone else opened is left alone, and the test stops.
# shellcheck disable=SC2154 # failures: lib/tap.sh
[ "$failures" -eq 0 ] || { finish; exit 1; }
# PostgREST's requirements on the schema: no overloads, named parameters; GET-able reads STABLE, writers VOLATILE.
check "api functions: no overloads, every parameter named" \
  equals "0|0" "$(psql_q -c "SELECT (SELECT count(*) FROM (SELECT proname FROM pg_proc WHERE pronamespace = 'api'::regnamespace
                                                              GROUP BY 1 HAVING count(*) > 1) o) || '|' ||
                                    (SELECT count(*) FROM pg_proc WHERE pronamespace = 'api'::regnamespace AND pronargs > 0
                                        AND (proargnames IS NULL OR '' = ANY (proargnames)))")"
check "api volatility: reads STABLE (GET works), writers VOLATILE (POST only)" \
  equals "dataset_samples:s,divergence:s,entity_history:s,health:s,status_history_stats:s,v2_incidents:s,v2_status:s|canary_run:v,download:v,simulate:v,status_history_export:v,v2_reset:v,v2_simulate:v,validate_all_datasets:v,validate_dataset:v" \
  "$(psql_q -c "SELECT string_agg(proname || ':' || provolatile::text, ',' ORDER BY proname) FILTER (WHERE provolatile <> 'v') || '|' ||
                       string_agg(proname || ':' || provolatile::text, ',' ORDER BY proname) FILTER (WHERE provolatile = 'v')
                  FROM pg_proc WHERE pronamespace = 'api'::regnamespace")"

# ---------------------------------------------------------------- health and v2_status: anyone
request GET /rpc/health anon "$ANON" "$GETH" 'select "api"."health"()'
status_is "GET /rpc/health as anon: 200" 200
is "health: status ok, the installed extension version, not in recovery" \
  "ok|$(psql_q -c "SELECT extversion FROM pg_extension WHERE extname = 'costsim'")|false" \
  "$(jget 'd["status"] + "|" + d["extension_version"] + "|" + json.dumps(d["in_recovery"])')"
request GET /rpc/health costsim_backend "$BACKEND_A" "$GETH" 'select "api"."health"()'
status_is "GET /rpc/health as costsim_backend: 200" 200

request GET /rpc/v2_status anon "$ANON" "$GETH" 'select "api"."v2_status"()'
status_is "GET /rpc/v2_status as anon: 200" 200
is "v2_status: model versions 1.0.0 / 2.0.0, breaker costsim_v2 closed, sandbox off (the cluster's default) so V2 not enabled" \
  "1.0.0|2.0.0|costsim_v2|closed|false|false" \
  "$(jget '"|".join([d["v1_model_version"], d["v2_model_version"], d["breaker"]["name"], d["breaker"]["state"], json.dumps(d["v2_sandbox"]), json.dumps(d["v2_enabled"])])')"
is "v2_status: the spec's default thresholds (drift 0.2, warning 0.15, window 100, min 20, failures 3, schema errors 5, TTL 24 h)" \
  '{"cb_failure_threshold":3,"cb_min_samples":20,"cb_window_size":100,"disable_ttl_seconds":86400,"drift_threshold":0.2,"drift_warning_threshold":0.15,"schema_error_threshold":5}' \
  "$(jget 'd["thresholds"]')"
request GET /rpc/v2_status costsim_auditor "$AUDITOR_A" "$GETH" 'select "api"."v2_status"()'
status_is "GET /rpc/v2_status as costsim_auditor: 200" 200

request GET /rpc/health nobody '{"role":"nobody"}' "$GETH" 'select "api"."health"()'
status_is "a JWT whose role does not exist: 401 (22023 'role ... does not exist')" "401 22023"
request GET /rpc/health postgres '{"role":"postgres"}' "$GETH" 'select "api"."health"()'
status_is "a JWT naming a role authenticator may not become (postgres): 403 (42501)" "403 42501"

# ---------------------------------------------------------------- anon: 401 on everything else
anon_401() {  # anon_401 METHOD PATH SQL [ARGS...]
  request "$1" "$2" anon "$ANON" "$GETH" "${@:3}"
  status_is "$1 $2 as anon: 401 (42501 without a JWT)" "401 42501"
}
anon_401 POST /rpc/simulate 'select "api"."simulate"("plan" := :'"'a1'"'::jsonb)' '[{"skill":"llm_invoke"}]'
anon_401 POST /rpc/v2_simulate 'select "api"."v2_simulate"("plan" := :'"'a1'"'::jsonb)' '[{"skill":"llm_invoke"}]'
anon_401 POST /rpc/v2_reset 'select "api"."v2_reset"("reason" := :'"'a1'"'::text)' 'anon'
anon_401 GET /rpc/v2_incidents "$(rows_of 'select * from "api"."v2_incidents"()')"
anon_401 GET /rpc/divergence 'select "api"."divergence"("format" := :'"'a1'"'::text)' json
anon_401 POST /rpc/canary_run "$(row_of '"api"."canary_run"("sample_count" := :'"'a1'"'::integer)')" 0
anon_401 GET /canary_reports "$(rows_of 'select "api"."canary_reports".* from "api"."canary_reports"')"
anon_401 GET /datasets "$(rows_of 'select "api"."datasets".* from "api"."datasets"')"
anon_401 GET /rpc/dataset_samples "$(rows_of 'select * from "api"."dataset_samples"("dataset_id" := :'"'a1'"'::text)')" low_variance
anon_401 POST /rpc/validate_dataset "$(row_of '"api"."validate_dataset"("dataset_id" := :'"'a1'"'::text)')" low_variance
anon_401 POST /rpc/validate_all_datasets "$(rows_of 'select * from "api"."validate_all_datasets"()')"
anon_401 GET /status_history "$(rows_of 'select "api"."status_history".* from "api"."status_history"')"
anon_401 GET /rpc/entity_history "$(rows_of 'select * from "api"."entity_history"("entity_type" := :'"'a1'"'::text, "entity_id" := :'"'a2'"'::text)')" order o-1
anon_401 GET /rpc/status_history_stats 'select "api"."status_history_stats"()'
anon_401 POST /rpc/status_history_export 'select "api"."status_history_export"("format" := :'"'a1'"'::text)' csv
anon_401 POST /rpc/download 'select "api"."download"("export_id" := :'"'a1'"'::uuid, "format" := :'"'a2'"'::text, "expires" := :'"'a3'"'::bigint, "sig" := :'"'a4'"'::text)' \
  00000000-0000-0000-0000-000000000000 csv 0 x

# ---------------------------------------------------------------- simulate (V1, the production answer)
SIMULATE='select "api"."simulate"("plan" := :'"'a1'"'::jsonb, "budget_cents" := :'"'a2'"'::integer)'
request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" "$SIMULATE" '[{"skill":"llm_invoke"}]' 100
status_is "POST /rpc/simulate [llm_invoke] budget 100: 200" 200
is "POST /rpc/simulate runs READ WRITE (simulate is VOLATILE: its shadow path writes provenance)" "READ WRITE" "$TXMODE"
is "simulate: feasible, status feasible, cost 5, duration 2000, remaining 95, budget sufficient" \
  "true|feasible|5|2000|95|true" \
  "$(jget '"|".join(json.dumps(d[k]) if not isinstance(d[k], str) else d[k] for k in ["feasible", "status", "estimated_cost_cents", "estimated_duration_ms", "budget_remaining_cents", "budget_sufficient"])')"
is "simulate: no risks listed (p 0.05 is not > 0.05), no gaps, no alternatives; metadata 1 step, risk 0.05, utilization 0.05" \
  '[]|[]|[]|1|0.05|0.05' \
  "$(jget '"|".join([json.dumps(d["risks"]), json.dumps(d["permission_gaps"]), json.dumps(d["alternatives"]), str(d["metadata"]["plan_steps"]), str(round(d["metadata"]["cumulative_risk"], 9)), str(round(d["metadata"]["budget_utilization"], 9))])')"
is "simulate: the step estimate (llm_invoke, cost 5, latency 2000, rate_limit, 1 iteration)" \
  "llm_invoke|5|2000|rate_limit|1" \
  "$(jget '"|".join(str(d["step_estimates"][0][k]) for k in ["skill_id", "cost_cents", "latency_ms", "risk_type", "iterations"])')"
is "simulate sets no response headers and no status" "|" "$RESPONSE_HEADERS|$RESPONSE_STATUS"

request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" "$SIMULATE" '[{"skill":"http_call"}]' 1000
is "simulate [http_call]: 200, cost 0, duration 500, one risk: 'http_call x1 has 10% chance of timeout', retry mitigation" \
  "200|0|500|http_call x1 has 10% chance of timeout|Add retry with exponential backoff" \
  "$STATUS|$(jget '"|".join([str(d["estimated_cost_cents"]), str(d["estimated_duration_ms"]), d["risks"][0]["description"], d["risks"][0]["mitigation"]])')"

request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" "$SIMULATE" '[{"skill":"llm_invoke","iterations":3}]' 10
is "simulate llm_invoke x3 budget 10: 200, budget_insufficient, cost 15, remaining -5, alternative 'Reduce LLM calls' saving 15" \
  '200|budget_insufficient|false|15|-5|[{"potential_savings_cents":15,"suggestion":"Reduce LLM calls"}]' \
  "$STATUS|$(jget '"|".join([d["status"], json.dumps(d["feasible"]), str(d["estimated_cost_cents"]), str(d["budget_remaining_cents"]), json.dumps(d["alternatives"], sort_keys=True, separators=(",", ":"))])')"

request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" \
  'select "api"."simulate"("plan" := :'"'a1'"'::jsonb, "budget_cents" := :'"'a2'"'::integer, "allowed_skills" := :'"'a3'"'::text[])' \
  '[{"skill":"llm_invoke"},{"skill":"kv_get"}]' 100 '{kv_get}'
is "simulate with allowed_skills [kv_get]: 200, permission_denied, gaps [llm_invoke]" \
  '200|permission_denied|["llm_invoke"]' "$STATUS|$(jget 'd["status"] + "|" + json.dumps(d["permission_gaps"])')"

request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" "$SIMULATE" '[]' 100
is "simulate []: 200, invalid_plan, not feasible, warning 'Empty plan provided'" \
  '200|invalid_plan|false|["Empty plan provided"]' \
  "$STATUS|$(jget 'd["status"] + "|" + json.dumps(d["feasible"]) + "|" + json.dumps(d["warnings"])')"

request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" "$SIMULATE" '[{"skill":"llm_invoke","iterations":0}]' 100
status_is "simulate with iterations 0: 400 (22023)" "400 22023"
check "its message names the step and the field" bash -c '[[ $1 == *iterations* && $1 == *0* ]]' _ "$MESSAGE"
request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" "$SIMULATE" '{"skill":"llm_invoke"}' 100
status_is "simulate with a plan that is not an array: 400 (22023)" "400 22023"
request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" "$SIMULATE" '[{"skill":"llm_invoke"}]' -1
status_is "simulate with budget_cents -1: 400 (22023)" "400 22023"
PLAN_1001=$(printf '[%s{"skill":"kv_get"}]' "$(printf '{"skill":"kv_get"},%.0s' $(seq 1000))")
request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" "$SIMULATE" "$PLAN_1001" 100
status_is "simulate with 1001 steps (costsim.max_plan_steps 1000): 413 (PT413)" "413 PT413"
request POST /rpc/simulate costsim_auditor "$AUDITOR_A" "$POSTH" "$SIMULATE" '[{"skill":"llm_invoke"}]' 100
status_is "simulate as costsim_auditor (no grant): 403" "403 42501"

# ---------------------------------------------------------------- v2_simulate: 503 while the sandbox is off
V2_SIMULATE='select "api"."v2_simulate"("plan" := :'"'a1'"'::jsonb, "budget_cents" := :'"'a2'"'::integer)'
request POST /rpc/v2_simulate costsim_backend "$BACKEND_A" "$POSTH" "$V2_SIMULATE" '[{"skill":"llm_invoke"}]' 100
status_is "POST /rpc/v2_simulate while costsim.v2_sandbox is off: 503 (PT503)" "503 PT503"
check "no provenance row was written for the tenant" \
  equals 0 "$(psql_q -c "SELECT count(*) FROM costsim.provenance WHERE tenant_id = '$TA'")"

# From here the sandbox is on for PostgREST's connections, as a deployment would set it.
psql_q -c "ALTER ROLE authenticator SET costsim.v2_sandbox = on" >/dev/null
request GET /rpc/v2_status costsim_backend "$BACKEND_A" "$GETH" 'select "api"."v2_status"()'
is "with ALTER ROLE authenticator SET costsim.v2_sandbox = on, v2_status says sandbox on, V2 enabled" \
  "200|true|true" "$STATUS|$(jget 'json.dumps(d["v2_sandbox"]) + "|" + json.dumps(d["v2_enabled"])')"

request POST /rpc/v2_simulate costsim_backend "$BACKEND_A" "$POSTH" "$V2_SIMULATE" '[{"skill":"llm_invoke"}]' 100
status_is "POST /rpc/v2_simulate [llm_invoke] budget 100 with the sandbox on: 200" 200
is "v2_simulate result: model 2.0.0, success, feasible, cost round(3.5) = 4, duration 1800, confidence 0.92" \
  "2.0.0|success|true|4|1800|0.92" \
  "$(jget '"|".join([d["result"]["model_version"], d["result"]["status"], json.dumps(d["result"]["feasible"]), str(d["result"]["estimated_cost_cents"]), str(d["result"]["estimated_duration_ms"]), str(d["result"]["confidence_score"])])')"
is "v2_simulate result: one risk, rate_limit 0.03 (> 0.02), 'llm_invoke x1 has 3% chance of rate_limit'" \
  "1|rate_limit|0.03|llm_invoke x1 has 3% chance of rate_limit" \
  "$(jget '"|".join([str(len(d["result"]["risks"])), d["result"]["risks"][0]["risk_type"], str(round(d["result"]["risks"][0]["probability"], 9)), d["result"]["risks"][0]["description"]])')"
is "v2_simulate comparison: v1 5 / v2 4, delta -1, delta pct 0.2, feasibility match, drift 0.6 x 0.2 = 0.12, minor_drift" \
  "5|4|-1|0.2|true|0.12|minor_drift" \
  "$(jget '"|".join(str(x) for x in [d["comparison"]["v1"]["cost_cents"], d["comparison"]["v2"]["cost_cents"], d["comparison"]["cost_delta_cents"], round(d["comparison"]["cost_delta_pct"], 9), json.dumps(d["comparison"]["feasibility_match"]), round(d["comparison"]["drift_score"], 9), d["comparison"]["verdict"]])')"
provenance_id=$(jget 'd["provenance_id"]')
check "v2_simulate's provenance_id is the caller's tenant's row (tenant $TA, drift 0.12, minor_drift)" \
  equals "$TA|0.12|minor_drift" "$(psql_q -c "SELECT tenant_id || '|' || drift_score || '|' || verdict FROM costsim.provenance WHERE id = '$provenance_id'")"

request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" "$SIMULATE" '[{"skill":"llm_invoke"}]' 100
is "simulate with the sandbox on: the same V1 answer (cost 5, feasible), and V2 shadowed for the tenant" \
  "200|5|true|2" "$STATUS|$(jget 'str(d["estimated_cost_cents"]) + "|" + json.dumps(d["feasible"])')|$(psql_q -c "SELECT count(*) FROM costsim.provenance WHERE tenant_id = '$TA' AND status = 'ok'")"

provenance_before=$(psql_q -c "SELECT count(*) FROM costsim.provenance WHERE tenant_id = '$TA'")
request GET "/rpc/simulate?plan=..." costsim_backend "$BACKEND_A" "$GETH" "$SIMULATE" '[{"skill":"llm_invoke"}]' 100
is "GET /rpc/simulate (READ ONLY): 200 with V1's answer (cost 5); the shadow row it cannot write is not written" \
  "200|5|$provenance_before" \
  "$STATUS|$(jget 'd["estimated_cost_cents"]')|$(psql_q -c "SELECT count(*) FROM costsim.provenance WHERE tenant_id = '$TA'")"

request POST /rpc/v2_simulate costsim_backend "$BACKEND_A" "$POSTH" "$V2_SIMULATE" "$PLAN_1001" 100
status_is "v2_simulate with 1001 steps: 413 (PT413)" "413 PT413"
request POST /rpc/v2_simulate costsim_backend "$BACKEND_A" "$POSTH" "$V2_SIMULATE" '[{"skill":"llm_invoke","iterations":0}]' 100
status_is "v2_simulate with iterations 0: 400 (22023)" "400 22023"
request POST /rpc/v2_simulate costsim_auditor "$AUDITOR_A" "$POSTH" "$V2_SIMULATE" '[{"skill":"llm_invoke"}]' 100
status_is "v2_simulate as costsim_auditor (no grant): 403" "403 42501"
request GET /rpc/v2_simulate costsim_backend "$BACKEND_A" "$GETH" "$V2_SIMULATE" '[{"skill":"llm_invoke"}]' 100
status_is "GET /rpc/v2_simulate (READ ONLY; it writes provenance): 405 (25006)" "405 25006"

# ---------------------------------------------------------------- divergence: json, csv, jsonl, parquet
samples_a=$(psql_q -c "SELECT count(*) FROM costsim.provenance WHERE tenant_id = '$TA' AND status = 'ok'")
input_hash=$(psql_q -c "SELECT input_hash FROM costsim.provenance WHERE id = '$provenance_id'")
start_at=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) end_at=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
stem="divergence-$(date -u -d "$start_at" +%Y%m%dT%H%M%S)-$(date -u -d "$end_at" +%Y%m%dT%H%M%S)"
DIVERGENCE='select "api"."divergence"("start_at" := :'"'a1'"'::timestamptz, "end_at" := :'"'a2'"'::timestamptz, "format" := :'"'a3'"'::text)'

request GET /rpc/divergence costsim_backend "$BACKEND_A" "$GETH" "$DIVERGENCE" "$start_at" "$end_at" json
status_is "GET /rpc/divergence?format=json: 200" 200
is "divergence json: Content-Type application/json, no Content-Disposition" "application/json|" \
  "$(header Content-Type)|$(header Content-Disposition)"
is "divergence json: the tenant's $samples_a paired samples, matching_rate 0 (both minor_drift), fail_ratio 0" \
  "$samples_a|0|0" "$(jget 'str(d["sample_count"]) + "|" + str(d["matching_rate"]) + "|" + str(d["fail_ratio"])')"
request GET /rpc/divergence costsim_backend "$BACKEND_B" "$GETH" "$DIVERGENCE" "$start_at" "$end_at" json
is "divergence json for tenant_b: 200, 0 samples (tenant_a's are not visible)" "200|0" "$STATUS|$(jget 'd["sample_count"]')"

request GET /rpc/divergence costsim_backend "$BACKEND_A" "$GETH" "$DIVERGENCE" "$start_at" "$end_at" csv
status_is "GET /rpc/divergence?format=csv: 200" 200
is "divergence csv: Content-Type text/csv, Content-Disposition attachment; filename=\"$stem.csv\"" \
  "text/csv|attachment; filename=\"$stem.csv\"" "$(header Content-Type)|$(header Content-Disposition)"
check "divergence csv: the tenant's sample (its input hash) is in the file" grep -q "$input_hash" "$TMP/body"

request GET /rpc/divergence costsim_backend "$BACKEND_A" "$GETH" "$DIVERGENCE" "$start_at" "$end_at" jsonl
is "divergence jsonl: 200, Content-Type application/x-ndjson, attachment $stem.jsonl" \
  "200|application/x-ndjson|attachment; filename=\"$stem.jsonl\"" "$STATUS|$(header Content-Type)|$(header Content-Disposition)"
check "divergence jsonl: a summary line (sample_count $samples_a) and $samples_a sample lines, each JSON" \
  python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
assert lines[0].get("kind") == "summary" and lines[0].get("sample_count") == int(sys.argv[2]), lines[0]
assert len(lines) == 1 + int(sys.argv[2]) and all(l.get("kind") == "sample" for l in lines[1:]), len(lines)
assert any(l.get("input_hash") == sys.argv[3] for l in lines[1:])' "$TMP/body" "$samples_a" "$input_hash"

request GET /rpc/divergence costsim_backend "$BACKEND_A" "$GETH" "$DIVERGENCE" "$start_at" "$end_at" parquet
is "divergence parquet: 200, Content-Type application/vnd.apache.parquet, attachment $stem.parquet" \
  "200|application/vnd.apache.parquet|attachment; filename=\"$stem.parquet\"" \
  "$STATUS|$(header Content-Type)|$(header Content-Disposition)"
is "divergence parquet: the bytes start and end with the magic PAR1" "PAR1|PAR1" \
  "$(head -c 4 "$TMP/body")|$(tail -c 4 "$TMP/body")"

request GET /rpc/divergence costsim_auditor "$AUDITOR_A" "$GETH" "$DIVERGENCE" "$start_at" "$end_at" json
is "divergence as costsim_auditor of the same tenant: 200, the same $samples_a samples" "200|$samples_a" \
  "$STATUS|$(jget 'd["sample_count"]')"
request GET /rpc/divergence costsim_backend "$BACKEND_A" "$GETH" "$DIVERGENCE" "$start_at" "$end_at" xml
status_is "divergence?format=xml: 400 (22023)" "400 22023"
request GET /rpc/divergence costsim_backend "$BACKEND_A" "$GETH" "$DIVERGENCE" "yesterday-ish" "$end_at" json
status_is "divergence?start_at=<not a timestamp>: 400 (22007)" "400 22007"
request POST /rpc/divergence costsim_backend "$BACKEND_A" "$POSTH" "$DIVERGENCE" "$start_at" "$end_at" csv
is "POST /rpc/divergence (STABLE: READ ONLY even on POST): 200, text/csv" "200|READ ONLY|text/csv" \
  "$STATUS|$TXMODE|$(header Content-Type)"

# ---------------------------------------------------------------- the breaker: v2_reset and v2_incidents
psql_q -c "SELECT costsim.disable_v2('api_contract.sh: testing POST /rpc/v2_reset', 'api_contract.sh')" >/dev/null
breaker_opened=1
incident=$(psql_q -c "SELECT incident_id FROM costsim.circuit_breakers WHERE name = 'costsim_v2'")
request GET /rpc/v2_status anon "$ANON" "$GETH" 'select "api"."v2_status"()'
is "after a manual disable, v2_status: 200, breaker open (manual, incident $incident), V2 not enabled" \
  "200|open|manual|$incident|false" \
  "$STATUS|$(jget '"|".join([d["breaker"]["state"], d["breaker"]["trip"], str(d["breaker"]["incident_id"]), json.dumps(d["v2_enabled"])])')"
request POST /rpc/v2_simulate costsim_backend "$BACKEND_A" "$POSTH" "$V2_SIMULATE" '[{"skill":"llm_invoke"}]' 100
status_is "v2_simulate while the breaker is open: 503 (PT503)" "503 PT503"
request POST /rpc/simulate costsim_backend "$BACKEND_A" "$POSTH" "$SIMULATE" '[{"skill":"llm_invoke"}]' 100
is "simulate while the breaker is open: still 200 with V1's answer (cost 5)" "200|5" "$STATUS|$(jget 'd["estimated_cost_cents"]')"

V2_INCIDENTS='select * from "api"."v2_incidents"("include_resolved" := :'"'a1'"'::boolean, "max_incidents" := :'"'a2'"'::integer)'
request GET /rpc/v2_incidents costsim_auditor "$AUDITOR_A" "$GETH" "$(rows_of "$V2_INCIDENTS")" false 50
is "GET /rpc/v2_incidents as costsim_auditor: 200, the open incident first (manual, p2, unresolved)" \
  "200|$incident|manual|p2|null" \
  "$STATUS|$(jget '"|".join([str(d[0]["id"]), d[0]["trip"], d[0]["severity"], json.dumps(d[0]["resolved_at"])])')"
request GET /rpc/v2_incidents costsim_backend "$BACKEND_A" "$GETH" "$(rows_of "$V2_INCIDENTS")" false 50
status_is "v2_incidents as costsim_backend (no grant): 403" "403 42501"
request GET /rpc/v2_incidents costsim_admin "$ADMIN_A" "$GETH" "$(rows_of "$V2_INCIDENTS")" false 0
status_is "v2_incidents?max_incidents=0: 400 (22023)" "400 22023"

V2_RESET='select "api"."v2_reset"("reason" := :'"'a1'"'::text)'
request GET /rpc/v2_reset costsim_admin "$ADMIN_A" "$GETH" "$V2_RESET" "fixed"
status_is "GET /rpc/v2_reset (VOLATILE, run READ ONLY by PostgREST) while open: 405 (25006)" "405 25006"
check "the breaker is still open after the refused GET" \
  equals open "$(psql_q -c "SELECT state FROM costsim.circuit_breakers WHERE name = 'costsim_v2'")"
request POST /rpc/v2_reset costsim_admin "$ADMIN_A" "$POSTH" "$V2_RESET" ""
status_is "POST /rpc/v2_reset with an empty reason: 400 (22023)" "400 22023"
request POST /rpc/v2_reset costsim_backend "$BACKEND_A" "$POSTH" "$V2_RESET" "fixed"
status_is "POST /rpc/v2_reset as costsim_backend (no grant): 403" "403 42501"
request POST /rpc/v2_reset costsim_auditor "$AUDITOR_A" "$POSTH" "$V2_RESET" "fixed"
status_is "POST /rpc/v2_reset as costsim_auditor (no grant): 403" "403 42501"
request POST /rpc/v2_reset costsim_admin "$ADMIN_A" "$POSTH" "$V2_RESET" "api_contract.sh: fixed"
status_is "POST /rpc/v2_reset as costsim_admin: 200" 200
is "v2_reset answers v2_status: breaker closed, changed by the JWT's subject (carol), V2 enabled again" \
  "closed|carol|true" "$(jget '"|".join([d["breaker"]["state"], d["breaker"]["changed_by"], json.dumps(d["v2_enabled"])])')"
request GET /rpc/v2_incidents costsim_admin "$ADMIN_A" "$GETH" "$(rows_of "$V2_INCIDENTS")" true 1
is "v2_incidents?include_resolved=true&max_incidents=1 as costsim_admin: 200, incident $incident resolved by carol" \
  "200|1|$incident|carol" "$STATUS|$(jget '"|".join([str(len(d)), str(d[0]["id"]), str(d[0]["resolved_by"])])')"
request GET /rpc/v2_incidents costsim_admin "$ADMIN_A" "$GETH" "$(rows_of "$V2_INCIDENTS")" false 50
is "v2_incidents without include_resolved: the resolved incident is no longer listed" "200|false" \
  "$STATUS|$(jget "json.dumps(any(i['id'] == $incident for i in d))")"

# ---------------------------------------------------------------- canaries
CANARY_RUN=$(row_of '"api"."canary_run"("sample_count" := :'"'a1'"'::integer)')
request POST /rpc/canary_run costsim_backend "$BACKEND_A" "$POSTH" "$CANARY_RUN" 0
status_is "POST /rpc/canary_run as costsim_backend (no grant): 403" "403 42501"
request GET /rpc/canary_run costsim_admin "$ADMIN_A" "$GETH" "$CANARY_RUN" 0
status_is "GET /rpc/canary_run (READ ONLY; it records a report): 405 (25006)" "405 25006"
request POST /rpc/canary_run costsim_admin "$ADMIN_A" "$POSTH" "$CANARY_RUN" -1
status_is "canary_run with sample_count -1: 400 (22023)" "400 22023"
request POST /rpc/canary_run costsim_admin "$ADMIN_A" "$POSTH" "$CANARY_RUN" 0
status_is "POST /rpc/canary_run {sample_count: 0} as costsim_admin: 200" 200
canary=$(jget 'd["id"]')
is "canary_run's report: golden datasets only (0 shadow samples), passed, run by carol, drift threshold 0.2, model 2.0.0" \
  "passed|true|0|true|carol|0.2|2.0.0|0" \
  "$(jget '"|".join(str(x) for x in [d["status"], json.dumps(d["passed"]), d["shadow_samples"], json.dumps(d["golden_samples"] > 0), d["run_by"], d["drift_threshold"], d["model_version"], d["requested_samples"]])')"
CANARY_REPORTS='select "api"."canary_reports"."id", "api"."canary_reports"."status", "api"."canary_reports"."run_by" from "api"."canary_reports" where "api"."canary_reports"."id" = :'"'a1'"'::bigint'
request GET "/canary_reports?select=id,status,run_by&id=eq.$canary" costsim_auditor "$AUDITOR_A" "$GETH" "$(rows_of "$CANARY_REPORTS")" "$canary"
is "GET /canary_reports?id=eq.$canary as costsim_auditor: 200, that report" "200|[{\"id\":$canary,\"run_by\":\"carol\",\"status\":\"passed\"}]" \
  "$STATUS|$(jget 'd')"
request GET "/canary_reports?select=id,status,run_by&id=eq.$canary" costsim_admin "$ADMIN_A" "$GETH" "$(rows_of "$CANARY_REPORTS")" "$canary"
is "GET /canary_reports as costsim_admin: 200, 1 row" "200|1" "$STATUS|$(jget 'len(d)')"
request GET "/canary_reports?id=eq.$canary" costsim_backend "$BACKEND_A" "$GETH" "$(rows_of "$CANARY_REPORTS")" "$canary"
status_is "GET /canary_reports as costsim_backend (no grant): 403" "403 42501"

# ---------------------------------------------------------------- reference datasets
DATASETS='select "api"."datasets"."id", "api"."datasets"."sample_count" from "api"."datasets" order by "api"."datasets"."id" asc'
request GET "/datasets?select=id,sample_count&order=id.asc" costsim_backend "$BACKEND_A" "$GETH" "$(rows_of "$DATASETS")"
status_is "GET /datasets as costsim_backend: 200" 200
is "datasets: the five reference datasets, in id order" '["high_variance","historical","low_variance","mixed_city","noise_injected"]' \
  "$(jget '[r["id"] for r in d]')"
is "datasets: sample counts from the spec (high_variance 16, low_variance 30, mixed_city 25, noise_injected 8)" \
  '16|30|25|8' "$(jget '"|".join(str({r["id"]: r["sample_count"] for r in d}[k]) for k in ["high_variance", "low_variance", "mixed_city", "noise_injected"])')"
request GET "/datasets?id=eq.low_variance" costsim_auditor "$AUDITOR_A" "$GETH" \
  "$(rows_of 'select "api"."datasets".* from "api"."datasets" where "api"."datasets"."id" = '"'low_variance'")"
is "GET /datasets?id=eq.low_variance as costsim_auditor: 200, one row, the spec's thresholds (1, 0.5, 2, 0.02, 0.05)" \
  '200|1|{"drift_score":0.05,"mean_abs_error":1,"median_abs_error":0.5,"outlier_rate":0.02,"std_abs_error":2}' \
  "$STATUS|$(jget 'len(d)')|$(jget 'd[0]["thresholds"]')"
lv_sha=$(jget 'd[0]["content_sha256"]')

DATASET_SAMPLES='select * from "api"."dataset_samples"("dataset_id" := :'"'a1'"'::text)'
request GET "/rpc/dataset_samples?dataset_id=low_variance" costsim_backend "$BACKEND_A" "$GETH" "$(rows_of "$DATASET_SAMPLES")" low_variance
is "GET /rpc/dataset_samples?dataset_id=low_variance: 200, 30 samples in line order, budget 100, expected cost 0, feasible" \
  "200|30|true|[100]|[0]|[true]" \
  "$STATUS|$(jget 'len(d)')|$(jget '[r["line_number"] for r in d] == list(range(1, 31))')|$(jget 'sorted(set(r["budget_cents"] for r in d))')|$(jget 'sorted(set(r["expected_cost_cents"] for r in d))')|$(jget 'sorted(set(r["expected_feasible"] for r in d))')"
request GET "/rpc/dataset_samples?dataset_id=nonexistent" costsim_backend "$BACKEND_A" "$GETH" "$(rows_of "$DATASET_SAMPLES")" nonexistent
status_is "dataset_samples of an unknown dataset: 404 (PT404)" "404 PT404"

VALIDATE=$(row_of '"api"."validate_dataset"("dataset_id" := :'"'a1'"'::text)')
request POST /rpc/validate_dataset costsim_backend "$BACKEND_A" "$POSTH" "$VALIDATE" low_variance
status_is "POST /rpc/validate_dataset {dataset_id: low_variance} as costsim_backend: 200" 200
validation=$(jget 'd["id"]')
is "validate_dataset: the dataset's report, on its content hash, model 2.0.0, validated by alice" \
  "low_variance|$lv_sha|2.0.0|alice" "$(jget '"|".join([d["dataset_id"], d["content_sha256"], d["model_version"], d["validated_by"]])')"
check "validate_dataset recorded the report" \
  equals "low_variance|alice" "$(psql_q -c "SELECT dataset_id || '|' || validated_by FROM costsim.dataset_validations WHERE id = '$validation'")"
request POST /rpc/validate_dataset costsim_backend "$BACKEND_A" "$POSTH" "$VALIDATE" nonexistent
status_is "validate_dataset of an unknown dataset: 404 (PT404)" "404 PT404"
request POST /rpc/validate_dataset costsim_backend "$BACKEND_A" "$POSTH" \
  "$(row_of '"api"."validate_dataset"("dataset_id" := :'"'a1'"'::text, "model_version" := :'"'a2'"'::text)')" low_variance 9.9.9
status_is "validate_dataset with an unknown model version: 400 (22023)" "400 22023"
request POST /rpc/validate_dataset costsim_auditor "$AUDITOR_A" "$POSTH" "$VALIDATE" low_variance
status_is "validate_dataset as costsim_auditor (no grant): 403" "403 42501"
request GET /rpc/validate_dataset costsim_backend "$BACKEND_A" "$GETH" "$VALIDATE" low_variance
status_is "GET /rpc/validate_dataset (READ ONLY; it records a report): 405 (25006)" "405 25006"

request POST /rpc/validate_all_datasets costsim_admin "$ADMIN_A" "$POSTH" "$(rows_of 'select * from "api"."validate_all_datasets"()')"
is "POST /rpc/validate_all_datasets as costsim_admin: 200, one report per dataset, in id order, validated by carol" \
  '200|["high_variance","historical","low_variance","mixed_city","noise_injected"]|carol' \
  "$STATUS|$(jget '[r["dataset_id"] for r in d]')|$(jget '",".join(sorted(set(r["validated_by"] for r in d)))')"
check "validate_all_datasets recorded the 5 reports" \
  equals 5 "$(psql_q -c "SELECT count(*) FROM costsim.dataset_validations WHERE id IN ($(jget '",".join(str(r["id"]) for r in d)'))")"
request POST /rpc/validate_all_datasets costsim_auditor "$AUDITOR_A" "$POSTH" "$(rows_of 'select * from "api"."validate_all_datasets"()')"
status_is "validate_all_datasets as costsim_auditor (no grant): 403" "403 42501"

# ---------------------------------------------------------------- status_history: reads, tenancy
psql_q >/dev/null <<SQL
SELECT costsim.log_status_change('order', 'o-1', 'created', actor_type => 'user', actor_id => 'alice', tenant_id => '$TA');
SELECT costsim.log_status_change('order', 'o-1', 'paid', old_status => 'created', actor_type => 'user', actor_id => 'alice', tenant_id => '$TA');
SELECT costsim.log_status_change('order', 'o-2', 'created', actor_type => 'user', actor_id => 'alice', tenant_id => '$TA');
SELECT costsim.log_status_change('invoice', 'i-1', 'draft', tenant_id => '$TA');
SELECT costsim.log_status_change('invoice', 'i-1', 'sent', old_status => 'draft', tenant_id => '$TA');
SELECT costsim.log_status_change('order', 'o-1', 'created', actor_type => 'user', actor_id => 'bob', tenant_id => '$TB');
SELECT costsim.log_status_change('order', 'o-9', 'created', actor_type => 'user', actor_id => 'bob', tenant_id => '$TB');
SQL
SH_COLS='"api"."status_history"."seq", "api"."status_history"."tenant_id", "api"."status_history"."entity_type", "api"."status_history"."entity_id", "api"."status_history"."new_status"'
SH_ALL="select $SH_COLS from \"api\".\"status_history\" order by \"api\".\"status_history\".\"seq\" asc"
request GET "/status_history?order=seq.asc" costsim_backend "$BACKEND_A" "$GETH" "$(rows_of "$SH_ALL")"
is "GET /status_history as tenant_a: 200, its 5 rows (seq 1..5), all tenant_a's" "200|[1,2,3,4,5]|[\"$TA\"]" \
  "$STATUS|$(jget '[r["seq"] for r in d]')|$(jget 'sorted(set(r["tenant_id"] for r in d))')"
request GET "/status_history?entity_type=eq.order" costsim_backend "$BACKEND_A" "$GETH" \
  "$(rows_of "select $SH_COLS from \"api\".\"status_history\" where \"api\".\"status_history\".\"entity_type\" = :'a1'")" order
is "GET /status_history?entity_type=eq.order: 200, 3 rows, all orders" '200|3|["order"]' \
  "$STATUS|$(jget 'len(d)')|$(jget 'sorted(set(r["entity_type"] for r in d))')"
request GET "/status_history?entity_type=eq.order&order=seq.asc&limit=2&offset=1" costsim_backend "$BACKEND_A" "$GETH" \
  "$(rows_of "select $SH_COLS from \"api\".\"status_history\" where \"api\".\"status_history\".\"entity_type\" = :'a1' order by \"api\".\"status_history\".\"seq\" asc limit 2 offset 1")" order
is "?entity_type=eq.order&order=seq.asc&limit=2&offset=1: the 2nd and 3rd orders (seq 2, 3: o-1 paid, o-2 created)" \
  '200|[2,3]|["o-1:paid","o-2:created"]' \
  "$STATUS|$(jget '[r["seq"] for r in d]')|$(jget '[r["entity_id"] + ":" + r["new_status"] for r in d]')"
request GET "/status_history?tenant_id=eq.$TB" costsim_backend "$BACKEND_A" "$GETH" \
  "$(rows_of "select $SH_COLS from \"api\".\"status_history\" where \"api\".\"status_history\".\"tenant_id\" = :'a1'")" "$TB"
is "tenant_a asking for ?tenant_id=eq.<tenant_b>: 200 and nothing (not an error)" "200|[]" "$STATUS|$(jget 'd')"
request GET "/status_history?order=seq.asc" costsim_backend "$BACKEND_B" "$GETH" "$(rows_of "$SH_ALL")"
is "GET /status_history as tenant_b: 200, only its own 2 rows" "200|[\"o-1\",\"o-9\"]|[\"$TB\"]" \
  "$STATUS|$(jget '[r["entity_id"] for r in d]')|$(jget 'sorted(set(r["tenant_id"] for r in d))')"
request GET "/status_history?entity_type=eq.invoice" costsim_backend "$BACKEND_B" "$GETH" \
  "$(rows_of "select $SH_COLS from \"api\".\"status_history\" where \"api\".\"status_history\".\"entity_type\" = :'a1'")" invoice
is "tenant_b filtering on tenant_a's entity type: 200, []" "200|[]" "$STATUS|$(jget 'd')"
request GET "/status_history?order=seq.asc" costsim_auditor "$AUDITOR_A" "$GETH" "$(rows_of "$SH_ALL")"
is "GET /status_history as costsim_auditor of tenant_a: 200, the same 5 rows" "200|5" "$STATUS|$(jget 'len(d)')"

ENTITY_HISTORY='select * from "api"."entity_history"("entity_type" := :'"'a1'"'::text, "entity_id" := :'"'a2'"'::text)'
request GET "/rpc/entity_history?entity_type=order&entity_id=o-1" costsim_backend "$BACKEND_A" "$GETH" "$(rows_of "$ENTITY_HISTORY")" order o-1
is "GET /rpc/entity_history order/o-1 as tenant_a: 200, created then paid (oldest first), old_status chained" \
  '200|["null>created","created>paid"]' "$STATUS|$(jget '[str(r["old_status"]).replace("None", "null") + ">" + r["new_status"] for r in d]')"
request GET "/rpc/entity_history?entity_type=order&entity_id=o-1" costsim_backend "$BACKEND_B" "$GETH" "$(rows_of "$ENTITY_HISTORY")" order o-1
is "entity_history order/o-1 as tenant_b: 200, only tenant_b's own o-1 (1 row)" "200|1|$TB|bob" \
  "$STATUS|$(jget 'len(d)')|$(jget 'd[0]["tenant_id"]')|$(jget 'd[0]["actor_id"]')"

STATS='select "api"."status_history_stats"()'
request GET /rpc/status_history_stats costsim_backend "$BACKEND_A" "$GETH" "$STATS"
is "GET /rpc/status_history_stats as tenant_a: 200, total 5, by type, actor and status" \
  '200|5|{"invoice":2,"order":3}|{"system":2,"user":3}|{"created":2,"draft":1,"paid":1,"sent":1}' \
  "$STATUS|$(jget 'd["total"]')|$(jget 'd["by_entity_type"]')|$(jget 'd["by_actor_type"]')|$(jget 'd["by_status"]')"
request POST /rpc/status_history_stats costsim_auditor "$AUDITOR_A" "$POSTH" "$STATS"
is "POST /rpc/status_history_stats as costsim_auditor (STABLE: READ ONLY): 200, total 5" "200|READ ONLY|5" \
  "$STATUS|$TXMODE|$(jget 'd["total"]')"
request GET /rpc/status_history_stats costsim_backend "$BACKEND_B" "$GETH" "$STATS"
is "status_history_stats as tenant_b: 200, total 2, orders only" '200|2|{"order":2}' \
  "$STATUS|$(jget 'd["total"]')|$(jget 'd["by_entity_type"]')"

# ---------------------------------------------------------------- exports and downloads
EXPORT='select "api"."status_history_export"("format" := :'"'a1'"'::text)'
DOWNLOAD='select "api"."download"("export_id" := :'"'a1'"'::uuid, "format" := :'"'a2'"'::text, "expires" := :'"'a3'"'::bigint, "sig" := :'"'a4'"'::text)'
HEADER_CSV='id,seq,tenant_id,entity_type,entity_id,old_status,new_status,actor_type,actor_id,reason,correlation_id,metadata,created_at,prev_hash,row_hash'
CORR_H='{"accept":"*/*","content-type":"application/json","host":"localhost:3000","user-agent":"curl/7.88.1","x-correlation-id":"api-contract-'$RUN'"}'

request GET "/rpc/status_history_export?format=csv" costsim_backend "$BACKEND_A" "$GETH" "$EXPORT" csv
status_is "GET /rpc/status_history_export (READ ONLY; it records the export): 405 (25006)" "405 25006"
request POST /rpc/status_history_export costsim_backend "$BACKEND_A" "$POSTH" "$EXPORT" xml
status_is "status_history_export {format: xml}: 400 (22023)" "400 22023"
request POST /rpc/status_history_export costsim_backend "$BACKEND_A" "$POSTH" \
  'select "api"."status_history_export"("format" := :'"'a1'"'::text, "created_from" := :'"'a2'"'::timestamptz)' csv infinity
status_is "status_history_export {created_from: infinity}: 400 (22023)" "400 22023"
request POST /rpc/status_history_export costsim_backend "$BACKEND_A" "$CORR_H" "$EXPORT" csv
status_is "POST /rpc/status_history_export {format: csv} as tenant_a: 200" 200
cp "$TMP/body" "$TMP/export.json"
export_id=$(jget 'd["export_id"]' "$TMP/export.json")
is "the export: the tenant's 5 rows up to chain head seq 5, a SHA-256, a byte count" "5|5|true|true" \
  "$(jget '"|".join(str(x) for x in [d["record_count"], d["head_seq"], len(d["sha256"]) == 64, d["byte_count"] > 0]).replace("True", "true")' "$TMP/export.json")"
is "the export says how to download it: POST /rpc/download with {export_id, format csv, expires, sig}" \
  "POST|/rpc/download|[\"expires\",\"export_id\",\"format\",\"sig\"]|$export_id|csv" \
  "$(jget '"|".join([d["download"]["method"], d["download"]["path"], json.dumps(sorted(d["download"]["body"]), separators=(",", ":")), d["download"]["body"]["export_id"], d["download"]["body"]["format"]])' "$TMP/export.json")"
check "the export is audited in tenant_a's chain: user alice, with the request's x-correlation-id" \
  equals "created|user|alice|api-contract-$RUN" \
  "$(psql_q -c "SELECT new_status || '|' || actor_type || '|' || actor_id || '|' || coalesce(correlation_id, '<none>')
                  FROM costsim.status_history WHERE tenant_id = '$TA' AND entity_type = 'status_history_export'
                   AND entity_id = '$export_id' AND new_status = 'created'")"
dl() { jget "d[\"download\"][\"body\"][\"$1\"]" "$TMP/export.json"; }
expires=$(dl expires) sig=$(dl sig)

request POST /rpc/download costsim_backend "$BACKEND_A" "$POSTH" "$DOWNLOAD" "$export_id" csv "$expires" "$sig"
status_is "POST /rpc/download with the export's link, as tenant_a: 200" 200
is "download: Content-Type text/csv, Content-Disposition attachment; filename=\"status_history-$export_id.csv\"" \
  "text/csv|attachment; filename=\"status_history-$export_id.csv\"" "$(header Content-Type)|$(header Content-Disposition)"
is "download: the file's SHA-256 and size are the export's" \
  "$(jget 'd["sha256"]' "$TMP/export.json")|$(jget 'd["byte_count"]' "$TMP/export.json")" \
  "$(sha256sum "$TMP/body" | cut -d' ' -f1)|$(wc -c <"$TMP/body")"
tr -d '\r' <"$TMP/body" >"$TMP/export.csv"   # RFC 4180 lines end with CRLF
is "download: the CSV header, then record_count (5) rows, all tenant_a's, seq 1..5" \
  "$HEADER_CSV|5|$TA|1 2 3 4 5" \
  "$(head -1 "$TMP/export.csv")|$(($(wc -l <"$TMP/export.csv") - 1))|$(tail -n +2 "$TMP/export.csv" | cut -d, -f3 | sort -u | paste -sd' ')|$(tail -n +2 "$TMP/export.csv" | cut -d, -f2 | paste -sd' ')"
check "the download is audited (status_history_export $export_id: created -> downloaded)" \
  equals 1 "$(psql_q -c "SELECT count(*) FROM costsim.status_history WHERE tenant_id = '$TA'
                           AND entity_type = 'status_history_export' AND entity_id = '$export_id' AND new_status = 'downloaded'")"

audit_rows() { psql_q -c "SELECT count(*) FROM costsim.status_history WHERE tenant_id IN ('$TA', '$TB')"; }
audit_before=$(audit_rows)
request POST /rpc/download costsim_backend "$BACKEND_B" "$POSTH" "$DOWNLOAD" "$export_id" csv "$expires" "$sig"
status_is "the same link used with tenant_b's claims: 403 (42501)" "403 42501"
bad_sig="${sig%?}$([ "${sig: -1}" = 0 ] && echo 1 || echo 0)"
request POST /rpc/download costsim_backend "$BACKEND_A" "$POSTH" "$DOWNLOAD" "$export_id" csv "$expires" "$bad_sig"
status_is "download with a bad signature (last character changed): 403 (42501)" "403 42501"
request POST /rpc/download costsim_backend "$BACKEND_A" "$POSTH" "$DOWNLOAD" "$export_id" csv "$((expires + 3600))" "$sig"
status_is "download with the expiry pushed back an hour (signature no longer matches): 403 (42501)" "403 42501"
request POST /rpc/download costsim_backend "$BACKEND_A" "$POSTH" "$DOWNLOAD" "$export_id" xml "$expires" "$sig"
status_is "download with format xml: 400 (22023)" "400 22023"
check "the refused downloads wrote nothing (no audit row in either tenant)" equals "$audit_before" "$(audit_rows)"
request POST /rpc/download costsim_auditor "$AUDITOR_A" "$POSTH" "$DOWNLOAD" "$export_id" csv "$expires" "$sig"
is "download as costsim_auditor of the same tenant: 200, the same bytes" "200|$(jget 'd["sha256"]' "$TMP/export.json")" \
  "$STATUS|$(sha256sum "$TMP/body" | cut -d' ' -f1)"
request GET "/rpc/download?export_id=$export_id&format=csv&expires=$expires&sig=$sig" costsim_backend "$BACKEND_A" "$GETH" \
  "$DOWNLOAD" "$export_id" csv "$expires" "$sig"
status_is "GET /rpc/download (VOLATILE, run READ ONLY; every download is audited): 405 (25006)" "405 25006"

# An expired link: a deployment whose links live 1 s (costsim.export_ttl, a superuser setting, for authenticator).
psql_q -c "ALTER ROLE authenticator SET costsim.export_ttl = 1" >/dev/null
request POST /rpc/status_history_export costsim_backend "$BACKEND_A" "$POSTH" "$EXPORT" csv
cp "$TMP/body" "$TMP/export.json"
psql_q -c "ALTER ROLE authenticator RESET costsim.export_ttl" >/dev/null
is "with costsim.export_ttl = 1 the link expires 1 s after it is made" "200|true" \
  "$STATUS|$(jget 'json.dumps(d["expires"] - __import__("time").time() <= 1.5)' "$TMP/export.json")"
sleep 2.2
request POST /rpc/download costsim_backend "$BACKEND_A" "$POSTH" "$DOWNLOAD" "$(dl export_id)" csv "$(dl expires)" "$(dl sig)"
status_is "download of an expired link: 403 (42501)" "403 42501"
check "its message says the link expired" bash -c '[[ $1 == *expired* ]]' _ "$MESSAGE"

# A JSONL export of a filter, end to end.
request POST /rpc/status_history_export costsim_backend "$BACKEND_A" "$POSTH" \
  'select "api"."status_history_export"("format" := :'"'a1'"'::text, "entity_type" := :'"'a2'"'::text)' jsonl order
cp "$TMP/body" "$TMP/export.json"
is "POST /rpc/status_history_export {format: jsonl, entity_type: order}: 200, 3 records" "200|3|jsonl" \
  "$STATUS|$(jget 'd["record_count"]' "$TMP/export.json")|$(dl format)"
request POST /rpc/download costsim_backend "$BACKEND_A" "$POSTH" "$DOWNLOAD" "$(dl export_id)" jsonl "$(dl expires)" "$(dl sig)"
is "its download: 200, application/x-ndjson, attachment status_history-<id>.jsonl, the export's SHA-256" \
  "200|application/x-ndjson|attachment; filename=\"status_history-$(dl export_id).jsonl\"|$(jget 'd["sha256"]' "$TMP/export.json")" \
  "$STATUS|$(header Content-Type)|$(header Content-Disposition)|$(sha256sum "$TMP/body" | cut -d' ' -f1)"
check "its lines: 3 JSON objects, all tenant_a's orders" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
assert len(rows) == 3 and all(r["entity_type"] == "order" and r["tenant_id"] == sys.argv[2] for r in rows), rows' "$TMP/body" "$TA"


# ---------------------------------------------------------------- schema reload
# PostgREST re-reads its schema cache on NOTIFY pgrst: the installed install and upgrade scripts end with it.
ext_dir="$(pg_config --sharedir)/extension"
version=$(psql -X -A -t -c "SELECT extversion FROM pg_extension WHERE extname = 'costsim'")
for script in "$ext_dir/costsim--$version.sql" "$ext_dir"/costsim--*--"$version".sql; do
  check "$(basename "$script") ends with NOTIFY pgrst, 'reload schema'" \
    equals "NOTIFY pgrst, 'reload schema';" "$(grep -v '^[[:space:]]*$' "$script" | tail -n 1)"
done

finish
