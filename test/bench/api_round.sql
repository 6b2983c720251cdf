-- One round of test/bench/api.sql (included by it; :round and :n are set there).
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE costsim.simulate(:'plan'::jsonb, 1000 + g % 1) IS NOT NULL \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n AS us \gset
INSERT INTO api_bench VALUES (:round, 'costsim.simulate', :us);

SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM generate_series(1, :n) g WHERE api.simulate(:'plan'::jsonb, 1000 + g % 1) IS NOT NULL \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1e6 / :n AS us \gset
INSERT INTO api_bench VALUES (:round, 'api.simulate', :us);
