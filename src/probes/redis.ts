import { connect as connectTcp } from "node:net";
import { Redis } from "ioredis";
import { redisUrl } from "../config/fields.ts";
import { databaseProbe, toNumber, type DbProbeConfig, type DbSession, type ErrorRules } from "./db-common.ts";
import { readRedisHolders } from "./db/holders-redis.ts";
import type { Fact, Probe } from "./types.ts";

/**
 * The keys of a `redis` monitor: the server's URL (redis:// or rediss://) and an optional command that must
 * succeed, e.g. `GET health:flag` (words split on spaces, "quotes" kept together).
 */
export type RedisProbeConfig = DbProbeConfig;

const closedMessage = "Connection is closed.";

// ioredis reports a lost connection in words rather than codes, and auth failures as server replies.
const errors: ErrorRules = {
  connect: (_code, message) => /^Connection is closed|Stream isn't writeable/.test(message),
  // The refusal, read by the client or by `refusalOf` after the connection broke (see docs/probes.md).
  saturated: (_code, message) => /max number of clients reached/i.test(message),
  // NOAUTH: the server wants a password the URL does not give, whichever command finds out first;
  // any other error the server sends after login is `protocol`.
  auth: (_code, message, loggedIn) => /^NOAUTH\b/.test(message) || (!loggedIn && /^(WRONGPASS|ERR invalid password|ERR AUTH)/.test(message)),
};

/** Checks a Redis server: connects, PINGs, reads uptime, clients, limits and role from INFO, runs `query`. */
export const redisProbe: Probe<RedisProbeConfig> = databaseProbe({ type: "redis", url: redisUrl, errors, open });

function open(url: string, connectTimeoutMs: number): DbSession {
  const redis = new Redis(url, {
    lazyConnect: true,
    // One attempt, no queueing, no reconnection: a check is a single look, and a client that
    // retries behind our back would hide the failure and outlive the check.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: connectTimeoutMs,
    // The probe's own PING is the readiness check; ioredis's would add an INFO round trip.
    enableReadyCheck: false,
    disableClientInfo: true,
    connectionName: "vigil",
  });
  // ioredis rejects a failed connect with a bare "Connection is closed." and reports the cause
  // (refused, DNS, WRONGPASS…) only as an event: keep the first one to classify by.
  let cause: unknown;
  redis.on("error", (err: unknown) => (cause ??= err));
  return {
    async connect() {
      try {
        await redis.connect();
      } catch (err) {
        // A full server writes its refusal and hangs up as it accepts; the client's first command, written at once,
        // breaks the pipe before the refusal is read. Listen again without writing, to read what the server says.
        const broken = brokenByHangUp(cause);
        const { host, port, tls, path } = redis.options;
        const refusal = broken && !tls && path === undefined && host !== undefined ? await refusalOf(host, port ?? 6379, connectTimeoutMs) : null;
        if (refusal !== null) throw new Error(refusal);
        throw err;
      }
      const pong = await redis.ping();
      // Thrown rather than returned: the shared check classifies this message as `protocol`, with no facts.
      if (pong !== "PONG") throw new Error(`PING answered ${JSON.stringify(pong).slice(0, 80)}`);
    },
    readFacts: () => readFacts(redis),
    readHolders: () => readRedisHolders(redis),
    async query(line) {
      const [command, ...args] = words(line);
      if (command !== undefined) await redis.call(command, ...args);
    },
    close() {
      // disconnect() only half-closes (and waits up to 2 s for the server); destroying frees the socket now.
      redis.disconnect();
      (redis.stream as typeof redis.stream | undefined)?.destroy();
    },
    explain: (err) => (err instanceof Error && err.message === closedMessage && cause !== undefined ? cause : err),
  };
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

/**
 * What a Redis server says, unasked, to a new connection: a refusal such as "ERR max number of clients reached" when
 * it is full (read within `timeoutMs`), or null when it says nothing (it waits for a command: there was room after all).
 */
export function refusalOf(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    let said = "";
    const socket = connectTcp({ host, port });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const line = /^-(.*)\r\n/.exec(said)?.[1];
      resolve(line === undefined ? null : line.slice(0, 200));
    };
    const timer = setTimeout(done, Math.min(timeoutMs, 1_000));
    socket.on("data", (chunk: Buffer) => {
      said += chunk.toString("latin1");
      if (said.includes("\r\n")) done();
    });
    socket.once("close", done);
    socket.once("error", done);
  });
}

/** A command line split like a shell would for simple cases: spaces separate words, quotes group them. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/**
 * Whether a failed first command reads as the server hanging up on it (as a full server does after writing its
 * refusal): no cause, or EPIPE or ECONNRESET, on the write or the read, as the kernel's timing goes.
 */
export function brokenByHangUp(cause: unknown): boolean {
  return cause === undefined || (cause instanceof Error && /^(write|read) (EPIPE|ECONNRESET)$/.test(cause.message));
}
