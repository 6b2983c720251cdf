-- status_history: the immutable, tenant-scoped, hash-chained audit log, and its signed exports (spec section 10).
-- New in 0.3.

CREATE TABLE costsim.status_history (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       text NOT NULL,
    seq             bigint NOT NULL,
    entity_type     text NOT NULL CHECK (entity_type <> ''),
    entity_id       text NOT NULL CHECK (entity_id <> ''),
    old_status      text,
    new_status      text NOT NULL CHECK (new_status <> ''),
    actor_type      text NOT NULL CHECK (actor_type <> ''),
    actor_id        text,
    reason          text,
    correlation_id  text,
    metadata        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at      timestamptz NOT NULL,
    prev_hash       text NOT NULL,
    row_hash        text NOT NULL,
    CONSTRAINT status_history_tenant_seq UNIQUE (tenant_id, seq)
);
CREATE INDEX status_history_entity ON costsim.status_history (tenant_id, entity_type, entity_id, seq);
CREATE INDEX status_history_tenant_created_at ON costsim.status_history (tenant_id, created_at);
COMMENT ON TABLE costsim.status_history IS
    'Append-only audit log of status transitions, one SHA-256 hash chain per tenant; UPDATE, DELETE and TRUNCATE are refused for every role';
COMMENT ON COLUMN costsim.status_history.created_at IS
    'When the row joined the chain (set by the chain trigger): non-decreasing along seq';
COMMENT ON COLUMN costsim.status_history.seq IS 'Position in the tenant''s chain: 1, 2, 3, ... without gaps';
COMMENT ON COLUMN costsim.status_history.prev_hash IS 'row_hash of the tenant''s previous row (64 zeros for seq 1)';
COMMENT ON COLUMN costsim.status_history.row_hash IS
    'SHA-256 (hex) of prev_hash followed by the RFC 8785 JSON of the row (created_at as UTC epoch microseconds, created_at_us)';
COMMENT ON COLUMN costsim.status_history.actor_type IS
    'Who made the change: system (default), user (a JWT caller), role (a database role), or what the caller says';
COMMENT ON COLUMN costsim.status_history.correlation_id IS
    'The request''s x-correlation-id header (PostgREST) or costsim.correlation_id';
COMMENT ON INDEX costsim.status_history_entity IS 'Per-entity history in chain order';
COMMENT ON INDEX costsim.status_history_tenant_created_at IS 'Time-window reads of one tenant';
COMMENT ON CONSTRAINT status_history_tenant_seq ON costsim.status_history IS
    'One row per chain position: a forked chain cannot be stored';

CREATE FUNCTION costsim.status_history_chain() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'costsim_status_history_chain';
COMMENT ON FUNCTION costsim.status_history_chain() IS
    'BEFORE INSERT trigger of status_history: under the tenant''s chain lock, sets seq, prev_hash, row_hash and created_at (whatever the INSERT said) after the chain''s last row';
CREATE TRIGGER status_history_chain BEFORE INSERT ON costsim.status_history
    FOR EACH ROW EXECUTE FUNCTION costsim.status_history_chain();
COMMENT ON TRIGGER status_history_chain ON costsim.status_history IS 'Links every new row into its tenant''s chain';

CREATE FUNCTION costsim.status_history_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'costsim.status_history is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Record a new status change with costsim.log_status_change() instead.';
END
$$;
COMMENT ON FUNCTION costsim.status_history_refuse_change() IS
    'Trigger that refuses UPDATE, DELETE and TRUNCATE of status_history (SQLSTATE 42501), the owner''s included';
CREATE TRIGGER status_history_refuse_update BEFORE UPDATE ON costsim.status_history
    FOR EACH ROW EXECUTE FUNCTION costsim.status_history_refuse_change();
CREATE TRIGGER status_history_refuse_delete BEFORE DELETE ON costsim.status_history
    FOR EACH ROW EXECUTE FUNCTION costsim.status_history_refuse_change();
CREATE TRIGGER status_history_refuse_truncate BEFORE TRUNCATE ON costsim.status_history
    FOR EACH STATEMENT EXECUTE FUNCTION costsim.status_history_refuse_change();
COMMENT ON TRIGGER status_history_refuse_update ON costsim.status_history IS 'status_history is append-only: no UPDATE';
COMMENT ON TRIGGER status_history_refuse_delete ON costsim.status_history IS 'status_history is append-only: no DELETE';
COMMENT ON TRIGGER status_history_refuse_truncate ON costsim.status_history IS 'status_history is append-only: no TRUNCATE';

ALTER TABLE costsim.status_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY status_history_tenant_read ON costsim.status_history
    FOR SELECT USING (tenant_id = costsim.current_tenant());
COMMENT ON POLICY status_history_tenant_read ON costsim.status_history IS 'Readers see only their own tenant''s rows';

-- Writing: one function for callers, one trigger function for their tables. Both append as the table owner.
CREATE FUNCTION costsim.log_status_change(
    entity_type     text,
    entity_id       text,
    new_status      text,
    old_status      text DEFAULT NULL,
    actor_type      text DEFAULT 'system',
    actor_id        text DEFAULT NULL,
    reason          text DEFAULT NULL,
    correlation_id  text DEFAULT NULL,
    metadata        jsonb DEFAULT '{}',
    tenant_id       text DEFAULT NULL
)
    RETURNS costsim.status_history
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_log_status_change';
COMMENT ON FUNCTION costsim.log_status_change(text, text, text, text, text, text, text, text, jsonb, text) IS
    'Appends a status change to the caller''s tenant chain and returns the row. tenant_id other than the caller''s own needs costsim_admin (42501); correlation_id defaults to the request''s';

CREATE FUNCTION costsim.track_status() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'costsim_track_status';
COMMENT ON FUNCTION costsim.track_status() IS
    'AFTER INSERT OR UPDATE row trigger for any table: records status transitions. Arguments: entity type, id column, status column [, tenant column]';

-- Verifying.
CREATE FUNCTION costsim.verify_chain(
    INOUT tenant_id text DEFAULT NULL,
    OUT intact boolean,
    OUT rows_checked bigint,
    OUT head_seq bigint,
    OUT head_hash text,
    OUT broken_seq bigint,
    OUT broken_id bigint,
    OUT reason text
)
    RETURNS SETOF record
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'costsim_verify_chain';
COMMENT ON FUNCTION costsim.verify_chain(text) IS
    'Recomputes a tenant''s chain: intact, or the first broken row (sequence gap, prev_hash mismatch, row_hash mismatch). NULL: the caller''s tenant, or every tenant for costsim_admin';

-- Reading (as the caller: row-level security scopes every read to the caller's tenant).
CREATE FUNCTION costsim.page_limit(requested integer)
    RETURNS integer
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    IF requested IS NULL OR requested NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'limit must be between 1 and 1000, not %', coalesce(requested::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN requested;
END
$$;
COMMENT ON FUNCTION costsim.page_limit(integer) IS
    'The page size of the listing functions, checked: 1..1000 (22023 otherwise)';

CREATE FUNCTION costsim.query_status_history(
    entity_type   text DEFAULT NULL,
    entity_id     text DEFAULT NULL,
    actor_type    text DEFAULT NULL,
    new_status    text DEFAULT NULL,
    created_from  timestamptz DEFAULT NULL,
    created_to    timestamptz DEFAULT NULL,
    "limit"       integer DEFAULT 100,
    "offset"      integer DEFAULT 0
)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    result jsonb;
BEGIN
    PERFORM costsim.page_limit("limit");
    IF "offset" IS NULL OR "offset" < 0 THEN
        RAISE EXCEPTION 'offset must be 0 or more, not %', coalesce("offset"::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH matching AS (
        SELECT h.* FROM costsim.status_history h
         WHERE h.tenant_id = costsim.current_tenant()
           AND (query_status_history.entity_type IS NULL OR h.entity_type = query_status_history.entity_type)
           AND (query_status_history.entity_id IS NULL OR h.entity_id = query_status_history.entity_id)
           AND (query_status_history.actor_type IS NULL OR h.actor_type = query_status_history.actor_type)
           AND (query_status_history.new_status IS NULL OR h.new_status = query_status_history.new_status)
           AND (created_from IS NULL OR h.created_at >= created_from)
           AND (created_to IS NULL OR h.created_at < created_to)
    ), page AS (
        SELECT * FROM matching ORDER BY created_at DESC, id DESC LIMIT "limit" OFFSET "offset"
    )
    SELECT jsonb_build_object(
               'total', (SELECT count(*) FROM matching),
               'limit', "limit",
               'offset', "offset",
               'has_more', (SELECT count(*) FROM matching) > "offset"::bigint + (SELECT count(*) FROM page),
               'items', coalesce((SELECT jsonb_agg(to_jsonb(page) ORDER BY created_at DESC, id DESC) FROM page),
                                 '[]'::jsonb))
      INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION costsim.query_status_history(text, text, text, text, timestamptz, timestamptz, integer, integer) IS
    'The caller''s tenant''s status changes matching the filters (created_from inclusive, created_to exclusive), newest first: {total, limit, offset, has_more, items}; limit 1..1000 (22023)';

CREATE FUNCTION costsim.entity_history(entity_type text, entity_id text)
    RETURNS SETOF costsim.status_history
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT * FROM costsim.status_history h
     WHERE h.tenant_id = costsim.current_tenant()
       AND h.entity_type = entity_history.entity_type AND h.entity_id = entity_history.entity_id
     ORDER BY h.seq
$$;
COMMENT ON FUNCTION costsim.entity_history(text, text) IS
    'Every status change of one entity of the caller''s tenant, oldest first';

CREATE FUNCTION costsim.status_history_stats(created_from timestamptz DEFAULT NULL, created_to timestamptz DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    WITH matching AS (
        SELECT * FROM costsim.status_history h
         WHERE h.tenant_id = costsim.current_tenant()
           AND (created_from IS NULL OR h.created_at >= created_from)
           AND (created_to IS NULL OR h.created_at < created_to)
    )
    SELECT jsonb_build_object(
        'total', (SELECT count(*) FROM matching),
        'by_entity_type', coalesce((SELECT jsonb_object_agg(entity_type, n)
                                      FROM (SELECT entity_type, count(*) AS n FROM matching GROUP BY 1) t), '{}'),
        'by_actor_type', coalesce((SELECT jsonb_object_agg(actor_type, n)
                                     FROM (SELECT actor_type, count(*) AS n FROM matching GROUP BY 1) t), '{}'),
        'by_status', coalesce((SELECT jsonb_object_agg(new_status, n)
                                 FROM (SELECT new_status, count(*) AS n FROM matching GROUP BY 1) t), '{}'),
        'oldest', (SELECT min(created_at) FROM matching),
        'newest', (SELECT max(created_at) FROM matching),
        'time_range_days', (SELECT extract(epoch FROM max(created_at) - min(created_at)) / 86400 FROM matching))
$$;
COMMENT ON FUNCTION costsim.status_history_stats(timestamptz, timestamptz) IS
    'Totals of the caller''s tenant''s status changes by entity type, actor type and new status, with the oldest, the newest and the time range in days';

-- Exports: the file is described here once, and made again, byte for byte, at each download.
CREATE TABLE costsim.status_history_exports (
    export_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     text NOT NULL,
    format        text NOT NULL CHECK (format IN ('csv', 'jsonl')),
    filters       jsonb NOT NULL,
    head_seq      bigint NOT NULL,
    head_hash     text NOT NULL,
    record_count  bigint NOT NULL,
    byte_count    bigint NOT NULL,
    sha256        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    created_by    text NOT NULL
);
COMMENT ON TABLE costsim.status_history_exports IS
    'One row per export of status_history: the filters, the chain head it covers, and the file''s size and SHA-256';
COMMENT ON COLUMN costsim.status_history_exports.head_seq IS
    'The export holds the matching rows with seq <= head_seq; head_hash is that row''s row_hash (an anchor to keep outside the database)';
ALTER TABLE costsim.status_history_exports ENABLE ROW LEVEL SECURITY;
CREATE POLICY status_history_exports_tenant_read ON costsim.status_history_exports
    FOR SELECT USING (tenant_id = costsim.current_tenant());
COMMENT ON POLICY status_history_exports_tenant_read ON costsim.status_history_exports IS
    'Readers see only their own tenant''s exports';

-- The key that signs download links. Readable by the extension's owner only.
CREATE TABLE costsim.export_signing_key (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    secret      bytea NOT NULL CHECK (length(secret) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO costsim.export_signing_key (secret)
    SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
                  'hex');
COMMENT ON TABLE costsim.export_signing_key IS
    'The HMAC-SHA256 key of export download links (from the server''s strong random source); owner-only';

CREATE FUNCTION costsim.create_export(
    format        text,
    entity_type   text DEFAULT NULL,
    entity_id     text DEFAULT NULL,
    actor_type    text DEFAULT NULL,
    new_status    text DEFAULT NULL,
    created_from  timestamptz DEFAULT NULL,
    created_to    timestamptz DEFAULT NULL,
    OUT export_id uuid,
    OUT record_count bigint,
    OUT byte_count bigint,
    OUT sha256 text,
    OUT head_seq bigint,
    OUT head_hash text,
    OUT expires_at timestamptz,
    OUT expires bigint,
    OUT sig text
)
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_create_export';
COMMENT ON FUNCTION costsim.create_export(text, text, text, text, text, timestamptz, timestamptz) IS
    'Describes an export (csv or jsonl) of the caller''s tenant''s matching status changes up to the chain head: record count, SHA-256, the head it covers, and the signed download parameters (export_id, format, expires, sig), valid costsim.export_ttl seconds; audited';

CREATE FUNCTION costsim.download_export(export_id uuid, format text, expires bigint, sig text)
    RETURNS bytea
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_download_export';
COMMENT ON FUNCTION costsim.download_export(uuid, text, bigint, text) IS
    'The bytes of an export, for a link signed for the caller''s tenant and not expired (42501 otherwise; 22023 for an unknown format); audited';

SELECT pg_catalog.pg_extension_config_dump('costsim.status_history', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.status_history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.status_history_exports', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.export_signing_key', '');

-- Privileges (a fresh install's schema-wide revoke does not reach an upgrade's new objects: revoke them here).
REVOKE ALL ON costsim.status_history, costsim.status_history_exports,
              costsim.export_signing_key FROM PUBLIC;
REVOKE ALL ON SEQUENCE costsim.status_history_id_seq FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    costsim.page_limit(integer), costsim.status_history_chain(), costsim.status_history_refuse_change(),
    costsim.log_status_change(text, text, text, text, text, text, text, text, jsonb, text), costsim.track_status(),
    costsim.verify_chain(text),
    costsim.query_status_history(text, text, text, text, timestamptz, timestamptz, integer, integer),
    costsim.entity_history(text, text), costsim.status_history_stats(timestamptz, timestamptz),
    costsim.create_export(text, text, text, text, text, timestamptz, timestamptz),
    costsim.download_export(uuid, text, bigint, text)
    FROM PUBLIC;

GRANT SELECT ON costsim.status_history, costsim.status_history_exports
    TO costsim_backend, costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION
    costsim.log_status_change(text, text, text, text, text, text, text, text, jsonb, text), costsim.track_status()
    TO costsim_backend, costsim_admin;
GRANT EXECUTE ON FUNCTION
    costsim.page_limit(integer),
    costsim.verify_chain(text),
    costsim.query_status_history(text, text, text, text, timestamptz, timestamptz, integer, integer),
    costsim.entity_history(text, text), costsim.status_history_stats(timestamptz, timestamptz),
    costsim.create_export(text, text, text, text, text, timestamptz, timestamptz),
    costsim.download_export(uuid, text, bigint, text)
    TO costsim_backend, costsim_admin, costsim_auditor;
