-- The API layer's cost (issue 7): api.simulate (a plpgsql wrapper whose EXCEPTION clause turns an oversized plan
-- into 413, so each call opens a subtransaction) against costsim.simulate, the function it wraps, server-side
-- microseconds per call over :n calls in one query, three interleaved rounds (run by test/bench/run.sh:
-- psql -v plan='<plan json>' -f test/bench/api.sql). The sandbox is off: V1 only, the production path.
\set n 20000
\set QUIET on
CREATE TEMP TABLE api_bench (round int, label text, us_per_call numeric);
\set round 1
\ir api_round.sql
\set round 2
\ir api_round.sql
\set round 3
\ir api_round.sql
\set QUIET off
SELECT label, round(avg(us_per_call), 2) AS mean_us, round(min(us_per_call), 2) AS min_us,
       round(max(us_per_call), 2) AS max_us
  FROM api_bench GROUP BY label ORDER BY label DESC;
SELECT round((SELECT avg(us_per_call) FROM api_bench WHERE label = 'costsim.simulate')
           / (SELECT avg(us_per_call) FROM api_bench WHERE label = 'api.simulate'), 3)
           AS "api.simulate throughput / costsim.simulate";
