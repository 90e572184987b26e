import { Socket } from "node:net";
import pg from "pg";
import { postgresUrl } from "../config/fields.ts";
import { databaseProbe, settleWithin, type DbProbeConfig, type DbSession, type ErrorRules } from "./db-common.ts";
import { readPostgresHolders } from "./db/holders-postgres.ts";
import type { Fact, Probe } from "./types.ts";
import { readPostgresServerFacts } from "./db/postgres-server.ts";
import { serverFactNames } from "./db/server-facts.ts";

/** The keys of a `postgres` monitor: the server's URL and an optional SQL query that must succeed, e.g. `SELECT 1 FROM orders LIMIT 1`. */
export type PostgresProbeConfig = DbProbeConfig;

// One round trip. The casts matter: numeric and bigint arrive as strings from the driver.
const factsSql = `SELECT
  extract(epoch FROM now() - pg_postmaster_start_time())::float8 AS uptime_s,
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS connections,
  current_setting('max_connections')::int AS max_connections,
  pg_is_in_recovery() AS in_recovery,
  current_setting('server_version') AS version`;

// pg reports timeouts, dropped connections and a server without TLS in words rather than codes.
const errors: ErrorRules = {
  timeout: (_code, message) => /timeout expired|connection timeout/i.test(message),
  connect: (_code, message) => /^Connection terminated/.test(message),
  tls: (_code, message) => /does not support SSL/i.test(message),
  // SQLSTATE 53300 too_many_connections: every slot is taken, or only reserved ones are left.
  saturated: (code) => code === "53300",
  // SQLSTATE class 28 is "invalid authorization"; a SASL error means a password was needed but not given.
  // After login, any error the server sends is `protocol`.
  auth: (code, message, loggedIn) => !loggedIn && (code.startsWith("28") || /^SASL:|password must be/i.test(message)),
};

/** Checks a PostgreSQL server: connects, reads uptime, connections, limits and role, runs `query`. */
export const postgresProbe: Probe<PostgresProbeConfig> = databaseProbe({ type: "postgres", url: postgresUrl, errors, open, facts: serverFactNames });

function open(url: string, connectTimeoutMs: number): DbSession {
  // Our own socket, so that an abort can destroy it whatever state the client is in.
  const socket = new Socket();
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, application_name: "vigil", stream: () => socket });
  } catch (err) {
    socket.destroy();
    throw err;
  }
  // An error with no query waiting (the server died between statements) is emitted as an event:
  // without a listener it would crash Vigil. The pending query sees the same error anyway.
  client.on("error", () => {});
  return {
    connect: () => client.connect(),
    readFacts: () => readFacts(client),
    readHolders: () => readPostgresHolders(client),
    query: (sql) => client.query(sql),
    async close(graceful) {
      // A Terminate message spares the server's log an "unexpected EOF"; the socket goes either way.
      if (graceful) await settleWithin(client.end(), 500);
      socket.destroy();
    },
  };
}

async function readFacts(client: pg.Client): Promise<Record<string, Fact>> {
  const { rows } = await client.query<{ uptime_s: number; connections: number; max_connections: number; in_recovery: boolean; version: string }>(factsSql);
  const row = rows[0];
  if (!row) throw new Error("the status query returned no row");
  return {
    uptimeS: Math.round(row.uptime_s * 1000) / 1000,
    connections: row.connections,
    maxConnections: row.max_connections,
    role: row.in_recovery ? "replica" : "primary",
    version: row.version,
    ...(await readPostgresServerFacts(client)),
  };
}
