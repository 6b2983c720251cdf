-- One round of test/bench/breaker.sql (included by it; :round and :n are set there).
BEGIN;
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
SET LOCAL costsim.drift_threshold = 1;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE costsim.simulate(:'plan'::jsonb, 1000 + g % 1) IS NOT NULL \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n AS us \gset
ROLLBACK;
INSERT INTO breaker_bench VALUES (:round, 'sandbox, rules on', :us);

BEGIN;
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
SET LOCAL costsim.cb_auto_trip = off;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE costsim.simulate(:'plan'::jsonb, 1000 + g % 1) IS NOT NULL \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n AS us \gset
ROLLBACK;
INSERT INTO breaker_bench VALUES (:round, 'sandbox, rules off', :us);

BEGIN;
SELECT costsim.disable_v2('benchmark', 'test/bench/breaker.sql') \g /dev/null
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE costsim.simulate(:'plan'::jsonb, 1000 + g % 1) IS NOT NULL \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n AS us \gset
ROLLBACK;
INSERT INTO breaker_bench VALUES (:round, 'breaker open', :us);

BEGIN;
SET LOCAL costsim.v2_sandbox = off;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE costsim.simulate(:'plan'::jsonb, 1000 + g % 1) IS NOT NULL \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n AS us \gset
ROLLBACK;
INSERT INTO breaker_bench VALUES (:round, 'sandbox off', :us);
