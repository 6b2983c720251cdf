-- costsim.metrics (docs/sql.md "Metrics"): shape, series, and counters that move by exactly what we did.
-- Counters are cluster-wide and not transactional, so every check is a delta against a snapshot.
BEGIN;
-- The breaker (test/sql/14_breaker.sql) watches every comparison, cluster-wide; these tests make drift and V2
-- errors on purpose, so its automatic rules are off here.
SET LOCAL costsim.cb_auto_trip = off;
SELECT plan(40);

SELECT has_view('costsim', 'metrics', 'costsim.metrics is a view');
SELECT columns_are('costsim', 'metrics', ARRAY['name', 'labels', 'value'], 'metrics columns: name, labels, value');
SELECT col_type_is('costsim', 'metrics', 'name', 'text', 'name is text');
SELECT col_type_is('costsim', 'metrics', 'labels', 'jsonb', 'labels is jsonb');
SELECT col_type_is('costsim', 'metrics', 'value', 'double precision', 'value is double precision');

CREATE TEMP TABLE m0 AS SELECT name, labels, value FROM costsim.metrics;
CREATE FUNCTION pg_temp.delta(n text, f jsonb DEFAULT '{}') RETURNS double precision LANGUAGE sql AS $$
  SELECT coalesce((SELECT sum(value) FROM costsim.metrics WHERE name = n AND labels @> f), 0)
       - coalesce((SELECT sum(value) FROM m0 WHERE name = n AND labels @> f), 0)
$$;

-------------------------------------------------------------------------------------------------------------
-- What this test does (and nothing else touches the counters meanwhile):
--  A. 3 x simulate_v1                                      -> v1 runs +3
--  B. 2 x simulate_v2                                      -> v2 runs +2
--  C. 1 x simulate, sandbox off                            -> v1 runs +1
--  D. 5 x simulate, sandbox on, rate 1                     -> v1 +5, v2 +5, 5 comparisons:
--       kv_get        V1 0  / V2 0               -> drift 0                          match
--       kv_set        V1 0  / V2 0               -> drift 0                          match
--       llm x3        V1 15 / V2 10.5 -> 10      -> 0.6 x 5/15 = 0.2                 major_drift
--       tool          V1 10 / V2 5               -> 0.6 x 5/10 = 0.3                 mismatch
--       llm "hi"      V1 max(5, 0) = 5 / V2 3.5 + 0.0016 + 0.0048 = 3.5064 -> 4
--                                                -> 0.6 x 1/5 = 0.12                 minor_drift
--     (all feasible on both sides)
--  E. 1 x simulate, sandbox on, rate 0                     -> v1 +1
--  F. 1 x simulate, sandbox on, unknown V2 model           -> v1 +1, v2 failed +1
--  G. 2 x simulate_v1 with bad input (at the end)          -> schema errors +2
-------------------------------------------------------------------------------------------------------------
SELECT lives_ok($$SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb), costsim.simulate_v1('[{"skill":"http_call"}]'::jsonb),
                         costsim.simulate_v1('[]'::jsonb)$$, 'A: three V1 runs');
SELECT lives_ok($$SELECT costsim.simulate_v2('[{"skill":"kv_get"}]'::jsonb), costsim.simulate_v2('[{"skill":"tool"}]'::jsonb)$$,
                'B: two V2 runs');
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"kv_get"}]'::jsonb)$$, 'C: simulate with the sandbox off');
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"kv_get"}]'::jsonb), costsim.simulate('[{"skill":"kv_set"}]'::jsonb),
                         costsim.simulate('[{"skill":"llm_invoke","iterations":3}]'::jsonb), costsim.simulate('[{"skill":"tool"}]'::jsonb),
                         costsim.simulate('[{"skill":"llm_invoke","params":{"prompt":"hi"}}]'::jsonb)$$, 'D: five shadowed calls');
SET LOCAL costsim.v2_sample_rate = 0;
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"email_send"}]'::jsonb)$$, 'E: a call outside the sample');
SET LOCAL costsim.v2_sample_rate = 1;
SET LOCAL costsim.v2_model_version = 'no-such-model';
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"kv_get"}]'::jsonb)$$, 'F: a shadowed call whose V2 fails');
RESET costsim.v2_model_version;
SET LOCAL costsim.v2_sandbox = off;

-------------------------------------------------------------------------------------------------------------
-- Series and labels.
-------------------------------------------------------------------------------------------------------------
SELECT is(
  ARRAY(SELECT s FROM unnest(ARRAY['costsim_runs_total','costsim_schema_errors_total','costsim_comparison_verdict_total',
                                   'costsim_runtime_ms_bucket','costsim_runtime_ms_sum','costsim_runtime_ms_count',
                                   'costsim_drift_score_bucket','costsim_drift_score_sum','costsim_drift_score_count']) s
        EXCEPT SELECT name FROM costsim.metrics),
  ARRAY[]::text[], 'every documented series is present');
SELECT is((SELECT count(*) FROM costsim.metrics WHERE name = 'costsim_runs_total'
             AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(labels) k) IS DISTINCT FROM ARRAY['status','version']),
          0::bigint, 'costsim_runs_total is labelled {version, status}');
SELECT is((SELECT count(*) FROM costsim.metrics WHERE name = 'costsim_comparison_verdict_total'
             AND (SELECT array_agg(k) FROM jsonb_object_keys(labels) k) IS DISTINCT FROM ARRAY['verdict']),
          0::bigint, 'costsim_comparison_verdict_total is labelled {verdict}');
SELECT ok(
  (SELECT array_agg(DISTINCT (labels->>'le')::float8) FROM costsim.metrics WHERE name = 'costsim_drift_score_bucket')
    @> ARRAY[0.01, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 'Infinity'::float8]::float8[],
  'drift score histogram buckets 0.01 0.05 0.1 0.15 0.2 0.3 0.5 1 +Inf');
SELECT is((SELECT array_agg(DISTINCT labels->>'version' ORDER BY labels->>'version') FROM costsim.metrics WHERE name = 'costsim_runtime_ms_count'),
          ARRAY['v1', 'v2'], 'runtime histogram by version v1 / v2');

-------------------------------------------------------------------------------------------------------------
-- Deltas.
-------------------------------------------------------------------------------------------------------------
SELECT is(pg_temp.delta('costsim_runs_total', '{"version":"v1"}'), 11::float8, 'v1 runs: 3 + 1 + 5 + 1 + 1 = 11');
SELECT is(pg_temp.delta('costsim_runs_total', '{"version":"v2"}'), 8::float8, 'v2 runs: 2 + 5 + 1 = 8');
SELECT is(pg_temp.delta('costsim_runs_total', '{"version":"v2","status":"failed"}'), 1::float8, 'v2 failed runs: 1 (F)');
SELECT is(pg_temp.delta('costsim_runtime_ms_count', '{"version":"v1"}'), 11::float8, 'v1 runtime observations: 11');
SELECT is(pg_temp.delta('costsim_schema_errors_total'), 0::float8, 'schema errors: none so far');
SELECT is(pg_temp.delta('costsim_comparison_verdict_total', '{"verdict":"match"}'), 2::float8, 'verdict match +2 (kv_get, kv_set)');
SELECT is(pg_temp.delta('costsim_comparison_verdict_total', '{"verdict":"minor_drift"}'), 1::float8, 'verdict minor_drift +1 (llm "hi")');
SELECT is(pg_temp.delta('costsim_comparison_verdict_total', '{"verdict":"major_drift"}'), 1::float8, 'verdict major_drift +1 (llm x3)');
SELECT is(pg_temp.delta('costsim_comparison_verdict_total', '{"verdict":"mismatch"}'), 1::float8, 'verdict mismatch +1 (tool)');
SELECT is(pg_temp.delta('costsim_drift_score_count'), 5::float8, 'drift score observations: 5');
SELECT ok(abs(pg_temp.delta('costsim_drift_score_sum') - 0.62) < 1e-9, 'drift score sum: 0 + 0 + 0.2 + 0.3 + 0.12 = 0.62');
SELECT is(
  (SELECT array_agg(pg_temp.delta('costsim_drift_score_bucket', jsonb_build_object('le', le)) ORDER BY o)
     FROM (SELECT DISTINCT ON ((labels->>'le')::float8) labels->>'le' AS le, (labels->>'le')::float8 AS o
             FROM costsim.metrics WHERE name = 'costsim_drift_score_bucket' AND (labels->>'le')::float8 IN (0.01, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 'Infinity')) b),
  ARRAY[2, 2, 2, 3, 4, 5, 5, 5, 5]::float8[],
  'drift score buckets (cumulative, le inclusive): 0.01:2 0.05:2 0.1:2 0.15:3 0.2:4 0.3:5 0.5:5 1:5 +Inf:5');

-- D's cost deltas |V2 - V1| in cents: 0, 0, 5, 5, 1 (F's V2 failed: no comparison).
SELECT is(
  ARRAY(SELECT pg_temp.delta('costsim_cost_delta_cents_bucket', jsonb_build_object('le', le))
          FROM unnest(ARRAY['0', '1', '5', '10', '50', '100', '500', '1000', '+Inf']) WITH ORDINALITY AS u(le, o)
         ORDER BY o),
  ARRAY[2, 3, 5, 5, 5, 5, 5, 5, 5]::float8[],
  'cost delta buckets (cumulative, le inclusive): 0:2 1:3 5:5 10:5 50:5 100:5 500:5 1000:5 +Inf:5');
SELECT is(pg_temp.delta('costsim_cost_delta_cents_count'), 5::float8, 'cost delta count: the 5 comparisons of D');
SELECT is(pg_temp.delta('costsim_cost_delta_cents_sum'), 11::float8, 'cost delta sum: 0 + 0 + 5 + 5 + 1 = 11 cents');

-- G, last (so that however bad input is reflected in other series, the run counts above are unaffected)
SELECT throws_ok($$SELECT costsim.simulate_v1('{}'::jsonb)$$, '22023', NULL, 'G: bad input 1');
SELECT throws_ok($$SELECT costsim.simulate_v1('[{"skill":"kv_get","iterations":0}]'::jsonb)$$, '22023', NULL, 'G: bad input 2');
SELECT is(pg_temp.delta('costsim_schema_errors_total'), 2::float8, 'schema errors: exactly 2 (G)');

-- H: the breaker's and the alert queue's series, read from their tables (spec section 11).
CREATE TEMP TABLE metrics_h AS SELECT name, labels, value FROM costsim.metrics;
CREATE FUNCTION pg_temp.now_minus_h(n text, l jsonb DEFAULT '{}') RETURNS float8 LANGUAGE sql AS $$
  SELECT (SELECT value FROM costsim.metrics WHERE name = n AND labels = l)
       - (SELECT value FROM metrics_h WHERE name = n AND labels = l) $$;
SELECT is((SELECT value FROM costsim.metrics WHERE name = 'costsim_v2_circuit_breaker_state'), 0::float8,
          'breaker state gauge: 0 while closed');
SELECT costsim.disable_v2('metrics test', 'metrics test');
SELECT is((SELECT value FROM costsim.metrics WHERE name = 'costsim_v2_circuit_breaker_state'), 1::float8,
          'breaker state gauge: 1 once open');
SELECT is(pg_temp.now_minus_h('costsim_cb_incidents_total', '{"severity": "p2"}'), 1::float8,
          'incidents_total{severity="p2"}: one more (a manual disable)');
SELECT is(pg_temp.now_minus_h('costsim_cb_incidents_total', '{"severity": "p1"}'), 0::float8,
          'incidents_total{severity="p1"}: unchanged');
SELECT is(pg_temp.now_minus_h('costsim_alert_queue_depth'), 1::float8, 'alert queue depth: one more queued alert');
SELECT is(ARRAY(SELECT labels->>'severity' FROM costsim.metrics WHERE name = 'costsim_cb_incidents_total' ORDER BY 1),
          ARRAY['p1', 'p2', 'p3'], 'incidents_total has its three severities, even at zero');

SELECT * FROM finish();
ROLLBACK;
