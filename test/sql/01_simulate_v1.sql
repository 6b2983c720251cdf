-- costsim.simulate_v1: the frozen production simulator (spec section 2).
-- Every expected value below is derived by hand from spec/costsim.md section 2 (and docs/sql.md for the
-- choices the spec leaves open: 0-based step_index, alternatives always present, base_* = one execution).
-- Floating-point values are the IEEE-754 double results of the spec's formulas, e.g. for http_call (p = 0.1)
-- 1 - (1 - 0.1)^1 = 1 - 0.9 = 0.09999999999999998 (0.1 and 0.9 are not exact in binary).
BEGIN;
SELECT plan(63);

CREATE FUNCTION pg_temp.v1(p jsonb, b integer DEFAULT 1000, a text[] DEFAULT NULL, t double precision DEFAULT 0.5)
RETURNS jsonb LANGUAGE sql AS $$ SELECT costsim.simulate_v1(p, b, a, t) $$;

-------------------------------------------------------------------------------------------------------------
-- 1. Golden results: whole objects, written out by hand.
-------------------------------------------------------------------------------------------------------------

-- Plan A: llm_invoke with a 2-char prompt, then http_call without a timeout; budget 1000.
--   step 0 llm_invoke: cost = max(5, floor(2/1000)) = max(5, 0) = 5; latency 2000; p 0.05 (rate_limit)
--          risk 1 - (1 - 0.05)^1 = 1 - 0.95 = 0.050000000000000044; base p 0.05 is not > 0.05 -> not in risks
--   step 1 http_call: cost 0; latency 500 (no numeric timeout); p 0.10 (timeout)
--          risk 1 - 0.9 = 0.09999999999999998; base p 0.10 > 0.05 -> in risks,
--          description "http_call x1 has round(9.999999999999998) = 10% chance of timeout"
--   cost 5 + 0 = 5; duration 2000 + 500 = 2500; remaining 1000 - 5 = 995; cost <= budget -> sufficient
--   cumulative risk 1 - (0.95 * 0.9) = 1 - 0.855 = 0.14500000000000002 <= 0.5 -> feasible
--   budget_utilization 5 / max(1000, 1) = 0.005
SELECT is(
  pg_temp.v1('[{"skill":"llm_invoke","params":{"prompt":"hi"}},{"skill":"http_call"}]'),
  $${
    "feasible": true,
    "status": "feasible",
    "estimated_cost_cents": 5,
    "estimated_duration_ms": 2500,
    "budget_remaining_cents": 995,
    "budget_sufficient": true,
    "permission_gaps": [],
    "risks": [
      {"step_index": 1, "skill_id": "http_call", "risk_type": "timeout", "probability": 0.09999999999999998,
       "description": "http_call x1 has 10% chance of timeout", "mitigation": "Add retry with exponential backoff"}
    ],
    "step_estimates": [
      {"step_index": 0, "skill_id": "llm_invoke", "cost_cents": 5, "latency_ms": 2000,
       "risk_probability": 0.050000000000000044, "risk_type": "rate_limit", "iterations": 1,
       "base_cost_cents": 5, "base_latency_ms": 2000},
      {"step_index": 1, "skill_id": "http_call", "cost_cents": 0, "latency_ms": 500,
       "risk_probability": 0.09999999999999998, "risk_type": "timeout", "iterations": 1,
       "base_cost_cents": 0, "base_latency_ms": 500}
    ],
    "alternatives": [],
    "warnings": [],
    "metadata": {"plan_steps": 2, "cumulative_risk": 0.14500000000000002, "budget_utilization": 0.005}
  }$$::jsonb,
  'golden A: llm_invoke + http_call, feasible (whole result)');

-- Plan B: llm_invoke x2 (no prompt), kv_get; budget 8.
--   step 0: cost 5 x 2 = 10, latency 2000 x 2 = 4000, risk 1 - 0.95^2 = 1 - 0.9025 = 0.09750000000000003
--   step 1: kv_get cost 0, latency 5, risk 1 - 0.98 = 0.020000000000000018
--   cost 10 > 8 -> budget_insufficient (first check), feasible false, remaining 8 - 10 = -2
--   alternatives: Reduce LLM calls, savings = sum of llm_invoke step costs = 10
--   cumulative 1 - (0.9025 * 0.98) = 1 - 0.88445 = 0.11555000000000004; utilization 10 / 8 = 1.25
SELECT is(
  pg_temp.v1('[{"skill":"llm_invoke","iterations":2},{"skill":"kv_get"}]', 8),
  $${
    "feasible": false,
    "status": "budget_insufficient",
    "estimated_cost_cents": 10,
    "estimated_duration_ms": 4005,
    "budget_remaining_cents": -2,
    "budget_sufficient": false,
    "permission_gaps": [],
    "risks": [],
    "step_estimates": [
      {"step_index": 0, "skill_id": "llm_invoke", "cost_cents": 10, "latency_ms": 4000,
       "risk_probability": 0.09750000000000003, "risk_type": "rate_limit", "iterations": 2,
       "base_cost_cents": 5, "base_latency_ms": 2000},
      {"step_index": 1, "skill_id": "kv_get", "cost_cents": 0, "latency_ms": 5,
       "risk_probability": 0.020000000000000018, "risk_type": "not_found", "iterations": 1,
       "base_cost_cents": 0, "base_latency_ms": 5}
    ],
    "alternatives": [{"suggestion": "Reduce LLM calls", "potential_savings_cents": 10}],
    "warnings": [],
    "metadata": {"plan_steps": 2, "cumulative_risk": 0.11555000000000004, "budget_utilization": 1.25}
  }$$::jsonb,
  'golden B: budget insufficient with alternatives (whole result)');

-- Plan C: an unknown skill x4; budget 1000, threshold 0.5.
--   cost 10 x 4 = 40, latency 1000 x 4 = 4000, risk 1 - 0.8^4 = 1 - 0.4096 = 0.5903999999999999
--   base p 0.2 > 0.05 -> listed: "unknown_skill_x x4 has round(59.04) = 59% chance of unknown"
--   40 <= 1000, no gaps, 0.5904 > 0.5 -> risk_too_high,
--   warning "Cumulative risk round(59.04)=59% exceeds threshold round(50)=50%"; utilization 40/1000 = 0.04
SELECT is(
  pg_temp.v1('[{"skill":"unknown_skill_x","iterations":4}]'),
  $${
    "feasible": false,
    "status": "risk_too_high",
    "estimated_cost_cents": 40,
    "estimated_duration_ms": 4000,
    "budget_remaining_cents": 960,
    "budget_sufficient": true,
    "permission_gaps": [],
    "risks": [
      {"step_index": 0, "skill_id": "unknown_skill_x", "risk_type": "unknown", "probability": 0.5903999999999999,
       "description": "unknown_skill_x x4 has 59% chance of unknown", "mitigation": "Add error handling and monitoring"}
    ],
    "step_estimates": [
      {"step_index": 0, "skill_id": "unknown_skill_x", "cost_cents": 40, "latency_ms": 4000,
       "risk_probability": 0.5903999999999999, "risk_type": "unknown", "iterations": 4,
       "base_cost_cents": 10, "base_latency_ms": 1000}
    ],
    "alternatives": [],
    "warnings": ["Cumulative risk 59% exceeds threshold 50%"],
    "metadata": {"plan_steps": 1, "cumulative_risk": 0.5903999999999999, "budget_utilization": 0.04}
  }$$::jsonb,
  'golden C: unknown skill x4, risk too high (whole result)');

-- The key sets, stated separately so that a failure above is easy to locate.
SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.v1('[{"skill":"kv_get"}]')) k),
  ARRAY['alternatives','budget_remaining_cents','budget_sufficient','estimated_cost_cents','estimated_duration_ms',
        'feasible','metadata','permission_gaps','risks','status','step_estimates','warnings'],
  'result has exactly the keys of spec section 2');
SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.v1('[{"skill":"kv_get"}]')->'step_estimates'->0) k),
  ARRAY['base_cost_cents','base_latency_ms','cost_cents','iterations','latency_ms','risk_probability','risk_type',
        'skill_id','step_index'],
  'step estimate has exactly the keys of spec section 2');
SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.v1('[{"skill":"http_call"}]')->'risks'->0) k),
  ARRAY['description','mitigation','probability','risk_type','skill_id','step_index'],
  'risk entry has exactly the keys of spec section 2');
SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.v1('[{"skill":"kv_get"}]')->'metadata') k),
  ARRAY['budget_utilization','cumulative_risk','plan_steps'],
  'metadata has exactly plan_steps, cumulative_risk, budget_utilization');

-------------------------------------------------------------------------------------------------------------
-- 2. The skill table: one single-step plan per skill (n = 1).
--    risk = 1 - (1 - p), compared after rounding to 12 decimals; listed in risks only when p > 0.05.
-------------------------------------------------------------------------------------------------------------
SELECT results_eq(
  $$SELECT u.skill, (e->>'cost_cents')::numeric, (e->>'latency_ms')::numeric, e->>'risk_type',
           round((e->>'risk_probability')::numeric, 12), e->>'skill_id', (e->>'step_index')::int,
           (e->>'iterations')::int
      FROM unnest(ARRAY['http_call','llm_invoke','json_transform','fs_read','fs_write','shell_lite','kv_get',
                        'kv_set','webhook_send','email_send','mystery_tool','unknown','HTTP_CALL'])
           WITH ORDINALITY AS u(skill, ord),
           LATERAL (SELECT pg_temp.v1(jsonb_build_array(jsonb_build_object('skill', u.skill)))->'step_estimates'->0 AS e) x
     ORDER BY u.ord$$,
  $$VALUES ('http_call',      0::numeric,  500::numeric, 'timeout',         0.10::numeric, 'http_call',      0, 1),
           ('llm_invoke',     5,          2000,          'rate_limit',      0.05,          'llm_invoke',     0, 1),
           ('json_transform', 0,            10,          'transform_error', 0.01,          'json_transform', 0, 1),
           ('fs_read',        0,            50,          'not_found',       0.05,          'fs_read',        0, 1),
           ('fs_write',       0,           100,          'permission',      0.05,          'fs_write',       0, 1),
           ('shell_lite',     0,           200,          'timeout',         0.10,          'shell_lite',     0, 1),
           ('kv_get',         0,             5,          'not_found',       0.02,          'kv_get',         0, 1),
           ('kv_set',         0,            10,          'quota',           0.02,          'kv_set',         0, 1),
           ('webhook_send',   0,           300,          'timeout',         0.10,          'webhook_send',   0, 1),
           ('email_send',     1,           500,          'delivery',        0.05,          'email_send',     0, 1),
           ('mystery_tool',  10,          1000,          'unknown',         0.20,          'mystery_tool',   0, 1),
           ('unknown',       10,          1000,          'unknown',         0.20,          'unknown',        0, 1),
           ('HTTP_CALL',     10,          1000,          'unknown',         0.20,          'HTTP_CALL',      0, 1)$$,
  'skill table: cost, latency, risk type and probability of every skill (names are case-sensitive)');

SELECT results_eq(
  $$SELECT u.skill, jsonb_array_length(r->'risks'), r->'risks'->0->>'description', r->'risks'->0->>'mitigation',
           r->'risks'->0->>'risk_type', (r->'risks'->0->>'step_index')::int
      FROM unnest(ARRAY['http_call','llm_invoke','json_transform','fs_read','fs_write','shell_lite','kv_get',
                        'kv_set','webhook_send','email_send','mystery_tool'])
           WITH ORDINALITY AS u(skill, ord),
           LATERAL (SELECT pg_temp.v1(jsonb_build_array(jsonb_build_object('skill', u.skill))) AS r) x
     ORDER BY u.ord$$,
  $$VALUES ('http_call',     1, 'http_call x1 has 10% chance of timeout',    'Add retry with exponential backoff', 'timeout', 0),
           ('llm_invoke',    0, NULL, NULL, NULL, NULL),
           ('json_transform',0, NULL, NULL, NULL, NULL),
           ('fs_read',       0, NULL, NULL, NULL, NULL),
           ('fs_write',      0, NULL, NULL, NULL, NULL),
           ('shell_lite',    1, 'shell_lite x1 has 10% chance of timeout',   'Add retry with exponential backoff', 'timeout', 0),
           ('kv_get',        0, NULL, NULL, NULL, NULL),
           ('kv_set',        0, NULL, NULL, NULL, NULL),
           ('webhook_send',  1, 'webhook_send x1 has 10% chance of timeout', 'Add retry with exponential backoff', 'timeout', 0),
           ('email_send',    0, NULL, NULL, NULL, NULL),
           ('mystery_tool',  1, 'mystery_tool x1 has 20% chance of unknown', 'Add error handling and monitoring',  'unknown', 0)$$,
  'risks: only skills with base p > 0.05 are listed, with description and mitigation');

SELECT is(
  (SELECT count(*) FROM unnest(ARRAY['http_call','llm_invoke','json_transform','fs_read','fs_write','shell_lite',
                                     'kv_get','kv_set','webhook_send','email_send','x']) s,
          LATERAL (SELECT pg_temp.v1(jsonb_build_array(jsonb_build_object('skill', s)))->'step_estimates'->0 AS e) x
    WHERE (e->'base_cost_cents') <> (e->'cost_cents') OR (e->'base_latency_ms') <> (e->'latency_ms')),
  0::bigint,
  'with one iteration base_cost/base_latency equal cost/latency');

-- A step without "skill" is the skill "unknown"; without "params" it has {} (spec section 1).
SELECT is(pg_temp.v1('[{}]')->'step_estimates'->0->>'skill_id', 'unknown', 'missing skill -> "unknown"');
SELECT is((pg_temp.v1('[{"iterations":2}]')->>'estimated_cost_cents')::numeric, 20::numeric,
          'missing skill is priced as any other skill: 10 x 2 = 20');

-------------------------------------------------------------------------------------------------------------
-- 3. Prompt rule: llm_invoke cost = max(5, floor(chars(prompt) / 1000)), chars = Unicode characters.
-------------------------------------------------------------------------------------------------------------
SELECT results_eq(
  $$SELECT c.label, (pg_temp.v1(jsonb_build_array(jsonb_build_object('skill','llm_invoke','params',
                      jsonb_build_object('prompt', c.prompt))))->>'estimated_cost_cents')::numeric
      FROM (VALUES (1, 'empty',           to_jsonb(''::text)),
                   (2, '4999 ascii',      to_jsonb(repeat('a', 4999))),
                   (3, '5999 ascii',      to_jsonb(repeat('a', 5999))),
                   (4, '6000 ascii',      to_jsonb(repeat('a', 6000))),
                   (5, '12345 ascii',     to_jsonb(repeat('a', 12345))),
                   (6, '6000 e-acute',    to_jsonb(repeat('é', 6000))),
                   (7, '7000 emoji',      to_jsonb(repeat('😀', 7000))),
                   (8, '6000 newlines',   to_jsonb(repeat(E'\n', 6000))),
                   (9, '9999 quotes',     to_jsonb(repeat('"', 9999))),
                   (10, 'number 123456',  '123456'::jsonb),
                   (11, 'array of 3000',  (SELECT jsonb_agg(1) FROM generate_series(1, 3000))),
                   (12, '100000 ascii',   to_jsonb(repeat('a', 100000)))
           ) AS c(ord, label, prompt)
     ORDER BY c.ord$$,
  $$VALUES ('empty', 5::numeric),          -- max(5, floor(0/1000)=0) = 5
           ('4999 ascii', 5),               -- floor(4.999) = 4 -> 5
           ('5999 ascii', 5),               -- floor(5.999) = 5 -> 5
           ('6000 ascii', 6),               -- floor(6.0) = 6
           ('12345 ascii', 12),             -- floor(12.345) = 12
           ('6000 e-acute', 6),             -- 6000 characters (12000 UTF-8 bytes would give 12)
           ('7000 emoji', 7),               -- 7000 code points (14000 UTF-16 units / 28000 bytes would give 14 / 28)
           ('6000 newlines', 6),            -- the string's characters, not its escaped JSON text (12002 -> 12)
           ('9999 quotes', 9),              -- 9999 characters (escaped JSON text would be 20000 -> 20)
           ('number 123456', 5),            -- non-string: JSON text "123456", 6 chars -> 5
           ('array of 3000', 6),            -- canonical JSON text "[1,1,...,1]": 3000 + 2999 + 2 = 6001 -> 6
                                            -- (text with ", " separators would be 9000 -> 9)
           -- floor(100000/1000) = 100
           ('100000 ascii', 100)$$,
  'prompt rule: max(5, floor(chars/1000)) with Unicode characters; non-string prompts count their JSON text');

-- non-string prompts: characters of the RFC 8785 text (docs/sql.md choice): no whitespace, strings escaped only
-- where JCS escapes them, numbers in shortest form
SELECT results_eq(
  $$SELECT c.label, (pg_temp.v1(jsonb_build_array(jsonb_build_object('skill','llm_invoke','params',
                      jsonb_build_object('prompt', c.prompt))))->>'estimated_cost_cents')::numeric
      FROM (VALUES (1, '1500 x "é"',    (SELECT jsonb_agg('é'::text) FROM generate_series(1, 1500))),
                   (2, '1500 x "\n"',   (SELECT jsonb_agg(E'\n'::text) FROM generate_series(1, 1500))),
                   (3, '1000 x U+001F', (SELECT jsonb_agg(chr(31)) FROM generate_series(1, 1000))),
                   (4, '2000 x 1.50',   (SELECT jsonb_agg(1.50) FROM generate_series(1, 2000)))
           ) AS c(ord, label, prompt)
     ORDER BY c.ord$$,
  $$VALUES ('1500 x "é"', 6::numeric),   -- each "é" is 3 chars: 4500 + 1499 commas + 2 = 6001 (escaped \u00e9: 13501 -> 13)
           ('1500 x "\n"', 7),           -- each "\n" is 4 chars: 6000 + 1499 + 2 = 7501
           ('1000 x U+001F', 9),         -- each "\u001f" is 8 chars: 8000 + 999 + 2 = 9001
           ('2000 x 1.50', 8)$$,         -- 1.50 is written 1.5: 6000 + 1999 + 2 = 8001 (as "1.50": 10001 -> 10)
  'prompt rule for non-string prompts counts their canonical JSON text');

SELECT is(pg_temp.v1('[{"skill":"llm_invoke","params":{"prompt":7}}]'::jsonb)->'step_estimates'->0->'latency_ms',
          '2000'::jsonb, 'the prompt does not change llm_invoke latency (2000)');

-- iterations multiply the per-execution prompt cost: prompt 6000 chars -> 6; x3 -> 18
SELECT is(
  (SELECT jsonb_build_array(e->'base_cost_cents', e->'cost_cents', e->'latency_ms', e->'base_latency_ms')
     FROM (SELECT pg_temp.v1(jsonb_build_array(jsonb_build_object('skill','llm_invoke','iterations',3,
                  'params', jsonb_build_object('prompt', repeat('z', 6000)))))->'step_estimates'->0 AS e) x),
  '[6, 18, 6000, 2000]'::jsonb,
  'prompt 6000 chars x3: base cost 6, cost 18, latency 2000 x 3 = 6000');

SELECT is(
  (pg_temp.v1(jsonb_build_array(jsonb_build_object('skill','kv_get','params',
              jsonb_build_object('prompt', repeat('z', 20000)))))->>'estimated_cost_cents')::numeric,
  0::numeric, 'the prompt rule applies to llm_invoke only (kv_get with a 20000-char prompt costs 0)');

-------------------------------------------------------------------------------------------------------------
-- 4. Timeout rule: http_call with a numeric timeout (s): latency = min(500, timeout x 1000).
-------------------------------------------------------------------------------------------------------------
SELECT results_eq(
  $$SELECT c.label, (e->>'latency_ms')::numeric, (e->>'base_latency_ms')::numeric
      FROM (VALUES (1, 'timeout 0.25',     '[{"skill":"http_call","params":{"timeout":0.25}}]'::jsonb),
                   (2, 'timeout 2',        '[{"skill":"http_call","params":{"timeout":2}}]'),
                   (3, 'timeout 0.5',      '[{"skill":"http_call","params":{"timeout":0.5}}]'),
                   (4, 'timeout 0',        '[{"skill":"http_call","params":{"timeout":0}}]'),
                   (5, 'timeout 0.0625',   '[{"skill":"http_call","params":{"timeout":0.0625}}]'),
                   (6, 'timeout "0.2"',    '[{"skill":"http_call","params":{"timeout":"0.2"}}]'),
                   (7, 'timeout 0.25 x4',  '[{"skill":"http_call","params":{"timeout":0.25},"iterations":4}]'),
                   (8, 'shell timeout',    '[{"skill":"shell_lite","params":{"timeout":0.1}}]'),
                   (9, 'timeout 30',       '[{"skill":"http_call","params":{"timeout":30}}]')
           ) AS c(ord, label, plan),
           LATERAL (SELECT pg_temp.v1(c.plan)->'step_estimates'->0 AS e) x
     ORDER BY c.ord$$,
  $$VALUES ('timeout 0.25', 250::numeric, 250::numeric),  -- min(500, 250)
           ('timeout 2', 500, 500),                       -- min(500, 2000)
           ('timeout 0.5', 500, 500),                     -- min(500, 500)
           ('timeout 0', 0, 0),                           -- min(500, 0)
           ('timeout 0.0625', 62.5, 62.5),                -- fractional latency is kept
           ('timeout "0.2"', 500, 500),                   -- not numeric -> table latency
           ('timeout 0.25 x4', 1000, 250),                -- 250 x 4
           ('shell timeout', 200, 200),                   -- rule is http_call only
           ('timeout 30', 500, 500)$$,
  'timeout rule: min(500, timeout x 1000), numeric timeouts on http_call only');

SELECT is((pg_temp.v1('[{"skill":"http_call","params":{"timeout":0.0625}},{"skill":"kv_get"}]')->>'estimated_duration_ms')::numeric,
          67.5::numeric, 'V1 duration is not rounded: 62.5 + 5 = 67.5');

-------------------------------------------------------------------------------------------------------------
-- 5. Iterations.
-------------------------------------------------------------------------------------------------------------
SELECT is(
  (SELECT jsonb_build_array(e->'iterations', e->'cost_cents', e->'latency_ms')
     FROM (SELECT pg_temp.v1('[{"skill":"kv_set","iterations":100}]')->'step_estimates'->0 AS e) x),
  '[100, 0, 1000]'::jsonb, 'kv_set x100: latency 10 x 100 = 1000');
SELECT ok(
  abs((pg_temp.v1('[{"skill":"kv_set","iterations":100}]')->'step_estimates'->0->>'risk_probability')::float8
      - (1 - (1 - 0.02::float8) ^ 100)) < 1e-12,
  'kv_set x100: risk 1 - 0.98^100 (= 0.8673804...)');
SELECT is(
  (SELECT jsonb_build_array(r->'estimated_cost_cents', r->'estimated_duration_ms')
     FROM (SELECT pg_temp.v1('[{"skill":"email_send","iterations":3}]') AS r) x),
  '[3, 1500]'::jsonb, 'email_send x3: cost 1 x 3 = 3, latency 500 x 3 = 1500');
SELECT is(pg_temp.v1('[{"skill":"email_send"}]')->'step_estimates'->0->'iterations', '1'::jsonb,
          'missing iterations -> 1');
SELECT is(pg_temp.v1('[{"skill":"webhook_send","iterations":7}]')->'risks'->0->>'description',
          'webhook_send x7 has 52% chance of timeout',
          'description: 1 - 0.9^7 = 0.5217031 -> 52%');
SELECT is(pg_temp.v1('[{"skill":"http_call","iterations":2}]')->'risks'->0->>'description',
          'http_call x2 has 19% chance of timeout', 'description: 1 - 0.9^2 = 0.19 -> 19%');
SELECT is(pg_temp.v1('[{"skill":"shell_lite","iterations":5}]')->'risks'->0->>'description',
          'shell_lite x5 has 41% chance of timeout', 'description: 1 - 0.9^5 = 0.40951 -> 41%');
SELECT is(pg_temp.v1('[{"skill":"tool","iterations":3}]', 1000, NULL, 0.9)->'risks'->0->>'description',
          'tool x3 has 49% chance of unknown', 'description: 1 - 0.8^3 = 0.488 -> 49%');
SELECT ok(
  abs((pg_temp.v1('[{"skill":"webhook_send","iterations":7}]')->'risks'->0->>'probability')::float8
      - (1 - 0.9::float8 ^ 7)) < 1e-12,
  'risk probability with iterations: 1 - (1 - p)^n');

-------------------------------------------------------------------------------------------------------------
-- 6. Risks are listed only for base p > 0.05, whatever the iterations.
--    Plan: llm_invoke x100 (p .05, risk ~0.994), http_call, fs_write x50, shell_lite, email_send x20, kv_get
--    -> listed: step 1 (http_call) and step 3 (shell_lite).
-------------------------------------------------------------------------------------------------------------
SELECT is(
  (SELECT jsonb_agg(x->'step_index' ORDER BY ord)
     FROM jsonb_array_elements(pg_temp.v1(
       '[{"skill":"llm_invoke","iterations":100},{"skill":"http_call"},{"skill":"fs_write","iterations":50},
         {"skill":"shell_lite"},{"skill":"email_send","iterations":20},{"skill":"kv_get"}]', 100000, NULL, 1)->'risks')
          WITH ORDINALITY AS t(x, ord)),
  '[1, 3]'::jsonb, 'risks: only steps whose base p > 0.05 (step indexes 1 and 3, 0-based)');

-------------------------------------------------------------------------------------------------------------
-- 7. Permission gaps.
--    Plan [kv_get, http_call, http_call, llm_invoke, kv_get], allowed {kv_get}: gaps in plan order, duplicates kept.
--    cost 5 <= 1000; cumulative 1 - 0.98^2 * 0.9^2 * 0.95 = 0.26 <= 0.5 -> permission_denied.
-------------------------------------------------------------------------------------------------------------
SELECT is(
  (SELECT jsonb_build_object('gaps', r->'permission_gaps', 'status', r->'status', 'feasible', r->'feasible')
     FROM (SELECT pg_temp.v1('[{"skill":"kv_get"},{"skill":"http_call"},{"skill":"http_call"},
                               {"skill":"llm_invoke"},{"skill":"kv_get"}]', 1000, ARRAY['kv_get']) AS r) x),
  '{"gaps": ["http_call", "http_call", "llm_invoke"], "status": "permission_denied", "feasible": false}'::jsonb,
  'permission gaps in plan order with duplicates; status permission_denied');
SELECT is(
  (SELECT jsonb_build_object('gaps', r->'permission_gaps', 'status', r->'status')
     FROM (SELECT pg_temp.v1('[{"skill":"kv_get"},{"skill":"http_call"}]', 1000, ARRAY[]::text[]) AS r) x),
  '{"gaps": [], "status": "feasible"}'::jsonb, 'an empty allowed list allows every skill');
SELECT is(
  (SELECT jsonb_build_object('gaps', r->'permission_gaps', 'status', r->'status')
     FROM (SELECT pg_temp.v1('[{"skill":"kv_get"},{"skill":"http_call"}]', 1000, NULL) AS r) x),
  '{"gaps": [], "status": "feasible"}'::jsonb, 'a NULL allowed list allows every skill');
SELECT is(pg_temp.v1('[{"skill":"kv_get"}]', 1000, ARRAY['KV_GET'])->'permission_gaps', '["kv_get"]'::jsonb,
          'allowed skills are compared exactly (case-sensitive)');
SELECT is(pg_temp.v1('[{}]', 1000, ARRAY['kv_get'])->'permission_gaps', '["unknown"]'::jsonb,
          'a step without skill is the skill "unknown" for permissions too');
SELECT is(pg_temp.v1('[{"skill":"kv_get"},{"skill":"kv_set"}]', 1000, ARRAY['kv_set','kv_get'])->>'status',
          'feasible', 'all skills allowed -> no gap');

-------------------------------------------------------------------------------------------------------------
-- 8. Status precedence: budget, then permission, then risk.
--    Plan P: [tool x4 (cost 40, risk 0.5904), http_call]; cumulative 1 - 0.4096 * 0.9 = 0.63136 > 0.5.
-------------------------------------------------------------------------------------------------------------
SELECT is(pg_temp.v1('[{"skill":"tool","iterations":4},{"skill":"http_call"}]', 10, ARRAY['kv_get'])->>'status',
          'budget_insufficient', 'budget, permission and risk all fail -> budget_insufficient');
SELECT is(pg_temp.v1('[{"skill":"tool","iterations":4},{"skill":"http_call"}]', 1000, ARRAY['kv_get'])->>'status',
          'permission_denied', 'permission and risk fail -> permission_denied');
SELECT is(
  (SELECT jsonb_build_array(r->'status', r->'feasible', r->'warnings')
     FROM (SELECT pg_temp.v1('[{"skill":"tool","iterations":4},{"skill":"http_call"}]', 1000, NULL) AS r) x),
  '["risk_too_high", false, ["Cumulative risk 63% exceeds threshold 50%"]]'::jsonb,
  'risk alone fails -> risk_too_high, warning with round(63.136) = 63%');
SELECT is(
  (SELECT jsonb_build_array(r->'status', r->'feasible', r->'budget_remaining_cents', r->'budget_sufficient', r->'alternatives')
     FROM (SELECT pg_temp.v1('[{"skill":"llm_invoke"}]', 5) AS r) x),
  '["feasible", true, 0, true, []]'::jsonb, 'cost equal to the budget is sufficient (cost > budget fails)');
SELECT is(
  (SELECT jsonb_build_array(r->'status', r->'budget_remaining_cents', r->'metadata'->'budget_utilization')
     FROM (SELECT pg_temp.v1('[{"skill":"kv_get"}]', 0) AS r) x),
  '["feasible", 0, 0]'::jsonb, 'budget 0 with a free plan: feasible, utilization 0 / max(0, 1) = 0');
SELECT is(
  (SELECT jsonb_build_array(r->'status', r->'budget_remaining_cents', r->'metadata'->'budget_utilization')
     FROM (SELECT pg_temp.v1('[{"skill":"tool"}]', 0) AS r) x),
  '["budget_insufficient", -10, 10]'::jsonb, 'budget 0, cost 10: remaining -10, utilization 10 / max(0, 1) = 10');
-- cumulative risk equal to the threshold is not "> threshold": http_call alone has 1 - 0.9 = 0.09999999999999998
SELECT is(pg_temp.v1('[{"skill":"http_call"}]', 1000, NULL, 1 - (1 - 0.1::float8))->>'status', 'feasible',
          'cumulative risk equal to the threshold -> feasible (strict >)');
SELECT is(pg_temp.v1('[{"skill":"http_call"}]', 1000, NULL, 0.0999)->>'status', 'risk_too_high',
          'cumulative risk 0.09999999999999998 > 0.0999 -> risk_too_high');
SELECT is(pg_temp.v1('[{"skill":"tool","iterations":100}]', 100000, NULL, 1)->>'status', 'feasible',
          'threshold 1: nothing exceeds it');
SELECT is(pg_temp.v1('[{"skill":"kv_get"}]', 1000, NULL, 0)->'warnings',
          '["Cumulative risk 2% exceeds threshold 0%"]'::jsonb, 'threshold 0: kv_get (0.02) is too risky');
-- round half to even: 0.125 x 100 = 12.5 -> 12 ; 0.375 x 100 = 37.5 -> 38 (both exact in binary)
SELECT is(pg_temp.v1('[{"skill":"http_call","iterations":2}]', 1000, NULL, 0.125)->'warnings',
          '["Cumulative risk 19% exceeds threshold 12%"]'::jsonb, 'warning rounds 12.5 half to even -> 12');
SELECT is(pg_temp.v1('[{"skill":"tool","iterations":3}]', 1000, NULL, 0.375)->'warnings',
          '["Cumulative risk 49% exceeds threshold 38%"]'::jsonb, 'warning rounds 37.5 half to even -> 38, 48.8 -> 49');
SELECT is(pg_temp.v1('[{"skill":"tool","iterations":4},{"skill":"http_call"}]', 1000, ARRAY['kv_get'])->'permission_gaps',
          '["tool", "http_call"]'::jsonb, 'permission_denied result still lists its gaps');

-------------------------------------------------------------------------------------------------------------
-- 9. Warnings and feasible results.
-------------------------------------------------------------------------------------------------------------
SELECT is(pg_temp.v1('[{"skill":"kv_get"},{"skill":"json_transform"}]')->'warnings', '[]'::jsonb,
          'a feasible plan has no warnings');
SELECT ok(
  abs((pg_temp.v1('[{"skill":"kv_get"},{"skill":"json_transform"},{"skill":"fs_read","iterations":3}]')
        ->'metadata'->>'cumulative_risk')::float8
      - (1 - (0.98::float8 * 0.99::float8 * 0.95::float8 ^ 3))) < 1e-12,
  'cumulative risk = 1 - 0.98 x 0.99 x 0.95^3 (= 0.15677...)');

-------------------------------------------------------------------------------------------------------------
-- 10. Empty plan: invalid_plan, feasible false, cost 0, duration 0, warnings ["Empty plan provided"].
-------------------------------------------------------------------------------------------------------------
SELECT is(
  (SELECT jsonb_build_array(r->'status', r->'feasible', r->'estimated_cost_cents', r->'estimated_duration_ms', r->'warnings')
     FROM (SELECT pg_temp.v1('[]') AS r) x),
  '["invalid_plan", false, 0, 0, ["Empty plan provided"]]'::jsonb, 'empty plan -> invalid_plan');
SELECT is(pg_temp.v1('[]', 0, ARRAY['kv_get'], 0)->>'status', 'invalid_plan',
          'empty plan is invalid_plan whatever the budget, allowed list and threshold');
SELECT is(
  (SELECT jsonb_build_array(r->'step_estimates', r->'risks', r->'permission_gaps', r->'metadata'->'plan_steps')
     FROM (SELECT pg_temp.v1('[]') AS r) x),
  '[[], [], [], 0]'::jsonb, 'empty plan: no steps, risks or gaps; plan_steps 0');

-------------------------------------------------------------------------------------------------------------
-- 11. Alternatives: only when the budget is insufficient; savings = sum of llm_invoke step costs.
--    Plan: [llm_invoke prompt 6000 x2 (6 x 2 = 12), kv_get, llm_invoke (5), tool (10)] = 27 > 20.
-------------------------------------------------------------------------------------------------------------
SELECT is(
  pg_temp.v1(jsonb_build_array(
     jsonb_build_object('skill','llm_invoke','iterations',2,'params',jsonb_build_object('prompt',repeat('p',6000))),
     jsonb_build_object('skill','kv_get'), jsonb_build_object('skill','llm_invoke'), jsonb_build_object('skill','tool')), 20)
   ->'alternatives',
  '[{"suggestion": "Reduce LLM calls", "potential_savings_cents": 17}]'::jsonb,
  'alternatives: savings 12 + 5 = 17');
SELECT is(pg_temp.v1('[{"skill":"tool"}]', 5)->'alternatives',
          '[{"suggestion": "Reduce LLM calls", "potential_savings_cents": 0}]'::jsonb,
          'budget insufficient without llm_invoke: savings 0');
SELECT is(pg_temp.v1('[{"skill":"llm_invoke","iterations":3}]', 1000)->'alternatives', '[]'::jsonb,
          'no alternatives when the budget is sufficient');
SELECT is(pg_temp.v1('[{"skill":"tool"}]', 1000, ARRAY['kv_get'])->'alternatives', '[]'::jsonb,
          'no alternatives for permission_denied');

-------------------------------------------------------------------------------------------------------------
-- 12. Metadata.
-------------------------------------------------------------------------------------------------------------
SELECT is(
  (SELECT jsonb_build_array(r->'metadata'->'plan_steps', to_jsonb(round((r->'metadata'->>'budget_utilization')::numeric, 9)),
                            r->'estimated_cost_cents', r->'budget_remaining_cents')
     FROM (SELECT pg_temp.v1(jsonb_build_array(
        jsonb_build_object('skill','llm_invoke','iterations',2,'params',jsonb_build_object('prompt',repeat('p',6000))),
        jsonb_build_object('skill','kv_get'), jsonb_build_object('skill','llm_invoke'), jsonb_build_object('skill','tool')), 20) AS r) x),
  '[4, 1.35, 27, -7]'::jsonb, 'metadata: 4 steps, utilization 27 / 20 = 1.35; remaining 20 - 27 = -7');
SELECT is(
  (SELECT jsonb_agg(e->'step_index' ORDER BY o)
     FROM jsonb_array_elements(pg_temp.v1('[{"skill":"a"},{"skill":"b"},{"skill":"c"}]')->'step_estimates')
          WITH ORDINALITY t(e, o)),
  '[0, 1, 2]'::jsonb, 'step_index is 0-based, in plan order');
SELECT is(
  (SELECT jsonb_agg(e->'skill_id' ORDER BY o)
     FROM jsonb_array_elements(pg_temp.v1('[{"skill":"c"},{"skill":"a"},{"skill":"b"}]')->'step_estimates')
          WITH ORDINALITY t(e, o)),
  '["c", "a", "b"]'::jsonb, 'step estimates keep plan order');

-------------------------------------------------------------------------------------------------------------
-- 13. Defaults of the SQL signature: budget 1000, allowed NULL, threshold 0.5.
-------------------------------------------------------------------------------------------------------------
SELECT is(costsim.simulate_v1('[{"skill":"tool","iterations":3}]'::jsonb)->'budget_remaining_cents', '970'::jsonb,
          'default budget is 1000 (1000 - 30)');
SELECT is(costsim.simulate_v1('[{"skill":"tool","iterations":3}]'::jsonb)->>'status', 'feasible',
          'default threshold 0.5: 0.488 is not too risky');
SELECT is(costsim.simulate_v1('[{"skill":"tool","iterations":4}]'::jsonb)->>'status', 'risk_too_high',
          'default threshold 0.5: 0.5904 is too risky');
SELECT * FROM finish();
ROLLBACK;
