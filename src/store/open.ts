import path from "node:path";
import { translate } from "./errors.ts";
import { readMigrationStatus, runMigrations } from "./migrate.ts";
import { openPglite, type EmbeddedThread } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";
import { storeOver } from "./queries.ts";
import { redactUrl, urlSecrets } from "./redact.ts";
import type { Store, StoreLogger } from "./types.ts";

/** Where the store lives: a PostgreSQL URL, else PGlite in `dataDir`. */
export interface OpenStoreOptions {
  url?: string | undefined;
  dataDir: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Another migrations folder (tests). */
  migrationsDir?: string;
  logger?: StoreLogger;
  /** Where the embedded database runs (default its own thread); ignored with a URL. */
  embeddedThread?: EmbeddedThread;
}

/** Opens the store, applying pending migrations unless told not to; AppError store_unavailable or data_dir_locked when it cannot. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const dir = options.migrationsDir;
  const server = options.url;
  const description = server ? `PostgreSQL at ${redactUrl(server)}` : `PGlite at ${path.resolve(options.dataDir)}`;
  const context = { description, secrets: server ? urlSecrets(server) : [] };
  const handle = server ? openPostgres(server) : await openPglite(path.resolve(options.dataDir), options.logger, options.embeddedThread);
  try {
    if (options.migrate ?? true) await runMigrations(handle.target, { dir, logger: options.logger });
    // A pool connects lazily: make sure the server answers before saying the store is open.
    else await handle.target.withSession((s) => s.query("select 1"));
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw translate(err, context);
  }
  return storeOver(
    handle.db,
    {
      kind: server ? "postgres" : "pglite",
      description,
      close: handle.close,
      // PGlite is one process: nobody else to hear from.
      listen: "listen" in handle ? (handle.listen as Store["listen"]) : async () => async () => undefined,
      migrationStatus: () => handle.target.withSession((s) => readMigrationStatus(s, dir)),
    },
    (err) => translate(err, context),
  );
}
