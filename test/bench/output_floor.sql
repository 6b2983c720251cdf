-- pgbench script (test/bench/run.sh), informational: a bare SELECT of the jsonb simulate_v1 returns for the plan
-- (the result variable), i.e. the cost of parsing and sending a result of that size, without simulating.
SELECT :result::jsonb;
