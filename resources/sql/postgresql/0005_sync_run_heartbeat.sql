-- A running sync writes heartbeat_at every few seconds. A 'running' row whose heartbeat (or, for a
-- row from before this column, its start) is older than two minutes belongs to a process that
-- crashed or lost its database, and no longer holds back the Sync button of every station.
ALTER TABLE sync_runs ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz;
