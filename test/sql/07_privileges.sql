-- Roles, grants and row-level security (docs/sql.md "Roles", "Provenance"; DESIGN.md "SQL surface").
BEGIN;
-- The breaker (test/sql/14_breaker.sql) watches every comparison, cluster-wide; these tests make drift on
-- purpose, so its automatic rules are off here.
SET LOCAL costsim.cb_auto_trip = off;
SELECT plan(49);

SELECT has_role('costsim_backend', 'role costsim_backend exists');
SELECT has_role('costsim_admin', 'role costsim_admin exists');
SELECT has_role('costsim_auditor', 'role costsim_auditor exists');

-------------------------------------------------------------------------------------------------------------
-- 1. Nothing in schema costsim is granted to PUBLIC (grantee 0). A NULL ACL means the default one, which for
--    functions includes EXECUTE to PUBLIC, so it is expanded with acldefault().
-------------------------------------------------------------------------------------------------------------
SELECT is(
  ARRAY(SELECT p.oid::regprocedure::text
          FROM pg_proc p CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
         WHERE p.pronamespace = 'costsim'::regnamespace AND a.grantee = 0 ORDER BY 1),
  ARRAY[]::text[], 'no function in costsim is executable by PUBLIC');
SELECT is(
  ARRAY(SELECT c.oid::regclass::text || ':' || a.privilege_type
          FROM pg_class c CROSS JOIN LATERAL aclexplode(coalesce(c.relacl,
                 acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
         WHERE c.relnamespace = 'costsim'::regnamespace AND c.relkind IN ('r','p','v','m','S','f') AND a.grantee = 0 ORDER BY 1),
  ARRAY[]::text[], 'no table, view or sequence in costsim grants anything to PUBLIC');
SELECT is(
  ARRAY(SELECT c.oid::regclass::text || '.' || att.attname
          FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
               CROSS JOIN LATERAL aclexplode(att.attacl) a
         WHERE c.relnamespace = 'costsim'::regnamespace AND att.attacl IS NOT NULL AND a.grantee = 0 ORDER BY 1),
  ARRAY[]::text[], 'no column in costsim is granted to PUBLIC');
SELECT is(
  (SELECT count(*) FROM pg_namespace n CROSS JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
    WHERE n.nspname = 'costsim' AND a.grantee = 0),
  0::bigint, 'schema costsim grants nothing to PUBLIC');

CREATE ROLE costsim_test_outsider NOLOGIN;
SET LOCAL ROLE costsim_test_outsider;
SELECT throws_ok($$SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb)$$, '42501', NULL, 'an ungranted role cannot call simulate_v1');
SELECT throws_ok($$SELECT count(*) FROM costsim.metrics$$, '42501', NULL, 'an ungranted role cannot read metrics');
SELECT throws_ok($$SELECT count(*) FROM costsim.provenance$$, '42501', NULL, 'an ungranted role cannot read provenance');
RESET ROLE;

-------------------------------------------------------------------------------------------------------------
-- 2. Function and table privileges per role.
-------------------------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.can_exec(r name) RETURNS TABLE (fn text, ok boolean) LANGUAGE sql AS $$
  SELECT f, has_function_privilege(r, f, 'EXECUTE')
    FROM unnest(ARRAY['costsim.simulate_v1(jsonb,integer,text[],double precision)',
                      'costsim.simulate_v2(jsonb,integer,text[],text)',
                      'costsim.simulate(jsonb,integer,text[],text)',
                      'costsim.simulate_with_comparison(jsonb,integer,text[])',
                      'costsim.compare(jsonb,jsonb)',
                      'costsim.classify_drift(bigint,bigint,boolean,boolean)']) WITH ORDINALITY AS u(f, o)
   ORDER BY o
$$;
SELECT results_eq($$SELECT * FROM pg_temp.can_exec('costsim_backend')$$,
  $$VALUES ('costsim.simulate_v1(jsonb,integer,text[],double precision)', true),
           ('costsim.simulate_v2(jsonb,integer,text[],text)', true),
           ('costsim.simulate(jsonb,integer,text[],text)', true),
           ('costsim.simulate_with_comparison(jsonb,integer,text[])', true),
           ('costsim.compare(jsonb,jsonb)', true),
           ('costsim.classify_drift(bigint,bigint,boolean,boolean)', true)$$,
  'costsim_backend may call every simulation function');
SELECT results_eq($$SELECT * FROM pg_temp.can_exec('costsim_admin')$$,
  $$VALUES ('costsim.simulate_v1(jsonb,integer,text[],double precision)', true),
           ('costsim.simulate_v2(jsonb,integer,text[],text)', true),
           ('costsim.simulate(jsonb,integer,text[],text)', true),
           ('costsim.simulate_with_comparison(jsonb,integer,text[])', true),
           ('costsim.compare(jsonb,jsonb)', true),
           ('costsim.classify_drift(bigint,bigint,boolean,boolean)', true)$$,
  'costsim_admin may do everything the backend does');
SELECT is((SELECT count(*) FROM pg_temp.can_exec('costsim_auditor') WHERE ok AND fn LIKE 'costsim.simulate%'), 0::bigint,
          'costsim_auditor cannot run simulations (it only reads)');

CREATE FUNCTION pg_temp.table_privs(r name, t text) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(p || '=' || CASE WHEN has_table_privilege(r, t, p) THEN 'y' ELSE 'n' END, ' ' ORDER BY o)
    FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) WITH ORDINALITY AS u(p, o)
$$;
SELECT is(pg_temp.table_privs('costsim_backend', 'costsim.provenance'), 'SELECT=y INSERT=n UPDATE=n DELETE=n TRUNCATE=n',
          'costsim_backend: provenance is read-only');
SELECT is(pg_temp.table_privs('costsim_auditor', 'costsim.provenance'), 'SELECT=y INSERT=n UPDATE=n DELETE=n TRUNCATE=n',
          'costsim_auditor: provenance is read-only');
SELECT is(pg_temp.table_privs('costsim_admin', 'costsim.provenance'), 'SELECT=y INSERT=n UPDATE=n DELETE=n TRUNCATE=n',
          'costsim_admin: provenance is read-only too (written only by the extension)');
SELECT is(pg_temp.table_privs('costsim_backend', 'costsim.v2_coefficients'), 'SELECT=y INSERT=n UPDATE=n DELETE=n TRUNCATE=n',
          'costsim_backend: coefficients are read-only');
SELECT is(pg_temp.table_privs('costsim_auditor', 'costsim.v2_coefficients'), 'SELECT=y INSERT=n UPDATE=n DELETE=n TRUNCATE=n',
          'costsim_auditor: coefficients are read-only');
SELECT ok(has_table_privilege('costsim_admin', 'costsim.v2_coefficients', 'SELECT')
          AND has_table_privilege('costsim_admin', 'costsim.v2_coefficients', 'INSERT')
          AND has_table_privilege('costsim_admin', 'costsim.v2_coefficients', 'UPDATE')
          AND has_table_privilege('costsim_admin', 'costsim.v2_coefficients', 'DELETE'),
          'costsim_admin may change coefficients');
SELECT ok(has_table_privilege('costsim_backend', 'costsim.metrics', 'SELECT')
          AND has_table_privilege('costsim_auditor', 'costsim.metrics', 'SELECT')
          AND has_table_privilege('costsim_admin', 'costsim.metrics', 'SELECT'),
          'metrics are readable by backend, auditor and admin');

-------------------------------------------------------------------------------------------------------------
-- 3. Acting as the roles.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
-- rows of two tenants, written as the superuser
SET LOCAL costsim.tenant_id = 'rls-a';
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, 'rls-a-1'),
                         costsim.simulate('[{"skill":"kv_set"}]'::jsonb, 1000, NULL, 'rls-a-2')$$, 'two rows for tenant rls-a');
SET LOCAL costsim.tenant_id = 'rls-b';
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"kv_get"}]'::jsonb, 1000, NULL, 'rls-b-1'),
                         costsim.simulate('[{"skill":"kv_set"}]'::jsonb, 1000, NULL, 'rls-b-2'),
                         costsim.simulate('[{"skill":"fs_read"}]'::jsonb, 1000, NULL, 'rls-b-3')$$, 'three rows for tenant rls-b');
SELECT is((SELECT count(*) FROM costsim.provenance WHERE tenant_id IN ('rls-a', 'rls-b')), 5::bigint,
          'the superuser sees the five rows');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'costsim.provenance'::regclass), 'provenance has row-level security enabled');

SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'rls-a';
SELECT is((SELECT count(*) FROM costsim.provenance WHERE run_id LIKE 'rls-%'), 2::bigint, 'backend as tenant rls-a sees its 2 rows');
SELECT is((SELECT count(*) FROM costsim.provenance WHERE tenant_id <> 'rls-a'), 0::bigint, 'backend as tenant rls-a sees no other tenant''s row');
SELECT is((SELECT count(*) FROM costsim.provenance WHERE tenant_id = 'rls-b'), 0::bigint,
          'a cross-tenant read returns nothing (no error)');
SELECT is(costsim.current_tenant(), 'rls-a', 'current_tenant() = costsim.tenant_id');
SELECT lives_ok($$SELECT costsim.simulate('[{"skill":"json_transform"}]'::jsonb, 1000, NULL, 'rls-a-3')$$,
                'backend may call simulate with the sandbox on (the row is written by the extension)');
SELECT is((SELECT count(*) FROM costsim.provenance WHERE run_id LIKE 'rls-%'), 3::bigint, 'backend now sees its 3 rows');
SELECT lives_ok($$SELECT costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb), costsim.simulate_v2('[{"skill":"kv_get"}]'::jsonb),
                         costsim.simulate_with_comparison('[{"skill":"kv_get"}]'::jsonb),
                         costsim.compare(costsim.simulate_v1('[{"skill":"kv_get"}]'::jsonb), costsim.simulate_v2('[{"skill":"kv_get"}]'::jsonb)),
                         (costsim.classify_drift(1, 2, true, true)).verdict$$,
                'backend may call every simulation function');
SELECT throws_ok($$INSERT INTO costsim.provenance (tenant_id, run_id) VALUES ('rls-a', 'forged')$$, '42501', NULL, 'backend cannot INSERT provenance');
SELECT throws_ok($$UPDATE costsim.provenance SET run_id = 'changed'$$, '42501', NULL, 'backend cannot UPDATE provenance');
SELECT throws_ok($$DELETE FROM costsim.provenance$$, '42501', NULL, 'backend cannot DELETE provenance');
SELECT throws_ok($$TRUNCATE costsim.provenance$$, '42501', NULL, 'backend cannot TRUNCATE provenance');
SELECT throws_ok($$UPDATE costsim.v2_coefficients SET base_cost_cents = 0 WHERE model_version = '2.0.0'$$, '42501', NULL,
                 'backend cannot change coefficients');
SELECT is((SELECT count(*) FROM costsim.v2_coefficients WHERE model_version = '2.0.0'), 11::bigint, 'backend reads the coefficients');
SELECT lives_ok($$SELECT * FROM costsim.metrics$$, 'backend reads metrics');

-- PostgREST-style: the JWT claim decides the tenant
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '{"tenant_id":"rls-b","role":"costsim_backend"}', true); END $$;
SELECT is((SELECT count(*) FROM costsim.provenance WHERE run_id LIKE 'rls-%'), 3::bigint, 'backend with JWT tenant rls-b sees rls-b''s 3 rows');
SELECT is((SELECT count(*) FROM costsim.provenance WHERE tenant_id <> 'rls-b'), 0::bigint, 'and nothing else');
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '', true); END $$;
SET LOCAL costsim.tenant_id = 'rls-nobody';
SELECT is((SELECT count(*) FROM costsim.provenance WHERE run_id LIKE 'rls-%'), 0::bigint, 'a tenant without rows sees none');
RESET ROLE;

SET LOCAL ROLE costsim_auditor;
SET LOCAL costsim.tenant_id = 'rls-a';
SELECT is((SELECT count(*) FROM costsim.provenance WHERE run_id LIKE 'rls-%'), 3::bigint, 'auditor as tenant rls-a sees rls-a''s 3 rows');
SELECT is((SELECT count(*) FROM costsim.provenance WHERE tenant_id <> 'rls-a'), 0::bigint, 'auditor sees no other tenant''s row');
SELECT throws_ok($$DELETE FROM costsim.provenance$$, '42501', NULL, 'auditor cannot DELETE provenance');
SELECT lives_ok($$SELECT * FROM costsim.metrics$$, 'auditor reads metrics');
RESET ROLE;

SET LOCAL ROLE costsim_admin;
SELECT lives_ok($$INSERT INTO costsim.v2_coefficients (model_version, skill, base_cost_cents, base_latency_ms, confidence, risk_type,
                                                       risk_factor, latency_variance_ms, cost_per_1k_input_chars,
                                                       cost_per_1k_output_chars, latency_per_1k_input_chars_ms)
                  VALUES ('admin-test', '*', 1, 1, 0.5, 'unknown', 0.1, 0, 0, 0, 0)$$, 'admin may add a coefficient set');
SELECT lives_ok($$UPDATE costsim.v2_coefficients SET base_cost_cents = 2 WHERE model_version = 'admin-test'$$, 'admin may change coefficients');
RESET ROLE;

-------------------------------------------------------------------------------------------------------------
-- Every object of the extension says what it is (COMMENT ON), its triggers included; identity sequences aside.
-------------------------------------------------------------------------------------------------------------
SELECT is(ARRAY(SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
                  FROM pg_depend d
                 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'costsim')
                   AND NOT (d.classid = 'pg_class'::regclass
                            AND (SELECT relkind FROM pg_class WHERE oid = d.objid) = 'S')
                   AND obj_description(d.objid, (SELECT relname FROM pg_class WHERE oid = d.classid)) IS NULL
                 ORDER BY 1),
          ARRAY[]::text[], 'every object of the extension has a comment');
SELECT is(ARRAY(SELECT t.tgrelid::regclass || '.' || t.tgname FROM pg_trigger t
                 WHERE t.tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'costsim'::regnamespace)
                   AND NOT t.tgisinternal AND obj_description(t.oid, 'pg_trigger') IS NULL ORDER BY 1),
          ARRAY[]::text[], 'every trigger on the extension''s tables has a comment');

SELECT * FROM finish();
ROLLBACK;
