-- pg_dump saves the rows of the extension's tables registered with pg_extension_config_dump, but a sequence only
-- when it is registered too: without it, a restored table's identity would start again at 1 and its next row
-- collide with a restored one. Register the sequence of every registered table that has one (those earlier
-- files registered themselves are left as they are). Runs in every install and upgrade script. New in 0.4.
DO $sequences$
DECLARE
    sequence regclass;
BEGIN
    FOR sequence IN
        SELECT s.oid::regclass
          FROM pg_extension e
          JOIN pg_depend d ON d.refobjid = ANY (e.extconfig) AND d.classid = 'pg_class'::regclass
                          AND d.deptype IN ('a', 'i')
          JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
         WHERE e.extname = 'costsim' AND NOT s.oid = ANY (e.extconfig)
    LOOP
        PERFORM pg_catalog.pg_extension_config_dump(sequence, '');
    END LOOP;
END
$sequences$;
