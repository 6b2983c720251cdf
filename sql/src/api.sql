-- The HTTP API: schema `api`, what PostgREST exposes (docs/api.md has the endpoint map). New in 0.4.
-- Views are security_invoker and functions SECURITY INVOKER unless they must not be (then they pin search_path),
-- so a caller's rights are those of its role (from the JWT's role claim) on the costsim objects underneath, and
-- row-level security scopes every tenant-owned read to the JWT's tenant_id claim. Parameters are named, there are
-- no overloads, reads are STABLE so that GET works; anything that writes (even an audit row) is VOLATILE and is
-- called with POST: PostgREST runs every GET read-only, so a GET of it fails with 25006 (405) — except simulate,
-- whose shadow row is best-effort: on GET it answers, and the row it could not write is counted.

-- PostgREST's roles: `authenticator` logs in and switches to the JWT's role; `anon` is who has no JWT.
DO $roles$
BEGIN
    -- Commented only when created here: a PostgREST deployment may already have them, with its own comments.
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN;
        COMMENT ON ROLE anon IS 'PostgREST: requests without a JWT (costsim: api.health and api.v2_status only)';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
        -- NOLOGIN until an operator gives it a password: ALTER ROLE authenticator WITH LOGIN PASSWORD '...'.
        CREATE ROLE authenticator NOLOGIN NOINHERIT;
        COMMENT ON ROLE authenticator IS
            'PostgREST: logs in and switches to the JWT''s role (anon, costsim_backend, costsim_auditor, costsim_admin)';
    END IF;
END
$roles$;
GRANT anon, costsim_backend, costsim_auditor, costsim_admin TO authenticator;

CREATE SCHEMA api;
COMMENT ON SCHEMA api IS 'costsim''s HTTP API, exposed by PostgREST (db-schemas = api); see docs/api.md';
REVOKE ALL ON SCHEMA api FROM PUBLIC;
GRANT USAGE ON SCHEMA api TO anon, costsim_backend, costsim_auditor, costsim_admin;

-- PostgREST media-type domains: a function returning "*/*" answers whatever the client accepts, and says what it
-- returns itself (Content-Type and Content-Disposition in response.headers).
CREATE DOMAIN api."*/*" AS bytea;
COMMENT ON DOMAIN api."*/*" IS 'Binary responses whose Content-Type the function sets in response.headers (PostgREST media-type handler)';

-- Sets the response's Content-Type and, for a file, its Content-Disposition (attachment; filename=...).
CREATE FUNCTION costsim.respond_with_file(content_type text, filename text DEFAULT NULL)
    RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT set_config('response.headers',
                      CASE WHEN filename IS NULL
                           THEN jsonb_build_array(jsonb_build_object('Content-Type', content_type))
                           ELSE jsonb_build_array(jsonb_build_object('Content-Type', content_type),
                                                  jsonb_build_object('Content-Disposition',
                                                                     format('attachment; filename="%s"', filename)))
                      END::text, true)
$$;
COMMENT ON FUNCTION costsim.respond_with_file(text, text) IS
    'Internal (the API''s file responses): sets response.headers to the Content-Type, and Content-Disposition: attachment with the filename';

-- ---- health and status: anyone, anon included ----

CREATE FUNCTION api.health()
    RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT jsonb_build_object('status', 'ok',
                              'extension_version', (SELECT extversion FROM pg_extension WHERE extname = 'costsim'),
                              'in_recovery', pg_is_in_recovery())
$$;
COMMENT ON FUNCTION api.health() IS 'GET /rpc/health: the API is up: {"status": "ok", "extension_version", "in_recovery"}';

CREATE FUNCTION api.v2_status()
    RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT costsim.v2_status()
$$;
COMMENT ON FUNCTION api.v2_status() IS
    'GET /rpc/v2_status (seed GET /costsim/v2/status): the V2 flag, breaker, model versions and thresholds';

-- ---- simulation: backends ----

CREATE FUNCTION api.simulate(plan jsonb, budget_cents integer DEFAULT 1000, allowed_skills text[] DEFAULT NULL,
                             run_id text DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN costsim.simulate(plan, budget_cents, allowed_skills, run_id);
EXCEPTION WHEN program_limit_exceeded THEN
    -- An oversized plan is the client's: 413, not PostgREST's 500 for class 54.
    RAISE SQLSTATE 'PT413' USING MESSAGE = SQLERRM, DETAIL = 'SQLSTATE 54000';
END
$$;
COMMENT ON FUNCTION api.simulate(jsonb, integer, text[], text) IS
    'POST /rpc/simulate: the production answer (V1; V2 shadowed when costsim.v2_sandbox is on); 400 for bad input, 413 for an oversized plan';

CREATE FUNCTION api.v2_simulate(plan jsonb, budget_cents integer DEFAULT 1000, allowed_skills text[] DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN costsim.simulate_with_comparison(plan, budget_cents, allowed_skills);
EXCEPTION
    WHEN program_limit_exceeded THEN
        RAISE SQLSTATE 'PT413' USING MESSAGE = SQLERRM, DETAIL = 'SQLSTATE 54000';
    WHEN object_not_in_prerequisite_state THEN
        -- The sandbox is off or the breaker open: V2 is unavailable, not broken.
        RAISE SQLSTATE 'PT503' USING MESSAGE = SQLERRM, DETAIL = 'SQLSTATE 55000',
                                     HINT = 'GET /rpc/v2_status says why.';
END
$$;
COMMENT ON FUNCTION api.v2_simulate(jsonb, integer, text[]) IS
    'POST /rpc/v2_simulate (seed POST /costsim/v2/simulate): V2 in the sandbox with its comparison to V1 and the provenance id; 503 while V2 is disabled';

-- ---- the breaker: admins (reset), admins and auditors (incidents) ----

CREATE FUNCTION api.v2_reset(reason text)
    RETURNS jsonb
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT costsim.enable_v2(reason, costsim.requesting_actor())
$$;
COMMENT ON FUNCTION api.v2_reset(text) IS
    'POST /rpc/v2_reset (seed POST /costsim/v2/reset): re-enables V2 (closes the breaker, resolves its incident) as the JWT''s subject; admins';

-- max_incidents, not limit: PostgREST keeps `limit` in a query string for its own paging.
CREATE FUNCTION api.v2_incidents(include_resolved boolean DEFAULT false, max_incidents integer DEFAULT 50)
    RETURNS SETOF costsim.incidents
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT * FROM costsim.incidents(include_resolved, max_incidents)
$$;
COMMENT ON FUNCTION api.v2_incidents(boolean, integer) IS
    'GET /rpc/v2_incidents?include_resolved=true&max_incidents=50 (seed GET /costsim/v2/incidents): breaker incidents, newest first; max_incidents 1..1000';

-- ---- divergence: every role, scoped to the caller's tenant ----

CREATE FUNCTION api.divergence(start_at timestamptz DEFAULT now() - interval '7 days',
                               end_at timestamptz DEFAULT now(), model_version text DEFAULT NULL,
                               format text DEFAULT 'json')
    RETURNS api."*/*"
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    filename text := format('divergence-%s-%s', to_char(start_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS'),
                            to_char(end_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS'));
BEGIN
    CASE format
    WHEN 'json' THEN
        PERFORM costsim.respond_with_file('application/json');
        RETURN convert_to(to_jsonb(costsim.divergence_report(start_at, end_at, model_version))::text, 'UTF8');
    WHEN 'csv' THEN
        PERFORM costsim.respond_with_file('text/csv', filename || '.csv');
    WHEN 'jsonl' THEN
        PERFORM costsim.respond_with_file('application/x-ndjson', filename || '.jsonl');
    WHEN 'parquet' THEN
        PERFORM costsim.respond_with_file('application/vnd.apache.parquet', filename || '.parquet');
    ELSE
        RAISE EXCEPTION 'format must be json, csv, jsonl or parquet, not %', coalesce(format, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END CASE;
    RETURN costsim.divergence_export(format, start_at, end_at, model_version);
END
$$;
COMMENT ON FUNCTION api.divergence(timestamptz, timestamptz, text, text) IS
    'GET /rpc/divergence (seed GET /costsim/divergence): the divergence report of [start_at, end_at) for the caller''s tenant, as json, or as a csv, jsonl or parquet file with per-sample rows';

-- ---- canaries: admins run them; admins and auditors read the reports ----

CREATE FUNCTION api.canary_run(sample_count integer DEFAULT 100, drift_threshold double precision DEFAULT NULL)
    RETURNS costsim.canary_reports
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT * FROM costsim.run_canary(sample_count, drift_threshold)
$$;
COMMENT ON FUNCTION api.canary_run(integer, double precision) IS
    'POST /rpc/canary_run (seed POST /costsim/canary/run): runs a canary now and returns its report (status skipped when one is running); admins';

CREATE VIEW api.canary_reports WITH (security_invoker = true) AS
    SELECT r.id, r.request_id, r.status, r.passed, r.failure_reasons, r.started_at, r.finished_at, r.as_of,
           r.requested_samples, r.drift_threshold, r.model_version, r.run_by, r.sample_count, r.shadow_samples,
           r.golden_samples, r.match_count, r.minor_drift_count, r.major_drift_count, r.mismatch_count,
           r.v2_error_count, r.outlier_count, r.delta_p50, r.delta_p90, to_jsonb(r.statistics) AS statistics,
           r.golden, r.diff_artifact_count, r.breaker_state, r.error
      FROM costsim.canary_reports r;
COMMENT ON VIEW api.canary_reports IS
    'GET /canary_reports (seed GET /costsim/canary/reports): canary reports; filter with ?status=eq.failed, ?passed=is.true, order and paginate';

-- ---- reference datasets: every role reads; backends and admins validate ----

CREATE VIEW api.datasets WITH (security_invoker = true) AS
    SELECT d.id, d.name, d.description, d.version, d.content_sha256, d.sample_count, d.thresholds, d.tags,
           d.origin, d.loaded_at
      FROM costsim.reference_datasets d;
COMMENT ON VIEW api.datasets IS
    'GET /datasets (seed GET /costsim/datasets; one: /datasets?id=eq.<id>): each reference dataset at its latest version';

-- A dataset the request names that does not exist is 404 (PostgREST: SQLSTATE PTxyz is HTTP xyz).
CREATE FUNCTION costsim.require_dataset(dataset_id text)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM costsim.datasets d WHERE d.id = require_dataset.dataset_id) THEN
        RAISE SQLSTATE 'PT404' USING MESSAGE = format('unknown dataset "%s"', dataset_id),
                                     HINT = 'GET /datasets lists them.';
    END IF;
END
$$;
COMMENT ON FUNCTION costsim.require_dataset(text) IS
    'Internal (the API): SQLSTATE PT404 (HTTP 404) when no dataset has this id';

CREATE FUNCTION api.dataset_samples(dataset_id text, version text DEFAULT NULL)
    RETURNS SETOF costsim.dataset_samples
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM costsim.require_dataset(dataset_id);
    RETURN QUERY SELECT * FROM costsim.dataset_samples(dataset_id, version);
END
$$;
COMMENT ON FUNCTION api.dataset_samples(text, text) IS
    'GET /rpc/dataset_samples?dataset_id=<id> (seed GET /costsim/datasets/{id}): a dataset version''s samples; 404 for an unknown dataset, 400 for an unknown version';

CREATE FUNCTION api.validate_dataset(dataset_id text, model_version text DEFAULT NULL)
    RETURNS costsim.dataset_validations
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM costsim.require_dataset(dataset_id);
    RETURN costsim.validate_dataset(dataset_id, model_version);
END
$$;
COMMENT ON FUNCTION api.validate_dataset(text, text) IS
    'POST /rpc/validate_dataset (seed POST /costsim/datasets/{id}/validate): validates a dataset against a V2 model and records the report; 404 for an unknown dataset, 400 for an unknown model';

CREATE FUNCTION api.validate_all_datasets(model_version text DEFAULT NULL)
    RETURNS SETOF costsim.dataset_validations
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT * FROM costsim.validate_all_datasets(model_version)
$$;
COMMENT ON FUNCTION api.validate_all_datasets(text) IS
    'POST /rpc/validate_all_datasets (seed POST /costsim/datasets/validate-all): validates every dataset, one report each';

-- ---- the audit log: every role reads its tenant's; exports ----

CREATE VIEW api.status_history WITH (security_invoker = true) AS
    SELECT h.id, h.seq, h.entity_type, h.entity_id, h.old_status, h.new_status, h.actor_type, h.actor_id, h.reason,
           h.tenant_id, h.correlation_id, h.metadata, h.created_at, h.prev_hash, h.row_hash
      FROM costsim.status_history h;
COMMENT ON VIEW api.status_history IS
    'GET /status_history (seed GET /status_history): the caller''s tenant''s status changes (row-level security); filter, order and paginate with PostgREST''s operators, Prefer: count=exact for the total';

CREATE FUNCTION api.entity_history(entity_type text, entity_id text)
    RETURNS SETOF costsim.status_history
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT * FROM costsim.entity_history(entity_type, entity_id)
$$;
COMMENT ON FUNCTION api.entity_history(text, text) IS
    'GET /rpc/entity_history?entity_type=&entity_id= (seed GET /status_history/entity/{type}/{id}): one entity''s changes, oldest first';

CREATE FUNCTION api.status_history_stats(created_from timestamptz DEFAULT NULL, created_to timestamptz DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT costsim.status_history_stats(created_from, created_to)
$$;
COMMENT ON FUNCTION api.status_history_stats(timestamptz, timestamptz) IS
    'GET /rpc/status_history_stats (seed GET /status_history/stats): totals by entity type, actor type and status, oldest and newest';

CREATE FUNCTION api.status_history_export(format text, entity_type text DEFAULT NULL, entity_id text DEFAULT NULL,
                                          actor_type text DEFAULT NULL, new_status text DEFAULT NULL,
                                          created_from timestamptz DEFAULT NULL, created_to timestamptz DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT to_jsonb(e) || jsonb_build_object(
               'download', jsonb_build_object('method', 'POST', 'path', '/rpc/download',
                                              'body', jsonb_build_object('export_id', e.export_id, 'format', format,
                                                                         'expires', e.expires, 'sig', e.sig)))
      FROM costsim.create_export(format, entity_type, entity_id, actor_type, new_status, created_from, created_to) e
$$;
COMMENT ON FUNCTION api.status_history_export(text, text, text, text, text, timestamptz, timestamptz) IS
    'POST /rpc/status_history_export (seed POST /status_history/export): describes a signed csv or jsonl export (count, SHA-256, chain head) and how to download it; audited';

CREATE FUNCTION api.download(export_id uuid, format text, expires bigint, sig text)
    RETURNS api."*/*"
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    file bytea := costsim.download_export(export_id, format, expires, sig);
BEGIN
    PERFORM costsim.respond_with_file(CASE format WHEN 'csv' THEN 'text/csv' ELSE 'application/x-ndjson' END,
                                  format('status_history-%s.%s', export_id, format));
    RETURN file;
END
$$;
COMMENT ON FUNCTION api.download(uuid, text, bigint, text) IS
    'POST /rpc/download (seed GET /download/{id}; POST because every download is audited, and PostgREST runs GETs read-only): the export''s bytes for a valid signed link; 403 otherwise';

-- Privileges: nothing for PUBLIC; each endpoint to the roles its costsim objects serve.
REVOKE ALL ON ALL TABLES IN SCHEMA api FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA api FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION costsim.respond_with_file(text, text), costsim.require_dataset(text) FROM PUBLIC;
REVOKE USAGE ON DOMAIN api."*/*" FROM PUBLIC;
GRANT USAGE ON DOMAIN api."*/*" TO costsim_backend, costsim_auditor, costsim_admin;
GRANT EXECUTE ON FUNCTION api.health(), api.v2_status() TO anon, costsim_backend, costsim_auditor, costsim_admin;
GRANT EXECUTE ON FUNCTION api.simulate(jsonb, integer, text[], text), api.v2_simulate(jsonb, integer, text[])
    TO costsim_backend, costsim_admin;
GRANT EXECUTE ON FUNCTION api.v2_reset(text), api.canary_run(integer, double precision) TO costsim_admin;
GRANT EXECUTE ON FUNCTION api.v2_incidents(boolean, integer) TO costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION costsim.respond_with_file(text, text), costsim.require_dataset(text), api.divergence(timestamptz, timestamptz, text, text),
    api.dataset_samples(text, text), api.entity_history(text, text),
    api.status_history_stats(timestamptz, timestamptz),
    api.status_history_export(text, text, text, text, text, timestamptz, timestamptz),
    api.download(uuid, text, bigint, text)
    TO costsim_backend, costsim_auditor, costsim_admin;
GRANT EXECUTE ON FUNCTION api.validate_dataset(text, text), api.validate_all_datasets(text)
    TO costsim_backend, costsim_admin;
GRANT SELECT ON api.datasets, api.status_history TO costsim_backend, costsim_auditor, costsim_admin;
GRANT SELECT ON api.canary_reports TO costsim_auditor, costsim_admin;
