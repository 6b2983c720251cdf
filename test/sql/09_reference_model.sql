-- A reference model of V1 and V2 written in PL/pgSQL straight from spec/costsim.md sections 2 and 3
-- (independent of the extension's code), compared field by field with simulate_v1 / simulate_v2 on
-- 1000 random plans. Floats are compared with a tolerance of 1e-9 (the order of float additions may differ);
-- strings, statuses, integers and rounded totals exactly.
-- The generator uses string prompts and commands only (the canonical-JSON length of non-string values is
-- covered by hand-written cases in 01 and 02).
BEGIN;
SELECT plan(16);

-- V1 skill table (spec section 2)
CREATE TEMP TABLE ref_v1_skill (skill text PRIMARY KEY, cost float8, latency float8, p float8, risk_type text);
INSERT INTO ref_v1_skill VALUES
  ('http_call', 0, 500, 0.10, 'timeout'), ('llm_invoke', 5, 2000, 0.05, 'rate_limit'),
  ('json_transform', 0, 10, 0.01, 'transform_error'), ('fs_read', 0, 50, 0.05, 'not_found'),
  ('fs_write', 0, 100, 0.05, 'permission'), ('shell_lite', 0, 200, 0.10, 'timeout'),
  ('kv_get', 0, 5, 0.02, 'not_found'), ('kv_set', 0, 10, 0.02, 'quota'),
  ('webhook_send', 0, 300, 0.10, 'timeout'), ('email_send', 1, 500, 0.05, 'delivery');
CREATE TEMP TABLE ref_mitigation (risk_type text PRIMARY KEY, text text);
INSERT INTO ref_mitigation VALUES
  ('timeout', 'Add retry with exponential backoff'), ('rate_limit', 'Implement client-side throttling'),
  ('transform_error', 'Validate input schema before transform'), ('not_found', 'Add existence check before access'),
  ('permission', 'Verify permissions before write'), ('quota', 'Check quota before operation'),
  ('delivery', 'Use delivery confirmation'), ('unknown', 'Add error handling and monitoring');
-- V2 coefficients of model 2.0.0 (spec section 3)
CREATE TEMP TABLE ref_v2_skill (skill text PRIMARY KEY, cost float8, latency float8, confidence float8, risk_type text, p float8);
INSERT INTO ref_v2_skill VALUES
  ('http_call', 0, 350, 0.85, 'timeout', 0.08), ('llm_invoke', 3.5, 1800, 0.92, 'rate_limit', 0.03),
  ('json_transform', 0, 5, 0.98, 'transform_error', 0.005), ('fs_read', 0, 30, 0.95, 'not_found', 0.03),
  ('fs_write', 0, 50, 0.94, 'permission', 0.02), ('shell_lite', 0, 150, 0.88, 'timeout', 0.07),
  ('kv_get', 0, 3, 0.97, 'not_found', 0.01), ('kv_set', 0, 5, 0.97, 'quota', 0.01),
  ('webhook_send', 0, 200, 0.90, 'timeout', 0.08), ('email_send', 0.8, 350, 0.93, 'delivery', 0.03);

-- PostgreSQL's round(double precision) is rint(): half to even, like the spec's round().
CREATE FUNCTION pg_temp.ref_v1(plan jsonb, budget int, allowed text[], thr float8) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  st jsonb; idx int := -1; sk text; params jsonb; n int;
  c float8; l float8; p float8; rt text;
  cost float8 := 0; dur float8 := 0; survive float8 := 1; llm float8 := 0; prob float8;
  risks jsonb := '[]'; steps jsonb := '[]'; gaps jsonb := '[]'; warnings jsonb := '[]';
  status text; cum float8; alternatives jsonb := '[]';
BEGIN
  IF jsonb_array_length(plan) = 0 THEN
    RETURN jsonb_build_object('feasible', false, 'status', 'invalid_plan', 'estimated_cost_cents', 0,
                              'estimated_duration_ms', 0, 'warnings', '["Empty plan provided"]'::jsonb);
  END IF;
  FOR st IN SELECT e FROM jsonb_array_elements(plan) e LOOP
    idx := idx + 1;
    sk := coalesce(st->>'skill', 'unknown');
    params := coalesce(st->'params', '{}');
    n := coalesce((st->>'iterations')::int, 1);
    SELECT s.cost, s.latency, s.p, s.risk_type INTO c, l, p, rt FROM ref_v1_skill s WHERE s.skill = sk;
    IF NOT FOUND THEN c := 10; l := 1000; p := 0.20; rt := 'unknown'; END IF;
    IF sk = 'llm_invoke' AND params ? 'prompt' THEN
      c := greatest(5, floor(length(params->>'prompt') / 1000));
    END IF;
    IF sk = 'http_call' AND jsonb_typeof(params->'timeout') = 'number' THEN
      l := least(500, (params->>'timeout')::float8 * 1000);
    END IF;
    prob := 1 - (1 - p) ^ n;
    steps := steps || jsonb_build_array(jsonb_build_object('step_index', idx, 'skill_id', sk, 'cost_cents', c * n,
               'latency_ms', l * n, 'risk_probability', prob, 'risk_type', rt, 'iterations', n,
               'base_cost_cents', c, 'base_latency_ms', l));
    cost := cost + c * n;
    dur := dur + l * n;
    survive := survive * (1 - p) ^ n;
    IF sk = 'llm_invoke' THEN llm := llm + c * n; END IF;
    IF p > 0.05 THEN
      risks := risks || jsonb_build_array(jsonb_build_object('step_index', idx, 'skill_id', sk, 'risk_type', rt,
                 'probability', prob,
                 'description', format('%s x%s has %s%% chance of %s', sk, n, round(prob * 100)::bigint, rt),
                 'mitigation', (SELECT m.text FROM ref_mitigation m WHERE m.risk_type = rt)));
    END IF;
    IF coalesce(cardinality(allowed), 0) > 0 AND NOT (sk = ANY (allowed)) THEN
      gaps := gaps || to_jsonb(sk);
    END IF;
  END LOOP;
  cum := 1 - survive;
  IF cost > budget THEN
    status := 'budget_insufficient';
    alternatives := jsonb_build_array(jsonb_build_object('suggestion', 'Reduce LLM calls', 'potential_savings_cents', llm));
  ELSIF jsonb_array_length(gaps) > 0 THEN
    status := 'permission_denied';
  ELSIF cum > thr THEN
    status := 'risk_too_high';
    warnings := jsonb_build_array(format('Cumulative risk %s%% exceeds threshold %s%%', round(cum * 100)::bigint, round(thr * 100)::bigint));
  ELSE
    status := 'feasible';
  END IF;
  RETURN jsonb_build_object('feasible', status = 'feasible', 'status', status, 'estimated_cost_cents', cost,
    'estimated_duration_ms', dur, 'budget_remaining_cents', budget - cost, 'budget_sufficient', cost <= budget,
    'permission_gaps', gaps, 'risks', risks, 'step_estimates', steps, 'alternatives', alternatives, 'warnings', warnings,
    'metadata', jsonb_build_object('plan_steps', idx + 1, 'cumulative_risk', cum, 'budget_utilization', cost / greatest(budget, 1)));
END $$;

-- The exact decimal value of a double (m x 2^-k = m x 5^k / 10^k), so that round(x, k) rounds the binary
-- value itself, as the spec's (Python's) round does: 0.85 x 0.95 x 0.98 = 0.79134999999999999787 -> 0.7913.
CREATE FUNCTION pg_temp.exact(x float8) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
  b bigint; e int; m numeric; k int; digits text;
BEGIN
  IF x = 0 THEN RETURN 0; END IF;
  b := ('x' || encode(float8send(abs(x)), 'hex'))::bit(64)::bigint;
  e := (b >> 52)::int;
  m := (b & 4503599627370495) + CASE WHEN e > 0 THEN 4503599627370496 ELSE 0 END;
  k := 1075 - greatest(e, 1);
  IF k <= 0 THEN
    FOR j IN 1..-k LOOP m := m * 2; END LOOP;
    RETURN sign(x)::numeric * m;
  END IF;
  FOR j IN 1..k LOOP m := m * 5; END LOOP;
  digits := m::text;
  IF length(digits) < k + 1 THEN digits := lpad(digits, k + 1, '0'); END IF;   -- (lpad would also truncate)
  RETURN sign(x)::numeric * (left(digits, length(digits) - k) || '.' || right(digits, k))::numeric;
END $$;

CREATE FUNCTION pg_temp.ref_v2(plan jsonb, budget int, allowed text[]) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  st jsonb; idx int := -1; sk text; params jsonb; n int;
  c float8; l float8; conf float8; p float8; rt text; lc float8; oc float8; timeout float8; url text;
  cost float8 := 0; dur float8 := 0; survive float8 := 1; confprod float8 := 1; prob float8;
  steps jsonb := '[]'; reported jsonb := '[]'; denied text[] := '{}'; status text; warnings jsonb := '[]';
  est_cost float8; est_dur float8; cum float8;
BEGIN
  IF jsonb_array_length(plan) = 0 THEN
    RETURN jsonb_build_object('status', 'schema_error', 'feasible', false, 'confidence_score', 0);
  END IF;
  FOR st IN SELECT e FROM jsonb_array_elements(plan) e LOOP
    idx := idx + 1;
    sk := coalesce(st->>'skill', 'unknown');
    params := coalesce(st->'params', '{}');
    n := coalesce((st->>'iterations')::int, 1);
    SELECT s.cost, s.latency, s.confidence, s.p, s.risk_type INTO c, l, conf, p, rt FROM ref_v2_skill s WHERE s.skill = sk;
    IF NOT FOUND THEN c := 5; l := 500; conf := 0.60; p := 0.15; rt := 'unknown'; END IF;
    IF sk = 'llm_invoke' THEN
      lc := coalesce(length(params->>'prompt'), 0);
      oc := least(2 * lc, 4000);
      c := c + (lc / 1000 * 0.8 + oc / 1000 * 1.2);   -- "cost += a + b": the sum is added
      l := l + lc / 1000 * 200;
      IF lc > 2000 THEN conf := conf * 0.95; END IF;
      IF lc > 4000 THEN conf := conf * 0.90; END IF;
    ELSIF sk = 'http_call' THEN
      timeout := CASE WHEN jsonb_typeof(params->'timeout') = 'number' THEN (params->>'timeout')::float8 ELSE 30 END;
      l := least(l + 150, timeout * 1000);
      url := CASE WHEN jsonb_typeof(params->'url') = 'string' THEN params->>'url' END;
      IF url IS NULL OR NOT (url LIKE 'http://localhost%' OR url LIKE 'http://127.0.0.1%') THEN
        p := p * 1.5; conf := conf * 0.95;
      END IF;
    ELSIF sk = 'shell_lite' THEN
      IF length(params->>'command') > 100 THEN p := p * 1.2; conf := conf * 0.95; END IF;
    END IF;
    prob := CASE WHEN n = 1 THEN p ELSE 1 - (1 - p) ^ n END;
    steps := steps || jsonb_build_array(jsonb_build_object('step_index', idx, 'skill_id', sk, 'cost_cents', c * n,
               'latency_ms', l * n, 'risk_probability', prob, 'risk_type', rt, 'iterations', n, 'confidence', conf));
    cost := cost + c * n;
    dur := dur + l * n;
    confprod := confprod * conf;
    IF prob > 0.02 THEN
      reported := reported || to_jsonb(idx);
      survive := survive * (1 - prob);
    END IF;
    IF coalesce(cardinality(allowed), 0) > 0 AND NOT (sk = ANY (allowed)) AND NOT (sk = ANY (denied)) THEN
      denied := denied || sk;
    END IF;
  END LOOP;
  est_cost := round(cost);
  est_dur := round(dur);
  cum := 1 - survive;
  IF est_cost > budget THEN
    status := 'error';
    warnings := jsonb_build_array(format('Budget insufficient: need %s cents, have %s', est_cost::bigint, budget));
  ELSIF cardinality(denied) > 0 THEN
    status := 'error';
    warnings := jsonb_build_array('Permission denied for skills: ' || array_to_string(denied, ', '));
  ELSIF cum > 0.5 THEN
    status := 'error';
    warnings := jsonb_build_array(format('Risk too high: %s%% > 50.0%%', round(pg_temp.exact(cum * 100), 1)::text));
  ELSE
    status := 'success';
  END IF;
  RETURN jsonb_build_object('feasible', status = 'success', 'status', status, 'estimated_cost_cents', est_cost,
    'estimated_duration_ms', est_dur, 'budget_remaining_cents', budget - est_cost, 'warnings', warnings,
    'step_estimates', steps, 'reported', reported, 'cumulative_risk', cum, 'confidence_score', round(pg_temp.exact(confprod), 4),
    'plan_steps', idx + 1);
END $$;

-- |a - b| <= 1e-9 (relative to max(1, |b|)), on two JSON numbers
CREATE FUNCTION pg_temp.near(a jsonb, b jsonb) RETURNS boolean LANGUAGE sql AS $$
  SELECT jsonb_typeof(a) = 'number' AND jsonb_typeof(b) = 'number'
     AND abs((a #>> '{}')::float8 - (b #>> '{}')::float8) <= 1e-9 * greatest(1, abs((b #>> '{}')::float8))
$$;
-- step estimates equal up to the float tolerance (keys of b are compared; numbers with near(), others exactly)
CREATE FUNCTION pg_temp.steps_match(a jsonb, b jsonb) RETURNS boolean LANGUAGE sql AS $$
  SELECT jsonb_array_length(a) = jsonb_array_length(b)
     AND NOT EXISTS (
       SELECT 1 FROM jsonb_array_elements(b) WITH ORDINALITY AS sb(e, o), jsonb_each(sb.e) AS kv(k, v)
        WHERE NOT CASE WHEN jsonb_typeof(kv.v) = 'number' THEN pg_temp.near(a -> (sb.o::int - 1) -> kv.k, kv.v)
                       ELSE (a -> (sb.o::int - 1) -> kv.k) = kv.v END)
$$;

-------------------------------------------------------------------------------------------------------------
-- 1000 random plans (0..8 steps, 0 = empty plan), deterministic via setseed.
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE rp (i int PRIMARY KEY, plan jsonb, budget int, allowed text[], thr float8);
DO $$ BEGIN PERFORM setseed(-0.3141592); END $$;
DO $$
DECLARE
  skills text[] := ARRAY['http_call','llm_invoke','json_transform','fs_read','fs_write','shell_lite','kv_get',
                         'kv_set','webhook_send','email_send','mystery_tool','unknown','LLM_INVOKE'];
  urls text[] := ARRAY['http://localhost:8080/a','http://127.0.0.1/b','https://api.example.com/c','http://example.org/',
                       'https://localhost/','http://localhost'];
  steps jsonb; step jsonb; params jsonb; n int; sk text;
BEGIN
  FOR i IN 1..1000 LOOP
    steps := '[]';
    n := floor(random() * 9)::int;
    FOR j IN 1..n LOOP
      sk := skills[1 + floor(random() * array_length(skills, 1))::int];
      params := '{}';
      IF random() < 0.5 THEN
        params := params || jsonb_build_object('prompt', CASE floor(random() * 4)::int
                    WHEN 0 THEN repeat('p', floor(random() * 9000)::int)
                    WHEN 1 THEN repeat('ж', floor(random() * 6000)::int)
                    WHEN 2 THEN repeat('😀', floor(random() * 5000)::int)
                    ELSE repeat('q', (ARRAY[0, 999, 1000, 1999, 2000, 2001, 4000, 4001, 5000, 5999, 6000])[1 + floor(random() * 11)::int]) END);
      END IF;
      IF random() < 0.4 THEN
        params := params || jsonb_build_object('timeout', CASE WHEN random() < 0.9 THEN to_jsonb(round((random() * 3)::numeric, 3))
                                                               ELSE to_jsonb('1'::text) END);
      END IF;
      IF random() < 0.5 THEN params := params || jsonb_build_object('url', urls[1 + floor(random() * 6)::int]); END IF;
      IF random() < 0.4 THEN params := params || jsonb_build_object('command', repeat('c', 90 + floor(random() * 20)::int)); END IF;
      step := jsonb_build_object('skill', sk, 'iterations', CASE WHEN random() < 0.6 THEN 1 + floor(random() * 3)::int
                                                                 ELSE 1 + floor(random() * 100)::int END);
      IF random() < 0.85 THEN step := step || jsonb_build_object('params', params); END IF;
      IF random() < 0.1 THEN step := step - 'iterations'; END IF;
      IF random() < 0.05 THEN step := step - 'skill'; END IF;
      steps := steps || jsonb_build_array(step);
    END LOOP;
    INSERT INTO rp VALUES (i, steps,
      CASE WHEN random() < 0.2 THEN floor(random() * 10)::int ELSE floor(random() * 400)::int END,
      CASE floor(random() * 4)::int WHEN 0 THEN NULL WHEN 1 THEN '{}'::text[]
           ELSE (SELECT coalesce(array_agg(s), '{}') FROM unnest(skills) s WHERE random() < 0.75) END,
      CASE WHEN random() < 0.5 THEN 0.5 ELSE round(random()::numeric, 2)::float8 END);
  END LOOP;
END $$;

CREATE TEMP TABLE r1 AS
  SELECT i, plan, costsim.simulate_v1(plan, budget, allowed, thr) AS got, pg_temp.ref_v1(plan, budget, allowed, thr) AS want FROM rp;
CREATE TEMP TABLE r2 AS
  SELECT i, plan, costsim.simulate_v2(plan, budget, allowed) AS got, pg_temp.ref_v2(plan, budget, allowed) AS want FROM rp;

-- the sample is varied enough to mean something
SELECT ok((SELECT count(DISTINCT want->>'status') = 5 FROM r1), 'the random plans reach all five V1 statuses');
SELECT ok((SELECT count(DISTINCT CASE WHEN want->>'status' <> 'error' THEN want->>'status'
                                      ELSE split_part(want->'warnings'->>0, ' ', 1) END) = 5 FROM r2),
          'the random plans reach success, schema_error and the three V2 warnings');

-- a failing check lists the first few plans that differ (long repeated characters abbreviated)
CREATE FUNCTION pg_temp.brief(j jsonb) RETURNS text LANGUAGE sql AS $$ SELECT regexp_replace(j::text, '(.)\1{20,}', '\1...', 'g') $$;
CREATE FUNCTION pg_temp.report(t text, cond text, what text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE bad int[]; ex text;
BEGIN
  EXECUTE format('SELECT array_agg(i ORDER BY i) FROM %s WHERE NOT coalesce((%s), false)', t, cond) INTO bad;
  IF bad IS NULL THEN RETURN ok(true, what); END IF;
  EXECUTE format('SELECT string_agg(format(''plan %%s: %%s%%s  got  %%s%%s  want %%s'', i, pg_temp.brief(plan), E''\n'', pg_temp.brief(got), E''\n'', pg_temp.brief(want)), E''\n'') FROM (SELECT * FROM %s WHERE i = ANY ($1) ORDER BY i LIMIT 2) x', t)
    INTO ex USING bad;
  RETURN ok(false, what) || E'\n' || diag(cardinality(bad) || ' plans differ: ' || array_to_string(bad[1:20], ', ') || E'\n' || left(ex, 6000));
END $$;

-------------------------------------------------------------------------------------------------------------
-- V1
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.report('r1', $$(got->'status') = (want->'status') AND (got->'feasible') = (want->'feasible')$$,
                      'V1 status and feasible agree with the reference on 1000 random plans');
SELECT pg_temp.report('r1', $$pg_temp.near(got->'estimated_cost_cents', want->'estimated_cost_cents')
                               AND pg_temp.near(got->'estimated_duration_ms', want->'estimated_duration_ms')$$,
                      'V1 cost and duration agree');
SELECT pg_temp.report('r1', $$(got->'warnings') = (want->'warnings')$$, 'V1 warnings agree');
SELECT pg_temp.report('r1', $$jsonb_array_length(plan) = 0
                               OR (pg_temp.near(got->'budget_remaining_cents', want->'budget_remaining_cents')
                                   AND (got->'budget_sufficient') = (want->'budget_sufficient')
                                   AND (got->'permission_gaps') = (want->'permission_gaps')
                                   AND (got->'alternatives') = (want->'alternatives'))$$,
                      'V1 budget_remaining, budget_sufficient, permission_gaps, alternatives agree');
SELECT pg_temp.report('r1', $$jsonb_array_length(plan) = 0 OR pg_temp.steps_match(got->'step_estimates', want->'step_estimates')$$,
                      'V1 step estimates agree');
SELECT pg_temp.report('r1', $$jsonb_array_length(plan) = 0 OR pg_temp.steps_match(got->'risks', want->'risks')$$,
                      'V1 risks (steps, probabilities, descriptions, mitigations) agree');
SELECT pg_temp.report('r1', $$jsonb_array_length(plan) = 0
                               OR ((got->'metadata'->'plan_steps') = (want->'metadata'->'plan_steps')
                                   AND pg_temp.near(got->'metadata'->'cumulative_risk', want->'metadata'->'cumulative_risk')
                                   AND pg_temp.near(got->'metadata'->'budget_utilization', want->'metadata'->'budget_utilization'))$$,
                      'V1 metadata agrees');

-------------------------------------------------------------------------------------------------------------
-- V2
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.report('r2', $$(got->'status') = (want->'status') AND (got->'feasible') = (want->'feasible')$$,
                      'V2 status and feasible agree with the reference on 1000 random plans');
SELECT pg_temp.report('r2', $$jsonb_array_length(plan) = 0
                               OR ((got->'estimated_cost_cents') = (want->'estimated_cost_cents')
                                   AND (got->'estimated_duration_ms') = (want->'estimated_duration_ms')
                                   AND (got->'budget_remaining_cents') = (want->'budget_remaining_cents'))$$,
                      'V2 rounded cost, duration and budget_remaining agree');
SELECT pg_temp.report('r2', $$jsonb_array_length(plan) = 0 OR (got->'warnings') = (want->'warnings')$$, 'V2 warnings agree (non-empty plans)');
SELECT pg_temp.report('r2', $$abs((got->>'confidence_score')::numeric - (want->>'confidence_score')::numeric) < 1e-9$$,
                      'V2 confidence_score agrees');
SELECT pg_temp.report('r2', $$jsonb_array_length(plan) = 0 OR pg_temp.steps_match(got->'step_estimates', want->'step_estimates')$$,
                      'V2 step estimates (cost, latency, risk, confidence) agree');
SELECT pg_temp.report('r2', $$jsonb_array_length(plan) = 0
                               OR ((SELECT coalesce(jsonb_agg(r->'step_index' ORDER BY o), '[]') FROM jsonb_array_elements(got->'risks') WITH ORDINALITY t(r, o))
                                     = (want->'reported')
                                   AND pg_temp.near(got->'metadata'->'cumulative_risk', want->'cumulative_risk')
                                   AND (got->'metadata'->'plan_steps') = (want->'plan_steps'))$$,
                      'V2 reported risks (p > 0.02) and cumulative risk agree');
SELECT pg_temp.report('r2', $$(got->>'model_version') = '2.0.0' AND jsonb_typeof(got->'runtime_us') = 'number'$$,
                      'V2 model_version and runtime_us present on every result');

SELECT * FROM finish();
ROLLBACK;
