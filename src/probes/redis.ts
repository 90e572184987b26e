import { Redis } from "ioredis";
import type * as z from "zod";
import { redisUrl, strictMap, text } from "../config/fields.ts";
import { scrub, urlSecrets } from "../store/redact.ts";
import { elapsedSince, type ErrorKind, type Fact, type Probe, type ProbeOutcome } from "./types.ts";

const configSchema = strictMap({
  url: redisUrl,
  /** A command that must succeed, e.g. `GET health:flag` (words split on spaces, "quotes" kept together). */
  query: text.optional(),
});

/** The keys of a `redis` monitor: the server's URL (redis:// or rediss://) and an optional command that must succeed. */
export type RedisProbeConfig = z.infer<typeof configSchema>;

/** Facts shared by the database probes, read by the database evidence module across consecutive results. */
const facts = ["latencyMs", "uptimeS", "connections", "maxConnections", "role", "version"] as const;

/** Checks a Redis server: connects, PINGs, reads uptime, clients, limits and role from INFO, runs `query`. */
export const redisProbe: Probe<RedisProbeConfig> = {
  type: "redis",
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

    let redis: Redis;
    try {
      redis = new Redis(config.url, {
        lazyConnect: true,
        // One attempt, no queueing, no reconnection: a check is a single look, and a client that
        // retries behind our back would hide the failure and outlive the check.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: connectTimeoutFor(ctx.timeoutMs),
        // The probe's own PING is the readiness check; ioredis's would add an INFO round trip.
        enableReadyCheck: false,
        disableClientInfo: true,
        connectionName: "vigil",
      });
    } catch (err) {
      return down("protocol", describe(err));
    }
    // ioredis rejects a failed connect with a bare "Connection is closed." and reports the cause
    // (refused, DNS, WRONGPASS…) only as an event: keep the first one to classify by.
    let cause: unknown;
    redis.on("error", (err: unknown) => (cause ??= err));
    const explain = (err: unknown) => (err instanceof Error && err.message === closedMessage && cause !== undefined ? cause : err);

    let known: Record<string, Fact> = {};
    try {
      await untilAborted(redis.connect(), signal);
      const pong = await untilAborted(redis.ping(), signal);
      if (pong !== "PONG") return down("protocol", `PING answered ${JSON.stringify(pong).slice(0, 80)}`);
      known = await untilAborted(readFacts(redis), signal);
      if (config.query !== undefined) {
        const [command, ...args] = words(config.query);
        try {
          if (command !== undefined) await untilAborted(redis.call(command, ...args), signal);
        } catch (err) {
          const { kind, message } = classify(explain(err), ctx.timeoutMs, true);
          return down(kind, `query failed: ${message}`, known);
        }
      }
      const latencyMs = elapsedSince(started);
      return { status: "up", latencyMs, facts: { ...known, latencyMs } };
    } catch (err) {
      const { kind, message } = classify(explain(err), ctx.timeoutMs, Object.keys(known).length > 0);
      return down(kind, message, known);
    } finally {
      // disconnect() only half-closes (and waits up to 2 s for the server); destroying frees the socket now.
      redis.disconnect();
      (redis.stream as typeof redis.stream | undefined)?.destroy();
    }
  },
};

/** Half the check's budget for the TCP connect (at least 1 s, at most all of it), so a slow connect is named as such. */
function connectTimeoutFor(timeoutMs: number): number {
  return Math.max(1, Math.min(timeoutMs, Math.max(1000, Math.round(timeoutMs / 2))));
}

async function readFacts(redis: Redis): Promise<Record<string, Fact>> {
  // Three small sections rather than the default INFO: less to send, and all of them exist since Redis 2.
  const sections = await Promise.all([redis.info("server"), redis.info("clients"), redis.info("replication")]);
  const info = new Map<string, string>();
  for (const line of sections.join("\n").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) info.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  let maxClients = toNumber(info.get("maxclients"));
  if (maxClients === null) {
    // INFO has told maxclients only since Redis 7; older servers answer CONFIG GET unless it is renamed away.
    const reply = await redis.config("GET", "maxclients").catch(() => undefined);
    maxClients = Array.isArray(reply) ? toNumber(reply[1]) : null;
  }
  const role = info.get("role");
  return {
    uptimeS: toNumber(info.get("uptime_in_seconds")),
    connections: toNumber(info.get("connected_clients")),
    maxConnections: maxClients,
    role: role === "master" ? "primary" : role === "slave" || role === "replica" ? "replica" : null,
    version: info.get("redis_version") ?? null,
  };
}

function toNumber(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

/** A command line split like a shell would for simple cases: spaces separate words, quotes group them. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

const aborted = Symbol("aborted");
const closedMessage = "Connection is closed.";

/** Settles like `work`, or rejects with `aborted` as soon as `signal` fires. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {}); // after an abort the client still fails the command: expected, not unhandled
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

/** Sorts a failure into an error kind; after login, any error the server sends is `protocol`, except NOAUTH. */
function classify(err: unknown, timeoutMs: number, loggedIn: boolean): { kind: ErrorKind; message: string } {
  if (err === aborted) return { kind: "timeout", message: `timed out after ${timeoutMs} ms` };
  const code = errorCode(err);
  const message = describe(err);
  if (code === "ETIMEDOUT") return { kind: "timeout", message: `connect timed out (${message})` };
  if (connectCodes.has(code) || /^Connection is closed|Stream isn't writeable/.test(message)) return { kind: "connect", message };
  if (dnsCodes.has(code)) return { kind: "dns", message };
  if (tlsCode.test(code)) return { kind: "tls", message };
  // NOAUTH: the server wants a password the URL does not give, whichever command finds out first.
  if (/^NOAUTH\b/.test(message) || (!loggedIn && /^(WRONGPASS|ERR invalid password|ERR AUTH)/.test(message))) return { kind: "auth", message };
  return { kind: "protocol", message };
}

function errorCode(err: unknown): string {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "";
}

/** The client's message; Node's AggregateError (one error per address tried) has an empty one. */
function describe(err: unknown): string {
  if (err instanceof AggregateError && err.message === "") return err.errors.map((e) => describe(e)).join("; ") || errorCode(err);
  if (err instanceof Error) return err.message || errorCode(err) || err.name;
  return String(err);
}
