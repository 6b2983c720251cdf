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
