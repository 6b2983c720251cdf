-- The circuit breaker's cost on the sandbox path (issue 5), server-side microseconds per call over :n calls in one
-- query, interleaved rounds in one run (run by test/bench/run.sh; psql -v plan='<plan json>' -f test/bench/breaker.sql
-- as a superuser). Inside rolled-back transactions: no provenance row, incident or breaker change is left behind.
--   sandbox, rules on   costsim.simulate with the sandbox on: V2 in shadow, the state check, and the drift window
--                       recorded and evaluated after every comparison (the production setting)
--   sandbox, rules off  the same with costsim.cb_auto_trip = off: the state check only (the baseline)
--   breaker open        the sandbox on but the breaker open: V1 and the state check
--   sandbox off         V1 alone, no breaker involved (the baseline of the line above)
-- The drift threshold is raised to 1 so that the plan never trips the breaker during the measurement.
\set n 20000
\set QUIET on
CREATE TEMP TABLE breaker_bench (round int, label text, us_per_call numeric);

\set round 1
\ir breaker_round.sql
\set round 2
\ir breaker_round.sql
\set round 3
\ir breaker_round.sql

\set QUIET off
SELECT label, round(avg(us_per_call), 2) AS mean_us, round(min(us_per_call), 2) AS min_us,
       round(max(us_per_call), 2) AS max_us
  FROM breaker_bench GROUP BY label ORDER BY min(round), label;
SELECT round((SELECT avg(us_per_call) FROM breaker_bench WHERE label = 'sandbox, rules on')
           / (SELECT avg(us_per_call) FROM breaker_bench WHERE label = 'sandbox, rules off'), 3)
           AS "rules on / rules off (1.00 = no cost)",
       round((SELECT avg(us_per_call) FROM breaker_bench WHERE label = 'breaker open')
           / (SELECT avg(us_per_call) FROM breaker_bench WHERE label = 'sandbox off'), 3)
           AS "breaker open / sandbox off (1.00 = the state check is free)";
