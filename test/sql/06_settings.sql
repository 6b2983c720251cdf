-- The costsim.* settings (docs/sql.md "Settings (GUCs)"): defaults, ranges, the reserved prefix, and who may
-- set what.
BEGIN;
-- The breaker (test/sql/14_breaker.sql) watches every comparison, cluster-wide; its automatic rules are off
-- here, so that these tests see the sandbox path whatever ran before them.
SET LOCAL costsim.cb_auto_trip = off;
SELECT plan(37);

-------------------------------------------------------------------------------------------------------------
-- 1. Defaults.
-------------------------------------------------------------------------------------------------------------
SELECT is(current_setting('costsim.v2_sandbox'), 'off', 'v2_sandbox defaults to off');
SELECT is(current_setting('costsim.v2_sample_rate'), '1', 'v2_sample_rate defaults to 1.0');
SELECT is(current_setting('costsim.v2_model_version'), '2.0.0', 'v2_model_version defaults to 2.0.0');
SELECT is(current_setting('costsim.drift_threshold'), '0.2', 'drift_threshold defaults to 0.20');
SELECT is(current_setting('costsim.drift_warning_threshold'), '0.15', 'drift_warning_threshold defaults to 0.15');
SELECT is(current_setting('costsim.max_plan_steps'), '1000', 'max_plan_steps defaults to 1000');
SELECT is(current_setting('costsim.max_plan_bytes'), '1MB', 'max_plan_bytes defaults to 1MB');
SELECT is(current_setting('costsim.tenant_id'), '', 'tenant_id defaults to the empty string');

SELECT results_eq(
  $$SELECT name::text, context::text, vartype::text FROM pg_settings
     WHERE name IN ('costsim.v2_sandbox','costsim.v2_sample_rate','costsim.v2_model_version','costsim.drift_threshold',
                    'costsim.drift_warning_threshold','costsim.max_plan_steps','costsim.max_plan_bytes','costsim.tenant_id')
     ORDER BY name COLLATE "C"$$,
  $$VALUES ('costsim.drift_threshold', 'user', 'real'),
           ('costsim.drift_warning_threshold', 'user', 'real'),
           ('costsim.max_plan_bytes', 'superuser', 'integer'),
           ('costsim.max_plan_steps', 'superuser', 'integer'),
           ('costsim.tenant_id', 'user', 'string'),
           ('costsim.v2_model_version', 'user', 'string'),
           ('costsim.v2_sample_rate', 'user', 'real'),
           ('costsim.v2_sandbox', 'user', 'bool')$$,
  'the eight settings exist with the documented context (anyone / superuser) and type');
SELECT is((SELECT min_val || '..' || max_val FROM pg_settings WHERE name = 'costsim.v2_sample_rate'), '0..1',
          'v2_sample_rate ranges over 0..1');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'costsim.v2_sandbox'), 'off', 'v2_sandbox boot value off');

-------------------------------------------------------------------------------------------------------------
-- 2. Ranges and values are enforced.
-------------------------------------------------------------------------------------------------------------
SELECT throws_ok($$SET LOCAL costsim.v2_sample_rate = 2$$, '22023', NULL, 'v2_sample_rate 2 is refused');
SELECT throws_ok($$SET LOCAL costsim.v2_sample_rate = -0.1$$, '22023', NULL, 'v2_sample_rate -0.1 is refused');
SELECT throws_ok($$SET LOCAL costsim.v2_sample_rate = 'often'$$, '22023', NULL, 'v2_sample_rate must be a number');
SELECT throws_ok($$SET LOCAL costsim.v2_sandbox = 'maybe'$$, '22023', NULL, 'v2_sandbox must be a boolean');
SELECT throws_ok($$SET LOCAL costsim.max_plan_steps = 'many'$$, '22023', NULL, 'max_plan_steps must be an integer');
SELECT throws_ok($$SET LOCAL costsim.max_plan_bytes = '1 parsec'$$, '22023', NULL, 'max_plan_bytes must be a size');
SELECT lives_ok($$SET LOCAL costsim.v2_sample_rate = 0$$, 'v2_sample_rate 0 is accepted');
SELECT lives_ok($$SET LOCAL costsim.v2_sample_rate = 1$$, 'v2_sample_rate 1 is accepted');
SET LOCAL costsim.v2_sample_rate = 0.25;
SELECT is(current_setting('costsim.v2_sample_rate'), '0.25', 'v2_sample_rate 0.25 is kept');
SET LOCAL costsim.max_plan_bytes = '2MB';
SELECT is(current_setting('costsim.max_plan_bytes'), '2MB', 'max_plan_bytes takes memory units');
SET LOCAL costsim.v2_sandbox = on;
SELECT is(current_setting('costsim.v2_sandbox'), 'on', 'v2_sandbox can be turned on');

-------------------------------------------------------------------------------------------------------------
-- 3. The costsim. prefix is reserved: a misspelt setting is an error, not a silent placeholder.
-------------------------------------------------------------------------------------------------------------
SELECT throws_ok($$SET LOCAL costsim.no_such_setting = 1$$, '42602', NULL, 'SET costsim.no_such_setting fails');
SELECT throws_ok($$SELECT set_config('costsim.v2_sandbx', 'on', true)$$, '42602', NULL, 'set_config of a misspelt costsim.* setting fails');
SELECT throws_ok($$SELECT current_setting('costsim.v2_sandbx')$$, '42704', NULL, 'reading a misspelt costsim.* setting fails');
SELECT is((SELECT count(*) FROM pg_settings WHERE name = 'costsim.no_such_setting'), 0::bigint, 'no placeholder was created');

-------------------------------------------------------------------------------------------------------------
-- 4. Superuser-only settings are refused to other roles; the rest are anyone's.
-------------------------------------------------------------------------------------------------------------
CREATE ROLE costsim_test_settings_user NOLOGIN;
SET LOCAL ROLE costsim_test_settings_user;
SELECT throws_ok($$SET LOCAL costsim.max_plan_steps = 3$$, '42501', 'permission denied to set parameter "costsim.max_plan_steps"',
                 'max_plan_steps: refused to a non-superuser');
SELECT throws_ok($$SET LOCAL costsim.max_plan_bytes = '10MB'$$, '42501', 'permission denied to set parameter "costsim.max_plan_bytes"',
                 'max_plan_bytes: refused to a non-superuser');
SELECT throws_ok($$SELECT set_config('costsim.max_plan_steps', '5000', true)$$, '42501', NULL,
                 'max_plan_steps via set_config: refused to a non-superuser');
SELECT lives_ok($$SET LOCAL costsim.v2_sandbox = off$$, 'v2_sandbox: anyone');
SELECT lives_ok($$SET LOCAL costsim.v2_sample_rate = 0.5$$, 'v2_sample_rate: anyone');
SELECT lives_ok($$SET LOCAL costsim.v2_model_version = 'candidate'$$, 'v2_model_version: anyone');
SELECT lives_ok($$SET LOCAL costsim.drift_threshold = 0.3$$, 'drift_threshold: anyone');
SELECT lives_ok($$SET LOCAL costsim.drift_warning_threshold = 0.1$$, 'drift_warning_threshold: anyone');
SELECT lives_ok($$SET LOCAL costsim.tenant_id = 'acme'$$, 'tenant_id: anyone');
SELECT is(current_setting('costsim.max_plan_steps'), '1000', 'the refused SET changed nothing');
RESET ROLE;
SELECT lives_ok($$SET LOCAL costsim.max_plan_steps = 3$$, 'a superuser may set max_plan_steps');

SELECT * FROM finish();
ROLLBACK;
