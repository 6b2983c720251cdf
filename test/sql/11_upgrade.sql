-- The upgrade path: 0.1 then ALTER EXTENSION UPDATE must give exactly what a fresh install of the current
-- version gives (member objects, their privileges), and keep the data of 0.1's tables.
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE fresh_objects AS
    SELECT pg_describe_object(classid, objid, objsubid) AS object
      FROM pg_depend
     WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
       AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'costsim');
CREATE TEMP TABLE fresh_privileges AS
    SELECT p.oid::regprocedure::text AS object, coalesce(p.proacl::text, '') AS acl
      FROM pg_proc p WHERE p.pronamespace IN ('costsim'::regnamespace, 'api'::regnamespace)
    UNION ALL
    SELECT c.oid::regclass::text, coalesce(c.relacl::text, '') FROM pg_class c WHERE c.relnamespace IN ('costsim'::regnamespace, 'api'::regnamespace)
    UNION ALL
    SELECT t.oid::regtype::text, coalesce(t.typacl::text, '') FROM pg_type t
     WHERE t.typnamespace IN ('costsim'::regnamespace, 'api'::regnamespace) AND t.typtype IN ('e', 'c', 'd') AND t.typrelid = 0;
CREATE TEMP TABLE fresh_version AS SELECT extversion FROM pg_extension WHERE extname = 'costsim';
-- Table shapes: columns (order, type, nullability, default) and constraints.
CREATE FUNCTION pg_temp.table_shapes() RETURNS TABLE (object text, shape text) LANGUAGE sql AS $$
    SELECT c.oid::regclass::text || '.' || a.attname,
           a.attnum || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
           || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE c.relnamespace IN ('costsim'::regnamespace, 'api'::regnamespace) AND c.relkind IN ('r', 'v')
    UNION ALL
    SELECT k.conrelid::regclass::text || ' constraint ' || k.conname, pg_get_constraintdef(k.oid)
      FROM pg_constraint k WHERE k.connamespace IN ('costsim'::regnamespace, 'api'::regnamespace)
$$;
CREATE TEMP TABLE fresh_shapes AS SELECT * FROM pg_temp.table_shapes();
-- pg_dump: the sequences of the dumped tables that are not dumped themselves (a restore would restart them).
CREATE FUNCTION pg_temp.undumped_sequences() RETURNS SETOF text LANGUAGE sql AS $$
    SELECT s.oid::regclass::text
      FROM pg_extension e
      JOIN pg_depend d ON d.refobjid = ANY (e.extconfig) AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
      JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
     WHERE e.extname = 'costsim' AND NOT s.oid = ANY (e.extconfig)
$$;
SELECT is_empty($$SELECT * FROM pg_temp.undumped_sequences()$$,
                'a fresh install registers the sequence of every table pg_dump saves');
CREATE TEMP TABLE fresh_datasets AS SELECT dataset_id, version, content_sha256, sample_count FROM costsim.dataset_versions;

DROP EXTENSION costsim CASCADE;
CREATE EXTENSION costsim VERSION '0.1';
-- a 0.1 user's data
INSERT INTO costsim.v2_coefficients (model_version, skill, base_cost_cents, base_latency_ms, confidence, risk_type,
                                     risk_factor)
VALUES ('9.0.0', '*', 1, 1, 0.5, 'unknown', 0.1);
ALTER EXTENSION costsim UPDATE;

SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'costsim'), (SELECT extversion FROM fresh_version),
          'ALTER EXTENSION UPDATE reaches the current version');
SELECT set_eq(
    $$SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
       WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
         AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'costsim')$$,
    $$SELECT object FROM fresh_objects$$,
    'the upgraded extension has exactly the objects of a fresh install');
SELECT set_eq(
    $$SELECT p.oid::regprocedure::text, coalesce(p.proacl::text, '') FROM pg_proc p
       WHERE p.pronamespace IN ('costsim'::regnamespace, 'api'::regnamespace)
      UNION ALL
      SELECT c.oid::regclass::text, coalesce(c.relacl::text, '') FROM pg_class c
       WHERE c.relnamespace IN ('costsim'::regnamespace, 'api'::regnamespace)
      UNION ALL
      SELECT t.oid::regtype::text, coalesce(t.typacl::text, '') FROM pg_type t
       WHERE t.typnamespace IN ('costsim'::regnamespace, 'api'::regnamespace) AND t.typtype IN ('e', 'c', 'd') AND t.typrelid = 0$$,
    $$SELECT object, acl FROM fresh_privileges$$,
    'the upgraded objects have exactly the privileges of a fresh install');
SELECT is((SELECT count(*) FROM costsim.v2_coefficients WHERE model_version = '9.0.0'), 1::bigint,
          'the upgrade keeps the coefficient sets users added');
SELECT is((costsim.divergence_report()).sample_count, 0::bigint, 'the new functions work after the upgrade');
SELECT is(length(secret), 48, 'the upgrade makes a 48-byte export signing key') FROM costsim.export_signing_key;
SELECT is((costsim.log_status_change('job', 'upgraded', 'done')).seq, 1::bigint,
          'the upgraded extension appends to a status_history chain');
SELECT set_eq($$SELECT * FROM pg_temp.table_shapes()$$, $$SELECT * FROM fresh_shapes$$,
              'the upgraded tables have exactly the columns and constraints of a fresh install');

-- The 0.2 -> 0.3 step alone, from a 0.2 install.
DROP EXTENSION costsim CASCADE;
CREATE EXTENSION costsim VERSION '0.2';
ALTER EXTENSION costsim UPDATE;
SELECT set_eq(
    $$SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
       WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
         AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'costsim')$$,
    $$SELECT object FROM fresh_objects$$,
    'a 0.2 install updated to the current version has exactly the objects of a fresh install');

-- The 0.3 -> 0.4 step alone, from a 0.3 install with a breaker incident and a diff artifact.
DROP EXTENSION costsim CASCADE;
CREATE EXTENSION costsim VERSION '0.3';
SELECT costsim.disable_v2('before the upgrade', 'upgrade test') \g /dev/null
INSERT INTO costsim.diff_artifacts (provenance_id, tenant_id, verdict, drift_score, diff_gzip)
VALUES (1, 'upgrade', 'mismatch', 0.5, '\x00');
ALTER EXTENSION costsim UPDATE;
SELECT set_eq(
    $$SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
       WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
         AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'costsim')$$,
    $$SELECT object FROM fresh_objects$$,
    'a 0.3 install updated to the current version has exactly the objects of a fresh install');
SELECT set_eq($$SELECT * FROM pg_temp.table_shapes()$$, $$SELECT * FROM fresh_shapes$$,
              'a 0.3 install updated has exactly the columns and constraints of a fresh install');
SELECT set_eq($$SELECT dataset_id, version, content_sha256, sample_count FROM costsim.dataset_versions$$,
              $$SELECT * FROM fresh_datasets$$, 'the 0.3 -> 0.4 upgrade loads the shipped datasets');
SELECT is((SELECT state::text || ' ' || reason FROM costsim.circuit_breakers WHERE name = 'costsim_v2'),
          'open before the upgrade', 'the upgrade keeps the breaker''s state');
SELECT is((SELECT provenance_id FROM costsim.diff_artifacts WHERE tenant_id = 'upgrade'), 1::bigint,
          'the upgrade keeps the diff artifacts');
SELECT is_empty($$SELECT * FROM pg_temp.undumped_sequences()$$,
                'the 0.3 -> 0.4 upgrade registers the sequences of the tables pg_dump saves');

SELECT * FROM finish();
ROLLBACK;
