import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Db } from "./db.ts";
import type { MigrationTarget } from "./migrate.ts";
import { schema } from "./schema.ts";

/** An open PostgreSQL pool: its drizzle handle, a migration target and a way to close it. */
export interface PostgresHandle {
  db: Db;
  target: MigrationTarget;
  close(): Promise<void>;
}

/** Pool settings: short connect timeout so an unreachable server is reported, not waited on. */
export const poolDefaults = { max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 } as const;

// int8 (bigint ids, counts) as strings is pg's default; timestamptz as Date is what drizzle expects.
/** Opens a pool on `url`; nothing connects until the first query. */
export function openPostgres(url: string): PostgresHandle {
  const pool = new pg.Pool({ connectionString: url, ...poolDefaults, application_name: "vigil" });
  // An idle client that loses its server emits 'error' on the pool: without a listener, the process would die.
  pool.on("error", () => undefined);
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
  return { db, target, close: () => (closed ??= pool.end()) };
}
