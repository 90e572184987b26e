import { connect as netConnect, type Socket } from "node:net";
import { createConnection, type Connection, type RowDataPacket } from "mysql2";
import { mysqlUrl } from "../config/fields.ts";
import { databaseProbe, settleWithin, toNumber, type DbProbeConfig, type DbSession, type ErrorRules } from "./db-common.ts";
import { mysqlHolderFacts, readMysqlHolders } from "./db/holders-mysql.ts";
import type { Fact, Probe } from "./types.ts";
import { mysqlRole, readMysqlServerFacts, serverVariables } from "./db/mysql-server.ts";
import { serverFactNames } from "./db/server-facts.ts";

/** The keys of a `mysql` monitor: the server's URL and an optional SQL query that must succeed, e.g. `SELECT 1 FROM orders LIMIT 1`. */
export type MysqlProbeConfig = DbProbeConfig;

const authCodes = new Set([
  "ER_ACCESS_DENIED_ERROR",
  "ER_ACCESS_DENIED_NO_PASSWORD_ERROR",
  "ER_DBACCESS_DENIED_ERROR",
  "ER_NOT_SUPPORTED_AUTH_MODE",
  "ER_ACCOUNT_HAS_BEEN_LOCKED",
  "ER_MUST_CHANGE_PASSWORD_LOGIN",
]);

// mysql2 names a dropped connection and a server without TLS with codes of its own.
const errors: ErrorRules = {
  connect: (code) => code === "PROTOCOL_CONNECTION_LOST",
  tls: (code) => code.startsWith("HANDSHAKE_NO_SSL"),
  // Error 1040: every connection is taken (one more is kept for a user with CONNECTION ADMIN or SUPER).
  saturated: (code) => code === "ER_CON_COUNT_ERROR",
  // After login, any error the server sends is `protocol`.
  auth: (code, _message, loggedIn) => !loggedIn && authCodes.has(code),
};

/** Checks a MySQL or MariaDB server: connects, reads uptime, connections, limits and role, runs `query`. */
export const mysqlProbe: Probe<MysqlProbeConfig> = databaseProbe({ type: "mysql", url: mysqlUrl, errors, open, facts: [...serverFactNames, ...mysqlHolderFacts] });

function open(url: string, connectTimeoutMs: number): DbSession {
  let socket: Socket | undefined;
  const conn = createConnection({
    uri: url,
    connectTimeout: connectTimeoutMs,
    // We open the socket ourselves so that an abort can destroy it in any state of the handshake
    // (mysql2's own close() only half-closes, which a hung server never answers).
    stream: (opts: { config: { host: string; port: number } }) => {
      socket = netConnect(opts.config.port, opts.config.host);
      socket.setNoDelay(true);
      return socket;
    },
  });
  // An error with no command waiting (the server died between statements) is emitted as an event:
  // without a listener it would crash Vigil. The pending command sees the same error anyway.
  conn.on("error", () => {});
  return {
    connect: () => handshake(conn),
    readFacts: () => readFacts(conn),
    readHolders: () => readMysqlHolders(conn),
    query: (sql) => conn.promise().query(sql),
    close: (graceful) => close(conn, socket, graceful),
  };
}

function handshake(conn: Connection): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: unknown) => reject(err);
    conn.once("error", onError);
    conn.once("connect", () => {
      conn.removeListener("error", onError);
      resolve();
    });
  });
}

async function readFacts(conn: Connection): Promise<Record<string, Fact>> {
  const db = conn.promise();
  const [status] = await db.query<RowDataPacket[]>("SHOW GLOBAL STATUS WHERE Variable_name IN ('Uptime', 'Threads_connected')");
  const [variables] = await db.query<RowDataPacket[]>(
    `SHOW GLOBAL VARIABLES WHERE Variable_name IN ('max_connections', 'read_only', 'version', '${serverVariables.join("', '")}')`,
  );
  // Both statements answer rows of { Variable_name, Value } with every value as a string.
  const values = new Map<string, unknown>();
  for (const row of [...status, ...variables]) values.set(String(row.Variable_name).toLowerCase(), row.Value);
  const server = await readMysqlServerFacts(conn, values);
  return {
    uptimeS: toNumber(values.get("uptime")),
    connections: toNumber(values.get("threads_connected")),
    maxConnections: toNumber(values.get("max_connections")),
    role: mysqlRole(server),
    version: typeof values.get("version") === "string" ? (values.get("version") as string) : null,
    ...server,
  };
}

/** Says goodbye to a healthy server (MariaDB logs "Aborted connection" otherwise), then frees the socket whatever happened. */
async function close(conn: Connection, socket: Socket | undefined, graceful: boolean): Promise<void> {
  if (graceful) await settleWithin(new Promise<void>((resolve) => conn.end(() => resolve())), 500);
  socket?.destroy();
}
