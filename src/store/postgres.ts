import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Db } from "./db.ts";
import type { MigrationTarget } from "./migrate.ts";
import { schema } from "./schema.ts";

/** An open PostgreSQL pool: its drizzle handle, a migration target and a way to close it. */
export interface PostgresHandle {
  db: Db;
  target: MigrationTarget;
  listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Pool settings: short connect timeout so an unreachable server is reported, not waited on; and a session that sits in
 * a transaction for 5 s is ended by the server. Vigil's transactions never wait on anything but the database, so only a
 * node cut off in the middle of one does: without the limit it would hold the timeline's lock (and the lease row) for
 * as long as its dead connection lingers, and every other node's writes, and the failover, would wait behind it.
 */
export const poolDefaults = { max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000, options: "-c idle_in_transaction_session_timeout=5000" } as const;

// int8 (bigint ids, counts) as strings is pg's default; timestamptz as Date is what drizzle expects.
/** Opens a pool on `url`; nothing connects until the first query. */
export function openPostgres(url: string): PostgresHandle {
  const pool = new pg.Pool({ connectionString: url, ...poolDefaults, application_name: "vigil" });
  // An idle client that loses its server emits 'error' on the pool; one checked out with no query running (a
  // transaction between two statements) emits it on itself. Without a listener either would end the process; with
  // one, the transaction's next statement fails and the pool replaces the client.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => void client.on("error", () => undefined));
  const db = drizzle({ client: pool, schema }) as unknown as Db;
  const target: MigrationTarget = {
    async withSession(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          query: async (text, params) => (await client.query(text, params)).rows as Record<string, unknown>[],
          script: async (text) => {
            await client.query(text);
          },
        });
      } finally {
        client.release();
      }
    },
  };
  let closed: Promise<void> | undefined;
  const listeners = new Set<() => Promise<void>>();
  return {
    db,
    target,
    async listen(channel, fn) {
      const { ready, stop } = listenOn(url, channel, fn);
      listeners.add(stop);
      // Listening before this returns: a notification sent right after is heard.
      await ready;
      return async () => {
        listeners.delete(stop);
        await stop();
      };
    },
    close: () =>
      (closed ??= (async () => {
        for (const stop of listeners) await stop();
        await pool.end();
      })()),
  };
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed to other queries), opened again a second after it
 * is lost; a notification missed meanwhile is caught by the caller's polling, so this only makes things sooner.
 */
function listenOn(url: string, channel: string, fn: (payload: string) => void): { ready: Promise<void>; stop: () => Promise<void> } {
  let stopped = false;
  let settle: (() => void) | undefined;
  // Settled by the first attempt, whether it listens or fails (then the caller's polling covers until it does).
  const ready = new Promise<void>((resolve) => (settle = resolve));
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: poolDefaults.connectionTimeoutMillis, application_name: "vigil-listen" });
    client = c;
    const again = () => {
      if (stopped || client !== c) return;
      client = undefined;
      void c.end().catch(() => undefined);
      retry = setTimeout(() => void connect(), 1_000);
    };
    c.on("error", again);
    c.on("end", again);
    c.on("notification", (n) => {
      if (n.channel === channel) fn(n.payload ?? "");
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${channel.replace(/"/g, "")}"`);
    } catch {
      again();
    } finally {
      settle?.();
    }
  };
  void connect();
  const stop = async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = undefined;
    await c?.end().catch(() => undefined);
  };
  return { ready, stop };
}
