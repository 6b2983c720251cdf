-- The canary and the dataset validations (issue 6), server-side, interleaved rounds in one run (run by
-- test/bench/run.sh as a superuser: psql -f test/bench/canary.sql). Everything timed runs inside a rolled-back
-- transaction: no report, artifact or provenance row is left behind by the measurements.
--   canary 10k          costsim.run_canary(10000): 10,000 recent shadow inputs plus the golden datasets, V1 and V2
--                       on each, the statistics, golden validations, diff artifacts and the report
--   comparison loop     costsim.simulate_with_comparison on the same 10,000 inputs (the baseline: V1 and V2 with
--                       their comparison and a provenance row per sample)
--   validate_all        costsim.validate_all_datasets(): every golden sample through V1 and V2, five reports
-- Per-sample microseconds, and the canary's per-sample cost over the baseline's.
\set QUIET on
\set n 10000
CREATE TEMP TABLE canary_bench (round int, label text, samples int, ms numeric);

-- 10,000 distinct shadow inputs (one-to-six-step plans of known skills, prompts of varied lengths), recorded by
-- the sandbox path with the breaker's automatic rules off (the candidate drifts on some of them).
BEGIN;
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
SET LOCAL costsim.cb_auto_trip = off;
SELECT count(costsim.simulate(
           (SELECT jsonb_agg(jsonb_build_object(
                       'skill', (ARRAY['llm_invoke', 'http_call', 'kv_get', 'json_transform', 'email_send',
                                       'fs_read'])[1 + (g + s) % 6],
                       'params', jsonb_build_object('prompt', repeat('p', 50 * (g % 97)),
                                                    'url', 'https://api.example.com/' || g),
                       'iterations', 1 + (g * s) % 3))
              FROM generate_series(1, 1 + g % 6) s),
           200 + g % 500))
  FROM generate_series(1, :n) g \g /dev/null
COMMIT;
SELECT count(DISTINCT input_hash) AS inputs FROM costsim.provenance \gset
\echo shadow inputs recorded: :inputs

\set round 1
\ir canary_round.sql
\set round 2
\ir canary_round.sql
\set round 3
\ir canary_round.sql

\set QUIET off
SELECT label, max(samples) AS samples, round(avg(ms), 1) AS mean_ms, round(min(ms), 1) AS min_ms,
       round(avg(ms) * 1000 / max(samples), 2) AS us_per_sample
  FROM canary_bench GROUP BY label ORDER BY min(round), label;
SELECT round((SELECT avg(ms) / max(samples) FROM canary_bench WHERE label = 'canary 10k')
           / (SELECT avg(ms) / max(samples) FROM canary_bench WHERE label = 'comparison loop'), 3)
           AS "canary per sample / simulate_with_comparison per sample",
       round((SELECT avg(ms) / max(samples) FROM canary_bench WHERE label = 'validate_all')
           / (SELECT avg(ms) / max(samples) FROM canary_bench WHERE label = 'comparison loop'), 3)
           AS "validate_all per sample / simulate_with_comparison per sample";
TRUNCATE costsim.provenance;
