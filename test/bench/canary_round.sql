-- One round of test/bench/canary.sql (included by it; :round and :n are set there).
BEGIN;
SELECT clock_timestamp() AS t0 \gset
SELECT sample_count AS samples FROM costsim.run_canary(:n) \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000 AS ms \gset
ROLLBACK;
INSERT INTO canary_bench VALUES (:round, 'canary 10k', :samples, :ms);

BEGIN;
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.cb_auto_trip = off;
SELECT clock_timestamp() AS t0 \gset
SELECT count(costsim.simulate_with_comparison(p.input, p.budget_cents::integer, p.allowed_skills)) AS samples
  FROM (SELECT DISTINCT ON (input_hash) input, budget_cents, allowed_skills FROM costsim.provenance
         ORDER BY input_hash, id DESC LIMIT :n) p \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000 AS ms \gset
ROLLBACK;
INSERT INTO canary_bench VALUES (:round, 'comparison loop', :samples, :ms);

BEGIN;
SELECT clock_timestamp() AS t0 \gset
SELECT sum((v2).sample_count) AS samples FROM costsim.validate_all_datasets() \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000 AS ms \gset
ROLLBACK;
INSERT INTO canary_bench VALUES (:round, 'validate_all', :samples, :ms);
