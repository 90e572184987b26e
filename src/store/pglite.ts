import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { AppError } from "../core/errors.ts";
import { lockDataDir } from "./data-dir-lock.ts";
import type { Db } from "./db.ts";
import type { MigrationTarget } from "./migrate.ts";
import { startPgliteThread, type ThreadSession } from "./pglite-client.ts";
import { schema } from "./schema.ts";
import type { StoreLogger } from "./types.ts";

/** An open embedded database: its drizzle handle, a migration target and a way to close it. */
export interface PgliteHandle {
  db: Db;
  target: MigrationTarget;
  close(): Promise<void>;
}

/**
 * PostgreSQL's default 128 MB of shared buffers is touched WebAssembly memory for the life of the
 * process; one embedded user needs far less (idle RSS 290 MB → 160 MB measured, docs/performance.md).
 */
export const embeddedSettings = "shared_buffers = 16MB";

/** PostgreSQL's own files live in this subfolder of the data dir, next to Vigil's lock file. */
export const pgSubdir = "pg";

/**
 * Where the embedded database runs: in its own thread (the default), so that a long query (the
 * rollups, retention) never holds the event loop that times the checks; or on the main thread,
 * one hop cheaper per query (docs/performance.md, "The embedded store's thread").
 */
export type EmbeddedThread = "worker" | "main";

/** Both kinds of client answer what Vigil and drizzle ask of PGlite. */
type EmbeddedClient = ThreadSession & { readonly closed: boolean; close(): Promise<void> };

/**
 * Opens PGlite in `dataDir`, holding the data dir's lock for as long as it is open. A new data dir
 * is initialised in a child process first: initdb's memory peak (~750 MB of WebAssembly memory,
 * which a process never gives back) then ends with the child.
 */
export async function openPglite(dataDir: string, logger?: StoreLogger, thread: EmbeddedThread = "worker"): Promise<PgliteHandle> {
  try {
    // Subscribers' addresses, token hashes and the key that signs subscription links live here: the owner's alone.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new AppError("store_unavailable", `cannot create the data dir ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
  const lock = lockDataDir(dataDir, logger);
  try {
    const pgDir = path.join(dataDir, pgSubdir);
    if (!existsSync(path.join(pgDir, "PG_VERSION"))) {
      logger?.info({ dataDir }, "initialising a new embedded database (once per data dir)");
      await initialiseInChild(pgDir);
    }
    const client: EmbeddedClient =
      thread === "worker" ? await startPgliteThread(pgDir, embeddedSettings) : ((await PGlite.create({ dataDir: pgDir, postgresqlconf: embeddedSettings })) as unknown as EmbeddedClient);
    // drizzle's PGlite driver asks only for what EmbeddedClient has (query with rowMode and parsers, transaction).
    const db = drizzle({ client: client as unknown as PGlite, schema }) as unknown as Db;
    const target: MigrationTarget = {
      // PGlite is one session: the advisory lock is trivially ours, but the runner stays the same.
      withSession: (fn) =>
        fn({
          query: async (text, params) => (await client.query<Record<string, unknown>>(text, params)).rows,
          script: async (text) => {
            await client.exec(text);
          },
        }),
    };
    return {
      db,
      target,
      async close() {
        try {
          if (!client.closed) await client.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    if (err instanceof AppError) throw err;
    throw new AppError("store_unavailable", `cannot open the embedded database in ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
}

// Runs as `node --input-type=module -e … <pglite module URL> <dir> <settings>`.
const initScript = `const { PGlite } = await import(process.argv[1]);
const db = await PGlite.create({ dataDir: process.argv[2], postgresqlconf: process.argv[3] });
await db.close();`;

/** Runs initdb for a new embedded database in a short-lived child process. */
function initialiseInChild(pgDir: string): Promise<void> {
  const moduleUrl = import.meta.resolve("@electric-sql/pglite");
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--input-type=module", "-e", initScript, moduleUrl, pgDir, embeddedSettings], { timeout: 120_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`initialising the embedded database failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve();
    });
  });
}
