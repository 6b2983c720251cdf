-- The upgrade path: 0.1 then ALTER EXTENSION UPDATE must give exactly what a fresh install of the current
-- version gives (member objects, their privileges), and keep the data of 0.1's tables.
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE fresh_objects AS
    SELECT pg_describe_object(classid, objid, objsubid) AS object
      FROM pg_depend
     WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
       AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'costsim');
CREATE TEMP TABLE fresh_privileges AS
    SELECT p.oid::regprocedure::text AS object, coalesce(p.proacl::text, '') AS acl
      FROM pg_proc p WHERE p.pronamespace = 'costsim'::regnamespace
    UNION ALL
    SELECT c.oid::regclass::text, coalesce(c.relacl::text, '') FROM pg_class c WHERE c.relnamespace = 'costsim'::regnamespace
    UNION ALL
    SELECT t.oid::regtype::text, coalesce(t.typacl::text, '') FROM pg_type t
     WHERE t.typnamespace = 'costsim'::regnamespace AND t.typtype IN ('e', 'c') AND t.typrelid = 0;
CREATE TEMP TABLE fresh_version AS SELECT extversion FROM pg_extension WHERE extname = 'costsim';

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
       WHERE p.pronamespace = 'costsim'::regnamespace
      UNION ALL
      SELECT c.oid::regclass::text, coalesce(c.relacl::text, '') FROM pg_class c
       WHERE c.relnamespace = 'costsim'::regnamespace
      UNION ALL
      SELECT t.oid::regtype::text, coalesce(t.typacl::text, '') FROM pg_type t
       WHERE t.typnamespace = 'costsim'::regnamespace AND t.typtype IN ('e', 'c') AND t.typrelid = 0$$,
    $$SELECT object, acl FROM fresh_privileges$$,
    'the upgraded objects have exactly the privileges of a fresh install');
SELECT is((SELECT count(*) FROM costsim.v2_coefficients WHERE model_version = '9.0.0'), 1::bigint,
          'the upgrade keeps the coefficient sets users added');
SELECT is((costsim.divergence_report()).sample_count, 0::bigint, 'the new functions work after the upgrade');
SELECT is(length(secret), 48, 'the upgrade makes a 48-byte export signing key') FROM costsim.export_signing_key;
SELECT is((costsim.log_status_change('job', 'upgraded', 'done')).seq, 1::bigint,
          'the upgraded extension appends to a status_history chain');

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

SELECT * FROM finish();
ROLLBACK;
