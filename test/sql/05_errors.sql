-- Bad input (spec section 1, docs/sql.md "Input rules and errors"): SQLSTATE 22023 with a message naming
-- the step and field, 54000 for oversized plans; counted in costsim_schema_errors_total; no row left behind;
-- the session stays usable.
BEGIN;
-- The breaker (test/sql/14_breaker.sql) watches every comparison, cluster-wide; its automatic rules are off
-- here, so that these tests see the sandbox path whatever ran before them.
SET LOCAL costsim.cb_auto_trip = off;
SELECT plan(64);

-- Runs q, expects SQLSTATE state and message msg (exact, or a LIKE pattern when it contains '%').
-- Every call rejected with 22023 or 54000 is recorded in "rejected", to check the metric's delta at the end.
CREATE TEMP TABLE rejected (q text);
CREATE FUNCTION pg_temp.rejects(q text, state text, msg text, descr text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  st text; m text;
BEGIN
  BEGIN
    EXECUTE q;
  EXCEPTION WHEN OTHERS THEN
    st := SQLSTATE; m := SQLERRM;
  END;
  IF st IN ('22023', '54000') THEN INSERT INTO rejected VALUES (q); END IF;
  IF st IS NULL THEN
    RETURN ok(false, descr) || E'\n' || diag('    no error raised; wanted ' || state || ': ' || coalesce(msg, '(any)'));
  END IF;
  IF st = state AND (msg IS NULL OR m = msg OR (strpos(msg, '%') > 0 AND m LIKE msg)) THEN
    RETURN ok(true, descr);
  END IF;
  RETURN ok(false, descr) || E'\n' || diag('    caught: ' || st || ': ' || m || E'\n    wanted: ' || state || ': ' || coalesce(msg, '(any)'));
END $$;

-- a plan whose steps 0..2 are valid and whose step 3 is the given text
CREATE FUNCTION pg_temp.p3(step3 text) RETURNS text LANGUAGE sql AS $$
  SELECT quote_literal('[{"skill":"kv_get"},{"skill":"http_call","params":{"timeout":1}},{"skill":"llm_invoke","iterations":2},'
                       || step3 || ']') || '::jsonb'
$$;

SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
CREATE TEMP TABLE b0 AS
  SELECT (SELECT count(*) FROM costsim.provenance) AS prov,
         (SELECT coalesce(sum(value), 0) FROM costsim.metrics WHERE name = 'costsim_schema_errors_total') AS schema_errors;

-------------------------------------------------------------------------------------------------------------
-- 1. simulate_v1, one rule at a time.
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('{}'::jsonb)$$, '22023', 'plan: must be a JSON array', 'plan {} -> must be a JSON array');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('"x"'::jsonb)$$, '22023', 'plan: must be a JSON array', 'plan "x" -> must be a JSON array');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('5'::jsonb)$$, '22023', 'plan: must be a JSON array', 'plan 5 -> must be a JSON array');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('null'::jsonb)$$, '22023', 'plan: must %', 'plan JSON null -> 22023 naming plan');

SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('5') || ')', '22023', 'plan[3]: must be an object', 'step 5 -> plan[3]: must be an object');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('"kv_get"') || ')', '22023', 'plan[3]: must be an object', 'step "kv_get" -> must be an object');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('[]') || ')', '22023', 'plan[3]: must be an object', 'step [] -> must be an object');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('null') || ')', '22023', 'plan[3]: must be an object', 'step null -> must be an object');

SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":1}') || ')', '22023', 'plan[3].skill: must be a string', 'skill 1 -> must be a string');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":{"a":1}}') || ')', '22023', 'plan[3].skill: must be a string', 'skill {} -> must be a string');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":true}') || ')', '22023', 'plan[3].skill: must be a string', 'skill true -> must be a string');

SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","params":[]}') || ')', '22023', 'plan[3].params: must be an object', 'params [] -> must be an object');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","params":"x"}') || ')', '22023', 'plan[3].params: must be an object', 'params "x" -> must be an object');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","params":5}') || ')', '22023', 'plan[3].params: must be an object', 'params 5 -> must be an object');

SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","iterations":0}') || ')', '22023', 'plan[3].iterations: must be an integer between 1 and 100', 'iterations 0');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","iterations":101}') || ')', '22023', 'plan[3].iterations: must be an integer between 1 and 100', 'iterations 101');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","iterations":-1}') || ')', '22023', 'plan[3].iterations: must be an integer between 1 and 100', 'iterations -1');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","iterations":1.5}') || ')', '22023', 'plan[3].iterations: must be an integer between 1 and 100', 'iterations 1.5');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","iterations":"2"}') || ')', '22023', 'plan[3].iterations: must be an integer between 1 and 100', 'iterations "2"');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","iterations":true}') || ')', '22023', 'plan[3].iterations: must be an integer between 1 and 100', 'iterations true');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","iterations":1e400}') || ')', '22023', 'plan[3].iterations: %', 'iterations 1e400 -> 22023 naming plan[3].iterations');

SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"http_call","params":{"timeout":-1}}') || ')', '22023', 'plan[3].params.timeout: must not be negative', 'timeout -1');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"http_call","params":{"timeout":-0.001}}') || ')', '22023', 'plan[3].params.timeout: must not be negative', 'timeout -0.001');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","params":{"x":1e400}}') || ')', '22023', 'plan[3].params.x: number out of range', 'params.x 1e400 -> number out of range');
SELECT pg_temp.rejects('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"http_call","params":{"timeout":-1e400}}') || ')', '22023', 'plan[3].params.timeout: %', 'timeout -1e400 -> 22023 naming plan[3].params.timeout');

SELECT pg_temp.rejects($$SELECT costsim.simulate_v1(NULL::jsonb)$$, '22023', 'plan: must not be NULL', 'plan NULL');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('[]'::jsonb, NULL)$$, '22023', 'budget_cents%', 'budget_cents NULL -> 22023 naming budget_cents');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('[]'::jsonb, -1)$$, '22023', 'budget_cents: must be >= 0', 'budget_cents -1');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, NULL)$$, '22023', '%risk_threshold%', 'risk_threshold NULL');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, 1.5)$$, '22023', '%risk_threshold%', 'risk_threshold 1.5');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, -0.1)$$, '22023', '%risk_threshold%', 'risk_threshold -0.1');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, 'NaN')$$, '22023', '%risk_threshold%', 'risk_threshold NaN');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb, 1000, ARRAY['kv_get', NULL])$$, '22023', '%allowed_skills%', 'allowed_skills with a NULL element');

-- oversize with the defaults: 1000 steps, 1 MiB
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1((SELECT jsonb_agg('{"skill":"kv_get"}'::jsonb) FROM generate_series(1, 1001)))$$,
                       '54000', NULL, '1001 steps > max_plan_steps 1000 -> 54000');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1(jsonb_build_array(jsonb_build_object('skill','llm_invoke','params',jsonb_build_object('prompt', repeat('x', 1100000)))))$$,
                       '54000', NULL, 'a 1.1 MB plan > max_plan_bytes 1MB -> 54000');

-- valid boundaries (not errors)
SELECT lives_ok('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","iterations":1}') || ')', 'iterations 1 is valid');
SELECT lives_ok('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"kv_get","iterations":100}') || ')', 'iterations 100 is valid');
SELECT lives_ok('SELECT costsim.simulate_v1(' || pg_temp.p3('{"skill":"http_call","params":{"timeout":0}}') || ')', 'timeout 0 is valid');
SELECT lives_ok($$SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb, 0, NULL, 0), costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb, 0, NULL, 1)$$,
                'budget 0, risk_threshold 0 and 1 are valid');
SELECT lives_ok($$SELECT costsim.simulate_v1((SELECT jsonb_agg('{"skill":"kv_get"}'::jsonb) FROM generate_series(1, 1000)))$$, '1000 steps are valid');
SELECT lives_ok($$SELECT costsim.simulate_v1(jsonb_build_array(jsonb_build_object('skill','llm_invoke','params',jsonb_build_object('prompt', repeat('x', 1000000)))))$$,
                'a 1,000,000-char prompt fits in 1 MiB');

-------------------------------------------------------------------------------------------------------------
-- 2. The same rules on simulate_v2, simulate (sandbox on) and simulate_with_comparison.
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.rejects('SELECT costsim.simulate_v2(' || pg_temp.p3('{"skill":"kv_get","iterations":0}') || ')', '22023', 'plan[3].iterations: must be an integer between 1 and 100', 'simulate_v2: iterations 0');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v2('[]'::jsonb, -1)$$, '22023', 'budget_cents: must be >= 0', 'simulate_v2: budget -1');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v2('{}'::jsonb)$$, '22023', 'plan: must be a JSON array', 'simulate_v2: plan {}');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v2(NULL::jsonb)$$, '22023', 'plan: must not be NULL', 'simulate_v2: plan NULL');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v2('[{"skill":"kv_get"}]'::jsonb, 1000, ARRAY[NULL::text])$$, '22023', '%allowed_skills%', 'simulate_v2: NULL allowed skill');
SELECT pg_temp.rejects('SELECT costsim.simulate(' || pg_temp.p3('{"skill":1}') || ')', '22023', 'plan[3].skill: must be a string', 'simulate (sandbox on): skill 1');
SELECT pg_temp.rejects('SELECT costsim.simulate(' || pg_temp.p3('{"skill":"http_call","params":{"timeout":-1}}') || ')', '22023', 'plan[3].params.timeout: must not be negative', 'simulate (sandbox on): timeout -1');
SELECT pg_temp.rejects($$SELECT costsim.simulate(NULL::jsonb)$$, '22023', 'plan: must not be NULL', 'simulate (sandbox on): plan NULL');
SELECT pg_temp.rejects($$SELECT costsim.simulate('[]'::jsonb, -5)$$, '22023', 'budget_cents: must be >= 0', 'simulate (sandbox on): budget -5');
SELECT pg_temp.rejects($$SELECT costsim.simulate((SELECT jsonb_agg('{"skill":"kv_get"}'::jsonb) FROM generate_series(1, 1001)))$$, '54000', NULL, 'simulate (sandbox on): 1001 steps');
SELECT pg_temp.rejects('SELECT costsim.simulate_with_comparison(' || pg_temp.p3('{"skill":"kv_get","iterations":101}') || ')', '22023', 'plan[3].iterations: must be an integer between 1 and 100', 'simulate_with_comparison: iterations 101');
SELECT pg_temp.rejects('SELECT costsim.simulate_with_comparison(' || pg_temp.p3('{"skill":"kv_get","params":[1]}') || ')', '22023', 'plan[3].params: must be an object', 'simulate_with_comparison: params [1]');

-------------------------------------------------------------------------------------------------------------
-- 3. Limits from the GUCs.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.max_plan_steps = 3;
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1('[{"skill":"a"},{"skill":"b"},{"skill":"c"},{"skill":"d"}]'::jsonb)$$, '54000', NULL, 'max_plan_steps 3: 4 steps -> 54000');
SELECT pg_temp.rejects($$SELECT costsim.simulate_v2('[{"skill":"a"},{"skill":"b"},{"skill":"c"},{"skill":"d"}]'::jsonb)$$, '54000', NULL, 'max_plan_steps 3: simulate_v2 too');
SELECT pg_temp.rejects($$SELECT costsim.simulate('[{"skill":"a"},{"skill":"b"},{"skill":"c"},{"skill":"d"}]'::jsonb)$$, '54000', NULL, 'max_plan_steps 3: simulate too');
SELECT lives_ok($$SELECT costsim.simulate_v1('[{"skill":"a"},{"skill":"b"},{"skill":"c"}]'::jsonb)$$, 'max_plan_steps 3: 3 steps are fine');
RESET costsim.max_plan_steps;
SET LOCAL costsim.max_plan_bytes = '1kB';
SELECT pg_temp.rejects($$SELECT costsim.simulate_v1(jsonb_build_array(jsonb_build_object('skill','llm_invoke','params',jsonb_build_object('prompt', repeat('x', 2000)))))$$,
                       '54000', NULL, 'max_plan_bytes 1kB: a 2000-char prompt -> 54000');
SELECT pg_temp.rejects($$SELECT costsim.simulate(jsonb_build_array(jsonb_build_object('skill','llm_invoke','params',jsonb_build_object('prompt', repeat('x', 2000)))))$$,
                       '54000', NULL, 'max_plan_bytes 1kB: simulate too');
SELECT lives_ok($$SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb)$$, 'max_plan_bytes 1kB: a small plan is fine');
RESET costsim.max_plan_bytes;

-------------------------------------------------------------------------------------------------------------
-- 4. Afterwards: the session works, nothing was left behind, the metric counted every rejection once.
-------------------------------------------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM rejected), 52::bigint, 'all 52 bad calls above were rejected with 22023 / 54000');
SELECT is((SELECT count(*) FROM costsim.provenance), (SELECT prov FROM b0),
          'no provenance row left behind by any rejected call (sandbox on)');
SELECT is((SELECT coalesce(sum(value), 0) FROM costsim.metrics WHERE name = 'costsim_schema_errors_total') - (SELECT schema_errors FROM b0),
          (SELECT count(*)::float8 FROM rejected),
          'costsim_schema_errors_total grew by exactly the number of rejected calls');
SELECT is(costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb)->>'status', 'feasible', 'the session still works');

SELECT * FROM finish();
ROLLBACK;
