-- Server-side cost per call, without the client/protocol share that pgbench includes.
-- Usage: psql -v plan='<plan json>' -f test/bench/per_call.sql   (test/bench/run.sh passes its bench plan)
-- Each row is microseconds per call over :n calls in one query; "empty loop" is the loop's own cost and the
-- conversions are baselines from the same run. Every expression depends on the row so it runs once per row.
\set n 20000
\set QUIET on
CREATE TEMP TABLE per_call (label text, us_per_call numeric);
SELECT costsim.simulate_v1(:'plan'::jsonb)::text AS result \gset

SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE (:'plan' || substr('x', 1, g % 1)) IS NOT NULL \g /dev/null
INSERT INTO per_call SELECT 'empty loop', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n;

SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE (:'plan' || substr('x', 1, g % 1))::jsonb IS NOT NULL \g /dev/null
INSERT INTO per_call SELECT 'plan: text -> jsonb', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n;

SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE (:'result' || substr('x', 1, g % 1))::jsonb IS NOT NULL \g /dev/null
INSERT INTO per_call SELECT 'result-sized: text -> jsonb', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n;

SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE (:'result' || substr('x', 1, g % 1))::jsonb::text IS NOT NULL \g /dev/null
INSERT INTO per_call SELECT 'result-sized: text -> jsonb -> text', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n;

SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE costsim.simulate_v1(:'plan'::jsonb, 1000 + g % 1) IS NOT NULL \g /dev/null
INSERT INTO per_call SELECT 'simulate_v1', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n;

SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE costsim.simulate_v2(:'plan'::jsonb, 1000 + g % 1) IS NOT NULL \g /dev/null
INSERT INTO per_call SELECT 'simulate_v2', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n;

BEGIN;
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE costsim.simulate(:'plan'::jsonb, 1000 + g % 1) IS NOT NULL \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n AS sandbox_us \gset
ROLLBACK;  -- leaves no provenance rows behind
INSERT INTO per_call VALUES ('simulate, sandbox on (V2 + provenance row)', :sandbox_us);

\set QUIET off
SELECT label, round(us_per_call, 2) AS us_per_call FROM per_call;
