-- divergence_report against the same report written in plain SQL, and the exports, on :rows provenance rows.
-- Run by test/bench/run.sh as a superuser on a throwaway cluster (it fills costsim.provenance; run.sh empties it).
\set QUIET on
\set rows 1000000
TRUNCATE costsim.provenance;
-- Paired samples over the last 24 hours: V1 costs 0..500, V2 within +-20 % of them, a few large outliers.
INSERT INTO costsim.provenance (created_at, tenant_id, source, status, input, budget_cents, input_hash,
                                v1_model_version, v2_model_version, v1_output_hash, v2_output_hash, v1_cost_cents,
                                v2_cost_cents, v1_duration_ms, v2_duration_ms, v1_feasible, v2_feasible, v1_status,
                                v2_status, v2_confidence, drift_score, verdict, v1_runtime_us, v2_runtime_us)
SELECT now() - (g % 86400) * interval '1 second', 'default', 'simulate', 'ok', '[{"skill":"llm_invoke"}]', 1000,
       md5(g::text) || md5((g + 1)::text), '1.0.0', '2.0.0', 'x', 'y', v1, v2, 1000, 900, true, true,
       'feasible', 'success', 0.9, d.score,
       (CASE WHEN d.score <= 0.05 THEN 'match' WHEN d.score <= 0.15 THEN 'minor_drift'
             WHEN d.score <= 0.2 THEN 'major_drift' ELSE 'mismatch' END)::costsim.drift_verdict, 5, 5
  FROM generate_series(1, :rows) g,
       LATERAL (SELECT (g::bigint * 7919 % 500) AS v1) a,
       LATERAL (SELECT CASE WHEN g % 997 = 0 THEN a.v1 * 5 + 100 ELSE a.v1 + (g::bigint * 104729 % 41 - 20) * a.v1 / 100 END::bigint AS v2) b,
       LATERAL (SELECT round((0.6 * least(abs(b.v2 - a.v1)::float8 / greatest(a.v1, 1), 1))::numeric, 4)::float8 AS score) d;
ANALYZE costsim.provenance;
CREATE TEMP TABLE timings (label text, seconds numeric);

SELECT clock_timestamp() AS t0 \gset
SELECT * FROM costsim.divergence_report() \g /dev/null
INSERT INTO timings SELECT 'divergence_report (costsim)', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);

SELECT clock_timestamp() AS t0 \gset
WITH s AS (
    SELECT v1_cost_cents::float8 AS v1, v2_cost_cents::float8 AS v2, drift_score, verdict
      FROM costsim.divergence_samples()
), basic AS (
    SELECT count(*) AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(v2 - v1)) AS p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY abs(v2 - v1)) AS p90,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY v2 - v1) AS median_delta,
           avg((drift_score > 0.2)::int) AS fail_ratio,
           avg((verdict = 'match')::int) AS matching_rate,
           min(least(v1, v2)) AS lo, max(greatest(v1, v2)) AS hi
      FROM s
), mad AS (
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs((s.v2 - s.v1) - b.median_delta)) AS mad FROM s, basic b
), outliers AS (
    SELECT count(*) AS outliers FROM s, basic b, mad m
     WHERE CASE WHEN m.mad = 0 THEN (s.v2 - s.v1) <> b.median_delta
                ELSE abs(0.6745 * ((s.v2 - s.v1) - b.median_delta)) / m.mad > 3.5 END
), hist AS (
    SELECT bucket, sum(c1) AS c1, sum(c2) AS c2
      FROM (SELECT least(width_bucket(s.v1, b.lo, b.hi, 10), 10) AS bucket, 1 AS c1, 0 AS c2 FROM s, basic b
            UNION ALL
            SELECT least(width_bucket(s.v2, b.lo, b.hi, 10), 10), 0, 1 FROM s, basic b) x
     GROUP BY bucket
), divergences AS (
    SELECT sum(p * ln(p / q)) AS kl, sum((p - q) * ln(p / q)) AS psi
      FROM (SELECT (c1 + 0.5) / (b.n + 5.0) AS p, (c2 + 0.5) / (b.n + 5.0) AS q FROM hist, basic b) x
), ecdf AS (
    SELECT abs(sum(d1) OVER w / b.n - sum(d2) OVER w / b.n) AS gap, lead(x) OVER (ORDER BY x) - x AS dx
      FROM (SELECT x, sum(d1) AS d1, sum(d2) AS d2
              FROM (SELECT v1 AS x, 1 AS d1, 0 AS d2 FROM s UNION ALL SELECT v2, 0, 1 FROM s) u
             GROUP BY x) g, basic b
    WINDOW w AS (ORDER BY x)
)
SELECT b.n, b.p50, b.p90, d.kl, d.psi, o.outliers, b.fail_ratio, b.matching_rate,
       (SELECT max(gap) FROM ecdf) AS ks, (SELECT sum(gap * coalesce(dx, 0)) FROM ecdf) AS wasserstein
  FROM basic b, divergences d, outliers o \g /dev/null
INSERT INTO timings SELECT 'the same in plain SQL (baseline)', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);

SELECT clock_timestamp() AS t0 \gset
SELECT length(costsim.divergence_export('parquet')) AS parquet_bytes \gset
INSERT INTO timings SELECT 'divergence_export parquet', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
SELECT clock_timestamp() AS t0 \gset
SELECT length(costsim.divergence_export('csv')) AS csv_bytes \gset
INSERT INTO timings SELECT 'divergence_export csv', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
SELECT clock_timestamp() AS t0 \gset
SELECT length(costsim.divergence_export('jsonl')) AS jsonl_bytes \gset
INSERT INTO timings SELECT 'divergence_export jsonl', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);

\set QUIET off
SELECT label, round(seconds, 3) AS seconds FROM timings;
SELECT round((SELECT seconds FROM timings WHERE label LIKE 'the same%')
             / (SELECT seconds FROM timings WHERE label LIKE 'divergence_report%'), 2)
       AS "speed-up of divergence_report over plain SQL (target >= 2)",
       :parquet_bytes AS parquet_bytes, :csv_bytes AS csv_bytes, :jsonl_bytes AS jsonl_bytes;
-- run.sh measures the export's memory next, then empties the table.
