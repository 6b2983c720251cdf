-- pgbench script (test/bench/run.sh): the production path; run with costsim.v2_sandbox=on, v2_sample_rate=1
-- so every call also runs V2 in shadow and writes a provenance row.
SELECT costsim.simulate(:plan::jsonb);
