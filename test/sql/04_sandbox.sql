-- Sandbox routing (spec section 5): costsim.simulate always answers with V1; with costsim.v2_sandbox on,
-- V2 runs in shadow on a deterministic sample and one provenance row is written per shadowed call.
BEGIN;
-- The breaker (test/sql/14_breaker.sql) watches every comparison, cluster-wide; these tests make drift and V2
-- errors on purpose, so its automatic rules are off here.
SET LOCAL costsim.cb_auto_trip = off;
SELECT plan(58);

CREATE FUNCTION pg_temp.prov(rid text) RETURNS SETOF costsim.provenance
LANGUAGE sql AS $$ SELECT * FROM costsim.provenance WHERE run_id = rid $$;
CREATE FUNCTION pg_temp.sha(t text) RETURNS text
LANGUAGE sql AS $$ SELECT encode(sha256(convert_to(t, 'UTF8')), 'hex') $$;

-- the documented provenance columns are all there
SELECT is(
  ARRAY(SELECT c FROM unnest(ARRAY['id','created_at','tenant_id','run_id','source','status','error','input','budget_cents',
          'allowed_skills','input_hash','v1_model_version','v2_model_version','v1_output_hash','v2_output_hash',
          'v1_cost_cents','v2_cost_cents','v1_duration_ms','v2_duration_ms','v1_feasible','v2_feasible','v1_status',
          'v2_status','v2_confidence','drift_score','verdict','v1_runtime_us','v2_runtime_us']) c
        EXCEPT SELECT attname::text FROM pg_attribute
                WHERE attrelid = 'costsim.provenance'::regclass AND attnum > 0 AND NOT attisdropped),
  ARRAY[]::text[], 'costsim.provenance has every documented column');

-------------------------------------------------------------------------------------------------------------
-- 200 random plans (deterministic: setseed). Skills from the table plus unknown ones; iterations 1..100;
-- random prompts, timeouts, URLs, commands; random budgets and allowed lists (NULL, {} or a random subset).
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE rp (i int PRIMARY KEY, plan jsonb NOT NULL, budget int NOT NULL, allowed text[]);
DO $$ BEGIN PERFORM setseed(0.20261122); END $$;
DO $$
DECLARE
  skills text[] := ARRAY['http_call','llm_invoke','json_transform','fs_read','fs_write','shell_lite','kv_get',
                         'kv_set','webhook_send','email_send','mystery_tool','unknown','Kv_Get','vector_search'];
  urls text[] := ARRAY['http://localhost:8080/a','http://127.0.0.1/b','https://api.example.com/c','http://example.org/'];
  steps jsonb; step jsonb; params jsonb; allowed text[]; n int;
BEGIN
  FOR i IN 1..200 LOOP
    steps := '[]';
    n := 1 + floor(random() * 7)::int;
    FOR j IN 1..n LOOP
      params := '{}';
      IF random() < 0.5 THEN
        params := params || jsonb_build_object('prompt',
                    CASE WHEN random() < 0.8 THEN repeat('p', floor(random() * 9000)::int)
                         ELSE repeat('ж', floor(random() * 6000)::int) END);
      END IF;
      IF random() < 0.4 THEN params := params || jsonb_build_object('timeout', round((random() * 3)::numeric, 3)); END IF;
      IF random() < 0.4 THEN params := params || jsonb_build_object('url', urls[1 + floor(random() * 4)::int]); END IF;
      IF random() < 0.3 THEN params := params || jsonb_build_object('command', repeat('c', floor(random() * 200)::int)); END IF;
      step := jsonb_build_object('skill', skills[1 + floor(random() * array_length(skills, 1))::int],
                                 'iterations', CASE WHEN random() < 0.7 THEN 1 + floor(random() * 3)::int
                                                    ELSE 1 + floor(random() * 100)::int END);
      IF random() < 0.8 THEN step := step || jsonb_build_object('params', params); END IF;
      IF random() < 0.1 THEN step := step - 'iterations'; END IF;
      IF random() < 0.05 THEN step := step - 'skill'; END IF;
      steps := steps || jsonb_build_array(step);
    END LOOP;
    allowed := CASE floor(random() * 4)::int
                 WHEN 0 THEN NULL
                 WHEN 1 THEN '{}'::text[]
                 ELSE (SELECT coalesce(array_agg(s), '{}') FROM unnest(skills) s WHERE random() < 0.7) END;
    INSERT INTO rp VALUES (i, steps, floor(random() * 300)::int, allowed);
  END LOOP;
END $$;
SELECT is((SELECT count(*) FROM rp), 200::bigint, '200 random plans generated');
SELECT ok((SELECT count(DISTINCT v1->>'status') >= 3 FROM (SELECT costsim.simulate_v1(plan, budget, allowed) v1 FROM rp) x),
          'the random plans reach at least three different V1 statuses');

CREATE TEMP TABLE prov_count AS SELECT count(*) AS n FROM costsim.provenance;

-------------------------------------------------------------------------------------------------------------
-- 1. Flag off (the default): simulate is exactly simulate_v1 and writes nothing.
-------------------------------------------------------------------------------------------------------------
SELECT is(current_setting('costsim.v2_sandbox'), 'off', 'costsim.v2_sandbox is off by default');
SELECT is(
  (SELECT count(*) FROM rp WHERE costsim.simulate(plan, budget, allowed, 'off-' || i) IS DISTINCT FROM costsim.simulate_v1(plan, budget, allowed)),
  0::bigint, 'flag off: simulate = simulate_v1 for all 200 random plans (whole jsonb)');
SELECT is(costsim.simulate('[]'::jsonb), costsim.simulate_v1('[]'::jsonb), 'flag off: empty plan too');
SELECT is((SELECT count(*) FROM costsim.provenance), (SELECT n FROM prov_count), 'flag off: no provenance row written');

-------------------------------------------------------------------------------------------------------------
-- 2. Flag on, sample rate 1: same answers, one row per call with the right columns.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
CREATE TEMP TABLE ron AS
  SELECT i, costsim.simulate(plan, budget, allowed, 'rand-' || i) AS r,
         costsim.simulate_v1(plan, budget, allowed) AS v1,
         costsim.simulate_v2(plan, budget, allowed) AS v2
    FROM rp;
SELECT is((SELECT count(*) FROM ron WHERE r IS DISTINCT FROM v1), 0::bigint,
          'flag on: simulate = simulate_v1 for all 200 random plans (whole jsonb)');
SELECT is((SELECT count(*) FROM costsim.provenance), (SELECT n + 200 FROM prov_count),
          'flag on, rate 1: exactly 200 new provenance rows');
SELECT is((SELECT count(*) FROM ron WHERE (SELECT count(*) FROM pg_temp.prov('rand-' || i)) <> 1), 0::bigint,
          'flag on, rate 1: exactly one row per call (run_id stored)');

CREATE TEMP TABLE joined AS
  SELECT ron.i, rp.plan, rp.budget, rp.allowed, ron.v1, ron.v2, p.*
    FROM ron JOIN rp USING (i) JOIN costsim.provenance p ON p.run_id = 'rand-' || ron.i;
SELECT is((SELECT count(DISTINCT i) FROM joined), 200::bigint, 'every random call has its provenance row (guard for the checks below)');

SELECT is((SELECT count(*) FROM joined
            WHERE NOT (v1_cost_cents::float8 = (v1->>'estimated_cost_cents')::float8
                   AND v1_duration_ms::float8 = (v1->>'estimated_duration_ms')::float8
                   AND v1_feasible = (v1->>'feasible')::boolean
                   AND v1_status = v1->>'status'
                   AND v1_model_version = '1.0.0')),
          0::bigint, 'provenance v1_* columns equal the V1 result');
SELECT is((SELECT count(*) FROM joined
            WHERE NOT (v2_cost_cents::float8 = (v2->>'estimated_cost_cents')::float8
                   AND v2_duration_ms::float8 = (v2->>'estimated_duration_ms')::float8
                   AND v2_feasible = (v2->>'feasible')::boolean
                   AND v2_status = v2->>'status'
                   AND v2_confidence::float8 = (v2->>'confidence_score')::float8
                   AND v2_model_version = '2.0.0')),
          0::bigint, 'provenance v2_* columns equal simulate_v2''s result');
SELECT is((SELECT count(*) FROM joined j,
                  costsim.classify_drift((j.v1->>'estimated_cost_cents')::bigint, (j.v2->>'estimated_cost_cents')::bigint,
                                         (j.v1->>'feasible')::boolean, (j.v2->>'feasible')::boolean) d
            WHERE j.drift_score::float8 IS DISTINCT FROM d.drift_score OR j.verdict IS DISTINCT FROM d.verdict),
          0::bigint, 'provenance drift_score / verdict equal classify_drift of the two results');
SELECT is((SELECT count(*) FROM joined
            WHERE NOT (to_jsonb(input) = plan AND budget_cents::bigint = budget
                   AND coalesce(nullif(to_jsonb(allowed_skills), '[]'), 'null') = coalesce(nullif(to_jsonb(allowed), '[]'), 'null')
                   AND source = 'simulate' AND status = 'ok' AND error IS NULL AND tenant_id = 'default'
                   AND created_at IS NOT NULL)),
          0::bigint, 'provenance input, budget, allowed list, source simulate, status ok, tenant default');
SELECT is((SELECT count(*) FROM joined
            WHERE NOT (v1_output_hash ~ '^[0-9a-f]{64}$' AND v2_output_hash ~ '^[0-9a-f]{64}$' AND input_hash ~ '^[0-9a-f]{64}$'
                   AND v1_runtime_us >= 0 AND v2_runtime_us >= 0)),
          0::bigint, 'hashes are 64 hex digits, runtimes are non-negative');
SELECT is((SELECT count(*) FROM joined
            WHERE v1_output_hash IS DISTINCT FROM costsim.compare(v1, v2)->'v1'->>'output_hash'
               OR v2_output_hash IS DISTINCT FROM costsim.compare(v1, v2)->'v2'->>'output_hash'),
          0::bigint, 'provenance output hashes agree with compare()''s');
SELECT is((SELECT count(DISTINCT input_hash) FROM joined), (SELECT count(DISTINCT (plan, budget, coalesce(allowed, '{}'))) FROM rp),
          'one input hash per distinct input');

-------------------------------------------------------------------------------------------------------------
-- 3. input_hash = SHA-256 of RFC 8785 canonical JSON of {"allowed_skills", "budget_cents", "plan"}, by hand.
-------------------------------------------------------------------------------------------------------------
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, 'h1'),
                         costsim.simulate('[{"skill":"kv_get"}]'::jsonb, 1000, '{}', 'h2'),
                         costsim.simulate('[{"skill":"http_call","params":{"url":"http://x/é","timeout":2.50,"b":1,"a":2,"B":3,"aa":4},"iterations":2},{"skill":"llm_invoke","params":{"prompt":"a\"b\nc","n":1E2}}]'::jsonb,
                                          50, ARRAY['kv_get','http_call'], 'h3'),
                         costsim.simulate('[{"skill":"kv_get","params":{"x":0.000001,"y":1e21,"z":-0.0,"w":10.50e1}}]'::jsonb, 0, NULL, 'h4'),
                         costsim.simulate('[{"skill":"kv_get","params":{"c":"\u001f\t/","n1":1e-7,"n2":123456789012345678901234,"n3":-1.5E-10,"n4":5e-324,"ﬁ":1,"😀":2}}]'::jsonb, 1000, NULL, 'h5')$$,
                'five simple calls for the hand-written hashes');
SELECT is((SELECT input_hash FROM pg_temp.prov('h1')),
          pg_temp.sha('{"allowed_skills":null,"budget_cents":1000,"plan":[{"skill":"kv_get"}]}'),
          'input_hash of [{"skill":"kv_get"}], 1000, NULL');
SELECT is((SELECT input_hash FROM pg_temp.prov('h2')),
          pg_temp.sha('{"allowed_skills":null,"budget_cents":1000,"plan":[{"skill":"kv_get"}]}'),
          'an empty allowed list hashes like NULL');
-- keys sorted by UTF-16 code units ("B" < "a" < "aa" < "b"; jsonb itself orders "aa" after "b"),
-- 2.50 -> 2.5, 1E2 -> 100, non-ASCII kept, \" and \n escaped, arrays in their order
SELECT is((SELECT input_hash FROM pg_temp.prov('h3')),
          pg_temp.sha('{"allowed_skills":["kv_get","http_call"],"budget_cents":50,"plan":[{"iterations":2,"params":{"B":3,"a":2,"aa":4,"b":1,"timeout":2.5,"url":"http://x/é"},"skill":"http_call"},{"params":{"n":100,"prompt":"a\"b\nc"},"skill":"llm_invoke"}]}'),
          'input_hash: keys sorted, numbers normalised, strings escaped (RFC 8785)');
-- ECMAScript number forms: 0.000001 stays fixed, 1e21 -> 1e+21, -0 -> 0, 10.50e1 -> 105
SELECT is((SELECT input_hash FROM pg_temp.prov('h4')),
          pg_temp.sha('{"allowed_skills":null,"budget_cents":0,"plan":[{"params":{"w":105,"x":0.000001,"y":1e+21,"z":0},"skill":"kv_get"}]}'),
          'input_hash: RFC 8785 number serialisation');
-- keys sorted by UTF-16 code units: U+1F600 (D83D DE00) sorts before U+FB01 (in code point or UTF-8 order it is after);
-- U+001F is written \u001f, tab \t, "/" unescaped; 1e-7, 1.2345678901234569e+23 (the nearest shortest form of
-- 123456789012345685803008), -1.5e-10, 5e-324
SELECT is((SELECT input_hash FROM pg_temp.prov('h5')),
          pg_temp.sha('{"allowed_skills":null,"budget_cents":1000,"plan":[{"params":{"c":"\u001f\t/","n1":1e-7,"n2":1.2345678901234569e+23,"n3":-1.5e-10,"n4":5e-324,"😀":2,"ﬁ":1},"skill":"kv_get"}]}'),
          'input_hash: UTF-16 key order, control-character escapes, exponent forms (RFC 8785)');
SELECT is((SELECT jsonb_build_array(v1_output_hash, v2_output_hash, v1_cost_cents::float8, v2_cost_cents::float8, drift_score::float8, verdict)
             FROM pg_temp.prov('h1')),
          jsonb_build_array(
            pg_temp.sha('{"estimated_cost_cents":0,"estimated_duration_ms":5,"feasible":true,"status":"feasible","step_estimates":'
                        || '[{"base_cost_cents":0,"base_latency_ms":5,"cost_cents":0,"iterations":1,"latency_ms":5,'
                        || '"risk_probability":0.020000000000000018,"risk_type":"not_found","skill_id":"kv_get","step_index":0}]}'),
            pg_temp.sha('{"estimated_cost_cents":0,"estimated_duration_ms":3,"feasible":true,"status":"success","step_estimates":'
                        || '[{"base_cost_cents":0,"base_latency_ms":3,"confidence":0.97,"cost_cents":0,"iterations":1,"latency_ms":3,'
                        || '"risk_probability":0.01,"risk_type":"not_found","skill_id":"kv_get","step_index":0}]}'),
            0, 0, 0, 'match'),
          'kv_get row: hand-written output hashes, costs 0 / 0, drift 0, match');

-------------------------------------------------------------------------------------------------------------
-- 4. Sampling: decided from the first 64 bits of input_hash (fraction of 2^64 < rate).
--    rate 0.25 <=> first hex digit 0-3; rate 0.5 <=> first hex digit 0-7.
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE hashes AS SELECT i, input_hash FROM joined;
SET LOCAL costsim.v2_sample_rate = 0;
SELECT is((SELECT count(*) FROM rp WHERE costsim.simulate(plan, budget, allowed, 'z-' || i) IS DISTINCT FROM costsim.simulate_v1(plan, budget, allowed)),
          0::bigint, 'rate 0: simulate = simulate_v1');
SELECT is((SELECT count(*) FROM costsim.provenance WHERE run_id LIKE 'z-%'), 0::bigint, 'rate 0: no provenance row');
SET LOCAL costsim.v2_sample_rate = 0.25;
SELECT is((SELECT count(*) FROM rp WHERE costsim.simulate(plan, budget, allowed, 'q-' || i) IS DISTINCT FROM costsim.simulate_v1(plan, budget, allowed)),
          0::bigint, 'rate 0.25: simulate = simulate_v1');
SELECT is((SELECT count(*) FROM hashes h
            WHERE EXISTS (SELECT 1 FROM pg_temp.prov('q-' || h.i)) <> (substr(h.input_hash, 1, 1) IN ('0','1','2','3'))),
          0::bigint, 'rate 0.25: sampled exactly when the hash''s first 64 bits / 2^64 < 0.25');
SET LOCAL costsim.v2_sample_rate = 0.5;
SELECT lives_ok($$SELECT count(costsim.simulate(plan, budget, allowed, 'a-' || i)) FROM rp$$, 'rate 0.5: first pass');
SELECT lives_ok($$SELECT count(costsim.simulate(plan, budget, allowed, 'b-' || i)) FROM rp$$, 'rate 0.5: second pass');
SELECT is((SELECT count(*) FROM hashes h
            WHERE EXISTS (SELECT 1 FROM pg_temp.prov('a-' || h.i)) <> EXISTS (SELECT 1 FROM pg_temp.prov('b-' || h.i))),
          0::bigint, 'the same input is sampled the same way every time');
SELECT is((SELECT count(*) FROM hashes h
            WHERE EXISTS (SELECT 1 FROM pg_temp.prov('a-' || h.i)) <> (substr(h.input_hash, 1, 1) < '8')),
          0::bigint, 'rate 0.5: sampled exactly when the first hex digit is 0-7');
SELECT ok((SELECT count(*) BETWEEN 60 AND 140 FROM costsim.provenance WHERE run_id LIKE 'a-%'),
          'rate 0.5 samples about half of 200 inputs');
SET LOCAL costsim.v2_sample_rate = 1;

-- the verdict stored follows the drift GUCs: llm_invoke "hi": V1 5, V2 round(3.5064) = 4 -> 0.6 x 1/5 = 0.12:
-- minor_drift by default, major_drift with drift_warning_threshold 0.10
SET LOCAL costsim.drift_warning_threshold = 0.10;
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"llm_invoke","params":{"prompt":"hi"}}]'::jsonb, 1000, NULL, 'guc-1')$$, 'a call under changed thresholds');
RESET costsim.drift_warning_threshold;
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"llm_invoke","params":{"prompt":"hi"}}]'::jsonb, 1000, NULL, 'guc-2')$$, 'the same call under the defaults');
SELECT is((SELECT jsonb_agg(jsonb_build_array(round(drift_score::numeric, 9), verdict) ORDER BY run_id) FROM costsim.provenance WHERE run_id IN ('guc-1', 'guc-2')),
          '[[0.12, "major_drift"], [0.12, "minor_drift"]]'::jsonb, 'the stored verdict uses costsim.drift_warning_threshold');

-------------------------------------------------------------------------------------------------------------
-- 5. A V2 failure never changes the answer: provenance status error with a message.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.v2_model_version = 'no-such-model';
SELECT is(costsim.simulate('[{"skill":"llm_invoke","iterations":3}]'::jsonb, 1000, NULL, 'fail-1'),
          costsim.simulate_v1('[{"skill":"llm_invoke","iterations":3}]'::jsonb, 1000, NULL),
          'V2 failing (unknown model): simulate still returns V1''s answer');
SELECT is((SELECT jsonb_build_array(status, source, v1_cost_cents::float8, v1_status, v1_feasible) FROM pg_temp.prov('fail-1')),
          '["error", "simulate", 15, "feasible", true]'::jsonb, 'V2 failure: a row with status error and V1''s columns');
SELECT ok((SELECT error LIKE '%no-such-model%' FROM pg_temp.prov('fail-1')), 'V2 failure: the row carries the error message');
SELECT is((SELECT count(*) FROM rp WHERE i <= 20 AND costsim.simulate(plan, budget, allowed, 'fail-r' || i) IS DISTINCT FROM costsim.simulate_v1(plan, budget, allowed)),
          0::bigint, 'V2 failing: 20 random plans still answer exactly V1');
SELECT is((SELECT count(*) FROM costsim.provenance WHERE run_id LIKE 'fail-r%' AND status = 'error'), 20::bigint,
          'V2 failing: 20 error rows');
RESET costsim.v2_model_version;
-- an error anywhere on the shadow path, here the provenance write in a read-only (sub)transaction, does not
-- abort the production answer (docs/sql.md: "any error on the shadow path")
SAVEPOINT read_only;
SET LOCAL transaction_read_only = on;
SELECT is(costsim.simulate('[{"skill":"llm_invoke","iterations":3}]'::jsonb, 1000, NULL, 'ro-1'),
          costsim.simulate_v1('[{"skill":"llm_invoke","iterations":3}]'::jsonb, 1000, NULL),
          'in a read-only transaction simulate still answers V1');
ROLLBACK TO SAVEPOINT read_only;

-------------------------------------------------------------------------------------------------------------
-- 6. Tenant: request.jwt.claims' tenant_id, else costsim.tenant_id, else 'default'.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.tenant_id = 't1';
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, 'ten-1')$$, 'call as tenant t1');
SELECT is((SELECT tenant_id FROM pg_temp.prov('ten-1')), 't1', 'tenant from costsim.tenant_id');
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '{"tenant_id":"t2","role":"costsim_backend"}', true); END $$;
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, 'ten-2')$$, 'call with JWT claims');
SELECT is((SELECT tenant_id FROM pg_temp.prov('ten-2')), 't2', 'tenant from request.jwt.claims (wins over costsim.tenant_id)');
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '{"role":"costsim_backend"}', true); END $$;
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, 'ten-3')$$, 'call with claims lacking tenant_id');
SELECT is((SELECT tenant_id FROM pg_temp.prov('ten-3')), 't1', 'claims without tenant_id: costsim.tenant_id');
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '', true); END $$;
SET LOCAL costsim.tenant_id = '';
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, 'ten-4')$$, 'call with no tenant');
SELECT is((SELECT tenant_id FROM pg_temp.prov('ten-4')), 'default', 'no claim, no setting: tenant default');

-------------------------------------------------------------------------------------------------------------
-- 7. simulate_with_comparison: {result, comparison, provenance_id}; 55000 with the flag off.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.v2_sample_rate = 0;   -- simulate_with_comparison is not sampled
CREATE TEMP TABLE swc AS
  SELECT costsim.simulate_with_comparison('[{"skill":"llm_invoke","iterations":3}]'::jsonb, 1000, NULL) AS r;
SELECT is((SELECT array_agg(k ORDER BY k) FROM swc, jsonb_object_keys(r) k), ARRAY['comparison','provenance_id','result'],
          'simulate_with_comparison keys: result, comparison, provenance_id');
SELECT is((SELECT (r->'result') - 'runtime_us' FROM swc),
          costsim.simulate_v2('[{"skill":"llm_invoke","iterations":3}]'::jsonb, 1000, NULL) - 'runtime_us',
          'result is simulate_v2''s result');
SELECT is((SELECT r->'comparison' FROM swc),
          costsim.compare(costsim.simulate_v1('[{"skill":"llm_invoke","iterations":3}]'::jsonb, 1000, NULL),
                          costsim.simulate_v2('[{"skill":"llm_invoke","iterations":3}]'::jsonb, 1000, NULL)),
          'comparison is compare(V1, V2)');
-- llm_invoke x3: V1 15, V2 10 -> 0.6 x 5/15 = 0.2, major_drift
SELECT is((SELECT jsonb_build_array(p.source, p.status, p.v1_cost_cents::float8, p.v2_cost_cents::float8, p.drift_score::float8, p.verdict)
             FROM swc JOIN costsim.provenance p ON p.id::text = swc.r->>'provenance_id'),
          '["simulate_with_comparison", "ok", 15, 10, 0.2, "major_drift"]'::jsonb,
          'provenance_id names its row (source simulate_with_comparison, recorded although the rate is 0)');
SET LOCAL costsim.v2_model_version = 'no-such-model';
SELECT throws_ok($$SELECT costsim.simulate_with_comparison('[{"skill":"kv_get"}]'::jsonb, 1000, NULL)$$,
                 '22023', NULL, 'simulate_with_comparison: V2''s errors are its errors (unknown model -> 22023)');
RESET costsim.v2_model_version;
SELECT is((SELECT count(*) FROM costsim.provenance WHERE source = 'simulate_with_comparison'), 1::bigint,
          'the failed simulate_with_comparison left no row behind');
SET LOCAL costsim.v2_sandbox = off;
SELECT throws_ok($$SELECT costsim.simulate_with_comparison('[{"skill":"kv_get"}]'::jsonb)$$,
                 '55000', 'V2 sandbox is disabled', 'simulate_with_comparison with the flag off: 55000');

SELECT * FROM finish();
ROLLBACK;
