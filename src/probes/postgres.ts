import { Socket } from "node:net";
import pg from "pg";
import type * as z from "zod";
import { postgresUrl, strictMap, text } from "../config/fields.ts";
import { scrub, urlSecrets } from "../store/redact.ts";
import { elapsedSince, type ErrorKind, type Fact, type Probe, type ProbeOutcome } from "./types.ts";

const configSchema = strictMap({
  url: postgresUrl,
  /** SQL that must succeed, e.g. `SELECT 1 FROM orders LIMIT 1`; a failure is a `protocol` error. */
  query: text.optional(),
});

/** The keys of a `postgres` monitor: the server's URL and an optional query that must succeed. */
export type PostgresProbeConfig = z.infer<typeof configSchema>;

/** Facts shared by the database probes, read by the database evidence module across consecutive results. */
const facts = ["latencyMs", "uptimeS", "connections", "maxConnections", "role", "version"] as const;

// One round trip. The casts matter: numeric and bigint arrive as strings from the driver.
const factsSql = `SELECT
  extract(epoch FROM now() - pg_postmaster_start_time())::float8 AS uptime_s,
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS connections,
  current_setting('max_connections')::int AS max_connections,
  pg_is_in_recovery() AS in_recovery,
  current_setting('server_version') AS version`;

/** Checks a PostgreSQL server: connects, reads uptime, connections, limits and role, runs `query`. */
export const postgresProbe: Probe<PostgresProbeConfig> = {
  type: "postgres",
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

    // Our own socket, so that an abort can destroy it whatever state the client is in.
    const socket = new Socket();
    let client: pg.Client;
    try {
      client = new pg.Client({
        connectionString: config.url,
        connectionTimeoutMillis: connectTimeoutFor(ctx.timeoutMs),
        application_name: "vigil",
        stream: () => socket,
      });
    } catch (err) {
      socket.destroy();
      return down("protocol", describe(err));
    }
    // An error with no query waiting (the server died between statements) is emitted as an event:
    // without a listener it would crash Vigil. The pending query sees the same error anyway.
    client.on("error", () => {});

    let graceful = false;
    let known: Record<string, Fact> = {};
    try {
      await untilAborted(client.connect(), signal);
      known = await untilAborted(readFacts(client), signal);
      if (config.query !== undefined) {
        try {
          await untilAborted(client.query(config.query), signal);
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
      // A Terminate message spares the server's log an "unexpected EOF"; the socket goes either way.
      if (graceful) await settleWithin(client.end(), 500);
      socket.destroy();
    }
  },
};

/** Half the check's budget for the handshake (at least 1 s, at most all of it), so a slow handshake is named as such. */
function connectTimeoutFor(timeoutMs: number): number {
  return Math.max(1, Math.min(timeoutMs, Math.max(1000, Math.round(timeoutMs / 2))));
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
  };
}

async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const aborted = Symbol("aborted");

/** Settles like `work`, or rejects with `aborted` as soon as `signal` fires. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {}); // after an abort the driver still fails the query: expected, not unhandled
  if (signal.aborted) return Promise.reject(aborted);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const connectCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EHOSTUNREACH", "EHOSTDOWN", "ENETUNREACH", "ENETDOWN", "EPIPE", "EADDRNOTAVAIL"]);
const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]);
const tlsCode = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

/** Sorts a failure into an error kind; after login, any error the server sends is `protocol`. */
function classify(err: unknown, timeoutMs: number, loggedIn: boolean): { kind: ErrorKind; message: string } {
  if (err === aborted) return { kind: "timeout", message: `timed out after ${timeoutMs} ms` };
  const code = errorCode(err);
  const message = describe(err);
  if (code === "ETIMEDOUT" || /timeout expired|connection timeout/i.test(message)) return { kind: "timeout", message: `connect timed out (${message})` };
  if (connectCodes.has(code) || /^Connection terminated/.test(message)) return { kind: "connect", message };
  if (dnsCodes.has(code)) return { kind: "dns", message };
  if (tlsCode.test(code) || /does not support SSL/i.test(message)) return { kind: "tls", message };
  // SQLSTATE class 28 is "invalid authorization"; a SASL error means a password was needed but not given.
  if (!loggedIn && (code.startsWith("28") || /^SASL:|password must be/i.test(message))) return { kind: "auth", message };
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
