-- Docket's PostgreSQL roles: an owner that runs migrations, and the application role Docket connects as,
-- which can neither rewrite the audit trail (no UPDATE, DELETE or TRUNCATE on audit_auditentry) nor disable
-- its append-only trigger (only the table's owner or a superuser can ALTER TABLE ... DISABLE TRIGGER, and
-- only a superuser can SET session_replication_role).
--
-- 1. As a superuser, once (psql -v owner_pw=... -v app_pw=... -f docs/db-roles.sql):

CREATE ROLE docket_owner LOGIN NOSUPERUSER NOCREATEROLE CREATEDB PASSWORD :'owner_pw';
CREATE ROLE docket_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD :'app_pw';
CREATE DATABASE docket OWNER docket_owner;
REVOKE ALL ON DATABASE docket FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE docket TO docket_app;
\connect docket
-- The owner owns the schema; nobody else creates objects in it (PostgreSQL 15's default, made explicit).
ALTER SCHEMA public OWNER TO docket_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- 2. As the owner, after every `docket migrate` (the migrations run as the owner, so it owns every table):
--
--    DATABASE_URL=postgres://docket_owner:...@db/docket docket migrate
--    DATABASE_URL=postgres://docket_owner:...@db/docket docket db roles docket_app
--
-- `docket db roles` runs the grants below (`docket db roles docket_app --sql` prints them) and then checks
-- that the application role is no superuser, owns nothing, cannot become the owner, and cannot UPDATE,
-- DELETE or TRUNCATE the trail; it exits 1 naming what is wrong. The grants, for reference:
--
--    GRANT CONNECT, TEMPORARY ON DATABASE docket TO docket_app;
--    GRANT USAGE ON SCHEMA public TO docket_app;
--    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO docket_app;
--    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO docket_app;
--    ALTER DEFAULT PRIVILEGES FOR ROLE docket_owner IN SCHEMA public
--        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO docket_app;
--    ALTER DEFAULT PRIVILEGES FOR ROLE docket_owner IN SCHEMA public
--        GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO docket_app;
--    REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON public.audit_auditentry FROM docket_app;
--    REVOKE UPDATE, DELETE, TRUNCATE ON public.audit_auditentry FROM PUBLIC;
--    GRANT SELECT, INSERT ON public.audit_auditentry TO docket_app;
--    -- Only a table's owner may ANALYZE it: the bulk loads (imports, the demo, the cells' rebuild) refresh the
--    -- planner's statistics through docket_analyze(), which runs as the owner on Docket's tables alone.
--    GRANT EXECUTE ON FUNCTION public.docket_analyze(regclass[]) TO docket_app;
--
-- 3. Docket itself (gunicorn, commands, workers) runs with DATABASE_URL=postgres://docket_app:...@db/docket.
