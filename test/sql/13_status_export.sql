-- Signed exports of the audit log (docs/sql.md "The audit log: costsim.status_history (0.3)", "Exports"):
-- costsim.create_export / costsim.download_export. Every expected file is built here, independently, from the
-- stored columns and the documented layout; the canonical (RFC 8785) metadata texts are written by hand.
-- Tenants of this file: ex13-*.
BEGIN;
SELECT plan(171);

-------------------------------------------------------------------------------------------------------------
-- Helpers: the documented CSV layout, field by field.
-------------------------------------------------------------------------------------------------------------
-- RFC 4180 field: NULL empty, the empty string "", quoted (quotes doubled) when it holds , " CR or LF.
CREATE FUNCTION pg_temp.csv_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v IS NULL THEN ''
              WHEN v = '' THEN '""'
              WHEN strpos(v, ',') > 0 OR strpos(v, '"') > 0 OR strpos(v, chr(13)) > 0 OR strpos(v, chr(10)) > 0
                THEN '"' || replace(v, '"', '""') || '"'
              ELSE v END
$$;
-- The RFC 8785 texts of the metadata used in this file, written by hand.
CREATE FUNCTION pg_temp.canon(m jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce((SELECT c FROM (VALUES
      ('{}'::jsonb, '{}'),
      ('{"b":1,"a":"x"}'::jsonb, '{"a":"x","b":1}'),
      ('{"z":[1,2],"y":{"k":null}}'::jsonb, '{"y":{"k":null},"z":[1,2]}'),
      ('{"s":"é","n":-0.5}'::jsonb, '{"n":-0.5,"s":"é"}'),
      ('{"q":"a,\"b\""}'::jsonb, '{"q":"a,\"b\""}')) AS t(m, c) WHERE t.m = canon.m),
    '<no hand-written canonical form for ' || m::text || '>')
$$;
CREATE FUNCTION pg_temp.iso(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;
CREATE FUNCTION pg_temp.csv_line(h costsim.status_history) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT concat_ws(',', pg_temp.csv_field(h.id::text), pg_temp.csv_field(h.seq::text), pg_temp.csv_field(h.tenant_id),
                   pg_temp.csv_field(h.entity_type), pg_temp.csv_field(h.entity_id), pg_temp.csv_field(h.old_status),
                   pg_temp.csv_field(h.new_status), pg_temp.csv_field(h.actor_type), pg_temp.csv_field(h.actor_id),
                   pg_temp.csv_field(h.reason), pg_temp.csv_field(h.correlation_id),
                   pg_temp.csv_field(pg_temp.canon(h.metadata)), pg_temp.csv_field(pg_temp.iso(h.created_at)),
                   pg_temp.csv_field(h.prev_hash), pg_temp.csv_field(h.row_hash)) || E'\r\n'
$$;
CREATE FUNCTION pg_temp.csv_header() RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT 'id,seq,tenant_id,entity_type,entity_id,old_status,new_status,actor_type,actor_id,reason,correlation_id,'
         'metadata,created_at,prev_hash,row_hash' || E'\r\n'
$$;
-- The expected CSV of a tenant's rows with seq <= head whose id is in ids (NULL: all of them).
CREATE FUNCTION pg_temp.expected_csv(tenant text, head bigint, ids bigint[]) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT pg_temp.csv_header() || coalesce(string_agg(pg_temp.csv_line(h), '' ORDER BY h.seq), '')
    FROM costsim.status_history h
   WHERE h.tenant_id = tenant AND h.seq <= head AND (ids IS NULL OR h.id = ANY (ids))
$$;
-- The expected JSON object of a row (every member; created_at as in the CSV).
CREATE FUNCTION pg_temp.row_json(h costsim.status_history) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('id', h.id, 'seq', h.seq, 'tenant_id', h.tenant_id, 'entity_type', h.entity_type,
           'entity_id', h.entity_id, 'old_status', h.old_status, 'new_status', h.new_status, 'actor_type', h.actor_type,
           'actor_id', h.actor_id, 'reason', h.reason, 'correlation_id', h.correlation_id, 'metadata', h.metadata,
           'created_at', pg_temp.iso(h.created_at), 'prev_hash', h.prev_hash, 'row_hash', h.row_hash)
$$;
CREATE FUNCTION pg_temp.wall_epoch() RETURNS numeric LANGUAGE sql VOLATILE AS $$
  SELECT extract(epoch FROM clock_timestamp())
$$;

-- What the tests keep: the exports (as created) and their downloads.
CREATE TEMP TABLE ex (name text PRIMARY KEY, tenant text, fmt text, export_id uuid, record_count bigint,
                      byte_count bigint, sha256 text, head_seq bigint, head_hash text, expires_at timestamptz,
                      expires bigint, sig text, wall_before numeric, wall_after numeric);
CREATE TEMP TABLE dl (name text, n int, b bytea, PRIMARY KEY (name, n));
GRANT ALL ON ex, dl TO PUBLIC;
-- export NAME TENANT FORMAT [filters]: as the current role, under the current costsim.tenant_id.
CREATE FUNCTION pg_temp.export(name text, tenant text, fmt text, entity_type text DEFAULT NULL,
                               entity_id text DEFAULT NULL, actor_type text DEFAULT NULL, new_status text DEFAULT NULL,
                               created_from timestamptz DEFAULT NULL, created_to timestamptz DEFAULT NULL)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t0 numeric := pg_temp.wall_epoch();
BEGIN
  INSERT INTO pg_temp.ex SELECT name, tenant, fmt, e.export_id, e.record_count, e.byte_count, e.sha256, e.head_seq,
                                e.head_hash, e.expires_at, e.expires, e.sig, t0, pg_temp.wall_epoch()
    FROM costsim.create_export(fmt, entity_type, entity_id, actor_type, new_status, created_from, created_to) e;
END
$$;
CREATE FUNCTION pg_temp.download(name text, n int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO pg_temp.dl SELECT name, n, costsim.download_export(e.export_id, e.fmt, e.expires, e.sig)
    FROM pg_temp.ex e WHERE e.name = download.name
$$;
CREATE FUNCTION pg_temp.bytes(name text, n int DEFAULT 1) RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT b FROM pg_temp.dl d WHERE d.name = bytes.name AND d.n = bytes.n
$$;
CREATE FUNCTION pg_temp.dl_sql(name text, fmt text DEFAULT NULL, export_id text DEFAULT NULL,
                               expires text DEFAULT NULL, sig text DEFAULT NULL) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT format('SELECT costsim.download_export(%L::uuid, %L, %s, %L)', coalesce(dl_sql.export_id, e.export_id::text),
                coalesce(dl_sql.fmt, e.fmt), coalesce(dl_sql.expires, e.expires::text), coalesce(dl_sql.sig, e.sig))
    FROM pg_temp.ex e WHERE e.name = dl_sql.name
$$;

-------------------------------------------------------------------------------------------------------------
-- 1. Expiry (first, so that little time has passed since the transaction began), and who may set the TTL.
-------------------------------------------------------------------------------------------------------------
SET LOCAL ROLE costsim_backend;
SELECT throws_ok($$SET LOCAL costsim.export_ttl = 1$$, '42501', NULL,
                 'costsim.export_ttl is superuser-only: costsim_backend cannot SET LOCAL it');
SELECT throws_ok($$SELECT set_config('costsim.export_ttl', '1', false)$$, '42501', NULL,
                 'costsim_backend cannot set costsim.export_ttl with set_config either');
SET LOCAL ROLE costsim_admin;
SELECT throws_ok($$SET LOCAL costsim.export_ttl = 1$$, '42501', NULL, 'costsim_admin cannot set costsim.export_ttl');
SET LOCAL ROLE costsim_auditor;
SELECT throws_ok($$SET costsim.export_ttl = 100000$$, '42501', NULL, 'costsim_auditor cannot set costsim.export_ttl');
RESET ROLE;

SET LOCAL costsim.export_ttl = 1;
SET LOCAL costsim.tenant_id = 'ex13-ttl';
SELECT seq AS added FROM costsim.log_status_change('job', 'ttl-1', 'running') \gset
SET LOCAL ROLE costsim_backend;
SELECT pg_temp.export('ttl', 'ex13-ttl', 'csv');
-- (expires may count from the transaction's start, now(), or from the wall clock)
SELECT ok((SELECT expires BETWEEN floor(extract(epoch FROM now())) + 1 - 1 AND ceil(wall_after) + 1 FROM ex WHERE name = 'ttl'),
          'export_ttl = 1: the link expires one second after create_export');
SELECT lives_ok($$SELECT pg_temp.download('ttl', 1)$$, 'export_ttl = 1: a download at once succeeds');
DO $$BEGIN PERFORM pg_sleep(2.2); END$$;
SELECT throws_ok(pg_temp.dl_sql('ttl'), '42501', NULL, 'export_ttl = 1: the same link 2.2 s later is expired (42501)');
RESET ROLE;
SET LOCAL costsim.export_ttl TO DEFAULT;

-------------------------------------------------------------------------------------------------------------
-- 2. The rows of tenant ex13-a: NULLs, empty strings, commas, quotes, CR, LF, non-ASCII, nested metadata.
--    (The expected files take created_at from the table, whoever sets it.)
-------------------------------------------------------------------------------------------------------------
SET LOCAL TimeZone = 'America/St_Johns';   -- -03:30: the file must not depend on it
SET LOCAL DateStyle = 'SQL, DMY';
INSERT INTO costsim.status_history (tenant_id, entity_type, entity_id, old_status, new_status, actor_type, actor_id,
                                    reason, correlation_id, metadata)
VALUES ('ex13-a', 'order', 'o-1', NULL, 'created', 'system', NULL, NULL, NULL, '{"b":1,"a":"x"}'),
       ('ex13-a', 'order', 'o-1', 'created', 'paid', 'user', 'u,1', 'said "hi"', '', '{}'),
       ('ex13-a', 'invoice', 'i-7', NULL, 'done', 'role', 'alice', E'line1\nline2', E'a\rb',
        '{"z":[1,2],"y":{"k":null}}'),
       ('ex13-a', 'order', 'o-2', NULL, 'done', 'system', NULL, 'ünïcode ✓', E'crlf\r\nend', '{"s":"é","n":-0.5}'),
       ('ex13-a', 'order', 'o-3', 'paid', 'done', 'system', ' padded ', '"', ',', '{"q":"a,\"b\""}');
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'ex13-a';
SELECT seq AS added FROM costsim.log_status_change('order', 'o-3', 'shipped', 'done', 'user', 'bob', NULL, 'corr-1',
                                                    '{"b":1,"a":"x"}') \gset
RESET ROLE;
SELECT is((SELECT count(*) FROM costsim.status_history WHERE tenant_id = 'ex13-a'), 6::bigint,
          'tenant ex13-a has its six rows');

-------------------------------------------------------------------------------------------------------------
-- 3. A CSV export of ex13-a as costsim_backend: what create_export returns, the file, the audit rows.
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE head_a AS
  SELECT seq, row_hash FROM costsim.status_history WHERE tenant_id = 'ex13-a' ORDER BY seq DESC LIMIT 1;
SET LOCAL ROLE costsim_backend;
SELECT pg_temp.export('a_csv', 'ex13-a', 'csv');
SELECT pg_temp.download('a_csv', 1);
SELECT seq AS added FROM costsim.log_status_change('order', 'o-4', 'created') \gset
SELECT pg_temp.download('a_csv', 2);
RESET ROLE;

SELECT is((SELECT head_seq FROM ex WHERE name = 'a_csv'), (SELECT seq FROM head_a),
          'csv: head_seq is the tenant''s newest row at export time');
SELECT is((SELECT head_hash FROM ex WHERE name = 'a_csv'), (SELECT row_hash FROM head_a),
          'csv: head_hash is that row''s row_hash');
SELECT is((SELECT record_count FROM ex WHERE name = 'a_csv'), 6::bigint, 'csv: record_count = 6');
SELECT ok((SELECT sig ~ '^[0-9a-f]{64}$' FROM ex WHERE name = 'a_csv'), 'csv: sig is 64 lowercase hex characters');
SELECT ok((SELECT expires BETWEEN floor(extract(epoch FROM now())) + 3600 - 1 AND ceil(wall_after) + 3600
             FROM ex WHERE name = 'a_csv'),
          'csv: expires = now + 3600 s (the default costsim.export_ttl)');
SELECT ok((SELECT abs(extract(epoch FROM expires_at) - expires) < 1 FROM ex WHERE name = 'a_csv'),
          'csv: expires_at is the same instant as expires');
SELECT is(convert_from(pg_temp.bytes('a_csv'), 'UTF8'),
          pg_temp.expected_csv('ex13-a', (SELECT seq FROM head_a), NULL),
          'csv: the file is exactly the documented layout of the six rows');
-- The first data lines, written out literally (only the generated id, created_at and the hashes come from the table).
SELECT is(split_part(convert_from(pg_temp.bytes('a_csv'), 'UTF8'), E'\r\n', 2),
          (SELECT id || ',1,ex13-a,order,o-1,,created,system,,,,"{""a"":""x"",""b"":1}",'
                  || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || ',' || prev_hash || ','
                  || row_hash
             FROM costsim.status_history WHERE tenant_id = 'ex13-a' AND seq = 1),
          'csv: first row, literally');
SELECT is(split_part(convert_from(pg_temp.bytes('a_csv'), 'UTF8'), E'\r\n', 3),
          (SELECT id || ',2,ex13-a,order,o-1,created,paid,user,"u,1","said ""hi""","",{},'
                  || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || ',' || prev_hash || ','
                  || row_hash
             FROM costsim.status_history WHERE tenant_id = 'ex13-a' AND seq = 2),
          'csv: second row (comma, quotes, empty string), literally');
SELECT is((SELECT count(*) FROM regexp_matches(convert_from(pg_temp.bytes('a_csv'), 'UTF8'),
             ',[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z,[0-9a-f]{64},[0-9a-f]{64}' || E'\r\n', 'g')),
          6::bigint, 'csv: all six rows end with created_at as YYYY-MM-DDTHH:MI:SS.ffffffZ, prev_hash, row_hash, CRLF');
SELECT is((SELECT prev_hash FROM costsim.status_history WHERE tenant_id = 'ex13-a' AND seq = 1), repeat('0', 64),
          'csv: seq 1 has the genesis prev_hash');
SELECT is(left(convert_from(pg_temp.bytes('a_csv'), 'UTF8'), length(pg_temp.csv_header())),
          'id,seq,tenant_id,entity_type,entity_id,old_status,new_status,actor_type,actor_id,reason,correlation_id,metadata,created_at,prev_hash,row_hash'
          || E'\r\n', 'csv: the header line, then CRLF');
SELECT is(pg_temp.bytes('a_csv'), (SELECT convert_to(pg_temp.expected_csv('ex13-a', seq, NULL), 'UTF8') FROM head_a),
          'csv: byte for byte (UTF-8) the expected file');
SELECT is((SELECT sha256 FROM ex WHERE name = 'a_csv'), encode(sha256(pg_temp.bytes('a_csv')), 'hex'),
          'csv: sha256 = SHA-256 of the downloaded bytes');
SELECT is((SELECT byte_count FROM ex WHERE name = 'a_csv'), length(pg_temp.bytes('a_csv'))::bigint,
          'csv: byte_count = the downloaded length');
SELECT is(pg_temp.bytes('a_csv', 2), pg_temp.bytes('a_csv', 1),
          'csv: a second download, after more rows were added, gives identical bytes');
SELECT ok(position(convert_to('o-4', 'UTF8') IN pg_temp.bytes('a_csv', 2)) = 0
          AND position(convert_to('status_history_export', 'UTF8') IN pg_temp.bytes('a_csv', 2)) = 0,
          'csv: neither the export''s own audit row nor the later row is in the file');
-- The audit rows.
SELECT is((SELECT array_agg(coalesce(old_status, 'NULL') || ' -> ' || new_status ORDER BY seq)
             FROM costsim.status_history h, ex
            WHERE ex.name = 'a_csv' AND h.tenant_id = 'ex13-a' AND h.entity_type = 'status_history_export'
              AND h.entity_id = ex.export_id::text),
          ARRAY['NULL -> created', 'created -> downloaded', 'created -> downloaded'],
          'audit: the export (created) and both downloads (downloaded) are in status_history');
SELECT is((SELECT h.seq FROM costsim.status_history h, ex
            WHERE ex.name = 'a_csv' AND h.tenant_id = 'ex13-a' AND h.entity_type = 'status_history_export'
              AND h.entity_id = ex.export_id::text AND h.new_status = 'created'),
          (SELECT seq + 1 FROM head_a), 'audit: the created row is the next row after the head the export covers');
SELECT ok((SELECT bool_and(h.metadata @? format('$.** ? (@ == "%s")', ex.sha256)::jsonpath
                           AND h.metadata @? '$.** ? (@ == "csv")')
             FROM costsim.status_history h, ex
            WHERE ex.name = 'a_csv' AND h.tenant_id = 'ex13-a' AND h.entity_type = 'status_history_export'
              AND h.entity_id = ex.export_id::text),
          'audit: the metadata of each audit row holds the format and the file''s hash');
SELECT results_eq($$SELECT intact, rows_checked FROM costsim.verify_chain('ex13-a')$$,
                  $$VALUES (true, 10::bigint)$$, 'audit: the chain of ex13-a is intact with its ten rows');

-------------------------------------------------------------------------------------------------------------
-- 4. Signature tampering: each of the 64 characters, and every other change of the link (42501).
-------------------------------------------------------------------------------------------------------------
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'ex13-a';
SELECT throws_ok(pg_temp.dl_sql('a_csv', sig => overlay(e.sig PLACING
                   translate(substr(e.sig, i, 1), '0123456789abcdef', '123456789abcdef0') FROM i FOR 1)),
                 '42501', NULL, format('tampered link: sig character %s changed', i))
  FROM ex e, generate_series(1, 64) i WHERE e.name = 'a_csv';
SELECT throws_ok(pg_temp.dl_sql('a_csv', sig => (SELECT left(sig, 63) FROM ex WHERE name = 'a_csv')), '42501', NULL,
                 'tampered link: sig truncated to 63 characters');
SELECT throws_ok(pg_temp.dl_sql('a_csv', sig => (SELECT left(sig, 32) FROM ex WHERE name = 'a_csv')), '42501', NULL,
                 'tampered link: sig truncated to 32 characters');
SELECT throws_ok(pg_temp.dl_sql('a_csv', sig => ''), '42501', NULL, 'tampered link: empty sig');
SELECT throws_ok(pg_temp.dl_sql('a_csv', sig => (SELECT sig || '0' FROM ex WHERE name = 'a_csv')), '42501', NULL,
                 'tampered link: sig with a 65th character');
SELECT ok((SELECT upper(sig) <> sig FROM ex WHERE name = 'a_csv'), 'the sig has a letter to upper-case');
SELECT throws_ok(pg_temp.dl_sql('a_csv', sig => (SELECT upper(sig) FROM ex WHERE name = 'a_csv')), '42501', NULL,
                 'tampered link: upper-cased sig');
SELECT throws_ok(pg_temp.dl_sql('a_csv', export_id => gen_random_uuid()::text), '42501', NULL,
                 'tampered link: another (unknown) export_id');
SELECT throws_ok(pg_temp.dl_sql('a_csv', export_id => (SELECT overlay(export_id::text PLACING
                   CASE WHEN substr(export_id::text, 36, 1) = '0' THEN '1' ELSE '0' END FROM 36 FOR 1)
                   FROM ex WHERE name = 'a_csv')), '42501', NULL, 'tampered link: last character of export_id changed');
SELECT throws_ok(pg_temp.dl_sql('a_csv', fmt => 'jsonl'), '42501', NULL,
                 'tampered link: format jsonl on a csv link (the signature covers the format)');
SELECT throws_ok(pg_temp.dl_sql('a_csv', expires => (SELECT (expires + 1)::text FROM ex WHERE name = 'a_csv')),
                 '42501', NULL, 'tampered link: expires + 1');
SELECT throws_ok(pg_temp.dl_sql('a_csv', expires => (SELECT (expires - 1)::text FROM ex WHERE name = 'a_csv')),
                 '42501', NULL, 'tampered link: expires - 1');
SELECT throws_ok(pg_temp.dl_sql('a_csv', expires => (SELECT (expires + 86400 * 365)::text FROM ex WHERE name = 'a_csv')),
                 '42501', NULL, 'tampered link: expires a year later');
SELECT lives_ok(pg_temp.dl_sql('a_csv'), 'the untampered link still works after all that');
-- Another real export of the same tenant: its id with the first one's signature.
SELECT pg_temp.export('a_csv2', 'ex13-a', 'csv');
SELECT throws_ok(pg_temp.dl_sql('a_csv', export_id => (SELECT export_id::text FROM ex WHERE name = 'a_csv2')),
                 '42501', NULL, 'tampered link: another export''s id with this export''s sig');
SELECT throws_ok(pg_temp.dl_sql('a_csv2', expires => (SELECT expires::text FROM ex WHERE name = 'a_csv'),
                                sig => (SELECT sig FROM ex WHERE name = 'a_csv')),
                 '42501', NULL, 'tampered link: another export''s expires and sig');

-------------------------------------------------------------------------------------------------------------
-- 5. Other tenants, unknown formats, the secret.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.tenant_id = 'ex13-b';
SELECT throws_ok(pg_temp.dl_sql('a_csv'), '42501', NULL, 'another tenant''s link (costsim_backend of ex13-b): 42501');
SET LOCAL ROLE costsim_auditor;
SELECT throws_ok(pg_temp.dl_sql('a_csv'), '42501', NULL, 'another tenant''s link (costsim_auditor of ex13-b): 42501');
SET LOCAL ROLE costsim_admin;
SELECT throws_ok(pg_temp.dl_sql('a_csv'), '42501', NULL, 'another tenant''s link (costsim_admin of ex13-b): 42501');
SET LOCAL costsim.tenant_id = '';
SELECT throws_ok(pg_temp.dl_sql('a_csv'), '42501', NULL, 'another tenant''s link (the default tenant): 42501');
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'ex13-a';
SELECT throws_ok($$SELECT * FROM costsim.create_export('xml')$$, '22023', NULL, 'create_export: unknown format xml: 22023');
SELECT throws_ok($$SELECT * FROM costsim.create_export('parquet')$$, '22023', NULL, 'create_export: parquet is not a format here: 22023');
SELECT throws_ok($$SELECT * FROM costsim.create_export('CSV')$$, '22023', NULL, 'create_export: CSV (upper case) is not a format: 22023');
SELECT throws_ok($$SELECT * FROM costsim.create_export('')$$, '22023', NULL, 'create_export: empty format: 22023');
SELECT throws_ok(pg_temp.dl_sql('a_csv', fmt => 'xml'), '22023', NULL, 'download_export: unknown format xml: 22023');
SELECT throws_ok(pg_temp.dl_sql('a_csv', fmt => 'parquet'), '22023', NULL, 'download_export: unknown format parquet: 22023');
RESET ROLE;
SET LOCAL ROLE costsim_backend;
SELECT throws_ok($$SELECT * FROM costsim.export_signing_key$$, '42501', NULL, 'costsim_backend cannot read the signing key');
SELECT throws_ok($$UPDATE costsim.export_signing_key SET secret = '\x00'$$, '42501', NULL,
                 'costsim_backend cannot replace the signing key');
SET LOCAL ROLE costsim_admin;
SELECT throws_ok($$SELECT * FROM costsim.export_signing_key$$, '42501', NULL, 'costsim_admin cannot read the signing key');
SELECT throws_ok($$SELECT count(*) FROM costsim.export_signing_key$$, '42501', NULL,
                 'costsim_admin cannot even count the signing key rows');
SET LOCAL ROLE costsim_auditor;
SELECT throws_ok($$SELECT * FROM costsim.export_signing_key$$, '42501', NULL, 'costsim_auditor cannot read the signing key');
SELECT throws_ok($$SELECT secret FROM costsim.export_signing_key$$, '42501', NULL,
                 'costsim_auditor cannot read the secret column');
RESET ROLE;
SELECT is((SELECT count(*) FROM unnest(ARRAY['costsim_backend', 'costsim_admin', 'costsim_auditor']) r,
                  unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES']) p
            WHERE has_table_privilege(r, 'costsim.export_signing_key', p)
               OR has_any_column_privilege(r, 'costsim.export_signing_key', 'SELECT')), 0::bigint,
          'no costsim role has any privilege on costsim.export_signing_key (nor on any of its columns)');
SELECT is((SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'costsim.export_signing_key'::regclass),
          (SELECT pg_get_userbyid(extowner) FROM pg_extension WHERE extname = 'costsim'),
          'the signing key table is owned by the extension''s owner');

-------------------------------------------------------------------------------------------------------------
-- 6. JSONL of ex13-a (now with audit rows and the later row), by costsim_auditor (auditors export).
-------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE head_a2 AS
  SELECT seq, row_hash FROM costsim.status_history WHERE tenant_id = 'ex13-a' ORDER BY seq DESC LIMIT 1;
GRANT SELECT ON head_a, head_a2 TO PUBLIC;
SET LOCAL ROLE costsim_auditor;
SET LOCAL costsim.tenant_id = 'ex13-a';
SELECT lives_ok($$SELECT pg_temp.export('a_jsonl', 'ex13-a', 'jsonl')$$, 'jsonl: costsim_auditor may create an export');
SELECT lives_ok($$SELECT pg_temp.download('a_jsonl', 1)$$, 'jsonl: costsim_auditor may download it');
RESET ROLE;
CREATE TEMP TABLE jl AS
  SELECT ord, line FROM regexp_split_to_table(convert_from(pg_temp.bytes('a_jsonl'), 'UTF8'), E'\n')
                        WITH ORDINALITY AS t(line, ord);
SELECT is((SELECT head_seq FROM ex WHERE name = 'a_jsonl'), (SELECT seq FROM head_a2),
          'jsonl: head_seq is the newest row at export time (after the csv export''s audit rows)');
SELECT is((SELECT head_hash FROM ex WHERE name = 'a_jsonl'), (SELECT row_hash FROM head_a2), 'jsonl: head_hash');
SELECT is((SELECT record_count FROM ex WHERE name = 'a_jsonl'), (SELECT seq FROM head_a2), 'jsonl: record_count = every row up to the head');
SELECT is((SELECT line FROM jl ORDER BY ord DESC LIMIT 1), '', 'jsonl: the file ends with LF');
SELECT is((SELECT count(*) FROM jl WHERE line <> ''), (SELECT seq FROM head_a2), 'jsonl: one line per row');
SELECT is(position('\x0d'::bytea IN pg_temp.bytes('a_jsonl')), 0, 'jsonl: no CR anywhere (LF line ends, CR escaped)');
SELECT is((SELECT array_agg((line::jsonb) - 'created_at' ORDER BY ord) FROM jl WHERE line <> ''),
          (SELECT array_agg(pg_temp.row_json(h) - 'created_at' ORDER BY seq) FROM costsim.status_history h
            WHERE tenant_id = 'ex13-a' AND seq <= (SELECT seq FROM head_a2)),
          'jsonl: every line (parsed) equals its row, in seq order (all members but created_at)');
SELECT is((SELECT array_agg((line::jsonb ->> 'created_at')::timestamptz ORDER BY ord) FROM jl WHERE line <> ''),
          (SELECT array_agg(created_at ORDER BY seq) FROM costsim.status_history
            WHERE tenant_id = 'ex13-a' AND seq <= (SELECT seq FROM head_a2)),
          'jsonl: created_at is the same instant as the row''s');
SELECT is((SELECT array_agg(line::jsonb ->> 'created_at' ORDER BY ord) FROM jl WHERE line <> ''),
          (SELECT array_agg(pg_temp.iso(created_at) ORDER BY seq) FROM costsim.status_history
            WHERE tenant_id = 'ex13-a' AND seq <= (SELECT seq FROM head_a2)),
          'jsonl: created_at written as in the csv (ISO 8601 UTC, microseconds)');
SELECT is((SELECT count(*) FROM jl WHERE line <> '' AND
             ARRAY(SELECT json_object_keys(line::json)) <> ARRAY['id', 'seq', 'tenant_id', 'entity_type', 'entity_id',
               'old_status', 'new_status', 'actor_type', 'actor_id', 'reason', 'correlation_id', 'metadata', 'created_at',
               'prev_hash', 'row_hash']), 0::bigint, 'jsonl: every line has the members in the csv''s column order');
SELECT is((SELECT count(*) FROM jl WHERE line <> '' AND jsonb_typeof(line::jsonb -> 'metadata') <> 'object'), 0::bigint,
          'jsonl: metadata is an object');
SELECT is((SELECT sha256 FROM ex WHERE name = 'a_jsonl'), encode(sha256(pg_temp.bytes('a_jsonl')), 'hex'),
          'jsonl: sha256 = SHA-256 of the downloaded bytes');
SELECT is((SELECT byte_count FROM ex WHERE name = 'a_jsonl'), length(pg_temp.bytes('a_jsonl'))::bigint,
          'jsonl: byte_count = the downloaded length');
SELECT is((SELECT array_agg(coalesce(h.old_status, 'NULL') || ' -> ' || h.new_status ORDER BY h.seq)
             FROM costsim.status_history h, ex
            WHERE ex.name = 'a_jsonl' AND h.tenant_id = 'ex13-a' AND h.entity_type = 'status_history_export'
              AND h.entity_id = ex.export_id::text),
          ARRAY['NULL -> created', 'created -> downloaded'], 'jsonl: the auditor''s export and download are audited too');
SELECT is((SELECT h.metadata @? '$.** ? (@ == "jsonl")' FROM costsim.status_history h, ex
            WHERE ex.name = 'a_jsonl' AND h.entity_id = ex.export_id::text AND h.new_status = 'created'),
          true, 'jsonl: the audit row names the format');

-------------------------------------------------------------------------------------------------------------
-- 7. Empty exports: a tenant without rows, and a filter that matches nothing.
-------------------------------------------------------------------------------------------------------------
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'ex13-empty';
SELECT pg_temp.export('empty_csv', 'ex13-empty', 'csv');
SELECT pg_temp.download('empty_csv', 1);
SELECT pg_temp.export('empty_jsonl', 'ex13-empty', 'jsonl', entity_type => 'nothing-here');
SELECT pg_temp.download('empty_jsonl', 1);
SET LOCAL costsim.tenant_id = 'ex13-a';
SELECT pg_temp.export('a_none', 'ex13-a', 'csv', entity_type => 'nothing-here');
SELECT pg_temp.download('a_none', 1);
RESET ROLE;
SELECT is(pg_temp.bytes('empty_csv'),
          convert_to('id,seq,tenant_id,entity_type,entity_id,old_status,new_status,actor_type,actor_id,reason,'
                     'correlation_id,metadata,created_at,prev_hash,row_hash' || E'\r\n', 'UTF8'),
          'empty tenant: the csv is the header line and CRLF, nothing else');
SELECT results_eq($$SELECT record_count, byte_count, sha256, head_seq, head_hash FROM ex WHERE name = 'empty_csv'$$,
                  $$SELECT 0::bigint, length(pg_temp.bytes('empty_csv'))::bigint,
                           encode(sha256(pg_temp.bytes('empty_csv')), 'hex'), 0::bigint, repeat('0', 64)$$,
                  'empty tenant: record_count 0, byte_count and sha256 of the header, head_seq 0 and the genesis hash');
SELECT is(pg_temp.bytes('empty_jsonl'), ''::bytea, 'a jsonl export of no rows is empty');
SELECT results_eq($$SELECT record_count, byte_count, sha256 FROM ex WHERE name = 'empty_jsonl'$$,
                  $$VALUES (0::bigint, 0::bigint, encode(sha256(''::bytea), 'hex'))$$,
                  'empty jsonl: record_count 0, byte_count 0, the SHA-256 of nothing');
SELECT is((SELECT head_seq FROM ex WHERE name = 'empty_jsonl'), 2::bigint,
          'empty jsonl: head_seq covers the first export''s two audit rows (created, downloaded) of ex13-empty');
SELECT is(convert_from(pg_temp.bytes('a_none'), 'UTF8'), pg_temp.csv_header(),
          'a filter matching nothing: header line only');
SELECT is((SELECT record_count FROM ex WHERE name = 'a_none'), 0::bigint, 'a filter matching nothing: record_count 0');
SELECT results_eq($$SELECT ex.head_seq, ex.head_hash FROM ex WHERE name = 'a_none'$$,
                  $$SELECT p.seq, p.row_hash FROM costsim.status_history p, costsim.status_history c, ex
                     WHERE ex.name = 'a_none' AND c.tenant_id = 'ex13-a' AND c.entity_id = ex.export_id::text
                       AND c.new_status = 'created' AND p.tenant_id = 'ex13-a' AND p.seq = c.seq - 1$$,
                  'a filter matching nothing: head_seq/head_hash are still the tenant''s head (the row before the audit row)');
SELECT is((SELECT count(*) FROM costsim.status_history h, ex
            WHERE ex.name IN ('empty_csv', 'empty_jsonl', 'a_none') AND h.entity_type = 'status_history_export'
              AND h.entity_id = ex.export_id::text AND h.tenant_id = ex.tenant), 6::bigint,
          'empty exports and their downloads are audited too (3 created + 3 downloaded)');

-------------------------------------------------------------------------------------------------------------
-- 8. Filters: entity_type, entity_id, actor_type, new_status, the time range, and combinations.
-------------------------------------------------------------------------------------------------------------
-- Five rows a few milliseconds apart (created_at from the table: the time ranges take their bounds from it).
SET LOCAL costsim.tenant_id = 'ex13-f';
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES (1, 'job', 'j-1', NULL, 'running', 'system', '{}'),
                                 (2, 'job', 'j-1', 'running', 'done', 'system', '{"b":1,"a":"x"}'),
                                 (3, 'job', 'j-2', NULL, 'running', 'user', '{}'),
                                 (4, 'task', 't-1', NULL, 'done', 'system', '{}'),
                                 (5, 'task', 't-2', NULL, 'running', 'system', '{}')) AS v(o, et, eid, os, ns, at, md)
            ORDER BY o LOOP
    PERFORM costsim.log_status_change(r.et, r.eid, r.ns, r.os, r.at, metadata => r.md::jsonb);
    PERFORM pg_sleep(0.005);
  END LOOP;
END
$$;
CREATE TEMP TABLE f AS
  SELECT entity_id || '/' || new_status AS k, id, seq, created_at FROM costsim.status_history WHERE tenant_id = 'ex13-f';
GRANT SELECT ON f TO PUBLIC;
SELECT ok((SELECT bool_and(a.created_at < b.created_at) FROM f a JOIN f b ON b.seq = a.seq + 1)
          AND (SELECT count(*) FROM f) = 5, 'filters: five rows, created_at strictly increasing');
CREATE FUNCTION pg_temp.at(k text) RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT created_at FROM pg_temp.f WHERE f.k = at.k
$$;
CREATE FUNCTION pg_temp.ids(VARIADIC ks text[]) RETURNS bigint[] LANGUAGE sql STABLE AS $$
  SELECT array_agg(id) FROM pg_temp.f WHERE k = ANY (ks)
$$;
SET LOCAL ROLE costsim_backend;
SET LOCAL costsim.tenant_id = 'ex13-f';
SELECT pg_temp.export('f_type', 'ex13-f', 'csv', entity_type => 'job');
SELECT pg_temp.export('f_status', 'ex13-f', 'csv', new_status => 'done');
SELECT pg_temp.export('f_time', 'ex13-f', 'csv', created_from => pg_temp.at('j-1/done'), created_to => pg_temp.at('t-2/running'));
SELECT pg_temp.export('f_type_status', 'ex13-f', 'csv', entity_type => 'job', new_status => 'running');
SELECT pg_temp.export('f_id', 'ex13-f', 'csv', entity_id => 'j-1');
SELECT pg_temp.export('f_actor', 'ex13-f', 'csv', actor_type => 'user');
SELECT pg_temp.export('f_from', 'ex13-f', 'csv', created_from => pg_temp.at('j-2/running'),
                       created_to => pg_temp.at('t-2/running') + interval '1 microsecond');
SELECT pg_temp.export('f_jsonl', 'ex13-f', 'jsonl', entity_type => 'task');
SELECT pg_temp.download(name, 1) FROM ex WHERE tenant = 'ex13-f' ORDER BY name;
RESET ROLE;
SELECT is(convert_from(pg_temp.bytes('f_type'), 'UTF8'),
          pg_temp.expected_csv('ex13-f', 5, pg_temp.ids('j-1/running', 'j-1/done', 'j-2/running')),
          'filter entity_type = job: exactly the three job rows');
SELECT is(convert_from(pg_temp.bytes('f_status'), 'UTF8'),
          pg_temp.expected_csv('ex13-f', 5, pg_temp.ids('j-1/done', 't-1/done')), 'filter new_status = done');
SELECT is(convert_from(pg_temp.bytes('f_time'), 'UTF8'),
          pg_temp.expected_csv('ex13-f', 5, pg_temp.ids('j-1/done', 'j-2/running', 't-1/done')),
          'filter created_from <= created_at < created_to (from = row 2''s created_at included, to = row 5''s excluded)');
SELECT is(convert_from(pg_temp.bytes('f_type_status'), 'UTF8'),
          pg_temp.expected_csv('ex13-f', 5, pg_temp.ids('j-1/running', 'j-2/running')),
          'filters combine: entity_type = job and new_status = running');
SELECT is(convert_from(pg_temp.bytes('f_id'), 'UTF8'),
          pg_temp.expected_csv('ex13-f', 5, pg_temp.ids('j-1/running', 'j-1/done')), 'filter entity_id = j-1');
SELECT is(convert_from(pg_temp.bytes('f_actor'), 'UTF8'),
          pg_temp.expected_csv('ex13-f', 5, pg_temp.ids('j-2/running')), 'filter actor_type = user');
SELECT is(convert_from(pg_temp.bytes('f_from'), 'UTF8'),
          pg_temp.expected_csv('ex13-f', 5, pg_temp.ids('j-2/running', 't-1/done', 't-2/running')),
          'filter on a time range ending 1 us after row 5: the later audit rows of earlier exports are outside it');
SELECT results_eq($$SELECT name, record_count FROM ex WHERE tenant = 'ex13-f' ORDER BY name$$,
                  $$VALUES ('f_actor', 1::bigint), ('f_from', 3::bigint), ('f_id', 2::bigint), ('f_jsonl', 2::bigint),
                           ('f_status', 2::bigint), ('f_time', 3::bigint), ('f_type', 3::bigint),
                           ('f_type_status', 2::bigint)$$,
                  'filters: record_count of each export');
SELECT results_eq($$SELECT name, head_seq FROM ex WHERE tenant = 'ex13-f' ORDER BY head_seq$$,
                  $$VALUES ('f_type', 5::bigint), ('f_status', 6::bigint), ('f_time', 7::bigint),
                           ('f_type_status', 8::bigint), ('f_id', 9::bigint), ('f_actor', 10::bigint),
                           ('f_from', 11::bigint), ('f_jsonl', 12::bigint)$$,
                  'filters: each export covers the head at its time (the previous exports'' audit rows included)');
SELECT is((SELECT count(*) FROM ex WHERE tenant = 'ex13-f' AND sha256 = encode(sha256(pg_temp.bytes(name)), 'hex')
                                      AND byte_count = length(pg_temp.bytes(name))), 8::bigint,
          'filters: sha256 and byte_count of each export match its bytes');
SELECT is((SELECT array_agg(line::jsonb ORDER BY ord)
             FROM regexp_split_to_table(rtrim(convert_from(pg_temp.bytes('f_jsonl'), 'UTF8'), E'\n'), E'\n')
                  WITH ORDINALITY AS t(line, ord)),
          (SELECT array_agg(pg_temp.row_json(h) ORDER BY seq) FROM costsim.status_history h
            WHERE tenant_id = 'ex13-f' AND entity_type = 'task'),
          'filter in jsonl: entity_type = task, each line equals its row');
SELECT results_eq($$SELECT intact, rows_checked FROM costsim.verify_chain('ex13-f')$$,
                  $$VALUES (true, 21::bigint)$$,
                  'ex13-f: intact after 8 exports and 8 downloads (5 + 16 rows)');

-------------------------------------------------------------------------------------------------------------
-- A row covered by an export altered behind the triggers' back: the download refuses to serve a file that no
-- longer hashes to what the export recorded (XX001 data_corrupted), and verify_chain names the row.
-------------------------------------------------------------------------------------------------------------
SET LOCAL costsim.tenant_id = 'ex13-x';
SELECT costsim.log_status_change('job', 'x-' || i, 'done') FROM generate_series(1, 3) i;
CREATE TEMP TABLE ex_x AS SELECT * FROM costsim.create_export('csv');
SELECT lives_ok($$SELECT costsim.download_export(export_id, 'csv', expires, sig) FROM ex_x$$,
                'ex13-x: the untouched export downloads');
SET LOCAL session_replication_role = replica;
UPDATE costsim.status_history SET new_status = 'failed' WHERE tenant_id = 'ex13-x' AND seq = 2;
SET LOCAL session_replication_role = origin;
SELECT throws_ok($$SELECT costsim.download_export(export_id, 'csv', expires, sig) FROM ex_x$$, 'XX001', NULL,
                 'ex13-x: a row edited after the export: the download is refused as data corrupted');
SELECT results_eq($$SELECT intact, broken_seq, reason FROM costsim.verify_chain('ex13-x')$$,
                  $$VALUES (false, 2::bigint, 'row_hash mismatch'::text)$$,
                  'ex13-x: verify_chain names the edited row');

-- Bounds of the time filters, and metadata the chain cannot hash.
SELECT throws_ok($$SELECT * FROM costsim.create_export('csv', created_to => 'infinity')$$, '22023', NULL,
                 'an infinite created_to is refused');
SELECT throws_ok($$SELECT * FROM costsim.create_export('csv', created_from => '294270-01-01 00:00:00+00')$$, '22023',
                 NULL, 'a created_from past what microseconds since 1970 can count is refused, not overflowed');
SELECT throws_ok($$SELECT costsim.log_status_change('job', 'big', 'done', metadata => '{"n": 1e400}')$$, '22023', NULL,
                 'a metadata number beyond a double (which the row hash needs) is refused');

SELECT * FROM finish();
ROLLBACK;
