-- The reference datasets (spec section 9; sql/src/datasets.sql; datasets/README.md): the five shipped datasets
-- (listing, sample counts, thresholds, content hashes, samples in file order, 22023 for an unknown dataset or
-- version), V1's and V2 2.0.0's answers on samples of every shipped dataset (computed by hand from spec sections 2
-- and 3), the validation metrics (mean, median and population std of |cost - expected|, outlier rate, drift score,
-- verdict with inclusive thresholds) on the shipped datasets and on a tiny dataset loaded here, the persisted
-- reports, determinism, validate_all_datasets(), load_dataset_version (idempotence, 23505, 22023 naming the line,
-- the content hash, no partial rows), compare_sample (errors, verdicts, diffs), model versions (unknown: 22023; a
-- custom coefficient set), anonymize_plan, snapshot_historical_dataset (from shadow rows written here) and the
-- privileges of costsim_backend, costsim_admin and costsim_auditor.
-- Every expected value comes from the spec and the docs, computed by hand (the arithmetic is in the comments), never
-- from running the code. Everything happens in this one transaction, rolled back at the end.
-- Conventions used below (spec sections 2-4):
--   V1 llm_invoke with a prompt of L characters: max(5, floor(L/1000)) per execution.
--   V2 llm_invoke: 3.5 + L/1000*0.8 + min(2L, 4000)/1000*1.2 per execution, confidence 0.92 (x0.95 if L > 2000,
--   a further x0.90 if L > 4000); totals rounded half to even; confidence_score = round(product, 4).
--   V1 feasibility: cost <= budget, cumulative risk 1 - prod (1 - p)^n <= 0.5. V2: cost <= budget, cumulative risk
--   over the reported risks (p > 0.02) <= 0.5.
BEGIN;
-- The breaker (test/sql/14_breaker.sql) watches every comparison, cluster-wide; these tests are not about it, and
-- the shadow rows written for the snapshot section drift on purpose, so its automatic rules are off here.
SET LOCAL costsim.cb_auto_trip = off;
SELECT plan(152);

-------------------------------------------------------------------------------------------------------------
-- Helpers (called as the superuser only, except pg_temp.err).
-------------------------------------------------------------------------------------------------------------
-- 'SQLSTATE: message' of what a statement raises, or 'no error'.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
-- Round a float for comparisons of values that are sums of float products (the order of the additions may differ).
CREATE FUNCTION pg_temp.r9(x double precision) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT round(x::numeric, 9)
$$;
-- A validation_metrics row as text: count|mean|median|std|outlier|drift|verdict (floats to 9 decimals).
CREATE FUNCTION pg_temp.m(v costsim.validation_metrics) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws('|', v.sample_count, pg_temp.r9(v.mean_abs_error), pg_temp.r9(v.median_abs_error),
                   pg_temp.r9(v.std_abs_error), pg_temp.r9(v.outlier_rate), pg_temp.r9(v.drift_score), v.verdict)
$$;
-- The same from hand-computed values.
CREATE FUNCTION pg_temp.mx(n int, mean float8, median float8, std float8, outlier float8, drift float8, verdict text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws('|', n, pg_temp.r9(mean), pg_temp.r9(median), pg_temp.r9(std), pg_temp.r9(outlier),
                   pg_temp.r9(drift), verdict)
$$;
-- Reports and versions kept across statements.
CREATE TEMP TABLE reports (k text PRIMARY KEY, r costsim.dataset_validations);
CREATE TEMP TABLE versions (k text PRIMARY KEY, v costsim.dataset_versions);
CREATE FUNCTION pg_temp.rep(key text) RETURNS costsim.dataset_validations LANGUAGE sql AS $$
  SELECT r FROM reports WHERE k = key
$$;
CREATE FUNCTION pg_temp.ver(key text) RETURNS costsim.dataset_versions LANGUAGE sql AS $$
  SELECT v FROM versions WHERE k = key
$$;

-------------------------------------------------------------------------------------------------------------
-- 1. The shipped datasets: listing, counts, thresholds, hashes, samples in file order.
-------------------------------------------------------------------------------------------------------------
-- Spec section 9: low_variance 30, high_variance 16, mixed_city 25, noise_injected 8; historical 20 (README).
SELECT is((SELECT array_agg(id || ':' || version || ':' || sample_count ORDER BY id)
             FROM costsim.reference_datasets WHERE origin = 'shipped'),
          ARRAY['high_variance:1.0.0:16', 'historical:1.0.0:20', 'low_variance:1.0.0:30', 'mixed_city:1.0.0:25',
                'noise_injected:1.0.0:8'],
          'reference_datasets: the five shipped datasets at version 1.0.0 with their sample counts');
-- Thresholds (mean, median, std, outlier rate, drift), spec section 9.
SELECT is((SELECT jsonb_object_agg(id, thresholds) FROM costsim.reference_datasets WHERE origin = 'shipped'),
          '{"low_variance":   {"mean_abs_error": 1,  "median_abs_error": 0.5, "std_abs_error": 2,  "outlier_rate": 0.02, "drift_score": 0.05},
            "high_variance":  {"mean_abs_error": 10, "median_abs_error": 5,   "std_abs_error": 15, "outlier_rate": 0.10, "drift_score": 0.15},
            "mixed_city":     {"mean_abs_error": 5,  "median_abs_error": 3,   "std_abs_error": 10, "outlier_rate": 0.05, "drift_score": 0.10},
            "noise_injected": {"mean_abs_error": 20, "median_abs_error": 10,  "std_abs_error": 25, "outlier_rate": 0.30, "drift_score": 0.25},
            "historical":     {"mean_abs_error": 5,  "median_abs_error": 3,   "std_abs_error": 8,  "outlier_rate": 0.05, "drift_score": 0.10}}'::jsonb,
          'reference_datasets.thresholds: the spec''s thresholds for each dataset');
SELECT is((SELECT count(*) FROM costsim.reference_datasets
            WHERE origin = 'shipped' AND content_sha256 ~ '^[0-9a-f]{64}$'), 5::bigint,
          'every shipped version has a SHA-256 of 64 lowercase hex characters');
SELECT is((SELECT count(DISTINCT content_sha256) FROM costsim.reference_datasets WHERE origin = 'shipped'), 5::bigint,
          'five different contents, five different hashes');
SELECT is((SELECT count(*) FROM costsim.dataset_versions v
            WHERE v.origin = 'shipped'
              AND v.sample_count <> (SELECT count(*) FROM costsim.dataset_samples s
                                      WHERE s.dataset_id = v.dataset_id AND s.version = v.version)),
          0::bigint, 'every shipped version''s sample_count is the number of its stored samples');
SELECT is(ARRAY(SELECT sample_id FROM costsim.dataset_samples('low_variance')),
          ARRAY(SELECT 'lv-' || lpad(i::text, 3, '0') FROM generate_series(1, 30) i),
          'dataset_samples(low_variance): lv-001 .. lv-030, in file order');
SELECT is(ARRAY(SELECT line_number FROM costsim.dataset_samples('low_variance', '1.0.0')),
          ARRAY(SELECT i FROM generate_series(1, 30) i), 'dataset_samples(low_variance, 1.0.0): line numbers 1 .. 30');
SELECT is((SELECT count(*) FROM costsim.dataset_samples('mixed_city')), 25::bigint, 'dataset_samples(mixed_city): 25 rows');
SELECT is((SELECT count(*) FROM costsim.dataset_samples('historical')), 20::bigint, 'dataset_samples(historical): 20 rows');
-- Spec section 9: low_variance = 10 http_call with distinct URLs, 10 json_transform, 5 kv_get, 5 kv_set; budget 100;
-- expected cost 0, feasible.
SELECT is((SELECT string_agg(skill || '=' || n, ' ' ORDER BY skill)
             FROM (SELECT plan -> 0 ->> 'skill' AS skill, count(*) AS n FROM costsim.dataset_samples('low_variance')
                   GROUP BY 1) x),
          'http_call=10 json_transform=10 kv_get=5 kv_set=5', 'low_variance: 10 http_call, 10 json_transform, 5 kv_get, 5 kv_set');
SELECT is((SELECT count(DISTINCT plan -> 0 -> 'params' ->> 'url') FROM costsim.dataset_samples('low_variance')
            WHERE plan -> 0 ->> 'skill' = 'http_call'), 10::bigint, 'low_variance: the 10 http_call have distinct URLs');
SELECT is((SELECT count(*) FROM costsim.dataset_samples('low_variance')
            WHERE budget_cents = 100 AND expected_cost_cents = 0 AND expected_feasible AND jsonb_array_length(plan) = 1),
          30::bigint, 'low_variance: one-step plans, budget 100, expected cost 0, feasible');
-- Spec section 9: high_variance's llm_invoke prompts of 100, 500, 1000, 2000, 4000, 8000 characters at budget 50.
SELECT is(ARRAY(SELECT char_length(plan -> 0 -> 'params' ->> 'prompt') || '@' || budget_cents
                  FROM costsim.dataset_samples('high_variance') WHERE plan -> 0 ->> 'skill' = 'llm_invoke'
                   AND jsonb_array_length(plan) = 1),
          ARRAY['100@50', '500@50', '1000@50', '2000@50', '4000@50', '8000@50'],
          'high_variance: single llm_invoke prompts of 100 .. 8000 characters at budget 50');
-- unknown dataset or version: 22023
SELECT throws_ok($$SELECT * FROM costsim.dataset_samples('t15_nope')$$, '22023', NULL,
                 'dataset_samples of an unknown dataset: 22023');
SELECT throws_ok($$SELECT * FROM costsim.dataset_samples('low_variance', '9.9.9')$$, '22023', NULL,
                 'dataset_samples of an unknown version: 22023');
SELECT throws_ok($$SELECT * FROM costsim.dataset_sample_results('t15_nope')$$, '22023', NULL,
                 'dataset_sample_results of an unknown dataset: 22023');
SELECT throws_ok($$SELECT costsim.validate_dataset('t15_nope')$$, '22023', NULL, 'validate_dataset of an unknown dataset: 22023');

-------------------------------------------------------------------------------------------------------------
-- 2. V1 and V2 2.0.0 on samples of every shipped dataset (computed by hand).
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE sr AS
  SELECT d.id AS dataset_id, r.*
    FROM costsim.datasets d, costsim.dataset_sample_results(d.id, '2.0.0') r
   WHERE d.origin = 'shipped';
-- v1 cost | v1 feasible | v2 cost | v2 feasible | v2 confidence
CREATE FUNCTION pg_temp.s(sid text) RETURNS text LANGUAGE sql AS $$
  SELECT concat_ws('|', coalesce(v1_cost_cents::text, 'error'), coalesce(v1_feasible::text, '-'),
                   coalesce(v2_cost_cents::text, 'error'), coalesce(v2_feasible::text, '-'),
                   coalesce(v2_confidence::text, '-'))
    FROM sr WHERE sample_id = sid
$$;

SELECT is((SELECT count(*) FROM sr), 99::bigint, 'dataset_sample_results: 30 + 16 + 25 + 8 + 20 = 99 shipped samples');
SELECT is((SELECT count(*) FROM sr WHERE v1_error IS NULL AND v1_abs_error = 0 AND NOT v1_missed), 99::bigint,
          'V1 meets every shipped expectation: abs error 0, feasibility as expected (the expectations are V1''s answers)');
SELECT is((SELECT count(*) FROM sr WHERE v2_missed), 0::bigint,
          'V2 2.0.0 misses no shipped feasibility or confidence expectation (README)');

-- low_variance
-- lv-001 http_call https://api.example.com/...: V1 0 cents, risk 0.10 <= 0.5 feasible. V2 cost 0; external: risk
-- 0.08 x 1.5 = 0.12, confidence 0.85 x 0.95 = 0.8075; success.
SELECT is(pg_temp.s('lv-001'), '0|true|0|true|0.8075', 'lv-001 (external http_call): V1 0, V2 0, confidence 0.85 x 0.95 = 0.8075');
-- lv-006 http_call http://localhost:8080/health: local, confidence 0.85.
SELECT is(pg_temp.s('lv-006'), '0|true|0|true|0.85', 'lv-006 (local http_call): V2 confidence 0.85');
-- lv-021 kv_get: V1 0 (risk 0.02); V2 0, risk 0.01 not reported, confidence 0.97.
SELECT is(pg_temp.s('lv-021'), '0|true|0|true|0.97', 'lv-021 (kv_get): 0, 0, confidence 0.97');
-- lv-026 kv_set: same figures as kv_get.
SELECT is(pg_temp.s('lv-026'), '0|true|0|true|0.97', 'lv-026 (kv_set): 0, 0, confidence 0.97');

-- high_variance (budget 50 for the llm steps)
-- hv-001 L=100: V1 max(5, floor(0.1)) = 5. V2 3.5 + 0.1*0.8 + 200/1000*1.2 = 3.5 + 0.08 + 0.24 = 3.82 -> 4.
SELECT is(pg_temp.s('hv-001'), '5|true|4|true|0.92', 'hv-001 (prompt 100): V1 5, V2 3.82 -> 4');
-- hv-003 L=1000: V1 max(5, 1) = 5. V2 3.5 + 0.8 + 2000/1000*1.2 = 6.7 -> 7.
SELECT is(pg_temp.s('hv-003'), '5|true|7|true|0.92', 'hv-003 (prompt 1000): V1 5, V2 6.7 -> 7');
-- hv-004 L=2000: V1 max(5, 2) = 5. V2 3.5 + 1.6 + 4000/1000*1.2 = 9.9 -> 10; L = 2000 is not > 2000: confidence 0.92.
SELECT is(pg_temp.s('hv-004'), '5|true|10|true|0.92', 'hv-004 (prompt 2000): V1 5, V2 9.9 -> 10, confidence 0.92');
-- hv-005 L=4000: V1 max(5, 4) = 5. V2 3.5 + 3.2 + min(8000, 4000)/1000*1.2 = 11.5 -> half to even 12;
-- confidence 0.92 x 0.95 = 0.874 (L > 2000, not > 4000).
SELECT is(pg_temp.s('hv-005'), '5|true|12|true|0.874', 'hv-005 (prompt 4000): V1 5, V2 11.5 -> 12 (half to even), confidence 0.874');
-- hv-006 L=8000: V1 max(5, 8) = 8. V2 3.5 + 6.4 + 4.8 = 14.7 -> 15; confidence 0.92 x 0.95 x 0.90 = 0.7866.
SELECT is(pg_temp.s('hv-006'), '8|true|15|true|0.7866', 'hv-006 (prompt 8000): V1 8, V2 14.7 -> 15, confidence 0.7866');
-- hv-007 fs_read x2, kv_set x4, shell_lite x4, fs_read x4, json_transform x5, fs_read x1, local http_call x3 (budget 200).
-- V1: cost 0; survival 0.95^7 x 0.98^4 x 0.9^4 x 0.99^5 x 0.9^3 = 0.293 -> risk 0.707 > 0.5: infeasible.
-- V2: cost 0; reported risks 1-0.97^2 = 0.0591, 1-0.99^4 = 0.0394, 1-0.93^4 = 0.2519, 1-0.97^4 = 0.1147,
-- 1-0.995^5 = 0.0248, 0.03, 1-0.92^3 = 0.2213; survival 0.9409 x 0.9606 x 0.7481 x 0.8853 x 0.9752 x 0.97 x 0.7787
-- = 0.4409 -> risk 0.559 > 0.5: error. Confidence 0.95^3 x 0.97 x 0.88 x 0.98 x 0.85 = 0.60964 -> 0.6096.
SELECT is(pg_temp.s('hv-007'), '0|false|0|false|0.6096', 'hv-007 (7-step workflow): both infeasible on risk, confidence 0.6096');
-- hv-009 kv_set, llm (L=446) x2, kv_get, json_transform, kv_set, email_send x4. V1 5x2 + 1x4 = 14.
-- V2 (3.5 + 0.3568 + 0.892*1.2 = 1.0704) = 4.9272 x 2 = 9.8544, + 0.8 x 4 = 3.2: 13.0544 -> 13.
SELECT is((SELECT v1_cost_cents || '|' || v2_cost_cents || '|' || v2_feasible FROM sr WHERE sample_id = 'hv-009'),
          '14|13|true', 'hv-009 (6-step workflow): V1 14, V2 13.0544 -> 13');
-- hv-012 external http_call, timeout 50 s, budget 100: 0 and 0, confidence 0.8075.
SELECT is(pg_temp.s('hv-012'), '0|true|0|true|0.8075', 'hv-012 (external http_call, 50 s): 0, 0, confidence 0.8075');

-- mixed_city
-- mc-001 email x3, local http, email x7, json x3, kv_set x2 at budget 4: V1 3 + 7 = 10 > 4: infeasible;
-- V2 0.8 x 10 = 8 > 4: infeasible.
SELECT is((SELECT v1_cost_cents || '|' || v1_feasible || '|' || v2_cost_cents || '|' || v2_feasible FROM sr WHERE sample_id = 'mc-001'),
          '10|false|8|false', 'mc-001 (budget 4): V1 10, V2 8, both over budget');
-- mc-006 llm (465) x3 + llm (484) x3 at budget 50: V1 5x3 + 5x3 = 30. V2 (3.5 + 0.372 + 1.116 = 4.988) x 3 = 14.964
-- + (3.5 + 0.3872 + 1.1616 = 5.0488) x 3 = 15.1464: 30.1104 -> 30. V1 risk 1 - 0.95^6 = 0.265; V2 risks
-- 1 - 0.97^3 = 0.0873 twice: 0.167. Confidence 0.92 x 0.92 = 0.8464.
SELECT is(pg_temp.s('mc-006'), '30|true|30|true|0.8464', 'mc-006 (two llm steps x3): V1 30, V2 30.1104 -> 30, confidence 0.8464');
-- mc-024 llm 486 x2, llm 455, fs_write x2, llm 477 x2, email x4, kv_set, llm 543 x2 at budget 55: V1 10+5+10+4+10 = 39;
-- V1 survival 0.95^13 x 0.98 = 0.503 -> risk 0.497 <= 0.5: feasible.
-- V2 2 x 5.0552 + 4.956 + 2 x 5.0264 + 3.2 + 2 x 5.2376 = 38.7944 -> 39; risk 1 - 0.9409^3 x 0.97 x 0.9604 x 0.97^4 = 0.313.
SELECT is((SELECT v1_cost_cents || '|' || v1_feasible || '|' || v2_cost_cents || '|' || v2_feasible FROM sr WHERE sample_id = 'mc-024'),
          '39|true|39|true', 'mc-024 (7 steps): V1 39, V2 38.7944 -> 39, both feasible');
-- mc-025 llm 586 x4, llm 595 x3, kv_set, json x2 at budget 18: V1 20 + 15 = 35 > 18. V2 (3.5 + 0.4688 + 1.4064) x 4
-- = 21.5008 + (3.5 + 0.476 + 1.428) x 3 = 16.212: 37.7128 -> 38 > 18.
SELECT is((SELECT v1_cost_cents || '|' || v1_feasible || '|' || v2_cost_cents || '|' || v2_feasible FROM sr WHERE sample_id = 'mc-025'),
          '35|false|38|false', 'mc-025 (budget 18): V1 35, V2 37.7128 -> 38, both over budget');

-- noise_injected
-- ni-001 empty plan: V1 invalid_plan, cost 0, not feasible; V2 schema_error, cost 0, confidence 0 (not an error).
SELECT is(pg_temp.s('ni-001'), '0|false|0|false|0', 'ni-001 (empty plan): invalid_plan / schema_error, cost 0, confidence 0');
-- ni-002 unknown skill: V1 10 (risk 0.20); V2 5 (risk 0.15), confidence 0.60.
SELECT is(pg_temp.s('ni-002'), '10|true|5|true|0.6', 'ni-002 (unknown skill): V1 10, V2 5, confidence 0.6');
-- ni-003 json_transform + kv_get at budget 0: cost 0 is not > 0: feasible; V2 confidence 0.98 x 0.97 = 0.9506.
SELECT is(pg_temp.s('ni-003'), '0|true|0|true|0.9506', 'ni-003 (budget 0): cost 0 <= 0, feasible, confidence 0.9506');
-- ni-004 llm (L=120) at budget 1: V1 5 > 1; V2 3.5 + 0.096 + 0.288 = 3.884 -> 4 > 1.
SELECT is((SELECT v1_cost_cents || '|' || v1_feasible || '|' || v2_cost_cents || '|' || v2_feasible FROM sr WHERE sample_id = 'ni-004'),
          '5|false|4|false', 'ni-004 (budget 1): V1 5, V2 3.884 -> 4, both over budget');
-- ni-005 10 kv_get + 40 json_transform: cost 0; V1 survival 0.98^10 x 0.99^40 = 0.5466 -> risk 0.453: feasible;
-- V2 reports nothing (0.01, 0.005 <= 0.02); confidence 0.97^10 x 0.98^40 = 0.32867 -> 0.3287.
SELECT is(pg_temp.s('ni-005'), '0|true|0|true|0.3287', 'ni-005 (50 steps): cost 0, confidence 0.97^10 x 0.98^40 = 0.3287');
-- ni-006 L=100000 at budget 200: V1 max(5, 100) = 100; V2 3.5 + 80 + 4.8 = 88.3 -> 88; confidence 0.7866.
SELECT is(pg_temp.s('ni-006'), '100|true|88|true|0.7866', 'ni-006 (100k prompt): V1 100, V2 88.3 -> 88, confidence 0.7866');
-- ni-007 http_call (no params), llm_invoke x2 (no prompt), kv_get, json_transform: V1 5 x 2 = 10 (no prompt: table
-- cost); V2 L = 0: 3.5 x 2 = 7. V2 risks: http external (no URL) 0.12, llm 1 - 0.97^2 = 0.0591: success.
-- Confidence 0.85 x 0.95 x 0.92 x 0.97 x 0.98 = 0.70620 -> 0.7062.
SELECT is(pg_temp.s('ni-007'), '10|true|7|true|0.7062', 'ni-007 (missing params/iterations): V1 10, V2 7, confidence 0.7062');
-- ni-008 three email_send: V1 3; V2 2.4 -> 2; confidence 0.93^3 = 0.804357 -> 0.8044.
SELECT is(pg_temp.s('ni-008'), '3|true|2|true|0.8044', 'ni-008 (duplicated steps): V1 3, V2 2.4 -> 2, confidence 0.8044');

-- historical
-- hi-001 kv_get, llm (L=448), kv_set at budget 50: V1 5; V2 3.5 + 0.3584 + 0.896*1.2 = 4.9336 -> 5;
-- confidence 0.97 x 0.92 x 0.97 = 0.865628 -> 0.8656.
SELECT is(pg_temp.s('hi-001'), '5|true|5|true|0.8656', 'hi-001 (rag): V1 5, V2 4.9336 -> 5, confidence 0.8656');
-- hi-009 kv_get, llm (L=690), email x8 at budget 30: V1 5 + 8 = 13; V2 3.5 + 0.552 + 1.656 + 6.4 = 12.108 -> 12.
SELECT is((SELECT v1_cost_cents || '|' || v2_cost_cents || '|' || v2_feasible FROM sr WHERE sample_id = 'hi-009'),
          '13|12|true', 'hi-009 (email digest): V1 13, V2 12.108 -> 12');
-- hi-012 shell_lite with a 114-character command, kv_set at budget 5: cost 0; V2 confidence 0.88 x 0.95 x 0.97
-- = 0.81092 -> 0.8109 (command over 100 characters).
SELECT is(pg_temp.s('hi-012'), '0|true|0|true|0.8109', 'hi-012 (long shell command): cost 0, confidence 0.88 x 0.95 x 0.97 = 0.8109');
-- hi-016 fs_read x2 steps, llm (L=2220), fs_write, email at budget 25: V1 max(5, 2) + 1 = 6;
-- V2 3.5 + 1.776 + min(4440, 4000)/1000*1.2 = 4.8 -> 10.076, + 0.8 = 10.876 -> 11;
-- confidence 0.95 x 0.95 x (0.92 x 0.95) x 0.94 x 0.93 = 0.68956 -> 0.6896.
SELECT is(pg_temp.s('hi-016'), '6|true|11|true|0.6896', 'hi-016 (report): V1 6, V2 10.876 -> 11, confidence 0.6896');
-- hi-013 local http x3 (timeout 2), 127.0.0.1 http (timeout 1), kv_set: cost 0; confidence 0.85 x 0.85 x 0.97
-- = 0.700825 -> 0.7008.
SELECT is(pg_temp.s('hi-013'), '0|true|0|true|0.7008', 'hi-013 (health probe, local URLs): cost 0, confidence 0.7008');

-------------------------------------------------------------------------------------------------------------
-- 3. Validation of shipped datasets (model 2.0.0), by hand.
-------------------------------------------------------------------------------------------------------------
INSERT INTO reports VALUES ('hv', costsim.validate_dataset('high_variance'));
INSERT INTO reports VALUES ('ni', costsim.validate_dataset('noise_injected', '2.0.0'));
INSERT INTO reports VALUES ('lv', costsim.validate_dataset('low_variance'));
-- high_variance V2 |cost - expected|: hv-001 1, hv-002 (3.5 + 0.4 + 1.2 = 5.1 -> 5) 0, hv-003 2, hv-004 5, hv-005 7,
-- hv-006 7, hv-007 0, hv-008 (email x5: 4 vs 5) 1, hv-009 1, hv-010 0, hv-011 (email x5) 1, hv-012..016 0.
-- Sum 25: mean 25/16 = 1.5625. Sorted: eight 0, four 1, 2, 5, 7, 7: median (0 + 1)/2 = 0.5.
-- Sum of squares 4 + 4 + 25 + 49 + 49 = 131: variance 131/16 - 1.5625^2 = 5.74609375, std 2.39710.
-- Drift 0.3 x 1.5625/10 + 0.3 x 0.5/5 + 0.2 x 2.39710/15 + 0 = 0.046875 + 0.03 + 0.031961 = 0.108836 <= 0.15.
SELECT is(pg_temp.m((pg_temp.rep('hv')).v2),
          pg_temp.mx(16, 1.5625, 0.5, sqrt(5.74609375), 0, 0.3 * 1.5625 / 10 + 0.3 * 0.5 / 5 + 0.2 * sqrt(5.74609375) / 15, 'acceptable'),
          'high_variance, V2 2.0.0: mean 1.5625, median 0.5, std sqrt(5.74609375), outliers 0, drift 0.1088: acceptable');
SELECT is(pg_temp.m((pg_temp.rep('hv')).v1), pg_temp.mx(16, 0, 0, 0, 0, 0, 'acceptable'),
          'high_variance, V1: every metric 0, acceptable');
-- noise_injected V2: ni-001 0, ni-002 5, ni-003 0, ni-004 1, ni-005 0, ni-006 12, ni-007 3, ni-008 1.
-- mean 22/8 = 2.75; sorted 0 0 0 1 1 3 5 12: median 1; squares 25 + 1 + 144 + 9 + 1 = 180: variance 180/8 - 2.75^2
-- = 14.9375; drift 0.3 x 2.75/20 + 0.3 x 1/10 + 0.2 x sqrt(14.9375)/25 = 0.04125 + 0.03 + 0.030919 = 0.102169 <= 0.25.
SELECT is(pg_temp.m((pg_temp.rep('ni')).v2),
          pg_temp.mx(8, 2.75, 1, sqrt(14.9375), 0, 0.3 * 2.75 / 20 + 0.3 * 1 / 10 + 0.2 * sqrt(14.9375) / 25, 'acceptable'),
          'noise_injected, V2 2.0.0: mean 2.75, median 1, std sqrt(14.9375), drift 0.1022: acceptable');
SELECT is(pg_temp.m((pg_temp.rep('lv')).v2), pg_temp.mx(30, 0, 0, 0, 0, 0, 'acceptable'),
          'low_variance, V2 2.0.0: every cost 0 as expected: all metrics 0, acceptable');
SELECT is((SELECT (r).dataset_version || '|' || (r).content_sha256 || '|' || (r).model_version || '|' || (r).acceptable
             FROM reports WHERE k = 'hv'),
          (SELECT version || '|' || content_sha256 || '|2.0.0|true' FROM costsim.reference_datasets WHERE id = 'high_variance'),
          'the high_variance report names the version, its SHA-256 and model 2.0.0; acceptable');
SELECT is((SELECT count(*) FROM costsim.dataset_validations v, reports r
            WHERE v.id = (r.r).id AND row(v.*)::text = row((r.r).*)::text), 3::bigint,
          'the reports are persisted in costsim.dataset_validations as returned');

-------------------------------------------------------------------------------------------------------------
-- 4. load_dataset_version: a tiny dataset, idempotence, conflicts, malformed lines, no partial rows.
-------------------------------------------------------------------------------------------------------------
-- Five samples (budget 100 each):
--   t-1 kv_get, expected 0, feasible, confidence >= 0.5.       V1 0 (feasible); V2 0, conf 0.97.
--   t-2 unknown skill t15_tool, expected 10, feasible.          V1 10 (risk 0.2); V2 5 (risk 0.15), conf 0.6.
--   t-3 llm_invoke, 1000-character prompt, expected 5, feasible, confidence >= 0.95.
--                                                                V1 max(5, 1) = 5; V2 6.7 -> 7, conf 0.92 < 0.95: missed.
--   t-4 email_send, expected 2, NOT feasible.                   V1 1 (feasible: missed); V2 0.8 -> 1 (feasible: missed).
--   t-5 kv_get with iterations 0: both simulators refuse it (spec section 1: iterations 1..100): an error.
CREATE FUNCTION pg_temp.tiny() RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT '{"id":"t-1","plan":[{"skill":"kv_get","params":{"key":"a"},"iterations":1}],"budget_cents":100,"expected_cost_cents":0,"expected_feasible":true,"expected_confidence_min":0.5,"tags":["flat"]}' || E'\n'
      || '{"id":"t-2","plan":[{"skill":"t15_tool"}],"budget_cents":100,"expected_cost_cents":10,"expected_feasible":true,"expected_confidence_min":0.5,"tags":["unknown_skill"]}' || E'\n'
      || '{"id":"t-3","plan":[{"skill":"llm_invoke","params":{"prompt":"' || repeat('a', 1000) || '"}}],"budget_cents":100,"expected_cost_cents":5,"expected_feasible":true,"expected_confidence_min":0.95,"tags":["confidence_missed"]}' || E'\n'
      || '{"id":"t-4","plan":[{"skill":"email_send"}],"budget_cents":100,"expected_cost_cents":2,"expected_feasible":false,"expected_confidence_min":0.5,"tags":["feasibility_missed"]}' || E'\n'
      || '{"id":"t-5","plan":[{"skill":"kv_get","iterations":0}],"budget_cents":100,"expected_cost_cents":0,"expected_feasible":true,"expected_confidence_min":0.5,"tags":["refused"]}' || E'\n'
$f$;
-- Thresholds: mean 2, median 1.5, std 2, outlier rate 0.6, drift 0.99 (see section 5 for why). These test datasets
-- take the column defaults (origin shipped, no tags): the shipped ones are told apart by their tag golden below.
INSERT INTO costsim.datasets (id, name, description, max_mean_abs_error, max_median_abs_error, max_std_abs_error,
                              max_outlier_rate, max_drift_score)
VALUES ('t15_tiny', 't15 tiny', 'five samples for 15_datasets.sql', 2, 1.5, 2, 0.6, 0.99),
       ('t15_two', 't15 two', 'two versions for 15_datasets.sql', 1, 1, 1, 0.5, 0.5);

INSERT INTO versions VALUES ('tiny', costsim.load_dataset_version('t15_tiny', '1.0.0', pg_temp.tiny()));
SELECT is((SELECT (v).dataset_id || '|' || (v).version || '|' || (v).sample_count || '|' || (v).origin FROM versions WHERE k = 'tiny'),
          't15_tiny|1.0.0|5|shipped', 'load_dataset_version returns the version row: 5 samples, origin shipped by default');
SELECT is((pg_temp.ver('tiny')).content_sha256, encode(sha256(convert_to(pg_temp.tiny(), 'UTF8')), 'hex'),
          'content_sha256 = SHA-256 (hex) of the UTF-8 content');
SELECT is(ARRAY(SELECT line_number || ':' || sample_id FROM costsim.dataset_samples('t15_tiny')),
          ARRAY['1:t-1', '2:t-2', '3:t-3', '4:t-4', '5:t-5'], 'the tiny dataset''s samples, in line order');
SELECT is((SELECT concat_ws('|', budget_cents, expected_cost_cents, expected_feasible, expected_confidence_min,
                            coalesce(allowed_skills::text, 'null'), tags::text, char_length(plan -> 0 -> 'params' ->> 'prompt'))
             FROM costsim.dataset_samples('t15_tiny') WHERE sample_id = 't-3'),
          '100|5|t|0.95|null|{confidence_missed}|1000', 'a sample''s fields are stored as given');
SELECT is(to_jsonb(costsim.load_dataset_version('t15_tiny', '1.0.0', pg_temp.tiny())), to_jsonb(pg_temp.ver('tiny')),
          'loading the same content again returns the same row (idempotent)');
SELECT is((SELECT count(*) FROM costsim.dataset_versions WHERE dataset_id = 't15_tiny'), 1::bigint,
          'and adds no version');
SELECT throws_ok($$SELECT costsim.load_dataset_version('t15_tiny', '1.0.0', pg_temp.tiny() || pg_temp.tiny())$$,
                 '23505', NULL, 'other content under a loaded version: 23505');
-- malformed lines: 22023 naming the line; nothing left behind
SELECT matches(pg_temp.err($$SELECT costsim.load_dataset_version('t15_tiny', '2.0.0',
                 split_part(pg_temp.tiny(), E'\n', 1) || E'\n' || '{"id":"t-2","plan":[' || E'\n')$$),
               '^22023: .*line 2\y', 'a line that is not JSON: 22023 naming line 2');
SELECT matches(pg_temp.err($$SELECT costsim.load_dataset_version('t15_tiny', '2.0.0',
                 split_part(pg_temp.tiny(), E'\n', 1) || E'\n' || split_part(pg_temp.tiny(), E'\n', 2) || E'\n'
                 || '{"id":"t-3","plan":[],"budget_cents":100,"expected_cost_cents":0,"expected_confidence_min":0.5,"tags":[]}' || E'\n')$$),
               '^22023: .*line 3\y', 'a line missing expected_feasible: 22023 naming line 3');
SELECT matches(pg_temp.err($$SELECT costsim.load_dataset_version('t15_tiny', '2.0.0',
                 split_part(pg_temp.tiny(), E'\n', 1) || E'\n' || split_part(pg_temp.tiny(), E'\n', 1) || E'\n')$$),
               '^22023: .*line 2\y', 'a duplicated sample id: 22023 naming line 2');
SELECT matches(pg_temp.err($$SELECT costsim.load_dataset_version('t15_tiny', '2.0.0',
                 '{"id":"t-1","plan":{},"budget_cents":100,"expected_cost_cents":0,"expected_feasible":true,"expected_confidence_min":0.5,"tags":[]}' || E'\n')$$),
               '^22023: .*line 1\y', 'a plan that is not an array: 22023 naming line 1');
SELECT matches(pg_temp.err($$SELECT costsim.load_dataset_version('t15_tiny', '2.0.0',
                 '{"id":"t-1","plan":[],"budget_cents":100,"expected_cost_cents":0,"expected_feasible":true,"expected_confidence_min":1.5,"tags":[]}' || E'\n')$$),
               '^22023: .*line 1\y', 'expected_confidence_min 1.5 (outside 0..1): 22023 naming line 1');
SELECT throws_ok($$SELECT costsim.load_dataset_version('t15_tiny', '2.0.0', split_part(pg_temp.tiny(), E'\n', 1))$$,
                 '22023', NULL, 'content without a final newline: 22023');
SELECT throws_ok($$SELECT costsim.load_dataset_version('t15_tiny', '2.0.0', '')$$, '22023', NULL, 'empty content: 22023');
SELECT is((SELECT count(*) FROM costsim.dataset_versions WHERE dataset_id = 't15_tiny' AND version = '2.0.0')
          + (SELECT count(*) FROM costsim.dataset_samples WHERE dataset_id = 't15_tiny' AND version = '2.0.0'), 0::bigint,
          'after the errors no partial version or sample is left');
-- the latest version is the one loaded last (highest seq), whatever its name
SELECT lives_ok($$SELECT costsim.load_dataset_version('t15_two', '1.0.0', split_part(pg_temp.tiny(), E'\n', 1) || E'\n'),
                         costsim.load_dataset_version('t15_two', '0.9.0', split_part(pg_temp.tiny(), E'\n', 1) || E'\n'
                                                                        || split_part(pg_temp.tiny(), E'\n', 2) || E'\n')$$,
                'two versions of t15_two, 1.0.0 then 0.9.0');
SELECT is((SELECT version || '|' || sample_count FROM costsim.reference_datasets WHERE id = 't15_two'), '0.9.0|2',
          'reference_datasets shows the version loaded last');
SELECT is((SELECT count(*) FROM costsim.dataset_samples('t15_two')) || '|' || (SELECT count(*) FROM costsim.dataset_samples('t15_two', '1.0.0')),
          '2|1', 'dataset_samples: the latest version by default, another by name');

-------------------------------------------------------------------------------------------------------------
-- 5. Validation of the tiny dataset, V2 and V1, by hand.
-------------------------------------------------------------------------------------------------------------
-- per sample: v1 cost | v1 missed | v2 cost | v2 missed
SELECT is(ARRAY(SELECT concat_ws('|', sample_id, coalesce(v1_cost_cents::text, 'error'), v1_missed,
                                 coalesce(v2_cost_cents::text, 'error'), v2_missed)
                  FROM costsim.dataset_sample_results('t15_tiny', '2.0.0')),
          ARRAY['t-1|0|f|0|f', 't-2|10|f|5|f', 't-3|5|f|7|t', 't-4|1|t|1|t', 't-5|error|t|error|t'],
          'dataset_sample_results(t15_tiny): costs by hand, misses on confidence (t-3), feasibility (t-4), errors (t-5)');
SELECT is((SELECT (v1_error IS NOT NULL) || '|' || (v2_error IS NOT NULL) || '|' || (v1_abs_error IS NULL) || '|' || (v2_abs_error IS NULL)
             FROM costsim.dataset_sample_results('t15_tiny') WHERE sample_id = 't-5'),
          'true|true|true|true', 't-5: both sides report an error and have no abs error');
INSERT INTO reports VALUES ('tiny1', costsim.validate_dataset('t15_tiny'));
-- V2 abs errors over the samples with a cost: t-1 |0-0| = 0, t-2 |5-10| = 5, t-3 |7-5| = 2, t-4 |1-2| = 1.
--   mean 8/4 = 2; sorted 0 1 2 5: median (1 + 2)/2 = 1.5; deviations -2 3 0 -1: variance 14/4 = 3.5, std sqrt(3.5)
--   = 1.870829; outliers t-3, t-4, t-5: 3/5 = 0.6.
--   drift min(1, 0.3 x 2/2 + 0.3 x 1.5/1.5 + 0.2 x sqrt(3.5)/2 + 0.2 x 0.6/0.6) = 0.8 + 0.1 sqrt(3.5) = 0.987083.
--   Every metric <= its threshold, mean, median and outlier rate exactly at it (inclusive): acceptable.
SELECT is(pg_temp.m((pg_temp.rep('tiny1')).v2), pg_temp.mx(5, 2, 1.5, sqrt(3.5), 0.6, 0.8 + 0.1 * sqrt(3.5), 'acceptable'),
          'tiny, V2: mean 2, median 1.5, std sqrt(3.5), outliers 0.6, drift 0.9871; thresholds met exactly: acceptable');
-- V1 abs errors: t-1 0, t-2 |10-10| = 0, t-3 |5-5| = 0, t-4 |1-2| = 1. mean 0.25; median of 0 0 0 1 = 0;
--   variance (3 x 0.25^2 + 0.75^2)/4 = 0.1875; outliers t-4 (feasibility), t-5 (error): 2/5 = 0.4 (V1's confidence
--   is not judged). drift 0.3 x 0.25/2 + 0 + 0.2 x sqrt(0.1875)/2 + 0.2 x 0.4/0.6 = 0.0375 + 0.043301 + 0.133333
--   = 0.214135: acceptable.
SELECT is(pg_temp.m((pg_temp.rep('tiny1')).v1),
          pg_temp.mx(5, 0.25, 0, sqrt(0.1875), 0.4, 0.3 * 0.25 / 2 + 0.2 * sqrt(0.1875) / 2 + 0.2 * 0.4 / 0.6, 'acceptable'),
          'tiny, V1: mean 0.25, median 0, std sqrt(0.1875), outliers 0.4, drift 0.2141: acceptable');
SELECT is((SELECT concat_ws('|', (r).dataset_id, (r).dataset_version, (r).content_sha256 = (pg_temp.ver('tiny')).content_sha256,
                            (r).model_version, (r).acceptable, coalesce((r).canary_id::text, 'null'), (r).validated_by = session_user::text)
             FROM reports WHERE k = 'tiny1'),
          't15_tiny|1.0.0|t|2.0.0|t|null|t',
          'the report: dataset, version, the version''s SHA-256, model 2.0.0, acceptable, no canary, validated by the session user');
SELECT is((SELECT count(*) FROM costsim.dataset_validations WHERE id = (pg_temp.rep('tiny1')).id
              AND v2 = (pg_temp.rep('tiny1')).v2 AND v1 = (pg_temp.rep('tiny1')).v1), 1::bigint,
          'the report is persisted in costsim.dataset_validations');
-- determinism
INSERT INTO reports VALUES ('tiny2', costsim.validate_dataset('t15_tiny', '2.0.0'));
SELECT ok((pg_temp.rep('tiny2')).v2 = (pg_temp.rep('tiny1')).v2 AND (pg_temp.rep('tiny2')).v1 = (pg_temp.rep('tiny1')).v1
          AND (pg_temp.rep('tiny2')).id <> (pg_temp.rep('tiny1')).id,
          'validating twice gives identical metrics (and a second report)');
-- a metric just over its threshold makes it unacceptable
-- drift 0.987083 > 0.98 (the other thresholds, and so the drift score, unchanged)
UPDATE costsim.datasets SET max_drift_score = 0.98 WHERE id = 't15_tiny';
INSERT INTO reports VALUES ('tiny-drift', costsim.validate_dataset('t15_tiny'));
SELECT is((SELECT (r).v2.verdict || '|' || (r).acceptable || '|' || pg_temp.r9((r).v2.drift_score) || '|' || (r).v1.verdict FROM reports WHERE k = 'tiny-drift'),
          'unacceptable|false|' || pg_temp.r9(0.8 + 0.1 * sqrt(3.5)) || '|acceptable',
          'max_drift_score 0.98 < 0.9871: V2 unacceptable (V1 still acceptable)');
-- mean 2 > 1.99; drift 0.3 x 2/1.99 + 0.3 + 0.2 x sqrt(3.5)/2 + 0.2 = 0.301508 + 0.687083 = 0.988591 <= 0.99
UPDATE costsim.datasets SET max_drift_score = 0.99, max_mean_abs_error = 1.99 WHERE id = 't15_tiny';
INSERT INTO reports VALUES ('tiny-mean', costsim.validate_dataset('t15_tiny'));
SELECT is((SELECT (r).v2.verdict || '|' || pg_temp.r9((r).v2.drift_score) FROM reports WHERE k = 'tiny-mean'),
          'unacceptable|' || pg_temp.r9(0.3 * 2 / 1.99 + 0.3 + 0.1 * sqrt(3.5) + 0.2),
          'max_mean 1.99 < 2 alone (drift 0.9886 <= 0.99): unacceptable');
-- outlier rate 0.6 > 0.5; drift 0.3 + 0.3 + 0.187083 + 0.2 x 0.6/0.5 = 1.027083 -> min(1, ...) = 1.
-- V1: drift 0.0375 + 0.043301 + 0.2 x 0.4/0.5 = 0.240801, outliers 0.4 <= 0.5: acceptable.
UPDATE costsim.datasets SET max_mean_abs_error = 2, max_outlier_rate = 0.5 WHERE id = 't15_tiny';
INSERT INTO reports VALUES ('tiny-outlier', costsim.validate_dataset('t15_tiny'));
SELECT is((SELECT (r).v2.drift_score || '|' || (r).v2.verdict || '|' || pg_temp.r9((r).v1.drift_score) || '|' || (r).v1.verdict
             FROM reports WHERE k = 'tiny-outlier'),
          '1|unacceptable|' || pg_temp.r9(0.3 * 0.25 / 2 + 0.2 * sqrt(0.1875) / 2 + 0.2 * 0.4 / 0.5) || '|acceptable',
          'max_outlier 0.5: V2 drift capped at 1, unacceptable; V1 drift 0.2408, acceptable');
UPDATE costsim.datasets SET max_outlier_rate = 0.6 WHERE id = 't15_tiny';
-- the aggregate itself, on hand-made outcomes: abs errors 1, 3, NULL (an error) and missed f, t, f;
-- thresholds 10, 10, 10, 1, 1. mean 2, median 2, std 1, outliers 2/3 (the miss and the error),
-- drift 0.3 x 2/10 + 0.3 x 2/10 + 0.2 x 1/10 + 0.2 x (2/3)/1 = 0.06 + 0.06 + 0.02 + 0.133333 = 0.273333.
SELECT is((SELECT pg_temp.m(costsim.validation_stats(e, m, 10, 10, 10, 1, 1))
             FROM (VALUES (1::float8, false), (3, true), (NULL, false)) x(e, m)),
          pg_temp.mx(3, 2, 2, 1, 2.0 / 3, 0.06 + 0.06 + 0.02 + 0.2 * 2.0 / 3, 'acceptable'),
          'validation_stats: mean 2, median 2, std 1, an error counts as an outlier: 2/3, drift 0.2733');

-------------------------------------------------------------------------------------------------------------
-- 6. Model versions.
-------------------------------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT costsim.validate_dataset('t15_tiny', 't15-no-such-model')$$, '22023', NULL,
                 'validate_dataset with an unknown model: 22023');
SELECT throws_ok($$SELECT * FROM costsim.validate_all_datasets('t15-no-such-model')$$, '22023', NULL,
                 'validate_all_datasets with an unknown model: 22023');
-- t15-model: kv_get, llm_invoke, email_send and '*' all cost 1 cent flat (no per-character extras), confidence 0.9,
-- risk 0.01. Tiny dataset V2 costs: t-1 1, t-2 1, t-3 1, t-4 1, t-5 error.
-- abs errors |1-0| = 1, |1-10| = 9, |1-5| = 4, |1-2| = 1: mean 15/4 = 3.75, sorted 1 1 4 9: median 2.5;
-- deviations -2.75 5.25 0.25 -2.75: variance (7.5625 + 27.5625 + 0.0625 + 7.5625)/4 = 10.6875.
-- misses: t-3 (0.9 < 0.95), t-4 (feasible, expected not), t-5 (error): 0.6.
-- drift min(1, 0.3 x 3.75/2 + ...) = 1 (0.5625 + 0.5 + ... > 1).
INSERT INTO costsim.v2_coefficients (model_version, skill, base_cost_cents, base_latency_ms, confidence, risk_type,
                                     risk_factor, latency_variance_ms, cost_per_1k_input_chars,
                                     cost_per_1k_output_chars, latency_per_1k_input_chars_ms)
VALUES ('t15-model', 'kv_get', 1, 10, 0.9, 'not_found', 0.01, 0, 0, 0, 0),
       ('t15-model', 'llm_invoke', 1, 10, 0.9, 'rate_limit', 0.01, 0, 0, 0, 0),
       ('t15-model', 'email_send', 1, 10, 0.9, 'delivery', 0.01, 0, 0, 0, 0),
       ('t15-model', '*', 1, 10, 0.9, 'unknown', 0.01, 0, 0, 0, 0);
INSERT INTO reports VALUES ('tiny-model', costsim.validate_dataset('t15_tiny', 't15-model'));
SELECT is((pg_temp.rep('tiny-model')).model_version, 't15-model', 'a custom coefficient set: the report names it');
SELECT is(pg_temp.m((pg_temp.rep('tiny-model')).v2), pg_temp.mx(5, 3.75, 2.5, sqrt(10.6875), 0.6, 1, 'unacceptable'),
          'and its metrics are that model''s: mean 3.75, median 2.5, std sqrt(10.6875), outliers 0.6, drift 1');
SELECT is(pg_temp.m((pg_temp.rep('tiny-model')).v1), pg_temp.m((pg_temp.rep('tiny1')).v1), 'V1''s metrics do not depend on the V2 model');
SET LOCAL costsim.v2_model_version = 't15-model';
SELECT is((SELECT model_version FROM costsim.validate_dataset('t15_tiny')), 't15-model',
          'model_version NULL: costsim.v2_model_version');
RESET costsim.v2_model_version;

-------------------------------------------------------------------------------------------------------------
-- 7. compare_sample.
-------------------------------------------------------------------------------------------------------------
-- iterations 0: V1 refuses the plan (spec section 1), and so does V2.
SELECT is((SELECT concat_ws('|', v1_error IS NOT NULL, v2_error IS NOT NULL, coalesce(v1_cost_cents::text, 'null'),
                            coalesce(v2_cost_cents::text, 'null'), coalesce(drift_score::text, 'null'),
                            coalesce(verdict::text, 'null'), coalesce(diff_gzip::text, 'null'))
             FROM costsim.compare_sample('[{"skill":"kv_get","iterations":0}]', 100, NULL, '2.0.0', 0.2)),
          't|t|null|null|null|null|null', 'a plan V1 refuses: v1_error and v2_error, no costs, no drift, NULL verdict');
SELECT is((SELECT (v1_error IS NOT NULL) || '|' || (v2_error IS NOT NULL) FROM costsim.compare_sample(NULL, 100, NULL, '2.0.0', 0.2)),
          'true|true', 'a NULL plan is an outcome with errors, not an ERROR');
SELECT throws_ok($$SELECT * FROM costsim.compare_sample('[{"skill":"kv_get"}]', 100, NULL, 't15-no-such-model', 0.2)$$,
                 '22023', NULL, 'compare_sample with an unknown model: 22023');
SELECT throws_ok($$SELECT * FROM costsim.compare_sample('[{"skill":"kv_get"}]', 100, NULL, '2.0.0', 0)$$,
                 '22023', NULL, 'compare_sample with drift_threshold 0: 22023');
-- kv_get: 0 and 0, drift 0: match, no diff.
SELECT is((SELECT concat_ws('|', v1_cost_cents, v2_cost_cents, drift_score, verdict, diff_gzip IS NULL)
             FROM costsim.compare_sample('[{"skill":"kv_get"}]', 100, NULL, '2.0.0', 0.2)),
          '0|0|0|match|t', 'kv_get: match, no diff');
-- 5 x email_send: V1 5, V2 4; |4-5|/5 = 0.2; drift 0.6 x 0.2 = 0.12 <= 0.15: minor_drift, no diff.
SELECT is((SELECT concat_ws('|', v1_cost_cents, v2_cost_cents, drift_score, verdict, diff_gzip IS NULL)
             FROM costsim.compare_sample('[{"skill":"email_send","iterations":5}]', 100, NULL, '2.0.0', 0.2)),
          '5|4|0.12|minor_drift|t', 'email_send x5: drift 0.12, minor_drift, no diff');
-- 3 x email_send: V1 3, V2 2.4 -> 2; |2-3|/3 = 1/3; drift round(0.6/3, 4) = 0.2 <= 0.2: major_drift, diff kept.
SELECT is((SELECT concat_ws('|', v1_cost_cents, v2_cost_cents, drift_score, verdict, costsim.diff_of(diff_gzip) ->> 'verdict')
             FROM costsim.compare_sample('[{"skill":"email_send","iterations":3}]', 100, NULL, '2.0.0', 0.2)),
          '3|2|0.2|major_drift|major_drift', 'email_send x3: drift 0.2 (inclusive), major_drift, with a diff saying so');
-- unknown skill: V1 10, V2 5: |5-10|/10 = 0.5, drift 0.3 > 0.2: mismatch, diff kept.
SELECT is((SELECT concat_ws('|', v1_cost_cents, v2_cost_cents, drift_score, verdict, costsim.diff_of(diff_gzip) ->> 'verdict')
             FROM costsim.compare_sample('[{"skill":"t15_tool"}]', 100, NULL, '2.0.0', 0.2)),
          '10|5|0.3|mismatch|mismatch', 'an unknown skill: drift 0.3, mismatch, with a diff');
-- the same under drift_threshold 0.3: 0.3 <= 0.3: major_drift.
SELECT is((SELECT verdict::text FROM costsim.compare_sample('[{"skill":"t15_tool"}]', 100, NULL, '2.0.0', 0.3)),
          'major_drift', 'drift_threshold is the argument: 0.3 under 0.3 is major_drift');
-- allowed_skills {kv_get} for an email_send: V1 permission_denied, V2 error: both infeasible; costs 1 and 0.8 -> 1.
SELECT is((SELECT concat_ws('|', v1_cost_cents, v1_feasible, v2_cost_cents, v2_feasible, verdict)
             FROM costsim.compare_sample('[{"skill":"email_send"}]', 100, '{kv_get}', '2.0.0', 0.2)),
          '1|f|1|f|match', 'allowed_skills is honoured: both infeasible (permission), match');

-------------------------------------------------------------------------------------------------------------
-- 8. anonymize_plan.
-------------------------------------------------------------------------------------------------------------
-- Every string becomes as many x as it has characters, except the skill (kept) and a local URL's prefix (kept);
-- numbers, booleans, nulls and keys are kept.
--   "héllo wörld ✓": 13 characters; "gpt-x": 5; ":8080/secret?t=abc" after http://localhost: 18;
--   "Bearer s3cr3t": 13; "/x" after http://127.0.0.1: 2; "https://api.example.com/v1?key=s3cr3t": 37;
--   "echo s3cr3t": 11; "a", "bb"; "user:42": 7; "Alice": 5.
SELECT is(costsim.anonymize_plan(
  '[{"skill":"llm_invoke","params":{"prompt":"héllo wörld ✓","model":"gpt-x","temperature":0.5},"iterations":3},
    {"skill":"http_call","params":{"url":"http://localhost:8080/secret?t=abc","timeout":5,"headers":{"Authorization":"Bearer s3cr3t"}}},
    {"skill":"http_call","params":{"url":"http://127.0.0.1/x"}},
    {"skill":"http_call","params":{"url":"https://api.example.com/v1?key=s3cr3t"}},
    {"skill":"shell_lite","params":{"command":"echo s3cr3t","args":["a","bb"]},"iterations":2},
    {"skill":"kv_set","params":{"key":"user:42","value":"Alice","ttl_s":300,"flag":true,"none":null}}]'),
  jsonb_build_array(
    jsonb_build_object('skill', 'llm_invoke', 'params', jsonb_build_object('prompt', repeat('x', 13), 'model', repeat('x', 5),
                       'temperature', 0.5), 'iterations', 3),
    jsonb_build_object('skill', 'http_call', 'params', jsonb_build_object('url', 'http://localhost' || repeat('x', 18),
                       'timeout', 5, 'headers', jsonb_build_object('Authorization', repeat('x', 13)))),
    jsonb_build_object('skill', 'http_call', 'params', jsonb_build_object('url', 'http://127.0.0.1xx')),
    jsonb_build_object('skill', 'http_call', 'params', jsonb_build_object('url', repeat('x', 37))),
    jsonb_build_object('skill', 'shell_lite', 'params', jsonb_build_object('command', repeat('x', 11), 'args', '["x","xx"]'::jsonb),
                       'iterations', 2),
    jsonb_build_object('skill', 'kv_set', 'params', jsonb_build_object('key', repeat('x', 7), 'value', repeat('x', 5), 'ttl_s', 300,
                       'flag', true, 'none', NULL))),
  'anonymize_plan: strings to x''s of the same length, skills, numbers, keys and local URL prefixes kept');
-- An external URL is all x, as many as it has characters: "https://café.example/ü" has 22 (24 bytes).
SELECT is(costsim.anonymize_plan('[{"skill":"http_call","params":{"url":"https://café.example/ü"}}]') -> 0 -> 'params' ->> 'url',
          repeat('x', 22), 'an external non-ASCII URL: 22 x''s, one per character');
-- The simulators price the anonymized plan as the original: a 2500-character non-ASCII prompt, a non-string prompt
-- (its JSON text is what counts), a 60-character non-ASCII command (120 bytes, but not over 100 characters),
-- external, localhost and 127.0.0.1 URLs, a timeout and iterations.
CREATE FUNCTION pg_temp.rich() RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_array(
    jsonb_build_object('skill', 'llm_invoke', 'params', jsonb_build_object('prompt', repeat('é', 2500)), 'iterations', 2),
    jsonb_build_object('skill', 'llm_invoke', 'params', jsonb_build_object('prompt', to_jsonb(ARRAY(SELECT generate_series(1, 1000))))),
    jsonb_build_object('skill', 'shell_lite', 'params', jsonb_build_object('command', repeat('ü', 60))),
    jsonb_build_object('skill', 'http_call', 'params', jsonb_build_object('url', 'https://secret.example.com/ünï', 'timeout', 0.2)),
    jsonb_build_object('skill', 'http_call', 'params', jsonb_build_object('url', 'http://localhost:1/é')),
    jsonb_build_object('skill', 'webhook_send', 'params', jsonb_build_object('url', 'http://127.0.0.1/hook')),
    jsonb_build_object('skill', 'email_send', 'params', jsonb_build_object('to', 'bob@example.org'), 'iterations', 4))
$$;
SELECT is(costsim.simulate_v1(costsim.anonymize_plan(pg_temp.rich()), 100),
          costsim.simulate_v1(pg_temp.rich(), 100), 'simulate_v1 of the anonymized plan = simulate_v1 of the original');
SELECT is(costsim.simulate_v2(costsim.anonymize_plan(pg_temp.rich()), 100) - 'runtime_us',
          costsim.simulate_v2(pg_temp.rich(), 100) - 'runtime_us', 'simulate_v2 of the anonymized plan = simulate_v2 of the original (runtime aside)');
SELECT is(costsim.anonymize_plan(costsim.anonymize_plan(pg_temp.rich())), costsim.anonymize_plan(pg_temp.rich()),
          'anonymizing an anonymized plan changes nothing');

-------------------------------------------------------------------------------------------------------------
-- 9. snapshot_historical_dataset from shadow rows written here.
-------------------------------------------------------------------------------------------------------------
-- Four plans with secrets in prompts, URLs, addresses, keys and commands; P1 is sent twice, the second time by
-- another tenant (one distinct input: the snapshot reads every tenant's rows).
--   P1 llm_invoke x2, prompt of 1000 characters, budget 1000: V1 5 x 2 = 10; V2 6.7 x 2 = 13.4 -> 13.
--   P2 external http_call (timeout 5) + email_send, budget 50: V1 1; V2 0.8 -> 1.
--   P3 local http_call + shell_lite (short command), budget 20: V1 0; V2 0.
--   P4 kv_get, budget 10, allowed_skills {kv_get}: V1 0; V2 0.
CREATE TEMP TABLE secret_plans (k text PRIMARY KEY, plan jsonb, budget int, allowed text[]);
INSERT INTO secret_plans VALUES
  ('p1', jsonb_build_array(jsonb_build_object('skill', 'llm_invoke', 'iterations', 2, 'params',
           jsonb_build_object('prompt', 'T15SECRET-aaaa alice@example.com ' || repeat('q', 1000 - 33)))), 1000, NULL),
  ('p2', '[{"skill":"http_call","params":{"url":"https://t15-secret-host.example/api?key=T15SECRET-bbbb","timeout":5}},
           {"skill":"email_send","params":{"to":"alice@example.com","body":"T15SECRET-cccc"}}]', 50, NULL),
  ('p3', '[{"skill":"http_call","params":{"url":"http://localhost:9999/T15SECRET-dddd"}},
           {"skill":"shell_lite","params":{"command":"curl -H Authorization:T15SECRET-eeee"}}]', 20, NULL),
  ('p4', '[{"skill":"kv_get","params":{"key":"T15SECRET-ffff"}}]', 10, '{kv_get}');
SELECT is((SELECT char_length(plan -> 0 -> 'params' ->> 'prompt') FROM secret_plans WHERE k = 'p1'), 1000, 'P1''s prompt has 1000 characters');
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
DO $$ BEGIN
  PERFORM costsim.simulate(plan, budget, allowed, 't15-snap-' || k) FROM secret_plans ORDER BY k;
  PERFORM set_config('costsim.tenant_id', 't15-other-tenant', true);
  PERFORM costsim.simulate(plan, budget, allowed, 't15-snap-p1-again') FROM secret_plans WHERE k = 'p1';
  PERFORM set_config('costsim.tenant_id', '', true);
END $$;
SET LOCAL costsim.v2_sandbox = off;
SELECT is((SELECT count(*) FROM costsim.provenance WHERE run_id LIKE 't15-snap-%' AND created_at = now()), 5::bigint,
          'the shadow path recorded the five calls (now(): the window below)');
SELECT is((SELECT count(DISTINCT tenant_id) FROM costsim.provenance WHERE run_id LIKE 't15-snap-%' AND created_at = now()),
          2::bigint, 'from two tenants');

-- errors first
SELECT throws_ok($$SELECT costsim.snapshot_historical_dataset('t15_hist', '2000-01-01', '2000-01-02')$$, 'P0002', NULL,
                 'an empty window: P0002 (no_data_found)');
SELECT throws_ok($$SELECT costsim.snapshot_historical_dataset('T15 Bad', now(), now() + interval '1 microsecond')$$, '22023', NULL,
                 'a name that is not an identifier: 22023');
SELECT throws_ok($$SELECT costsim.snapshot_historical_dataset(NULL, now(), now() + interval '1 microsecond')$$, '22023', NULL,
                 'a NULL name: 22023');
SELECT throws_ok($$SELECT costsim.snapshot_historical_dataset('t15_hist', now(), now())$$, '22023', NULL,
                 'since = until: 22023');
SELECT throws_ok($$SELECT costsim.snapshot_historical_dataset('t15_hist', now(), NULL)$$, '22023', NULL, 'a NULL until: 22023');
SELECT throws_ok($$SELECT costsim.snapshot_historical_dataset('t15_hist', now(), now() + interval '1 microsecond', 0)$$, '22023', NULL,
                 'max_samples 0: 22023');
SELECT throws_ok($$SELECT costsim.snapshot_historical_dataset('low_variance', now(), now() + interval '1 microsecond')$$, '22023', NULL,
                 'a shipped dataset other than historical: 22023');
SELECT is((SELECT count(*) FROM costsim.datasets WHERE id = 't15_hist'), 0::bigint, 'the failed calls left nothing');

-- an admin snapshots the window [now(), now() + 1 us): exactly this transaction's shadow rows
SET LOCAL ROLE costsim_admin;
SELECT is((SELECT origin || '|' || sample_count FROM costsim.snapshot_historical_dataset('t15_hist', now(), now() + interval '1 microsecond')),
          'snapshot|4', 'costsim_admin snapshots the window: origin snapshot, one sample per distinct input (4)');
RESET ROLE;
INSERT INTO versions SELECT 'snap', v FROM costsim.dataset_versions v WHERE dataset_id = 't15_hist';
SELECT is((SELECT count(*) FROM versions WHERE k = 'snap'), 1::bigint, 'one version of t15_hist');
SELECT ok((pg_temp.ver('snap')).version ~ '^snapshot-[0-9a-f]{16}$'
          AND (pg_temp.ver('snap')).version = 'snapshot-' || left((pg_temp.ver('snap')).content_sha256, 16),
          'its version is snapshot-<first 16 hex digits of its SHA-256>');
SELECT is((SELECT origin || '|' || thresholds::text FROM costsim.reference_datasets WHERE id = 't15_hist'),
          (SELECT 'snapshot|' || thresholds::text FROM costsim.reference_datasets WHERE id = 'historical'),
          'the snapshot dataset has origin snapshot and historical''s thresholds');
SELECT is((pg_temp.ver('snap')).source ->> 'inputs', '4', 'its source records the 4 inputs found');
SELECT is(ARRAY(SELECT sample_id FROM costsim.dataset_samples('t15_hist') ORDER BY 1),
          ARRAY(SELECT DISTINCT 'h-' || left(input_hash, 16) FROM costsim.provenance WHERE run_id LIKE 't15-snap-%' ORDER BY 1),
          'sample ids: h- and the first 16 hex digits of each input hash');
SELECT is((SELECT count(*) FROM costsim.dataset_samples('t15_hist') s
            WHERE (s.plan::text || s.sample_id || s.tags::text) ~* 'T15SECRET|alice|t15-secret|example\.com|curl|Authorization'),
          0::bigint, 'no secret string appears in the samples');
SELECT is(ARRAY(SELECT s.plan FROM costsim.dataset_samples('t15_hist') s ORDER BY s.plan::text),
          ARRAY(SELECT costsim.anonymize_plan(plan) FROM secret_plans ORDER BY costsim.anonymize_plan(plan)::text),
          'each sample''s plan is the anonymized input');
SELECT is(ARRAY(SELECT expected_cost_cents || '|' || expected_feasible || '|' || budget_cents || '|' || coalesce(allowed_skills::text, 'null')
                  FROM costsim.dataset_samples('t15_hist') ORDER BY expected_cost_cents, budget_cents),
          ARRAY['0|true|10|{kv_get}', '0|true|20|null', '1|true|50|null', '10|true|1000|null'],
          'expected costs are V1''s (0, 0, 1, 10), feasible, with the budgets and allowed_skills sent');
SELECT is((SELECT repeat('x', 1000) = plan -> 0 -> 'params' ->> 'prompt' AND (plan -> 0 ->> 'iterations')::int = 2
             FROM costsim.dataset_samples('t15_hist') WHERE expected_cost_cents = 10),
          true, 'P1: the prompt became 1000 x''s, iterations 2 kept');
SELECT is((SELECT count(*) FROM costsim.status_history
            WHERE tenant_id = '_system' AND entity_type = 'dataset'
              AND entity_id = 't15_hist/' || (pg_temp.ver('snap')).version AND new_status = 'snapshot'
              AND metadata ->> 'content_sha256' = (pg_temp.ver('snap')).content_sha256),
          1::bigint, 'a status_history row (entity_type dataset, tenant _system) records the snapshot');
-- the same window again: the same version, no duplicate
SELECT is(to_jsonb(costsim.snapshot_historical_dataset('t15_hist', now(), now() + interval '1 microsecond')),
          to_jsonb(pg_temp.ver('snap')), 'the same call again returns the same version (same hash, same row)');
SELECT is((SELECT count(*) FROM costsim.dataset_versions WHERE dataset_id = 't15_hist'), 1::bigint, 'and makes no duplicate');
-- validate the snapshot (thresholds of historical: 5, 3, 8, 0.05, 0.10)
-- V2 abs errors: P1 |13 - 10| = 3, P2 |1 - 1| = 0, P3 0, P4 0: mean 3/4 = 0.75, median 0,
-- variance (2.25^2 + 3 x 0.75^2)/4 = (5.0625 + 1.6875)/4 = 1.6875; confidences P1 0.92, P2 0.85 x 0.95 x 0.93 = 0.751,
-- P3 0.85 x 0.88 = 0.748, P4 0.97, all >= 0.5, all feasible: outliers 0.
-- drift 0.3 x 0.75/5 + 0 + 0.2 x sqrt(1.6875)/8 + 0 = 0.045 + 0.032476 = 0.077476 <= 0.10: acceptable.
INSERT INTO reports VALUES ('snap', costsim.validate_dataset('t15_hist'));
SELECT is(pg_temp.m((pg_temp.rep('snap')).v2),
          pg_temp.mx(4, 0.75, 0, sqrt(1.6875), 0, 0.3 * 0.75 / 5 + 0.2 * sqrt(1.6875) / 8, 'acceptable'),
          'validate_dataset on the snapshot: mean 0.75, median 0, std sqrt(1.6875), drift 0.0775, acceptable');
SELECT is((pg_temp.rep('snap')).content_sha256, (pg_temp.ver('snap')).content_sha256, 'the report carries the snapshot''s hash');
-- max_samples 1: the input with the smallest hash only, a new version
SELECT is((SELECT sample_count || '|' || (version <> (pg_temp.ver('snap')).version)
             FROM costsim.snapshot_historical_dataset('t15_hist', now(), now() + interval '1 microsecond', 1)),
          '1|true', 'max_samples 1: a new version with one sample');
SELECT is((SELECT sample_id FROM costsim.dataset_samples('t15_hist')),
          (SELECT 'h-' || left(min(input_hash), 16) FROM costsim.provenance WHERE run_id LIKE 't15-snap-%'),
          'it is the input with the smallest hash');

-------------------------------------------------------------------------------------------------------------
-- 10. Privileges.
-------------------------------------------------------------------------------------------------------------
SET LOCAL ROLE costsim_backend;
SELECT is((SELECT count(*) FROM costsim.reference_datasets WHERE 'golden' = ANY (tags)), 5::bigint, 'backend lists the (golden) datasets');
SELECT is((SELECT count(*) FROM costsim.dataset_samples('noise_injected')), 8::bigint, 'backend reads samples');
SELECT is((SELECT v2_cost_cents FROM costsim.dataset_sample_results('high_variance', '2.0.0') WHERE sample_id = 'hv-003'), 7::bigint,
          'backend reads sample results');
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '{"role":"costsim_backend","sub":"t15-jwt-user"}', true); END $$;
SELECT is((SELECT acceptable || '|' || validated_by FROM costsim.validate_dataset('low_variance')), 'true|t15-jwt-user',
          'backend validates; validated_by is the JWT subject');
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '', true); END $$;
SELECT throws_ok($$SELECT costsim.snapshot_historical_dataset('t15_hist', now(), now() + interval '1 microsecond')$$, '42501', NULL,
                 'backend cannot snapshot: 42501');
SELECT throws_ok($$SELECT costsim.load_dataset_version('t15_tiny', '9.0.0', pg_temp.tiny())$$, '42501', NULL,
                 'backend cannot call load_dataset_version: 42501');
SELECT throws_ok($$SELECT costsim.record_validation('t15_tiny', '2.0.0')$$, '42501', NULL,
                 'backend cannot call record_validation: 42501');
SELECT throws_ok($$INSERT INTO costsim.datasets (id, name, description, max_mean_abs_error, max_median_abs_error,
                     max_std_abs_error, max_outlier_rate, max_drift_score) VALUES ('t15_x', 'x', 'x', 1, 1, 1, 1, 1)$$,
                 '42501', NULL, 'backend cannot INSERT into costsim.datasets');
RESET ROLE;
SET LOCAL ROLE costsim_auditor;
SELECT is((SELECT count(*) FROM costsim.reference_datasets WHERE 'golden' = ANY (tags)), 5::bigint, 'auditor lists the (golden) datasets');
SELECT is((SELECT count(*) FROM costsim.dataset_samples('low_variance')), 30::bigint, 'auditor reads samples');
SELECT ok((SELECT count(*) FROM costsim.dataset_validations WHERE dataset_id = 't15_tiny') >= 6, 'auditor reads the reports');
SELECT throws_ok($$SELECT costsim.validate_dataset('low_variance')$$, '42501', NULL, 'auditor cannot validate: 42501');
SELECT throws_ok($$SELECT * FROM costsim.validate_all_datasets()$$, '42501', NULL, 'auditor cannot validate_all_datasets: 42501');
SELECT throws_ok($$SELECT costsim.snapshot_historical_dataset('t15_hist', now(), now() + interval '1 microsecond')$$, '42501', NULL,
                 'auditor cannot snapshot: 42501');
RESET ROLE;
SET LOCAL ROLE costsim_admin;
SELECT lives_ok($$SELECT costsim.validate_dataset('mixed_city')$$, 'admin validates');
RESET ROLE;

-------------------------------------------------------------------------------------------------------------
-- 11. validate_all_datasets.
-------------------------------------------------------------------------------------------------------------
SET LOCAL ROLE costsim_backend;
CREATE TEMP TABLE all_reports AS SELECT * FROM costsim.validate_all_datasets();
RESET ROLE;
SELECT is(ARRAY(SELECT dataset_id FROM all_reports ORDER BY 1), ARRAY(SELECT id FROM costsim.datasets ORDER BY 1),
          'validate_all_datasets: one report per dataset');
SELECT is((SELECT count(*) FROM all_reports a JOIN costsim.reference_datasets d ON d.id = a.dataset_id
            WHERE a.dataset_version = d.version AND a.content_sha256 = d.content_sha256 AND a.model_version = '2.0.0'), 
          (SELECT count(*) FROM costsim.datasets),
          'each for the dataset''s latest version and its hash, model 2.0.0');
SELECT is((SELECT string_agg(dataset_id || '=' || acceptable, ' ' ORDER BY dataset_id) FROM all_reports
            WHERE dataset_id IN (SELECT id FROM costsim.datasets WHERE 'golden' = ANY (tags))),
          'high_variance=true historical=true low_variance=true mixed_city=true noise_injected=true',
          'model 2.0.0 is acceptable on every shipped dataset');
SELECT is((SELECT count(*) FROM costsim.dataset_validations v JOIN all_reports a ON a.id = v.id),
          (SELECT count(*) FROM costsim.datasets), 'and every report is persisted');

SELECT * FROM finish();
ROLLBACK;
