-- Drift score, verdicts and the full comparison (spec section 4).
-- drift = round(0.6 x min(|v2 - v1| / max(v1, 1), 1) + 0.4 x (0 if feasibility matches else 1), 4)
-- verdict (inclusive upper bounds): match <= 0.05 < minor_drift <= warning (0.15) < major_drift <= drift (0.20) < mismatch
BEGIN;
SELECT plan(29);

CREATE FUNCTION pg_temp.verdicts(label_prefix text) RETURNS TABLE (label text, drift numeric, verdict text)
LANGUAGE sql AS $$
  SELECT label_prefix || c.label, round(d.drift_score::numeric, 10), d.verdict::text
    FROM (VALUES (1, 'equal',             100,    100, true, true),
                 (2, '7 -> 8',              7,      8, true, true),
                 (3, '1200 -> 1300',     1200,   1300, true, true),
                 (4, '1200 -> 1301',     1200,   1301, true, true),
                 (5, '100 -> 125',        100,    125, true, true),
                 (6, '1000 -> 1251',     1000,   1251, true, true),
                 (7, '300 -> 400',        300,    400, true, true),
                 (8, '300 -> 401',        300,    401, true, true),
                 (9, 'feasibility only',  100,    100, true, false),
                 (10, '1 -> 1000',          1,   1000, true, true)
         ) AS c(ord, label, v1, v2, f1, f2),
         LATERAL costsim.classify_drift(c.v1::bigint, c.v2::bigint, c.f1, c.f2) d
   ORDER BY c.ord
$$;

-------------------------------------------------------------------------------------------------------------
-- 1. classify_drift with the default thresholds.
-------------------------------------------------------------------------------------------------------------
SELECT results_eq(
  $$SELECT c.label, round(d.drift_score::numeric, 10), d.verdict::text
      FROM (VALUES (1,  'equal',             100,    100, true,  true),
                   (2,  '1200 -> 1300',     1200,   1300, true,  true),
                   (3,  '1200 -> 1301',     1200,   1301, true,  true),
                   (4,  '120000 -> 130001', 120000, 130001, true, true),
                   (5,  '100 -> 125',        100,    125, true,  true),
                   (6,  '100 -> 75',         100,     75, true,  true),
                   (7,  '1000 -> 1251',     1000,   1251, true,  true),
                   (8,  '300 -> 400',        300,    400, true,  true),
                   (9,  '300000 -> 400001', 300000, 400001, true, true),
                   (10, '300 -> 401',        300,    401, true,  true),
                   (11, 'feasibility only',  100,    100, true,  false),
                   (12, '1 -> 1000',           1,   1000, true,  true),
                   (13, '1000 -> 0, f',     1000,      0, true,  false),
                   (14, '0 -> 1',              0,      1, true,  true),
                   (15, '0 -> 0, both f',      0,      0, false, false),
                   (16, '7 -> 8',              7,      8, true,  true),
                   (17, '200 -> 300',        200,    300, true,  true)
           ) AS c(ord, label, v1, v2, f1, f2),
           LATERAL costsim.classify_drift(c.v1::bigint, c.v2::bigint, c.f1, c.f2) d
     ORDER BY c.ord$$,
  $$VALUES ('equal',            0::numeric, 'match'),       -- 0.6 x 0
           ('1200 -> 1300',     0.05,   'match'),           -- 0.6 x 100/1200 = 0.05: inclusive
           ('1200 -> 1301',     0.0505, 'minor_drift'),     -- 0.6 x 101/1200 = 0.0505
           ('120000 -> 130001', 0.05,   'match'),           -- 0.6 x 10001/120000 = 0.050005 -> 0.0500 (verdict on the rounded score)
           ('100 -> 125',       0.15,   'minor_drift'),     -- 0.6 x 0.25 = 0.15: inclusive
           ('100 -> 75',        0.15,   'minor_drift'),     -- |delta| 25
           ('1000 -> 1251',     0.1506, 'major_drift'),     -- 0.6 x 0.251
           ('300 -> 400',       0.2,    'major_drift'),     -- 0.6 x 1/3 = 0.2: inclusive
           ('300000 -> 400001', 0.2,    'major_drift'),     -- 0.6 x 0.33333667 = 0.200002 -> 0.2000
           ('300 -> 401',       0.202,  'mismatch'),        -- 0.6 x 101/300
           ('feasibility only', 0.4,    'mismatch'),        -- 0.4 x 1
           ('1 -> 1000',        0.6,    'mismatch'),        -- 0.6 x min(999, 1)
           ('1000 -> 0, f',     1.0,    'mismatch'),        -- 0.6 x 1 + 0.4
           ('0 -> 1',           0.6,    'mismatch'),        -- 0.6 x min(1 / max(0, 1), 1)
           ('0 -> 0, both f',   0,      'match'),           -- feasibility matches (both false)
           ('7 -> 8',           0.0857, 'minor_drift'),     -- 0.6 / 7 = 0.085714... -> 0.0857
           ('200 -> 300',       0.3,    'mismatch')$$,      -- 0.6 x 0.5
  'classify_drift: scores (4 decimals) and verdicts at every boundary, default thresholds');

SELECT results_eq(
  $$SELECT c.label, d.cost_delta_cents, round(d.cost_delta_pct::numeric, 10), d.feasibility_match
      FROM (VALUES (1, 'equal',            100,  100, true, true),
                   (2, '1200 -> 1300',    1200, 1300, true, true),
                   (3, '100 -> 75',        100,   75, true, true),
                   (4, 'feasibility only', 100,  100, true, false),
                   (5, '1 -> 1000',          1, 1000, true, true),
                   (6, '0 -> 1',             0,    1, false, false),
                   (7, '1000 -> 0',       1000,    0, false, true)
           ) AS c(ord, label, v1, v2, f1, f2),
           LATERAL costsim.classify_drift(c.v1::bigint, c.v2::bigint, c.f1, c.f2) d
     ORDER BY c.ord$$,
  $$VALUES ('equal',            0::bigint, 0::numeric,     true),
           ('1200 -> 1300',     100,       0.0833333333,   true),   -- 100 / 1200
           ('100 -> 75',        -25,       0.25,           true),   -- signed delta, |delta| / 100
           ('feasibility only', 0,         0,              false),
           ('1 -> 1000',        999,       999,            true),   -- pct itself is not capped
           ('0 -> 1',           1,         1,              true),   -- 1 / max(0, 1)
           ('1000 -> 0',        -1000,     1,              false)$$,
  'classify_drift: signed cost delta, delta pct = |delta| / max(v1, 1), feasibility match');

-- one row (drift_score double precision, verdict costsim.drift_verdict, cost_delta_cents bigint, cost_delta_pct double precision,
-- feasibility_match boolean): 100 -> 125 gives 0.6 x 0.25 = 0.15, minor_drift, +25, 0.25, true
SELECT results_eq(
  $$SELECT * FROM costsim.classify_drift(100, 125, true, true)$$,
  $$VALUES (0.15::double precision, 'minor_drift'::costsim.drift_verdict, 25::bigint, 0.25::double precision, true)$$,
  'classify_drift returns one row with the documented columns and types');

-------------------------------------------------------------------------------------------------------------
-- 2. Thresholds come from the GUCs (match <= 0.05 stays fixed).
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.drift_warning_threshold = 0.10;
SELECT results_eq($$SELECT * FROM pg_temp.verdicts('w.10 ')$$,
  $$VALUES ('w.10 equal', 0::numeric, 'match'), ('w.10 7 -> 8', 0.0857, 'minor_drift'),
           ('w.10 1200 -> 1300', 0.05, 'match'), ('w.10 1200 -> 1301', 0.0505, 'minor_drift'),
           ('w.10 100 -> 125', 0.15, 'major_drift'), ('w.10 1000 -> 1251', 0.1506, 'major_drift'),
           ('w.10 300 -> 400', 0.2, 'major_drift'), ('w.10 300 -> 401', 0.202, 'mismatch'),
           ('w.10 feasibility only', 0.4, 'mismatch'), ('w.10 1 -> 1000', 0.6, 'mismatch')$$,
  'drift_warning_threshold 0.10: 0.15 is now major_drift');
SET LOCAL costsim.drift_threshold = 0.15;
SELECT results_eq($$SELECT * FROM pg_temp.verdicts('w.10 d.15 ')$$,
  $$VALUES ('w.10 d.15 equal', 0::numeric, 'match'), ('w.10 d.15 7 -> 8', 0.0857, 'minor_drift'),
           ('w.10 d.15 1200 -> 1300', 0.05, 'match'), ('w.10 d.15 1200 -> 1301', 0.0505, 'minor_drift'),
           ('w.10 d.15 100 -> 125', 0.15, 'major_drift'), ('w.10 d.15 1000 -> 1251', 0.1506, 'mismatch'),
           ('w.10 d.15 300 -> 400', 0.2, 'mismatch'), ('w.10 d.15 300 -> 401', 0.202, 'mismatch'),
           ('w.10 d.15 feasibility only', 0.4, 'mismatch'), ('w.10 d.15 1 -> 1000', 0.6, 'mismatch')$$,
  'drift_threshold 0.15: 0.15 is major_drift (inclusive), 0.1506 and 0.2 are mismatch');
SET LOCAL costsim.drift_threshold = 0.5;
SET LOCAL costsim.drift_warning_threshold = 0.3;
SELECT results_eq($$SELECT * FROM pg_temp.verdicts('w.3 d.5 ')$$,
  $$VALUES ('w.3 d.5 equal', 0::numeric, 'match'), ('w.3 d.5 7 -> 8', 0.0857, 'minor_drift'),
           ('w.3 d.5 1200 -> 1300', 0.05, 'match'), ('w.3 d.5 1200 -> 1301', 0.0505, 'minor_drift'),
           ('w.3 d.5 100 -> 125', 0.15, 'minor_drift'), ('w.3 d.5 1000 -> 1251', 0.1506, 'minor_drift'),
           ('w.3 d.5 300 -> 400', 0.2, 'minor_drift'), ('w.3 d.5 300 -> 401', 0.202, 'minor_drift'),
           ('w.3 d.5 feasibility only', 0.4, 'major_drift'), ('w.3 d.5 1 -> 1000', 0.6, 'mismatch')$$,
  'thresholds 0.3 / 0.5: match stays <= 0.05, 0.4 is major_drift, 0.6 mismatch');
RESET costsim.drift_warning_threshold;
RESET costsim.drift_threshold;
SELECT results_eq($$SELECT * FROM pg_temp.verdicts('')$$,
  $$VALUES ('equal', 0::numeric, 'match'), ('7 -> 8', 0.0857, 'minor_drift'),
           ('1200 -> 1300', 0.05, 'match'), ('1200 -> 1301', 0.0505, 'minor_drift'),
           ('100 -> 125', 0.15, 'minor_drift'), ('1000 -> 1251', 0.1506, 'major_drift'),
           ('300 -> 400', 0.2, 'major_drift'), ('300 -> 401', 0.202, 'mismatch'),
           ('feasibility only', 0.4, 'mismatch'), ('1 -> 1000', 0.6, 'mismatch')$$,
  'after RESET the defaults (0.15 / 0.20) apply again');

-------------------------------------------------------------------------------------------------------------
-- 3. compare(v1, v2) on real results.
--    kv_get: V1 cost 0, latency 5, feasible/"feasible"; V2 cost 0, latency 3, feasible/"success", confidence 0.97
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE kv AS
  SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb) AS v1, costsim.simulate_v2('[{"skill":"kv_get"}]'::jsonb) AS v2;
CREATE TEMP TABLE llm AS
  SELECT costsim.simulate_v1('[{"skill":"llm_invoke","iterations":3}]'::jsonb) AS v1,
         costsim.simulate_v2('[{"skill":"llm_invoke","iterations":3}]'::jsonb) AS v2;

SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM kv, jsonb_object_keys(costsim.compare(v1, v2)) k),
  ARRAY['cost_delta_cents','cost_delta_pct','drift_score','duration_delta_ms','duration_delta_pct','feasibility_match',
        'step_deltas','v1','v2','verdict'],
  'compare: exactly the documented keys');
SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM kv, jsonb_object_keys(costsim.compare(v1, v2)->'v1') k),
  ARRAY['cost_cents','duration_ms','feasible','output_hash','status'], 'compare.v1 keys');
SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM kv, jsonb_object_keys(costsim.compare(v1, v2)->'v2') k),
  ARRAY['confidence_score','cost_cents','duration_ms','feasible','model_version','output_hash','status'], 'compare.v2 keys');

-- kv_get: delta 0, duration 3 - 5 = -2, |-2| / max(5, 1) = 0.4
SELECT is(
  (SELECT jsonb_build_array(c->'drift_score', c->'verdict', c->'cost_delta_cents', c->'cost_delta_pct',
                            c->'duration_delta_ms', to_jsonb(round((c->>'duration_delta_pct')::numeric, 9)),
                            c->'feasibility_match')
     FROM (SELECT costsim.compare(v1, v2) AS c FROM kv) x),
  '[0, "match", 0, 0, -2, 0.4, true]'::jsonb, 'compare kv_get: scalar fields');
SELECT is(
  (SELECT (c->'v1') - 'output_hash' FROM (SELECT costsim.compare(v1, v2) AS c FROM kv) x),
  '{"cost_cents": 0, "duration_ms": 5, "feasible": true, "status": "feasible"}'::jsonb, 'compare kv_get: v1 summary');
SELECT is(
  (SELECT ((c->'v2') - 'output_hash') - 'confidence_score' FROM (SELECT costsim.compare(v1, v2) AS c FROM kv) x),
  '{"cost_cents": 0, "duration_ms": 3, "feasible": true, "status": "success", "model_version": "2.0.0"}'::jsonb,
  'compare kv_get: v2 summary');
SELECT is((SELECT round((costsim.compare(v1, v2)->'v2'->>'confidence_score')::numeric, 9) FROM kv), 0.97::numeric,
          'compare kv_get: v2 confidence_score 0.97');
SELECT is(
  (SELECT costsim.compare(v1, v2)->'step_deltas' FROM kv),
  '[{"step_index": 0, "skill_id": "kv_get", "v1_cost_cents": 0, "v2_cost_cents": 0, "cost_delta_cents": 0,
     "v1_latency_ms": 5, "v2_latency_ms": 3, "latency_delta_ms": -2}]'::jsonb, 'compare kv_get: step_deltas');

-- Output hashes: SHA-256 of the RFC 8785 text of {estimated_cost_cents, estimated_duration_ms, feasible, status,
-- step_estimates} (keys sorted, no whitespace, numbers in shortest ECMAScript form), written out by hand.
SELECT is(
  (SELECT costsim.compare(v1, v2)->'v1'->>'output_hash' FROM kv),
  encode(sha256(convert_to(
    '{"estimated_cost_cents":0,"estimated_duration_ms":5,"feasible":true,"status":"feasible","step_estimates":'
    || '[{"base_cost_cents":0,"base_latency_ms":5,"cost_cents":0,"iterations":1,"latency_ms":5,'
    || '"risk_probability":0.020000000000000018,"risk_type":"not_found","skill_id":"kv_get","step_index":0}]}',
    'UTF8')), 'hex'),
  'V1 output hash of kv_get = sha256 of its hand-written canonical JSON');
SELECT is(
  (SELECT costsim.compare(v1, v2)->'v2'->>'output_hash' FROM kv),
  encode(sha256(convert_to(
    '{"estimated_cost_cents":0,"estimated_duration_ms":3,"feasible":true,"status":"success","step_estimates":'
    || '[{"base_cost_cents":0,"base_latency_ms":3,"confidence":0.97,"cost_cents":0,"iterations":1,"latency_ms":3,'
    || '"risk_probability":0.01,"risk_type":"not_found","skill_id":"kv_get","step_index":0}]}',
    'UTF8')), 'hex'),
  'V2 output hash of kv_get = sha256 of its hand-written canonical JSON');
-- http_call with timeout 0.0625: latency 62.5 (a fraction), risk 0.09999999999999998
SELECT is(
  (SELECT costsim.compare(r, r)->'v1'->>'output_hash'
     FROM (SELECT costsim.simulate_v1('[{"skill":"http_call","params":{"timeout":0.0625}}]'::jsonb)
                  || '{"warnings":["not hashed"],"metadata":{}}'::jsonb AS r) x),
  encode(sha256(convert_to(
    '{"estimated_cost_cents":0,"estimated_duration_ms":62.5,"feasible":true,"status":"feasible","step_estimates":'
    || '[{"base_cost_cents":0,"base_latency_ms":62.5,"cost_cents":0,"iterations":1,"latency_ms":62.5,'
    || '"risk_probability":0.09999999999999998,"risk_type":"timeout","skill_id":"http_call","step_index":0}]}',
    'UTF8')), 'hex'),
  'output hash covers only the five keys; fractional numbers in canonical form');

-- llm_invoke x3: V1 15 / 6000 ms; V2 10.5 -> 10 / 5400 ms
--   delta 10 - 15 = -5, pct 5/15 = 0.3333, drift 0.6 x 0.3333 = 0.2 -> major_drift
--   duration delta 5400 - 6000 = -600, pct 600/6000 = 0.1
SELECT is(
  (SELECT jsonb_build_array(to_jsonb(round((c->>'drift_score')::numeric, 9)), c->'verdict', c->'cost_delta_cents',
                            to_jsonb(round((c->>'cost_delta_pct')::numeric, 6)), c->'duration_delta_ms',
                            to_jsonb(round((c->>'duration_delta_pct')::numeric, 9)), c->'feasibility_match',
                            c->'v1'->'cost_cents', c->'v2'->'cost_cents', c->'v1'->'duration_ms', c->'v2'->'duration_ms')
     FROM (SELECT costsim.compare(v1, v2) AS c FROM llm) x),
  '[0.2, "major_drift", -5, 0.333333, -600, 0.1, true, 15, 10, 6000, 5400]'::jsonb, 'compare llm_invoke x3');
SELECT is(
  (SELECT costsim.compare(v1, v2)->'step_deltas' FROM llm),
  '[{"step_index": 0, "skill_id": "llm_invoke", "v1_cost_cents": 15, "v2_cost_cents": 10.5, "cost_delta_cents": -4.5,
     "v1_latency_ms": 6000, "v2_latency_ms": 5400, "latency_delta_ms": -600}]'::jsonb,
  'compare llm_invoke x3: step deltas use the unrounded step costs');
SELECT is(
  (SELECT jsonb_build_array(round(d.drift_score::numeric, 9), d.verdict)
     FROM llm, costsim.classify_drift((v1->>'estimated_cost_cents')::bigint, (v2->>'estimated_cost_cents')::bigint,
                                      (v1->>'feasible')::boolean, (v2->>'feasible')::boolean) d),
  (SELECT jsonb_build_array(round((c->>'drift_score')::numeric, 9), c->'verdict') FROM (SELECT costsim.compare(v1, v2) AS c FROM llm) x),
  'compare agrees with classify_drift');

-- Hand-written results
SELECT is(
  (SELECT jsonb_build_array(to_jsonb(round((c->>'drift_score')::numeric, 9)), c->'verdict', c->'cost_delta_cents',
                            c->'duration_delta_ms', to_jsonb(round((c->>'duration_delta_pct')::numeric, 9)), c->'feasibility_match')
     FROM (SELECT costsim.compare(
        '{"estimated_cost_cents":100,"estimated_duration_ms":1000,"feasible":true,"status":"feasible","step_estimates":[]}',
        '{"estimated_cost_cents":125,"estimated_duration_ms":900,"feasible":true,"status":"success","step_estimates":[],
          "model_version":"x","confidence_score":0.5}') AS c) x),
  '[0.15, "minor_drift", 25, -100, 0.1, true]'::jsonb, 'compare hand-written: 100 -> 125 is minor_drift 0.15');
SELECT is(
  (SELECT jsonb_build_array(to_jsonb(round((c->>'drift_score')::numeric, 9)), c->'verdict', c->'feasibility_match')
     FROM (SELECT costsim.compare(
        '{"estimated_cost_cents":100,"estimated_duration_ms":1000,"feasible":true,"status":"feasible","step_estimates":[]}',
        '{"estimated_cost_cents":125,"estimated_duration_ms":900,"feasible":false,"status":"error","step_estimates":[],
          "model_version":"x","confidence_score":0.5}') AS c) x),
  '[0.55, "mismatch", false]'::jsonb, 'compare hand-written: feasibility differs -> 0.15 + 0.4 = 0.55 mismatch');
-- step_deltas cover the steps present in both results
SELECT is(
  (SELECT jsonb_agg(d->'step_index') FROM jsonb_array_elements(costsim.compare(
     '{"estimated_cost_cents":15,"estimated_duration_ms":505,"feasible":true,"status":"feasible","step_estimates":[
        {"step_index":0,"skill_id":"kv_get","cost_cents":0,"latency_ms":5},
        {"step_index":1,"skill_id":"tool","cost_cents":10,"latency_ms":500}]}',
     '{"estimated_cost_cents":0,"estimated_duration_ms":3,"feasible":true,"status":"success","step_estimates":[
        {"step_index":0,"skill_id":"kv_get","cost_cents":0,"latency_ms":3}],
       "model_version":"x","confidence_score":0.97}')->'step_deltas') d),
  '[0]'::jsonb, 'step_deltas: only steps present in both (step 0)');
SET LOCAL costsim.drift_warning_threshold = 0.10;
SELECT is(
  (SELECT c->>'verdict'
     FROM (SELECT costsim.compare(
        '{"estimated_cost_cents":100,"estimated_duration_ms":1000,"feasible":true,"status":"feasible","step_estimates":[]}',
        '{"estimated_cost_cents":125,"estimated_duration_ms":900,"feasible":true,"status":"success","step_estimates":[],
          "model_version":"x","confidence_score":0.5}') AS c) x),
  'major_drift', 'compare uses costsim.drift_warning_threshold (0.10: 0.15 is major_drift)');
RESET costsim.drift_warning_threshold;

SELECT throws_ok($$SELECT costsim.compare('{"feasible":true}'::jsonb, v2) FROM kv$$, '22023', NULL,
                 'compare: v1 without estimated_cost_cents -> 22023');
SELECT throws_ok($$SELECT costsim.compare(v1, '{"estimated_cost_cents":"10","feasible":true}'::jsonb) FROM kv$$, '22023', NULL,
                 'compare: non-numeric estimated_cost_cents -> 22023');
SELECT throws_ok($$SELECT costsim.compare('{"estimated_cost_cents":10,"feasible":"yes"}'::jsonb, v2) FROM kv$$, '22023', NULL,
                 'compare: non-boolean feasible -> 22023');
SELECT throws_ok($$SELECT costsim.compare(v1, '{"estimated_cost_cents":10}'::jsonb) FROM kv$$, '22023', NULL,
                 'compare: v2 without feasible -> 22023');

SELECT * FROM finish();
ROLLBACK;
