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
