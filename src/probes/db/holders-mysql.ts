import type { Connection, RowDataPacket } from "mysql2";
import type { Fact } from "../types.ts";
import { toNumber } from "../db-common.ts";
import { encodeHolders, groupHolders, withoutPort } from "./holders.ts";

/** The facts `readMysqlHolders` adds to the shared ones. */
export const mysqlHolderFacts = ["maxUsedConnections", "connectionErrorsMaxConnections", "abortedConnects"] as const;

/**
 * Who holds a MySQL or MariaDB server's connections, and its connection counters, in two statements: the process
 * list grouped by user, client host (without port), database and idle (`Sleep`) or active; `Max_used_connections`,
 * `Connection_errors_max_connections` and `Aborted_connects`. Without the PROCESS privilege the server lists only
 * the monitor's own threads, so `holders` then covers fewer connections than `connections` counts.
 */
export async function readMysqlHolders(conn: Connection): Promise<Record<string, Fact>> {
  const db = conn.promise();
  const [[threads], [status]] = await Promise.all([
    db.query<RowDataPacket[]>(
      "SELECT USER AS user, HOST AS host, DB AS db, COMMAND AS command FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND <> 'Daemon'",
    ),
    db.query<RowDataPacket[]>("SHOW GLOBAL STATUS WHERE Variable_name IN ('Max_used_connections', 'Connection_errors_max_connections', 'Aborted_connects')"),
  ]);
  const values = new Map<string, unknown>();
  for (const row of status) values.set(String(row.Variable_name).toLowerCase(), row.Value);
  const holders = groupHolders(
    threads.map((t) => ({
      user: text(t.user),
      host: withoutPort(text(t.host)),
      db: text(t.db),
      app: null,
      state: t.command === "Sleep" ? "idle" : "active",
    })),
  );
  return {
    holders: encodeHolders(holders),
    maxUsedConnections: toNumber(values.get("max_used_connections")),
    connectionErrorsMaxConnections: toNumber(values.get("connection_errors_max_connections")),
    abortedConnects: toNumber(values.get("aborted_connects")),
  };
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : Buffer.isBuffer(value) ? value.toString("utf8") : null;
}
