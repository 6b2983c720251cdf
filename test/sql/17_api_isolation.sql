-- Tenant isolation of the HTTP API (DESIGN.md "SQL surface": row-level security everywhere, tenancy from the
-- request.jwt.claims tenant_id or costsim.tenant_id, a cross-tenant read returns nothing), generated from the
-- catalog so that a new endpoint without a policy fails here by itself:
--   * the catalog: every function of schema api has a sample invocation below (and every sample names an api
--     function), every view of api is security_invoker, every table of costsim with a tenant_id column has
--     row-level security enabled and at least one policy;
--   * tenant_b's data, seeded as the superuser with the marker 'tb-secret-7f3a' everywhere it can go (provenance
--     with a drifting plan and so a diff artifact, status_history rows, signed exports), and a little of
--     tenant_a's (marker 'ta-own-51c2');
--   * as costsim_backend, costsim_auditor and costsim_admin with request.jwt.claims {"role", "tenant_id":
--     "tenant_a"} (the set_config calls PostgREST makes, SET LOCAL ROLE), and as anon without a tenant: every
--     relation of api the role may SELECT is read whole, and every function of api it may EXECUTE is called
--     with each of its sample invocations (in a subtransaction always rolled back, errors allowed); no row, no
--     result, no response header and no error text may contain tenant_b's marker, the name tenant_b, or one of
--     tenant_b's input hashes, row hashes or export SHA-256s. Each invocation must end as documented (ok or its
--     SQLSTATE), so that a probe cannot pass by failing. The probes run with costsim.tenant_id = 'tenant_b' left
--     over in the session: the JWT's tenant must win. Among the invocations: tenant_b's export downloaded with
--     its real signed link while claiming tenant_a (42501, no bytes), tenant_b's entity's history, and the
--     divergence report, the status_history export and stats over the time window of tenant_b's rows;
--   * directly (costsim.tenant_id = 'tenant_a', no JWT): costsim.provenance, status_history, diff_artifacts and
--     status_history_exports show each role no tenant_b row, and tenant_a's own rows.
-- Everything happens in this one transaction, rolled back at the end; every probe is also rolled back at once
-- (it may take the breaker's row lock or the canary lock, which other sessions need).
BEGIN;
SELECT plan(59);

-- The breaker watches every comparison cluster-wide (shared memory, not rolled back): not from this file.
SET LOCAL costsim.cb_auto_trip = off;
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
-- A probe that must wait for a lock another test holds (the breaker's row) gives up, as 55P03.
SET LOCAL lock_timeout = '10s';

-------------------------------------------------------------------------------------------------------------
-- Seed (superuser): a little of tenant_a, and tenant_b with its marker everywhere.
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE seed (k text PRIMARY KEY, v text);
CREATE FUNCTION pg_temp.v(key text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT v FROM pg_temp.seed WHERE k = key $$;

DO $seed$
BEGIN
  PERFORM set_config('costsim.tenant_id', 'tenant_a', true);
  PERFORM costsim.simulate('[{"skill":"kv_get","params":{"key":"ta-own-51c2"}}]', 1000, NULL, 'ta-own-51c2');
  PERFORM costsim.simulate('[{"skill":"http_call","params":{"url":"https://example.com/ta-own-51c2"}}]', 1000, NULL,
                           'ta-own-51c2');
  PERFORM costsim.log_status_change('ta-job', 'ta-own-51c2/job-1', 'running', 'queued', reason => 'ta-own-51c2',
                                    metadata => '{"note":"ta-own-51c2"}', tenant_id => 'tenant_a');
  INSERT INTO pg_temp.seed SELECT 'ta_' || k, v
    FROM costsim.create_export('csv') e,
         LATERAL (VALUES ('export_id', e.export_id::text), ('expires', e.expires::text), ('sig', e.sig)) AS t(k, v);

  PERFORM set_config('costsim.tenant_id', 'tenant_b', true);
  -- llm_invoke: minor drift; an unknown skill: V1 10 cents, V2 5 cents, drift 0.3 > 0.20 = mismatch, so a diff
  -- artifact; http_call with the marker in its URL and its allowed skills.
  PERFORM costsim.simulate('[{"skill":"llm_invoke","params":{"prompt":"tb-secret-7f3a"}}]', 1000, NULL, 'tb-secret-7f3a');
  PERFORM costsim.simulate('[{"skill":"tb-secret-7f3a-tool","params":{"note":"tb-secret-7f3a"}}]', 1000, NULL,
                           'tb-secret-7f3a');
  PERFORM costsim.simulate('[{"skill":"http_call","params":{"url":"https://tb-secret-7f3a.example/"}}]', 1000,
                           ARRAY['http_call', 'tb-secret-7f3a-skill'], 'tb-secret-7f3a');
  PERFORM costsim.log_status_change('tb-secret-7f3a', 'tb-secret-7f3a/job-1', 'tb-secret-7f3a-running',
                                    'tb-secret-7f3a-queued', actor_type => 'tb-secret-7f3a', actor_id => 'tb-secret-7f3a',
                                    reason => 'tb-secret-7f3a', correlation_id => 'tb-secret-7f3a',
                                    metadata => '{"tb-secret-7f3a":"tb-secret-7f3a"}', tenant_id => 'tenant_b');
  PERFORM costsim.log_status_change('tb-secret-7f3a', 'tb-secret-7f3a/job-1', 'tb-secret-7f3a-done',
                                    'tb-secret-7f3a-running', reason => 'tb-secret-7f3a finished',
                                    metadata => '{"k":"tb-secret-7f3a"}', tenant_id => 'tenant_b');
  INSERT INTO pg_temp.seed SELECT 'tb_' || e.format || '_' || k, v
    FROM (SELECT 'csv' AS format, * FROM costsim.create_export('csv')
          UNION ALL SELECT 'jsonl', * FROM costsim.create_export('jsonl', entity_type => 'tb-secret-7f3a')) e,
         LATERAL (VALUES ('export_id', e.export_id::text), ('expires', e.expires::text), ('sig', e.sig),
                         ('sha256', e.sha256)) AS t(k, v);
END
$seed$;
-- tenant_b's shadow samples two days back: a time window that holds only tenant_b's provenance.
UPDATE costsim.provenance SET created_at = now() - interval '2 days' WHERE tenant_id = 'tenant_b';
INSERT INTO seed VALUES
  ('tb_prov_from', (now() - interval '2 days')::text),
  ('tb_prov_to', (now() - interval '2 days' + interval '1 millisecond')::text),
  ('tb_hist_from', (SELECT min(created_at)::text FROM costsim.status_history WHERE tenant_id = 'tenant_b')),
  ('tb_hist_to', (SELECT (max(created_at) + interval '1 microsecond')::text FROM costsim.status_history WHERE tenant_id = 'tenant_b'));

-- What tenant_a must never see: the marker, the tenant's name, and what identifies tenant_b's rows.
CREATE TEMP TABLE secrets (s text PRIMARY KEY);
INSERT INTO secrets VALUES ('tb-secret-7f3a'), ('tenant_b');
INSERT INTO secrets SELECT input_hash FROM costsim.provenance WHERE tenant_id = 'tenant_b' ON CONFLICT DO NOTHING;
INSERT INTO secrets SELECT row_hash FROM costsim.status_history WHERE tenant_id = 'tenant_b';
INSERT INTO secrets SELECT sha256 FROM costsim.status_history_exports WHERE tenant_id = 'tenant_b' ON CONFLICT DO NOTHING;
CREATE FUNCTION pg_temp.leaks(t text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT FROM pg_temp.secrets s WHERE strpos(t, s.s) > 0)
$$;

SELECT is((SELECT count(*) FROM costsim.provenance
            WHERE tenant_id = 'tenant_b' AND run_id = 'tb-secret-7f3a' AND status = 'ok' AND input::text LIKE '%tb-secret-7f3a%'),
          3::bigint, 'seed: tenant_b has three shadowed samples carrying the marker');
SELECT is((SELECT count(*) FROM costsim.diff_artifacts WHERE tenant_id = 'tenant_b' AND run_id = 'tb-secret-7f3a'),
          1::bigint, 'seed: tenant_b''s drifting plan left a diff artifact');
SELECT is((SELECT count(*) FROM costsim.status_history WHERE tenant_id = 'tenant_b' AND entity_type = 'tb-secret-7f3a'),
          2::bigint, 'seed: tenant_b has two status changes carrying the marker');
SELECT is((SELECT count(*) FROM costsim.status_history_exports WHERE tenant_id = 'tenant_b'),
          2::bigint, 'seed: tenant_b has two exports');
SELECT is(ARRAY[(SELECT count(*) FROM costsim.provenance WHERE tenant_id = 'tenant_a' AND run_id = 'ta-own-51c2'),
                (SELECT count(*) FROM costsim.status_history WHERE tenant_id = 'tenant_a' AND entity_id = 'ta-own-51c2/job-1'),
                (SELECT count(*) FROM costsim.status_history_exports WHERE tenant_id = 'tenant_a')],
          ARRAY[2, 1, 1]::bigint[], 'seed: tenant_a has two shadowed samples, a status change and an export');

-------------------------------------------------------------------------------------------------------------
-- The sample invocations, keyed by the function's regprocedure (under search_path pg_catalog). Every function
-- of schema api must have at least one; expect: the outcomes allowed (ok, or a SQLSTATE).
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE invocations (sig text NOT NULL, label text PRIMARY KEY, call text NOT NULL, expect text[] NOT NULL);
INSERT INTO invocations VALUES
  ('api.health()', 'health', 'api.health()', '{ok}'),
  ('api.v2_status()', 'v2_status', 'api.v2_status()', '{ok}'),
  ('api.simulate(jsonb,integer,text[],text)', 'simulate: a plan of tenant_a',
   $$api.simulate(plan => '[{"skill":"kv_get"}]', run_id => 'ta-probe')$$, '{ok}'),
  ('api.simulate(jsonb,integer,text[],text)', 'simulate: not a plan', $$api.simulate(plan => '"x"')$$, '{22023}'),
  -- 503 (PT503) when V2 is disabled: the breaker may be open in the cluster's committed state.
  ('api.v2_simulate(jsonb,integer,text[])', 'v2_simulate: a plan of tenant_a',
   $$api.v2_simulate(plan => '[{"skill":"llm_invoke","params":{"prompt":"x"}}]')$$, '{ok,PT503}'),
  ('api.v2_reset(text)', 'v2_reset', $$api.v2_reset(reason => 'api isolation probe')$$, '{ok,55P03}'),
  ('api.v2_incidents(boolean,integer)', 'v2_incidents: open', 'api.v2_incidents()', '{ok}'),
  ('api.v2_incidents(boolean,integer)', 'v2_incidents: all', 'api.v2_incidents(include_resolved => true, max_incidents => 1000)', '{ok}'),
  ('api.v2_incidents(boolean,integer)', 'v2_incidents: max_incidents 0', 'api.v2_incidents(max_incidents => 0)', '{22023}'),
  ('api.divergence(timestamp with time zone,timestamp with time zone,text,text)', 'divergence: json, last 7 days',
   'api.divergence()', '{ok}'),
  ('api.divergence(timestamp with time zone,timestamp with time zone,text,text)', 'divergence: xml',
   $$api.divergence(format => 'xml')$$, '{22023}'),
  ('api.canary_run(integer,double precision)', 'canary_run', 'api.canary_run(sample_count => 5)', '{ok,55P03}'),
  ('api.dataset_samples(text,text)', 'dataset_samples: low_variance', $$api.dataset_samples(dataset_id => 'low_variance')$$, '{ok}'),
  ('api.dataset_samples(text,text)', 'dataset_samples: unknown', $$api.dataset_samples(dataset_id => 'tb_secret')$$, '{PT404}'),
  ('api.validate_dataset(text,text)', 'validate_dataset: low_variance', $$api.validate_dataset(dataset_id => 'low_variance')$$, '{ok}'),
  ('api.validate_dataset(text,text)', 'validate_dataset: unknown', $$api.validate_dataset(dataset_id => 'tb_secret')$$, '{PT404}'),
  ('api.validate_all_datasets(text)', 'validate_all_datasets', 'api.validate_all_datasets()', '{ok}'),
  ('api.entity_history(text,text)', 'entity_history: tenant_b''s entity',
   $$api.entity_history(entity_type => 'tb-secret-7f3a', entity_id => 'tb-secret-7f3a/job-1')$$, '{ok}'),
  ('api.entity_history(text,text)', 'entity_history: tenant_a''s entity',
   $$api.entity_history(entity_type => 'ta-job', entity_id => 'ta-own-51c2/job-1')$$, '{ok}'),
  ('api.status_history_stats(timestamp with time zone,timestamp with time zone)', 'status_history_stats: all',
   'api.status_history_stats()', '{ok}'),
  ('api.status_history_export(text,text,text,text,text,timestamp with time zone,timestamp with time zone)',
   'status_history_export: csv, all', $$api.status_history_export(format => 'csv')$$, '{ok}'),
  ('api.status_history_export(text,text,text,text,text,timestamp with time zone,timestamp with time zone)',
   'status_history_export: csv, tenant_b''s entity',
   $$api.status_history_export(format => 'csv', entity_type => 'tb-secret-7f3a', entity_id => 'tb-secret-7f3a/job-1')$$, '{ok}'),
  ('api.status_history_export(text,text,text,text,text,timestamp with time zone,timestamp with time zone)',
   'status_history_export: xml', $$api.status_history_export(format => 'xml')$$, '{22023}');
-- ... and those that need the seed's values.
INSERT INTO invocations
SELECT 'api.divergence(timestamp with time zone,timestamp with time zone,text,text)', 'divergence: ' || f || ', tenant_b''s window',
       format('api.divergence(start_at => %L, end_at => %L, format => %L)', pg_temp.v('tb_prov_from'), pg_temp.v('tb_prov_to'), f),
       '{ok}'::text[]
  FROM unnest(ARRAY['json', 'csv', 'jsonl', 'parquet']) f
UNION ALL
SELECT 'api.divergence(timestamp with time zone,timestamp with time zone,text,text)', 'divergence: ' || f || ', 30 days',
       format('api.divergence(start_at => now() - interval ''30 days'', end_at => now() + interval ''1 day'', format => %L)', f),
       '{ok}'::text[]
  FROM unnest(ARRAY['json', 'csv', 'jsonl', 'parquet']) f
UNION ALL
SELECT 'api.status_history_stats(timestamp with time zone,timestamp with time zone)', 'status_history_stats: tenant_b''s window',
       format('api.status_history_stats(created_from => %L, created_to => %L)', pg_temp.v('tb_hist_from'), pg_temp.v('tb_hist_to')),
       '{ok}'::text[]
UNION ALL
SELECT 'api.status_history_export(text,text,text,text,text,timestamp with time zone,timestamp with time zone)',
       'status_history_export: jsonl, tenant_b''s window',
       format('api.status_history_export(format => ''jsonl'', created_from => %L, created_to => %L)',
              pg_temp.v('tb_hist_from'), pg_temp.v('tb_hist_to')),
       '{ok}'::text[]
UNION ALL
SELECT 'api.download(uuid,text,bigint,text)', 'download: tenant_b''s ' || f || ' export, its real link',
       format('api.download(export_id => %L, format => %L, expires => %s, sig => %L)',
              pg_temp.v('tb_' || f || '_export_id'), f, pg_temp.v('tb_' || f || '_expires'), pg_temp.v('tb_' || f || '_sig')),
       '{42501}'::text[]
  FROM unnest(ARRAY['csv', 'jsonl']) f
UNION ALL
SELECT 'api.download(uuid,text,bigint,text)', 'download: tenant_b''s export with tenant_a''s link',
       format('api.download(export_id => %L, format => ''csv'', expires => %s, sig => %L)',
              pg_temp.v('tb_csv_export_id'), pg_temp.v('ta_expires'), pg_temp.v('ta_sig')),
       '{42501}'::text[]
UNION ALL
SELECT 'api.download(uuid,text,bigint,text)', 'download: tenant_a''s own export',
       format('api.download(export_id => %L, format => ''csv'', expires => %s, sig => %L)',
              pg_temp.v('ta_export_id'), pg_temp.v('ta_expires'), pg_temp.v('ta_sig')),
       '{ok}';

-------------------------------------------------------------------------------------------------------------
-- The probe: as the current role, everything of schema api it may read or call. Results in pg_temp.probes.
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE probes (role name, kind text, object text, label text, outcome text, nrows bigint, output text,
                          headers text, error text);
GRANT SELECT ON seed, secrets, invocations TO PUBLIC;
GRANT INSERT ON probes TO PUBLIC;

CREATE FUNCTION pg_temp.probe() RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  rel record;
  fn record;
  inv record;
  n bigint;
  out text;
  hdr text;
  state text;
  err text;
  e_detail text;
  e_hint text;
  found_one boolean;
BEGIN
  FOR rel IN SELECT c.oid::regclass AS name FROM pg_class c
              WHERE c.relnamespace = 'api'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.oid::regclass::text LOOP
    CONTINUE WHEN NOT has_any_column_privilege(rel.name, 'SELECT');
    n := NULL; out := NULL; err := NULL;
    BEGIN
      EXECUTE format('SELECT count(*), coalesce(string_agg(to_jsonb(t)::text, E''\n''), '''') FROM %s t', rel.name)
         INTO n, out;
      state := 'ok';
    EXCEPTION WHEN OTHERS THEN
      state := SQLSTATE; err := SQLERRM;
    END;
    INSERT INTO pg_temp.probes VALUES (current_user, 'relation', rel.name::text, NULL, state, n, out, NULL, err);
  END LOOP;

  FOR fn IN SELECT p.oid, p.oid::regprocedure::text AS sig,
                   (SELECT coalesce(nullif(t.typbasetype, 0), t.oid) FROM pg_type t WHERE t.oid = p.prorettype)
                     = 'bytea'::regtype AS bytes
              FROM pg_proc p WHERE p.pronamespace = 'api'::regnamespace ORDER BY 2 LOOP
    CONTINUE WHEN NOT has_function_privilege(fn.oid, 'EXECUTE');
    found_one := false;
    FOR inv IN SELECT * FROM pg_temp.invocations i WHERE i.sig = fn.sig ORDER BY i.label LOOP
      found_one := true;
      n := NULL; out := NULL; hdr := NULL; err := NULL;
      BEGIN
        PERFORM set_config('response.headers', '', true);
        EXECUTE format('SELECT count(*), coalesce(string_agg(%s, E''\n''), '''') FROM %s AS r',
                       CASE WHEN fn.bytes THEN 'encode(r::bytea, ''escape'')' ELSE 'to_jsonb(r)::text' END, inv.call)
           INTO n, out;
        hdr := current_setting('response.headers', true);
        -- Undo whatever the call did (rows, locks), keeping what it answered.
        RAISE EXCEPTION 'probe done' USING ERRCODE = 'CS17R';
      EXCEPTION
        WHEN SQLSTATE 'CS17R' THEN
          state := 'ok';
        WHEN OTHERS THEN
          GET STACKED DIAGNOSTICS e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
          state := SQLSTATE; n := NULL; out := NULL; err := concat_ws(' | ', SQLERRM, e_detail, e_hint);
      END;
      INSERT INTO pg_temp.probes VALUES (current_user, 'function', fn.sig, inv.label, state, n, out, hdr, err);
    END LOOP;
    IF NOT found_one THEN
      INSERT INTO pg_temp.probes VALUES (current_user, 'function', fn.sig, NULL, 'no sample invocation', NULL, NULL, NULL, NULL);
    END IF;
  END LOOP;
END
$$;

-- What a role's probes show: the objects leaking tenant_b's data; invocations that did not end as expected;
-- one probe.
CREATE FUNCTION pg_temp.leaking(r name, k text) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT p.object || coalesce(' / ' || p.label, '') FROM pg_temp.probes p
                WHERE p.role = r AND p.kind = k
                  AND pg_temp.leaks(concat_ws(E'\n', p.output, p.headers, p.error))
                ORDER BY 1)
$$;
CREATE FUNCTION pg_temp.unexpected(r name) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT coalesce(p.label, p.object) || ': ' || p.outcome || coalesce(' (' || p.error || ')', '')
                      || ', expected ' || coalesce(array_to_string(i.expect, ' or '), '(nothing)')
                 FROM pg_temp.probes p LEFT JOIN pg_temp.invocations i ON i.label = p.label
                WHERE p.role = r AND p.kind = 'function' AND (i.label IS NULL OR p.outcome <> ALL (i.expect))
                ORDER BY 1)
$$;
-- A probe's output as jsonb (NULL when it is not JSON; a bytea answer is in escape form: its backslashes doubled).
CREATE FUNCTION pg_temp.json_of(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN t::jsonb;
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END
$$;
CREATE FUNCTION pg_temp.probe_of(r name, l text) RETURNS pg_temp.probes LANGUAGE sql STABLE AS $$
  SELECT * FROM pg_temp.probes p WHERE p.role = r AND p.label = l
$$;

-------------------------------------------------------------------------------------------------------------
-- 1. The catalog.
-------------------------------------------------------------------------------------------------------------
SET LOCAL search_path = pg_catalog, public;
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'api'::regnamespace
                EXCEPT SELECT sig FROM invocations ORDER BY 1),
          ARRAY[]::text[], 'every function of schema api has a sample invocation here (a new endpoint must add one)');
SELECT is(ARRAY(SELECT sig FROM invocations
                EXCEPT SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'api'::regnamespace ORDER BY 1),
          ARRAY[]::text[], 'every sample invocation names a function of schema api');
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_class c
                 WHERE c.relnamespace = 'api'::regnamespace AND c.relkind IN ('v', 'm')
                   AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false) ORDER BY 1),
          ARRAY[]::text[], 'every view of schema api is security_invoker');
CREATE TEMP VIEW tenant_tables AS
  SELECT c.oid, c.oid::regclass::text AS name, c.relrowsecurity,
         (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
   WHERE c.relnamespace = 'costsim'::regnamespace AND c.relkind IN ('r', 'p') AND a.attname = 'tenant_id'
     AND NOT a.attisdropped;
SELECT ok(ARRAY['costsim.provenance', 'costsim.status_history', 'costsim.diff_artifacts', 'costsim.status_history_exports']
          <@ ARRAY(SELECT name FROM tenant_tables),
          'the catalog finds the tenant-owned tables of costsim (those with a tenant_id column)');
SELECT is(ARRAY(SELECT name FROM tenant_tables WHERE NOT relrowsecurity ORDER BY 1), ARRAY[]::text[],
          'every table of costsim with a tenant_id column has row-level security enabled');
SELECT is(ARRAY(SELECT name FROM tenant_tables WHERE policies = 0 ORDER BY 1), ARRAY[]::text[],
          'every table of costsim with a tenant_id column has a policy');
RESET search_path;

-------------------------------------------------------------------------------------------------------------
-- 2. The probes, as PostgREST would run them: role, JWT claims, method, headers. costsim.tenant_id is still
--    'tenant_b' from the seed: the claim must win.
-------------------------------------------------------------------------------------------------------------
SET LOCAL ROLE costsim_backend;
DO $$ BEGIN
  PERFORM set_config('request.jwt.claims', '{"role":"costsim_backend","tenant_id":"tenant_a","sub":"iso17-backend"}', true);
  PERFORM set_config('request.method', 'POST', true);
  PERFORM set_config('request.headers', '{}', true);
  PERFORM pg_temp.probe();
END $$;
RESET ROLE;

SET LOCAL ROLE costsim_auditor;
DO $$ BEGIN
  PERFORM set_config('request.jwt.claims', '{"role":"costsim_auditor","tenant_id":"tenant_a","sub":"iso17-auditor"}', true);
  PERFORM set_config('request.method', 'POST', true);
  PERFORM set_config('request.headers', '{}', true);
  PERFORM pg_temp.probe();
END $$;
RESET ROLE;

SET LOCAL ROLE costsim_admin;
DO $$ BEGIN
  PERFORM set_config('request.jwt.claims', '{"role":"costsim_admin","tenant_id":"tenant_a","sub":"iso17-admin"}', true);
  PERFORM set_config('request.method', 'POST', true);
  PERFORM set_config('request.headers', '{}', true);
  PERFORM pg_temp.probe();
END $$;
RESET ROLE;

-- anon: PostgREST's role without a JWT (no tenant claim).
SET LOCAL ROLE anon;
DO $$ BEGIN
  PERFORM set_config('request.jwt.claims', '{"role":"anon"}', true);
  PERFORM set_config('request.method', 'GET', true);
  PERFORM set_config('request.headers', '{}', true);
  PERFORM pg_temp.probe();
END $$;
RESET ROLE;
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '', true); END $$;

-------------------------------------------------------------------------------------------------------------
-- 3. What each role saw (checked as the superuser).
-------------------------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.role_tests(r name) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  p pg_temp.probes;
  q pg_temp.probes;
BEGIN
  RETURN NEXT is(ARRAY(SELECT object || ': ' || outcome FROM pg_temp.probes
                        WHERE role = r AND kind = 'relation' AND outcome <> 'ok' ORDER BY 1),
                 ARRAY[]::text[], r || ': every relation of api it may SELECT reads without error');
  RETURN NEXT is(pg_temp.leaking(r, 'relation'), ARRAY[]::text[],
                 r || ' as tenant_a: no relation of api shows tenant_b''s data');
  RETURN NEXT is(pg_temp.unexpected(r), ARRAY[]::text[],
                 r || ': every sample invocation of the api functions it may execute ends as documented');
  RETURN NEXT is(pg_temp.leaking(r, 'function'), ARRAY[]::text[],
                 r || ' as tenant_a: no api function''s result, response headers or error shows tenant_b''s data');
  -- tenant_b's own signed links, while claiming tenant_a.
  RETURN NEXT is(ARRAY(SELECT x.outcome || '/' || coalesce(x.nrows::text, 'no bytes') FROM pg_temp.probes x
                        WHERE x.role = r AND x.label LIKE 'download: tenant_b''s%' ORDER BY x.label),
                 ARRAY['42501/no bytes', '42501/no bytes', '42501/no bytes'],
                 r || ' as tenant_a: tenant_b''s exports, with their real links or tenant_a''s, are refused (42501) and return no bytes');
  p := pg_temp.probe_of(r, 'entity_history: tenant_b''s entity');
  RETURN NEXT is(p.outcome || '/' || p.nrows, 'ok/0', r || ' as tenant_a: tenant_b''s entity has no history');
  -- tenant_b's three samples are two days old, tenant_a's two are of now() (outside the default window, which
  -- ends at now(), exclusive).
  RETURN NEXT is(ARRAY(SELECT x.outcome || '/' || (pg_temp.json_of(x.output) ->> 'sample_count') FROM pg_temp.probes x
                        WHERE x.role = r AND x.label IN ('divergence: json, tenant_b''s window', 'divergence: json, last 7 days',
                                                         'divergence: json, 30 days')
                        ORDER BY x.label),
                 ARRAY['ok/2', 'ok/0', 'ok/0'],
                 r || ' as tenant_a: the divergence report counts tenant_a''s two samples over 30 days, none over tenant_b''s window or the last 7 days');
  p := pg_temp.probe_of(r, 'status_history_export: csv, tenant_b''s entity');
  q := pg_temp.probe_of(r, 'status_history_export: jsonl, tenant_b''s window');
  RETURN NEXT is(ARRAY[p.outcome || '/' || (pg_temp.json_of(p.output) ->> 'record_count'),
                       q.outcome || '/' || (pg_temp.json_of(q.output) ->> 'record_count')],
                 ARRAY['ok/0', 'ok/0'],
                 r || ' as tenant_a: exports of tenant_b''s entity and of tenant_b''s window hold no record');
  p := pg_temp.probe_of(r, 'status_history_stats: tenant_b''s window');
  RETURN NEXT is(p.outcome || '/' || (pg_temp.json_of(p.output) ->> 'total'), 'ok/0',
                 r || ' as tenant_a: status_history_stats over tenant_b''s window counts nothing');
  -- The probes can see a marker: tenant_a's own appears where it should.
  RETURN NEXT is(ARRAY(SELECT x.l FROM unnest(ARRAY['api.status_history', 'entity_history: tenant_a''s entity',
                                                    'download: tenant_a''s own export']) x(l)
                        WHERE NOT EXISTS (SELECT FROM pg_temp.probes y
                                           WHERE y.role = r AND coalesce(y.label, y.object) = x.l AND y.outcome = 'ok'
                                             AND strpos(y.output, 'ta-own-51c2') > 0)),
                 ARRAY[]::text[],
                 r || ' as tenant_a: its own marker shows in api.status_history, its entity''s history and its export''s bytes');
END
$$;

SELECT * FROM pg_temp.role_tests('costsim_backend');
SELECT * FROM pg_temp.role_tests('costsim_auditor');
SELECT * FROM pg_temp.role_tests('costsim_admin');

SELECT is(ARRAY(SELECT object FROM probes WHERE role = 'anon' AND kind = 'relation' ORDER BY 1), ARRAY[]::text[],
          'anon may read no relation of api');
SELECT is(ARRAY(SELECT coalesce(label, object) || ': ' || outcome FROM probes WHERE role = 'anon' AND kind = 'function' ORDER BY 1),
          ARRAY['health: ok', 'v2_status: ok'], 'anon may call api.health() and api.v2_status() only, and both answer');
SELECT is(pg_temp.leaking('anon', 'function'), ARRAY[]::text[], 'anon: nothing it may call shows tenant_b''s data');

-------------------------------------------------------------------------------------------------------------
-- 4. The tenant-owned tables themselves, as a direct SQL caller of tenant_a (costsim.tenant_id, no JWT).
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.tenant_id = 'tenant_a';
CREATE FUNCTION pg_temp.direct_tests(r name) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  t text;
BEGIN
  EXECUTE format('SET LOCAL ROLE %I', r);
  FOREACH t IN ARRAY ARRAY['costsim.provenance', 'costsim.status_history', 'costsim.diff_artifacts',
                           'costsim.status_history_exports'] LOOP
    RETURN NEXT is(pg_temp.count_tenant(t, 'tenant_b'), 0::bigint, r || ' as tenant_a: ' || t || ' shows no row of tenant_b');
  END LOOP;
  -- (status_history: the seeded change, and the audit row of the seeded export)
  RETURN NEXT is(ARRAY[pg_temp.count_tenant('costsim.provenance', 'tenant_a'),
                       pg_temp.count_tenant('costsim.status_history', 'tenant_a'),
                       pg_temp.count_tenant('costsim.status_history_exports', 'tenant_a')],
                 ARRAY[2, 2, 1]::bigint[],
                 r || ' as tenant_a: its own provenance, status changes and export are there');
  RESET ROLE;
END
$$;
CREATE FUNCTION pg_temp.count_tenant(t text, tenant text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM %s WHERE tenant_id = %L', t, tenant) INTO n;
  RETURN n;
END
$$;
SELECT * FROM pg_temp.direct_tests('costsim_backend');
SELECT * FROM pg_temp.direct_tests('costsim_auditor');
SELECT * FROM pg_temp.direct_tests('costsim_admin');

SELECT * FROM finish();
ROLLBACK;
