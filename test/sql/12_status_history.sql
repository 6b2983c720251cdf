-- The audit log costsim.status_history (docs/sql.md "The audit log: costsim.status_history (0.3)"): the per-tenant
-- hash chain and its golden hash (built here by hand from the spec's formula and RFC 8785, never copied from the
-- implementation), append-only for every role, verify_chain against tampering, log_status_change's tenant and
-- correlation rules, the track_status trigger, the reads (filters, pagination, per-entity history, stats),
-- row-level security on every read path, and the auditor who only reads. Exports are tested elsewhere.
-- Rows of status_history cannot be deleted: everything happens in this one transaction, rolled back at the end.
BEGIN;
SELECT plan(201);

-------------------------------------------------------------------------------------------------------------
-- Helpers (called as the superuser only).
-------------------------------------------------------------------------------------------------------------
-- A JSON string for the golden documents. It only writes what needs no escaping (plain printable ASCII without
-- '"' or '\'), so the hand-built RFC 8785 text cannot be silently wrong; other strings are written by hand.
CREATE FUNCTION pg_temp.js(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF s IS NULL THEN RETURN 'null'; END IF;
  IF octet_length(s) <> char_length(s) OR s ~ '[[:cntrl:]]' OR strpos(s, '"') > 0 OR strpos(s, chr(92)) > 0 THEN
    RAISE EXCEPTION 'pg_temp.js writes plain ASCII only, not %', s;
  END IF;
  RETURN '"' || s || '"';
END
$$;
-- The RFC 8785 text of a row's hashed object: members sorted by code unit, no whitespace, integers as digits,
-- created_at as UTC epoch microseconds. meta is the metadata's canonical text, written by hand by the caller
-- (checked to be the row's metadata); reason_json, when given, is the hand-escaped JSON of the reason.
CREATE FUNCTION pg_temp.doc(h costsim.status_history, meta text DEFAULT '{}', reason_json text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  IF h.metadata IS DISTINCT FROM meta::jsonb THEN
    RAISE EXCEPTION 'golden: metadata % is not %', h.metadata, meta;
  END IF;
  RETURN '{"actor_id":' || pg_temp.js(h.actor_id)
      || ',"actor_type":' || pg_temp.js(h.actor_type)
      || ',"correlation_id":' || pg_temp.js(h.correlation_id)
      || ',"created_at_us":' || ((extract(epoch FROM h.created_at) * 1000000)::bigint)::text
      || ',"entity_id":' || pg_temp.js(h.entity_id)
      || ',"entity_type":' || pg_temp.js(h.entity_type)
      || ',"id":' || h.id::text
      || ',"metadata":' || meta
      || ',"new_status":' || pg_temp.js(h.new_status)
      || ',"old_status":' || pg_temp.js(h.old_status)
      || ',"reason":' || CASE WHEN reason_json IS NOT NULL THEN reason_json ELSE pg_temp.js(h.reason) END
      || ',"seq":' || h.seq::text
      || ',"tenant_id":' || pg_temp.js(h.tenant_id)
      || '}';
END
$$;
-- row_hash = SHA-256 (lowercase hex) of prev_hash followed by the RFC 8785 text.
CREATE FUNCTION pg_temp.expected_hash(h costsim.status_history, meta text DEFAULT '{}', reason_json text DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
  SELECT encode(sha256(convert_to(h.prev_hash || pg_temp.doc(h, meta, reason_json), 'UTF8')), 'hex')
$$;
CREATE FUNCTION pg_temp.sha(s text) RETURNS text LANGUAGE sql AS $$
  SELECT encode(sha256(convert_to(s, 'UTF8')), 'hex')
$$;
CREATE FUNCTION pg_temp.row_at(t text, s bigint) RETURNS costsim.status_history LANGUAGE sql AS $$
  SELECT * FROM costsim.status_history WHERE tenant_id = t AND seq = s
$$;
CREATE FUNCTION pg_temp.row_of(t text, e text) RETURNS costsim.status_history LANGUAGE sql AS $$
  SELECT * FROM costsim.status_history WHERE tenant_id = t AND entity_id = e ORDER BY seq LIMIT 1
$$;
CREATE FUNCTION pg_temp.us(ts timestamptz) RETURNS text LANGUAGE sql AS $$
  SELECT ((extract(epoch FROM ts) * 1000000)::bigint)::text
$$;
CREATE FUNCTION pg_temp.table_privs(r name, t text) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(p || '=' || CASE WHEN has_table_privilege(r, t, p) THEN 'y' ELSE 'n' END, ' ' ORDER BY o)
    FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) WITH ORDINALITY AS u(p, o)
$$;
-- A fixture: appends a row by hand, bypassing the triggers (as a superuser can), with created_at as given and seq,
-- prev_hash and row_hash computed here by the spec's formula. The chain it makes is valid by the spec:
-- verify_chain must find it intact.
CREATE FUNCTION pg_temp.append_by_hand(t text, et text, eid text, os text, ns text, at text, ts timestamptz,
                                       corr text DEFAULT NULL) RETURNS costsim.status_history
LANGUAGE plpgsql AS $$
DECLARE
  h costsim.status_history;
  last costsim.status_history;
BEGIN
  PERFORM set_config('session_replication_role', 'replica', true);
  SELECT * INTO last FROM costsim.status_history WHERE tenant_id = t ORDER BY seq DESC LIMIT 1;
  INSERT INTO costsim.status_history (tenant_id, seq, entity_type, entity_id, old_status, new_status, actor_type,
                                      correlation_id, created_at, prev_hash, row_hash)
  VALUES (t, coalesce(last.seq, 0) + 1, et, eid, os, ns, at, corr, ts, coalesce(last.row_hash, repeat('0', 64)), '-')
  RETURNING * INTO h;
  h.row_hash := pg_temp.expected_hash(h);
  UPDATE costsim.status_history SET row_hash = h.row_hash WHERE id = h.id;
  PERFORM set_config('session_replication_role', 'origin', true);
  RETURN h;
END
$$;
-- What log_status_change returned to the callers below.
CREATE TEMP TABLE sh_ret AS SELECT * FROM costsim.status_history WITH NO DATA;
GRANT ALL ON sh_ret TO PUBLIC;

SET LOCAL costsim.tenant_id = 'sh-su';

-------------------------------------------------------------------------------------------------------------
-- 1. Privileges: everyone reads (under RLS), nobody is granted UPDATE, DELETE or TRUNCATE, the auditor writes
--    nothing.
-------------------------------------------------------------------------------------------------------------
SELECT is(pg_temp.table_privs('costsim_backend', 'costsim.status_history'),
          'SELECT=y INSERT=n UPDATE=n DELETE=n TRUNCATE=n', 'costsim_backend: status_history is read-only');
SELECT is(pg_temp.table_privs('costsim_admin', 'costsim.status_history'),
          'SELECT=y INSERT=n UPDATE=n DELETE=n TRUNCATE=n', 'costsim_admin: status_history is read-only');
SELECT is(pg_temp.table_privs('costsim_auditor', 'costsim.status_history'),
          'SELECT=y INSERT=n UPDATE=n DELETE=n TRUNCATE=n', 'costsim_auditor: status_history is read-only');
SELECT is(ARRAY(SELECT r || ':' || p
                  FROM unnest(ARRAY['costsim_backend','costsim_admin','costsim_auditor']) r,
                       unnest(ARRAY['INSERT','UPDATE','DELETE','TRUNCATE']) p
                 WHERE has_table_privilege(r, 'costsim.status_history_exports', p)),
          '{}'::text[], 'no role may write the export records');
SELECT is(ARRAY(SELECT r || ':' || p
                  FROM unnest(ARRAY['costsim_backend','costsim_admin','costsim_auditor']) r,
                       unnest(ARRAY['USAGE','UPDATE']) p
                 WHERE has_sequence_privilege(r, 'costsim.status_history_id_seq', p)),
          '{}'::text[], 'no role may draw or set status_history ids');
SELECT is(ARRAY(SELECT r FROM unnest(ARRAY['costsim_admin','costsim_auditor','costsim_backend']) r
                 WHERE has_function_privilege(r, 'costsim.log_status_change(text,text,text,text,text,text,text,text,jsonb,text)', 'EXECUTE')),
          ARRAY['costsim_admin','costsim_backend'], 'log_status_change is granted to backend and admin, not to the auditor');
SELECT ok(NOT has_function_privilege('costsim_auditor', 'costsim.track_status()', 'EXECUTE'),
          'the auditor cannot attach track_status');
SELECT is(ARRAY(SELECT f FROM unnest(ARRAY['costsim.verify_chain(text)',
                                           'costsim.query_status_history(text,text,text,text,timestamptz,timestamptz,integer,integer)',
                                           'costsim.entity_history(text,text)',
                                           'costsim.status_history_stats(timestamptz,timestamptz)']) f
                 WHERE NOT has_function_privilege('costsim_auditor', f, 'EXECUTE')),
          '{}'::text[], 'the auditor may call every read function');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'costsim.status_history'::regclass),
          'status_history has row-level security enabled');
SELECT is(ARRAY(SELECT DISTINCT tgenabled::text FROM pg_trigger
                 WHERE tgrelid = 'costsim.status_history'::regclass AND NOT tgisinternal),
          ARRAY['O'], 'status_history''s triggers are ordinary ones (enabled, not ALWAYS)');

-------------------------------------------------------------------------------------------------------------
-- 2. log_status_change: the caller's tenant, its defaults, the tenant argument, validation, correlation ids.
-------------------------------------------------------------------------------------------------------------
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'sh-t1';
-- nothing sets a correlation id yet
SELECT lives_ok($$INSERT INTO pg_temp.sh_ret SELECT * FROM costsim.log_status_change('order', 'sh-o1', 'created')$$,
                'backend appends a status change with log_status_change');
SELECT lives_ok($$INSERT INTO pg_temp.sh_ret
                  SELECT * FROM costsim.log_status_change('order', 'sh-o1', 'paid', 'created', 'user', 'bob',
                                                          'paid by card', 'corr-explicit')$$,
                'log_status_change with every argument but metadata and tenant');
SELECT lives_ok($$INSERT INTO pg_temp.sh_ret SELECT * FROM costsim.log_status_change('invoice', 'sh-i1', 'issued')$$,
                'a second entity type');
SELECT lives_ok($$INSERT INTO pg_temp.sh_ret
                  SELECT * FROM costsim.log_status_change('order', 'sh-o2', 'created', tenant_id => 'sh-t1')$$,
                'a non-admin may name its own tenant');
SELECT throws_ok($$SELECT costsim.log_status_change('order', 'sh-x', 'created', tenant_id => 'sh-t2')$$,
                 '42501', NULL, 'a non-admin naming another tenant: 42501');
-- validation: 22023
SELECT throws_ok($$SELECT costsim.log_status_change('', 'sh-x', 'created')$$, '22023', NULL, 'empty entity_type: 22023');
SELECT throws_ok($$SELECT costsim.log_status_change(NULL, 'sh-x', 'created')$$, '22023', NULL, 'NULL entity_type: 22023');
SELECT throws_ok($$SELECT costsim.log_status_change('order', '', 'created')$$, '22023', NULL, 'empty entity_id: 22023');
SELECT throws_ok($$SELECT costsim.log_status_change('order', NULL, 'created')$$, '22023', NULL, 'NULL entity_id: 22023');
SELECT throws_ok($$SELECT costsim.log_status_change('order', 'sh-x', '')$$, '22023', NULL, 'empty new_status: 22023');
SELECT throws_ok($$SELECT costsim.log_status_change('order', 'sh-x', NULL)$$, '22023', NULL, 'NULL new_status: 22023');
SELECT throws_ok($$SELECT costsim.log_status_change('order', 'sh-x', 'created', actor_type => NULL)$$, '22023', NULL,
                 'NULL actor_type: 22023');
SELECT throws_ok($$SELECT costsim.log_status_change('order', 'sh-x', 'created', actor_type => '')$$, '22023', NULL,
                 'empty actor_type: 22023');
SELECT throws_ok($$SELECT costsim.log_status_change('order', 'sh-x', 'created', metadata => '[1]')$$, '22023', NULL,
                 'metadata an array: 22023');
SELECT throws_ok($$SELECT costsim.log_status_change('order', 'sh-x', 'created', metadata => '"x"')$$, '22023', NULL,
                 'metadata a string: 22023');
SELECT throws_ok($$INSERT INTO costsim.status_history (tenant_id, seq, entity_type, entity_id, new_status, actor_type,
                                                       prev_hash, row_hash)
                   VALUES ('sh-t1', 99, 'order', 'sh-x', 'created', 'system', 'x', 'x')$$,
                 '42501', NULL, 'backend cannot INSERT into status_history directly');
-- correlation ids: costsim.correlation_id, then request.headers (x-correlation-id) before it, an argument before both
SELECT lives_ok($$SELECT set_config('costsim.correlation_id', 'corr-guc', true)$$, 'costsim.correlation_id is a setting');
SELECT lives_ok($$INSERT INTO pg_temp.sh_ret SELECT * FROM costsim.log_status_change('order', 'sh-o3', 'created')$$,
                'log_status_change with costsim.correlation_id set');
DO $$ BEGIN PERFORM set_config('request.headers', '{"x-correlation-id":"abc"}', true); END $$;
SELECT lives_ok($$INSERT INTO pg_temp.sh_ret SELECT * FROM costsim.log_status_change('order', 'sh-o3', 'shipped', 'created')$$,
                'log_status_change with request.headers and costsim.correlation_id set');
SELECT lives_ok($$INSERT INTO pg_temp.sh_ret
                  SELECT * FROM costsim.log_status_change('order', 'sh-o4', 'created', correlation_id => 'corr-arg')$$,
                'log_status_change with a correlation_id argument');
DO $$ BEGIN PERFORM set_config('request.headers', '{}', true); END $$;
DO $$ BEGIN EXECUTE 'RESET costsim.correlation_id'; EXCEPTION WHEN OTHERS THEN NULL; END $$;
RESET ROLE;

SELECT is((SELECT count(*) FROM pg_temp.sh_ret r JOIN costsim.status_history h ON h.id = r.id AND row(r.*)::text = row(h.*)::text),
          7::bigint, 'log_status_change returns the row it stored (with seq and row_hash)');
SELECT is((SELECT concat_ws('|', tenant_id, seq, prev_hash, coalesce(old_status, '-'), actor_type, coalesce(actor_id, '-'),
                            coalesce(reason, '-'), coalesce(correlation_id, '-'), metadata::text)
             FROM pg_temp.sh_ret WHERE entity_id = 'sh-o1' AND new_status = 'created'),
          'sh-t1|1|' || repeat('0', 64) || '|-|system|-|-|-|{}',
          'first row: the caller''s tenant (costsim.tenant_id), seq 1, the genesis prev_hash, the defaults, no correlation id');
SELECT is((SELECT concat_ws('|', tenant_id, seq, (prev_hash = (SELECT row_hash FROM pg_temp.sh_ret WHERE seq = 1))::text,
                            old_status, new_status, actor_type, actor_id, reason, correlation_id)
             FROM pg_temp.sh_ret WHERE entity_id = 'sh-o1' AND new_status = 'paid'),
          'sh-t1|2|true|created|paid|user|bob|paid by card|corr-explicit',
          'second row: seq 2, prev_hash = the first row''s row_hash, the arguments as given');
SELECT is((SELECT tenant_id || '|' || seq FROM pg_temp.sh_ret WHERE entity_id = 'sh-o2'), 'sh-t1|4',
          'naming one''s own tenant appends to it');
SELECT is((SELECT correlation_id FROM pg_temp.sh_ret WHERE entity_id = 'sh-o3' AND new_status = 'created'), 'corr-guc',
          'a NULL correlation_id takes costsim.correlation_id');
SELECT is((SELECT correlation_id FROM pg_temp.sh_ret WHERE entity_id = 'sh-o3' AND new_status = 'shipped'), 'abc',
          'a NULL correlation_id takes request.headers x-correlation-id before costsim.correlation_id');
SELECT is((SELECT correlation_id FROM pg_temp.sh_ret WHERE entity_id = 'sh-o4'), 'corr-arg',
          'a correlation_id argument wins over the request''s');

-- PostgREST-style claims: the tenant is the JWT's, not costsim.tenant_id
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'sh-t1';
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '{"role":"costsim_backend","tenant_id":"sh-t2","sub":"alice"}', true); END $$;
DO $$ BEGIN PERFORM set_config('request.headers', '{"x-correlation-id":"abc"}', true); END $$;
SELECT is(costsim.current_tenant(), 'sh-t2', 'with JWT claims the caller''s tenant is the tenant_id claim');
SELECT lives_ok($$INSERT INTO pg_temp.sh_ret SELECT * FROM costsim.log_status_change('order', 'sh-o9', 'created')$$,
                'log_status_change as a PostgREST caller');
SELECT throws_ok($$SELECT costsim.log_status_change('order', 'sh-x', 'created', tenant_id => 'sh-t1')$$, '42501', NULL,
                 'a JWT caller naming another tenant (even the costsim.tenant_id one): 42501');
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '', true); END $$;
DO $$ BEGIN PERFORM set_config('request.headers', '{}', true); END $$;
RESET ROLE;
SELECT is((SELECT tenant_id || '|' || coalesce(correlation_id, '-') FROM pg_temp.sh_ret WHERE entity_id = 'sh-o9'),
          'sh-t2|abc', 'the PostgREST caller''s row: the JWT tenant, the x-correlation-id header');

-- admins (and superusers) may name another tenant
SET LOCAL ROLE costsim_admin;
SET LOCAL costsim.tenant_id = 'sh-adm';
SELECT lives_ok($$INSERT INTO pg_temp.sh_ret
                  SELECT * FROM costsim.log_status_change('order', 'sh-o10', 'created', tenant_id => 'sh-t2')$$,
                'costsim_admin may name another tenant');
RESET ROLE;
SET LOCAL costsim.tenant_id = 'sh-su';
SELECT is((SELECT tenant_id FROM costsim.status_history WHERE entity_id = 'sh-o10'), 'sh-t2',
          'the admin''s row went to the tenant named');
SELECT lives_ok($$SELECT costsim.log_status_change('order', 'sh-o11', 'created', tenant_id => 'sh-t2')$$,
                'a superuser counts as an admin');
SELECT is((SELECT tenant_id FROM costsim.status_history WHERE entity_id = 'sh-o11'), 'sh-t2',
          'the superuser''s row went to the tenant named');
-- tenant sh-t2 also has an entity id that sh-t1 has, and an entity sh-t1 has not
SELECT lives_ok($$SELECT costsim.log_status_change('order', 'sh-o1', 'created', tenant_id => 'sh-t2'),
                         costsim.log_status_change('secret', 'sh-t2-only', 'classified', tenant_id => 'sh-t2')$$,
                'two more rows for tenant sh-t2');

-- the owner may INSERT directly: the chain trigger sets seq, prev_hash and row_hash whatever the INSERT said
SELECT lives_ok($$INSERT INTO costsim.status_history (tenant_id, seq, entity_type, entity_id, new_status, actor_type,
                                                      prev_hash, row_hash)
                  VALUES ('sh-t1', 999, 'order', 'sh-o5', 'created', 'system', 'forged', 'forged')$$,
                'the owner INSERTs a row directly, with a forged seq, prev_hash and row_hash');
SELECT is((SELECT seq || '|' || (prev_hash = (pg_temp.row_at('sh-t1', 7)).row_hash)
             FROM costsim.status_history WHERE entity_id = 'sh-o5'),
          '8|true', 'the chain trigger set seq (8) and prev_hash (the head''s row_hash) whatever the INSERT said');
SELECT is((SELECT row_hash FROM costsim.status_history WHERE entity_id = 'sh-o5'),
          (SELECT pg_temp.expected_hash(h) FROM costsim.status_history h WHERE entity_id = 'sh-o5'),
          'the chain trigger set row_hash whatever the INSERT said');

-------------------------------------------------------------------------------------------------------------
-- 3. The chain and the golden hash: row_hash = SHA-256(prev_hash || RFC 8785 JSON of the row).
-------------------------------------------------------------------------------------------------------------
SELECT is(ARRAY(SELECT seq FROM costsim.status_history WHERE tenant_id = 'sh-t1' ORDER BY seq),
          ARRAY[1,2,3,4,5,6,7,8]::bigint[], 'sh-t1''s seq is 1, 2, ..., 8 without gaps');
SELECT is((SELECT count(*) FROM (SELECT prev_hash, lag(row_hash) OVER (PARTITION BY tenant_id ORDER BY seq) AS before
                                   FROM costsim.status_history WHERE tenant_id IN ('sh-t1', 'sh-t2')) x
            WHERE prev_hash IS DISTINCT FROM coalesce(before, repeat('0', 64))),
          0::bigint, 'each prev_hash is the previous row''s row_hash (64 zeros for seq 1), per tenant');
SELECT is((SELECT count(*) FROM costsim.status_history WHERE tenant_id IN ('sh-t1', 'sh-t2') AND row_hash !~ '^[0-9a-f]{64}$'),
          0::bigint, 'row_hash is 64 lowercase hex digits');
SELECT is((SELECT head_seq || '|' || head_hash FROM costsim.verify_chain('sh-t1')), '8|' || (pg_temp.row_at('sh-t1', 8)).row_hash,
          'verify_chain''s head is the last seq and its row_hash');
-- the golden, literally: the first row of sh-t1
SELECT is((pg_temp.row_at('sh-t1', 1)).row_hash,
          pg_temp.sha(repeat('0', 64)
                      || '{"actor_id":null,"actor_type":"system","correlation_id":null,"created_at_us":'
                      || pg_temp.us((pg_temp.row_at('sh-t1', 1)).created_at)
                      || ',"entity_id":"sh-o1","entity_type":"order","id":' || (pg_temp.row_at('sh-t1', 1)).id
                      || ',"metadata":{},"new_status":"created","old_status":null,"reason":null,"seq":1,"tenant_id":"sh-t1"}'),
          'golden: row_hash of sh-t1 seq 1, from the spec''s formula');
SELECT is((pg_temp.row_at('sh-t1', 2)).row_hash,
          pg_temp.sha((pg_temp.row_at('sh-t1', 1)).row_hash
                      || '{"actor_id":"bob","actor_type":"user","correlation_id":"corr-explicit","created_at_us":'
                      || pg_temp.us((pg_temp.row_at('sh-t1', 2)).created_at)
                      || ',"entity_id":"sh-o1","entity_type":"order","id":' || (pg_temp.row_at('sh-t1', 2)).id
                      || ',"metadata":{},"new_status":"paid","old_status":"created","reason":"paid by card","seq":2,"tenant_id":"sh-t1"}'),
          'golden: row_hash of sh-t1 seq 2 (every member set), from the spec''s formula');
SELECT is(ARRAY(SELECT tenant_id || ':' || seq FROM costsim.status_history h
                 WHERE tenant_id IN ('sh-t1', 'sh-t2') AND row_hash IS DISTINCT FROM pg_temp.expected_hash(h)),
          '{}'::text[], 'golden: every row of sh-t1 and sh-t2 has the row_hash of the spec''s formula');

-- RFC 8785 details: metadata members sorted (jsonb sorts by length first), numbers as IEEE doubles
SELECT lives_ok($$SELECT costsim.log_status_change('order', 'g-a', 'created', correlation_id => 'corr-g',
                         metadata => '{"b":1.50,"aa":1e2,"c":{"z":true,"y":null},"d":[1,"x",false]}', tenant_id => 'sh-gold')$$,
                'a row with nested metadata');
SELECT is((pg_temp.row_of('sh-gold', 'g-a')).row_hash,
          (SELECT pg_temp.expected_hash(h, '{"aa":100,"b":1.5,"c":{"y":null,"z":true},"d":[1,"x",false]}')
             FROM costsim.status_history h WHERE tenant_id = 'sh-gold' AND entity_id = 'g-a'),
          'golden: metadata members sorted by code unit at every level, 1.50 hashed as 1.5 and 1e2 as 100');
-- keys sorted by UTF-16 code unit: z (007A) < e-acute (00E9) < U+1F600 (D83D DE00) < U+FB01; UTF-8 bytes would put
-- U+FB01 (EF ..) before U+1F600 (F0 ..)
SELECT lives_ok($$SELECT costsim.log_status_change('order', 'g-b', 'created', correlation_id => 'corr-g',
                         metadata => '{"\ufb01":1,"\ud83d\ude00":2,"\u00e9":3,"z":0}', tenant_id => 'sh-gold')$$,
                'a row with non-ASCII metadata keys');
SELECT is((pg_temp.row_of('sh-gold', 'g-b')).row_hash,
          (SELECT pg_temp.expected_hash(h, E'{"z":0,"\u00e9":3,"\U0001F600":2,"\uFB01":1}')
             FROM costsim.status_history h WHERE tenant_id = 'sh-gold' AND entity_id = 'g-b'),
          'golden: metadata keys sorted by UTF-16 code units, non-ASCII written as UTF-8');
-- string escaping: \" \\ \n \t \b \f \r, other controls as \u00xx (lowercase), DEL, '/' and non-ASCII as they are
SELECT lives_ok($$SELECT costsim.log_status_change('order', 'g-c', 'created', correlation_id => 'corr-g',
                         reason => 'say "hi" \ a/b' || chr(10) || 'l2' || chr(9) || 't' || chr(1) || chr(8) || chr(12)
                                   || chr(13) || chr(31) || chr(127) || chr(233) || ' end',
                         tenant_id => 'sh-gold')$$,
                'a row whose reason needs escaping');
SELECT is((pg_temp.row_of('sh-gold', 'g-c')).row_hash,
          (SELECT pg_temp.expected_hash(h, '{}', '"say \"hi\" \\ a/b\nl2\tt\u0001\b\f\r\u001f' || chr(127) || chr(233) || ' end"')
             FROM costsim.status_history h WHERE tenant_id = 'sh-gold' AND entity_id = 'g-c'),
          'golden: strings escaped as RFC 8785 says');
-- numbers as ECMAScript writes doubles: 1e21 -> 1e+21, 1e-7 -> 1e-7, -2.50 -> -2.5, 0.000 -> 0
SELECT lives_ok($$SELECT costsim.log_status_change('order', 'g-d', 'created', correlation_id => 'corr-g',
                         metadata => '{"big":1e21,"small":1e-7,"neg":-2.50,"int":12345678901,"zero":0.000,"frac":0.1}',
                         tenant_id => 'sh-gold')$$,
                'a row with numbers in metadata');
SELECT is((pg_temp.row_of('sh-gold', 'g-d')).row_hash,
          (SELECT pg_temp.expected_hash(h, '{"big":1e+21,"frac":0.1,"int":12345678901,"neg":-2.5,"small":1e-7,"zero":0}')
             FROM costsim.status_history h WHERE tenant_id = 'sh-gold' AND entity_id = 'g-d'),
          'golden: metadata numbers written as RFC 8785 (ECMAScript) doubles');

-- no TimeZone or DateStyle changes a hash: created_at is hashed as UTC epoch microseconds
SET LOCAL TimeZone = 'Asia/Kolkata';
SET LOCAL DateStyle = 'SQL, DMY';
SELECT lives_ok($$SELECT costsim.log_status_change('order', 'tz-1', 'created', correlation_id => 'corr-tz', tenant_id => 'sh-tz')$$,
                'a row appended under TimeZone Asia/Kolkata, DateStyle SQL, DMY');
SELECT lives_ok($$INSERT INTO costsim.status_history (tenant_id, entity_type, entity_id, new_status, actor_type, correlation_id)
                  VALUES ('sh-tz', 'order', 'tz-2', 'created', 'system', 'corr-tz')$$,
                'the owner INSERTs a row under Asia/Kolkata, SQL, DMY');
SELECT is((pg_temp.row_of('sh-tz', 'tz-2')).row_hash,
          pg_temp.sha((pg_temp.row_of('sh-tz', 'tz-1')).row_hash
                      || '{"actor_id":null,"actor_type":"system","correlation_id":"corr-tz","created_at_us":'
                      || pg_temp.us((pg_temp.row_of('sh-tz', 'tz-2')).created_at)
                      || ',"entity_id":"tz-2","entity_type":"order","id":' || (pg_temp.row_of('sh-tz', 'tz-2')).id
                      || ',"metadata":{},"new_status":"created","old_status":null,"reason":null,"seq":2,"tenant_id":"sh-tz"}'),
          'golden: the owner''s row stored under Asia/Kolkata, SQL, DMY');
SELECT is((pg_temp.row_of('sh-tz', 'tz-1')).row_hash,
          (SELECT pg_temp.expected_hash(h) FROM costsim.status_history h WHERE tenant_id = 'sh-tz' AND entity_id = 'tz-1'),
          'golden: the log_status_change row stored under Asia/Kolkata, SQL, DMY');
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = 'ISO, MDY';
SELECT lives_ok($$SELECT costsim.log_status_change('order', 'tz-3', 'created', correlation_id => 'corr-tz', tenant_id => 'sh-tz')$$,
                'a row appended under TimeZone UTC, DateStyle ISO, MDY');
SELECT is((pg_temp.row_of('sh-tz', 'tz-3')).row_hash,
          (SELECT pg_temp.expected_hash(h) FROM costsim.status_history h WHERE tenant_id = 'sh-tz' AND entity_id = 'tz-3'),
          'golden: the row stored under UTC, ISO, MDY');
SELECT is(ARRAY(SELECT entity_id FROM costsim.status_history h
                 WHERE tenant_id = 'sh-tz' AND row_hash IS DISTINCT FROM pg_temp.expected_hash(h)),
          '{}'::text[], 'golden: recomputed under UTC, every sh-tz row matches');
SET LOCAL TimeZone = 'America/St_Johns';
SET LOCAL DateStyle = 'German';
SELECT is(ARRAY(SELECT entity_id FROM costsim.status_history h
                 WHERE tenant_id = 'sh-tz' AND row_hash IS DISTINCT FROM pg_temp.expected_hash(h)),
          '{}'::text[], 'golden: recomputed under America/St_Johns, German, every sh-tz row matches');
SELECT is((SELECT intact::text || '|' || rows_checked FROM costsim.verify_chain('sh-tz')), 'true|3',
          'verify_chain under America/St_Johns, German: sh-tz intact');
-- a chain written by hand with known instants: 2024-03-01 00:00 UTC = 19783 days after 1970-01-01 = 1709251200 s,
-- Kolkata is UTC+05:30
SET LOCAL TimeZone = 'Asia/Kolkata';
SET LOCAL DateStyle = 'SQL, DMY';
SELECT lives_ok($$SELECT pg_temp.append_by_hand('sh-tzfix', 'order', 'f-1', NULL, 'created', 'system', '2024-02-29 23:59:59.123456+00', 'corr-tz'),
                         pg_temp.append_by_hand('sh-tzfix', 'order', 'f-2', NULL, 'created', 'system', '2024-03-01 05:29:59.123457', 'corr-tz')$$,
                'fixture: a two-row chain written by hand, 2024-02-29 23:59:59.123456 UTC and 2024-03-01 05:29:59.123457 Kolkata');
SELECT is(ARRAY(SELECT pg_temp.us(created_at) FROM costsim.status_history WHERE tenant_id = 'sh-tzfix' ORDER BY seq),
          ARRAY['1709251199123456', '1709251199123457'], 'the fixture''s instants are 1709251199123456 and ...457 us');
SELECT is((pg_temp.row_at('sh-tzfix', 1)).row_hash,
          pg_temp.sha(repeat('0', 64)
                      || '{"actor_id":null,"actor_type":"system","correlation_id":"corr-tz","created_at_us":1709251199123456'
                      || ',"entity_id":"f-1","entity_type":"order","id":' || (pg_temp.row_at('sh-tzfix', 1)).id
                      || ',"metadata":{},"new_status":"created","old_status":null,"reason":null,"seq":1,"tenant_id":"sh-tzfix"}'),
          'the fixture''s first row_hash is the literal golden with created_at_us 1709251199123456');
SELECT is((SELECT concat_ws('|', intact::text, rows_checked, reason) FROM costsim.verify_chain('sh-tzfix')), 'true|2',
          'verify_chain finds the hand-written chain intact under Asia/Kolkata, SQL, DMY');
SET LOCAL TimeZone = 'America/St_Johns';
SET LOCAL DateStyle = 'German';
SELECT is((SELECT concat_ws('|', intact::text, rows_checked, reason) FROM costsim.verify_chain('sh-tzfix')), 'true|2',
          'verify_chain finds the hand-written chain intact under America/St_Johns, German');
SET LOCAL TimeZone = 'Asia/Kolkata';
SET LOCAL DateStyle = 'SQL, DMY';
SELECT is(ARRAY(SELECT tenant_id || '|' || intact::text || '|' || rows_checked
                  FROM costsim.verify_chain('sh-tz') UNION ALL
                SELECT tenant_id || '|' || intact::text || '|' || rows_checked FROM costsim.verify_chain('sh-gold')),
          ARRAY['sh-tz|true|3', 'sh-gold|true|4'], 'verify_chain under Asia/Kolkata, SQL, DMY: sh-tz and sh-gold intact');
RESET TimeZone;
RESET DateStyle;

-------------------------------------------------------------------------------------------------------------
-- 4. UPDATE, DELETE and TRUNCATE fail for every role, the owner (a superuser) included: 42501.
-------------------------------------------------------------------------------------------------------------
SELECT throws_ok($$UPDATE costsim.status_history SET reason = 'changed' WHERE tenant_id = 'sh-t1'$$, '42501',
                 'costsim.status_history is append-only: UPDATE is not allowed', 'the owner (superuser) cannot UPDATE');
SELECT throws_ok($$DELETE FROM costsim.status_history WHERE tenant_id = 'sh-t1'$$, '42501',
                 'costsim.status_history is append-only: DELETE is not allowed', 'the owner (superuser) cannot DELETE');
SELECT throws_ok($$TRUNCATE costsim.status_history$$, '42501',
                 'costsim.status_history is append-only: TRUNCATE is not allowed', 'the owner (superuser) cannot TRUNCATE');
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'sh-t1';
SELECT throws_ok($$UPDATE costsim.status_history SET reason = 'changed'$$, '42501', NULL, 'backend cannot UPDATE');
SELECT throws_ok($$DELETE FROM costsim.status_history$$, '42501', NULL, 'backend cannot DELETE');
SELECT throws_ok($$TRUNCATE costsim.status_history$$, '42501', NULL, 'backend cannot TRUNCATE');
RESET ROLE;
SET LOCAL ROLE costsim_admin;
SET LOCAL costsim.tenant_id = 'sh-t1';
SELECT throws_ok($$INSERT INTO costsim.status_history (tenant_id, seq, entity_type, entity_id, new_status, actor_type,
                                                       prev_hash, row_hash)
                   VALUES ('sh-t1', 99, 'order', 'sh-x', 'created', 'system', 'x', 'x')$$, '42501', NULL,
                 'admin cannot INSERT directly');
SELECT throws_ok($$UPDATE costsim.status_history SET reason = 'changed'$$, '42501', NULL, 'admin cannot UPDATE');
SELECT throws_ok($$DELETE FROM costsim.status_history$$, '42501', NULL, 'admin cannot DELETE');
SELECT throws_ok($$TRUNCATE costsim.status_history$$, '42501', NULL, 'admin cannot TRUNCATE');
RESET ROLE;
-- the auditor reads and never writes
SET LOCAL ROLE costsim_auditor;
SET LOCAL costsim.tenant_id = 'sh-t1';
SELECT throws_ok($$INSERT INTO costsim.status_history (tenant_id, seq, entity_type, entity_id, new_status, actor_type,
                                                       prev_hash, row_hash)
                   VALUES ('sh-t1', 99, 'order', 'sh-x', 'created', 'system', 'x', 'x')$$, '42501', NULL,
                 'auditor cannot INSERT');
SELECT throws_ok($$UPDATE costsim.status_history SET reason = 'changed'$$, '42501', NULL, 'auditor cannot UPDATE');
SELECT throws_ok($$DELETE FROM costsim.status_history$$, '42501', NULL, 'auditor cannot DELETE');
SELECT throws_ok($$TRUNCATE costsim.status_history$$, '42501', NULL, 'auditor cannot TRUNCATE');
SELECT throws_ok($$SELECT costsim.log_status_change('order', 'sh-x', 'created')$$, '42501', NULL,
                 'auditor cannot call log_status_change');
SELECT is((SELECT count(*) FROM costsim.status_history), 8::bigint, 'the auditor reads its tenant''s 8 rows');
RESET ROLE;
SELECT is((SELECT count(*) || '|' || count(*) FILTER (WHERE reason = 'changed') FROM costsim.status_history WHERE tenant_id = 'sh-t1'),
          '8|0', 'after all that, sh-t1 still has its 8 rows, unchanged');

-------------------------------------------------------------------------------------------------------------
-- 5. costsim.track_status(entity type, id column, status column [, tenant column]) on a backend's own tables.
-------------------------------------------------------------------------------------------------------------
CREATE SCHEMA sh_app;
GRANT USAGE, CREATE ON SCHEMA sh_app TO costsim_backend;
GRANT USAGE ON SCHEMA sh_app TO costsim_admin;
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'sh-trk';
CREATE TABLE sh_app.orders (id integer PRIMARY KEY, status text, note text);
SELECT lives_ok($$CREATE TRIGGER orders_status AFTER INSERT OR UPDATE ON sh_app.orders
                  FOR EACH ROW EXECUTE FUNCTION costsim.track_status('order', 'id', 'status')$$,
                'a backend attaches track_status to its own table');
SELECT lives_ok($$INSERT INTO sh_app.orders (id, status) VALUES (1, 'new')$$, 'INSERT with a status');
SELECT lives_ok($$UPDATE sh_app.orders SET status = 'paid' WHERE id = 1$$, 'UPDATE changing the status');
SELECT lives_ok($$UPDATE sh_app.orders SET note = 'gift' WHERE id = 1$$, 'UPDATE of another column');
SELECT lives_ok($$UPDATE sh_app.orders SET status = 'paid', note = 'x' WHERE id = 1$$, 'UPDATE to the same status');
SELECT lives_ok($$INSERT INTO sh_app.orders (id, status) VALUES (2, NULL)$$, 'INSERT with a NULL status');
SELECT lives_ok($$UPDATE sh_app.orders SET status = 'ready' WHERE id = 2$$, 'UPDATE from NULL to a status');
SELECT lives_ok($$UPDATE sh_app.orders SET status = NULL WHERE id = 1$$, 'UPDATE to a NULL status');
SELECT lives_ok($$INSERT INTO sh_app.orders (id, status) VALUES (20, 'a'), (21, 'b'), (22, NULL)$$, 'a three-row INSERT');
-- a PostgREST caller: actor from the sub claim, correlation id from the x-correlation-id header
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '{"role":"costsim_backend","tenant_id":"sh-trk","sub":"alice"}', true); END $$;
DO $$ BEGIN PERFORM set_config('request.headers', '{"x-correlation-id":"abc"}', true); END $$;
SELECT lives_ok($$INSERT INTO sh_app.orders (id, status) VALUES (10, 'new')$$, 'INSERT by a PostgREST caller');
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '', true); END $$;
DO $$ BEGIN PERFORM set_config('request.headers', '{}', true); END $$;
-- a direct caller with costsim.correlation_id
DO $$ BEGIN PERFORM set_config('costsim.correlation_id', 'corr-trk', true); EXCEPTION WHEN OTHERS THEN NULL; END $$;
SELECT lives_ok($$INSERT INTO sh_app.orders (id, status) VALUES (11, 'new')$$, 'INSERT with costsim.correlation_id set');
DO $$ BEGIN EXECUTE 'RESET costsim.correlation_id'; EXCEPTION WHEN OTHERS THEN NULL; END $$;
-- a tenant column
CREATE TABLE sh_app.tickets (id text PRIMARY KEY, state text, tenant text);
GRANT SELECT, INSERT ON sh_app.tickets TO costsim_admin;
SELECT lives_ok($$CREATE TRIGGER tickets_state AFTER INSERT OR UPDATE ON sh_app.tickets
                  FOR EACH ROW EXECUTE FUNCTION costsim.track_status('ticket', 'id', 'state', 'tenant')$$,
                'track_status with a tenant column');
SELECT lives_ok($$INSERT INTO sh_app.tickets VALUES ('k1', 'open', 'sh-trk')$$, 'a row of the caller''s own tenant');
SELECT throws_ok($$INSERT INTO sh_app.tickets VALUES ('k2', 'open', 'sh-t2')$$, '42501', NULL,
                 'a non-admin''s row naming another tenant: 42501');
RESET ROLE;
SET LOCAL ROLE costsim_admin;
SET LOCAL costsim.tenant_id = 'sh-adm';
SELECT lives_ok($$INSERT INTO sh_app.tickets VALUES ('k3', 'open', 'sh-t2')$$, 'an admin''s row naming another tenant');
RESET ROLE;
SET LOCAL costsim.tenant_id = 'sh-su';

SELECT is(ARRAY(SELECT coalesce(old_status, '-') || '>' || new_status || '|' || (metadata->>'operation')
                  FROM costsim.status_history WHERE tenant_id = 'sh-trk' AND entity_type = 'order' AND entity_id = '1'
                 ORDER BY seq),
          ARRAY['->new|INSERT', 'new>paid|UPDATE'],
          'order 1: INSERT records NULL -> status, a status change one row; no status change or a NULL status, none');
SELECT is(ARRAY(SELECT coalesce(old_status, '-') || '>' || new_status || '|' || (metadata->>'operation')
                  FROM costsim.status_history WHERE tenant_id = 'sh-trk' AND entity_type = 'order' AND entity_id = '2'
                 ORDER BY seq),
          ARRAY['->ready|UPDATE'], 'order 2: an INSERT with a NULL status records nothing, NULL -> ready one row');
SELECT is(ARRAY(SELECT entity_id FROM costsim.status_history
                 WHERE tenant_id = 'sh-trk' AND entity_id IN ('20', '21', '22') ORDER BY seq),
          ARRAY['20', '21'], 'a multi-row INSERT records each row with a status');
SELECT is((SELECT concat_ws('|', tenant_id, entity_type, actor_type, actor_id, coalesce(correlation_id, '-'))
             FROM costsim.status_history WHERE tenant_id = 'sh-trk' AND entity_id = '1' AND new_status = 'new'),
          'sh-trk|order|role|costsim_backend|-',
          'a direct caller: the caller''s tenant, actor_type role, actor_id current_user, no correlation id');
SELECT is((SELECT metadata FROM costsim.status_history WHERE tenant_id = 'sh-trk' AND entity_id = '1' AND new_status = 'new'),
          '{"table": "sh_app.orders", "operation": "INSERT"}'::jsonb, 'metadata names the table and the operation');
SELECT is((SELECT concat_ws('|', tenant_id, actor_type, actor_id, correlation_id)
             FROM costsim.status_history WHERE tenant_id = 'sh-trk' AND entity_id = '10'),
          'sh-trk|user|alice|abc', 'a PostgREST caller: actor_type user, actor_id the sub claim, the x-correlation-id header');
SELECT is((SELECT concat_ws('|', actor_type, actor_id, correlation_id)
             FROM costsim.status_history WHERE tenant_id = 'sh-trk' AND entity_id = '11'),
          'role|costsim_backend|corr-trk', 'the correlation id comes from costsim.correlation_id');
SELECT is(ARRAY(SELECT entity_id || '@' || tenant_id FROM costsim.status_history WHERE entity_type = 'ticket' ORDER BY entity_id COLLATE "C"),
          ARRAY['k1@sh-trk', 'k3@sh-t2'],
          'tenant column: the own tenant''s row recorded, the refused one not, the admin''s in the tenant named');
SELECT is(ARRAY(SELECT seq FROM costsim.status_history h
                 WHERE tenant_id = 'sh-trk' AND entity_id = '1'
                   AND row_hash = pg_temp.expected_hash(h, '{"operation":"' || (metadata->>'operation') || '","table":"sh_app.orders"}')
                 ORDER BY seq),
          ARRAY(SELECT seq FROM costsim.status_history WHERE tenant_id = 'sh-trk' AND entity_id = '1' ORDER BY seq),
          'golden: track_status rows hash their metadata {"operation","table"} in RFC 8785 order');
SELECT is((SELECT intact::text || '|' || rows_checked FROM costsim.verify_chain('sh-trk')), 'true|8',
          'sh-trk''s chain of 8 track_status rows is intact');

-- misuse: not an AFTER ... FOR EACH ROW trigger on INSERT/UPDATE 39P01, wrong argument count 22023, unknown column 42703
CREATE TABLE sh_app.misuse (id integer, status text, tenant text);
INSERT INTO sh_app.misuse VALUES (1, 'a', 'sh-su');
CREATE TRIGGER m BEFORE INSERT ON sh_app.misuse FOR EACH ROW EXECUTE FUNCTION costsim.track_status('m', 'id', 'status');
SELECT throws_ok($$INSERT INTO sh_app.misuse VALUES (2, 'b')$$, '39P01', NULL, 'track_status as a BEFORE trigger: 39P01');
DROP TRIGGER m ON sh_app.misuse;
CREATE TRIGGER m AFTER INSERT ON sh_app.misuse FOR EACH STATEMENT EXECUTE FUNCTION costsim.track_status('m', 'id', 'status');
SELECT throws_ok($$INSERT INTO sh_app.misuse VALUES (2, 'b')$$, '39P01', NULL, 'track_status as a statement trigger: 39P01');
DROP TRIGGER m ON sh_app.misuse;
CREATE TRIGGER m AFTER DELETE ON sh_app.misuse FOR EACH ROW EXECUTE FUNCTION costsim.track_status('m', 'id', 'status');
SELECT throws_ok($$DELETE FROM sh_app.misuse$$, '39P01', NULL, 'track_status as a DELETE trigger: 39P01');
DROP TRIGGER m ON sh_app.misuse;
CREATE TRIGGER m AFTER INSERT ON sh_app.misuse FOR EACH ROW EXECUTE FUNCTION costsim.track_status('m', 'id');
SELECT throws_ok($$INSERT INTO sh_app.misuse VALUES (2, 'b')$$, '22023', NULL, 'track_status with 2 arguments: 22023');
DROP TRIGGER m ON sh_app.misuse;
CREATE TRIGGER m AFTER INSERT ON sh_app.misuse FOR EACH ROW EXECUTE FUNCTION costsim.track_status('m', 'id', 'status', 'tenant', 'x');
SELECT throws_ok($$INSERT INTO sh_app.misuse VALUES (2, 'b')$$, '22023', NULL, 'track_status with 5 arguments: 22023');
DROP TRIGGER m ON sh_app.misuse;
CREATE TRIGGER m AFTER INSERT ON sh_app.misuse FOR EACH ROW EXECUTE FUNCTION costsim.track_status('m', 'nope', 'status');
SELECT throws_ok($$INSERT INTO sh_app.misuse VALUES (2, 'b')$$, '42703', NULL, 'track_status with an unknown id column: 42703');
DROP TRIGGER m ON sh_app.misuse;
CREATE TRIGGER m AFTER INSERT ON sh_app.misuse FOR EACH ROW EXECUTE FUNCTION costsim.track_status('m', 'id', 'nope');
SELECT throws_ok($$INSERT INTO sh_app.misuse VALUES (2, 'b')$$, '42703', NULL, 'track_status with an unknown status column: 42703');
DROP TRIGGER m ON sh_app.misuse;
CREATE TRIGGER m AFTER INSERT ON sh_app.misuse FOR EACH ROW EXECUTE FUNCTION costsim.track_status('m', 'id', 'status', 'nope');
SELECT throws_ok($$INSERT INTO sh_app.misuse VALUES (2, 'b')$$, '42703', NULL, 'track_status with an unknown tenant column: 42703');
DROP TRIGGER m ON sh_app.misuse;

-------------------------------------------------------------------------------------------------------------
-- 6. Reads: query_status_history (filters, pagination), entity_history, status_history_stats.
-------------------------------------------------------------------------------------------------------------
-- tenant sh-stats: a chain of four rows at known times, written by hand (the spec does not let an INSERT choose
-- created_at, so the rows are written bypassing the triggers, with the spec's hashes)
SELECT lives_ok($$SELECT pg_temp.append_by_hand('sh-stats', 'order',   'st-o1', NULL,      'created', 'system', '2024-01-01 00:00:00+00'),
                         pg_temp.append_by_hand('sh-stats', 'order',   'st-o1', 'created', 'paid',    'user',   '2024-01-02 00:00:00+00'),
                         pg_temp.append_by_hand('sh-stats', 'invoice', 'st-i1', NULL,      'created', 'role',   '2024-01-03 12:00:00+00'),
                         pg_temp.append_by_hand('sh-stats', 'order',   'st-o2', NULL,      'created', 'user',   '2024-01-11 00:00:00+00')$$,
                'fixture: four rows for tenant sh-stats');
-- tenant sh-page: five rows
SELECT lives_ok($$SELECT costsim.log_status_change('page', 'p' || i, 'created', tenant_id => 'sh-page') FROM generate_series(1, 5) i$$,
                'five rows for tenant sh-page');

SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'sh-page';
SELECT is((SELECT q - 'items' || jsonb_build_object('seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history() q),
          '{"total":5,"limit":100,"offset":0,"has_more":false,"seqs":[5,4,3,2,1]}'::jsonb,
          'query_status_history(): total, limit 100, offset 0, no more, newest first');
SELECT is((SELECT q - 'items' || jsonb_build_object('seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history("limit" => 2) q),
          '{"total":5,"limit":2,"offset":0,"has_more":true,"seqs":[5,4]}'::jsonb, 'limit 2: the first page, has_more');
SELECT is((SELECT q - 'items' || jsonb_build_object('seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history("limit" => 2, "offset" => 2) q),
          '{"total":5,"limit":2,"offset":2,"has_more":true,"seqs":[3,2]}'::jsonb, 'limit 2 offset 2: the second page, has_more');
SELECT is((SELECT q - 'items' || jsonb_build_object('seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history("limit" => 2, "offset" => 3) q),
          '{"total":5,"limit":2,"offset":3,"has_more":false,"seqs":[2,1]}'::jsonb, 'limit 2 offset 3: the last two, no more');
SELECT is((SELECT q - 'items' || jsonb_build_object('seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history("limit" => 2, "offset" => 4) q),
          '{"total":5,"limit":2,"offset":4,"has_more":false,"seqs":[1]}'::jsonb, 'limit 2 offset 4: the last one, no more');
SELECT is((SELECT q FROM costsim.query_status_history("offset" => 10) q),
          '{"total":5,"limit":100,"offset":10,"has_more":false,"items":[]}'::jsonb, 'an offset past the end: no items, no more');
SELECT is((SELECT q - 'items' || jsonb_build_object('seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history("limit" => 1) q),
          '{"total":5,"limit":1,"offset":0,"has_more":true,"seqs":[5]}'::jsonb, 'limit 1 is allowed');
SELECT is((SELECT jsonb_array_length(q->'items') FROM costsim.query_status_history("limit" => 1000) q), 5,
          'limit 1000 is allowed');
SELECT throws_ok($$SELECT costsim.query_status_history("limit" => 0)$$, '22023', NULL, 'limit 0: 22023');
SELECT throws_ok($$SELECT costsim.query_status_history("limit" => 1001)$$, '22023', NULL, 'limit 1001: 22023');
SELECT throws_ok($$SELECT costsim.query_status_history("offset" => -1)$$, '22023', NULL, 'a negative offset: 22023');

SET LOCAL costsim.tenant_id = 'sh-stats';
SELECT is((SELECT jsonb_build_object('total', q->'total', 'seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history(entity_type => 'order') q),
          '{"total":3,"seqs":[4,2,1]}'::jsonb, 'filter entity_type');
SELECT is((SELECT jsonb_build_object('total', q->'total', 'seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history(entity_id => 'st-o1') q),
          '{"total":2,"seqs":[2,1]}'::jsonb, 'filter entity_id');
SELECT is((SELECT jsonb_build_object('total', q->'total', 'seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history(actor_type => 'user') q),
          '{"total":2,"seqs":[4,2]}'::jsonb, 'filter actor_type');
SELECT is((SELECT jsonb_build_object('total', q->'total', 'seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history(new_status => 'created') q),
          '{"total":3,"seqs":[4,3,1]}'::jsonb, 'filter new_status');
SELECT is((SELECT jsonb_build_object('total', q->'total', 'seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history(created_from => '2024-01-02 00:00:00+00') q),
          '{"total":3,"seqs":[4,3,2]}'::jsonb, 'filter created_from (inclusive)');
SELECT is((SELECT jsonb_build_object('total', q->'total', 'seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history(created_to => '2024-01-03 12:00:00+00') q),
          '{"total":2,"seqs":[2,1]}'::jsonb, 'filter created_to (exclusive)');
SELECT is((SELECT jsonb_build_object('total', q->'total', 'seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history(created_from => '2024-01-02 00:00:00+00', created_to => '2024-01-11 00:00:00+00') q),
          '{"total":2,"seqs":[3,2]}'::jsonb, 'filter by a time range');
SELECT is((SELECT jsonb_build_object('total', q->'total', 'seqs', jsonb_path_query_array(q, '$.items[*].seq'))
             FROM costsim.query_status_history(entity_type => 'order', actor_type => 'user', new_status => 'paid') q),
          '{"total":1,"seqs":[2]}'::jsonb, 'filters combine (AND)');
SELECT is((SELECT q FROM costsim.query_status_history(entity_type => 'nothing') q),
          '{"total":0,"limit":100,"offset":0,"has_more":false,"items":[]}'::jsonb, 'no match: total 0, empty items');
SELECT ok((SELECT q->'items'->0 @> '{"tenant_id":"sh-stats","seq":4,"entity_type":"order","entity_id":"st-o2","new_status":"created","actor_type":"user"}'
                  AND q->'items'->0 ?& ARRAY['id','old_status','actor_id','reason','correlation_id','metadata','created_at','prev_hash','row_hash']
             FROM costsim.query_status_history() q),
          'items are whole rows');
SELECT results_eq($$SELECT seq, old_status, new_status FROM costsim.entity_history('order', 'st-o1')$$,
                  $$VALUES (1::bigint, NULL::text, 'created'::text), (2::bigint, 'created'::text, 'paid'::text)$$,
                  'entity_history: one entity''s changes, oldest first');
SELECT is_empty($$SELECT * FROM costsim.entity_history('order', 'st-none')$$, 'entity_history of an unknown entity: nothing');
SELECT is((SELECT s - 'oldest' - 'newest' - 'time_range_days' FROM costsim.status_history_stats() s),
          '{"total":4,"by_entity_type":{"order":3,"invoice":1},"by_actor_type":{"system":1,"user":2,"role":1},"by_status":{"created":3,"paid":1}}'::jsonb,
          'stats: total, by entity type, by actor type, by status');
SELECT is((SELECT concat_ws('|', ((s->>'oldest')::timestamptz = '2024-01-01 00:00:00+00')::text,
                            ((s->>'newest')::timestamptz = '2024-01-11 00:00:00+00')::text,
                            ((s->>'time_range_days')::numeric = 10)::text)
             FROM costsim.status_history_stats() s),
          'true|true|true', 'stats: oldest, newest, a time range of 10 days');
SELECT is((SELECT s - 'oldest' - 'newest' - 'time_range_days'
                    || jsonb_build_object('days', (s->>'time_range_days')::numeric = 1.5)
             FROM costsim.status_history_stats('2024-01-02 00:00:00+00', '2024-01-11 00:00:00+00') s),
          '{"total":2,"by_entity_type":{"order":1,"invoice":1},"by_actor_type":{"user":1,"role":1},"by_status":{"paid":1,"created":1},"days":true}'::jsonb,
          'stats of a time window: its rows only, 1.5 days');
SET LOCAL costsim.tenant_id = 'sh-nobody';
SELECT is((SELECT s FROM costsim.status_history_stats() s),
          '{"total":0,"by_entity_type":{},"by_actor_type":{},"by_status":{},"oldest":null,"newest":null,"time_range_days":null}'::jsonb,
          'stats of a tenant without rows: empty objects and nulls');
RESET ROLE;

-------------------------------------------------------------------------------------------------------------
-- 7. Tenant isolation on every read path: another tenant's rows never show, its chain cannot be verified.
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE sh_n AS
  SELECT tenant_id, count(*) AS n FROM costsim.status_history WHERE tenant_id IN ('sh-t1', 'sh-t2') GROUP BY 1;
GRANT SELECT ON sh_n TO PUBLIC;
SELECT is(ARRAY(SELECT tenant_id || '=' || n FROM pg_temp.sh_n ORDER BY 1), ARRAY['sh-t1=8', 'sh-t2=6'],
          'tenants sh-t1 and sh-t2 have 8 and 6 rows');

SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'sh-t1';
SELECT is((SELECT count(*) FROM costsim.status_history WHERE tenant_id = 'sh-t2'), 0::bigint,
          'backend sh-t1: a direct SELECT of sh-t2''s rows returns nothing');
SELECT is(ARRAY(SELECT tenant_id || '=' || count(*) FROM costsim.status_history GROUP BY tenant_id), ARRAY['sh-t1=8'],
          'backend sh-t1: a direct SELECT shows exactly its own 8 rows');
SELECT is((SELECT (q->>'total') || '|' || jsonb_path_query_array(q, '$.items[*].tenant_id ? (@ != "sh-t1")')::text
             FROM costsim.query_status_history() q),
          '8|[]', 'backend sh-t1: query_status_history shows its 8 rows only');
SELECT is((SELECT q->>'total' FROM costsim.query_status_history(entity_type => 'secret') q), '0',
          'backend sh-t1: query_status_history of sh-t2''s entity type finds nothing');
SELECT is((SELECT (q->>'total') || '|' || jsonb_path_query_array(q, '$.items[*].tenant_id ? (@ != "sh-t1")')::text
             FROM costsim.query_status_history(entity_id => 'sh-o1') q),
          '2|[]', 'backend sh-t1: an entity id both tenants have shows only sh-t1''s rows');
SELECT is_empty($$SELECT * FROM costsim.entity_history('secret', 'sh-t2-only')$$,
                'backend sh-t1: entity_history of sh-t2''s entity returns nothing');
SELECT is(ARRAY(SELECT tenant_id || ':' || seq FROM costsim.entity_history('order', 'sh-o1')), ARRAY['sh-t1:1', 'sh-t1:2'],
          'backend sh-t1: entity_history of an entity id both tenants have shows only sh-t1''s');
SELECT is((SELECT (s->>'total') || '|' || (s->'by_entity_type' ? 'secret') FROM costsim.status_history_stats() s),
          '8|false', 'backend sh-t1: stats count its own rows only');
SELECT throws_ok($$SELECT * FROM costsim.verify_chain('sh-t2')$$, '42501', NULL,
                 'backend sh-t1: verify_chain of sh-t2: 42501');
SELECT is(ARRAY(SELECT tenant_id FROM costsim.verify_chain()), ARRAY['sh-t1'], 'backend sh-t1: verify_chain() checks its own chain');
RESET ROLE;

SET LOCAL ROLE costsim_auditor;
SET LOCAL costsim.tenant_id = 'sh-t2';
SELECT is(ARRAY(SELECT tenant_id || '=' || count(*) FROM costsim.status_history GROUP BY tenant_id), ARRAY['sh-t2=6'],
          'auditor sh-t2: a direct SELECT shows exactly its own 6 rows');
SELECT is((SELECT (q->>'total') || '|' || jsonb_path_query_array(q, '$.items[*].tenant_id ? (@ != "sh-t2")')::text
             FROM costsim.query_status_history() q),
          '6|[]', 'auditor sh-t2: query_status_history shows its 6 rows only');
SELECT is_empty($$SELECT * FROM costsim.entity_history('invoice', 'sh-i1')$$,
                'auditor sh-t2: entity_history of sh-t1''s entity returns nothing');
SELECT is((SELECT s->>'total' FROM costsim.status_history_stats() s), '6', 'auditor sh-t2: stats count its own rows only');
SELECT throws_ok($$SELECT * FROM costsim.verify_chain('sh-t1')$$, '42501', NULL, 'auditor sh-t2: verify_chain of sh-t1: 42501');
SELECT is(ARRAY(SELECT tenant_id || '|' || intact::text FROM costsim.verify_chain()), ARRAY['sh-t2|true'],
          'auditor sh-t2: verify_chain() checks its own chain, intact');
RESET ROLE;

-- a PostgREST caller of tenant sh-t2 while costsim.tenant_id says sh-t1
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'sh-t1';
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '{"role":"costsim_backend","tenant_id":"sh-t2","sub":"alice"}', true); END $$;
SELECT is(ARRAY(SELECT tenant_id || '=' || count(*) FROM costsim.status_history GROUP BY tenant_id), ARRAY['sh-t2=6'],
          'JWT sh-t2: a direct SELECT shows sh-t2''s rows only');
SELECT is((SELECT q->>'total' FROM costsim.query_status_history(entity_type => 'invoice') q), '0',
          'JWT sh-t2: query_status_history does not show sh-t1''s invoice');
SELECT throws_ok($$SELECT * FROM costsim.verify_chain('sh-t1')$$, '42501', NULL, 'JWT sh-t2: verify_chain of sh-t1: 42501');
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '', true); END $$;
RESET ROLE;

-------------------------------------------------------------------------------------------------------------
-- 8. verify_chain on intact chains.
-------------------------------------------------------------------------------------------------------------
SELECT results_eq($$SELECT * FROM costsim.verify_chain('sh-t1')$$,
                  $$SELECT 'sh-t1'::text, true, 8::bigint, 8::bigint, (pg_temp.row_at('sh-t1', 8)).row_hash,
                           NULL::bigint, NULL::bigint, NULL::text$$,
                  'verify_chain(sh-t1): intact, 8 rows, head seq 8 and its hash, no break');
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'sh-t1';
SELECT is(ARRAY(SELECT concat_ws('|', tenant_id, intact::text, rows_checked, head_seq) FROM costsim.verify_chain()), ARRAY['sh-t1|true|8|8'],
          'backend: verify_chain() checks the caller''s tenant');
SET LOCAL costsim.tenant_id = 'sh-empty';
SELECT results_eq($$SELECT * FROM costsim.verify_chain()$$,
                  $$VALUES ('sh-empty'::text, true, 0::bigint, 0::bigint, repeat('0', 64), NULL::bigint, NULL::bigint, NULL::text)$$,
                  'a tenant with no rows: intact, head_seq 0, the genesis hash');
RESET ROLE;
SET LOCAL ROLE costsim_admin;
SET LOCAL costsim.tenant_id = 'sh-adm';
SELECT is(ARRAY(SELECT concat_ws('|', tenant_id, intact::text, rows_checked, head_seq) FROM costsim.verify_chain('sh-t1')), ARRAY['sh-t1|true|8|8'],
          'costsim_admin may verify another tenant''s chain (all its rows)');
SELECT ok(ARRAY['sh-t1', 'sh-t2', 'sh-trk'] <@ ARRAY(SELECT tenant_id FROM costsim.verify_chain()),
          'costsim_admin: verify_chain() checks every tenant');
RESET ROLE;
SELECT is(ARRAY(SELECT tenant_id || '|' || intact::text FROM costsim.verify_chain()
                 WHERE tenant_id LIKE 'sh-%' AND rows_checked > 0 ORDER BY tenant_id COLLATE "C"),
          ARRAY['sh-gold|true', 'sh-page|true', 'sh-stats|true', 'sh-t1|true', 'sh-t2|true', 'sh-trk|true', 'sh-tz|true', 'sh-tzfix|true'],
          'superuser: verify_chain() checks every tenant, all intact');
SELECT is(ARRAY(SELECT tenant_id || ':' || seq FROM costsim.status_history h
                 WHERE tenant_id IN ('sh-t1', 'sh-t2', 'sh-page', 'sh-stats', 'sh-tz') AND metadata = '{}'
                   AND row_hash IS DISTINCT FROM pg_temp.expected_hash(h)),
          '{}'::text[], 'golden: every row with empty metadata has the row_hash of the spec''s formula');

-------------------------------------------------------------------------------------------------------------
-- 9. Tampering by a superuser who bypasses the triggers (session_replication_role = replica): verify_chain
--    finds it.
-------------------------------------------------------------------------------------------------------------
SELECT lives_ok($$SELECT costsim.log_status_change('order', t || '-' || i, 'created', tenant_id => t)
                    FROM (VALUES ('sh-edit', 3), ('sh-gap', 3), ('sh-head', 3), ('sh-forge', 2), ('sh-forge2', 2)) v(t, n),
                         generate_series(1, n) i$$,
                'chains of 3, 3, 3, 2 and 2 rows for the tampering tenants');
SELECT is(ARRAY(SELECT tenant_id || '|' || intact::text FROM costsim.verify_chain() WHERE tenant_id IN ('sh-edit', 'sh-gap', 'sh-head', 'sh-forge', 'sh-forge2') ORDER BY tenant_id COLLATE "C"),
          ARRAY['sh-edit|true', 'sh-forge|true', 'sh-forge2|true', 'sh-gap|true', 'sh-head|true'],
          'before tampering: all intact');
-- An auditor's external anchor of sh-head, as an export would have given it: its head (seq 3) and head hash.
CREATE TEMP TABLE sh_anchor AS SELECT head_seq, head_hash FROM costsim.verify_chain('sh-head');
SET LOCAL session_replication_role = replica;
SELECT lives_ok($$UPDATE costsim.status_history SET reason = 'edited' WHERE tenant_id = 'sh-edit' AND seq = 2$$,
                'bypassing the triggers, a superuser edits a row');
SELECT lives_ok($$DELETE FROM costsim.status_history WHERE tenant_id = 'sh-gap' AND seq = 2$$,
                'bypassing the triggers, a superuser deletes a row from the middle');
SELECT lives_ok($$DELETE FROM costsim.status_history WHERE tenant_id = 'sh-head' AND seq = 3$$,
                'bypassing the triggers, a superuser deletes the newest row');
SELECT lives_ok($$INSERT INTO costsim.status_history (tenant_id, seq, entity_type, entity_id, new_status, actor_type, created_at, prev_hash, row_hash)
                  VALUES ('sh-forge', 3, 'order', 'forged', 'created', 'system', now(), repeat('f', 64), repeat('f', 64))$$,
                'bypassing the triggers, a superuser inserts a forged row');
SELECT lives_ok($$INSERT INTO costsim.status_history (tenant_id, seq, entity_type, entity_id, new_status, actor_type, created_at, prev_hash, row_hash)
                  VALUES ('sh-forge2', 3, 'order', 'forged', 'created', 'system', now(), (pg_temp.row_at('sh-forge2', 2)).row_hash, 'x')$$,
                'bypassing the triggers, a superuser appends a row');
SELECT lives_ok($$UPDATE costsim.status_history h SET row_hash = pg_temp.expected_hash(h) WHERE tenant_id = 'sh-forge2' AND seq = 3$$,
                '... and gives it the right row_hash (computed by the spec''s formula)');
SET LOCAL session_replication_role = origin;
SELECT results_eq($$SELECT intact, broken_seq, broken_id, reason FROM costsim.verify_chain('sh-edit')$$,
                  $$SELECT false, 2::bigint, (pg_temp.row_at('sh-edit', 2)).id, 'row_hash mismatch'::text$$,
                  'an edited row: row_hash mismatch at its seq');
SELECT results_eq($$SELECT intact, broken_seq, broken_id, reason FROM costsim.verify_chain('sh-gap')$$,
                  $$SELECT false, 2::bigint, (pg_temp.row_at('sh-gap', 3)).id, 'sequence gap'::text$$,
                  'a row deleted from the middle: sequence gap at its seq, the row found there');
-- What the chain cannot detect alone (docs/sql.md): the newest row deleted leaves a shorter valid chain ...
SELECT results_eq($$SELECT intact, head_seq FROM costsim.verify_chain('sh-head')$$,
                  $$VALUES (true, 2::bigint)$$,
                  'the newest row deleted: the chain alone is still intact, two rows long');
-- ... which the external anchor shows.
SELECT is((SELECT count(*) FROM costsim.status_history h JOIN sh_anchor a ON h.seq = a.head_seq AND h.row_hash = a.head_hash
            WHERE h.tenant_id = 'sh-head'),
          0::bigint, 'the newest row deleted: the kept anchor (head_seq, head_hash) is no longer in the chain');
SELECT results_eq($$SELECT intact, broken_seq, broken_id, reason FROM costsim.verify_chain('sh-forge')$$,
                  $$SELECT false, 3::bigint, (pg_temp.row_at('sh-forge', 3)).id, 'prev_hash mismatch'::text$$,
                  'a forged row: prev_hash mismatch at its seq');
SELECT results_eq($$SELECT intact, head_seq FROM costsim.verify_chain('sh-forge2')$$,
                  $$VALUES (true, 3::bigint)$$,
                  'a row appended behind the triggers'' back with correct hashes extends the chain: undetectable alone (documented)');
SELECT is(ARRAY(SELECT tenant_id FROM costsim.verify_chain() WHERE tenant_id LIKE 'sh-%' AND NOT intact ORDER BY tenant_id COLLATE "C"),
          ARRAY['sh-edit', 'sh-forge', 'sh-gap'],
          'superuser: verify_chain() reports exactly the tampered tenants');
SET LOCAL ROLE costsim_auditor;
SET LOCAL costsim.tenant_id = 'sh-edit';
SELECT is(ARRAY(SELECT concat_ws('|', tenant_id, intact::text, broken_seq, reason) FROM costsim.verify_chain()), ARRAY['sh-edit|false|2|row_hash mismatch'],
          'the tenant''s auditor sees its chain broken');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
