-- costsim demo (run by scripts/demo.sh against a throwaway cluster; any costsim database works):
-- six plans through the production simulator (V1), the candidate (V2), and the sandbox that shadows V2
-- beside V1 and records the drift; then drift classification, an on-demand comparison, bad input, the divergence
-- report, the reference datasets validated, a canary, metrics, the breaker and the audit log.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset pager off
\pset footer off
\pset null '-'
SET client_min_messages = warning;

CREATE TEMP TABLE demo_plans (
  n              int PRIMARY KEY,
  name           text NOT NULL,
  plan           jsonb NOT NULL,
  budget_cents   int NOT NULL,
  allowed_skills text[]
);
INSERT INTO demo_plans VALUES
 (1, 'cheap KV', '[{"skill":"kv_get","params":{"key":"cart:42"}},{"skill":"kv_set","params":{"key":"cart:42","value":{"items":3}}}]', 100, NULL),
 (2, 'LLM, long prompt', jsonb_build_array(jsonb_build_object('skill','llm_invoke','params',
       jsonb_build_object('prompt', repeat('Summarise the quarterly report for the board. ', 200)))), 1000, NULL),
 (3, 'external http_call', '[{"skill":"http_call","params":{"url":"https://api.example.com/v1/orders","timeout":10}},{"skill":"json_transform","params":{"expr":".orders[]"}}]', 1000, NULL),
 (4, 'over budget', '[{"skill":"llm_invoke","params":{"prompt":"Classify this ticket."},"iterations":20}]', 50, NULL),
 (5, 'disallowed skill', '[{"skill":"fs_read","params":{"path":"/data/in.csv"}},{"skill":"shell_lite","params":{"command":"wc -l /data/in.csv"}}]', 1000, '{fs_read,kv_get}'),
 (6, 'risky', '[{"skill":"webhook_send","params":{"url":"https://hooks.example.com/notify"},"iterations":10}]', 1000, NULL);

\echo
\echo '================================================================================'
\echo ' The plans'
\echo '================================================================================'
SELECT n, name, budget_cents AS budget, allowed_skills,
       jsonb_array_length(plan) AS steps,
       CASE WHEN length(plan::text) > 70 THEN left(plan::text, 67) || '...' ELSE plan::text END AS plan
  FROM demo_plans ORDER BY n;

\echo
\echo '================================================================================'
\echo ' V1, the production simulator: costsim.simulate_v1(plan, budget_cents, allowed_skills)'
\echo '================================================================================'
SELECT d.name, r->>'status' AS status, r->>'feasible' AS feasible,
       r->>'estimated_cost_cents' AS cost_cents, r->>'estimated_duration_ms' AS duration_ms,
       r->>'budget_remaining_cents' AS remaining,
       round((r->'metadata'->>'cumulative_risk')::numeric, 4) AS cum_risk,
       r->'permission_gaps' AS permission_gaps, r->'warnings' AS warnings
  FROM demo_plans d, LATERAL costsim.simulate_v1(d.plan, d.budget_cents, d.allowed_skills) AS r
 ORDER BY d.n;

\echo
\echo 'The full V1 answer for the "over budget" plan:'
SELECT jsonb_pretty(costsim.simulate_v1(plan, budget_cents, allowed_skills)) AS simulate_v1
  FROM demo_plans WHERE n = 4;

\echo
\echo '================================================================================'
\echo ' V2, the candidate (coefficients of model 2.0.0): costsim.simulate_v2(...)'
\echo '================================================================================'
SELECT d.name, r->>'status' AS status, r->>'feasible' AS feasible,
       r->>'estimated_cost_cents' AS cost_cents, r->>'estimated_duration_ms' AS duration_ms,
       r->>'confidence_score' AS confidence, r->>'model_version' AS model,
       r->'warnings' AS warnings
  FROM demo_plans d, LATERAL costsim.simulate_v2(d.plan, d.budget_cents, d.allowed_skills) AS r
 ORDER BY d.n;

\echo
\echo 'The full V2 answer for the "LLM, long prompt" plan (runtime_us varies):'
SELECT jsonb_pretty(costsim.simulate_v2(plan, budget_cents, allowed_skills)) AS simulate_v2
  FROM demo_plans WHERE n = 2;

\echo
\echo '================================================================================'
\echo ' The sandbox: SET costsim.v2_sandbox = on; costsim.simulate(...) answers with V1,'
\echo ' runs V2 in shadow and writes one costsim.provenance row per evaluation'
\echo '================================================================================'
SET costsim.v2_sandbox = on;
SET costsim.v2_sample_rate = 1;
SELECT 'demo-' || to_char(clock_timestamp(), 'YYYYMMDD-HH24MISS') AS tag \gset
SELECT d.name,
       s->>'status' AS answer_status, s->>'estimated_cost_cents' AS answer_cost,
       s = costsim.simulate_v1(d.plan, d.budget_cents, d.allowed_skills) AS same_as_v1
  FROM demo_plans d,
       LATERAL costsim.simulate(d.plan, d.budget_cents, d.allowed_skills, :'tag' || ':' || d.name) AS s
 ORDER BY d.n;

\echo
\echo 'The provenance rows written (cost by V1 and V2, drift score, verdict):'
SELECT substr(run_id, length(:'tag') + 2) AS plan, status,
       v1_cost_cents AS v1_cost, v2_cost_cents AS v2_cost,
       v1_duration_ms AS v1_ms, v2_duration_ms AS v2_ms,
       v1_status, v2_status, v2_confidence AS v2_conf,
       drift_score, verdict, left(input_hash, 12) || '...' AS input_hash
  FROM costsim.provenance
 WHERE run_id LIKE :'tag' || ':%'
 ORDER BY id;

\echo
\echo '================================================================================'
\echo ' Drift classification: costsim.classify_drift(v1_cost, v2_cost, v1_feasible, v2_feasible)'
\echo ' drift = 0.6 x min(|v2 - v1| / max(v1, 1), 1) + 0.4 x (feasibility differs)'
\echo '================================================================================'
SELECT c.v1_cost, c.v2_cost, c.v1_feasible, c.v2_feasible, k.*
  FROM (VALUES (100, 100, true, true), (100, 108, true, true), (100, 122, true, true),
               (100, 133, true, true), (100, 140, true, true), (100, 100, true, false),
               (0, 1, true, true)) AS c(v1_cost, v2_cost, v1_feasible, v2_feasible),
       LATERAL costsim.classify_drift(c.v1_cost, c.v2_cost, c.v1_feasible, c.v2_feasible) AS k;

\echo
\echo '================================================================================'
\echo ' On demand: costsim.simulate_with_comparison(...) for the "external http_call" plan'
\echo ' (the V2 result, its comparison with V1, and the provenance row it recorded)'
\echo '================================================================================'
CREATE TEMP TABLE demo_comparison AS
SELECT costsim.simulate_with_comparison(plan, budget_cents, allowed_skills) AS r
  FROM demo_plans WHERE n = 3;
SELECT r->'provenance_id' AS provenance_id, r->'comparison'->>'verdict' AS verdict,
       r->'comparison'->>'drift_score' AS drift_score,
       r->'result'->>'status' AS v2_status, r->'result'->>'confidence_score' AS v2_confidence
  FROM demo_comparison;
SELECT jsonb_pretty(r->'comparison') AS comparison FROM demo_comparison;

\echo
\echo '================================================================================'
\echo ' Bad input is an ERROR with a SQLSTATE, and leaves the session usable'
\echo '================================================================================'
CREATE FUNCTION pg_temp.try_simulate(plan jsonb, budget_cents int DEFAULT 1000) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM costsim.simulate_v1(plan, budget_cents);
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT b.input, pg_temp.try_simulate(b.plan, b.budget) AS error
  FROM (VALUES
    ('not an array',             '{"skill":"kv_get"}'::jsonb,                     1000),
    ('a step that is a number',  '[{"skill":"kv_get"}, 7]',                       1000),
    ('skill not a string',       '[{"skill":42}]',                                1000),
    ('iterations 0',             '[{"skill":"kv_get","iterations":0}]',           1000),
    ('iterations 101',           '[{"skill":"llm_invoke","iterations":101}]',     1000),
    ('negative timeout',         '[{"skill":"http_call","params":{"timeout":-1}}]', 1000),
    ('negative budget',          '[{"skill":"kv_get"}]',                          -5),
    ('1001 steps',               (SELECT jsonb_agg('{"skill":"kv_get"}'::jsonb) FROM generate_series(1, 1001)), 1000),
    ('empty plan (not an error)', '[]',                                           1000)
  ) AS b(input, plan, budget);

\echo
\echo 'As psql shows it (VERBOSITY verbose prints the SQLSTATE):'
\set ON_ERROR_STOP 0
\set VERBOSITY verbose
SELECT costsim.simulate_v1('[{"skill":"kv_get","iterations":0}]');
\set VERBOSITY default
\set ON_ERROR_STOP 1
SELECT 'the session is still usable' AS after_the_error;

\echo
\echo '================================================================================'
\echo ' The divergence report over the shadowed calls: costsim.divergence_report()'
\echo '================================================================================'
SELECT sample_count, delta_p50, delta_p90, round(kl_divergence::numeric, 4) AS kl,
       round(kl_critical_value::numeric, 4) AS kl_critical, kl_significant, outlier_count,
       round(fail_ratio::numeric, 3) AS fail_ratio, round(matching_rate::numeric, 3) AS matching_rate,
       round(js_distance::numeric, 4) AS js, round(ks_pvalue::numeric, 4) AS ks_p, round(wasserstein::numeric, 3) AS w1
  FROM costsim.divergence_report();

\echo
\echo '================================================================================'
\echo ' The reference datasets (loaded by CREATE EXTENSION from datasets/), validated'
\echo ' against V2 model 2.0.0 with V1 beside it: costsim.validate_all_datasets()'
\echo '================================================================================'
SELECT id, version, sample_count AS samples, left(content_sha256, 16) || '...' AS sha256, thresholds
  FROM costsim.reference_datasets ORDER BY id;
SELECT dataset_id, (v2).sample_count AS samples, round((v2).mean_abs_error::numeric, 3) AS v2_mean,
       round((v2).median_abs_error::numeric, 3) AS v2_median, round((v2).std_abs_error::numeric, 3) AS v2_std,
       round((v2).outlier_rate::numeric, 3) AS v2_outliers, round((v2).drift_score::numeric, 4) AS v2_drift,
       (v2).verdict AS v2_verdict, (v1).verdict AS v1_verdict
  FROM costsim.validate_all_datasets();

\echo
\echo '================================================================================'
\echo ' A canary: recent shadow inputs plus the golden datasets, V1 against V2, judged'
\echo ' (costsim.run_canary(); pg_cron schedules it daily through costsim.schedule_canary())'
\echo '================================================================================'
SELECT id, status, sample_count, shadow_samples, golden_samples, match_count AS match,
       minor_drift_count AS minor, major_drift_count AS major, mismatch_count AS mismatch, outlier_count,
       delta_p50, delta_p90, round((statistics).kl_divergence::numeric, 4) AS kl,
       round((statistics).kl_critical_value::numeric, 4) AS kl_critical, diff_artifact_count AS diffs,
       breaker_state
  FROM costsim.run_canary();
SELECT unnest(failure_reasons) AS failure_reasons FROM costsim.canary_reports ORDER BY id DESC LIMIT 1;

\echo
\echo '================================================================================'
\echo ' Metrics (costsim.metrics, the series postgres_exporter scrapes)'
\echo '================================================================================'
SELECT name, labels, value
  FROM costsim.metrics
 WHERE value <> 0 AND name NOT LIKE '%\_bucket'
 ORDER BY name, labels::text
 LIMIT 20;

\echo
\echo '================================================================================'
\echo ' The circuit breaker: V2 disabled by hand, an incident and an alert, re-enabled'
\echo '================================================================================'
SELECT costsim.v2_status() -> 'breaker' ->> 'state' AS breaker_before,
       costsim.disable_v2('demo: a maintenance window', 'demo') -> 'breaker' ->> 'state' AS after_disable_v2;
SELECT id, trip, severity, reason, opened_by, resolved_at IS NOT NULL AS resolved FROM costsim.incidents();
SELECT payload -> 'labels' ->> 'alertname' AS alert, payload -> 'labels' ->> 'severity' AS severity, status
  FROM costsim.alerts ORDER BY id DESC LIMIT 1;
SELECT costsim.enable_v2('demo: maintenance over', 'demo') -> 'breaker' ->> 'state' AS after_enable_v2;

\echo
\echo '================================================================================'
\echo ' The audit log: status changes in a hash chain, verified, and a signed export'
\echo '================================================================================'
SET costsim.tenant_id = '_system';
SELECT seq, entity_type, entity_id, old_status, new_status, actor_id, reason, left(row_hash, 16) || '...' AS row_hash
  FROM costsim.status_history ORDER BY seq;
SELECT tenant_id, intact, rows_checked, left(head_hash, 16) || '...' AS head_hash FROM costsim.verify_chain();
SELECT record_count, byte_count, left(sha256, 16) || '...' AS sha256, head_seq, expires_at, left(sig, 16) || '...' AS sig
  FROM costsim.create_export('csv');
RESET costsim.tenant_id;
