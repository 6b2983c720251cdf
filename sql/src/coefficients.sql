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
