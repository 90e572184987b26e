import type pg from "pg";
import type { Fact } from "../types.ts";
import { encodeHolders, groupHolders } from "./holders.ts";

// Grouped by the server: one row per user, client, database, application name and state. Unless the monitor may
// read other users' sessions (pg_read_all_stats, or pg_monitor which includes it), their backend type, client
// address and state are null: such a session of a user is counted, with what it shows.
const holdersSql = `SELECT usename, host(client_addr) AS client_addr, datname, application_name, state, count(*)::int AS n
  FROM pg_stat_activity
  WHERE (backend_type = 'client backend' OR (backend_type IS NULL AND usesysid IS NOT NULL)) AND pid <> pg_backend_pid()
  GROUP BY 1, 2, 3, 4, 5`;

interface Row {
  usename: string | null;
  client_addr: string | null;
  datname: string | null;
  application_name: string | null;
  state: string | null;
  n: number;
}

/** Who holds a PostgreSQL server's connections, from `pg_stat_activity`, in one statement. */
export async function readPostgresHolders(client: pg.Client): Promise<Record<string, Fact>> {
  const { rows } = await client.query<Row>(holdersSql);
  return { holders: encodeHolders(groupHolders(expand(rows))) };
}

function* expand(rows: readonly Row[]) {
  for (const row of rows) {
    const group = { user: row.usename, host: row.client_addr, db: row.datname, app: row.application_name, state: row.state };
    for (let i = 0; i < row.n; i++) yield group;
  }
}
