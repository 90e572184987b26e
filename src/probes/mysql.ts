import { connect as netConnect, type Socket } from "node:net";
import { createConnection, type Connection, type RowDataPacket } from "mysql2";
import type * as z from "zod";
import { mysqlUrl, strictMap, text } from "../config/fields.ts";
import { scrub, urlSecrets } from "../store/redact.ts";
import { elapsedSince, type ErrorKind, type Fact, type Probe, type ProbeOutcome } from "./types.ts";

const configSchema = strictMap({
  url: mysqlUrl,
  /** SQL that must succeed, e.g. `SELECT 1 FROM orders LIMIT 1`; a failure is a `protocol` error. */
  query: text.optional(),
});

/** The keys of a `mysql` monitor: the server's URL and an optional query that must succeed. */
export type MysqlProbeConfig = z.infer<typeof configSchema>;

/** Facts shared by the database probes, read by the database evidence module across consecutive results. */
const facts = ["latencyMs", "uptimeS", "connections", "maxConnections", "role", "version"] as const;

/** Checks a MySQL or MariaDB server: connects, reads uptime, connections, limits and role, runs `query`. */
export const mysqlProbe: Probe<MysqlProbeConfig> = {
  type: "mysql",
  configSchema,
  facts,
  async run(config, ctx) {
    const started = performance.now();
    const secrets = urlSecrets(config.url);
    // The caller aborts ctx.signal at the timeout; the local timer is a backstop if it does not.
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]);
    const down = (kind: ErrorKind, message: string, known: Record<string, Fact> = {}): ProbeOutcome => {
      const latencyMs = elapsedSince(started);
      return { status: "down", latencyMs, facts: { ...known, latencyMs }, error: { kind, message: scrub(message, secrets) } };
    };
    if (signal.aborted) return down("timeout", `timed out after ${ctx.timeoutMs} ms`);

    let socket: Socket | undefined;
    let conn: Connection;
    try {
      conn = createConnection({
        uri: config.url,
        connectTimeout: connectTimeoutFor(ctx.timeoutMs),
        // We open the socket ourselves so that an abort can destroy it in any state of the handshake
        // (mysql2's own close() only half-closes, which a hung server never answers).
        stream: (opts: { config: { host: string; port: number } }) => {
          socket = netConnect(opts.config.port, opts.config.host);
          socket.setNoDelay(true);
          return socket;
        },
      });
    } catch (err) {
      return down("protocol", describe(err));
    }
    // An error with no command waiting (the server died between statements) is emitted as an event:
    // without a listener it would crash Vigil. The pending command sees the same error anyway.
    conn.on("error", () => {});

    let graceful = false;
    let known: Record<string, Fact> = {};
    try {
      await untilAborted(handshake(conn), signal);
      known = await untilAborted(readFacts(conn), signal);
      if (config.query !== undefined) {
        try {
          await untilAborted(conn.promise().query(config.query), signal);
        } catch (err) {
          const { kind, message } = classify(err, ctx.timeoutMs, true);
          return down(kind, `query failed: ${message}`, known);
        }
      }
      graceful = true;
      const latencyMs = elapsedSince(started);
      return { status: "up", latencyMs, facts: { ...known, latencyMs } };
    } catch (err) {
      const { kind, message } = classify(err, ctx.timeoutMs, Object.keys(known).length > 0);
      return down(kind, message, known);
    } finally {
      await close(conn, socket, graceful);
    }
  },
};

/** Half the check's budget for the handshake (at least 1 s, at most all of it), so a slow handshake is named as such. */
function connectTimeoutFor(timeoutMs: number): number {
  return Math.max(1, Math.min(timeoutMs, Math.max(1000, Math.round(timeoutMs / 2))));
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
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('max_connections', 'read_only', 'version')",
  );
  // Both statements answer rows of { Variable_name, Value } with every value as a string.
  const values = new Map<string, unknown>();
  for (const row of [...status, ...variables]) values.set(String(row.Variable_name).toLowerCase(), row.Value);
  const readOnly = String(values.get("read_only") ?? "").toUpperCase();
  return {
    uptimeS: toNumber(values.get("uptime")),
    connections: toNumber(values.get("threads_connected")),
    maxConnections: toNumber(values.get("max_connections")),
    role: readOnly === "ON" || readOnly === "1" ? "replica" : "primary",
    version: typeof values.get("version") === "string" ? (values.get("version") as string) : null,
  };
}

function toNumber(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

/** Says goodbye to a healthy server (MariaDB logs "Aborted connection" otherwise), then frees the socket whatever happened. */
async function close(conn: Connection, socket: Socket | undefined, graceful: boolean): Promise<void> {
  if (graceful) await settleWithin(new Promise<void>((resolve) => conn.end(() => resolve())), 500);
  socket?.destroy();
}

async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const aborted = Symbol("aborted");

/** Settles like `work`, or rejects with `aborted` as soon as `signal` fires. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {}); // after an abort the driver still fails the command: expected, not unhandled
  if (signal.aborted) return Promise.reject(aborted);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const connectCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EHOSTUNREACH", "EHOSTDOWN", "ENETUNREACH", "ENETDOWN", "EPIPE", "EADDRNOTAVAIL", "PROTOCOL_CONNECTION_LOST"]);
const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]);
const authCodes = new Set([
  "ER_ACCESS_DENIED_ERROR",
  "ER_ACCESS_DENIED_NO_PASSWORD_ERROR",
  "ER_DBACCESS_DENIED_ERROR",
  "ER_NOT_SUPPORTED_AUTH_MODE",
  "ER_ACCOUNT_HAS_BEEN_LOCKED",
  "ER_MUST_CHANGE_PASSWORD_LOGIN",
]);
const tlsCode = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HANDSHAKE_NO_SSL)/;

/** Sorts a failure into an error kind; after login, any error the server sends is `protocol`. */
function classify(err: unknown, timeoutMs: number, loggedIn: boolean): { kind: ErrorKind; message: string } {
  if (err === aborted) return { kind: "timeout", message: `timed out after ${timeoutMs} ms` };
  const code = errorCode(err);
  const message = describe(err);
  if (code === "ETIMEDOUT") return { kind: "timeout", message: `connect timed out (${message})` };
  if (connectCodes.has(code)) return { kind: "connect", message };
  if (dnsCodes.has(code)) return { kind: "dns", message };
  if (tlsCode.test(code)) return { kind: "tls", message };
  if (!loggedIn && authCodes.has(code)) return { kind: "auth", message };
  return { kind: "protocol", message };
}

function errorCode(err: unknown): string {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "";
}

/** The driver's message; Node's AggregateError (one error per address tried) has an empty one. */
function describe(err: unknown): string {
  if (err instanceof AggregateError && err.message === "") return err.errors.map((e) => describe(e)).join("; ") || errorCode(err);
  if (err instanceof Error) return err.message || errorCode(err) || err.name;
  return String(err);
}
