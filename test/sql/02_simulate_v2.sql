-- costsim.simulate_v2: the candidate simulator (spec section 3), coefficients as data.
-- Expected values are computed by hand from the spec's coefficient table and rules; floats are compared
-- after rounding to a few decimals where the spec does not round them itself.
BEGIN;
SELECT plan(51);

CREATE FUNCTION pg_temp.v2(p jsonb, b integer DEFAULT 1000, a text[] DEFAULT NULL, m text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$ SELECT costsim.simulate_v2(p, b, a, m) $$;
-- a JSON number, rounded to 9 decimals (so that 0.6846 matches however the double is printed)
CREATE FUNCTION pg_temp.n(j jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT to_jsonb(round((j #>> '{}')::numeric, 9)) $$;

-------------------------------------------------------------------------------------------------------------
-- 1. The seeded coefficients of model 2.0.0 are the spec's table ('*' = any other skill).
-------------------------------------------------------------------------------------------------------------
SELECT set_eq(
  $$SELECT skill, base_cost_cents::float8 AS c, base_latency_ms::float8 AS l, confidence::float8 AS conf, risk_type,
           risk_factor::float8 AS p, coalesce(latency_variance_ms, 0)::float8 AS var,
           coalesce(cost_per_1k_input_chars, 0)::float8 AS ci, coalesce(cost_per_1k_output_chars, 0)::float8 AS co,
           coalesce(latency_per_1k_input_chars_ms, 0)::float8 AS li
      FROM costsim.v2_coefficients WHERE model_version = '2.0.0'$$,
  $$VALUES ('http_call',      0::float8, 350::float8, 0.85::float8, 'timeout',         0.08::float8,  150::float8, 0::float8,   0::float8, 0::float8),
           ('llm_invoke',     3.5,       1800,        0.92,         'rate_limit',      0.03,            0,         0.8,         1.2,       200),
           ('json_transform', 0,            5,        0.98,         'transform_error', 0.005,           0,         0,           0,         0),
           ('fs_read',        0,           30,        0.95,         'not_found',       0.03,            0,         0,           0,         0),
           ('fs_write',       0,           50,        0.94,         'permission',      0.02,            0,         0,           0,         0),
           ('shell_lite',     0,          150,        0.88,         'timeout',         0.07,            0,         0,           0,         0),
           ('kv_get',         0,            3,        0.97,         'not_found',       0.01,            0,         0,           0,         0),
           ('kv_set',         0,            5,        0.97,         'quota',           0.01,            0,         0,           0,         0),
           ('webhook_send',   0,          200,        0.90,         'timeout',         0.08,            0,         0,           0,         0),
           ('email_send',     0.8,        350,        0.93,         'delivery',        0.03,            0,         0,           0,         0),
           ('*',              5,          500,        0.60,         'unknown',         0.15,            0,         0,           0,         0)$$,
  'model 2.0.0 coefficients are exactly the spec table');

-------------------------------------------------------------------------------------------------------------
-- 2. One step of each skill, n = 1, no params.
--    http_call: latency min(350 + 150, 30 s x 1000) = 500; no URL = external -> risk 0.08 x 1.5 = 0.12,
--               confidence 0.85 x 0.95 = 0.8075
--    llm_invoke: L = 0 -> out 0; cost 3.5, latency 1800; estimated_cost_cents round(3.5) = 4 (half to even)
--    email_send: cost 0.8 -> estimated_cost_cents 1
--    reported risks (p > 0.02): http .12, llm .03, fs_read .03, shell .07, webhook .08, email .03, other .15;
--    not reported: json .005, fs_write .02 (exactly p when n = 1), kv_get .01, kv_set .01
-------------------------------------------------------------------------------------------------------------
SELECT results_eq(
  $$SELECT u.skill, round((e->>'cost_cents')::numeric, 9), round((e->>'latency_ms')::numeric, 9),
           round((e->>'confidence')::numeric, 9), e->>'risk_type', round((e->>'risk_probability')::numeric, 9),
           (r->>'estimated_cost_cents')::numeric, (r->>'estimated_duration_ms')::numeric,
           jsonb_array_length(r->'risks'), r->>'status', round((r->>'confidence_score')::numeric, 9)
      FROM unnest(ARRAY['http_call','llm_invoke','json_transform','fs_read','fs_write','shell_lite','kv_get',
                        'kv_set','webhook_send','email_send','mystery_tool'])
           WITH ORDINALITY AS u(skill, ord),
           LATERAL (SELECT pg_temp.v2(jsonb_build_array(jsonb_build_object('skill', u.skill))) AS r) x,
           LATERAL (SELECT r->'step_estimates'->0 AS e) y
     ORDER BY u.ord$$,
  $$VALUES ('http_call',      0::numeric, 500::numeric, 0.8075::numeric, 'timeout',         0.12::numeric,  0::numeric, 500::numeric, 1, 'success', 0.8075::numeric),
           ('llm_invoke',     3.5,        1800,         0.92,            'rate_limit',      0.03,           4,          1800,         1, 'success', 0.92),
           ('json_transform', 0,             5,         0.98,            'transform_error', 0.005,          0,             5,         0, 'success', 0.98),
           ('fs_read',        0,            30,         0.95,            'not_found',       0.03,           0,            30,         1, 'success', 0.95),
           ('fs_write',       0,            50,         0.94,            'permission',      0.02,           0,            50,         0, 'success', 0.94),
           ('shell_lite',     0,           150,         0.88,            'timeout',         0.07,           0,           150,         1, 'success', 0.88),
           ('kv_get',         0,             3,         0.97,            'not_found',       0.01,           0,             3,         0, 'success', 0.97),
           ('kv_set',         0,             5,         0.97,            'quota',           0.01,           0,             5,         0, 'success', 0.97),
           ('webhook_send',   0,           200,         0.90,            'timeout',         0.08,           0,           200,         1, 'success', 0.90),
           ('email_send',     0.8,         350,         0.93,            'delivery',        0.03,           1,           350,         1, 'success', 0.93),
           ('mystery_tool',   5,           500,         0.60,            'unknown',         0.15,           5,           500,         1, 'success', 0.60)$$,
  'V2 per skill: cost, latency, confidence, risk, rounded totals, reported risks, status');

SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.v2('[{"skill":"kv_get"}]')) k),
  ARRAY['alternatives','budget_remaining_cents','budget_sufficient','confidence_score','estimated_cost_cents',
        'estimated_duration_ms','feasible','metadata','model_version','permission_gaps','risks','runtime_us','status',
        'step_estimates','warnings'],
  'V2 result: V1''s keys plus model_version, confidence_score, runtime_us');
SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.v2('[{"skill":"kv_get"}]')->'step_estimates'->0) k),
  ARRAY['base_cost_cents','base_latency_ms','confidence','cost_cents','iterations','latency_ms','risk_probability',
        'risk_type','skill_id','step_index'],
  'V2 step estimate: V1''s keys plus confidence');
SELECT is(pg_temp.v2('[{"skill":"kv_get"}]')->>'model_version', '2.0.0', 'default model is 2.0.0');
SELECT ok((SELECT jsonb_typeof(r->'runtime_us') = 'number' AND (r->>'runtime_us')::numeric >= 0
             FROM (SELECT pg_temp.v2('[{"skill":"kv_get"},{"skill":"http_call"}]') AS r) x),
          'runtime_us is a non-negative number');
SELECT is((pg_temp.v2('[{"skill":"fs_write"}]')->'step_estimates'->0->>'risk_probability')::numeric, 0.02::numeric,
          'n = 1: the step risk is exactly p (0.02, not 1 - 0.98 = 0.020000000000000018)');

-------------------------------------------------------------------------------------------------------------
-- 3. llm_invoke: L = chars(prompt), out = min(2L, 4000); cost = 3.5 + L/1000 x 0.8 + out/1000 x 1.2;
--    latency = 1800 + L/1000 x 200; confidence 0.92, x0.95 if L > 2000, further x0.90 if L > 4000.
-------------------------------------------------------------------------------------------------------------
SELECT results_eq(
  $$SELECT c.label, round((e->>'cost_cents')::numeric, 6), round((e->>'latency_ms')::numeric, 6),
           round((e->>'confidence')::numeric, 6), (r->>'estimated_cost_cents')::numeric
      FROM (VALUES (1, 'L=100',         to_jsonb(repeat('a', 100))),
                   (2, 'L=1000',        to_jsonb(repeat('a', 1000))),
                   (3, 'L=2000',        to_jsonb(repeat('a', 2000))),
                   (4, 'L=2001',        to_jsonb(repeat('a', 2001))),
                   (5, 'L=4000',        to_jsonb(repeat('a', 4000))),
                   (6, 'L=4001',        to_jsonb(repeat('a', 4001))),
                   (7, 'L=5000',        to_jsonb(repeat('a', 5000))),
                   (8, '2500 e-acute',  to_jsonb(repeat('é', 2500))),
                   (9, '1000 emoji',    to_jsonb(repeat('😀', 1000))),
                   (10, 'array 1500',   (SELECT jsonb_agg(1) FROM generate_series(1, 1500)))
           ) AS c(ord, label, prompt),
           LATERAL (SELECT pg_temp.v2(jsonb_build_array(jsonb_build_object('skill','llm_invoke','params',
                                jsonb_build_object('prompt', c.prompt)))) AS r) x,
           LATERAL (SELECT r->'step_estimates'->0 AS e) y
     ORDER BY c.ord$$,
  $$VALUES ('L=100',        3.82::numeric,   1820::numeric,  0.92::numeric, 4::numeric), -- 3.5+.08+.24; out 200
           ('L=1000',       6.7,             2000,           0.92,   7),  -- 3.5+0.8+2.4
           ('L=2000',       9.9,             2200,           0.92,  10),  -- 3.5+1.6+4.8; L not > 2000
           ('L=2001',       9.9008,          2200.2,         0.874, 10),  -- out capped 4000; .92 x .95
           ('L=4000',      11.5,             2600,           0.874, 12),  -- 3.5+3.2+4.8; round(11.5) = 12
           ('L=4001',      11.5008,          2600.2,         0.7866,12),  -- .92 x .95 x .90
           ('L=5000',      12.3,             2800,           0.7866,12),  -- 3.5+4.0+4.8
           ('2500 e-acute',10.3,             2300,           0.874, 10),  -- characters, not 5000 bytes
           ('1000 emoji',   6.7,             2000,           0.92,   7),  -- code points, not 2000 UTF-16 units
           -- canonical "[1,...,1]" = 1500 + 1499 + 2 = 3001 chars (", " separators: 4500 -> 11.9, 0.7866)
           ('array 1500',  10.7008,          2400.2,         0.874, 11)$$,
  'llm_invoke rule: input/output char pricing, latency per 1k chars, confidence steps');

-------------------------------------------------------------------------------------------------------------
-- 4. http_call: latency = min(350 + 150, timeout x 1000), timeout default 30 s; a URL not starting with
--    http://localhost or http://127.0.0.1 (or none) -> risk x1.5 (0.12), confidence x0.95 (0.8075).
-------------------------------------------------------------------------------------------------------------
SELECT results_eq(
  $$SELECT c.label, round((e->>'latency_ms')::numeric, 6), round((e->>'risk_probability')::numeric, 9),
           round((e->>'confidence')::numeric, 9)
      FROM (VALUES (1, 'no url',          '{}'::jsonb),
                   (2, 'localhost',       '{"url":"http://localhost:8080/a"}'),
                   (3, '127.0.0.1',       '{"url":"http://127.0.0.1/x"}'),
                   (4, 'external https',  '{"url":"https://api.example.com/v1"}'),
                   (5, 'https localhost', '{"url":"https://localhost/"}'),
                   (6, 'local t=0.2',     '{"url":"http://localhost/","timeout":0.2}'),
                   (7, 'local t=10',      '{"url":"http://localhost/","timeout":10}'),
                   (8, 'external t=0.25', '{"url":"http://example.com/","timeout":0.25}'),
                   (9, 'local t=0.0625',  '{"url":"http://127.0.0.1:9/","timeout":0.0625}')
           ) AS c(ord, label, params),
           LATERAL (SELECT pg_temp.v2(jsonb_build_array(jsonb_build_object('skill','http_call','params', c.params)))
                             ->'step_estimates'->0 AS e) x
     ORDER BY c.ord$$,
  $$VALUES ('no url',          500::numeric, 0.12::numeric, 0.8075::numeric),
           ('localhost',       500, 0.08, 0.85),
           ('127.0.0.1',       500, 0.08, 0.85),
           ('external https',  500, 0.12, 0.8075),
           ('https localhost', 500, 0.12, 0.8075),
           ('local t=0.2',     200, 0.08, 0.85),   -- min(500, 200)
           ('local t=10',      500, 0.08, 0.85),   -- min(500, 10000)
           ('external t=0.25', 250, 0.12, 0.8075),
           ('local t=0.0625',  62.5, 0.08, 0.85)$$,
  'http_call rule: variance, timeout cap, external URL factors');

-- rounding half to even of the duration: 62.5 -> 62; x3 = 187.5 -> 188
SELECT is((pg_temp.v2('[{"skill":"http_call","params":{"url":"http://localhost/","timeout":0.0625}}]')->>'estimated_duration_ms')::numeric,
          62::numeric, 'estimated_duration_ms 62.5 rounds half to even -> 62');
SELECT is((pg_temp.v2('[{"skill":"http_call","iterations":3,"params":{"url":"http://localhost/","timeout":0.0625}}]')->>'estimated_duration_ms')::numeric,
          188::numeric, 'estimated_duration_ms 187.5 rounds half to even -> 188');
SELECT is(
  (SELECT jsonb_build_array(round((e->>'risk_probability')::numeric, 9), round((e->>'confidence')::numeric, 9))
     FROM (SELECT pg_temp.v2('[{"skill":"http_call","iterations":3,"params":{"url":"http://localhost/"}}]')->'step_estimates'->0 AS e) x),
  '[0.221312, 0.85]'::jsonb, 'http_call x3: risk 1 - 0.92^3 = 0.221312, confidence once per step');

-------------------------------------------------------------------------------------------------------------
-- 5. shell_lite: a command longer than 100 chars -> risk x1.2, confidence x0.95.
-------------------------------------------------------------------------------------------------------------
SELECT is(
  (SELECT jsonb_build_array(round((e->>'risk_probability')::numeric, 9), round((e->>'confidence')::numeric, 9))
     FROM (SELECT pg_temp.v2(jsonb_build_array(jsonb_build_object('skill','shell_lite','params',
                  jsonb_build_object('command', repeat('x', 100)))))->'step_estimates'->0 AS e) x),
  '[0.07, 0.88]'::jsonb, 'shell_lite with a 100-char command: unchanged');
SELECT is(
  (SELECT jsonb_build_array(round((e->>'risk_probability')::numeric, 9), round((e->>'confidence')::numeric, 9))
     FROM (SELECT pg_temp.v2(jsonb_build_array(jsonb_build_object('skill','shell_lite','params',
                  jsonb_build_object('command', repeat('x', 101)))))->'step_estimates'->0 AS e) x),
  '[0.084, 0.836]'::jsonb, 'shell_lite with a 101-char command: 0.07 x 1.2 = 0.084, 0.88 x 0.95 = 0.836');
SELECT is(
  (SELECT jsonb_build_array(round((e->>'risk_probability')::numeric, 9), round((e->>'confidence')::numeric, 9))
     FROM (SELECT pg_temp.v2(jsonb_build_array(jsonb_build_object('skill','shell_lite','iterations',2,'params',
                  jsonb_build_object('command', repeat('ü', 150)))))->'step_estimates'->0 AS e) x),
  '[0.160944, 0.836]'::jsonb, 'shell_lite x2 long command: 1 - (1 - 0.084)^2 = 0.160944');
SELECT is(
  (SELECT round((e->>'risk_probability')::numeric, 9)
     FROM (SELECT pg_temp.v2(jsonb_build_array(jsonb_build_object('skill','shell_lite','params',
                  jsonb_build_object('command', repeat('ü', 100)))))->'step_estimates'->0 AS e) x),
  0.07::numeric, 'command length counts characters (100 x "ü" = 200 bytes is not > 100)');

-- a non-string command counts its canonical JSON text: [1,1,...] of 40 ones = 81 chars (not > 100; with ", "
-- separators it would be 120), of 50 ones = 101 chars
SELECT is(
  (SELECT jsonb_build_array(round((e->>'risk_probability')::numeric, 9), round((e->>'confidence')::numeric, 9))
     FROM (SELECT pg_temp.v2(jsonb_build_array(jsonb_build_object('skill','shell_lite','params',
                  jsonb_build_object('command', (SELECT jsonb_agg(1) FROM generate_series(1, 40))))))->'step_estimates'->0 AS e) x),
  '[0.07, 0.88]'::jsonb, 'shell_lite, command array of 40 ones (81 canonical chars): unchanged');
SELECT is(
  (SELECT jsonb_build_array(round((e->>'risk_probability')::numeric, 9), round((e->>'confidence')::numeric, 9))
     FROM (SELECT pg_temp.v2(jsonb_build_array(jsonb_build_object('skill','shell_lite','params',
                  jsonb_build_object('command', (SELECT jsonb_agg(1) FROM generate_series(1, 50))))))->'step_estimates'->0 AS e) x),
  '[0.084, 0.836]'::jsonb, 'shell_lite, command array of 50 ones (101 canonical chars): long');
-- llm_invoke with a numeric prompt 12345: L = 5, out = 10: cost 3.5 + 0.004 + 0.012 = 3.516, latency 1800 + 1 = 1801
SELECT is(
  (SELECT jsonb_build_array(round((e->>'cost_cents')::numeric, 9), round((e->>'latency_ms')::numeric, 9))
     FROM (SELECT pg_temp.v2('[{"skill":"llm_invoke","params":{"prompt":12345}}]')->'step_estimates'->0 AS e) x),
  '[3.516, 1801]'::jsonb, 'llm_invoke with a numeric prompt counts its JSON text (5 chars)');
-- http_call: a non-numeric timeout is the default 30 s; timeout 0 gives latency 0
SELECT is(
  (SELECT jsonb_agg(round((r->'step_estimates'->0->>'latency_ms')::numeric, 9) ORDER BY o)
     FROM unnest(ARRAY['[{"skill":"http_call","params":{"timeout":"0.1"}}]',
                       '[{"skill":"http_call","params":{"timeout":0}}]']::jsonb[]) WITH ORDINALITY AS u(p, o),
          LATERAL (SELECT pg_temp.v2(u.p) AS r) x),
  '[500, 0]'::jsonb, 'http_call: timeout "0.1" (a string) -> default 30 s -> 500; timeout 0 -> 0');

-------------------------------------------------------------------------------------------------------------
-- 6. Iterations: cost and latency x n, risk 1 - (1 - p)^n, confidence once per step.
--    llm_invoke x3: cost 3.5 x 3 = 10.5 -> estimated round(10.5) = 10 (half to even), latency 5400,
--    risk 1 - 0.97^3 = 0.087327
-------------------------------------------------------------------------------------------------------------
SELECT is(
  (SELECT jsonb_build_array(round((e->>'cost_cents')::numeric, 9), e->'latency_ms', round((e->>'risk_probability')::numeric, 9),
                            round((e->>'confidence')::numeric, 9), e->'iterations', e->'base_cost_cents',
                            r->'estimated_cost_cents', r->'estimated_duration_ms', round((r->>'confidence_score')::numeric, 9))
     FROM (SELECT pg_temp.v2('[{"skill":"llm_invoke","iterations":3}]') AS r) x, LATERAL (SELECT r->'step_estimates'->0 AS e) y),
  '[10.5, 5400, 0.087327, 0.92, 3, 3.5, 10, 5400, 0.92]'::jsonb,
  'llm_invoke x3: 10.5 cents (rounded half to even to 10), 5400 ms, confidence once');
SELECT is((pg_temp.v2('[{"skill":"llm_invoke","iterations":5}]')->>'estimated_cost_cents')::numeric, 18::numeric,
          'llm_invoke x5: 17.5 rounds half to even -> 18');
SELECT is(
  (SELECT jsonb_agg(s ORDER BY s) FROM (
     SELECT x->>'skill_id' AS s FROM jsonb_array_elements(pg_temp.v2(
       '[{"skill":"kv_set","iterations":3},{"skill":"fs_write"},{"skill":"fs_write","iterations":2},{"skill":"kv_get","iterations":2}]')->'risks') x) q),
  '["fs_write", "kv_set"]'::jsonb,
  'reported when > 0.02: kv_set x3 (0.029701), fs_write x2 (0.0396); not fs_write x1 (0.02), kv_get x2 (0.0199)');
SELECT is(
  (SELECT jsonb_agg(x->'step_index' ORDER BY (x->>'step_index')::int) FROM jsonb_array_elements(pg_temp.v2(
       '[{"skill":"kv_set","iterations":3},{"skill":"fs_write"},{"skill":"fs_write","iterations":2},{"skill":"kv_get","iterations":2}]')->'risks') x),
  '[0, 2]'::jsonb, 'reported risks carry their 0-based step_index');

-------------------------------------------------------------------------------------------------------------
-- 7. Plan totals, cumulative risk and confidence_score.
--    Plan M = [http_call (no URL), kv_get, fs_read, llm_invoke]:
--      cost 0 + 0 + 0 + 3.5 = 3.5 -> 4; duration 500 + 3 + 30 + 1800 = 2333
--      reported: http .12, fs_read .03, llm .03 (kv_get .01 is not); cumulative 1 - .88 x .97 x .97 = 0.172008
--      confidence 0.8075 x 0.97 x 0.95 x 0.92 = 0.68458235 -> round 4 = 0.6846
-------------------------------------------------------------------------------------------------------------
SELECT is(
  (SELECT jsonb_build_array(r->'estimated_cost_cents', r->'estimated_duration_ms', r->'status', r->'feasible',
                            round((r->'metadata'->>'cumulative_risk')::numeric, 9), pg_temp.n(r->'confidence_score'),
                            r->'metadata'->'plan_steps', r->'warnings')
     FROM (SELECT pg_temp.v2('[{"skill":"http_call"},{"skill":"kv_get"},{"skill":"fs_read"},{"skill":"llm_invoke"}]') AS r) x),
  '[4, 2333, "success", true, 0.172008, 0.6846, 4, []]'::jsonb,
  'plan M: rounded totals, cumulative risk over reported risks, confidence_score rounded to 4');
SELECT is(
  (SELECT jsonb_agg(x->'step_index' ORDER BY (x->>'step_index')::int) FROM jsonb_array_elements(pg_temp.v2(
       '[{"skill":"http_call"},{"skill":"kv_get"},{"skill":"fs_read"},{"skill":"llm_invoke"}]')->'risks') x),
  '[0, 2, 3]'::jsonb, 'plan M: reported risks at steps 0, 2, 3');
SELECT is(
  pg_temp.n(pg_temp.v2((SELECT jsonb_agg(jsonb_build_object('skill','llm_invoke','params',
                                 jsonb_build_object('prompt', repeat('q', 5000)))) FROM generate_series(1, 3)))->'confidence_score'),
  '0.4867'::jsonb, 'confidence_score = round(0.7866^3 = 0.486700..., 4) = 0.4867');
SELECT is(
  (SELECT jsonb_agg(round((e->>'confidence')::numeric, 9) ORDER BY o)
     FROM jsonb_array_elements(pg_temp.v2('[{"skill":"http_call"},{"skill":"kv_get"},{"skill":"tool"}]')->'step_estimates')
          WITH ORDINALITY t(e, o)),
  '[0.8075, 0.97, 0.6]'::jsonb, 'every step estimate carries its confidence');

-------------------------------------------------------------------------------------------------------------
-- 8. Statuses and warnings.
-------------------------------------------------------------------------------------------------------------
-- tool x5: risk 1 - 0.85^5 = 0.5562946875 > 0.5 -> "Risk too high: 55.6% > 50.0%"; cost 5 x 5 = 25
SELECT is(
  (SELECT jsonb_build_array(r->'status', r->'feasible', r->'warnings', r->'estimated_cost_cents', pg_temp.n(r->'confidence_score'))
     FROM (SELECT pg_temp.v2('[{"skill":"tool","iterations":5}]') AS r) x),
  '["error", false, ["Risk too high: 55.6% > 50.0%"], 25, 0.6]'::jsonb, 'risk too high -> error with its warning');
-- llm x3: 10.5 -> 10 > 9
SELECT is(
  (SELECT jsonb_build_array(r->'status', r->'feasible', r->'warnings', r->'budget_sufficient')
     FROM (SELECT pg_temp.v2('[{"skill":"llm_invoke","iterations":3}]', 9) AS r) x),
  '["error", false, ["Budget insufficient: need 10 cents, have 9"], false]'::jsonb, 'budget insufficient -> error with its warning');
-- budget check on the rounded cost (docs/sql.md choice): 10 <= 10
SELECT is(
  (SELECT jsonb_build_array(r->'status', r->'feasible', r->'budget_remaining_cents', r->'budget_sufficient', r->'warnings')
     FROM (SELECT pg_temp.v2('[{"skill":"llm_invoke","iterations":3}]', 10) AS r) x),
  '["success", true, 0, true, []]'::jsonb, 'rounded cost 10 fits a budget of 10: success, remaining 0');
SELECT is(
  (SELECT jsonb_build_array(r->'status', r->'feasible', r->'warnings')
     FROM (SELECT pg_temp.v2('[{"skill":"http_call","params":{"url":"http://localhost/"}},{"skill":"kv_get"},
                               {"skill":"http_call","params":{"url":"http://localhost/"}},{"skill":"llm_invoke"}]',
                             1000, ARRAY['kv_get']) AS r) x),
  '["error", false, ["Permission denied for skills: http_call, llm_invoke"]]'::jsonb,
  'permission denied: each denied skill once, in plan order');
SELECT is(pg_temp.v2('[{"skill":"tool","iterations":5}]', 10)->'warnings'->0,
          '"Budget insufficient: need 25 cents, have 10"'::jsonb, 'budget is the first check (before risk)');
SELECT is(pg_temp.v2('[{"skill":"tool","iterations":5}]', 10, ARRAY['kv_get'])->'warnings'->0,
          '"Budget insufficient: need 25 cents, have 10"'::jsonb, 'budget is the first check (before permission)');
SELECT is(pg_temp.v2('[{"skill":"tool","iterations":5}]', 1000, ARRAY['kv_get'])->'warnings'->0,
          '"Permission denied for skills: tool"'::jsonb, 'permission is checked before risk');
SELECT is(pg_temp.v2('[{"skill":"kv_get"},{"skill":"http_call"}]', 1000, ARRAY[]::text[])->>'status', 'success',
          'an empty allowed list allows every skill');
SELECT is(
  (SELECT jsonb_build_array(r->'status', r->'feasible', r->'confidence_score')
     FROM (SELECT pg_temp.v2('[]') AS r) x),
  '["schema_error", false, 0]'::jsonb, 'empty plan -> schema_error, confidence 0');

-------------------------------------------------------------------------------------------------------------
-- 9. Unknown model versions.
-------------------------------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT costsim.simulate_v2('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, 'nope')$$,
                 '22023', 'unknown V2 model version "nope"', 'an unknown model version is 22023');
SET LOCAL costsim.v2_model_version = 'nope-either';
SELECT throws_ok($$SELECT costsim.simulate_v2('[{"skill":"kv_get"}]'::jsonb)$$,
                 '22023', 'unknown V2 model version "nope-either"', 'an unknown model named by the GUC is 22023');
RESET costsim.v2_model_version;
SELECT is(pg_temp.v2('[{"skill":"kv_get"}]')->>'model_version', '2.0.0', 'RESET: back to 2.0.0');

-------------------------------------------------------------------------------------------------------------
-- 10. A new coefficient set, shadow-tested without a rebuild.
--     test-9: kv_get cost 7, latency 40, confidence 0.5, not_found 0.1; '*' cost 100, latency 1000, 0.9, unknown 0.01
-------------------------------------------------------------------------------------------------------------
INSERT INTO costsim.v2_coefficients (model_version, skill, base_cost_cents, base_latency_ms, confidence, risk_type,
                                     risk_factor, latency_variance_ms, cost_per_1k_input_chars,
                                     cost_per_1k_output_chars, latency_per_1k_input_chars_ms)
VALUES ('test-9', 'kv_get', 7, 40, 0.5, 'not_found', 0.1, 0, 0, 0, 0),
       ('test-9', '*', 100, 1000, 0.9, 'unknown', 0.01, 0, 0, 0, 0);

-- kv_get x2: cost 14, latency 80, risk 1 - 0.9^2 = 0.19 (reported), confidence 0.5
SELECT is(
  (SELECT jsonb_build_array(r->'model_version', r->'estimated_cost_cents', r->'estimated_duration_ms', pg_temp.n(r->'confidence_score'),
                            round((r->'metadata'->>'cumulative_risk')::numeric, 9), r->'status')
     FROM (SELECT pg_temp.v2('[{"skill":"kv_get","iterations":2}]', 1000, NULL, 'test-9') AS r) x),
  '["test-9", 14, 80, 0.5, 0.19, "success"]'::jsonb, 'a new coefficient set is used by name');
SELECT is(
  (SELECT jsonb_build_array(r->'estimated_cost_cents', r->'estimated_duration_ms', pg_temp.n(r->'confidence_score'))
     FROM (SELECT pg_temp.v2('[{"skill":"anything"}]', 1000, NULL, 'test-9') AS r) x),
  '[100, 1000, 0.9]'::jsonb, 'the new set''s "*" row prices other skills');
SELECT is(
  (SELECT jsonb_build_array(r->'model_version', r->'estimated_cost_cents', r->'estimated_duration_ms')
     FROM (SELECT pg_temp.v2('[{"skill":"kv_get","iterations":2}]') AS r) x),
  '["2.0.0", 0, 6]'::jsonb, 'model 2.0.0 is unaffected by the new set');
SET LOCAL costsim.v2_model_version = 'test-9';
SELECT is(
  (SELECT jsonb_build_array(r->'model_version', r->'estimated_cost_cents')
     FROM (SELECT pg_temp.v2('[{"skill":"kv_get","iterations":2}]') AS r) x),
  '["test-9", 14]'::jsonb, 'model_version NULL -> costsim.v2_model_version');
SELECT is(pg_temp.v2('[{"skill":"kv_get"}]', 1000, NULL, '2.0.0')->>'model_version', '2.0.0',
          'an explicit model_version wins over the GUC');
-- cache invalidation: the set was just used (cached); change it and call again in the same session
UPDATE costsim.v2_coefficients SET base_cost_cents = 11 WHERE model_version = 'test-9' AND skill = 'kv_get';
SELECT is((pg_temp.v2('[{"skill":"kv_get","iterations":2}]')->>'estimated_cost_cents')::numeric, 22::numeric,
          'after UPDATE of a coefficient the next call sees it (11 x 2 = 22)');
UPDATE costsim.v2_coefficients SET risk_factor = 0.5 WHERE model_version = 'test-9' AND skill = 'kv_get';
SELECT is(pg_temp.v2('[{"skill":"kv_get","iterations":2}]')->>'status', 'error',
          'after UPDATE of risk_factor to 0.5: 1 - 0.5^2 = 0.75 > 0.5 -> error');
DELETE FROM costsim.v2_coefficients WHERE model_version = 'test-9' AND skill = '*';
SELECT throws_ok($$SELECT costsim.simulate_v2('[{"skill":"anything"}]'::jsonb)$$, NULL::char(5), NULL,
                 'a skill the set does not price (no "*" row) is an error');
SELECT is((pg_temp.v2('[{"skill":"kv_get"}]')->>'estimated_cost_cents')::numeric, 11::numeric,
          'the rest of the set still works after the DELETE');
RESET costsim.v2_model_version;

-------------------------------------------------------------------------------------------------------------
-- 11. "invalidated (at commit, in every backend)": a change committed by another backend (through dblink)
--     reaches this backend's cache. The other backend cleans up after itself.
-------------------------------------------------------------------------------------------------------------
CREATE EXTENSION IF NOT EXISTS dblink;
DO $$ BEGIN
  PERFORM dblink_connect('costsim_other', format('host=%s port=%s dbname=%s user=%s',
            split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database(), current_user));
  PERFORM dblink_exec('costsim_other', $q$DELETE FROM costsim.v2_coefficients WHERE model_version = 'xb-test'$q$);
  PERFORM dblink_exec('costsim_other', $q$INSERT INTO costsim.v2_coefficients (model_version, skill, base_cost_cents, base_latency_ms,
      confidence, risk_type, risk_factor, latency_variance_ms, cost_per_1k_input_chars, cost_per_1k_output_chars,
      latency_per_1k_input_chars_ms)
      VALUES ('xb-test', 'kv_get', 7, 40, 0.5, 'not_found', 0.1, 0, 0, 0, 0), ('xb-test', '*', 1, 1, 0.5, 'unknown', 0.1, 0, 0, 0, 0)$q$);
END $$;
SELECT is((pg_temp.v2('[{"skill":"kv_get"}]', 1000, NULL, 'xb-test')->>'estimated_cost_cents')::numeric, 7::numeric,
          'a coefficient set committed by another backend is usable');
DO $$ BEGIN
  PERFORM dblink_exec('costsim_other', $q$UPDATE costsim.v2_coefficients SET base_cost_cents = 9
                                          WHERE model_version = 'xb-test' AND skill = 'kv_get'$q$);
  -- what a new transaction does first: take a lock (and so process pending invalidations)
  PERFORM count(*) FROM costsim.v2_coefficients;
END $$;
SELECT is((pg_temp.v2('[{"skill":"kv_get"}]', 1000, NULL, 'xb-test')->>'estimated_cost_cents')::numeric, 9::numeric,
          'an UPDATE committed by another backend invalidates this backend''s cache (7 -> 9)');
DO $$ BEGIN
  PERFORM dblink_exec('costsim_other', $q$DELETE FROM costsim.v2_coefficients WHERE model_version = 'xb-test'$q$);
  PERFORM dblink_disconnect('costsim_other');
END $$;

SELECT * FROM finish();
ROLLBACK;
