-- The V2 circuit breaker (spec section 7; docs/sql.md "The V2 circuit breaker: costsim.circuit_breakers (0.3)"):
-- its state and costsim.v2_status(), manual disable and enable (incident, alert, status_history row, idempotency,
-- input rules), what the sandbox path does while the breaker is not closed, the automatic trips (P1 drift over a
-- window, P3 V2 errors per hour, P1 consecutive failed canaries; costsim.cb_auto_trip), the half-open trial (TTL
-- doubled, capped at 7 days), costsim.incidents() and the privileges. NOTIFY costsim_breaker is delivered only at
-- commit: the integration test observes it; here only its presence in the transition functions is checked.
-- Every expected value comes from the spec and the docs, never from running the code.
-- Everything happens in this one transaction, rolled back at the end. The breaker's windows live in shared
-- memory and are NOT rolled back (earlier files left drift scores and V2 errors there): the windows count only
-- what came after the breaker's last change (changed_at), so each automatic-trip section first refreshes it
-- with pg_temp.refresh() (a manual disable then enable).
BEGIN;
SELECT plan(304);

-------------------------------------------------------------------------------------------------------------
-- Helpers (called as the superuser only).
-------------------------------------------------------------------------------------------------------------
-- Two plans with known drift (spec §2-§4):
--   odd:  one step of an unknown skill. V1: 10 cents, feasible (risk 0.20 <= 0.5). V2 (model 2.0.0, "any other
--         skill"): 5 cents, feasible (risk 0.15). cost_delta_pct = |5 - 10| / 10 = 0.5; feasibility matches;
--         drift_score = 0.6 * 0.5 = 0.3 > costsim.drift_threshold (0.20).
--   flat: one kv_get. V1 0 cents, V2 0 cents, both feasible: drift_score 0.
CREATE FUNCTION pg_temp.odd() RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT '[{"skill":"br14_odd_tool"}]'::jsonb $$;
CREATE FUNCTION pg_temp.flat() RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT '[{"skill":"kv_get"}]'::jsonb $$;

-- Named values kept across statements.
CREATE TEMP TABLE marks (k text PRIMARY KEY, n bigint, ts timestamptz);
CREATE FUNCTION pg_temp.put(key text, val bigint, at timestamptz DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
  INSERT INTO marks VALUES (key, val, at) ON CONFLICT (k) DO UPDATE SET n = EXCLUDED.n, ts = EXCLUDED.ts
$$;
CREATE FUNCTION pg_temp.n(key text) RETURNS bigint LANGUAGE sql AS $$ SELECT n FROM marks WHERE k = key $$;
CREATE FUNCTION pg_temp.ts(key text) RETURNS timestamptz LANGUAGE sql AS $$ SELECT ts FROM marks WHERE k = key $$;

CREATE FUNCTION pg_temp.br() RETURNS costsim.circuit_breakers LANGUAGE sql AS $$
  SELECT * FROM costsim.circuit_breakers WHERE name = 'costsim_v2'
$$;
CREATE FUNCTION pg_temp.inc(i bigint) RETURNS costsim.incidents LANGUAGE sql AS $$
  SELECT * FROM costsim.incidents WHERE id = i
$$;
CREATE FUNCTION pg_temp.max_incident() RETURNS bigint LANGUAGE sql AS $$
  SELECT coalesce(max(id), 0) FROM costsim.incidents
$$;
-- The breaker's audit rows: tenant '_system', entity circuit_breaker / costsim_v2 (read as that tenant).
CREATE FUNCTION pg_temp.hist_count() RETURNS bigint LANGUAGE sql SET costsim.tenant_id = '_system' AS $$
  SELECT count(*) FROM costsim.status_history
   WHERE tenant_id = '_system' AND entity_type = 'circuit_breaker' AND entity_id = 'costsim_v2'
$$;
CREATE FUNCTION pg_temp.last_hist() RETURNS costsim.status_history LANGUAGE sql SET costsim.tenant_id = '_system' AS $$
  SELECT * FROM costsim.status_history
   WHERE tenant_id = '_system' AND entity_type = 'circuit_breaker' AND entity_id = 'costsim_v2'
   ORDER BY seq DESC LIMIT 1
$$;
-- old -> new, actor type, for compact comparisons
CREATE FUNCTION pg_temp.last_move() RETURNS text LANGUAGE sql AS $$
  SELECT h.old_status || ' -> ' || h.new_status FROM pg_temp.last_hist() h
$$;
-- Everything a transition writes, to show that a no-op writes nothing.
CREATE FUNCTION pg_temp.counts() RETURNS text LANGUAGE sql AS $$
  SELECT format('incidents=%s alerts=%s history=%s', (SELECT count(*) FROM costsim.incidents),
                (SELECT count(*) FROM costsim.alerts), pg_temp.hist_count())
$$;
CREATE FUNCTION pg_temp.alerts_of(i bigint, alertname text) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM costsim.alerts WHERE incident_id = i AND payload -> 'labels' ->> 'alertname' = alertname
$$;
CREATE FUNCTION pg_temp.alert_of(i bigint, alertname text) RETURNS costsim.alerts LANGUAGE sql AS $$
  SELECT * FROM costsim.alerts WHERE incident_id = i AND payload -> 'labels' ->> 'alertname' = alertname
   ORDER BY id DESC LIMIT 1
$$;
-- The documented labels of an alert, instance aside (checked on its own: it is the server's cluster_name).
CREATE FUNCTION pg_temp.expected_labels(alertname text, severity text, i bigint) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('alertname', alertname, 'severity', severity, 'component', 'costsim',
                            'circuit_breaker', 'costsim_v2', 'incident_id', i::text)
$$;
CREATE FUNCTION pg_temp.labels(a costsim.alerts) RETURNS jsonb LANGUAGE sql AS $$
  SELECT (a.payload -> 'labels') - 'instance'
$$;
CREATE FUNCTION pg_temp.instance_ok(a costsim.alerts) RETURNS boolean LANGUAGE sql AS $$
  SELECT jsonb_typeof(a.payload -> 'labels' -> 'instance') = 'string'
     AND a.payload -> 'labels' ->> 'instance' <> ''
     AND (current_setting('cluster_name') = '' OR a.payload -> 'labels' ->> 'instance' = current_setting('cluster_name'))
$$;
CREATE FUNCTION pg_temp.annotations_ok(a costsim.alerts) RETURNS boolean LANGUAGE sql AS $$
  SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(a.payload -> 'annotations') k)
           = ARRAY['description', 'runbook_url', 'summary']
     AND (SELECT bool_and(jsonb_typeof(v) = 'string' AND v #>> '{}' <> '') FROM jsonb_each(a.payload -> 'annotations') e(k, v))
$$;
-- Shadow rows written by this file's calls (the superuser reads every tenant's rows).
CREATE FUNCTION pg_temp.prov(prefix text) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM costsim.provenance WHERE run_id LIKE prefix || '%'
$$;
-- n calls of the production path, one statement each (as clients make them), run ids prefix1..prefixN.
CREATE FUNCTION pg_temp.run(p jsonb, n int, prefix text, first int DEFAULT 1) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN first .. first + n - 1 LOOP
    PERFORM costsim.simulate(p, 1000, NULL, prefix || i);
  END LOOP;
END
$$;
-- A fresh changed_at: the windows start empty after it. Ends closed.
CREATE FUNCTION pg_temp.refresh() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM costsim.disable_v2('br14: fresh window', 'br14-test');
  RETURN costsim.enable_v2('br14: fresh window', 'br14-test') -> 'breaker' ->> 'state';
END
$$;
CREATE FUNCTION pg_temp.samples() RETURNS integer LANGUAGE sql AS $$ SELECT samples FROM costsim.breaker_window() $$;
CREATE FUNCTION pg_temp.p95() RETURNS double precision LANGUAGE sql AS $$ SELECT p95 FROM costsim.breaker_window() $$;
CREATE FUNCTION pg_temp.errors() RETURNS integer LANGUAGE sql AS $$
  SELECT v2_errors_last_hour FROM costsim.breaker_window()
$$;
-- Scans of costsim.circuit_breakers in this transaction.
CREATE FUNCTION pg_temp.breaker_reads() RETURNS bigint LANGUAGE sql AS $$
  SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables
   WHERE relid = 'costsim.circuit_breakers'::regclass
$$;

-------------------------------------------------------------------------------------------------------------
-- 1. The initial state: one breaker, costsim_v2, closed; v2_status() and its documented shape.
-------------------------------------------------------------------------------------------------------------
SELECT is(current_setting('costsim.cb_auto_trip'), 'on', 'costsim.cb_auto_trip: on by default (the window rules apply)');
SELECT is((SELECT array_agg(name) FROM costsim.circuit_breakers), ARRAY['costsim_v2'], 'one breaker: costsim_v2');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, 'the breaker starts closed');
SELECT ok((pg_temp.br()).trip IS NULL AND (pg_temp.br()).incident_id IS NULL AND (pg_temp.br()).disabled_until IS NULL,
          'closed: no trip, no incident, no disabled_until');
SELECT is((SELECT count(*) FROM costsim.incidents WHERE resolved_at IS NULL), 0::bigint,
          'a closed breaker has no unresolved incident');
SELECT is(ARRAY(SELECT jsonb_object_keys(costsim.v2_status()) ORDER BY 1),
          ARRAY['breaker','extension_version','thresholds','v1_model_version','v2_enabled','v2_model_version',
                'v2_sample_rate','v2_sandbox','windows'],
          'v2_status(): the documented keys');
SELECT is(ARRAY(SELECT jsonb_object_keys(costsim.v2_status() -> 'breaker') ORDER BY 1),
          ARRAY['changed_at','changed_by','consecutive_failures','disabled_until','incident_id','name','reason','state',
                'trip','ttl_seconds'],
          'v2_status().breaker: the documented keys');
SELECT is(ARRAY(SELECT jsonb_object_keys(costsim.v2_status() -> 'windows') ORDER BY 1),
          ARRAY['p95','samples','v2_errors_last_hour'], 'v2_status().windows: the documented keys');
SELECT is(costsim.v2_status() -> 'thresholds',
          '{"drift_threshold": 0.2, "drift_warning_threshold": 0.15, "cb_window_size": 100, "cb_min_samples": 20,
            "cb_failure_threshold": 3, "schema_error_threshold": 5, "disable_ttl_seconds": 86400}'::jsonb,
          'v2_status().thresholds: the GUC defaults (drift 0.2, warning 0.15, window 100, min 20, canaries 3, errors 5, TTL 24 h)');
SELECT is(costsim.v2_status() -> 'breaker' ->> 'name', 'costsim_v2', 'v2_status().breaker.name');
SELECT is(costsim.v2_status() -> 'breaker' ->> 'state', 'closed', 'v2_status().breaker.state = closed');
SELECT is((costsim.v2_status() -> 'breaker' ->> 'ttl_seconds')::bigint, 86400::bigint, 'v2_status().breaker.ttl_seconds = 86400');
SELECT is((costsim.v2_status() -> 'breaker' ->> 'consecutive_failures')::int, 0, 'no consecutive failed canary');
SELECT is(costsim.v2_status() ->> 'v1_model_version', '1.0.0', 'v1_model_version 1.0.0');
SELECT is(costsim.v2_status() ->> 'v2_model_version', '2.0.0', 'v2_model_version = costsim.v2_model_version (2.0.0)');
SELECT is(costsim.v2_status() ->> 'extension_version', (SELECT extversion FROM pg_extension WHERE extname = 'costsim'),
          'extension_version = the installed version');
SELECT is(costsim.v2_status() -> 'windows', (SELECT to_jsonb(w) FROM costsim.breaker_window() w), 'v2_status().windows = breaker_window()');
-- v2_enabled = the flag AND closed
SELECT is(costsim.v2_status() -> 'v2_enabled', 'false'::jsonb, 'flag off (default): v2_enabled false');
SELECT is(costsim.v2_status() -> 'v2_sandbox', 'false'::jsonb, 'v2_sandbox false');
SET LOCAL costsim.v2_sandbox = on;
SELECT is(costsim.v2_status() -> 'v2_enabled', 'true'::jsonb, 'flag on and closed: v2_enabled true');
SET LOCAL costsim.v2_sample_rate = 0.25;
SELECT is((costsim.v2_status() ->> 'v2_sample_rate')::float8, 0.25::float8, 'v2_sample_rate follows the setting');
SET LOCAL costsim.v2_sample_rate = 1;
SET LOCAL costsim.cb_min_samples = 7;
SELECT is((costsim.v2_status() -> 'thresholds' ->> 'cb_min_samples')::int, 7, 'thresholds follow the settings');
SET LOCAL costsim.cb_min_samples = 20;
SET LOCAL costsim.v2_sandbox = off;

-- NOTIFY costsim_breaker is only delivered at commit (an integration test observes it); here: the transitions send it.
SELECT ok(pg_get_functiondef('costsim.open_breaker(costsim.breaker_trip,text,text,jsonb,timestamptz,text)'::regprocedure)
          LIKE '%pg_notify(''costsim_breaker''%', 'open_breaker sends NOTIFY costsim_breaker');
SELECT ok(pg_get_functiondef('costsim.close_breaker(text,text,text,text)'::regprocedure)
          LIKE '%pg_notify(''costsim_breaker''%', 'close_breaker sends NOTIFY costsim_breaker');
SELECT ok(pg_get_functiondef('costsim.breaker_tick(text)'::regprocedure)
          LIKE '%pg_notify(''costsim_breaker''%', 'breaker_tick sends NOTIFY costsim_breaker');

-------------------------------------------------------------------------------------------------------------
-- 2. disable_v2: opens with trip manual (P2); incident, alert, status_history row; idempotent; input rules.
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.put('hist0', pg_temp.hist_count());
SELECT pg_temp.put('alerts0', (SELECT count(*) FROM costsim.alerts));
SELECT pg_temp.put('inc0', pg_temp.max_incident());
CREATE TEMP TABLE ret AS SELECT costsim.disable_v2('br14 maintenance', 'alice') AS status;
SELECT pg_temp.put('i1', (pg_temp.br()).incident_id);

SELECT is((pg_temp.br()).state, 'open'::costsim.breaker_state, 'disable_v2 opens the breaker');
SELECT is((pg_temp.br()).trip, 'manual'::costsim.breaker_trip, 'trip manual');
SELECT is((pg_temp.br()).reason, 'br14 maintenance', 'the breaker keeps the reason');
SELECT is((pg_temp.br()).changed_by, 'alice', 'changed_by = disabled_by');
SELECT is((pg_temp.br()).disabled_until, NULL, 'no disabled_until given: NULL (until enable_v2)');
SELECT is((SELECT status -> 'breaker' FROM ret), costsim.v2_status() -> 'breaker', 'disable_v2 returns v2_status()');
SELECT is((SELECT status -> 'breaker' ->> 'state' FROM ret), 'open', 'the returned status says open');
SELECT is((SELECT count(*) FROM costsim.incidents WHERE id > pg_temp.n('inc0')), 1::bigint, 'one incident opened');
SELECT ok(pg_temp.n('i1') > pg_temp.n('inc0'), 'the breaker points at the new incident');
SELECT is((pg_temp.inc(pg_temp.n('i1'))).breaker, 'costsim_v2', 'incident: breaker costsim_v2');
SELECT is((pg_temp.inc(pg_temp.n('i1'))).trip, 'manual'::costsim.breaker_trip, 'incident: trip manual');
SELECT is((pg_temp.inc(pg_temp.n('i1'))).severity, 'p2', 'incident: a manual disable is P2');
SELECT is((pg_temp.inc(pg_temp.n('i1'))).reason, 'br14 maintenance', 'incident: the reason');
SELECT is((pg_temp.inc(pg_temp.n('i1'))).opened_by, 'alice', 'incident: opened_by = disabled_by');
SELECT is((pg_temp.inc(pg_temp.n('i1'))).disabled_until, NULL, 'incident: disabled_until NULL');
SELECT ok((pg_temp.inc(pg_temp.n('i1'))).resolved_at IS NULL, 'incident: unresolved');
SELECT is(costsim.v2_status() -> 'breaker' ->> 'incident_id', pg_temp.n('i1')::text, 'v2_status() shows the incident');
SELECT is(costsim.v2_status() -> 'breaker' -> 'disabled_until', 'null'::jsonb, 'v2_status() shows disabled_until null');
-- the alert
SELECT is((SELECT count(*) FROM costsim.alerts), pg_temp.n('alerts0') + 1, 'one alert queued');
SELECT is(pg_temp.alerts_of(pg_temp.n('i1'), 'CostSimV2Disabled'), 1::bigint, 'a CostSimV2Disabled alert for the incident');
SELECT is(pg_temp.labels(pg_temp.alert_of(pg_temp.n('i1'), 'CostSimV2Disabled')),
          pg_temp.expected_labels('CostSimV2Disabled', 'p2', pg_temp.n('i1')),
          'alert labels: alertname, severity p2, component costsim, circuit_breaker costsim_v2, incident_id (and nothing else but instance)');
SELECT ok(pg_temp.instance_ok(pg_temp.alert_of(pg_temp.n('i1'), 'CostSimV2Disabled')), 'alert label instance: the cluster_name');
SELECT ok(pg_temp.annotations_ok(pg_temp.alert_of(pg_temp.n('i1'), 'CostSimV2Disabled')),
          'alert annotations: exactly summary, description, runbook_url (non-empty)');
SELECT ok(((pg_temp.alert_of(pg_temp.n('i1'), 'CostSimV2Disabled')).payload ->> 'startsAt')::timestamptz
            BETWEEN now() - interval '1 second' AND clock_timestamp(), 'alert startsAt: a timestamp of now');
SELECT is((pg_temp.alert_of(pg_temp.n('i1'), 'CostSimV2Disabled')).status, 'queued', 'alert status queued');
SELECT is((pg_temp.alert_of(pg_temp.n('i1'), 'CostSimV2Disabled')).attempts, 0, 'alert: no attempt yet');
-- the audit row
SELECT is(pg_temp.hist_count(), pg_temp.n('hist0') + 1, 'one status_history row in tenant _system');
SELECT is(pg_temp.last_move(), 'closed -> open', 'status_history: closed -> open');
SELECT is((pg_temp.last_hist()).actor_type, 'user', 'status_history: actor_type user');
SELECT is((pg_temp.last_hist()).actor_id, 'alice', 'status_history: actor_id = disabled_by');
SELECT is((pg_temp.last_hist()).reason, 'br14 maintenance', 'status_history: the reason');
SELECT is((pg_temp.last_hist()).metadata ->> 'trip', 'manual', 'status_history metadata: the trip');
SELECT is(((pg_temp.last_hist()).metadata ->> 'incident_id')::bigint, pg_temp.n('i1'), 'status_history metadata: the incident');

-- Same reason again: nothing changes.
CREATE TEMP TABLE snap AS SELECT pg_temp.counts() AS c, pg_temp.br() AS b;
SELECT is(costsim.disable_v2('br14 maintenance', 'alice') -> 'breaker' ->> 'state', 'open', 'disabling again (same reason): still open');
SELECT is(pg_temp.counts(), (SELECT c FROM snap), 'same reason: no second incident, alert or status_history row');
SELECT is((pg_temp.br()).incident_id, pg_temp.n('i1'), 'same reason: the same incident');
SELECT is((pg_temp.br()).changed_at, (SELECT (b).changed_at FROM snap), 'same reason: the breaker row is unchanged');
SELECT is(costsim.disable_v2('br14 maintenance', 'someone else') -> 'breaker' ->> 'incident_id', pg_temp.n('i1')::text,
          'same reason by another actor: still the same incident');
SELECT is(pg_temp.counts(), (SELECT c FROM snap), 'and still no new rows');

-- Another reason: a new incident, the previous one resolved as superseded; disabled_until as given.
SELECT pg_temp.put('until', NULL, now() + interval '2 hours');
SELECT is(costsim.disable_v2('br14 other reason', 'bob', pg_temp.ts('until')) -> 'breaker' ->> 'state', 'open',
          'another reason: open');
SELECT pg_temp.put('i2', (pg_temp.br()).incident_id);
SELECT isnt(pg_temp.n('i2'), pg_temp.n('i1'), 'another reason: a new incident');
SELECT ok((pg_temp.inc(pg_temp.n('i1'))).resolved_at IS NOT NULL, 'the previous incident is resolved');
SELECT ok((pg_temp.inc(pg_temp.n('i1'))).resolution LIKE 'superseded%', 'resolved as superseded');
SELECT is((pg_temp.inc(pg_temp.n('i2'))).reason, 'br14 other reason', 'the new incident has the new reason');
SELECT is((pg_temp.inc(pg_temp.n('i2'))).severity, 'p2', 'the new incident is P2');
SELECT is((pg_temp.br()).disabled_until, pg_temp.ts('until'), 'disabled_until = the given value');
SELECT is((pg_temp.inc(pg_temp.n('i2'))).disabled_until, pg_temp.ts('until'), 'the incident records disabled_until');
SELECT is((costsim.v2_status() -> 'breaker' ->> 'disabled_until')::timestamptz, pg_temp.ts('until'),
          'v2_status() shows disabled_until');
SELECT is(pg_temp.alerts_of(pg_temp.n('i2'), 'CostSimV2Disabled'), 1::bigint, 'an alert for the new incident');
-- the same reason and end again: nothing
DELETE FROM snap;
INSERT INTO snap SELECT pg_temp.counts(), pg_temp.br();
SELECT is(costsim.disable_v2('br14 other reason', 'bob', pg_temp.ts('until')) -> 'breaker' ->> 'incident_id',
          pg_temp.n('i2')::text, 'same reason and end again: the same incident');
SELECT is(pg_temp.counts(), (SELECT c FROM snap), 'same reason and end again: no new rows');

-- Input rules: 22023.
SELECT throws_ok($$SELECT costsim.disable_v2('', 'alice')$$, '22023', NULL, 'disable_v2: empty reason is 22023');
SELECT throws_ok($$SELECT costsim.disable_v2(NULL, 'alice')$$, '22023', NULL, 'disable_v2: NULL reason is 22023');
SELECT throws_ok($$SELECT costsim.disable_v2('r', '')$$, '22023', NULL, 'disable_v2: empty disabled_by is 22023');
SELECT throws_ok($$SELECT costsim.disable_v2('r', NULL)$$, '22023', NULL, 'disable_v2: NULL disabled_by is 22023');
SELECT throws_ok($$SELECT costsim.disable_v2('r', 'alice', now() - interval '1 minute')$$, '22023', NULL,
                 'disable_v2: disabled_until in the past is 22023');
SELECT throws_ok($$SELECT costsim.enable_v2('', 'alice')$$, '22023', NULL, 'enable_v2: empty reason is 22023');
SELECT throws_ok($$SELECT costsim.enable_v2('r', '')$$, '22023', NULL, 'enable_v2: empty enabled_by is 22023');
SELECT is(pg_temp.counts(), (SELECT c FROM snap), 'refused calls leave nothing behind');
SELECT is((pg_temp.br()).incident_id, pg_temp.n('i2'), 'and the breaker is as it was');

-------------------------------------------------------------------------------------------------------------
-- 3. While open: simulate answers V1 and does not shadow V2; simulate_with_comparison is 55000; simulate_v2 runs.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
SELECT is(costsim.v2_status() -> 'v2_enabled', 'false'::jsonb, 'open: v2_enabled false even with the flag on');
SELECT is(costsim.simulate(pg_temp.odd(), 1000, NULL, 'br14-open-1'), costsim.simulate_v1(pg_temp.odd()),
          'open: simulate returns V1''s answer');
SELECT is(costsim.simulate(pg_temp.flat(), 1000, NULL, 'br14-open-2'), costsim.simulate_v1(pg_temp.flat()),
          'open: simulate returns V1''s answer (another plan)');
SELECT is(pg_temp.prov('br14-open-'), 0::bigint, 'open: no provenance row (V2 not shadowed)');
SELECT throws_ok($$SELECT costsim.simulate_with_comparison('[{"skill":"kv_get"}]'::jsonb)$$, '55000', NULL,
                 'open: simulate_with_comparison is 55000 (flag on)');
SELECT is(costsim.simulate_v2(pg_temp.odd()) ->> 'model_version', '2.0.0', 'open: simulate_v2, an explicit call, still runs');
SELECT is((costsim.simulate_v2(pg_temp.odd()) ->> 'estimated_cost_cents')::int, 5, 'open: simulate_v2 gives V2''s cost (5 cents)');

-------------------------------------------------------------------------------------------------------------
-- 4. enable_v2: closes, resolves the incident, queues CostSimV2Reenabled, writes status_history; no-op when closed.
-------------------------------------------------------------------------------------------------------------
SELECT pg_temp.put('hist1', pg_temp.hist_count());
SELECT is(costsim.enable_v2('br14 fixed', 'carol') -> 'breaker' ->> 'state', 'closed', 'enable_v2 closes (and returns v2_status())');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, 'the breaker row is closed');
SELECT ok((pg_temp.br()).trip IS NULL AND (pg_temp.br()).incident_id IS NULL AND (pg_temp.br()).disabled_until IS NULL,
          'closed again: no trip, incident or disabled_until');
SELECT ok((pg_temp.inc(pg_temp.n('i2'))).resolved_at IS NOT NULL, 'the incident is resolved');
SELECT is((pg_temp.inc(pg_temp.n('i2'))).resolved_by, 'carol', 'resolved_by = enabled_by');
SELECT is((pg_temp.inc(pg_temp.n('i2'))).resolution, 'br14 fixed', 'resolution = the reason');
SELECT is(pg_temp.alerts_of(pg_temp.n('i2'), 'CostSimV2Reenabled'), 1::bigint, 'a CostSimV2Reenabled alert is queued');
SELECT is(pg_temp.labels(pg_temp.alert_of(pg_temp.n('i2'), 'CostSimV2Reenabled')),
          pg_temp.expected_labels('CostSimV2Reenabled', 'p2', pg_temp.n('i2')),
          'CostSimV2Reenabled labels: the incident''s severity and id');
SELECT ok(pg_temp.annotations_ok(pg_temp.alert_of(pg_temp.n('i2'), 'CostSimV2Reenabled')),
          'CostSimV2Reenabled annotations: summary, description, runbook_url');
SELECT is(pg_temp.hist_count(), pg_temp.n('hist1') + 1, 'one status_history row');
SELECT is(pg_temp.last_move(), 'open -> closed', 'status_history: open -> closed');
SELECT is((pg_temp.last_hist()).actor_type || ':' || (pg_temp.last_hist()).actor_id, 'user:carol',
          'status_history: the user who enabled');
SELECT is(costsim.v2_status() -> 'v2_enabled', 'true'::jsonb, 'closed with the flag on: v2_enabled true');
-- no-op when closed
DELETE FROM snap;
INSERT INTO snap SELECT pg_temp.counts(), pg_temp.br();
SELECT is(costsim.enable_v2('br14 again', 'carol') -> 'breaker' ->> 'state', 'closed', 'enable_v2 when closed: closed');
SELECT is(pg_temp.counts(), (SELECT c FROM snap), 'enable_v2 when closed: no new rows');
SELECT is((pg_temp.br()).changed_at, (SELECT (b).changed_at FROM snap), 'enable_v2 when closed: the row is unchanged');
-- closed again: V2 is shadowed again
SELECT is(costsim.simulate(pg_temp.flat(), 1000, NULL, 'br14-closed-1'), costsim.simulate_v1(pg_temp.flat()),
          'closed: simulate still answers V1');
SELECT is(pg_temp.prov('br14-closed-'), 1::bigint, 'closed: V2 shadowed again (one provenance row)');
SELECT lives_ok($$SELECT costsim.simulate_with_comparison('[{"skill":"kv_get"}]'::jsonb)$$,
                'closed: simulate_with_comparison runs (the 55000 above was the breaker''s)');

-------------------------------------------------------------------------------------------------------------
-- 5. incidents(): newest first, unresolved only unless include_resolved, limit 1..1000.
-------------------------------------------------------------------------------------------------------------
SELECT is(costsim.disable_v2('br14 listing', 'dora') -> 'breaker' ->> 'state', 'open', 'opened for the listing');
SELECT pg_temp.put('i3', (pg_temp.br()).incident_id);
SELECT is(ARRAY(SELECT id FROM costsim.incidents()), ARRAY[pg_temp.n('i3')],
          'incidents(): only the unresolved one (the breaker''s)');
SELECT is(ARRAY(SELECT id FROM costsim.incidents(false, 1000)), ARRAY[pg_temp.n('i3')], 'incidents(false, 1000): the same');
SELECT is((SELECT count(*) FROM costsim.incidents(true, 1000)), (SELECT count(*) FROM costsim.incidents),
          'incidents(true): resolved ones too');
SELECT ok(ARRAY(SELECT id FROM costsim.incidents(true, 1000) WHERE id >= pg_temp.n('i1'))
            = ARRAY[pg_temp.n('i3'), pg_temp.n('i2'), pg_temp.n('i1')],
          'incidents(true): newest first');
SELECT ok((SELECT bool_and(resolved_at IS NOT NULL) FROM costsim.incidents(true, 1000) WHERE id <> pg_temp.n('i3')),
          'every other incident is resolved');
SELECT is(ARRAY(SELECT id FROM costsim.incidents(true, 1)), ARRAY[pg_temp.n('i3')], 'limit 1: one row, the newest');
SELECT throws_ok($$SELECT * FROM costsim.incidents(true, 0)$$, '22023', NULL, 'limit 0 is 22023');
SELECT throws_ok($$SELECT * FROM costsim.incidents(true, 1001)$$, '22023', NULL, 'limit 1001 is 22023');
SELECT throws_ok($$SELECT * FROM costsim.incidents(true, NULL)$$, '22023', NULL, 'limit NULL is 22023');
SELECT is(costsim.enable_v2('br14 listing done', 'dora') -> 'breaker' ->> 'state', 'closed', 'closed after the listing');
SELECT is((SELECT count(*) FROM costsim.incidents()), 0::bigint, 'closed: incidents() lists nothing');

-------------------------------------------------------------------------------------------------------------
-- 6. The sandbox path reads no table: the cached state (one read per backend after each change).
-------------------------------------------------------------------------------------------------------------
SELECT is(pg_temp.refresh(), 'closed', 'fresh changed_at');
SELECT pg_temp.run(pg_temp.flat(), 1, 'br14-cache-');
SELECT pg_temp.put('reads', pg_temp.breaker_reads());
SELECT pg_temp.run(pg_temp.flat(), 24, 'br14-cache-', 2);
SELECT is(pg_temp.breaker_reads(), pg_temp.n('reads'), '24 shadowed calls read costsim.circuit_breakers 0 times');
SELECT is(pg_temp.prov('br14-cache-'), 25::bigint, 'and each was shadowed (25 rows)');

-------------------------------------------------------------------------------------------------------------
-- 7. Automatic trip P1 drift: p95 of the last cb_window_size drift scores, once cb_min_samples are there,
--    above costsim.drift_threshold.
-------------------------------------------------------------------------------------------------------------
-- The preconditions, from the spec's tables (independent of the breaker).
SELECT is((costsim.compare(costsim.simulate_v1(pg_temp.odd()), costsim.simulate_v2(pg_temp.odd())) ->> 'drift_score')::float8,
          0.3::float8, 'precondition: the odd plan drifts 0.3 (> 0.20)');
SELECT is((costsim.compare(costsim.simulate_v1(pg_temp.flat()), costsim.simulate_v2(pg_temp.flat())) ->> 'drift_score')::float8,
          0::float8, 'precondition: the flat plan drifts 0');

-- 7a. The 25 flat calls of section 6 are in the window: no drift, no trip.
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, 'drift 0 after 25 comparisons: still closed');
SELECT is(pg_temp.samples(), 25, 'the window holds the 25 comparisons since the last change');
SELECT is(pg_temp.p95(), 0::float8, 'their p95 is 0');
SET LOCAL costsim.cb_window_size = 10;
SELECT is(pg_temp.samples(), 10, 'the window holds at most cb_window_size scores (10)');
SET LOCAL costsim.cb_window_size = 100;

-- 7b. Linear interpolation at the threshold. 19 scores of 0 and one of 0.3: h = (20 - 1) * 0.95 = 18.05 between
--     the sorted 0 (index 18) and 0.3 (index 19): p95 = 0.05 * 0.3 = 0.015, no trip. One more 0.3: h = 20 * 0.95 = 19,
--     p95 = the sorted value at index 19 = 0.3 > 0.2: open.
SELECT is(pg_temp.refresh(), 'closed', 'fresh changed_at');
SELECT is(pg_temp.samples(), 0, 'a change empties the window');
SELECT pg_temp.run(pg_temp.flat(), 19, 'br14-interp-');
SELECT pg_temp.run(pg_temp.odd(), 1, 'br14-interp-', 20);
SELECT is(pg_temp.samples(), 20, '20 scores');
SELECT ok(abs(pg_temp.p95() - 0.015) < 1e-9, 'p95 of nineteen 0 and one 0.3 is 0.015 (linear interpolation)');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, 'p95 0.015 <= 0.2: closed');
SELECT pg_temp.run(pg_temp.odd(), 1, 'br14-interp-', 21);
SELECT is((pg_temp.br()).state, 'open'::costsim.breaker_state, 'a second 0.3 makes p95 0.3: open');
SELECT is((pg_temp.br()).trip, 'drift'::costsim.breaker_trip, 'trip drift');

-- 7c. 25 calls of the odd plan (drift 0.3 each): the 20th comparison (cb_min_samples) opens the breaker.
SELECT is(costsim.enable_v2('br14: drift test', 'br14-test') -> 'breaker' ->> 'state', 'closed', 'closed, fresh changed_at');
SELECT is(pg_temp.samples(), 0, 'the window is empty');
SELECT pg_temp.put('inc_c', pg_temp.max_incident());
SELECT pg_temp.put('hist_c', pg_temp.hist_count());
SELECT pg_temp.run(pg_temp.odd(), 19, 'br14-drift-');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, '19 comparisons (< cb_min_samples): closed');
SELECT is(pg_temp.samples(), 19, '19 scores in the window');
SELECT is(pg_temp.p95(), NULL, 'no p95 before cb_min_samples');
SELECT pg_temp.run(pg_temp.odd(), 1, 'br14-drift-', 20);
SELECT is((pg_temp.br()).state, 'open'::costsim.breaker_state, 'the 20th comparison opens the breaker');
SELECT is((pg_temp.br()).trip, 'drift'::costsim.breaker_trip, 'trip drift');
SELECT is((SELECT count(*) FROM costsim.incidents WHERE id > pg_temp.n('inc_c')), 1::bigint, 'one incident');
SELECT pg_temp.put('i_drift', (pg_temp.br()).incident_id);
SELECT is((pg_temp.inc(pg_temp.n('i_drift'))).trip, 'drift'::costsim.breaker_trip, 'incident trip drift');
SELECT is((pg_temp.inc(pg_temp.n('i_drift'))).severity, 'p1', 'drift is P1');
SELECT ok((pg_temp.inc(pg_temp.n('i_drift'))).reason ILIKE '%p95%', 'the reason mentions the p95');
SELECT is((pg_temp.br()).ttl_seconds, 86400::bigint, 'TTL = costsim.disable_ttl (24 h)');
SELECT is((pg_temp.br()).disabled_until, now() + interval '86400 seconds', 'disabled_until = now + 24 h');
SELECT is(pg_temp.labels(pg_temp.alert_of(pg_temp.n('i_drift'), 'CostSimV2Disabled')),
          pg_temp.expected_labels('CostSimV2Disabled', 'p1', pg_temp.n('i_drift')), 'a CostSimV2Disabled alert, P1');
SELECT is(pg_temp.hist_count(), pg_temp.n('hist_c') + 1, 'one status_history row');
SELECT is(pg_temp.last_move(), 'closed -> open', 'status_history: closed -> open');
SELECT is((pg_temp.last_hist()).metadata ->> 'trip', 'drift', 'status_history metadata: trip drift');
SELECT is(pg_temp.prov('br14-drift-'), 20::bigint, '20 shadowed calls');
SELECT pg_temp.run(pg_temp.odd(), 5, 'br14-drift-', 21);
SELECT is(pg_temp.prov('br14-drift-'), 20::bigint, 'the 5 calls after the trip write no provenance row');
SELECT is(costsim.simulate(pg_temp.odd(), 1000, NULL, 'br14-drift-26'), costsim.simulate_v1(pg_temp.odd()),
          'and simulate still answers V1');
SELECT is((SELECT count(*) FROM costsim.incidents WHERE id > pg_temp.n('inc_c')), 1::bigint, 'still one incident');
SELECT is(pg_temp.samples(), 0, 'the window counts only what came after the change: empty');

-- 7d. The same in one statement (a batch): the calls after the trip must not shadow V2 either.
SELECT is(costsim.enable_v2('br14: batch test', 'br14-test') -> 'breaker' ->> 'state', 'closed', 'closed, fresh changed_at');
SELECT pg_temp.put('inc_d', pg_temp.max_incident());
SELECT is((SELECT count(*) FROM generate_series(1, 25) g, LATERAL costsim.simulate(pg_temp.odd(), 1000, NULL, 'br14-batch-' || g) s
            WHERE s = costsim.simulate_v1(pg_temp.odd())),
          25::bigint, 'one statement, 25 calls: every answer is V1''s');
SELECT is((pg_temp.br()).state, 'open'::costsim.breaker_state, 'the batch opened the breaker');
SELECT is((SELECT count(*) FROM costsim.incidents WHERE id > pg_temp.n('inc_d')), 1::bigint, 'one incident for the batch');
SELECT is(pg_temp.prov('br14-batch-'), 20::bigint,
          'one statement: 20 shadowed calls, none after the trip (the breaker is open for the rest of the statement too)');

-- 7e. Drift 0 does not trip, whatever the number of calls.
SELECT is(costsim.enable_v2('br14: flat test', 'br14-test') -> 'breaker' ->> 'state', 'closed', 'closed, fresh changed_at');
SELECT pg_temp.run(pg_temp.flat(), 25, 'br14-flat-');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, '25 comparisons with drift 0: closed');
SELECT is(pg_temp.prov('br14-flat-'), 25::bigint, 'all 25 shadowed');

-- 7f. costsim.cb_auto_trip = off turns the two window rules off, and nothing is recorded.
SELECT is(pg_temp.refresh(), 'closed', 'fresh changed_at');
SET LOCAL costsim.cb_auto_trip = off;
SELECT pg_temp.run(pg_temp.odd(), 25, 'br14-noauto-');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, 'cb_auto_trip off: 25 comparisons drifting 0.3 leave it closed');
SELECT is(pg_temp.samples(), 0, 'cb_auto_trip off: no drift score recorded');
SELECT is(pg_temp.prov('br14-noauto-'), 25::bigint, 'cb_auto_trip off: V2 is still shadowed (25 rows)');
SET LOCAL costsim.v2_model_version = '9.9.9';
SELECT pg_temp.run(pg_temp.flat(), 6, 'br14-noauto-err-');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, 'cb_auto_trip off: 6 V2 errors leave it closed');
SELECT is(pg_temp.errors(), 0, 'cb_auto_trip off: no V2 error recorded');
SET LOCAL costsim.v2_model_version = '2.0.0';
SET LOCAL costsim.cb_auto_trip = on;

-------------------------------------------------------------------------------------------------------------
-- 8. Automatic trip P3: costsim.schema_error_threshold (5) V2 errors within an hour.
-------------------------------------------------------------------------------------------------------------
SELECT is(pg_temp.refresh(), 'closed', 'fresh changed_at');
SET LOCAL costsim.v2_model_version = '9.9.9';  -- no such coefficient set: every shadow call is a V2 error
SELECT pg_temp.put('inc_e', pg_temp.max_incident());
SELECT is(costsim.simulate(pg_temp.flat(), 1000, NULL, 'br14-err-1'), costsim.simulate_v1(pg_temp.flat()),
          'a V2 error does not change the answer (V1''s)');
SELECT pg_temp.run(pg_temp.flat(), 3, 'br14-err-', 2);
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, '4 V2 errors: closed');
SELECT is(pg_temp.errors(), 4, 'the window counts 4 V2 errors in the last hour');
SELECT is((SELECT count(*) FROM costsim.provenance WHERE run_id LIKE 'br14-err-%' AND status = 'error'), 4::bigint,
          '4 provenance rows with status error');
SELECT pg_temp.run(pg_temp.flat(), 1, 'br14-err-', 5);
SELECT is((pg_temp.br()).state, 'open'::costsim.breaker_state, 'the 5th V2 error opens the breaker');
SELECT is((pg_temp.br()).trip, 'v2_errors'::costsim.breaker_trip, 'trip v2_errors');
SELECT is((SELECT count(*) FROM costsim.incidents WHERE id > pg_temp.n('inc_e')), 1::bigint, 'one incident');
SELECT pg_temp.put('i_err', (pg_temp.br()).incident_id);
SELECT is((pg_temp.inc(pg_temp.n('i_err'))).severity, 'p3', 'V2 errors are P3');
SELECT is(pg_temp.labels(pg_temp.alert_of(pg_temp.n('i_err'), 'CostSimV2Disabled')),
          pg_temp.expected_labels('CostSimV2Disabled', 'p3', pg_temp.n('i_err')), 'a CostSimV2Disabled alert, P3');
SELECT is(pg_temp.last_move(), 'closed -> open', 'status_history: closed -> open');
SELECT is((pg_temp.br()).disabled_until, now() + interval '86400 seconds', 'disabled_until = now + 24 h');
SELECT pg_temp.run(pg_temp.flat(), 3, 'br14-err-', 6);
SELECT is(pg_temp.prov('br14-err-'), 5::bigint, 'after the trip: no shadow call, no provenance row');
SET LOCAL costsim.v2_model_version = '2.0.0';
SET LOCAL costsim.v2_sandbox = off;

-------------------------------------------------------------------------------------------------------------
-- 9. breaker_tick: open -> half_open once disabled_until has passed; the golden canary decides; enable_v2 too.
-------------------------------------------------------------------------------------------------------------
-- closed: nothing to do
SELECT is(costsim.enable_v2('br14: tick test', 'br14-test') -> 'breaker' ->> 'state', 'closed', 'closed');
DELETE FROM snap;
INSERT INTO snap SELECT pg_temp.counts(), pg_temp.br();
SELECT is(costsim.breaker_tick(), 'closed'::costsim.breaker_state, 'tick while closed: closed');
-- a manual disable without an end lasts until enable_v2
SELECT is(costsim.disable_v2('br14 no end', 'erin') -> 'breaker' ->> 'state', 'open', 'disabled without an end');
SELECT is(costsim.breaker_tick(), 'open'::costsim.breaker_state, 'tick: no disabled_until, stays open');
-- a future end: stays open
SELECT pg_temp.put('until2', NULL, now() + interval '1 hour');
SELECT is(costsim.disable_v2('br14 tick', 'erin', pg_temp.ts('until2')) -> 'breaker' ->> 'state', 'open',
          'disabled for an hour');
SELECT pg_temp.put('i_tick', (pg_temp.br()).incident_id);
SELECT pg_temp.put('hist_t', pg_temp.hist_count());
SELECT is(costsim.breaker_tick(), 'open'::costsim.breaker_state, 'tick before disabled_until: open');
SELECT is(pg_temp.hist_count(), pg_temp.n('hist_t'), 'tick before disabled_until: no status_history row');
-- the end has passed (set by hand, as the superuser: now() does not move inside this transaction)
UPDATE costsim.circuit_breakers SET disabled_until = now() - interval '1 second' WHERE name = 'costsim_v2';
SELECT is(costsim.breaker_tick(), 'half_open'::costsim.breaker_state, 'tick after disabled_until: half_open');
SELECT is((pg_temp.br()).state, 'half_open'::costsim.breaker_state, 'the row says half_open');
SELECT is(costsim.v2_status() -> 'breaker' ->> 'state', 'half_open', 'v2_status() says half_open');
SELECT is(pg_temp.hist_count(), pg_temp.n('hist_t') + 1, 'one status_history row');
SELECT is(pg_temp.last_move(), 'open -> half_open', 'status_history: open -> half_open');
SELECT is(costsim.breaker_tick(), 'half_open'::costsim.breaker_state, 'tick again: still half_open');
SELECT is(pg_temp.hist_count(), pg_temp.n('hist_t') + 1, 'and no second row');
-- half_open is not closed: no shadow
SET LOCAL costsim.v2_sandbox = on;
SELECT is(costsim.v2_status() -> 'v2_enabled', 'false'::jsonb, 'half_open: v2_enabled false');
SELECT is(costsim.simulate(pg_temp.flat(), 1000, NULL, 'br14-half-1'), costsim.simulate_v1(pg_temp.flat()),
          'half_open: simulate answers V1');
SELECT is(pg_temp.prov('br14-half-'), 0::bigint, 'half_open: V2 not shadowed');
SELECT throws_ok($$SELECT costsim.simulate_with_comparison('[{"skill":"kv_get"}]'::jsonb)$$, '55000', NULL,
                 'half_open: simulate_with_comparison is 55000');
SET LOCAL costsim.v2_sandbox = off;
-- the golden canary passes: closed, the incident resolved by the system
SELECT is(costsim.breaker_canary_result(true, 'golden'), 'closed'::costsim.breaker_state, 'half_open + canary pass: closed');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, 'the row says closed');
SELECT ok((pg_temp.inc(pg_temp.n('i_tick'))).resolved_at IS NOT NULL, 'the incident is resolved');
SELECT is((pg_temp.inc(pg_temp.n('i_tick'))).resolved_by, 'system', 'resolved by system');
SELECT is(pg_temp.last_move(), 'half_open -> closed', 'status_history: half_open -> closed');
SELECT is(pg_temp.alerts_of(pg_temp.n('i_tick'), 'CostSimV2Reenabled'), 1::bigint, 'a CostSimV2Reenabled alert');
-- half_open closes by enable_v2 as well
SELECT is(costsim.disable_v2('br14 tick 2', 'erin', now() + interval '1 hour') -> 'breaker' ->> 'state', 'open', 'open again');
SELECT pg_temp.put('i_tick2', (pg_temp.br()).incident_id);
UPDATE costsim.circuit_breakers SET disabled_until = now() - interval '1 second' WHERE name = 'costsim_v2';
SELECT is(costsim.breaker_tick(), 'half_open'::costsim.breaker_state, 'half_open');
SELECT is(costsim.enable_v2('br14 by hand', 'frank') -> 'breaker' ->> 'state', 'closed', 'half_open + enable_v2: closed');
SELECT is(pg_temp.last_move(), 'half_open -> closed', 'status_history: half_open -> closed');
SELECT is((pg_temp.inc(pg_temp.n('i_tick2'))).resolved_by, 'frank', 'the incident resolved by the user');

-------------------------------------------------------------------------------------------------------------
-- 10. Canaries: cb_failure_threshold (3) consecutive failures open the breaker (P1); a failed half-open trial
--     reopens it with the TTL doubled, at most 7 days.
-------------------------------------------------------------------------------------------------------------
-- Canaries open the breaker whatever costsim.cb_auto_trip says (it governs the window rules only).
SET LOCAL costsim.cb_auto_trip = off;
SELECT is((pg_temp.br()).consecutive_failures, 0, 'closed: no consecutive failure');
SELECT is(costsim.breaker_canary_result(false, 'c1'), 'closed'::costsim.breaker_state, '1 failed canary: closed');
SELECT is(costsim.breaker_canary_result(false, 'c2'), 'closed'::costsim.breaker_state, '2 failed canaries: closed');
SELECT is((pg_temp.br()).consecutive_failures, 2, 'consecutive_failures 2');
SELECT is((costsim.v2_status() -> 'breaker' ->> 'consecutive_failures')::int, 2, 'v2_status() shows 2');
SELECT is(costsim.breaker_canary_result(true, 'c3'), 'closed'::costsim.breaker_state, 'a passing canary: closed');
SELECT is((pg_temp.br()).consecutive_failures, 0, 'a pass resets the count to 0');
SELECT pg_temp.put('inc_f', pg_temp.max_incident());
SELECT pg_temp.put('hist_f', pg_temp.hist_count());
SELECT is(costsim.breaker_canary_result(false, 'c4'), 'closed'::costsim.breaker_state, 'failure 1 after the pass: closed');
SELECT is(costsim.breaker_canary_result(false, 'c5'), 'closed'::costsim.breaker_state, 'failure 2: closed');
SELECT is(pg_temp.hist_count(), pg_temp.n('hist_f'), 'counting failures is no transition (no status_history row)');
SELECT is(costsim.breaker_canary_result(false, 'c6'), 'open'::costsim.breaker_state, 'failure 3: open');
SELECT is((pg_temp.br()).trip, 'canary_failures'::costsim.breaker_trip, 'trip canary_failures');
SELECT is((SELECT count(*) FROM costsim.incidents WHERE id > pg_temp.n('inc_f')), 1::bigint, 'one incident');
SELECT pg_temp.put('i_can', (pg_temp.br()).incident_id);
SELECT is((pg_temp.inc(pg_temp.n('i_can'))).severity, 'p1', 'canary failures are P1');
SELECT is(pg_temp.labels(pg_temp.alert_of(pg_temp.n('i_can'), 'CostSimV2Disabled')),
          pg_temp.expected_labels('CostSimV2Disabled', 'p1', pg_temp.n('i_can')), 'a CostSimV2Disabled alert, P1');
SELECT is(pg_temp.last_move(), 'closed -> open', 'status_history: closed -> open');
SELECT is((pg_temp.br()).ttl_seconds, 86400::bigint, 'TTL 24 h');
SELECT is((pg_temp.br()).disabled_until, now() + interval '86400 seconds', 'disabled_until = now + 24 h');
-- while open, canaries decide nothing
DELETE FROM snap;
INSERT INTO snap SELECT pg_temp.counts(), pg_temp.br();
SELECT is(costsim.breaker_canary_result(true, 'c7'), 'open'::costsim.breaker_state, 'open + canary pass: still open');
SELECT is(costsim.breaker_canary_result(false, 'c8'), 'open'::costsim.breaker_state, 'open + canary failure: still open');
SELECT is(pg_temp.counts(), (SELECT c FROM snap), 'open: canaries write nothing');
-- half_open + failed golden canary: open again, TTL doubled, a new P1 incident
UPDATE costsim.circuit_breakers SET disabled_until = now() - interval '1 second' WHERE name = 'costsim_v2';
SELECT is(costsim.breaker_tick(), 'half_open'::costsim.breaker_state, 'half_open');
SELECT is(costsim.breaker_canary_result(false, 'golden'), 'open'::costsim.breaker_state, 'half_open + canary failure: open');
SELECT is((pg_temp.br()).ttl_seconds, 172800::bigint, 'the TTL doubled: 86400 -> 172800');
SELECT is((pg_temp.br()).disabled_until, now() + interval '172800 seconds', 'disabled_until = now + 48 h');
SELECT pg_temp.put('i_can2', (pg_temp.br()).incident_id);
SELECT isnt(pg_temp.n('i_can2'), pg_temp.n('i_can'), 'a new incident');
SELECT is((pg_temp.inc(pg_temp.n('i_can2'))).trip, 'canary_failures'::costsim.breaker_trip, 'trip canary_failures');
SELECT is((pg_temp.inc(pg_temp.n('i_can2'))).severity, 'p1', 'P1');
SELECT is(pg_temp.last_move(), 'half_open -> open', 'status_history: half_open -> open');
SELECT is(pg_temp.alerts_of(pg_temp.n('i_can2'), 'CostSimV2Disabled'), 1::bigint, 'a CostSimV2Disabled alert');
-- doubled again, then capped at 7 days
UPDATE costsim.circuit_breakers SET disabled_until = now() - interval '1 second' WHERE name = 'costsim_v2';
SELECT is(costsim.breaker_tick(), 'half_open'::costsim.breaker_state, 'half_open again');
SELECT is(costsim.breaker_canary_result(false, 'golden'), 'open'::costsim.breaker_state, 'failed again: open');
SELECT is((pg_temp.br()).ttl_seconds, 345600::bigint, 'the TTL doubled again: 172800 -> 345600');
UPDATE costsim.circuit_breakers SET ttl_seconds = 5 * 86400, disabled_until = now() - interval '1 second'
 WHERE name = 'costsim_v2';
SELECT is(costsim.breaker_tick(), 'half_open'::costsim.breaker_state, 'half_open with a TTL of 5 days');
SELECT is(costsim.breaker_canary_result(false, 'golden'), 'open'::costsim.breaker_state, 'failed: open');
SELECT is((pg_temp.br()).ttl_seconds, 604800::bigint, '5 days doubled is capped at 7 days (604800)');
SELECT is((pg_temp.br()).disabled_until, now() + interval '7 days', 'disabled_until = now + 7 days');
UPDATE costsim.circuit_breakers SET disabled_until = now() - interval '1 second' WHERE name = 'costsim_v2';
SELECT is(costsim.breaker_tick(), 'half_open'::costsim.breaker_state, 'half_open with a TTL of 7 days');
SELECT is(costsim.breaker_canary_result(false, 'golden'), 'open'::costsim.breaker_state, 'failed: open');
SELECT is((pg_temp.br()).ttl_seconds, 604800::bigint, '7 days stays 7 days');
-- closed again: every incident of the breaker is resolved ("resolved when the breaker closes again")
SELECT is(costsim.enable_v2('br14 canaries done', 'gina') -> 'breaker' ->> 'state', 'closed', 'closed by hand');
SELECT is(ARRAY(SELECT id FROM costsim.incidents(false, 1000)), ARRAY[]::bigint[],
          'closed after failed half-open trials: no incident left unresolved');
SELECT is((pg_temp.br()).state, 'closed'::costsim.breaker_state, 'the breaker row is closed');
SELECT is(costsim.breaker_canary_result(false, 'c9'), 'closed'::costsim.breaker_state, 'closed: a failure counts from 0 again');
SELECT is((pg_temp.br()).consecutive_failures, 1, 'consecutive_failures 1 after closing');

-------------------------------------------------------------------------------------------------------------
-- 11. Privileges: v2_status for all; disable/enable for admins; incidents for admins and auditors; the
--     transitions for nobody but the owner; the tables written by nobody.
-------------------------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.table_privs(r name, t text) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(p || '=' || CASE WHEN has_table_privilege(r, t, p) THEN 'y' ELSE 'n' END, ' ' ORDER BY o)
    FROM unnest(ARRAY['INSERT','UPDATE','DELETE','TRUNCATE']) WITH ORDINALITY AS u(p, o)
$$;
SELECT is((SELECT string_agg(r || ':' || t || ':' || pg_temp.table_privs(r, t), ' | ' ORDER BY r, t)
             FROM unnest(ARRAY['costsim_backend','costsim_admin','costsim_auditor']) r,
                  unnest(ARRAY['costsim.alerts','costsim.circuit_breakers','costsim.incidents']) t
            WHERE pg_temp.table_privs(r, t) <> 'INSERT=n UPDATE=n DELETE=n TRUNCATE=n'),
          NULL, 'no role may INSERT, UPDATE, DELETE or TRUNCATE circuit_breakers, incidents or alerts');
SELECT is((SELECT string_agg(r || ':' || f, ' | ' ORDER BY r, f)
             FROM unnest(ARRAY['costsim_backend','costsim_admin','costsim_auditor']) r,
                  unnest(ARRAY['costsim.open_breaker(costsim.breaker_trip,text,text,jsonb,timestamptz,text)',
                               'costsim.close_breaker(text,text,text,text)', 'costsim.breaker_tick(text)',
                               'costsim.breaker_canary_result(boolean,text,jsonb,text)']) f
            WHERE has_function_privilege(r, f, 'EXECUTE')),
          NULL, 'no role may execute open_breaker, close_breaker, breaker_tick, breaker_canary_result');

SET LOCAL ROLE costsim_backend;
SELECT is(costsim.v2_status() -> 'breaker' ->> 'state', 'closed', 'backend reads v2_status()');
SELECT throws_ok($$SELECT costsim.disable_v2('r', 'x')$$, '42501', NULL, 'backend cannot disable_v2');
SELECT throws_ok($$SELECT costsim.enable_v2('r', 'x')$$, '42501', NULL, 'backend cannot enable_v2');
SELECT throws_ok($$SELECT * FROM costsim.incidents()$$, '42501', NULL, 'backend cannot read incidents()');
SELECT throws_ok($$SELECT costsim.open_breaker('manual', 'r', 'x')$$, '42501', NULL, 'backend cannot open_breaker');
SELECT throws_ok($$SELECT costsim.close_breaker('r', 'x')$$, '42501', NULL, 'backend cannot close_breaker');
SELECT throws_ok($$SELECT costsim.breaker_tick()$$, '42501', NULL, 'backend cannot breaker_tick');
SELECT throws_ok($$SELECT costsim.breaker_canary_result(false, 'x')$$, '42501', NULL, 'backend cannot breaker_canary_result');
RESET ROLE;

SET LOCAL ROLE costsim_auditor;
SELECT is(costsim.v2_status() -> 'breaker' ->> 'state', 'closed', 'auditor reads v2_status()');
SELECT lives_ok($$SELECT * FROM costsim.incidents(true, 10)$$, 'auditor reads incidents()');
SELECT lives_ok($$SELECT * FROM costsim.alerts$$, 'auditor reads alerts');
SELECT throws_ok($$SELECT costsim.disable_v2('r', 'x')$$, '42501', NULL, 'auditor cannot disable_v2');
SELECT throws_ok($$SELECT costsim.enable_v2('r', 'x')$$, '42501', NULL, 'auditor cannot enable_v2');
SELECT throws_ok($$SELECT costsim.open_breaker('manual', 'r', 'x')$$, '42501', NULL, 'auditor cannot open_breaker');
SELECT throws_ok($$SELECT costsim.close_breaker('r', 'x')$$, '42501', NULL, 'auditor cannot close_breaker');
SELECT throws_ok($$SELECT costsim.breaker_tick()$$, '42501', NULL, 'auditor cannot breaker_tick');
SELECT throws_ok($$SELECT costsim.breaker_canary_result(false, 'x')$$, '42501', NULL, 'auditor cannot breaker_canary_result');
SELECT throws_ok($$UPDATE costsim.circuit_breakers SET state = 'open'$$, '42501', NULL, 'auditor cannot UPDATE circuit_breakers');
RESET ROLE;

SET LOCAL ROLE costsim_admin;
SELECT is(costsim.disable_v2('br14 admin', 'hank') -> 'breaker' ->> 'state', 'open', 'admin may disable_v2');
SELECT lives_ok($$SELECT * FROM costsim.incidents()$$, 'admin reads incidents()');
SELECT is(costsim.enable_v2('br14 admin done', 'hank') -> 'breaker' ->> 'state', 'closed', 'admin may enable_v2');
SELECT throws_ok($$SELECT costsim.open_breaker('manual', 'r', 'x')$$, '42501', NULL, 'admin cannot open_breaker');
SELECT throws_ok($$SELECT costsim.close_breaker('r', 'x')$$, '42501', NULL, 'admin cannot close_breaker');
SELECT throws_ok($$SELECT costsim.breaker_tick()$$, '42501', NULL, 'admin cannot breaker_tick');
SELECT throws_ok($$SELECT costsim.breaker_canary_result(false, 'x')$$, '42501', NULL, 'admin cannot breaker_canary_result');
SELECT throws_ok($$UPDATE costsim.circuit_breakers SET state = 'open'$$, '42501', NULL, 'admin cannot UPDATE circuit_breakers');
SELECT throws_ok($$DELETE FROM costsim.alerts$$, '42501', NULL, 'admin cannot DELETE alerts');
SELECT throws_ok($$UPDATE costsim.incidents SET resolution = 'x'$$, '42501', NULL, 'admin cannot UPDATE incidents');
RESET ROLE;
SELECT is((pg_temp.last_hist()).actor_id, 'hank', 'the admin''s enable is audited with enabled_by');

-------------------------------------------------------------------------------------------------------------
-- Diff artifacts: every shadowed comparison judged major_drift or mismatch keeps V1 and V2 step by step
-- (gzip'd JSON), retrievable by run and by the incident whose window it fell in.
-------------------------------------------------------------------------------------------------------------
SELECT costsim.disable_v2('artifacts: fresh window', 'br14'), costsim.enable_v2('artifacts: fresh window', 'br14');
SET LOCAL costsim.v2_sandbox = on;
SET LOCAL costsim.v2_sample_rate = 1;
SET LOCAL costsim.cb_auto_trip = off;
SET LOCAL costsim.tenant_id = 'br14-art';
SELECT costsim.simulate(pg_temp.odd(), 1000, NULL, 'br14-art-odd'), costsim.simulate(pg_temp.flat(), 1000, NULL, 'br14-art-flat');
SELECT is((SELECT count(*) FROM costsim.diff_artifacts(run => 'br14-art-odd')), 1::bigint,
          'a mismatch keeps one artifact, found by its run');
SELECT is((SELECT count(*) FROM costsim.diff_artifacts(run => 'br14-art-flat')), 0::bigint,
          'a match keeps none');
SELECT is((SELECT verdict::text || '|' || drift_score FROM costsim.diff_artifacts(run => 'br14-art-odd')), 'mismatch|0.3',
          'the artifact''s verdict and drift score are the comparison''s');
SELECT is((SELECT (diff -> 'steps' -> 0 ->> 'v1_cost_cents')::float8 || '|' || (diff -> 'steps' -> 0 ->> 'v2_cost_cents')::float8
             FROM costsim.diff_artifacts(run => 'br14-art-odd')),
          (costsim.simulate_v1(pg_temp.odd()) -> 'step_estimates' -> 0 ->> 'cost_cents')::float8 || '|' ||
          (costsim.simulate_v2(pg_temp.odd()) -> 'step_estimates' -> 0 ->> 'cost_cents')::float8,
          'its first step holds V1''s and V2''s step costs');
SELECT is((SELECT diff -> 'totals' -> 'v1' ->> 'estimated_cost_cents' FROM costsim.diff_artifacts(run => 'br14-art-odd')),
          costsim.simulate_v1(pg_temp.odd()) ->> 'estimated_cost_cents', 'and V1''s total');
SELECT is((SELECT substr(diff_gzip, 1, 2) FROM costsim.diff_artifacts a WHERE a.run_id = 'br14-art-odd'), '\x1f8b'::bytea,
          'stored gzip''d (RFC 1952 magic bytes)');
SELECT is((SELECT incident_id FROM costsim.diff_artifacts(run => 'br14-art-odd')), NULL::bigint, 'not yet any incident''s');
SELECT costsim.disable_v2('artifacts: an incident', 'br14');
SELECT is((SELECT incident_id FROM costsim.diff_artifacts(run => 'br14-art-odd')),
          (SELECT incident_id FROM costsim.circuit_breakers), 'the next incident claims it');
SELECT is((SELECT count(*) FROM costsim.diff_artifacts(incident => (SELECT incident_id FROM costsim.circuit_breakers))),
          1::bigint, 'and it is found by that incident');
SET LOCAL costsim.tenant_id = 'br14-other';
SELECT is((SELECT count(*) FROM costsim.diff_artifacts(run => 'br14-art-odd')), 0::bigint,
          'another tenant does not see it');
SELECT throws_ok($$SELECT costsim.diff_of('\x00010203'::bytea)$$, '22023', NULL, 'diff_of refuses what is not an artifact');

SELECT * FROM finish();
ROLLBACK;
