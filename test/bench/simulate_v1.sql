-- pgbench script (test/bench/run.sh): the production simulator on the same plan.
SELECT costsim.simulate_v1(:plan::jsonb);
