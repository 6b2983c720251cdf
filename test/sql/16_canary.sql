-- The canary (spec section 8; sql/src/canary.sql; extension/core/canary.hpp): judge_canary's rules and failure
-- reasons, run_canary over the golden datasets and recent shadow inputs (the 7 days before as_of), exact counts,
-- the golden validations and diff artifacts it keeps, inconclusive below costsim.canary_min_samples, three failed
-- "daily" canaries opening the breaker (P1), the half-open trial (pass closes, failure reopens with the TTL
-- doubled), the worker's queue (request_canary, claim_canary_request, execute_canary, interrupt_canaries,
-- fail_canary, request_half_open_trial), pg_cron scheduling, the input rules, metrics and privileges.
--
-- Every expected value comes from the spec and the documented rules, never from running the code. The per-sample
-- figures below were worked out from spec sections 2-4 and 9 for the shipped datasets (datasets/*/1.0.0.jsonl,
-- whose expected_cost_cents / expected_feasible are V1's answers) and the candidate models this file inserts (a
-- third one, c16-nostar, is described where it is used):
--
--   c16-v1like: V1's skill table as V2 coefficients (base costs 0/5/1/10 as V1's, risk factors = V1's p, '*' row
--   10 cents, confidence 1, no latency variance), except llm_invoke: base 4.7 cents + 0.5 cent per 1k prompt
--   characters, no output price. (With a flat 5 cents, the 100,000-character prompt of noise_injected (V1: 100
--   cents) would be 95 cents off: std of |error| 31.4 > 25 and drift 0.43 > 0.25, so noise_injected would not be
--   acceptable and no canary could pass.) On the 99 golden samples it differs from V1 on exactly six:
--     hv-004  L=2000:   V2 4.7 + 1.0 = 5.7 -> 6,  V1 5:   pct 0.2   -> drift 0.12   minor_drift
--     hv-005  L=4000:   V2 4.7 + 2.0 = 6.7 -> 7,  V1 5:   pct 0.4   -> drift 0.24   mismatch (major under 0.25)
--     hv-006  L=8000:   V2 4.7 + 4.0 = 8.7 -> 9,  V1 8:   pct 0.125 -> drift 0.075  minor_drift
--     hi-016  L=2220:   V2 5.81 + 1 = 6.81 -> 7,  V1 6:   pct 1/6   -> drift 0.1    minor_drift
--     ni-006  L=100000: V2 4.7 + 50 = 54.7 -> 55, V1 100: pct 0.45  -> drift 0.27   mismatch
--     ni-007  llm_invoke x2 without a prompt: V2 9.4 -> 9, V1 10: pct 0.1 -> drift 0.06 minor_drift
--   and agrees with V1 on feasibility everywhere (the closest risks, mc-001 0.4978 and mc-024 0.4867, stay under 0.5).
--   So: 93 match, 4 minor_drift, 0 major_drift, 2 mismatch, 0 drift scores > 0.5; |delta| p50 = p90 = 0; fail
--   ratio 2/99; cost deltas +1 +2 +1 +1 -45 -1 (MAD 0: 6 modified-z outliers). Validations (|V2 - expected|):
--     high_variance  errors 1,2,1 of 16: mean 0.25, median 0, std 0.5590, drift 0.3*0.25/10 + 0.2*0.5590/15
--     historical     error 1 of 20:      mean 0.05, median 0, std 0.2179, drift 0.3*0.05/5 + 0.2*0.2179/8
--     low_variance, mixed_city: no error, drift 0
--     noise_injected errors 45,1 of 8:   mean 5.75, median 0, std 14.8387 (<= 25), drift 0.2050 (<= 0.25)
--   all acceptable: the canary passes.
--   c16-x3: every price of c16-v1like x 3. 47 of the 99 golden samples become mismatches (every sample with a
--   V1 cost > 0; 46 of them with a drift score over 0.5: all but ni-006, 164 vs 100 -> 0.384), 52 match; golden
--   validations: low_variance acceptable, high_variance, historical, mixed_city and noise_injected not.
--
-- Shadow inputs are made with costsim.simulate (sandbox on) and then dated 2001-02-03 12:00 UTC, so that the
-- canaries' windows (as_of in 2001) hold exactly these rows whatever else the shared cluster holds. Five distinct
-- inputs (plus one repeat): kv_get (0 cents), email_send (1), an unknown skill (10), json_transform (0), an
-- llm_invoke with a 5-character prompt (5). Under c16-v1like all five match; under c16-x3 email_send (3 vs 1),
-- the unknown skill (30 vs 10) and the llm_invoke (14.1075 -> 14 vs 5) are mismatches with drift 0.6.
-- (The shadowed calls themselves run under c16-v1like: they put only zero drift scores in the breaker's shared
-- window, which is not rolled back.)
--
-- Everything happens in this one transaction, rolled back at the end (the background workers never see these
-- requests: they are not committed).
BEGIN;
SELECT plan(243);

SET LOCAL costsim.cb_auto_trip = off;
SET LOCAL costsim.tenant_id = 'c16-tenant';

-------------------------------------------------------------------------------------------------------------
-- Helpers (called as the superuser only).
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE marks (k text PRIMARY KEY, n bigint, ts timestamptz);
CREATE FUNCTION pg_temp.put(key text, val bigint, at timestamptz DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
  INSERT INTO marks VALUES (key, val, at) ON CONFLICT (k) DO UPDATE SET n = EXCLUDED.n, ts = EXCLUDED.ts
$$;
CREATE FUNCTION pg_temp.n(key text) RETURNS bigint LANGUAGE sql AS $$ SELECT n FROM marks WHERE k = key $$;

-- Every canary this file runs through run_canary, to count them in the metrics.
CREATE TEMP TABLE mine (id bigint PRIMARY KEY);
CREATE FUNCTION pg_temp.canary(samples integer, threshold double precision, at timestamptz) RETURNS bigint
    LANGUAGE sql AS $$
  INSERT INTO mine SELECT r.id FROM costsim.run_canary(samples, threshold, at) r RETURNING id
$$;
-- execute_canary of a claimed report (recorded too).
CREATE FUNCTION pg_temp.execute(report bigint) RETURNS costsim.canary_status LANGUAGE sql AS $$
  INSERT INTO mine SELECT r.id FROM costsim.execute_canary(report) r;
  SELECT status FROM costsim.canary_reports WHERE id = report
$$;
CREATE FUNCTION pg_temp.rep(i bigint) RETURNS costsim.canary_reports LANGUAGE sql AS $$
  SELECT * FROM costsim.canary_reports WHERE id = i
$$;
CREATE FUNCTION pg_temp.req(i bigint) RETURNS costsim.canary_requests LANGUAGE sql AS $$
  SELECT * FROM costsim.canary_requests WHERE id = i
$$;
-- The counts of a report, for compact comparisons.
CREATE FUNCTION pg_temp.counts(i bigint) RETURNS text LANGUAGE sql AS $$
  SELECT format('samples=%s shadow=%s golden=%s match=%s minor=%s major=%s mismatch=%s v2_errors=%s outliers=%s artifacts=%s',
                sample_count, shadow_samples, golden_samples, match_count, minor_drift_count, major_drift_count,
                mismatch_count, v2_error_count, outlier_count, diff_artifact_count)
    FROM costsim.canary_reports WHERE id = i
$$;
-- The failure reasons other than the KL one (KL depends on the binning: checked by pg_temp.kl_reason_ok).
CREATE FUNCTION pg_temp.non_kl(i bigint) RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(r ORDER BY o), '{}') FROM costsim.canary_reports c, unnest(c.failure_reasons) WITH ORDINALITY u(r, o)
   WHERE c.id = i AND r NOT LIKE 'KL divergence %'
$$;
-- The KL reason is there exactly when KL > costsim.canary_kl_threshold (0.1) and > its critical value, first,
-- with the documented sentence.
CREATE FUNCTION pg_temp.kl_reason_ok(i bigint) RETURNS boolean LANGUAGE sql AS $$
  SELECT CASE WHEN (c.statistics).kl_divergence > 0.1 AND (c.statistics).kl_divergence > (c.statistics).kl_critical_value
              THEN c.failure_reasons[1] = format('KL divergence %s exceeds 0.1000 and its 95 %% noise-floor critical value %s',
                                                 round((c.statistics).kl_divergence::numeric, 4),
                                                 round((c.statistics).kl_critical_value::numeric, 4))
                   AND (SELECT count(*) FROM unnest(c.failure_reasons) r WHERE r LIKE 'KL divergence %') = 1
              ELSE NOT EXISTS (SELECT FROM unnest(c.failure_reasons) r WHERE r LIKE 'KL divergence %') END
    FROM costsim.canary_reports c WHERE c.id = i
$$;
CREATE FUNCTION pg_temp.golden_reasons() RETURNS text[] LANGUAGE sql AS $$
  SELECT ARRAY['golden dataset high_variance not acceptable', 'golden dataset historical not acceptable',
               'golden dataset mixed_city not acceptable', 'golden dataset noise_injected not acceptable']
$$;
-- A canary's diff artifacts (the superuser reads every tenant's).
CREATE FUNCTION pg_temp.arts(i bigint) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM costsim.diff_artifacts WHERE canary_id = i
$$;
CREATE FUNCTION pg_temp.arts_shaped(i bigint) RETURNS boolean LANGUAGE sql AS $$
  SELECT bool_and(provenance_id IS NULL AND run_id = 'canary-' || i AND verdict IN ('major_drift', 'mismatch'))
    FROM costsim.diff_artifacts WHERE canary_id = i
$$;
CREATE FUNCTION pg_temp.br() RETURNS costsim.circuit_breakers LANGUAGE sql AS $$
  SELECT * FROM costsim.circuit_breakers WHERE name = 'costsim_v2'
$$;
CREATE FUNCTION pg_temp.inc(i bigint) RETURNS costsim.incidents LANGUAGE sql AS $$
  SELECT * FROM costsim.incidents WHERE id = i
$$;
CREATE FUNCTION pg_temp.max_incident() RETURNS bigint LANGUAGE sql AS $$
  SELECT coalesce(max(id), 0) FROM costsim.incidents
$$;
CREATE FUNCTION pg_temp.hist_count() RETURNS bigint LANGUAGE sql SET costsim.tenant_id = '_system' AS $$
  SELECT count(*) FROM costsim.status_history
   WHERE tenant_id = '_system' AND entity_type = 'circuit_breaker' AND entity_id = 'costsim_v2'
$$;
CREATE FUNCTION pg_temp.last_hist() RETURNS costsim.status_history LANGUAGE sql SET costsim.tenant_id = '_system' AS $$
  SELECT * FROM costsim.status_history
   WHERE tenant_id = '_system' AND entity_type = 'circuit_breaker' AND entity_id = 'costsim_v2'
   ORDER BY seq DESC LIMIT 1
$$;
CREATE FUNCTION pg_temp.last_move() RETURNS text LANGUAGE sql AS $$
  SELECT h.old_status || ' -> ' || h.new_status || ' by ' || h.actor_type FROM pg_temp.last_hist() h
$$;
CREATE FUNCTION pg_temp.alert_of(i bigint, alertname text) RETURNS costsim.alerts LANGUAGE sql AS $$
  SELECT * FROM costsim.alerts WHERE incident_id = i AND payload -> 'labels' ->> 'alertname' = alertname
   ORDER BY id DESC LIMIT 1
$$;
CREATE FUNCTION pg_temp.metric(status text) RETURNS double precision LANGUAGE sql AS $$
  SELECT value FROM costsim.metrics WHERE name = 'costsim_canary_runs_total' AND labels ->> 'status' = status
$$;
-- A drift report with only the KL fields judge_canary reads.
CREATE FUNCTION pg_temp.kl(val double precision, critical double precision) RETURNS costsim.drift_report
    LANGUAGE plpgsql AS $$
DECLARE
  r costsim.drift_report;
BEGIN
  r.kl_divergence := val;
  r.kl_critical_value := critical;
  RETURN r;
END
$$;
CREATE FUNCTION pg_temp.judge(m int, mi int, ma int, mm int, e int, o int, k costsim.drift_report,
                              names text[] DEFAULT '{}', ok boolean[] DEFAULT '{}') RETURNS text LANGUAGE sql AS $$
  SELECT j.status || ' ' || j.failure_reasons::text FROM costsim.judge_canary(m, mi, ma, mm, e, o, k, names, ok) j
$$;
-- n production calls with the shadow path, one statement each.
CREATE FUNCTION pg_temp.shadow(p jsonb, run text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM costsim.simulate(p, 100, NULL, run);
END
$$;

-- The metrics before (costsim_canary_runs_total counts costsim.canary_reports rows by status).
SELECT pg_temp.put('m_' || s, pg_temp.metric(s)::bigint)
  FROM unnest(ARRAY['passed', 'failed', 'inconclusive', 'skipped', 'interrupted', 'error']) s;

-- A known start: the breaker closed with no failed canary counted (the cluster is shared).
SELECT is(costsim.enable_v2('c16: start from a closed breaker', 'c16-test') -> 'breaker' ->> 'state', 'closed',
          'the breaker is closed to start with');
UPDATE costsim.circuit_breakers SET consecutive_failures = 0 WHERE name = 'costsim_v2';

-- The candidate models (inserted before anything uses V2).
INSERT INTO costsim.v2_coefficients
    (model_version, skill, base_cost_cents, base_latency_ms, confidence, risk_type, risk_factor,
     latency_variance_ms, cost_per_1k_input_chars, cost_per_1k_output_chars, latency_per_1k_input_chars_ms)
VALUES
    ('c16-v1like', 'http_call',      0,    500,  1, 'timeout',         0.10, 0, 0,   0, 0),
    ('c16-v1like', 'llm_invoke',     4.7,  2000, 1, 'rate_limit',      0.05, 0, 0.5, 0, 0),
    ('c16-v1like', 'json_transform', 0,    10,   1, 'transform_error', 0.01, 0, 0,   0, 0),
    ('c16-v1like', 'fs_read',        0,    50,   1, 'not_found',       0.05, 0, 0,   0, 0),
    ('c16-v1like', 'fs_write',       0,    100,  1, 'permission',      0.05, 0, 0,   0, 0),
    ('c16-v1like', 'shell_lite',     0,    200,  1, 'timeout',         0.10, 0, 0,   0, 0),
    ('c16-v1like', 'kv_get',         0,    5,    1, 'not_found',       0.02, 0, 0,   0, 0),
    ('c16-v1like', 'kv_set',         0,    10,   1, 'quota',           0.02, 0, 0,   0, 0),
    ('c16-v1like', 'webhook_send',   0,    300,  1, 'timeout',         0.10, 0, 0,   0, 0),
    ('c16-v1like', 'email_send',     1,    500,  1, 'delivery',        0.05, 0, 0,   0, 0),
    ('c16-v1like', '*',              10,   1000, 1, 'unknown',         0.20, 0, 0,   0, 0);
INSERT INTO costsim.v2_coefficients
    (model_version, skill, base_cost_cents, base_latency_ms, confidence, risk_type, risk_factor,
     latency_variance_ms, cost_per_1k_input_chars, cost_per_1k_output_chars, latency_per_1k_input_chars_ms)
SELECT 'c16-x3', skill, base_cost_cents * 3, base_latency_ms, confidence, risk_type, risk_factor, latency_variance_ms,
       cost_per_1k_input_chars * 3, cost_per_1k_output_chars * 3, latency_per_1k_input_chars_ms
  FROM costsim.v2_coefficients WHERE model_version = 'c16-v1like';
-- c16-nostar: c16-v1like without its '*' row, so V2 raises on an unknown skill.
INSERT INTO costsim.v2_coefficients
    (model_version, skill, base_cost_cents, base_latency_ms, confidence, risk_type, risk_factor,
     latency_variance_ms, cost_per_1k_input_chars, cost_per_1k_output_chars, latency_per_1k_input_chars_ms)
SELECT 'c16-nostar', skill, base_cost_cents, base_latency_ms, confidence, risk_type, risk_factor, latency_variance_ms,
       cost_per_1k_input_chars, cost_per_1k_output_chars, latency_per_1k_input_chars_ms
  FROM costsim.v2_coefficients WHERE model_version = 'c16-v1like' AND skill <> '*';

-------------------------------------------------------------------------------------------------------------
-- 1. judge_canary: the rules and the exact sentences of extension/core/canary.hpp (costsim.canary_min_samples
--    50, costsim.canary_kl_threshold 0.1; rates compared strictly).
-------------------------------------------------------------------------------------------------------------
SELECT is(current_setting('costsim.canary_min_samples'), '50', 'costsim.canary_min_samples defaults to 50');
SELECT is(current_setting('costsim.canary_kl_threshold')::float8, 0.1::float8, 'costsim.canary_kl_threshold defaults to 0.1');
SELECT is(pg_temp.judge(100, 0, 0, 0, 0, 0, pg_temp.kl(0, 0)), 'passed {}', '100 matches: passed, no reason');
SELECT is(pg_temp.judge(93, 0, 5, 2, 0, 7, pg_temp.kl(0.412, 0.169)),
          'failed {"KL divergence 0.4120 exceeds 0.1000 and its 95 % noise-floor critical value 0.1690","outliers (drift score > 0.5): 7.0 % of 100 samples, over 5.0 %"}',
          'KL above threshold and critical value, 7 % outliers: two reasons, KL first (7 % major+mismatch is no reason)');
SELECT is(pg_temp.judge(88, 0, 8, 4, 0, 0, pg_temp.kl(0, 0)),
          'failed {"major drift or mismatch: 12.0 % of 100 samples, over 10.0 %"}', '12 % major drift or mismatch fails');
SELECT is(pg_temp.judge(88, 0, 0, 0, 12, 12, pg_temp.kl(0, 0)),
          'failed {"outliers (drift score > 0.5): 12.0 % of 100 samples, over 5.0 %","major drift or mismatch: 12.0 % of 100 samples, over 10.0 %"}',
          'V2 errors count as samples, outliers and major drift or mismatch');
SELECT is(pg_temp.judge(90, 0, 6, 4, 0, 5, pg_temp.kl(0.05, 0.01)), 'passed {}',
          'exactly 5 % outliers and 10 % major drift or mismatch pass (strictly over fails); KL 0.05 below 0.1');
SELECT is(pg_temp.judge(100, 0, 0, 0, 0, 0, pg_temp.kl(0.412, 0.5)), 'passed {}',
          'KL above 0.1 but within its noise floor''s critical value passes');
SELECT is(pg_temp.judge(100, 0, 0, 0, 0, 0, pg_temp.kl(0, 0), ARRAY['high_variance', 'low_variance', 'mixed_city'],
                        ARRAY[false, true, false]),
          'failed {"golden dataset high_variance not acceptable","golden dataset mixed_city not acceptable"}',
          'one reason per golden dataset not acceptable, in the given order');
SELECT is(pg_temp.judge(50, 10, 10, 10, 10, 10, pg_temp.kl(0.9, 0.1), ARRAY['high_variance'], ARRAY[false]),
          'failed {"KL divergence 0.9000 exceeds 0.1000 and its 95 % noise-floor critical value 0.1000","outliers (drift score > 0.5): 11.1 % of 90 samples, over 5.0 %","major drift or mismatch: 33.3 % of 90 samples, over 10.0 %","golden dataset high_variance not acceptable"}',
          'every reason, in the documented order (KL, outliers, major, golden)');
SELECT is(pg_temp.judge(12, 0, 0, 0, 0, 0, pg_temp.kl(0, 0)),
          'inconclusive {"only 12 samples, fewer than costsim.canary_min_samples (50)"}', '12 samples: inconclusive');
SELECT is(pg_temp.judge(0, 0, 5, 7, 0, 12, pg_temp.kl(0.9, 0.1), ARRAY['high_variance'], ARRAY[false]),
          'inconclusive {"only 12 samples, fewer than costsim.canary_min_samples (50)"}',
          'too few samples is inconclusive, never failed, whatever they say');
SELECT is(pg_temp.judge(50, 0, 0, 0, 0, 0, pg_temp.kl(0, 0)), 'passed {}', 'exactly canary_min_samples samples are judged');
SET LOCAL costsim.canary_min_samples = 101;
SELECT is(pg_temp.judge(100, 0, 0, 0, 0, 0, pg_temp.kl(0, 0)),
          'inconclusive {"only 100 samples, fewer than costsim.canary_min_samples (101)"}', 'costsim.canary_min_samples is read');
SET LOCAL costsim.canary_min_samples = 50;
SET LOCAL costsim.canary_kl_threshold = 0.5;
SELECT is(pg_temp.judge(100, 0, 0, 0, 0, 0, pg_temp.kl(0.412, 0.169)), 'passed {}', 'costsim.canary_kl_threshold is read');
SET LOCAL costsim.canary_kl_threshold = 0.1;
SELECT throws_ok($$SELECT pg_temp.judge(-1, 0, 0, 0, 0, 0, pg_temp.kl(0, 0))$$, '22023', NULL, 'a negative count: 22023');
SELECT throws_ok($$SELECT pg_temp.judge(100, 0, 0, 0, 0, 0, pg_temp.kl(0, 0), ARRAY['high_variance'], '{}')$$, '22023', NULL,
                 'golden names and verdicts of different lengths: 22023');

-------------------------------------------------------------------------------------------------------------
-- 2. Input rules: sample_count 0..100000, drift_threshold in (0, 1], a known model version. Nothing is left behind.
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.put('reports0', (SELECT count(*) FROM costsim.canary_reports));
SELECT pg_temp.put('requests0', (SELECT count(*) FROM costsim.canary_requests));
SELECT throws_ok($$SELECT costsim.run_canary(-1)$$, '22023', NULL, 'run_canary: sample_count -1 is 22023');
SELECT throws_ok($$SELECT costsim.run_canary(100001)$$, '22023', NULL, 'run_canary: sample_count 100001 is 22023');
SELECT throws_ok($$SELECT costsim.run_canary(NULL)$$, '22023', NULL, 'run_canary: sample_count NULL is 22023');
SELECT throws_ok($$SELECT costsim.run_canary(0, 0)$$, '22023', NULL, 'run_canary: drift_threshold 0 is 22023');
SELECT throws_ok($$SELECT costsim.run_canary(0, 1.5)$$, '22023', NULL, 'run_canary: drift_threshold 1.5 is 22023');
SELECT throws_ok($$SELECT costsim.run_canary(0, 'NaN')$$, '22023', NULL, 'run_canary: drift_threshold NaN is 22023');
SELECT throws_ok($$SELECT costsim.request_canary(-1)$$, '22023', NULL, 'request_canary: sample_count -1 is 22023');
SELECT throws_ok($$SELECT costsim.request_canary(100001)$$, '22023', NULL, 'request_canary: sample_count 100001 is 22023');
SELECT throws_ok($$SELECT costsim.request_canary(10, 0)$$, '22023', NULL, 'request_canary: drift_threshold 0 is 22023');
SELECT throws_ok($$SELECT costsim.request_canary(10, 1.5)$$, '22023', NULL, 'request_canary: drift_threshold 1.5 is 22023');
SET LOCAL costsim.v2_model_version = 'c16-no-such-model';
SELECT throws_ok($$SELECT costsim.run_canary(0)$$, '22023', NULL, 'run_canary with an unknown costsim.v2_model_version: 22023');
SET LOCAL costsim.v2_model_version = 'c16-v1like';
SELECT is((SELECT count(*) FROM costsim.canary_reports), pg_temp.n('reports0'), 'refused canaries leave no report');
SELECT is((SELECT count(*) FROM costsim.canary_requests), pg_temp.n('requests0'), 'refused requests leave no request');
SELECT throws_ok($$SELECT costsim.execute_canary(-1)$$, '22023', NULL, 'execute_canary of no running canary: 22023');

-------------------------------------------------------------------------------------------------------------
-- 3. A golden canary (sample_count 0) with the V1-like candidate: passed, exact counts, golden validations.
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.put('g', pg_temp.canary(0, NULL, NULL));
SELECT is((pg_temp.rep(pg_temp.n('g'))).status, 'passed'::costsim.canary_status, 'the V1-like candidate passes');
SELECT is((pg_temp.rep(pg_temp.n('g'))).passed, true, 'passed true');
SELECT is((pg_temp.rep(pg_temp.n('g'))).failure_reasons, '{}'::text[], 'no failure reason');
SELECT is(pg_temp.counts(pg_temp.n('g')),
          'samples=99 shadow=0 golden=99 match=93 minor=4 major=0 mismatch=2 v2_errors=0 outliers=0 artifacts=2',
          'counts: 99 golden samples (30+16+25+8+20), 93 match, 4 minor, 2 mismatch, no outlier, 2 artifacts');
SELECT is((pg_temp.rep(pg_temp.n('g'))).golden_samples::bigint,
          (SELECT sum(sample_count) FROM costsim.reference_datasets WHERE 'golden' = ANY (tags)),
          'golden_samples = the golden datasets'' total sample_count');
SELECT is((SELECT match_count + minor_drift_count + major_drift_count + mismatch_count + v2_error_count
             FROM costsim.canary_reports WHERE id = pg_temp.n('g')), 99, 'the counts add up to sample_count');
SELECT is((SELECT format('%s|%s|%s|%s|%s|%s|%s', requested_samples, drift_threshold, model_version, run_by = session_user,
                         as_of = now(), request_id IS NULL, error IS NULL)
             FROM costsim.canary_reports WHERE id = pg_temp.n('g')),
          '0|0.2|c16-v1like|t|t|t|t',
          'the report''s parameters: 0 samples asked, drift threshold = costsim.drift_threshold, the model in force, run by the session user, as_of now');
SELECT ok((SELECT finished_at IS NOT NULL AND finished_at >= started_at FROM costsim.canary_reports WHERE id = pg_temp.n('g')),
          'finished_at set (not before started_at)');
SELECT is((pg_temp.rep(pg_temp.n('g'))).breaker_state, 'closed'::costsim.breaker_state, 'breaker_state closed');
SELECT is((pg_temp.br()).consecutive_failures, 0, 'a passed canary leaves no consecutive failure');
SELECT is((SELECT format('%s|%s', delta_p50, delta_p90) FROM costsim.canary_reports WHERE id = pg_temp.n('g')), '0|0',
          '|cost delta| p50 and p90: 0 (93 of 99 deltas are 0)');
SELECT is(((pg_temp.rep(pg_temp.n('g'))).statistics).sample_count, 99::bigint, 'statistics over the 99 compared samples');
SELECT ok(abs(((pg_temp.rep(pg_temp.n('g'))).statistics).matching_rate - 93.0 / 99) < 1e-12, 'statistics.matching_rate 93/99');
SELECT ok(abs(((pg_temp.rep(pg_temp.n('g'))).statistics).fail_ratio - 2.0 / 99) < 1e-12,
          'statistics.fail_ratio 2/99 (drift 0.24 and 0.27 over 0.2)');
SELECT is(((pg_temp.rep(pg_temp.n('g'))).statistics).outlier_count, 6::bigint,
          'statistics.outlier_count 6 (modified z-score; MAD 0: the six deltas that are not 0)');
SELECT is(((pg_temp.rep(pg_temp.n('g'))).statistics).drift_threshold, 0.2::float8, 'statistics.drift_threshold 0.2');
SELECT ok(pg_temp.kl_reason_ok(pg_temp.n('g')) AND NOT (((pg_temp.rep(pg_temp.n('g'))).statistics).kl_divergence > 0.1
                                                    AND ((pg_temp.rep(pg_temp.n('g'))).statistics).kl_divergence
                                                        > ((pg_temp.rep(pg_temp.n('g'))).statistics).kl_critical_value),
          'KL of near-identical costs is no failure');
-- golden
SELECT is((SELECT array_agg(e ->> 'dataset_id' ORDER BY o) FROM costsim.canary_reports r,
                  jsonb_array_elements(r.golden) WITH ORDINALITY g(e, o) WHERE r.id = pg_temp.n('g')),
          ARRAY['high_variance', 'historical', 'low_variance', 'mixed_city', 'noise_injected'],
          'golden: one entry per golden dataset');
SELECT is((SELECT count(*) FROM costsim.canary_reports r, jsonb_array_elements(r.golden) e
            WHERE r.id = pg_temp.n('g') AND e ->> 'verdict' = 'acceptable' AND e ->> 'version' = '1.0.0'
              AND e ->> 'content_sha256' = (SELECT content_sha256 FROM costsim.reference_datasets d WHERE d.id = e ->> 'dataset_id')),
          5::bigint, 'each acceptable, at version 1.0.0 with the dataset''s content SHA-256');
SELECT is((SELECT e ->> 'content_sha256' FROM costsim.canary_reports r, jsonb_array_elements(r.golden) e
            WHERE r.id = pg_temp.n('g') AND e ->> 'dataset_id' = 'low_variance'),
          '5ef10947777d5a9db6c28eda963c16197f9e00fd44e67fd586a37c2f9c1382a6', 'low_variance''s SHA-256 is the shipped file''s');
SELECT is((SELECT string_agg(e ->> 'dataset_id', ',' ORDER BY e ->> 'dataset_id') FROM costsim.canary_reports r, jsonb_array_elements(r.golden) e
            WHERE r.id = pg_temp.n('g')
              AND abs((e ->> 'drift_score')::float8 - CASE e ->> 'dataset_id'
                        WHEN 'high_variance' THEN 0.3 * 0.25 / 10 + 0.2 * sqrt(5.0 / 16) / 15
                        WHEN 'historical' THEN 0.3 * 0.05 / 5 + 0.2 * sqrt(0.0475) / 8
                        WHEN 'noise_injected' THEN 0.3 * 5.75 / 20 + 0.2 * sqrt(2026.0 / 8 - 5.75 ^ 2) / 25
                        ELSE 0 END) < 1e-9),
          'high_variance,historical,low_variance,mixed_city,noise_injected',
          'each dataset''s drift score by the section 9 formula');
SELECT is((SELECT count(*) FROM costsim.dataset_validations v WHERE v.canary_id = pg_temp.n('g')), 5::bigint,
          'five dataset_validations rows with canary_id = the report');
SELECT is((SELECT array_agg((e ->> 'validation_id')::bigint ORDER BY 1) FROM costsim.canary_reports r, jsonb_array_elements(r.golden) e
            WHERE r.id = pg_temp.n('g')),
          (SELECT array_agg(id ORDER BY 1) FROM costsim.dataset_validations WHERE canary_id = pg_temp.n('g')),
          'golden[].validation_id are those rows');
SELECT is((SELECT count(*) FROM costsim.dataset_validations v
            WHERE v.canary_id = pg_temp.n('g') AND v.acceptable AND v.model_version = 'c16-v1like'
              AND v.validated_by = session_user AND (v.v1).verdict = 'acceptable' AND (v.v1).mean_abs_error = 0),
          5::bigint, 'validations: acceptable, of the candidate, by the session user; V1 beside it exact (error 0)');
SELECT is((SELECT format('%s|%s|%s|%s|%s', (v2).sample_count, (v2).mean_abs_error, (v2).median_abs_error,
                         round((v2).std_abs_error::numeric, 6), (v2).outlier_rate)
             FROM costsim.dataset_validations WHERE canary_id = pg_temp.n('g') AND dataset_id = 'noise_injected'),
          '8|5.75|0|14.838716|0', 'noise_injected: 8 samples, mean 5.75, median 0, std 14.838716, no outlier');
-- diff artifacts of the two mismatches (hv-005: 7 vs 5, ni-006: 55 vs 100)
SELECT is(pg_temp.arts(pg_temp.n('g')), 2::bigint, 'two diff artifacts (the two mismatches)');
SELECT ok(pg_temp.arts_shaped(pg_temp.n('g')), 'provenance_id NULL, run_id canary-<id>, verdict major_drift or mismatch');
SELECT is((SELECT array_agg(tenant_id || ':' || verdict || ':' || drift_score ORDER BY drift_score)
             FROM costsim.diff_artifacts WHERE canary_id = pg_temp.n('g')),
          ARRAY['_system:mismatch:0.24', '_system:mismatch:0.27'], 'golden artifacts: tenant _system, drift 0.24 and 0.27');
SELECT is((SELECT (costsim.diff_of(diff_gzip) -> 'totals' -> 'v1' ->> 'estimated_cost_cents') || '/' ||
                  (costsim.diff_of(diff_gzip) -> 'totals' -> 'v2' ->> 'estimated_cost_cents')
             FROM costsim.diff_artifacts WHERE canary_id = pg_temp.n('g') AND drift_score = 0.27),
          '100/55', 'the 0.27 artifact is the 100,000-character prompt: V1 100, V2 55');

-- the drift threshold: costsim.drift_threshold by default, or the argument (inclusive upper bound 1)
SET LOCAL costsim.drift_threshold = 0.25;
SELECT pg_temp.put('g25', pg_temp.canary(0, NULL, NULL));
SET LOCAL costsim.drift_threshold = 0.2;
SELECT is((pg_temp.rep(pg_temp.n('g25'))).drift_threshold, 0.25::float8, 'drift_threshold defaults to costsim.drift_threshold (0.25)');
SELECT is(pg_temp.counts(pg_temp.n('g25')),
          'samples=99 shadow=0 golden=99 match=93 minor=4 major=1 mismatch=1 v2_errors=0 outliers=0 artifacts=2',
          'under 0.25 the 0.24 sample is major_drift, the 0.27 one a mismatch; both keep artifacts');
SELECT is((pg_temp.rep(pg_temp.n('g25'))).status, 'passed'::costsim.canary_status, 'passed');
SELECT pg_temp.put('g1', pg_temp.canary(0, 1, NULL));
SELECT is((pg_temp.rep(pg_temp.n('g1'))).drift_threshold, 1::float8, 'drift_threshold 1 is accepted');
SELECT is(pg_temp.counts(pg_temp.n('g1')),
          'samples=99 shadow=0 golden=99 match=93 minor=4 major=2 mismatch=0 v2_errors=0 outliers=0 artifacts=2',
          'under 1 both are major_drift, no mismatch');
SELECT is((SELECT array_agg(verdict::text ORDER BY drift_score) FROM costsim.diff_artifacts WHERE canary_id = pg_temp.n('g1')),
          ARRAY['major_drift', 'major_drift'], 'the artifacts say major_drift');
-- The report's statistics are those of the canary (spec sections 6 and 8: fail_ratio is the share with a drift
-- score over the drift threshold, and the report stores the threshold it used): under drift_threshold 1 none fails.
SELECT is(((pg_temp.rep(pg_temp.n('g1'))).statistics).fail_ratio, 0::float8,
          'the canary''s statistics use its drift threshold: no drift score is over 1 (fail_ratio 0)');
SELECT is(((pg_temp.rep(pg_temp.n('g1'))).statistics).drift_threshold, 1::float8,
          'statistics.drift_threshold = the canary''s drift threshold (1)');

-- A V2 error: under c16-nostar the one golden sample with an unknown skill (ni-002, weather_oracle) makes V2 raise.
-- It stays a sample (V1 answered it), counted apart as a V2 error and an outlier, out of the statistics; judged
-- as major drift or mismatch (3 of 99: no reason). noise_injected then misses its expectation on 1 of 8 samples
-- (outlier rate 0.125, weighing 0.2 * 0.125 / 0.30 = 0.083 in its drift score) on top of ni-006's and ni-007's
-- errors (at least 0.205 already): drift over 0.25, not acceptable; the other four datasets are as before.
SET LOCAL costsim.v2_model_version = 'c16-nostar';
SELECT pg_temp.put('ge', pg_temp.canary(0, NULL, NULL));
SET LOCAL costsim.v2_model_version = 'c16-v1like';
SELECT is((SELECT format('samples=%s match=%s minor=%s major=%s mismatch=%s v2_errors=%s outliers=%s', sample_count,
                         match_count, minor_drift_count, major_drift_count, mismatch_count, v2_error_count, outlier_count)
             FROM costsim.canary_reports WHERE id = pg_temp.n('ge')),
          'samples=99 match=92 minor=4 major=0 mismatch=2 v2_errors=1 outliers=1',
          'a V2 error: still one of the 99 samples, counted apart (v2_error_count 1) and as an outlier');
SELECT is(((pg_temp.rep(pg_temp.n('ge'))).statistics).sample_count, 98::bigint, 'the statistics pair the 98 samples V2 answered');
SELECT is((pg_temp.rep(pg_temp.n('ge'))).status, 'failed'::costsim.canary_status, 'failed');
SELECT is(pg_temp.non_kl(pg_temp.n('ge')), ARRAY['golden dataset noise_injected not acceptable'],
          'the one reason: noise_injected not acceptable (3 of 99 major or mismatch, 1 outlier: within limits)');
SELECT is((SELECT array_agg(acceptable ORDER BY dataset_id) FROM costsim.dataset_validations WHERE canary_id = pg_temp.n('ge')),
          ARRAY[true, true, true, true, false], 'only noise_injected''s validation is not acceptable');
SELECT is((SELECT (v2).outlier_rate FROM costsim.dataset_validations WHERE canary_id = pg_temp.n('ge') AND dataset_id = 'noise_injected'),
          0.125::float8, 'noise_injected: the V2 error is an outlier (1 of 8)');
SELECT is((pg_temp.br()).consecutive_failures, 1, 'a failed canary counted');

-------------------------------------------------------------------------------------------------------------
-- 4. Recent shadow inputs: the distinct inputs of the 7 days before as_of, newest first, at most sample_count.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
SELECT pg_temp.shadow('[{"skill":"kv_get","params":{"key":"c16-a"}}]', 'c16-shadow-1');
SELECT pg_temp.shadow('[{"skill":"email_send","params":{"to":"ops@example.org"}}]', 'c16-shadow-2');
SELECT pg_temp.shadow('[{"skill":"c16_unknown_tool"}]', 'c16-shadow-3');
SELECT pg_temp.shadow('[{"skill":"json_transform","params":{}}]', 'c16-shadow-4');
SELECT pg_temp.shadow('[{"skill":"llm_invoke","params":{"prompt":"hello"}}]', 'c16-shadow-5');
SELECT pg_temp.shadow('[{"skill":"kv_get","params":{"key":"c16-a"}}]', 'c16-shadow-6');
SET LOCAL costsim.v2_sandbox = off;
SELECT is((SELECT count(*) FROM costsim.provenance WHERE run_id LIKE 'c16-shadow-%'), 6::bigint,
          'six shadowed calls recorded (five distinct inputs)');
UPDATE costsim.provenance SET created_at = '2001-02-03 12:00:00+00' WHERE run_id LIKE 'c16-shadow-%';

SELECT pg_temp.put('s1', pg_temp.canary(100, NULL, '2001-02-04 00:00:00+00'));
SELECT is(pg_temp.counts(pg_temp.n('s1')),
          'samples=104 shadow=5 golden=99 match=98 minor=4 major=0 mismatch=2 v2_errors=0 outliers=0 artifacts=2',
          'a day after them: 5 shadow samples (one per distinct input) + 99 golden; all five match');
SELECT is((pg_temp.rep(pg_temp.n('s1'))).as_of, '2001-02-04 00:00:00+00'::timestamptz, 'as_of as given');
SELECT is((pg_temp.rep(pg_temp.n('s1'))).status, 'passed'::costsim.canary_status, 'passed');
SELECT is((pg_temp.br()).consecutive_failures, 0, 'the pass resets the count of failures');
SELECT pg_temp.put('s2', pg_temp.canary(3, NULL, '2001-02-04 00:00:00+00'));
SELECT is((pg_temp.rep(pg_temp.n('s2'))).shadow_samples, 3, 'sample_count 3: at most 3 shadow samples');
SELECT is((pg_temp.rep(pg_temp.n('s2'))).sample_count, 102, '3 + 99 samples');
SELECT pg_temp.put('s0', pg_temp.canary(0, NULL, '2001-02-04 00:00:00+00'));
SELECT is((pg_temp.rep(pg_temp.n('s0'))).shadow_samples, 0, 'sample_count 0: golden datasets only');
SELECT pg_temp.put('s3', pg_temp.canary(100, NULL, '2001-02-10 06:00:00+00'));
SELECT is((pg_temp.rep(pg_temp.n('s3'))).shadow_samples, 5, '6 days 18 hours later they are still recent');
SELECT pg_temp.put('s4', pg_temp.canary(100, NULL, '2001-02-11 00:00:00+00'));
SELECT is((pg_temp.rep(pg_temp.n('s4'))).shadow_samples, 0, '7.5 days later they are not');
SELECT pg_temp.put('s5', pg_temp.canary(100, NULL, '2001-02-03 11:00:00+00'));
SELECT is((pg_temp.rep(pg_temp.n('s5'))).shadow_samples, 0, 'an hour before they were made: none');
SELECT pg_temp.put('s6', pg_temp.canary(100, NULL, '1990-01-01 00:00:00+00'));
SELECT is((pg_temp.rep(pg_temp.n('s6'))).shadow_samples, 0, 'as_of far in the past: no shadow sample');
SELECT is((pg_temp.rep(pg_temp.n('s6'))).sample_count, 99, 'only the golden samples');
-- newest first: the 3 newest distinct inputs are kv_get (its repeat is the newest row), llm_invoke, json_transform;
-- under c16-x3 only the llm_invoke one is a mismatch (the 3 oldest would have given two).
SET LOCAL costsim.v2_model_version = 'c16-x3';
SELECT pg_temp.put('s2x', pg_temp.canary(3, NULL, '2001-02-04 00:00:00+00'));
SET LOCAL costsim.v2_model_version = 'c16-v1like';
SELECT is(pg_temp.counts(pg_temp.n('s2x')),
          'samples=102 shadow=3 golden=99 match=54 minor=0 major=0 mismatch=48 v2_errors=0 outliers=47 artifacts=48',
          'the 3 newest distinct inputs: kv_get and json_transform match, llm_invoke is a mismatch (47 + 1)');
SELECT is((pg_temp.rep(pg_temp.n('s2x'))).status, 'failed'::costsim.canary_status, 'the x3 candidate fails');
SELECT is(pg_temp.non_kl(pg_temp.n('s2x')),
          ARRAY['outliers (drift score > 0.5): 46.1 % of 102 samples, over 5.0 %',
                'major drift or mismatch: 47.1 % of 102 samples, over 10.0 %'] || pg_temp.golden_reasons(),
          'reasons: 47 outliers and 48 major or mismatch of 102, and four golden datasets not acceptable');
SELECT ok(pg_temp.kl_reason_ok(pg_temp.n('s2x')), 'the KL reason is there exactly when KL is over 0.1 and its critical value');
SELECT is((SELECT tenant_id FROM costsim.diff_artifacts WHERE canary_id = pg_temp.n('s2x') AND tenant_id <> '_system'),
          'c16-tenant', 'a shadow sample''s artifact has the tenant of its input');
SELECT is((pg_temp.br()).consecutive_failures, 1, 'one failed canary counted');

-------------------------------------------------------------------------------------------------------------
-- 5. Inconclusive: fewer samples than costsim.canary_min_samples. Never passed or failed; the breaker's count of
--    consecutive failures is left alone.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.canary_min_samples = 1000;
SELECT pg_temp.put('i1', pg_temp.canary(0, NULL, NULL));
SELECT is((pg_temp.rep(pg_temp.n('i1'))).status, 'inconclusive'::costsim.canary_status,
          '99 samples under a minimum of 1000: inconclusive (V1-like)');
SELECT is((pg_temp.rep(pg_temp.n('i1'))).failure_reasons,
          ARRAY['only 99 samples, fewer than costsim.canary_min_samples (1000)'], 'the reason');
SELECT ok((pg_temp.rep(pg_temp.n('i1'))).passed IS NOT TRUE, 'not passed');
SELECT is((pg_temp.br()).consecutive_failures, 1, 'a would-be pass does not reset the count');
SELECT is((pg_temp.rep(pg_temp.n('i1'))).breaker_state, 'closed'::costsim.breaker_state, 'breaker_state: the breaker''s state');
SET LOCAL costsim.v2_model_version = 'c16-x3';
SELECT pg_temp.put('i2', pg_temp.canary(0, NULL, NULL));
SET LOCAL costsim.v2_model_version = 'c16-v1like';
SELECT is((pg_temp.rep(pg_temp.n('i2'))).status, 'inconclusive'::costsim.canary_status, 'the x3 candidate too: inconclusive, not failed');
SELECT is((pg_temp.rep(pg_temp.n('i2'))).failure_reasons,
          ARRAY['only 99 samples, fewer than costsim.canary_min_samples (1000)'], 'only the inconclusive reason');
SELECT is((pg_temp.br()).consecutive_failures, 1, 'a would-be failure does not count');
SELECT is((pg_temp.rep(pg_temp.n('i2'))).sample_count, 99, 'its counts are still recorded');
SET LOCAL costsim.canary_min_samples = 100;
SELECT pg_temp.put('i3', pg_temp.canary(0, NULL, NULL));
SELECT is((pg_temp.rep(pg_temp.n('i3'))).failure_reasons,
          ARRAY['only 99 samples, fewer than costsim.canary_min_samples (100)'], 'a minimum of 100: inconclusive');
SET LOCAL costsim.canary_min_samples = 99;
SELECT pg_temp.put('i4', pg_temp.canary(0, NULL, NULL));
SELECT is((pg_temp.rep(pg_temp.n('i4'))).status, 'passed'::costsim.canary_status, 'a minimum of 99: judged, passed');
SELECT is((pg_temp.br()).consecutive_failures, 0, 'the pass resets the count');
SET LOCAL costsim.canary_min_samples = 50;

-------------------------------------------------------------------------------------------------------------
-- 6. Daily canaries (as_of supplied): three passes leave the breaker closed; then a drifting candidate fails
--    three days running and the third failure opens the breaker (P1, canary_failures).
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.put('d1', pg_temp.canary(100, NULL, '2001-02-04 03:00:00+00'));
SELECT pg_temp.put('d2', pg_temp.canary(100, NULL, '2001-02-05 03:00:00+00'));
SELECT pg_temp.put('d3', pg_temp.canary(100, NULL, '2001-02-06 03:00:00+00'));
SELECT is((SELECT array_agg(status::text || '/' || breaker_state || '/' || sample_count ORDER BY id) FROM costsim.canary_reports
            WHERE id IN (pg_temp.n('d1'), pg_temp.n('d2'), pg_temp.n('d3'))),
          ARRAY['passed/closed/104', 'passed/closed/104', 'passed/closed/104'], 'three daily V1-like canaries pass');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, 'the breaker stays closed');
SELECT is((pg_temp.br()).consecutive_failures, 0, 'consecutive_failures 0');

SELECT pg_temp.put('inc0', pg_temp.max_incident());
SELECT pg_temp.put('hist0', pg_temp.hist_count());
SET LOCAL costsim.v2_model_version = 'c16-x3';
SELECT pg_temp.put('f1', pg_temp.canary(100, NULL, '2001-02-07 03:00:00+00'));
SELECT is((pg_temp.rep(pg_temp.n('f1'))).status, 'failed'::costsim.canary_status, 'day 4, x3 candidate: failed');
SELECT is((pg_temp.rep(pg_temp.n('f1'))).passed, false, 'passed false');
SELECT is(pg_temp.counts(pg_temp.n('f1')),
          'samples=104 shadow=5 golden=99 match=54 minor=0 major=0 mismatch=50 v2_errors=0 outliers=49 artifacts=50',
          'counts: 47 + 3 mismatches, 46 + 3 drift scores over 0.5, an artifact per mismatch');
SELECT is(pg_temp.non_kl(pg_temp.n('f1')),
          ARRAY['outliers (drift score > 0.5): 47.1 % of 104 samples, over 5.0 %',
                'major drift or mismatch: 48.1 % of 104 samples, over 10.0 %'] || pg_temp.golden_reasons(),
          'failure reasons: outliers 47.1 %, major or mismatch 48.1 %, four golden datasets not acceptable');
SELECT ok(pg_temp.kl_reason_ok(pg_temp.n('f1')), 'the KL reason follows the rule');
SELECT is((SELECT format('%s|%s', delta_p50, delta_p90) FROM costsim.canary_reports WHERE id = pg_temp.n('f1')), '0|29',
          '|cost delta| p50 0, p90 29');
SELECT is((SELECT string_agg((e ->> 'dataset_id') || '=' || (e ->> 'verdict' = 'acceptable'), ',' ORDER BY e ->> 'dataset_id')
             FROM costsim.canary_reports r, jsonb_array_elements(r.golden) e WHERE r.id = pg_temp.n('f1')),
          'high_variance=false,historical=false,low_variance=true,mixed_city=false,noise_injected=false',
          'golden: only low_variance (all free) is acceptable');
SELECT is((SELECT array_agg(acceptable ORDER BY dataset_id) FROM costsim.dataset_validations WHERE canary_id = pg_temp.n('f1')),
          ARRAY[false, false, true, false, false], 'and so say its dataset_validations rows');
SELECT is(pg_temp.arts(pg_temp.n('f1')), (pg_temp.rep(pg_temp.n('f1'))).diff_artifact_count::bigint,
          'diff_artifacts rows with canary_id = the report: diff_artifact_count');
SELECT ok(pg_temp.arts_shaped(pg_temp.n('f1')), 'provenance_id NULL, run_id canary-<id>, verdict major_drift or mismatch');
SELECT is((SELECT array_agg(tenant_id || '=' || n ORDER BY tenant_id)
             FROM (SELECT tenant_id, count(*) n FROM costsim.diff_artifacts WHERE canary_id = pg_temp.n('f1') GROUP BY 1) t),
          ARRAY['_system=47', 'c16-tenant=3'], 'golden artifacts have tenant _system, the shadow ones their input''s tenant');
SELECT is((SELECT substr(diff_gzip, 1, 2) FROM costsim.diff_artifacts WHERE canary_id = pg_temp.n('f1') LIMIT 1), '\x1f8b'::bytea,
          'stored gzip''d');
SELECT is((pg_temp.rep(pg_temp.n('f1'))).breaker_state, 'closed'::costsim.breaker_state, 'one failure: closed');
SELECT is((pg_temp.br()).consecutive_failures, 1, 'consecutive_failures 1');
SELECT pg_temp.put('f2', pg_temp.canary(100, NULL, '2001-02-08 03:00:00+00'));
SELECT is((pg_temp.rep(pg_temp.n('f2'))).status, 'failed'::costsim.canary_status, 'day 5: failed');
SELECT is((pg_temp.rep(pg_temp.n('f2'))).breaker_state, 'closed'::costsim.breaker_state, 'two failures: closed');
SELECT is((pg_temp.br()).consecutive_failures, 2, 'consecutive_failures 2');
SELECT is(pg_temp.max_incident(), pg_temp.n('inc0'), 'no incident yet');
SELECT is(pg_temp.hist_count(), pg_temp.n('hist0'), 'no status_history row yet');
SELECT pg_temp.put('f3', pg_temp.canary(100, NULL, '2001-02-09 03:00:00+00'));
SELECT is((pg_temp.rep(pg_temp.n('f3'))).status, 'failed'::costsim.canary_status, 'day 6: failed');
SELECT is((pg_temp.rep(pg_temp.n('f3'))).breaker_state, 'open'::costsim.breaker_state,
          'the third consecutive failure (costsim.cb_failure_threshold) opens the breaker');
SELECT is((pg_temp.br()).state, 'open'::costsim.breaker_state, 'circuit_breakers: open');
SELECT is((pg_temp.br()).trip, 'canary_failures'::costsim.breaker_trip, 'trip canary_failures');
SELECT is((pg_temp.br()).ttl_seconds, 86400::bigint, 'TTL costsim.disable_ttl (24 h)');
SELECT is((pg_temp.br()).disabled_until, now() + interval '24 hours', 'disabled_until now + 24 h');
SELECT is((SELECT count(*) FROM costsim.incidents WHERE id > pg_temp.n('inc0')), 1::bigint, 'one new incident');
SELECT pg_temp.put('i_f', (pg_temp.br()).incident_id);
SELECT is((SELECT format('%s|%s|%s|%s', trip, severity, opened_by, resolved_at IS NULL) FROM costsim.incidents WHERE id = pg_temp.n('i_f')),
          'canary_failures|p1|system|t', 'the incident: canary_failures, P1, opened by the system, unresolved');
SELECT is((pg_temp.inc(pg_temp.n('i_f'))).details ->> 'canary_id', pg_temp.n('f3')::text, 'its details name the third canary');
SELECT is(pg_temp.hist_count(), pg_temp.n('hist0') + 1, 'one status_history row');
SELECT is((SELECT format('%s|%s|%s|%s', h.tenant_id, h.entity_type, h.entity_id, h.new_status) FROM pg_temp.last_hist() h),
          '_system|circuit_breaker|costsim_v2|open', 'status_history: tenant _system, circuit_breaker costsim_v2, new_status open');
SELECT is(pg_temp.last_move(), 'closed -> open by system', 'closed -> open by the system');
SELECT is((SELECT format('%s|%s|%s', a.payload -> 'labels' ->> 'alertname', a.payload -> 'labels' ->> 'severity', a.status)
             FROM pg_temp.alert_of(pg_temp.n('i_f'), 'CostSimV2Disabled') a),
          'CostSimV2Disabled|p1|queued', 'an alert queued: CostSimV2Disabled, severity p1');
SELECT is((pg_temp.alert_of(pg_temp.n('i_f'), 'CostSimV2Disabled')).payload -> 'labels' ->> 'incident_id', pg_temp.n('i_f')::text,
          'the alert names the incident');

-------------------------------------------------------------------------------------------------------------
-- 7. The half-open trial: one golden canary request; a pass closes the breaker and resolves the incident (by the
--    system); a failure reopens it with the TTL doubled.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.v2_model_version = 'c16-v1like';
SELECT is(costsim.request_half_open_trial(), NULL, 'open (not yet half_open): no trial requested');
UPDATE costsim.circuit_breakers SET disabled_until = now() - interval '1 second' WHERE name = 'costsim_v2';
SELECT is(costsim.breaker_tick(), 'half_open'::costsim.breaker_state, 'disabled_until passed: half_open');
SELECT pg_temp.put('t1', costsim.request_half_open_trial());
SELECT ok(pg_temp.n('t1') IS NOT NULL, 'half_open: request_half_open_trial queues a request');
SELECT is((SELECT format('%s|%s|%s|%s', sample_count, trial, status, drift_threshold IS NULL) FROM costsim.canary_requests
            WHERE id = pg_temp.n('t1')),
          '0|t|pending|t', 'the trial: golden only (sample_count 0), trial, pending');
SELECT is(costsim.request_half_open_trial(), NULL, 'a second call queues nothing (NULL)');
SELECT is((SELECT count(*) FROM costsim.canary_requests WHERE trial AND status IN ('pending', 'running')), 1::bigint,
          'exactly one trial request queued');
SELECT pg_temp.put('rt1', costsim.claim_canary_request(4242));
SELECT is((pg_temp.rep(pg_temp.n('rt1'))).request_id, pg_temp.n('t1'), 'the worker claims the trial: its report has request_id');
SELECT is((SELECT format('%s|%s|%s', status, worker_pid, started_at IS NOT NULL) FROM costsim.canary_requests WHERE id = pg_temp.n('t1')),
          'running|4242|t', 'the request is running, claimed by worker 4242');
SELECT is(costsim.request_half_open_trial(), NULL, 'while the trial runs, none is queued');
SELECT is(pg_temp.execute(pg_temp.n('rt1')), 'passed'::costsim.canary_status, 'the trial passes');
SELECT is((pg_temp.rep(pg_temp.n('rt1'))).shadow_samples, 0, 'golden samples only');
SELECT is((pg_temp.rep(pg_temp.n('rt1'))).breaker_state, 'closed'::costsim.breaker_state, 'breaker_state closed');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, 'a passed trial closes the breaker');
SELECT is((SELECT format('%s|%s', resolved_at IS NOT NULL, resolved_by) FROM costsim.incidents WHERE id = pg_temp.n('i_f')),
          't|system', 'the incident is resolved by the system');
SELECT is(pg_temp.last_move(), 'half_open -> closed by system', 'status_history: half_open -> closed by the system');
SELECT ok((pg_temp.alert_of(pg_temp.n('i_f'), 'CostSimV2Reenabled')).id IS NOT NULL, 'a CostSimV2Reenabled alert queued');
SELECT is((SELECT format('%s|%s', status, finished_at IS NOT NULL) FROM costsim.canary_requests WHERE id = pg_temp.n('t1')),
          'done|t', 'the trial request is done');
SELECT is(costsim.request_half_open_trial(), NULL, 'closed: no trial');
-- a failed trial
SELECT ok((costsim.open_breaker('drift', 'c16: drift before a failed trial', 'c16-test')).id IS NOT NULL, 'opened for drift');
SELECT pg_temp.put('i_d', (pg_temp.br()).incident_id);
SELECT is((pg_temp.br()).ttl_seconds, 86400::bigint, 'TTL 24 h');
UPDATE costsim.circuit_breakers SET disabled_until = now() - interval '1 second' WHERE name = 'costsim_v2';
SELECT is(costsim.breaker_tick(), 'half_open'::costsim.breaker_state, 'half_open');
SELECT pg_temp.put('t2', costsim.request_half_open_trial());
SELECT ok(pg_temp.n('t2') > pg_temp.n('t1'), 'a new trial request');
-- the model is resolved when the report opens (at claim time)
SET LOCAL costsim.v2_model_version = 'c16-x3';
SELECT pg_temp.put('rt2', costsim.claim_canary_request(4242));
SET LOCAL costsim.v2_model_version = 'c16-v1like';
SELECT is((SELECT format('%s|%s', request_id = pg_temp.n('t2'), model_version) FROM costsim.canary_reports WHERE id = pg_temp.n('rt2')),
          't|c16-x3', 'claimed, with the model in force then');
SELECT is(pg_temp.execute(pg_temp.n('rt2')), 'failed'::costsim.canary_status, 'the x3 candidate fails the trial');
SELECT is((pg_temp.rep(pg_temp.n('rt2'))).breaker_state, 'open'::costsim.breaker_state, 'breaker_state open');
SELECT is((pg_temp.br()).state, 'open'::costsim.breaker_state, 'a failed trial reopens the breaker');
SELECT is((pg_temp.br()).trip, 'canary_failures'::costsim.breaker_trip, 'trip canary_failures');
SELECT is((pg_temp.br()).ttl_seconds, 172800::bigint, 'the TTL doubled: 86400 -> 172800');
SELECT is((pg_temp.br()).disabled_until, now() + interval '172800 seconds', 'disabled_until now + 48 h');
SELECT ok((pg_temp.br()).incident_id <> pg_temp.n('i_d'), 'a new incident');
SELECT is((SELECT format('%s|%s', trip, severity) FROM costsim.incidents WHERE id = (pg_temp.br()).incident_id),
          'canary_failures|p1', 'P1, canary_failures');
SELECT is((SELECT format('%s|%s', resolved_at IS NOT NULL, resolved_by) FROM costsim.incidents WHERE id = pg_temp.n('i_d')),
          't|system', 'the drift incident ends with the failed trial');
SELECT is(pg_temp.last_move(), 'half_open -> open by system', 'status_history: half_open -> open');
SELECT is((pg_temp.req(pg_temp.n('t2'))).status, 'done', 'the trial request is done');
SELECT is(costsim.enable_v2('c16: trials done', 'c16-test') -> 'breaker' ->> 'state', 'closed', 'closed again by hand');

-------------------------------------------------------------------------------------------------------------
-- 8. The worker's queue: request_canary, claim_canary_request, execute_canary, interrupt_canaries, fail_canary.
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.put('q1', costsim.request_canary(0));
SELECT pg_temp.put('q2', costsim.request_canary(7, 0.3));
SELECT is((SELECT format('%s|%s|%s|%s|%s|%s', status, requested_by = session_user, sample_count, drift_threshold IS NULL,
                         trial, worker_pid IS NULL)
             FROM costsim.canary_requests WHERE id = pg_temp.n('q1')),
          'pending|t|0|t|f|t', 'request_canary: a pending request by the session user, returns its id');
SELECT is((SELECT format('%s|%s', sample_count, drift_threshold) FROM costsim.canary_requests WHERE id = pg_temp.n('q2')),
          '7|0.3', 'its sample_count and drift_threshold are kept');
SELECT is((SELECT count(*) FROM costsim.canary_reports WHERE request_id IN (pg_temp.n('q1'), pg_temp.n('q2'))), 0::bigint,
          'no report before the worker claims it');
SELECT pg_temp.put('rq1', costsim.claim_canary_request(5151));
SELECT is((pg_temp.rep(pg_temp.n('rq1'))).request_id, pg_temp.n('q1'), 'claim_canary_request: the oldest pending request');
SELECT is((SELECT format('%s|%s|%s', status, worker_pid, started_at IS NOT NULL) FROM costsim.canary_requests WHERE id = pg_temp.n('q1')),
          'running|5151|t', 'marked running by that worker');
SELECT is((SELECT format('%s|%s|%s|%s|%s|%s', status, requested_samples, drift_threshold, model_version, as_of = now(),
                         finished_at IS NULL)
             FROM costsim.canary_reports WHERE id = pg_temp.n('rq1')),
          'running|0|0.2|c16-v1like|t|t', 'its report: running, the request''s parameters resolved');
SELECT is((pg_temp.req(pg_temp.n('q2'))).status, 'pending', 'the next request still pending');
SELECT is(pg_temp.execute(pg_temp.n('rq1')), 'passed'::costsim.canary_status, 'execute_canary runs it');
SELECT is((SELECT format('%s|%s', status, finished_at IS NOT NULL) FROM costsim.canary_requests WHERE id = pg_temp.n('q1')),
          'done|t', 'the request is done');
SELECT ok((pg_temp.rep(pg_temp.n('rq1'))).finished_at IS NOT NULL, 'the report finished');
SELECT throws_ok(format('SELECT costsim.execute_canary(%s)', pg_temp.n('rq1')), '22023', NULL,
                 'execute_canary of a canary that is not running: 22023');
SELECT pg_temp.put('rq2', costsim.claim_canary_request(5151));
SELECT is((SELECT format('%s|%s|%s', request_id = pg_temp.n('q2'), requested_samples, drift_threshold)
             FROM costsim.canary_reports WHERE id = pg_temp.n('rq2')),
          't|7|0.3', 'the second request claimed: 7 samples, drift threshold 0.3');
SELECT pg_temp.put('running', (SELECT count(*) FROM costsim.canary_reports WHERE status = 'running'));
SELECT is(costsim.interrupt_canaries()::bigint, pg_temp.n('running'), 'interrupt_canaries: the running canaries, counted');
SELECT is((SELECT format('%s|%s|%s', status, finished_at IS NOT NULL, error IS NOT NULL) FROM costsim.canary_reports
            WHERE id = pg_temp.n('rq2')),
          'interrupted|t|t', 'the claimed canary is interrupted, with an error saying why');
SELECT is((SELECT format('%s|%s', status, finished_at IS NOT NULL) FROM costsim.canary_requests WHERE id = pg_temp.n('q2')),
          'interrupted|t', 'its request is interrupted');
SELECT throws_ok(format('SELECT costsim.execute_canary(%s)', pg_temp.n('rq2')), '22023', NULL,
                 'an interrupted canary is not run again (22023)');
SELECT pg_temp.put('q3', costsim.request_canary(0));
SELECT pg_temp.put('rq3', costsim.claim_canary_request(5151));
SELECT is((pg_temp.rep(pg_temp.n('rq3'))).request_id, pg_temp.n('q3'), 'a third one claimed');
SELECT lives_ok(format('SELECT costsim.fail_canary(%s, %L)', pg_temp.n('rq3'), 'c16: it raised'), 'fail_canary');
SELECT is((SELECT format('%s|%s|%s', status, error, finished_at IS NOT NULL) FROM costsim.canary_reports WHERE id = pg_temp.n('rq3')),
          'error|c16: it raised|t', 'the report: status error, with the error');
SELECT is((pg_temp.req(pg_temp.n('q3'))).status, 'done', 'its request is done');
SELECT is(costsim.claim_canary_request(5151), NULL, 'nothing pending: claim_canary_request returns NULL');

-------------------------------------------------------------------------------------------------------------
-- 9. pg_cron: the job costsim-canary queues a request (SELECT costsim.request_canary()).
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.put('j1', costsim.schedule_canary());
SELECT is((SELECT format('%s|%s|%s|%s', jobid = pg_temp.n('j1'), schedule, command, database = current_database())
             FROM cron.job WHERE jobname = 'costsim-canary'),
          't|0 3 * * *|SELECT costsim.request_canary()|t', 'schedule_canary(): job costsim-canary, daily at 03:00');
SELECT is(costsim.schedule_canary('30 4 * * *'), pg_temp.n('j1'), 'scheduling again returns the same job');
SELECT is((SELECT array_agg(schedule) FROM cron.job WHERE jobname = 'costsim-canary'), ARRAY['30 4 * * *'],
          'one job, with the new schedule');
SELECT throws_ok($$SELECT costsim.schedule_canary('')$$, '22023', NULL, 'an empty schedule: 22023');
SELECT throws_ok($$SELECT costsim.schedule_canary(NULL)$$, '22023', NULL, 'a NULL schedule: 22023');
SELECT is(costsim.unschedule_canary(), true, 'unschedule_canary: true');
SELECT is((SELECT count(*) FROM cron.job WHERE jobname = 'costsim-canary'), 0::bigint, 'the job is gone');
SELECT is(costsim.unschedule_canary(), false, 'again: false');
SAVEPOINT without_pg_cron;
DROP EXTENSION pg_cron;
SELECT throws_ok($$SELECT costsim.schedule_canary()$$, '55000', NULL, 'without pg_cron: schedule_canary is 55000');
SELECT throws_ok($$SELECT costsim.unschedule_canary()$$, '55000', NULL, 'without pg_cron: unschedule_canary is 55000');
ROLLBACK TO SAVEPOINT without_pg_cron;
SELECT ok(EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_cron'), 'pg_cron is back');

-------------------------------------------------------------------------------------------------------------
-- 10. Privileges: admins run, request and schedule canaries; backends and auditors do not; auditors read
--     the reports; the internal functions are nobody's; the tables are written by nobody.
-------------------------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.table_privs(r name, t text) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(p || '=' || CASE WHEN has_table_privilege(r, t, p) THEN 'y' ELSE 'n' END, ' ' ORDER BY o)
    FROM unnest(ARRAY['INSERT','UPDATE','DELETE','TRUNCATE']) WITH ORDINALITY AS u(p, o)
$$;
SELECT is((SELECT string_agg(r || ':' || t || ':' || pg_temp.table_privs(r, t), ' | ' ORDER BY r, t)
             FROM unnest(ARRAY['costsim_backend','costsim_admin','costsim_auditor']) r,
                  unnest(ARRAY['costsim.canary_requests','costsim.canary_reports']) t
            WHERE pg_temp.table_privs(r, t) <> 'INSERT=n UPDATE=n DELETE=n TRUNCATE=n'),
          NULL, 'no role may INSERT, UPDATE, DELETE or TRUNCATE canary_requests or canary_reports');
SELECT is((SELECT string_agg(r || ':' || f, ' | ' ORDER BY r, f)
             FROM unnest(ARRAY['costsim_backend','costsim_admin','costsim_auditor']) r,
                  unnest(ARRAY['costsim.judge_canary(integer,integer,integer,integer,integer,integer,costsim.drift_report,text[],boolean[])',
                               'costsim.open_canary_report(integer,double precision,timestamptz,bigint)',
                               'costsim.execute_canary(bigint)', 'costsim.interrupt_canaries()',
                               'costsim.claim_canary_request(integer)', 'costsim.fail_canary(bigint,text)',
                               'costsim.wake_worker()', 'costsim.request_half_open_trial()']) f
            WHERE has_function_privilege(r, f, 'EXECUTE')),
          NULL, 'no role may execute the internal canary functions');
SELECT is((SELECT string_agg(r || ':' || f || '=' || has_function_privilege(r, f, 'EXECUTE'), ' ' ORDER BY r, f)
             FROM unnest(ARRAY['costsim_backend','costsim_admin','costsim_auditor']) r,
                  unnest(ARRAY['costsim.run_canary(integer,double precision,timestamptz)',
                               'costsim.request_canary(integer,double precision)', 'costsim.schedule_canary(text)',
                               'costsim.unschedule_canary()']) f),
          'costsim_admin:costsim.request_canary(integer,double precision)=true costsim_admin:costsim.run_canary(integer,double precision,timestamptz)=true costsim_admin:costsim.schedule_canary(text)=true costsim_admin:costsim.unschedule_canary()=true '
          'costsim_auditor:costsim.request_canary(integer,double precision)=false costsim_auditor:costsim.run_canary(integer,double precision,timestamptz)=false costsim_auditor:costsim.schedule_canary(text)=false costsim_auditor:costsim.unschedule_canary()=false '
          'costsim_backend:costsim.request_canary(integer,double precision)=false costsim_backend:costsim.run_canary(integer,double precision,timestamptz)=false costsim_backend:costsim.schedule_canary(text)=false costsim_backend:costsim.unschedule_canary()=false',
          'run, request, schedule and unschedule: admins only');

SET LOCAL ROLE costsim_backend;
SELECT throws_ok($$SELECT costsim.run_canary(0)$$, '42501', NULL, 'backend cannot run_canary');
SELECT throws_ok($$SELECT costsim.request_canary()$$, '42501', NULL, 'backend cannot request_canary');
SELECT throws_ok($$SELECT costsim.schedule_canary()$$, '42501', NULL, 'backend cannot schedule_canary');
SELECT throws_ok($$SELECT count(*) FROM costsim.canary_reports$$, '42501', NULL, 'backend cannot read canary_reports');
SELECT throws_ok($$SELECT count(*) FROM costsim.canary_requests$$, '42501', NULL, 'backend cannot read canary_requests');
RESET ROLE;

SET LOCAL ROLE costsim_auditor;
SELECT lives_ok($$SELECT * FROM costsim.canary_reports$$, 'auditor reads canary_reports');
SELECT lives_ok($$SELECT * FROM costsim.canary_requests$$, 'auditor reads canary_requests');
SELECT throws_ok($$SELECT costsim.run_canary(0)$$, '42501', NULL, 'auditor cannot run_canary');
SELECT throws_ok($$SELECT costsim.request_canary()$$, '42501', NULL, 'auditor cannot request_canary');
SELECT throws_ok($$SELECT costsim.schedule_canary()$$, '42501', NULL, 'auditor cannot schedule_canary');
SELECT throws_ok($$SELECT costsim.execute_canary(1)$$, '42501', NULL, 'auditor cannot execute_canary');
RESET ROLE;

SET LOCAL ROLE costsim_admin;
CREATE TEMP TABLE admin_run AS SELECT id, status, run_by FROM costsim.run_canary(0);
SELECT is((SELECT status::text || '|' || (run_by = session_user) FROM admin_run), 'passed|true', 'admin runs a canary');
CREATE TEMP TABLE admin_request AS SELECT costsim.request_canary() AS id;
SELECT ok((SELECT id FROM admin_request) IS NOT NULL, 'admin requests a canary');
SELECT ok(costsim.schedule_canary('15 2 * * *') IS NOT NULL, 'admin schedules the canary');
SELECT is(costsim.unschedule_canary(), true, 'admin unschedules it');
SELECT lives_ok($$SELECT * FROM costsim.canary_reports$$, 'admin reads canary_reports');
SELECT throws_ok($$SELECT costsim.claim_canary_request(1)$$, '42501', NULL, 'admin cannot claim_canary_request');
SELECT throws_ok($$SELECT costsim.execute_canary(1)$$, '42501', NULL, 'admin cannot execute_canary');
SELECT throws_ok($$SELECT costsim.interrupt_canaries()$$, '42501', NULL, 'admin cannot interrupt_canaries');
SELECT throws_ok($$UPDATE costsim.canary_reports SET status = 'passed'$$, '42501', NULL, 'admin cannot UPDATE canary_reports');
RESET ROLE;
INSERT INTO mine SELECT id FROM admin_run;
SELECT is((SELECT format('%s|%s|%s', sample_count, drift_threshold IS NULL, status) FROM costsim.canary_requests
            WHERE id = (SELECT id FROM admin_request)),
          '100|t|pending', 'request_canary(): sample_count 100 by default, the drift threshold left to the GUC');

-------------------------------------------------------------------------------------------------------------
-- 11. Metrics: costsim_canary_runs_total{status} for every status but running; costsim_kl_divergence = the latest
--     judged canary's KL.
-------------------------------------------------------------------------------------------------------------
SELECT is((SELECT array_agg(labels ->> 'status' ORDER BY labels ->> 'status') FROM costsim.metrics
            WHERE name = 'costsim_canary_runs_total'),
          ARRAY['error', 'failed', 'inconclusive', 'interrupted', 'passed', 'skipped'],
          'costsim_canary_runs_total: one series per status except running');
SELECT is((SELECT count(*) FROM mine m JOIN costsim.canary_reports r USING (id) WHERE r.status = 'passed'), 17::bigint,
          'this file ran 17 passed canaries');
SELECT is(pg_temp.metric('passed'), pg_temp.n('m_passed') + 17::float8, 'costsim_canary_runs_total{passed} rose by 17');
SELECT is(pg_temp.metric('failed'), pg_temp.n('m_failed') + 6::float8, 'costsim_canary_runs_total{failed} rose by 6');
SELECT is(pg_temp.metric('inconclusive'), pg_temp.n('m_inconclusive') + 3::float8, 'costsim_canary_runs_total{inconclusive} rose by 3');
SELECT is(pg_temp.metric('interrupted') - pg_temp.n('m_interrupted'), pg_temp.n('running')::float8,
          'costsim_canary_runs_total{interrupted} rose by the canaries interrupted');
SELECT is(pg_temp.metric('error'), pg_temp.n('m_error') + 1::float8, 'costsim_canary_runs_total{error} rose by 1');
SELECT is(pg_temp.metric('skipped'), pg_temp.n('m_skipped')::float8, 'costsim_canary_runs_total{skipped} unchanged');
SELECT is((SELECT value FROM costsim.metrics WHERE name = 'costsim_kl_divergence'),
          (SELECT (statistics).kl_divergence FROM costsim.canary_reports WHERE id = (SELECT max(id) FROM admin_run)),
          'costsim_kl_divergence: the latest judged canary''s KL');

SELECT * FROM finish();
ROLLBACK;
