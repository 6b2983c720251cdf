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
