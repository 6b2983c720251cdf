-- Drift statistics and the divergence report (spec section 6). Expected values computed by hand.
BEGIN;
SELECT plan(41);

-------------------------------------------------------------------------------------------------------------
-- Array statistics
-------------------------------------------------------------------------------------------------------------
-- legacy KL, the spec's hand-checked examples
SELECT ok(abs((costsim.kl_divergence('{100,100,100,100,100}', '{50,150,75,125,100}', 'legacy')).value - ln(5)) < 1e-6,
          'legacy KL: [100]*5 vs [50,150,75,125,100] = ln 5');
SELECT ok(abs((costsim.kl_divergence('{100,100,100}', '{100,105,150}', 'legacy')).value - ln(3)) < 1e-6,
          'legacy KL: [100,100,100] vs [100,105,150] = ln 3');
SELECT is((costsim.kl_divergence('{3,7,9}', '{3,7,9}', 'legacy')).value, 0::float8, 'legacy KL: identical samples = 0');
SELECT is((costsim.kl_divergence('{}', '{}', 'legacy')).value, 0::float8, 'legacy KL: empty = 0');
SELECT is((costsim.kl_divergence('{1,2}', '{3,4}', 'legacy')).method_used, 'legacy', 'legacy KL names its method');
SELECT is(array_length((costsim.kl_divergence('{1,2}', '{3,4}', 'legacy')).bin_edges, 1), 11,
          'legacy KL: 10 bins, 11 edges');

-- robust KL, v1 = [1,2,3,4], v2 = [3,4,5,6], 2 bins: pooled sorted [1,2,3,3,4,4,5,6]; type-7 quantiles at
-- 0, 0.5, 1 = 1, 3 + 0.5 (4 - 3) = 3.5, 6. v1 counts (3, 1), v2 counts (1, 3); Jeffreys: p = (3.5, 1.5) / 5,
-- q = (1.5, 3.5) / 5; KL = 0.7 ln(7/3) + 0.3 ln(3/7) = 0.33891914415488145
SELECT ok(abs((costsim.kl_divergence('{1,2,3,4}', '{3,4,5,6}', 'robust', 2)).value - 0.33891914415488145) < 1e-12,
          'robust KL: hand-computed example');
SELECT is((costsim.kl_divergence('{1,2,3,4}', '{3,4,5,6}', 'robust', 2)).bin_edges, '{1,3.5,6}'::float8[],
          'robust KL: pooled-quantile edges returned');
SELECT is((costsim.kl_divergence('{1,2,3,4}', '{3,4,5,6}', 'robust', 2)).smoothing, 0.5::float8,
          'robust KL: Jeffreys smoothing 0.5 returned');
SELECT is((costsim.kl_divergence('{1,2,3,4}', '{3,4,5,6}')).direction, 'v1||v2', 'KL direction returned');
-- noise floor (B - 1)/2 (1/N + 1/M) = 1/2 (1/4 + 1/4) = 0.25; critical chi2_0.95(1) (N + M) / (2 N M) = 3.841458820694124 x 8 / 32
SELECT is((costsim.kl_divergence('{1,2,3,4}', '{3,4,5,6}', 'robust', 2)).noise_floor, 0.25::float8, 'robust KL: noise floor');
SELECT ok(abs((costsim.kl_divergence('{1,2,3,4}', '{3,4,5,6}', 'robust', 2)).critical_value - 0.960364705173531) < 1e-9,
          'robust KL: 95 % critical value');
SELECT is((costsim.kl_divergence('{1,2,3,4}', '{3,4,5,6}', 'robust', 2)).significant, false,
          'robust KL: 0.339 is below the critical value for 4 + 4 samples');
SELECT is((costsim.kl_divergence('{5,5,5}', '{5,5,5}')).value, 0::float8, 'robust KL: all equal = 0');

-- PSI on the same bins: 0.4 ln(7/3) + (-0.4) ln(3/7) = 0.6778382883097629
SELECT ok(abs(costsim.psi('{1,2,3,4}', '{3,4,5,6}', 2) - 0.6778382883097629) < 1e-12, 'PSI: hand-computed example');
-- JS distance, unsmoothed P = (0.75, 0.25), Q = (0.25, 0.75), M = (0.5, 0.5):
-- JSD = 0.75 log2 1.5 + 0.25 log2 0.5 = 0.18872187554086717, distance = sqrt = 0.4344213111034807
SELECT ok(abs(costsim.js_distance('{1,2,3,4}', '{3,4,5,6}', 2) - 0.4344213111034807) < 1e-12,
          'JS distance: hand-computed example');
SELECT is(costsim.js_distance('{1,2,3}', '{1,2,3}'), 0::float8, 'JS distance: identical = 0');

SELECT is((costsim.ks_test('{1,2,3,4}', '{3,4,5,6}')).statistic, 0.5::float8, 'KS: D = 0.5');
SELECT is((costsim.ks_test('{1,2,3}', '{4,5,6}')).statistic, 1::float8, 'KS: disjoint samples, D = 1');
SELECT is((costsim.ks_test('{1,2,3}', '{1,2,3}')).p_value, 1::float8, 'KS: identical samples, p = 1');
SELECT is(costsim.wasserstein('{0,1,3}', '{5,6,8}'), 5::float8, 'Wasserstein-1: [0,1,3] vs [5,6,8] = 5');
-- [1,2,3,4,100]: median 3, |x - 3| = 2,1,0,1,97, MAD = 1; 0.6745 x 97 = 65.4 > 3.5; 0.6745 x 2 = 1.35
SELECT is(costsim.modified_z_outliers('{1,2,3,4,100}'), '{5}'::int[], 'modified z-score outliers (1-based)');
SELECT is(costsim.modified_z_outliers('{5,5,5,5,9}'), '{5}'::int[], 'MAD = 0: every value <> median');

SELECT throws_ok($$SELECT costsim.wasserstein('{1,NULL}', '{1}')$$, '22023', NULL, 'NULL element: 22023');
SELECT throws_ok($$SELECT costsim.wasserstein('{1,NaN}', '{1}')$$, '22023', NULL, 'NaN: 22023');
SELECT throws_ok($$SELECT costsim.kl_divergence('{1}', '{1}', 'magic')$$, '22023', NULL, 'unknown KL method: 22023');

-------------------------------------------------------------------------------------------------------------
-- The divergence report over provenance
-------------------------------------------------------------------------------------------------------------
DELETE FROM costsim.provenance;
-- four paired samples of tenant t_div (as the owner: the functions write provenance, callers cannot)
INSERT INTO costsim.provenance (created_at, tenant_id, source, status, input, budget_cents, input_hash,
                                v1_model_version, v2_model_version, v1_output_hash, v2_output_hash, v1_cost_cents,
                                v2_cost_cents, v1_duration_ms, v2_duration_ms, v1_feasible, v2_feasible, v1_status,
                                v2_status, v2_confidence, drift_score, verdict, v1_runtime_us, v2_runtime_us)
SELECT now() - interval '1 hour', 't_div', 'simulate', 'ok', '[]', 1000, 'h' || n, '1.0.0', '2.0.0', 'x', 'y',
       v1, v2, 1, 1, true, true, 'feasible', 'success', 0.9, score, verdict::costsim.drift_verdict, 1, 1
  FROM (VALUES (1, 10, 12, 0.12, 'minor_drift'), (2, 10, 10, 0, 'match'), (3, 20, 30, 0.3, 'mismatch'),
               (4, 5, 5, 0, 'match')) AS s(n, v1, v2, score, verdict);
-- and one V2 error, which is not a pair
INSERT INTO costsim.provenance (created_at, tenant_id, source, status, error, input, budget_cents, input_hash,
                                v1_model_version, v2_model_version, v1_output_hash, v1_cost_cents, v1_duration_ms,
                                v1_feasible, v1_status, v1_runtime_us)
VALUES (now() - interval '1 hour', 't_div', 'simulate', 'error', 'boom', '[]', 1000, 'h5', '1.0.0', '2.0.0', 'x', 7, 1,
        true, 'feasible', 1);

-- |delta| = 2, 0, 10, 0 -> sorted 0, 0, 2, 10: p50 (h = 1.5) = 1, p90 (h = 2.7) = 2 + 0.7 x 8 = 7.6
SELECT is((costsim.divergence_report()).sample_count, 4::bigint, 'report: 4 pairs (the V2 error is not one)');
SELECT is((costsim.divergence_report()).delta_p50, 1::float8, 'report: delta p50 = 1');
SELECT ok(abs((costsim.divergence_report()).delta_p90 - 7.6) < 1e-12, 'report: delta p90 = 7.6');
-- drift scores 0.12, 0, 0.3, 0 against the 0.20 threshold: one failure of four; two matches of four
SELECT is((costsim.divergence_report()).fail_ratio, 0.25::float8, 'report: fail ratio = 1/4');
SELECT is((costsim.divergence_report()).matching_rate, 0.5::float8, 'report: matching rate = 2/4');
SELECT is((costsim.divergence_report()).kl_method, 'quantile_jeffreys', 'report: robust KL by default');
SELECT is((costsim.divergence_report(now() - interval '10 minutes')).sample_count, 0::bigint,
          'report: the time window applies');
SELECT is((costsim.divergence_report(model_version => '9.9.9')).sample_count, 0::bigint,
          'report: the model version applies');

-- tenant scoping through row-level security
SET LOCAL costsim.tenant_id = 't_other';
SET LOCAL ROLE costsim_backend;
SELECT is((costsim.divergence_report()).sample_count, 0::bigint, 'report: another tenant sees no sample');
RESET ROLE;
SET LOCAL costsim.tenant_id = 't_div';
SET LOCAL ROLE costsim_backend;
SELECT is((costsim.divergence_report()).sample_count, 4::bigint, 'report: the tenant sees its samples');
RESET ROLE;

-------------------------------------------------------------------------------------------------------------
-- Exports
-------------------------------------------------------------------------------------------------------------
SELECT is(split_part(convert_from(costsim.divergence_export('csv'), 'UTF8'), E'\r\n', 1),
          'kind,created_at,input_hash,v1_cost_cents,v2_cost_cents,cost_delta_cents,drift_score,verdict,metric,value',
          'csv: RFC 4180 header');
SELECT is((SELECT count(*) FROM regexp_split_to_table(convert_from(costsim.divergence_export('csv'), 'UTF8'), E'\r\n') l
            WHERE l LIKE 'sample,%'), 4::bigint, 'csv: one sample row per pair');
SELECT is((split_part(convert_from(costsim.divergence_export('jsonl'), 'UTF8'), E'\n', 1)::jsonb)->>'sample_count', '4',
          'jsonl: the summary first');
SELECT is(substring(costsim.divergence_export('parquet') from 1 for 4), '\x50415231'::bytea, 'parquet: starts with PAR1');
SELECT throws_ok($$SELECT costsim.divergence_export('xml')$$, '22023', NULL, 'unknown export format: 22023');

SELECT * FROM finish();
ROLLBACK;
