-- A running sync writes heartbeat_at every few seconds. A 'running' row whose heartbeat (or, for a
-- row from before this column, its start) is older than two minutes belongs to a process that
-- crashed or lost its database, and no longer holds back the Sync button of every station.
ALTER TABLE sync_runs ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz;

-- Other stations refresh on a sync's start and end, not on each heartbeat.
DROP TRIGGER IF EXISTS qrt_notify_sync_runs ON sync_runs;
CREATE TRIGGER qrt_notify_sync_runs AFTER INSERT OR UPDATE OF status, finished_at ON sync_runs
    FOR EACH STATEMENT EXECUTE FUNCTION qrt_notify_change();
