\echo Use "ALTER EXTENSION costsim UPDATE" to load this file. \quit
-- Drift statistics and the divergence report (spec section 6). New in 0.2.

-- What a report says: one row.
CREATE TYPE costsim.drift_report AS (
    sample_count       bigint,
    delta_p50          double precision,
    delta_p90          double precision,
    kl_divergence      double precision,
    kl_method          text,
    kl_direction       text,
    kl_bin_edges       double precision[],
    kl_smoothing       double precision,
    kl_noise_floor     double precision,
    kl_critical_value  double precision,
    kl_significant     boolean,
    kl_legacy          double precision,
    outlier_count      bigint,
    fail_ratio         double precision,
    matching_rate      double precision,
    psi                double precision,
    js_distance        double precision,
    ks_statistic       double precision,
    ks_pvalue          double precision,
    wasserstein        double precision,
    drift_threshold    double precision
);
COMMENT ON TYPE costsim.drift_report IS
    'A divergence report over paired V1/V2 samples: |delta| percentiles, KL (robust, with its bins, smoothing, direction, noise floor and 95 % critical value; and legacy), outliers, fail ratio (drift_score > drift_threshold), matching rate, PSI, Jensen-Shannon distance, KS statistic and p-value, Wasserstein-1';

-- Statistics on any data: arrays in, numbers out. NULL arrays or elements and NaN/Infinity are 22023.
CREATE FUNCTION costsim.kl_divergence(
    v1 double precision[],
    v2 double precision[],
    method text DEFAULT 'robust',
    bins integer DEFAULT 10,
    OUT value double precision,
    OUT method_used text,
    OUT direction text,
    OUT bin_edges double precision[],
    OUT smoothing double precision,
    OUT noise_floor double precision,
    OUT critical_value double precision,
    OUT significant boolean
)
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_kl_divergence';
COMMENT ON FUNCTION costsim.kl_divergence(double precision[], double precision[], text, integer) IS
    'KL(v1 || v2) over histograms: method robust (pooled-quantile bins, Jeffreys smoothing; default) or legacy (10 equal-width bins, values clamped to >= 1, epsilon 1e-10), with the bins and the no-drift noise floor';

CREATE FUNCTION costsim.psi(v1 double precision[], v2 double precision[], bins integer DEFAULT 10)
    RETURNS double precision
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_psi';
COMMENT ON FUNCTION costsim.psi(double precision[], double precision[], integer) IS
    'Population stability index of v2 against v1, on the robust KL bins';

CREATE FUNCTION costsim.js_distance(v1 double precision[], v2 double precision[], bins integer DEFAULT 10)
    RETURNS double precision
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_js_distance';
COMMENT ON FUNCTION costsim.js_distance(double precision[], double precision[], integer) IS
    'Jensen-Shannon distance (base 2, in [0, 1]) of the two samples, on the robust KL bins';

CREATE FUNCTION costsim.ks_test(
    v1 double precision[],
    v2 double precision[],
    OUT statistic double precision,
    OUT p_value double precision
)
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_ks_test';
COMMENT ON FUNCTION costsim.ks_test(double precision[], double precision[]) IS
    'Two-sample Kolmogorov-Smirnov statistic and asymptotic p-value';

CREATE FUNCTION costsim.wasserstein(v1 double precision[], v2 double precision[])
    RETURNS double precision
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_wasserstein';
COMMENT ON FUNCTION costsim.wasserstein(double precision[], double precision[]) IS
    'Wasserstein-1 (earth mover''s) distance between the two empirical distributions';

CREATE FUNCTION costsim.modified_z_outliers(vals double precision[])
    RETURNS integer[]
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_modified_z_outliers';
COMMENT ON FUNCTION costsim.modified_z_outliers(double precision[]) IS
    'Positions (1-based) of the outliers by modified z-score: |0.6745 (x - median)| / MAD > 3.5 (MAD = 0: x <> median)';

-- The whole report as an aggregate: its state keeps four numbers per sample, whatever the rows are.
CREATE FUNCTION costsim.drift_stats_accumulate(internal, double precision, double precision, double precision, boolean)
    RETURNS internal
    LANGUAGE c PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_drift_stats_accumulate';
COMMENT ON FUNCTION costsim.drift_stats_accumulate(internal, double precision, double precision, double precision, boolean) IS
    'Transition function of costsim.drift_stats';
CREATE FUNCTION costsim.drift_stats_report(internal)
    RETURNS costsim.drift_report
    LANGUAGE c PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_drift_stats_report';
COMMENT ON FUNCTION costsim.drift_stats_report(internal) IS 'Final function of costsim.drift_stats';
CREATE AGGREGATE costsim.drift_stats(v1_cost double precision, v2_cost double precision,
                                     drift_score double precision, is_match boolean) (
    SFUNC = costsim.drift_stats_accumulate,
    STYPE = internal,
    FINALFUNC = costsim.drift_stats_report
);
COMMENT ON AGGREGATE costsim.drift_stats(double precision, double precision, double precision, boolean) IS
    'Divergence report over paired samples (rows with a NULL cost are skipped); fail_ratio counts drift_score > costsim.drift_threshold';

-- The paired samples of a window: shadowed calls where V2 answered (status ok). Row-level security keeps each
-- caller to its tenant; tenant_id narrows further (for roles that see several).
CREATE FUNCTION costsim.divergence_samples(
    start_at timestamptz DEFAULT now() - interval '7 days',
    end_at timestamptz DEFAULT now(),
    model_version text DEFAULT NULL,
    tenant_id text DEFAULT NULL
) RETURNS TABLE (
    id bigint,
    created_at timestamptz,
    input_hash text,
    v1_cost_cents bigint,
    v2_cost_cents bigint,
    cost_delta_cents bigint,
    drift_score double precision,
    verdict costsim.drift_verdict
)
    LANGUAGE sql STABLE
    AS $$
    SELECT p.id, p.created_at, p.input_hash, p.v1_cost_cents, p.v2_cost_cents, p.v2_cost_cents - p.v1_cost_cents,
           p.drift_score, p.verdict
      FROM costsim.provenance p
     WHERE p.status = 'ok'
       AND p.created_at >= divergence_samples.start_at
       AND p.created_at < divergence_samples.end_at
       AND (divergence_samples.model_version IS NULL OR p.v2_model_version = divergence_samples.model_version)
       AND (divergence_samples.tenant_id IS NULL OR p.tenant_id = divergence_samples.tenant_id)
$$;
COMMENT ON FUNCTION costsim.divergence_samples(timestamptz, timestamptz, text, text) IS
    'The paired V1/V2 samples of a time window [start_at, end_at), optionally of one V2 model version and one tenant';

CREATE FUNCTION costsim.divergence_report(
    start_at timestamptz DEFAULT now() - interval '7 days',
    end_at timestamptz DEFAULT now(),
    model_version text DEFAULT NULL,
    tenant_id text DEFAULT NULL
) RETURNS costsim.drift_report
    LANGUAGE sql STABLE
    AS $$
    SELECT costsim.drift_stats(s.v1_cost_cents, s.v2_cost_cents, s.drift_score, s.verdict = 'match')
      FROM costsim.divergence_samples(start_at, end_at, model_version, tenant_id) s
$$;
COMMENT ON FUNCTION costsim.divergence_report(timestamptz, timestamptz, text, text) IS
    'The divergence report (spec section 6) over the paired samples of a window; to_jsonb() of it is the jsonb form';

CREATE FUNCTION costsim.divergence_export(
    format text,
    start_at timestamptz DEFAULT now() - interval '7 days',
    end_at timestamptz DEFAULT now(),
    model_version text DEFAULT NULL,
    tenant_id text DEFAULT NULL
) RETURNS bytea
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'costsim_divergence_export';
COMMENT ON FUNCTION costsim.divergence_export(text, timestamptz, timestamptz, text, text) IS
    'The divergence report as a file: csv, jsonl or parquet, the summary plus one detail row per sample (one snapshot, one pass)';

-- Privileges of the objects above (an upgrade runs this file alone).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA costsim FROM PUBLIC;
REVOKE USAGE ON TYPE costsim.drift_report FROM PUBLIC;
GRANT USAGE ON TYPE costsim.drift_report TO costsim_backend, costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION
    costsim.kl_divergence(double precision[], double precision[], text, integer),
    costsim.psi(double precision[], double precision[], integer),
    costsim.js_distance(double precision[], double precision[], integer),
    costsim.ks_test(double precision[], double precision[]),
    costsim.wasserstein(double precision[], double precision[]),
    costsim.modified_z_outliers(double precision[]),
    costsim.drift_stats_accumulate(internal, double precision, double precision, double precision, boolean),
    costsim.drift_stats_report(internal),
    costsim.drift_stats(double precision, double precision, double precision, boolean),
    costsim.divergence_samples(timestamptz, timestamptz, text, text),
    costsim.divergence_report(timestamptz, timestamptz, text, text),
    costsim.divergence_export(text, timestamptz, timestamptz, text, text)
    TO costsim_backend, costsim_admin, costsim_auditor;
NOTIFY pgrst, 'reload schema';
