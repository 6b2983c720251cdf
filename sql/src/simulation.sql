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
