-- The row types of the tables and views in costsim and api: PostgreSQL gives PUBLIC USAGE on them by default
-- (a NULL typacl). Nothing is granted to PUBLIC here, so revoke it; the roles that read a relation use its row
-- type through their privileges on the relation. Runs last in every install and upgrade script. New in 0.4.
DO $row_types$
DECLARE
    row_type regtype;
BEGIN
    FOR row_type IN
        SELECT t.oid::regtype FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid
         WHERE c.relnamespace IN ('costsim'::regnamespace, 'api'::regnamespace) AND c.relkind IN ('r', 'v', 'm', 'p')
    LOOP
        EXECUTE format('REVOKE USAGE ON TYPE %s FROM PUBLIC', row_type);
    END LOOP;
END
$row_types$;
