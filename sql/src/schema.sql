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
