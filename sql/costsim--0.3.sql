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
-- status_history: the immutable, tenant-scoped, hash-chained audit log, and its signed exports (spec section 10).
-- New in 0.3.

CREATE TABLE costsim.status_history (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       text NOT NULL,
    seq             bigint NOT NULL,
    entity_type     text NOT NULL CHECK (entity_type <> ''),
    entity_id       text NOT NULL CHECK (entity_id <> ''),
    old_status      text,
    new_status      text NOT NULL CHECK (new_status <> ''),
    actor_type      text NOT NULL CHECK (actor_type <> ''),
    actor_id        text,
    reason          text,
    correlation_id  text,
    metadata        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at      timestamptz NOT NULL,
    prev_hash       text NOT NULL,
    row_hash        text NOT NULL,
    CONSTRAINT status_history_tenant_seq UNIQUE (tenant_id, seq)
);
CREATE INDEX status_history_entity ON costsim.status_history (tenant_id, entity_type, entity_id, seq);
CREATE INDEX status_history_tenant_created_at ON costsim.status_history (tenant_id, created_at);
COMMENT ON TABLE costsim.status_history IS
    'Append-only audit log of status transitions, one SHA-256 hash chain per tenant; UPDATE, DELETE and TRUNCATE are refused for every role';
COMMENT ON COLUMN costsim.status_history.created_at IS
    'When the row joined the chain (set by the chain trigger): non-decreasing along seq';
COMMENT ON COLUMN costsim.status_history.seq IS 'Position in the tenant''s chain: 1, 2, 3, ... without gaps';
COMMENT ON COLUMN costsim.status_history.prev_hash IS 'row_hash of the tenant''s previous row (64 zeros for seq 1)';
COMMENT ON COLUMN costsim.status_history.row_hash IS
    'SHA-256 (hex) of prev_hash followed by the RFC 8785 JSON of the row (created_at as UTC epoch microseconds, created_at_us)';
COMMENT ON COLUMN costsim.status_history.actor_type IS
    'Who made the change: system (default), user (a JWT caller), role (a database role), or what the caller says';
COMMENT ON COLUMN costsim.status_history.correlation_id IS
    'The request''s x-correlation-id header (PostgREST) or costsim.correlation_id';
COMMENT ON INDEX costsim.status_history_entity IS 'Per-entity history in chain order';
COMMENT ON INDEX costsim.status_history_tenant_created_at IS 'Time-window reads of one tenant';
COMMENT ON CONSTRAINT status_history_tenant_seq ON costsim.status_history IS
    'One row per chain position: a forked chain cannot be stored';

CREATE FUNCTION costsim.status_history_chain() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'costsim_status_history_chain';
COMMENT ON FUNCTION costsim.status_history_chain() IS
    'BEFORE INSERT trigger of status_history: under the tenant''s chain lock, sets seq, prev_hash, row_hash and created_at (whatever the INSERT said) after the chain''s last row';
CREATE TRIGGER status_history_chain BEFORE INSERT ON costsim.status_history
    FOR EACH ROW EXECUTE FUNCTION costsim.status_history_chain();
COMMENT ON TRIGGER status_history_chain ON costsim.status_history IS 'Links every new row into its tenant''s chain';

CREATE FUNCTION costsim.status_history_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'costsim.status_history is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Record a new status change with costsim.log_status_change() instead.';
END
$$;
COMMENT ON FUNCTION costsim.status_history_refuse_change() IS
    'Trigger that refuses UPDATE, DELETE and TRUNCATE of status_history (SQLSTATE 42501), the owner''s included';
CREATE TRIGGER status_history_refuse_update BEFORE UPDATE ON costsim.status_history
    FOR EACH ROW EXECUTE FUNCTION costsim.status_history_refuse_change();
CREATE TRIGGER status_history_refuse_delete BEFORE DELETE ON costsim.status_history
    FOR EACH ROW EXECUTE FUNCTION costsim.status_history_refuse_change();
CREATE TRIGGER status_history_refuse_truncate BEFORE TRUNCATE ON costsim.status_history
    FOR EACH STATEMENT EXECUTE FUNCTION costsim.status_history_refuse_change();
COMMENT ON TRIGGER status_history_refuse_update ON costsim.status_history IS 'status_history is append-only: no UPDATE';
COMMENT ON TRIGGER status_history_refuse_delete ON costsim.status_history IS 'status_history is append-only: no DELETE';
COMMENT ON TRIGGER status_history_refuse_truncate ON costsim.status_history IS 'status_history is append-only: no TRUNCATE';

ALTER TABLE costsim.status_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY status_history_tenant_read ON costsim.status_history
    FOR SELECT USING (tenant_id = costsim.current_tenant());
COMMENT ON POLICY status_history_tenant_read ON costsim.status_history IS 'Readers see only their own tenant''s rows';

-- Writing: one function for callers, one trigger function for their tables. Both append as the table owner.
CREATE FUNCTION costsim.log_status_change(
    entity_type     text,
    entity_id       text,
    new_status      text,
    old_status      text DEFAULT NULL,
    actor_type      text DEFAULT 'system',
    actor_id        text DEFAULT NULL,
    reason          text DEFAULT NULL,
    correlation_id  text DEFAULT NULL,
    metadata        jsonb DEFAULT '{}',
    tenant_id       text DEFAULT NULL
)
    RETURNS costsim.status_history
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_log_status_change';
COMMENT ON FUNCTION costsim.log_status_change(text, text, text, text, text, text, text, text, jsonb, text) IS
    'Appends a status change to the caller''s tenant chain and returns the row. tenant_id other than the caller''s own needs costsim_admin (42501); correlation_id defaults to the request''s';

CREATE FUNCTION costsim.track_status() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'costsim_track_status';
COMMENT ON FUNCTION costsim.track_status() IS
    'AFTER INSERT OR UPDATE row trigger for any table: records status transitions. Arguments: entity type, id column, status column [, tenant column]';

-- Verifying.
CREATE FUNCTION costsim.verify_chain(
    INOUT tenant_id text DEFAULT NULL,
    OUT intact boolean,
    OUT rows_checked bigint,
    OUT head_seq bigint,
    OUT head_hash text,
    OUT broken_seq bigint,
    OUT broken_id bigint,
    OUT reason text
)
    RETURNS SETOF record
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'costsim_verify_chain';
COMMENT ON FUNCTION costsim.verify_chain(text) IS
    'Recomputes a tenant''s chain: intact, or the first broken row (sequence gap, prev_hash mismatch, row_hash mismatch). NULL: the caller''s tenant, or every tenant for costsim_admin';

-- Reading (as the caller: row-level security scopes every read to the caller's tenant).
CREATE FUNCTION costsim.page_limit(requested integer)
    RETURNS integer
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    IF requested IS NULL OR requested NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'limit must be between 1 and 1000, not %', coalesce(requested::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN requested;
END
$$;
COMMENT ON FUNCTION costsim.page_limit(integer) IS
    'The page size of the listing functions, checked: 1..1000 (22023 otherwise)';

CREATE FUNCTION costsim.query_status_history(
    entity_type   text DEFAULT NULL,
    entity_id     text DEFAULT NULL,
    actor_type    text DEFAULT NULL,
    new_status    text DEFAULT NULL,
    created_from  timestamptz DEFAULT NULL,
    created_to    timestamptz DEFAULT NULL,
    "limit"       integer DEFAULT 100,
    "offset"      integer DEFAULT 0
)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    result jsonb;
BEGIN
    PERFORM costsim.page_limit("limit");
    IF "offset" IS NULL OR "offset" < 0 THEN
        RAISE EXCEPTION 'offset must be 0 or more, not %', coalesce("offset"::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH matching AS (
        SELECT h.* FROM costsim.status_history h
         WHERE h.tenant_id = costsim.current_tenant()
           AND (query_status_history.entity_type IS NULL OR h.entity_type = query_status_history.entity_type)
           AND (query_status_history.entity_id IS NULL OR h.entity_id = query_status_history.entity_id)
           AND (query_status_history.actor_type IS NULL OR h.actor_type = query_status_history.actor_type)
           AND (query_status_history.new_status IS NULL OR h.new_status = query_status_history.new_status)
           AND (created_from IS NULL OR h.created_at >= created_from)
           AND (created_to IS NULL OR h.created_at < created_to)
    ), page AS (
        SELECT * FROM matching ORDER BY created_at DESC, id DESC LIMIT "limit" OFFSET "offset"
    )
    SELECT jsonb_build_object(
               'total', (SELECT count(*) FROM matching),
               'limit', "limit",
               'offset', "offset",
               'has_more', (SELECT count(*) FROM matching) > "offset"::bigint + (SELECT count(*) FROM page),
               'items', coalesce((SELECT jsonb_agg(to_jsonb(page) ORDER BY created_at DESC, id DESC) FROM page),
                                 '[]'::jsonb))
      INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION costsim.query_status_history(text, text, text, text, timestamptz, timestamptz, integer, integer) IS
    'The caller''s tenant''s status changes matching the filters (created_from inclusive, created_to exclusive), newest first: {total, limit, offset, has_more, items}; limit 1..1000 (22023)';

CREATE FUNCTION costsim.entity_history(entity_type text, entity_id text)
    RETURNS SETOF costsim.status_history
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT * FROM costsim.status_history h
     WHERE h.tenant_id = costsim.current_tenant()
       AND h.entity_type = entity_history.entity_type AND h.entity_id = entity_history.entity_id
     ORDER BY h.seq
$$;
COMMENT ON FUNCTION costsim.entity_history(text, text) IS
    'Every status change of one entity of the caller''s tenant, oldest first';

CREATE FUNCTION costsim.status_history_stats(created_from timestamptz DEFAULT NULL, created_to timestamptz DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    WITH matching AS (
        SELECT * FROM costsim.status_history h
         WHERE h.tenant_id = costsim.current_tenant()
           AND (created_from IS NULL OR h.created_at >= created_from)
           AND (created_to IS NULL OR h.created_at < created_to)
    )
    SELECT jsonb_build_object(
        'total', (SELECT count(*) FROM matching),
        'by_entity_type', coalesce((SELECT jsonb_object_agg(entity_type, n)
                                      FROM (SELECT entity_type, count(*) AS n FROM matching GROUP BY 1) t), '{}'),
        'by_actor_type', coalesce((SELECT jsonb_object_agg(actor_type, n)
                                     FROM (SELECT actor_type, count(*) AS n FROM matching GROUP BY 1) t), '{}'),
        'by_status', coalesce((SELECT jsonb_object_agg(new_status, n)
                                 FROM (SELECT new_status, count(*) AS n FROM matching GROUP BY 1) t), '{}'),
        'oldest', (SELECT min(created_at) FROM matching),
        'newest', (SELECT max(created_at) FROM matching),
        'time_range_days', (SELECT extract(epoch FROM max(created_at) - min(created_at)) / 86400 FROM matching))
$$;
COMMENT ON FUNCTION costsim.status_history_stats(timestamptz, timestamptz) IS
    'Totals of the caller''s tenant''s status changes by entity type, actor type and new status, with the oldest, the newest and the time range in days';

-- Exports: the file is described here once, and made again, byte for byte, at each download.
CREATE TABLE costsim.status_history_exports (
    export_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     text NOT NULL,
    format        text NOT NULL CHECK (format IN ('csv', 'jsonl')),
    filters       jsonb NOT NULL,
    head_seq      bigint NOT NULL,
    head_hash     text NOT NULL,
    record_count  bigint NOT NULL,
    byte_count    bigint NOT NULL,
    sha256        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    created_by    text NOT NULL
);
COMMENT ON TABLE costsim.status_history_exports IS
    'One row per export of status_history: the filters, the chain head it covers, and the file''s size and SHA-256';
COMMENT ON COLUMN costsim.status_history_exports.head_seq IS
    'The export holds the matching rows with seq <= head_seq; head_hash is that row''s row_hash (an anchor to keep outside the database)';
ALTER TABLE costsim.status_history_exports ENABLE ROW LEVEL SECURITY;
CREATE POLICY status_history_exports_tenant_read ON costsim.status_history_exports
    FOR SELECT USING (tenant_id = costsim.current_tenant());
COMMENT ON POLICY status_history_exports_tenant_read ON costsim.status_history_exports IS
    'Readers see only their own tenant''s exports';

-- The key that signs download links. Readable by the extension's owner only.
CREATE TABLE costsim.export_signing_key (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    secret      bytea NOT NULL CHECK (length(secret) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO costsim.export_signing_key (secret)
    SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
                  'hex');
COMMENT ON TABLE costsim.export_signing_key IS
    'The HMAC-SHA256 key of export download links (from the server''s strong random source); owner-only';

CREATE FUNCTION costsim.create_export(
    format        text,
    entity_type   text DEFAULT NULL,
    entity_id     text DEFAULT NULL,
    actor_type    text DEFAULT NULL,
    new_status    text DEFAULT NULL,
    created_from  timestamptz DEFAULT NULL,
    created_to    timestamptz DEFAULT NULL,
    OUT export_id uuid,
    OUT record_count bigint,
    OUT byte_count bigint,
    OUT sha256 text,
    OUT head_seq bigint,
    OUT head_hash text,
    OUT expires_at timestamptz,
    OUT expires bigint,
    OUT sig text
)
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_create_export';
COMMENT ON FUNCTION costsim.create_export(text, text, text, text, text, timestamptz, timestamptz) IS
    'Describes an export (csv or jsonl) of the caller''s tenant''s matching status changes up to the chain head: record count, SHA-256, the head it covers, and the signed download parameters (export_id, format, expires, sig), valid costsim.export_ttl seconds; audited';

CREATE FUNCTION costsim.download_export(export_id uuid, format text, expires bigint, sig text)
    RETURNS bytea
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_download_export';
COMMENT ON FUNCTION costsim.download_export(uuid, text, bigint, text) IS
    'The bytes of an export, for a link signed for the caller''s tenant and not expired (42501 otherwise; 22023 for an unknown format); audited';

SELECT pg_catalog.pg_extension_config_dump('costsim.status_history', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.status_history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.status_history_exports', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.export_signing_key', '');

-- Privileges (a fresh install's schema-wide revoke does not reach an upgrade's new objects: revoke them here).
REVOKE ALL ON costsim.status_history, costsim.status_history_exports,
              costsim.export_signing_key FROM PUBLIC;
REVOKE ALL ON SEQUENCE costsim.status_history_id_seq FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    costsim.page_limit(integer), costsim.status_history_chain(), costsim.status_history_refuse_change(),
    costsim.log_status_change(text, text, text, text, text, text, text, text, jsonb, text), costsim.track_status(),
    costsim.verify_chain(text),
    costsim.query_status_history(text, text, text, text, timestamptz, timestamptz, integer, integer),
    costsim.entity_history(text, text), costsim.status_history_stats(timestamptz, timestamptz),
    costsim.create_export(text, text, text, text, text, timestamptz, timestamptz),
    costsim.download_export(uuid, text, bigint, text)
    FROM PUBLIC;

GRANT SELECT ON costsim.status_history, costsim.status_history_exports
    TO costsim_backend, costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION
    costsim.log_status_change(text, text, text, text, text, text, text, text, jsonb, text), costsim.track_status()
    TO costsim_backend, costsim_admin;
GRANT EXECUTE ON FUNCTION
    costsim.page_limit(integer),
    costsim.verify_chain(text),
    costsim.query_status_history(text, text, text, text, timestamptz, timestamptz, integer, integer),
    costsim.entity_history(text, text), costsim.status_history_stats(timestamptz, timestamptz),
    costsim.create_export(text, text, text, text, text, timestamptz, timestamptz),
    costsim.download_export(uuid, text, bigint, text)
    TO costsim_backend, costsim_admin, costsim_auditor;
-- The circuit breaker of V2 (spec section 7): its state, incidents and the alert queue. New in 0.3.
-- Transitions are made only by the functions below, each in one transaction: the breaker row, a status_history
-- row (tenant '_system', entity circuit_breaker/costsim_v2), an incident opened or resolved, an alert queued,
-- NOTIFY costsim_breaker. Backends cache the state (a statement trigger invalidates the caches at commit), so
-- the sandbox path reads no table.

CREATE TYPE costsim.breaker_state AS ENUM ('closed', 'open', 'half_open');
COMMENT ON TYPE costsim.breaker_state IS
    'closed: V2 runs in shadow; open: V2 is disabled until disabled_until; half_open: waiting for a golden canary to decide';
CREATE TYPE costsim.breaker_trip AS ENUM ('drift', 'canary_failures', 'v2_errors', 'manual');
COMMENT ON TYPE costsim.breaker_trip IS
    'Why a breaker opened: drift (P1, windowed p95), canary_failures (P1), v2_errors (P3, per hour), manual (P2)';

CREATE TABLE costsim.circuit_breakers (
    name                  text PRIMARY KEY,
    state                 costsim.breaker_state NOT NULL DEFAULT 'closed',
    trip                  costsim.breaker_trip,
    reason                text,
    incident_id           bigint,
    disabled_until        timestamptz,
    ttl_seconds           bigint NOT NULL DEFAULT 86400 CHECK (ttl_seconds > 0),
    consecutive_failures  integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    changed_at            timestamptz NOT NULL DEFAULT now(),
    changed_by            text NOT NULL DEFAULT 'system'
);
COMMENT ON TABLE costsim.circuit_breakers IS
    'One row per breaker (costsim_v2): its state, why and until when it is open, the TTL in force, consecutive failed canaries';
COMMENT ON COLUMN costsim.circuit_breakers.ttl_seconds IS
    'How long the current opening lasts: costsim.disable_ttl when it opened from closed, doubled after each failed half-open trial (at most 7 days)';
COMMENT ON COLUMN costsim.circuit_breakers.changed_at IS
    'When the state last changed; drift and error windows count only what came after it';
INSERT INTO costsim.circuit_breakers (name) VALUES ('costsim_v2');

CREATE TABLE costsim.incidents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    breaker         text NOT NULL REFERENCES costsim.circuit_breakers (name),
    trip            costsim.breaker_trip NOT NULL,
    severity        text NOT NULL CHECK (severity IN ('p1', 'p2', 'p3')),
    reason          text NOT NULL,
    details         jsonb NOT NULL DEFAULT '{}',
    opened_at       timestamptz NOT NULL DEFAULT now(),
    opened_by       text NOT NULL,
    disabled_until  timestamptz,
    resolved_at     timestamptz,
    resolved_by     text,
    resolution      text
);
CREATE INDEX incidents_open ON costsim.incidents (breaker) WHERE resolved_at IS NULL;
COMMENT ON TABLE costsim.incidents IS 'One row per breaker trip, resolved when the breaker closes again';
COMMENT ON INDEX costsim.incidents_open IS 'The unresolved incidents of a breaker';

CREATE TABLE costsim.alerts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id      bigint NOT NULL REFERENCES costsim.incidents (id),
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX alerts_due ON costsim.alerts (next_attempt_at) WHERE status = 'queued';
COMMENT ON TABLE costsim.alerts IS
    'Alertmanager v2 alerts to deliver (payload = one alert object); the worker posts them and retries';
COMMENT ON COLUMN costsim.alerts.status IS
    'queued (due at next_attempt_at), sending (claimed by the worker: a worker that died then is found out on restart), sent (Alertmanager accepted it), failed (10 attempts)';
COMMENT ON INDEX costsim.alerts_due IS 'Queued alerts by due time';

-- The evidence of drift: for every shadow comparison judged major_drift or mismatch, V1 and V2 step by step
-- (gzip'd JSON), linked to the incident whose window it fell in.
CREATE TABLE costsim.diff_artifacts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provenance_id  bigint NOT NULL,
    tenant_id      text NOT NULL,
    run_id         text,
    verdict        costsim.drift_verdict NOT NULL,
    drift_score    double precision NOT NULL,
    incident_id    bigint REFERENCES costsim.incidents (id),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    diff_gzip      bytea NOT NULL
);
CREATE INDEX diff_artifacts_incident ON costsim.diff_artifacts (incident_id) WHERE incident_id IS NOT NULL;
CREATE INDEX diff_artifacts_run ON costsim.diff_artifacts (tenant_id, run_id);
CREATE INDEX diff_artifacts_unlinked ON costsim.diff_artifacts (created_at) WHERE incident_id IS NULL;
COMMENT ON TABLE costsim.diff_artifacts IS
    'Per-step V1/V2 comparison (gzip''d JSON, see costsim.diff_artifacts()) of every shadowed call judged major_drift or mismatch, linked to the incident that followed';
COMMENT ON COLUMN costsim.diff_artifacts.provenance_id IS 'The costsim.provenance row of the comparison';
COMMENT ON COLUMN costsim.diff_artifacts.incident_id IS
    'The incident opened while this comparison was in the breaker''s window (NULL until one is)';
COMMENT ON COLUMN costsim.diff_artifacts.created_at IS
    'When the comparison was recorded (the clock, like the breaker''s changed_at it is compared with)';
COMMENT ON COLUMN costsim.diff_artifacts.diff_gzip IS 'gzip (RFC 1952) of the JSON diff: gzip -d reads it';
COMMENT ON INDEX costsim.diff_artifacts_incident IS 'Artifacts by incident';
COMMENT ON INDEX costsim.diff_artifacts_run IS 'Artifacts by tenant and run';
COMMENT ON INDEX costsim.diff_artifacts_unlinked IS 'Artifacts an incident may still claim';
ALTER TABLE costsim.diff_artifacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY diff_artifacts_tenant_read ON costsim.diff_artifacts
    FOR SELECT USING (tenant_id = costsim.current_tenant());
COMMENT ON POLICY diff_artifacts_tenant_read ON costsim.diff_artifacts IS 'Readers see only their own tenant''s artifacts';

SELECT pg_catalog.pg_extension_config_dump('costsim.circuit_breakers', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.incidents', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.alerts', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.diff_artifacts', '');

-- Backends cache the breaker's state: any change drops the caches once it commits.
CREATE FUNCTION costsim.breaker_changed() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'costsim_table_changed';
COMMENT ON FUNCTION costsim.breaker_changed() IS
    'Trigger: invalidates every backend''s cached breaker state when costsim.circuit_breakers changes';
CREATE TRIGGER circuit_breakers_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON costsim.circuit_breakers
    FOR EACH STATEMENT EXECUTE FUNCTION costsim.breaker_changed();
COMMENT ON TRIGGER circuit_breakers_changed ON costsim.circuit_breakers IS
    'Keeps every backend''s cached breaker state coherent with the table';

-- ---- transitions (internal: run as the owner; granted to nobody) ----

-- The breaker's row, locked until the transaction ends: transitions of one breaker queue.
CREATE FUNCTION costsim.breaker_for_update(breaker text)
    RETURNS costsim.circuit_breakers
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    current costsim.circuit_breakers;
BEGIN
    SELECT * INTO current FROM costsim.circuit_breakers b WHERE b.name = breaker FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no circuit breaker named %', breaker USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN current;
END
$$;
COMMENT ON FUNCTION costsim.breaker_for_update(text) IS
    'Internal: a breaker''s row, locked FOR UPDATE (22023 when there is no such breaker)';

-- The Alertmanager v2 alert object of a breaker event.
CREATE FUNCTION costsim.breaker_alert(alertname text, incident costsim.incidents, summary text)
    RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT jsonb_build_object(
        'labels', jsonb_build_object(
            'alertname', alertname,
            'severity', incident.severity,
            'component', 'costsim',
            'circuit_breaker', incident.breaker,
            'instance', coalesce(nullif(current_setting('cluster_name'), ''), 'postgresql'),
            'incident_id', incident.id::text),
        'annotations', jsonb_build_object(
            'summary', summary,
            'description', format('Breaker %s, incident %s (%s, %s): %s', incident.breaker, incident.id,
                                  incident.trip, incident.severity, incident.reason),
            'runbook_url', 'docs/runbooks/' || CASE alertname WHEN 'CostSimV2Disabled' THEN 'v2-disabled.md'
                                                               ELSE 'v2-reenabled.md' END),
        'startsAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
$$;
COMMENT ON FUNCTION costsim.breaker_alert(text, costsim.incidents, text) IS
    'The Alertmanager v2 alert (labels alertname, severity, component, circuit_breaker, instance, incident_id; summary, description, runbook_url) of a breaker event';

-- Opens the breaker (from closed or half_open) for `trip`. Opening an already open breaker for the same trip
-- and reason changes nothing and creates no second incident; for another reason it records a new incident.
-- Returns the incident (NULL when nothing changed).
CREATE FUNCTION costsim.open_breaker(
    trip            costsim.breaker_trip,
    reason          text,
    actor           text,
    details         jsonb DEFAULT '{}',
    disabled_until  timestamptz DEFAULT NULL,
    breaker         text DEFAULT 'costsim_v2'
)
    RETURNS costsim.incidents
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    current costsim.circuit_breakers;
    incident costsim.incidents;
    until timestamptz;
    ttl bigint;
    severity text := CASE trip WHEN 'v2_errors' THEN 'p3' WHEN 'manual' THEN 'p2' ELSE 'p1' END;
BEGIN
    current := costsim.breaker_for_update(breaker);
    -- Already open: an automatic trip changes nothing (concurrent sessions crossing the same threshold make one
    -- incident); a manual disable for the same reason neither.
    IF current.state = 'open' AND (trip <> 'manual'
           OR (current.trip = 'manual' AND current.reason IS NOT DISTINCT FROM open_breaker.reason
               AND open_breaker.disabled_until IS NOT DISTINCT FROM current.disabled_until)) THEN
        RETURN NULL;
    END IF;
    -- Opening from closed lasts costsim.disable_ttl; a failed half-open trial doubles the TTL (at most 7 days); a
    -- manual disable says its own end, or lasts until a manual enable.
    ttl := CASE WHEN current.state = 'closed'
                THEN extract(epoch FROM coalesce(current_setting('costsim.disable_ttl', true), '1d')::interval)::bigint
                WHEN current.state = 'half_open' AND trip <> 'manual'
                THEN least(current.ttl_seconds * 2, 7 * 86400)
                ELSE current.ttl_seconds END;
    until := CASE WHEN trip = 'manual' THEN open_breaker.disabled_until
                  ELSE now() + make_interval(secs => ttl) END;
    -- The incident in force ends here: superseded by this one (open), or its half-open trial failed.
    IF current.incident_id IS NOT NULL THEN
        UPDATE costsim.incidents i SET resolved_at = now(), resolved_by = actor,
                                       resolution = format(CASE current.state WHEN 'half_open'
                                                                THEN 'half-open trial failed: %s (%s)'
                                                                ELSE 'superseded: %s (%s)' END,
                                                           open_breaker.reason, open_breaker.trip)
         WHERE i.id = current.incident_id AND i.resolved_at IS NULL;
    END IF;
    INSERT INTO costsim.incidents (breaker, trip, severity, reason, details, opened_by, disabled_until)
    VALUES (breaker, trip, severity, reason, details, actor, until)
    RETURNING * INTO incident;
    -- The comparisons that drifted since the breaker last changed are this incident's evidence.
    UPDATE costsim.diff_artifacts a SET incident_id = incident.id
     WHERE a.incident_id IS NULL AND a.created_at >= current.changed_at;
    UPDATE costsim.circuit_breakers b
       SET state = 'open', trip = open_breaker.trip, reason = open_breaker.reason, incident_id = incident.id,
           disabled_until = until, ttl_seconds = ttl, changed_at = clock_timestamp(), changed_by = actor
     WHERE b.name = breaker;
    PERFORM costsim.log_status_change('circuit_breaker', breaker, 'open', current.state::text,
                                      actor_type => CASE WHEN trip = 'manual' THEN 'user' ELSE 'system' END,
                                      actor_id => actor, reason => reason,
                                      metadata => jsonb_build_object('trip', trip, 'severity', severity,
                                                                     'incident_id', incident.id,
                                                                     'disabled_until', until, 'details', details),
                                      tenant_id => '_system');
    INSERT INTO costsim.alerts (incident_id, payload)
    VALUES (incident.id, costsim.breaker_alert('CostSimV2Disabled', incident,
                                               format('costsim V2 disabled (%s): %s', trip, reason)));
    PERFORM pg_notify('costsim_breaker', jsonb_build_object('breaker', breaker, 'state', 'open', 'trip', trip,
                                                            'incident_id', incident.id)::text);
    RETURN incident;
END
$$;
COMMENT ON FUNCTION costsim.open_breaker(costsim.breaker_trip, text, text, jsonb, timestamptz, text) IS
    'Internal: opens a breaker for a trip, in one transaction (breaker row, incident, status_history, alert, NOTIFY); idempotent for the same trip and reason';

-- Closes the breaker (from open or half_open) and resolves its incident. Returns whether it changed anything.
CREATE FUNCTION costsim.close_breaker(reason text, actor text, actor_type text DEFAULT 'user',
                                      breaker text DEFAULT 'costsim_v2')
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    current costsim.circuit_breakers;
    incident costsim.incidents;
BEGIN
    current := costsim.breaker_for_update(breaker);
    IF current.state = 'closed' THEN
        RETURN false;
    END IF;
    UPDATE costsim.incidents i SET resolved_at = now(), resolved_by = actor, resolution = close_breaker.reason
     WHERE i.id = current.incident_id AND i.resolved_at IS NULL
    RETURNING * INTO incident;
    UPDATE costsim.circuit_breakers b
       SET state = 'closed', trip = NULL, reason = close_breaker.reason, incident_id = NULL, disabled_until = NULL,
           consecutive_failures = 0, changed_at = clock_timestamp(), changed_by = actor
     WHERE b.name = breaker;
    PERFORM costsim.log_status_change('circuit_breaker', breaker, 'closed', current.state::text,
                                      actor_type => close_breaker.actor_type, actor_id => actor, reason => reason,
                                      metadata => jsonb_build_object('incident_id', current.incident_id),
                                      tenant_id => '_system');
    IF incident.id IS NOT NULL THEN
        INSERT INTO costsim.alerts (incident_id, payload)
        VALUES (incident.id, costsim.breaker_alert('CostSimV2Reenabled', incident,
                                                   format('costsim V2 re-enabled: %s', close_breaker.reason)));
    END IF;
    PERFORM pg_notify('costsim_breaker', jsonb_build_object('breaker', breaker, 'state', 'closed',
                                                            'incident_id', current.incident_id)::text);
    RETURN true;
END
$$;
COMMENT ON FUNCTION costsim.close_breaker(text, text, text, text) IS
    'Internal: closes a breaker and resolves its incident, in one transaction (breaker row, incident, status_history, alert, NOTIFY)';

-- open -> half_open once disabled_until has passed (the worker calls it; anyone with the right may).
CREATE FUNCTION costsim.breaker_tick(breaker text DEFAULT 'costsim_v2')
    RETURNS costsim.breaker_state
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    current costsim.circuit_breakers;
BEGIN
    IF NOT EXISTS (SELECT FROM costsim.circuit_breakers b WHERE b.name = breaker) THEN
        RAISE EXCEPTION 'no circuit breaker named %', breaker USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- A breaker another transaction is changing is left to it (the timer comes back a second later).
    SELECT * INTO current FROM costsim.circuit_breakers b WHERE b.name = breaker FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF current.state <> 'open' OR current.disabled_until IS NULL OR current.disabled_until > now() THEN
        RETURN current.state;
    END IF;
    UPDATE costsim.circuit_breakers b SET state = 'half_open', changed_at = clock_timestamp(), changed_by = 'system'
     WHERE b.name = breaker;
    PERFORM costsim.log_status_change('circuit_breaker', breaker, 'half_open', 'open',
                                      reason => 'disabled_until passed: a golden canary decides',
                                      metadata => jsonb_build_object('incident_id', current.incident_id),
                                      tenant_id => '_system');
    PERFORM pg_notify('costsim_breaker', jsonb_build_object('breaker', breaker, 'state', 'half_open',
                                                            'incident_id', current.incident_id)::text);
    RETURN 'half_open';
END
$$;
COMMENT ON FUNCTION costsim.breaker_tick(text) IS
    'Moves an open breaker whose disabled_until has passed to half_open (the background worker''s timer); NULL when another transaction holds the breaker';

-- A canary's verdict: in half_open it decides (pass closes, fail reopens with the TTL doubled); while closed,
-- costsim.cb_failure_threshold consecutive failures open the breaker (P1).
CREATE FUNCTION costsim.breaker_canary_result(passed boolean, canary text, details jsonb DEFAULT '{}',
                                              breaker text DEFAULT 'costsim_v2')
    RETURNS costsim.breaker_state
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    current costsim.circuit_breakers;
    failures integer;
BEGIN
    current := costsim.breaker_for_update(breaker);
    IF current.state = 'half_open' THEN
        IF passed THEN
            PERFORM costsim.close_breaker(format('golden canary %s passed', canary), 'system', 'system', breaker);
        ELSE
            PERFORM costsim.open_breaker('canary_failures', format('golden canary %s failed in half_open', canary),
                                         'system', details, NULL, breaker);
        END IF;
    ELSIF current.state = 'closed' THEN
        failures := CASE WHEN passed THEN 0 ELSE current.consecutive_failures + 1 END;
        UPDATE costsim.circuit_breakers b SET consecutive_failures = failures WHERE b.name = breaker;
        IF failures >= coalesce(current_setting('costsim.cb_failure_threshold', true), '3')::integer THEN
            PERFORM costsim.open_breaker('canary_failures', format('%s consecutive failed canaries (last: %s)',
                                                                   failures, canary),
                                         'system', details, NULL, breaker);
        END IF;
    END IF;
    RETURN (SELECT b.state FROM costsim.circuit_breakers b WHERE b.name = breaker);
END
$$;
COMMENT ON FUNCTION costsim.breaker_canary_result(boolean, text, jsonb, text) IS
    'Records a canary verdict for a breaker: decides a half_open trial, or counts consecutive failures towards a P1 trip';

-- ---- the SQL surface ----

CREATE FUNCTION costsim.disable_v2(reason text, disabled_by text, disabled_until timestamptz DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF coalesce(reason, '') = '' OR coalesce(disabled_by, '') = '' THEN
        RAISE EXCEPTION 'disable_v2: reason and disabled_by must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF disabled_until IS NOT NULL AND disabled_until <= now() THEN
        RAISE EXCEPTION 'disable_v2: disabled_until must be in the future' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM costsim.open_breaker('manual', reason, disabled_by, '{}', disabled_until);
    RETURN costsim.v2_status();
END
$$;
COMMENT ON FUNCTION costsim.disable_v2(text, text, timestamptz) IS
    'Opens the V2 breaker by hand (P2 incident), until disabled_until or, without one, until enable_v2; idempotent for the same reason; returns v2_status()';

CREATE FUNCTION costsim.enable_v2(reason text, enabled_by text)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF coalesce(reason, '') = '' OR coalesce(enabled_by, '') = '' THEN
        RAISE EXCEPTION 'enable_v2: reason and enabled_by must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM costsim.close_breaker(reason, enabled_by, 'user');
    RETURN costsim.v2_status();
END
$$;
COMMENT ON FUNCTION costsim.enable_v2(text, text) IS
    'Closes the V2 breaker by hand and resolves its incident; a no-op when closed; returns v2_status()';

CREATE FUNCTION costsim.breaker_window(
    OUT samples integer,
    OUT p95 double precision,
    OUT v2_errors_last_hour integer
)
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'costsim_breaker_window';
COMMENT ON FUNCTION costsim.breaker_window() IS
    'The cluster-wide windows the breaker watches, since it last changed: drift scores (at most costsim.cb_window_size), their p95 once costsim.cb_min_samples are there, and V2 errors in the last hour';

CREATE FUNCTION costsim.v2_status()
    RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT jsonb_build_object(
        'v2_enabled', current_setting('costsim.v2_sandbox')::boolean AND b.state = 'closed',
        'v2_sandbox', current_setting('costsim.v2_sandbox')::boolean,
        'v2_sample_rate', current_setting('costsim.v2_sample_rate')::double precision,
        'breaker', jsonb_build_object(
            'name', b.name, 'state', b.state, 'trip', b.trip, 'reason', b.reason, 'incident_id', b.incident_id,
            'disabled_until', b.disabled_until, 'ttl_seconds', b.ttl_seconds,
            'consecutive_failures', b.consecutive_failures, 'changed_at', b.changed_at, 'changed_by', b.changed_by),
        'v1_model_version', '1.0.0',
        'v2_model_version', current_setting('costsim.v2_model_version'),
        'extension_version', (SELECT extversion FROM pg_extension WHERE extname = 'costsim'),
        'thresholds', jsonb_build_object(
            'drift_threshold', current_setting('costsim.drift_threshold')::double precision,
            'drift_warning_threshold', current_setting('costsim.drift_warning_threshold')::double precision,
            'cb_window_size', current_setting('costsim.cb_window_size')::integer,
            'cb_min_samples', current_setting('costsim.cb_min_samples')::integer,
            'cb_failure_threshold', current_setting('costsim.cb_failure_threshold')::integer,
            'schema_error_threshold', current_setting('costsim.schema_error_threshold')::integer,
            'disable_ttl_seconds', extract(epoch FROM current_setting('costsim.disable_ttl')::interval)::bigint),
        'windows', (SELECT to_jsonb(w) FROM costsim.breaker_window() w))
      FROM costsim.circuit_breakers b
     WHERE b.name = 'costsim_v2'
$$;
COMMENT ON FUNCTION costsim.v2_status() IS
    'Whether V2 runs in shadow for this session (flag and breaker), the breaker (state, trip, reason, incident, disabled_until, TTL), V1/V2 model and extension versions, thresholds and the breaker''s windows';

CREATE FUNCTION costsim.diff_of(diff_gzip bytea)
    RETURNS jsonb
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_diff_of';
COMMENT ON FUNCTION costsim.diff_of(bytea) IS
    'The JSON of a diff artifact (gunzip; 22023 for data that is not a gzip''d artifact)';

CREATE FUNCTION costsim.diff_artifacts(incident bigint DEFAULT NULL, run text DEFAULT NULL,
                                       "limit" integer DEFAULT 100)
    RETURNS TABLE (id bigint, provenance_id bigint, run_id text, verdict costsim.drift_verdict,
                   drift_score double precision, incident_id bigint, created_at timestamptz, diff jsonb)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM costsim.page_limit("limit");
    RETURN QUERY
        SELECT a.id, a.provenance_id, a.run_id, a.verdict, a.drift_score, a.incident_id, a.created_at,
               costsim.diff_of(a.diff_gzip)
          FROM costsim.diff_artifacts a
         WHERE a.tenant_id = costsim.current_tenant()
           AND (diff_artifacts.incident IS NULL OR a.incident_id = diff_artifacts.incident)
           AND (diff_artifacts.run IS NULL OR a.run_id = diff_artifacts.run)
         ORDER BY a.created_at DESC, a.id DESC
         LIMIT "limit";
END
$$;
COMMENT ON FUNCTION costsim.diff_artifacts(bigint, text, integer) IS
    'The caller''s tenant''s diff artifacts, newest first, by incident and/or run, with the diff as jsonb; limit 1..1000';

CREATE FUNCTION costsim.worker_status(
    OUT workers integer,
    OUT leader_pid integer,
    OUT leader_since timestamptz,
    OUT last_cycle timestamptz,
    OUT alerts_sent bigint,
    OUT alert_send_failures bigint
)
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_worker_status';
COMMENT ON FUNCTION costsim.worker_status() IS
    'The background workers: how many are configured, the leader''s pid and since when it leads, its last cycle, alerts sent and failed posts since the server started';

CREATE FUNCTION costsim.incidents(include_resolved boolean DEFAULT false, "limit" integer DEFAULT 50)
    RETURNS SETOF costsim.incidents
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM costsim.page_limit("limit");
    RETURN QUERY SELECT * FROM costsim.incidents i
                  WHERE include_resolved OR i.resolved_at IS NULL
                  ORDER BY i.opened_at DESC, i.id DESC
                  LIMIT "limit";
END
$$;
COMMENT ON FUNCTION costsim.incidents(boolean, integer) IS
    'Breaker incidents, newest first: the open ones, or all with include_resolved; limit 1..1000';

-- Privileges.
REVOKE ALL ON costsim.circuit_breakers, costsim.incidents, costsim.alerts, costsim.diff_artifacts FROM PUBLIC;
REVOKE ALL ON SEQUENCE costsim.incidents_id_seq, costsim.alerts_id_seq, costsim.diff_artifacts_id_seq FROM PUBLIC;
REVOKE USAGE ON TYPE costsim.breaker_state, costsim.breaker_trip FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    costsim.breaker_changed(), costsim.breaker_for_update(text), costsim.breaker_alert(text, costsim.incidents, text),
    costsim.open_breaker(costsim.breaker_trip, text, text, jsonb, timestamptz, text),
    costsim.close_breaker(text, text, text, text), costsim.breaker_tick(text),
    costsim.breaker_canary_result(boolean, text, jsonb, text),
    costsim.disable_v2(text, text, timestamptz), costsim.enable_v2(text, text), costsim.v2_status(),
    costsim.breaker_window(), costsim.worker_status(), costsim.incidents(boolean, integer),
    costsim.diff_of(bytea), costsim.diff_artifacts(bigint, text, integer)
    FROM PUBLIC;
GRANT USAGE ON TYPE costsim.breaker_state, costsim.breaker_trip TO costsim_backend, costsim_admin, costsim_auditor;
GRANT SELECT ON costsim.circuit_breakers TO costsim_backend, costsim_admin, costsim_auditor;
GRANT SELECT ON costsim.incidents, costsim.alerts TO costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION costsim.v2_status(), costsim.breaker_window(), costsim.diff_of(bytea),
    costsim.diff_artifacts(bigint, text, integer)
    TO costsim_backend, costsim_admin, costsim_auditor;
GRANT SELECT ON costsim.diff_artifacts TO costsim_backend, costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION costsim.incidents(boolean, integer), costsim.worker_status() TO costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION costsim.disable_v2(text, text, timestamptz), costsim.enable_v2(text, text)
    TO costsim_admin;
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
