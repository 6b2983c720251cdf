-- The privilege audit of schemas costsim and api (DESIGN.md "SQL surface": grants are explicit, nothing is granted
-- to PUBLIC; SECURITY DEFINER functions pin search_path; PostgREST's authenticator and anon), read from the
-- catalog so that a new object is audited without being named here:
--   * PUBLIC (aclexplode grantee 0) holds nothing on the schemas, relations, columns, functions (all kinds),
--     types and domains of costsim and api. A NULL ACL is the default one, expanded with acldefault(): for a
--     function it includes EXECUTE to PUBLIC, for a type USAGE to PUBLIC (so an ungranted function or type
--     fails here); for schemas, relations and sequences it is the owner's alone. Array types take their
--     element's privileges (PostgreSQL refuses to set theirs) and are not audited apart; the row types of tables
--     and views can have their USAGE revoked and are audited in a test of their own;
--   * every SECURITY DEFINER function of costsim and api sets search_path, to schemas no one but their owner may
--     create objects in ('$user' and absent schemas count as unsafe), with pg_temp named, last;
--   * anon reaches nothing tenant-owned: no privilege on any relation of costsim or api, no USAGE on schema
--     costsim, EXECUTE on exactly api.health() and api.v2_status() in api and on nothing in costsim;
--   * authenticator is NOINHERIT, a member of anon, costsim_backend, costsim_auditor and costsim_admin, holds no
--     privilege of its own on any object of costsim or api and no effective one (it is only a login to switch
--     from); none of PostgREST's roles is superuser, BYPASSRLS or CREATEROLE, or may act as the owner of a
--     table with row-level security (owners bypass their policies);
--   * costsim_auditor cannot write: no INSERT, UPDATE, DELETE or TRUNCATE on any relation (nor column-level
--     INSERT or UPDATE, nor USAGE or UPDATE on a sequence), and among the VOLATILE (writing) functions of api
--     exactly the two that only record an audit row of a read may be executed by it.
-- Everything happens in this one transaction, rolled back at the end (it changes nothing).
BEGIN;
SELECT plan(23);

-- Every object of the two schemas, with its ACL (NULL expanded to the default) and how to name it.
CREATE TEMP VIEW audited AS
  SELECT 'schema' AS kind, n.nspname::text AS name, coalesce(n.nspacl, acldefault('n', n.nspowner)) AS acl
    FROM pg_namespace n WHERE n.nspname IN ('costsim', 'api')
  UNION ALL
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                        WHEN 'f' THEN 'foreign table' ELSE 'table' END,
         c.oid::regclass::text,
         coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
    FROM pg_class c
   WHERE c.relnamespace IN ('costsim'::regnamespace, 'api'::regnamespace) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  UNION ALL
  SELECT 'column', c.oid::regclass::text || '.' || quote_ident(a.attname), a.attacl
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace IN ('costsim'::regnamespace, 'api'::regnamespace) AND a.attacl IS NOT NULL AND NOT a.attisdropped
  UNION ALL
  SELECT 'function', p.oid::regprocedure::text, coalesce(p.proacl, acldefault('f', p.proowner))
    FROM pg_proc p WHERE p.pronamespace IN ('costsim'::regnamespace, 'api'::regnamespace)
  UNION ALL
  SELECT CASE WHEN t.typrelid <> 0 AND (SELECT r.relkind FROM pg_class r WHERE r.oid = t.typrelid) <> 'c'
              THEN 'row type' ELSE 'type' END,
         t.oid::regtype::text, coalesce(t.typacl, acldefault('T', t.typowner))
    FROM pg_type t
   WHERE t.typnamespace IN ('costsim'::regnamespace, 'api'::regnamespace)
     AND NOT (t.typelem <> 0 AND t.typsubscript = 'array_subscript_handler'::regproc);

-------------------------------------------------------------------------------------------------------------
-- 1. Nothing for PUBLIC.
-------------------------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.public_grants(kinds text[]) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT DISTINCT o.kind || ' ' || o.name || ': ' || a.privilege_type
                 FROM audited o CROSS JOIN LATERAL aclexplode(o.acl) a
                WHERE o.kind = ANY (kinds) AND a.grantee = 0 ORDER BY 1)
$$;
SELECT ok((SELECT count(DISTINCT kind) FROM audited WHERE kind IN ('schema', 'table', 'view', 'sequence', 'function', 'type', 'row type')) = 7
          AND (SELECT count(*) FROM audited WHERE kind = 'function' AND name LIKE 'api.%') > 0
          AND (SELECT count(*) FROM audited WHERE kind = 'schema') = 2,
          'the audit finds both schemas and their tables, views, sequences, functions, types and row types');
SELECT is(pg_temp.public_grants('{schema}'), ARRAY[]::text[], 'schemas costsim and api grant nothing to PUBLIC');
SELECT is(pg_temp.public_grants('{table,view,"materialized view",sequence,"foreign table"}'), ARRAY[]::text[],
          'no table, view or sequence of costsim or api grants anything to PUBLIC');
SELECT is(pg_temp.public_grants('{column}'), ARRAY[]::text[], 'no column of costsim or api is granted to PUBLIC');
SELECT is(pg_temp.public_grants('{function}'), ARRAY[]::text[],
          'no function, aggregate or procedure of costsim or api is executable by PUBLIC (a NULL ACL would be)');
SELECT is(pg_temp.public_grants('{type}'), ARRAY[]::text[],
          'no type or domain of costsim or api is usable by PUBLIC (a NULL ACL would be)');
SELECT is(pg_temp.public_grants('{"row type"}'), ARRAY[]::text[],
          'no row type of a table or view of costsim or api is usable by PUBLIC (a NULL ACL would be)');

-------------------------------------------------------------------------------------------------------------
-- 2. SECURITY DEFINER functions pin a safe search_path.
-------------------------------------------------------------------------------------------------------------
CREATE TEMP VIEW definers AS
  SELECT p.oid::regprocedure::text AS name,
         (SELECT substr(c, length('search_path=') + 1) FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%') AS path
    FROM pg_proc p
   WHERE p.pronamespace IN ('costsim'::regnamespace, 'api'::regnamespace) AND p.prosecdef;
-- The schemas of a search_path setting, unquoted, in order.
CREATE FUNCTION pg_temp.path_schemas(path text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(SELECT CASE WHEN btrim(s) LIKE '"%"' THEN replace(substr(btrim(s), 2, length(btrim(s)) - 2), '""', '"')
                           ELSE lower(btrim(s)) END
                 FROM unnest(string_to_array(path, ',')) WITH ORDINALITY AS u(s, i) ORDER BY i)
$$;
-- A schema others than its owner may create objects in (or that is not there, or is $user).
CREATE FUNCTION pg_temp.unsafe_schema(s text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN s = 'pg_temp' THEN false
              WHEN NOT EXISTS (SELECT FROM pg_namespace n WHERE n.nspname = s) THEN true
              ELSE EXISTS (SELECT FROM pg_namespace n CROSS JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
                            WHERE n.nspname = s AND a.privilege_type = 'CREATE' AND a.grantee <> n.nspowner) END
$$;
SELECT ok((SELECT count(*) FROM definers) > 0, 'the audit finds the SECURITY DEFINER functions of costsim and api');
SELECT is(ARRAY(SELECT name FROM definers WHERE path IS NULL ORDER BY 1), ARRAY[]::text[],
          'every SECURITY DEFINER function of costsim and api sets search_path');
SELECT is(ARRAY(SELECT d.name || ': ' || s FROM definers d CROSS JOIN LATERAL unnest(pg_temp.path_schemas(d.path)) s
                 WHERE pg_temp.unsafe_schema(s) ORDER BY 1),
          ARRAY[]::text[],
          'their search_path names no schema anyone but its owner may create in (nor $user, nor a missing schema)');
SELECT is(ARRAY(SELECT d.name FROM definers d
                 WHERE d.path IS NOT NULL
                   AND (pg_temp.path_schemas(d.path))[cardinality(pg_temp.path_schemas(d.path))] IS DISTINCT FROM 'pg_temp'
                 ORDER BY 1),
          ARRAY[]::text[], 'their search_path names pg_temp, last (else temporary objects would come first)');

-------------------------------------------------------------------------------------------------------------
-- 3. anon reaches nothing tenant-owned.
-------------------------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.relation_privileges(r regrole, table_privileges text, column_privileges text, sequence_privileges text)
RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT c.oid::regclass::text FROM pg_class c
                WHERE c.relnamespace IN ('costsim'::regnamespace, 'api'::regnamespace)
                  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                  AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(r, c.oid, sequence_privileges)
                           ELSE has_table_privilege(r, c.oid, table_privileges)
                                OR has_any_column_privilege(r, c.oid, column_privileges) END
                ORDER BY 1)
$$;
CREATE FUNCTION pg_temp.executable(r regrole, schema regnamespace) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.pronamespace = schema AND has_function_privilege(r, p.oid, 'EXECUTE') ORDER BY 1)
$$;
SELECT is(pg_temp.relation_privileges('anon', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER',
                                      'SELECT, INSERT, UPDATE, REFERENCES', 'SELECT, USAGE, UPDATE'),
          ARRAY[]::text[], 'anon has no privilege on any table, view or sequence of costsim or api');
SELECT is(ARRAY[has_schema_privilege('anon', 'costsim', 'USAGE'), has_schema_privilege('anon', 'costsim', 'CREATE'),
                has_schema_privilege('anon', 'api', 'CREATE')],
          ARRAY[false, false, false], 'anon has no USAGE on schema costsim and may create nothing in costsim or api');
SELECT is(pg_temp.executable('anon', 'api'), ARRAY['api.health()', 'api.v2_status()'],
          'anon may execute exactly api.health() and api.v2_status() in api');
SELECT is(pg_temp.executable('anon', 'costsim'), ARRAY[]::text[], 'anon may execute nothing in costsim');

-------------------------------------------------------------------------------------------------------------
-- 4. authenticator only switches roles; none of PostgREST's roles bypasses row-level security.
-------------------------------------------------------------------------------------------------------------
SELECT is((SELECT rolinherit FROM pg_roles WHERE rolname = 'authenticator'), false, 'authenticator is NOINHERIT');
SELECT is(ARRAY(SELECT r FROM unnest(ARRAY['anon', 'costsim_backend', 'costsim_auditor', 'costsim_admin']) r
                 WHERE NOT pg_has_role('authenticator', r, 'MEMBER')),
          ARRAY[]::text[], 'authenticator is a member of anon, costsim_backend, costsim_auditor and costsim_admin');
SELECT is(ARRAY(SELECT DISTINCT o.kind || ' ' || o.name || ': ' || a.privilege_type
                  FROM audited o CROSS JOIN LATERAL aclexplode(o.acl) a
                 WHERE a.grantee = 'authenticator'::regrole ORDER BY 1),
          ARRAY[]::text[], 'no object of costsim or api grants anything to authenticator itself');
SELECT is(pg_temp.relation_privileges('authenticator', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER',
                                      'SELECT, INSERT, UPDATE, REFERENCES', 'SELECT, USAGE, UPDATE')
          || pg_temp.executable('authenticator', 'api') || pg_temp.executable('authenticator', 'costsim')
          || ARRAY(SELECT 'schema ' || s FROM unnest(ARRAY['costsim', 'api']) s
                    WHERE has_schema_privilege('authenticator', s, 'USAGE, CREATE')),
          ARRAY[]::text[], 'authenticator, without SET ROLE, may use nothing of costsim or api');
SELECT is(ARRAY(SELECT r.rolname || ': ' || concat_ws(' ', CASE WHEN r.rolsuper THEN 'superuser' END,
                                                      CASE WHEN r.rolbypassrls THEN 'bypassrls' END,
                                                      CASE WHEN r.rolcreaterole THEN 'createrole' END)
                  FROM pg_roles r
                 WHERE r.rolname IN ('anon', 'authenticator', 'costsim_backend', 'costsim_auditor', 'costsim_admin')
                   AND (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole)
                UNION ALL
                SELECT r.rolname || ': acts as the owner of ' || c.oid::regclass::text
                  FROM pg_roles r, pg_class c
                 WHERE r.rolname IN ('anon', 'authenticator', 'costsim_backend', 'costsim_auditor', 'costsim_admin')
                   AND c.relnamespace = 'costsim'::regnamespace AND c.relrowsecurity
                   AND pg_has_role(r.oid, c.relowner, 'USAGE')
                ORDER BY 1),
          ARRAY[]::text[],
          'none of PostgREST''s roles is superuser, BYPASSRLS or CREATEROLE, or may act as the owner of a table with row-level security');

-------------------------------------------------------------------------------------------------------------
-- 5. costsim_auditor reads only.
-------------------------------------------------------------------------------------------------------------
SELECT is(pg_temp.relation_privileges('costsim_auditor', 'INSERT, UPDATE, DELETE, TRUNCATE', 'INSERT, UPDATE',
                                      'USAGE, UPDATE'),
          ARRAY[]::text[],
          'costsim_auditor may not INSERT, UPDATE, DELETE or TRUNCATE any relation of costsim or api (nor advance a sequence)');
-- The VOLATILE functions of api write (sql/src/api.sql: "anything that writes (even an audit row) is VOLATILE").
-- api.sql grants costsim_auditor two of them, which write only the audit row of a read: status_history_export
-- (describes a signed export: the export row and its audit row) and download (the export's bytes: its audit
-- row). The others (simulate, v2_simulate, v2_reset, canary_run, validate_dataset, validate_all_datasets) change
-- data and are not the auditor's.
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'api'::regnamespace AND p.provolatile = 'v'
                   AND has_function_privilege('costsim_auditor', p.oid, 'EXECUTE') ORDER BY 1),
          ARRAY['api.download(uuid,text,bigint,text)',
                'api.status_history_export(text,text,text,text,text,timestamp with time zone,timestamp with time zone)'],
          'of the writing (VOLATILE) functions of api, costsim_auditor may execute only status_history_export and download, which audit a read');
-- The same in costsim, where VOLATILE also marks what reads changing state: costsim_auditor may execute, among
-- them, only the export functions behind those two endpoints (create_export, download_export), readers of shared
-- memory (metric_values, worker_status), the response-header setter of the file endpoints (respond_with_file) and
-- the support functions of the aggregates drift_stats and validation_stats (declared without a volatility).
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'costsim'::regnamespace AND p.provolatile = 'v'
                   AND has_function_privilege('costsim_auditor', p.oid, 'EXECUTE')
                   AND p.proname NOT IN ('create_export', 'download_export', 'metric_values', 'worker_status',
                                         'respond_with_file', 'drift_stats_accumulate', 'drift_stats_report',
                                         'validation_accumulate', 'validation_report')
                 ORDER BY 1),
          ARRAY[]::text[], 'costsim_auditor may execute no function of costsim that changes data');

SELECT * FROM finish();
ROLLBACK;
