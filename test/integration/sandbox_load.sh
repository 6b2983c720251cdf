#!/usr/bin/env bash
# Load test of the V2 sandbox path: 1,000 evaluations of costsim.simulate from 8 concurrent clients (pgbench),
# with the sandbox on and every input sampled. Checks that the production answer is always V1's, that
# exactly one provenance row per evaluation is written, and that none of them failed.
#
# Needs a running cluster with costsim installed and preloaded, reached through the PG* environment
# variables (scripts/test.sh sets them; by hand: eval "$(scripts/cluster.sh env)"). Prints one
# `ok N - ...` / `not ok N - ...` line per check; exits non-zero when any check fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SCRIPT=$HERE/sandbox_load.pgbench
CLIENTS=8 THREADS=2 PER_CLIENT=125
EXPECTED=$((CLIENTS * PER_CLIENT))
RUN_ID="sandbox_load-$(date +%s)-$$"
if [ -z "${PGBENCH:-}" ]; then
  if [ -x /usr/lib/postgresql/15/bin/pgbench ]; then PGBENCH=/usr/lib/postgresql/15/bin/pgbench; else PGBENCH=pgbench; fi
fi

q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

n=0 failures=0
check() {  # check DESCRIPTION EXPECTED ACTUAL
  n=$((n + 1))
  if [ "$2" = "$3" ]; then
    echo "ok $n - $1"
  else
    echo "not ok $n - $1"
    echo "#   expected: $2"
    echo "#        got: $3"
    failures=$((failures + 1))
  fi
}

cleanup() {
  psql -X -q -c 'DROP TABLE IF EXISTS sandbox_load_results, sandbox_load_plans' >/dev/null 2>&1 || true
  rm -f "${PGBENCH_LOG:-}"
}
trap cleanup EXIT

# Twenty varied plans: cheap and expensive skills, iterations, short and long prompts, local and external
# calls, budgets that pass and fail, allowed-skill lists that deny, risky repetitions.
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS sandbox_load_results, sandbox_load_plans;
CREATE TABLE sandbox_load_plans (
  id             int PRIMARY KEY,
  plan           jsonb NOT NULL,
  budget_cents   int NOT NULL,
  allowed_skills text[]
);
CREATE TABLE sandbox_load_results (
  id      bigserial PRIMARY KEY,
  plan_id int NOT NULL REFERENCES sandbox_load_plans,
  answer  jsonb
);
INSERT INTO sandbox_load_plans (id, plan, budget_cents, allowed_skills) VALUES
 (1,  '[{"skill":"kv_get","params":{"key":"user:42"}}]', 1000, NULL),
 (2,  '[{"skill":"kv_get","params":{"key":"a"}},{"skill":"kv_set","params":{"key":"a","value":1}}]', 100, NULL),
 (3,  '[{"skill":"json_transform","params":{"expr":".items[]"},"iterations":5}]', 1000, NULL),
 (4,  '[{"skill":"llm_invoke","params":{"prompt":"Hello"}}]', 1000, NULL),
 (5,  jsonb_build_array(jsonb_build_object('skill','llm_invoke','params',
        jsonb_build_object('prompt', repeat('Summarise the quarterly report. ', 80)))), 50, NULL),
 (6,  jsonb_build_array(jsonb_build_object('skill','llm_invoke','params',
        jsonb_build_object('prompt', repeat('é', 8000)))), 1000, NULL),
 (7,  '[{"skill":"llm_invoke","params":{"prompt":"classify"},"iterations":20}]', 50, NULL),
 (8,  '[{"skill":"http_call","params":{"url":"http://localhost:8080/health","timeout":5}}]', 1000, NULL),
 (9,  '[{"skill":"http_call","params":{"url":"https://api.example.com/v1/orders","timeout":0.2}}]', 1000, NULL),
 (10, '[{"skill":"http_call","iterations":3}]', 1000, NULL),
 (11, jsonb_build_array(jsonb_build_object('skill','shell_lite','params',
        jsonb_build_object('command', 'grep -r ' || repeat('x', 150) || ' /var/log'))), 1000, '{shell_lite}'),
 (12, '[{"skill":"shell_lite","params":{"command":"ls"}},{"skill":"fs_read","params":{"path":"/tmp/a"}}]', 1000, '{fs_read,kv_get}'),
 (13, '[{"skill":"webhook_send","params":{"url":"https://hooks.example.com/x"},"iterations":10}]', 1000, NULL),
 (14, '[{"skill":"email_send","params":{"to":"ops@example.com"},"iterations":4}]', 3, NULL),
 (15, '[{"skill":"fs_read","iterations":2},{"skill":"fs_write","iterations":2}]', 1000, '{fs_read,fs_write}'),
 (16, '[{"skill":"vector_search","params":{"k":10}}]', 1000, NULL),
 (17, '[{"params":{"note":"no skill given"}}]', 1000, NULL),
 (18, jsonb_build_array(
        jsonb_build_object('skill','http_call','params',jsonb_build_object('url','http://127.0.0.1:9000/orders')),
        jsonb_build_object('skill','json_transform'),
        jsonb_build_object('skill','llm_invoke','params',jsonb_build_object('prompt',repeat('context ', 400))),
        jsonb_build_object('skill','kv_set','params',jsonb_build_object('key','summary')),
        jsonb_build_object('skill','email_send','iterations',2),
        jsonb_build_object('skill','webhook_send')), 200, NULL),
 (19, '[{"skill":"llm_invoke","params":{"prompt":{"role":"user","content":"structured prompt"}}}]', 1000, NULL),
 (20, jsonb_build_array(jsonb_build_object('skill','llm_invoke','iterations',100,'params',
        jsonb_build_object('prompt', repeat('p', 1000)))), 0, NULL);
SQL

before=$(q "SELECT count(*) FROM costsim.provenance")

PGBENCH_LOG=$(mktemp)
bench_rc=0
# The breaker's automatic rules off: this test counts every shadow row, which an open breaker skips.
PGOPTIONS='-c costsim.v2_sandbox=on -c costsim.v2_sample_rate=1 -c costsim.cb_auto_trip=off' \
  timeout 600 "$PGBENCH" -n -M prepared -c "$CLIENTS" -j "$THREADS" -t "$PER_CLIENT" \
  -D "run_id=$RUN_ID" -f "$SCRIPT" >"$PGBENCH_LOG" 2>&1 || bench_rc=$?
sed 's/^/# pgbench: /' "$PGBENCH_LOG"

processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$PGBENCH_LOG")
failed_tx=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$PGBENCH_LOG")

check "pgbench exits 0 ($CLIENTS clients, $THREADS threads, $PER_CLIENT transactions each, prepared)" 0 "$bench_rc"
check "pgbench processed $EXPECTED transactions" "$EXPECTED" "${processed:-none}"
check "pgbench reports no failed transactions" 0 "${failed_tx:-none}"
check "$EXPECTED result rows" "$EXPECTED" "$(q "SELECT count(*) FROM sandbox_load_results")"
check "every result row has an answer" 0 "$(q "SELECT count(*) FROM sandbox_load_results WHERE answer IS NULL")"
check "all 20 plans were evaluated" 20 "$(q "SELECT count(DISTINCT plan_id) FROM sandbox_load_results")"
check "$EXPECTED new provenance rows" "$EXPECTED" "$(q "SELECT count(*) - $before FROM costsim.provenance")"
check "$EXPECTED provenance rows carry this run's run_id" "$EXPECTED" \
  "$(q "SELECT count(*) FROM costsim.provenance WHERE run_id = '$RUN_ID'")"
check "every provenance row of the run has status ok" 0 \
  "$(q "SELECT count(*) FROM costsim.provenance WHERE run_id = '$RUN_ID' AND status IS DISTINCT FROM 'ok'")"
check "every provenance row has a drift score in [0, 1] and a verdict" 0 \
  "$(q "SELECT count(*) FROM costsim.provenance WHERE run_id = '$RUN_ID'
          AND NOT (drift_score BETWEEN 0 AND 1 AND verdict IN ('match', 'minor_drift', 'major_drift', 'mismatch'))")"
check "every answer equals costsim.simulate_v1 of the same plan, budget and allowed skills" 0 \
  "$(q "SELECT count(*) FROM sandbox_load_results r JOIN sandbox_load_plans p ON p.id = r.plan_id
         WHERE r.answer IS DISTINCT FROM costsim.simulate_v1(p.plan, p.budget_cents, p.allowed_skills)")"
check "provenance V1 costs add up to the answers' costs" \
  "$(q "SELECT sum((answer->>'estimated_cost_cents')::numeric) FROM sandbox_load_results")" \
  "$(q "SELECT sum(v1_cost_cents) FROM costsim.provenance WHERE run_id = '$RUN_ID'")"
check "provenance inputs are the evaluated plans (plan and budget, counted per plan)" 0 \
  "$(q "WITH a AS (SELECT p.plan, p.budget_cents, count(*) AS n FROM sandbox_load_results r
                    JOIN sandbox_load_plans p ON p.id = r.plan_id GROUP BY 1, 2),
              b AS (SELECT input AS plan, budget_cents, count(*) AS n FROM costsim.provenance
                     WHERE run_id = '$RUN_ID' GROUP BY 1, 2)
         SELECT count(*) FROM a FULL JOIN b USING (plan, budget_cents) WHERE a.n IS DISTINCT FROM b.n")"

echo "# sandbox_load: $((n - failures))/$n checks passed"
[ "$failures" -eq 0 ]
