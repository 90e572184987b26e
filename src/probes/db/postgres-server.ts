import pg from "pg";
import type { Fact } from "../types.ts";

/**
 * One statement: identity (pg_control_system, pg_control_checkpoint), replay lag on a standby, the oldest open
 * transaction of other sessions, and sessions waiting for a lock, in one pass over pg_stat_activity. A standby that has replayed all it received is not behind,
 * however old its last replayed transaction: an idle primary sends nothing to replay.
 */
export const serverSql = `SELECT
  (SELECT system_identifier::text FROM pg_control_system()) AS system_id,
  (SELECT timeline_id FROM pg_control_checkpoint())::int AS timeline,
  pg_is_in_recovery() AS in_recovery,
  CASE WHEN pg_is_in_recovery() THEN
    CASE WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END
  END AS lag_s,
  -- Without pg_read_all_stats (a member of pg_monitor) other roles' sessions show no times or waits: unknown, not none.
  CASE WHEN pg_has_role('pg_read_all_stats', 'USAGE') THEN a.oldest_s END AS oldest_s,
  CASE WHEN pg_has_role('pg_read_all_stats', 'USAGE') THEN a.lock_waits END AS lock_waits
  FROM (SELECT
    extract(epoch FROM now() - min(xact_start) FILTER (WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()))::float8 AS oldest_s,
    (count(*) FILTER (WHERE wait_event_type = 'Lock'))::int AS lock_waits
    FROM pg_stat_activity) a`;

/** The row of `serverSql`. */
export interface ServerRow {
  system_id: string | null;
  timeline: number | null;
  in_recovery: boolean;
  lag_s: number | null;
  oldest_s: number | null;
  lock_waits: number | null;
}

/** Runs `serverSql`; a statement the monitoring role may not run leaves these facts null, a lost connection throws. */
export async function readPostgresServerFacts(client: pg.Client): Promise<Record<string, Fact>> {
  try {
    const { rows } = await client.query<ServerRow>(serverSql);
    return postgresServerFacts(rows[0]);
  } catch (err) {
    if (err instanceof pg.DatabaseError) return postgresServerFacts(undefined);
    throw err;
  }
}

/** Facts from the row of `serverSql` (undefined: refused). */
export function postgresServerFacts(row: ServerRow | undefined): Record<string, Fact> {
  const seconds = (s: number | null | undefined) => (s === null || s === undefined ? null : Math.max(0, Math.round(s * 1000) / 1000));
  if (row === undefined) {
    return { serverId: null, serverUuid: null, hostname: null, timeline: null, writable: null, replicating: null, replicationRunning: null, replicationLagS: null, oldestTransactionS: null, lockWaits: null };
  }
  return {
    serverId: row.system_id,
    serverUuid: null,
    hostname: null,
    timeline: row.timeline,
    writable: !row.in_recovery,
    replicating: row.in_recovery,
    replicationRunning: null,
    replicationLagS: row.in_recovery ? seconds(row.lag_s) : null,
    oldestTransactionS: seconds(row.oldest_s),
    lockWaits: row.lock_waits,
  };
}
