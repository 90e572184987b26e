import type { Connection, RowDataPacket } from "mysql2";
import type { Fact } from "../types.ts";
import { toNumber } from "../db-common.ts";

/** Variables the shared variables statement also reads; an absent one (MariaDB has no server_uuid) is null. */
export const serverVariables = ["server_id", "server_uuid", "hostname", "innodb_read_only"] as const;

// Both columns in one pass over INNODB_TRX: the oldest open transaction and how many wait for a lock.
const transactionsSql = `SELECT TIMESTAMPDIFF(SECOND, MIN(trx_started), NOW()) AS oldest_s,
  COALESCE(SUM(trx_state = 'LOCK WAIT'), 0) AS lock_waits
  FROM information_schema.INNODB_TRX`;

/**
 * Reads replica status and open transactions (one statement each) and combines them with the variables already
 * read (lowercase names). A statement the monitoring user may not run leaves its facts null; a lost connection throws.
 */
export async function readMysqlServerFacts(conn: Connection, values: ReadonlyMap<string, unknown>): Promise<Record<string, Fact>> {
  const db = conn.promise();
  const version = typeof values.get("version") === "string" ? (values.get("version") as string) : "";
  const replica = await optional(() => db.query<RowDataPacket[]>(replicaStatusStatement(version)));
  const transactions = await optional(() => db.query<RowDataPacket[]>(transactionsSql));
  return { ...mysqlIdentity(values), ...replicaFacts(replica), ...transactionFacts(transactions?.[0]) };
}

/** Identity and writability from the variables: read_only (set on replicas) or innodb_read_only (Aurora readers) make it read-only. */
export function mysqlIdentity(values: ReadonlyMap<string, unknown>): Record<string, Fact> {
  const text = (name: string) => {
    const v = values.get(name);
    return v === undefined || v === null || v === "" ? null : String(v);
  };
  const readOnly = isOn(values.get("read_only"));
  const innodbReadOnly = isOn(values.get("innodb_read_only"));
  return { serverId: text("server_id"), serverUuid: text("server_uuid"), hostname: text("hostname"), timeline: null, writable: !(readOnly || innodbReadOnly) };
}

/** `replica` when it replicates from a source or cannot be written to, else `primary`. */
export function mysqlRole(facts: Record<string, Fact>): "primary" | "replica" {
  return facts["replicating"] === true || facts["writable"] === false ? "replica" : "primary";
}

/**
 * SHOW REPLICA STATUS where the server knows it (MySQL 8.0.22, MariaDB 10.5.1 and later), else SHOW SLAVE STATUS:
 * chosen from the version so that a check costs one statement, not a failed one and a retry.
 */
export function replicaStatusStatement(version: string): string {
  const [major = 0, minor = 0, patch = 0] = (version.match(/^(\d+)\.(\d+)\.(\d+)/)?.slice(1) ?? []).map(Number);
  const atLeast = (a: number, b: number, c: number) => major > a || (major === a && (minor > b || (minor === b && patch >= c)));
  const newSyntax = /mariadb/i.test(version) ? atLeast(10, 5, 1) : atLeast(8, 0, 22);
  return newSyntax ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
}

/**
 * Facts from replica status rows (undefined: the statement was refused). No row: not a replica. The lag is
 * Seconds_Behind_Source (MySQL) or Seconds_Behind_Master (MariaDB, older MySQL), NULL while a thread is stopped.
 */
export function replicaFacts(rows: readonly Record<string, unknown>[] | undefined): Record<string, Fact> {
  if (rows === undefined) return { replicating: null, replicationRunning: null, replicationLagS: null };
  const row = rows[0];
  if (row === undefined) return { replicating: false, replicationRunning: null, replicationLagS: null };
  const column = (...names: string[]) => names.map((n) => row[n]).find((v) => v !== undefined);
  const running = column("Replica_IO_Running", "Slave_IO_Running") === "Yes" && column("Replica_SQL_Running", "Slave_SQL_Running") === "Yes";
  return { replicating: true, replicationRunning: running, replicationLagS: toNumber(column("Seconds_Behind_Source", "Seconds_Behind_Master")) };
}

/** The oldest open InnoDB transaction's age and the transactions waiting for a lock (undefined: refused). */
export function transactionFacts(row: Record<string, unknown> | undefined): Record<string, Fact> {
  if (row === undefined) return { oldestTransactionS: null, lockWaits: null };
  return { oldestTransactionS: toNumber(row["oldest_s"]), lockWaits: toNumber(row["lock_waits"]) ?? 0 };
}

function isOn(value: unknown): boolean {
  const v = String(value ?? "").toUpperCase();
  return v === "ON" || v === "1";
}

/** The statement's rows, or undefined when the server refused it (a missing privilege); a lost connection still throws. */
async function optional<T>(run: () => Promise<[T, unknown]>): Promise<T | undefined> {
  try {
    return (await run())[0];
  } catch (err) {
    // mysql2 marks errors that end the connection as fatal; anything else is the server's answer to this statement.
    if (typeof err === "object" && err !== null && (err as { fatal?: boolean }).fatal !== true && typeof (err as { sqlState?: unknown }).sqlState === "string") return undefined;
    throw err;
  }
}
