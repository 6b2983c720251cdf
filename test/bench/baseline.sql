-- pgbench script (test/bench/run.sh): the baseline, a bare SELECT of the same jsonb (plan variable bound as $1 with -M prepared).
SELECT :plan::jsonb;
