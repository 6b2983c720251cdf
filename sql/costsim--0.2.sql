-- costsim: schema and roles.
\echo Use "CREATE EXTENSION costsim" to load this file. \quit

COMMENT ON SCHEMA costsim IS 'costsim: agent-plan cost simulation (V1 in production, V2 shadowed), drift measurement and provenance';

-- Roles are cluster-wide and outlive the extension: create them once, never drop them here.
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'costsim_backend') THEN
        CREATE ROLE costsim_backend NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'costsim_admin') THEN
        CREATE ROLE costsim_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'costsim_auditor') THEN
        CREATE ROLE costsim_auditor NOLOGIN;
    END IF;
END
$roles$;
COMMENT ON ROLE costsim_backend IS 'costsim: backends that simulate plans (and read their tenant''s provenance)';
COMMENT ON ROLE costsim_admin IS 'costsim: operators who manage V2 coefficient sets (and, later, the breaker and canaries)';
COMMENT ON ROLE costsim_auditor IS 'costsim: read-only auditors of provenance and metrics';

CREATE FUNCTION costsim.current_tenant() RETURNS text
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_current_tenant';
COMMENT ON FUNCTION costsim.current_tenant() IS
    'The caller''s tenant: the tenant_id claim of request.jwt.claims (PostgREST), else costsim.tenant_id, else ''default''';
-- V2 coefficient sets: data, keyed by model version (spec section 3).
CREATE TABLE costsim.v2_coefficients (
    model_version                  text NOT NULL CHECK (model_version <> ''),
    skill                          text NOT NULL CHECK (skill <> ''),
    base_cost_cents                double precision NOT NULL CHECK (base_cost_cents >= 0),
    base_latency_ms                double precision NOT NULL CHECK (base_latency_ms >= 0),
    confidence                     double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    risk_type                      text NOT NULL,
    risk_factor                    double precision NOT NULL CHECK (risk_factor BETWEEN 0 AND 1),
    latency_variance_ms            double precision NOT NULL DEFAULT 0 CHECK (latency_variance_ms >= 0),
    cost_per_1k_input_chars        double precision NOT NULL DEFAULT 0 CHECK (cost_per_1k_input_chars >= 0),
    cost_per_1k_output_chars       double precision NOT NULL DEFAULT 0 CHECK (cost_per_1k_output_chars >= 0),
    latency_per_1k_input_chars_ms  double precision NOT NULL DEFAULT 0 CHECK (latency_per_1k_input_chars_ms >= 0),
    PRIMARY KEY (model_version, skill)
);
COMMENT ON TABLE costsim.v2_coefficients IS
    'V2 coefficient sets by model version; skill ''*'' prices any skill without a row of its own. Insert a new set and point costsim.v2_model_version at it to shadow-test a candidate.';
COMMENT ON COLUMN costsim.v2_coefficients.skill IS 'A skill name, or * for any other skill';
COMMENT ON COLUMN costsim.v2_coefficients.risk_factor IS 'Failure probability of one execution (0..1)';
COMMENT ON COLUMN costsim.v2_coefficients.latency_variance_ms IS 'http_call: added to the base latency before the timeout cap';
COMMENT ON COLUMN costsim.v2_coefficients.cost_per_1k_input_chars IS 'llm_invoke: cents per 1,000 prompt characters';
COMMENT ON COLUMN costsim.v2_coefficients.cost_per_1k_output_chars IS 'llm_invoke: cents per 1,000 output characters (output = min(2 x prompt, 4000))';
COMMENT ON COLUMN costsim.v2_coefficients.latency_per_1k_input_chars_ms IS 'llm_invoke: milliseconds per 1,000 prompt characters';

-- Model 2.0.0, as the specification gives it.
INSERT INTO costsim.v2_coefficients
    (model_version, skill, base_cost_cents, base_latency_ms, confidence, risk_type, risk_factor,
     latency_variance_ms, cost_per_1k_input_chars, cost_per_1k_output_chars, latency_per_1k_input_chars_ms)
VALUES
    ('2.0.0', 'http_call',      0,    350, 0.85, 'timeout',         0.08,  150, 0,   0,   0),
    ('2.0.0', 'llm_invoke',     3.5, 1800, 0.92, 'rate_limit',      0.03,    0, 0.8, 1.2, 200),
    ('2.0.0', 'json_transform', 0,      5, 0.98, 'transform_error', 0.005,   0, 0,   0,   0),
    ('2.0.0', 'fs_read',        0,     30, 0.95, 'not_found',       0.03,    0, 0,   0,   0),
    ('2.0.0', 'fs_write',       0,     50, 0.94, 'permission',      0.02,    0, 0,   0,   0),
    ('2.0.0', 'shell_lite',     0,    150, 0.88, 'timeout',         0.07,    0, 0,   0,   0),
    ('2.0.0', 'kv_get',         0,      3, 0.97, 'not_found',       0.01,    0, 0,   0,   0),
    ('2.0.0', 'kv_set',         0,      5, 0.97, 'quota',           0.01,    0, 0,   0,   0),
    ('2.0.0', 'webhook_send',   0,    200, 0.90, 'timeout',         0.08,    0, 0,   0,   0),
    ('2.0.0', 'email_send',     0.8,  350, 0.93, 'delivery',        0.03,    0, 0,   0,   0),
    ('2.0.0', '*',              5,    500, 0.60, 'unknown',         0.15,    0, 0,   0,   0);

-- pg_dump keeps the coefficient sets users add; the shipped one comes back with CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('costsim.v2_coefficients', $$WHERE model_version <> '2.0.0'$$);

-- Any change to the table drops every backend's cached models once it commits.
CREATE FUNCTION costsim.coefficients_changed() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'costsim_coefficients_changed';
COMMENT ON FUNCTION costsim.coefficients_changed() IS
    'Trigger: invalidates the per-backend cache of V2 coefficient sets when costsim.v2_coefficients changes';
CREATE TRIGGER v2_coefficients_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON costsim.v2_coefficients
    FOR EACH STATEMENT EXECUTE FUNCTION costsim.coefficients_changed();
COMMENT ON TRIGGER v2_coefficients_changed ON costsim.v2_coefficients IS
    'Keeps every backend''s cached coefficient sets coherent with the table';
-- Simulation and comparison (spec sections 2-5).
CREATE FUNCTION costsim.simulate_v1(
    plan jsonb,
    budget_cents integer DEFAULT 1000,
    allowed_skills text[] DEFAULT NULL,
    risk_threshold double precision DEFAULT 0.5
) RETURNS jsonb
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_simulate_v1';
COMMENT ON FUNCTION costsim.simulate_v1(jsonb, integer, text[], double precision) IS
    'V1, the frozen production simulator: cost, duration, risks and feasibility of a plan (spec section 2)';

CREATE FUNCTION costsim.simulate_v2(
    plan jsonb,
    budget_cents integer DEFAULT 1000,
    allowed_skills text[] DEFAULT NULL,
    model_version text DEFAULT NULL
) RETURNS jsonb
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_simulate_v2';
COMMENT ON FUNCTION costsim.simulate_v2(jsonb, integer, text[], text) IS
    'V2, the candidate simulator, with the coefficients of model_version (NULL: costsim.v2_model_version) (spec section 3)';

CREATE TYPE costsim.drift_verdict AS ENUM ('match', 'minor_drift', 'major_drift', 'mismatch');
COMMENT ON TYPE costsim.drift_verdict IS 'Verdict of a V1/V2 comparison, by drift score (spec section 4)';

CREATE FUNCTION costsim.classify_drift(
    v1_cost_cents bigint,
    v2_cost_cents bigint,
    v1_feasible boolean,
    v2_feasible boolean,
    OUT drift_score double precision,
    OUT verdict costsim.drift_verdict,
    OUT cost_delta_cents bigint,
    OUT cost_delta_pct double precision,
    OUT feasibility_match boolean
)
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_classify_drift';
COMMENT ON FUNCTION costsim.classify_drift(bigint, bigint, boolean, boolean) IS
    'Drift score and verdict of a V1/V2 cost pair, with the costsim.drift_* thresholds (spec section 4)';

CREATE FUNCTION costsim.compare(v1 jsonb, v2 jsonb) RETURNS jsonb
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_compare';
COMMENT ON FUNCTION costsim.compare(jsonb, jsonb) IS
    'Full comparison of a V1 and a V2 result: drift score, verdict, cost and duration deltas, per-step deltas, output hashes';

CREATE FUNCTION costsim.simulate(
    plan jsonb,
    budget_cents integer DEFAULT 1000,
    allowed_skills text[] DEFAULT NULL,
    run_id text DEFAULT NULL
) RETURNS jsonb
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_simulate';
COMMENT ON FUNCTION costsim.simulate(jsonb, integer, text[], text) IS
    'The production path: returns V1''s answer; with costsim.v2_sandbox on, shadows V2 on a sample and records provenance';

CREATE FUNCTION costsim.simulate_with_comparison(
    plan jsonb,
    budget_cents integer DEFAULT 1000,
    allowed_skills text[] DEFAULT NULL
) RETURNS jsonb
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_simulate_with_comparison';
COMMENT ON FUNCTION costsim.simulate_with_comparison(jsonb, integer, text[]) IS
    'V2 in the sandbox on demand: {result, comparison with V1, provenance_id}; needs costsim.v2_sandbox = on';
-- Provenance: one row per shadowed evaluation (spec section 5). Written only by the extension's functions.
-- Closed vocabularies are enum types: as cheap to check as a catalog lookup (a CHECK constraint's expression
-- would be prepared again for every one-row insert on the hot path).
CREATE TYPE costsim.provenance_source AS ENUM ('simulate', 'simulate_with_comparison');
COMMENT ON TYPE costsim.provenance_source IS
    'Where a shadow evaluation came from: a sampled production call, or an on-demand sandbox run';
CREATE TYPE costsim.provenance_status AS ENUM ('ok', 'error');
COMMENT ON TYPE costsim.provenance_status IS 'ok, or error when V2 failed (the production answer was still V1''s)';

CREATE TABLE costsim.provenance (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at        timestamptz NOT NULL DEFAULT now(),
    tenant_id         text NOT NULL,
    run_id            text,
    source            costsim.provenance_source NOT NULL,
    status            costsim.provenance_status NOT NULL,
    error             text,
    input             jsonb NOT NULL,
    budget_cents      bigint NOT NULL,
    allowed_skills    text[],
    input_hash        text NOT NULL,
    v1_model_version  text NOT NULL,
    v2_model_version  text NOT NULL,
    v1_output_hash    text NOT NULL,
    v2_output_hash    text,
    v1_cost_cents     bigint NOT NULL,
    v2_cost_cents     bigint,
    v1_duration_ms    double precision NOT NULL,
    v2_duration_ms    double precision,
    v1_feasible       boolean NOT NULL,
    v2_feasible       boolean,
    v1_status         text NOT NULL,
    v2_status         text,
    v2_confidence     double precision,
    drift_score       double precision,
    verdict           costsim.drift_verdict,
    v1_runtime_us     bigint NOT NULL,
    v2_runtime_us     bigint
);
CREATE INDEX provenance_tenant_created_at ON costsim.provenance (tenant_id, created_at);
COMMENT ON INDEX costsim.provenance_tenant_created_at IS 'Time-window reads of one tenant (drift reports, canaries)';

COMMENT ON TABLE costsim.provenance IS
    'One row per V2 shadow evaluation: input, both results'' summaries and hashes, drift score and verdict; tenant-scoped by row-level security';
COMMENT ON COLUMN costsim.provenance.status IS 'ok: the V2 columns are set; error: V2 failed and error says why';
COMMENT ON COLUMN costsim.provenance.error IS 'Why V2 failed, when status = error';
COMMENT ON COLUMN costsim.provenance.input IS 'The plan as the caller sent it';
COMMENT ON COLUMN costsim.provenance.input_hash IS 'SHA-256 of the RFC 8785 JSON of {allowed_skills, budget_cents, plan}; decides sampling';
COMMENT ON COLUMN costsim.provenance.v1_output_hash IS 'SHA-256 of the RFC 8785 JSON of V1''s {feasible, status, estimated_cost_cents, estimated_duration_ms, step_estimates}';
COMMENT ON COLUMN costsim.provenance.v2_output_hash IS 'The same hash over V2''s result';
COMMENT ON COLUMN costsim.provenance.drift_score IS '0.6 x min(|v2 - v1| / max(v1, 1), 1) + 0.4 x feasibility mismatch, 4 decimals';
COMMENT ON COLUMN costsim.provenance.verdict IS 'match, minor_drift, major_drift or mismatch under the thresholds in force';
COMMENT ON COLUMN costsim.provenance.v1_runtime_us IS 'Wall time of the V1 simulation, microseconds';
COMMENT ON COLUMN costsim.provenance.v2_runtime_us IS 'Wall time of the V2 simulation, microseconds';

ALTER TABLE costsim.provenance ENABLE ROW LEVEL SECURITY;
CREATE POLICY provenance_tenant_read ON costsim.provenance
    FOR SELECT USING (tenant_id = costsim.current_tenant());
COMMENT ON POLICY provenance_tenant_read ON costsim.provenance IS 'Readers see only their own tenant''s rows';

SELECT pg_catalog.pg_extension_config_dump('costsim.provenance', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.provenance_id_seq', '');
-- Metrics kept in shared memory (spec section 11; later issues add series).
CREATE FUNCTION costsim.metric_values(OUT name text, OUT labels jsonb, OUT value double precision)
    RETURNS SETOF record
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_metric_values';
COMMENT ON FUNCTION costsim.metric_values() IS
    'Current values of the shared-memory counters (needs shared_preload_libraries = costsim)';

CREATE VIEW costsim.metrics WITH (security_invoker = true) AS
    SELECT name, labels, value FROM costsim.metric_values();
COMMENT ON VIEW costsim.metrics IS
    'Prometheus-style series: costsim_runs_total{version,status}, costsim_schema_errors_total, costsim_comparison_verdict_total{verdict}, costsim_runtime_ms and costsim_drift_score histograms, costsim_provenance_write_failures_total';
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
-- Privileges: explicit, nothing for PUBLIC.
REVOKE ALL ON SCHEMA costsim FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA costsim FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA costsim FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA costsim FROM PUBLIC;
REVOKE USAGE ON TYPE costsim.provenance_source, costsim.provenance_status, costsim.drift_verdict FROM PUBLIC;

GRANT USAGE ON SCHEMA costsim TO costsim_backend, costsim_admin, costsim_auditor;

GRANT EXECUTE ON FUNCTION
    costsim.current_tenant(),
    costsim.simulate_v1(jsonb, integer, text[], double precision),
    costsim.simulate_v2(jsonb, integer, text[], text),
    costsim.classify_drift(bigint, bigint, boolean, boolean),
    costsim.compare(jsonb, jsonb),
    costsim.simulate(jsonb, integer, text[], text),
    costsim.simulate_with_comparison(jsonb, integer, text[])
    TO costsim_backend, costsim_admin;
GRANT EXECUTE ON FUNCTION costsim.current_tenant(), costsim.metric_values()
    TO costsim_backend, costsim_admin, costsim_auditor;

GRANT USAGE ON TYPE costsim.provenance_source, costsim.provenance_status, costsim.drift_verdict
    TO costsim_backend, costsim_admin, costsim_auditor;
GRANT SELECT ON costsim.v2_coefficients, costsim.provenance, costsim.metrics
    TO costsim_backend, costsim_admin, costsim_auditor;
GRANT INSERT, UPDATE, DELETE ON costsim.v2_coefficients TO costsim_admin;

-- PostgREST re-reads the schema cache.
NOTIFY pgrst, 'reload schema';
