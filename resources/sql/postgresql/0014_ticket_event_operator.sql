-- Who made each ticket change (issue 13): the database user, next to the station (actor). The
-- column's default is session_user, so every writer (this program's admission path, the door role's
-- functions, the original web system, psql) records it without naming it; rows from before this
-- migration keep NULL (unknown) rather than the migrating user: the default is set after the column
-- is added, so PostgreSQL does not fill existing rows with it.
ALTER TABLE ticket_events ADD COLUMN IF NOT EXISTS operator text;
ALTER TABLE ticket_events ALTER COLUMN operator SET DEFAULT session_user;

-- The login (qrtickets operator add --email) a ghl_qr_users row is linked to.
ALTER TABLE ghl_qr_users ADD COLUMN IF NOT EXISTS operator text;

-- Keep the group grants current when `qrtickets roles install` has run (it creates this function)
-- and the migrating user may run it: it is EXECUTE for the user that ran `roles install` only, and a
-- migration that failed here would block every later one. Otherwise say what to do.
DO $$
BEGIN
    IF to_regprocedure('qrt_grant_roles()') IS NULL THEN
        RETURN;
    END IF;
    IF has_function_privilege(current_user, to_regprocedure('qrt_grant_roles()'), 'EXECUTE') THEN
        PERFORM qrt_grant_roles();
    ELSE
        RAISE NOTICE 'the door roles'' grants were not renewed (% may not run qrt_grant_roles()): run `qrtickets roles install` as the user that installed them', current_user;
    END IF;
END
$$;
