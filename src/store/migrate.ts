import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AppError } from "../core/errors.ts";
import { isUnavailable } from "./errors.ts";
import type { StoreLogger } from "./types.ts";

/** The advisory-lock key every Vigil node takes while migrating ("VIGILMIG" as a bigint). */
export const migrationLockKey = "6217579140699998535";

// Must match the table in 0001_foundation.sql: the runner needs it before that file has run.
const ledgerDdl = `CREATE TABLE IF NOT EXISTS "schema_migrations" (
	"version" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	"checksum" text NOT NULL
)`;

/** One database connection, used for the whole migration run so the advisory lock stays held. */
export interface MigrationSession {
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs a multi-statement SQL text (simple query protocol). */
  script(text: string): Promise<void>;
}

/** Lends one dedicated session for the duration of `fn`. */
export interface MigrationTarget {
  withSession<T>(fn: (session: MigrationSession) => Promise<T>): Promise<T>;
}

/** A migration file: `0001_foundation.sql` is version "0001", name "foundation". */
export interface MigrationFile {
  version: string;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

/** The migrations folder shipped with Vigil, found from this file's location. */
export function defaultMigrationsDir(): string {
  return fileURLToPath(new URL("../../migrations/", import.meta.url));
}

/** Reads `dir/*.sql` in version order; subfolders (drizzle-kit's meta/) are ignored. */
export function readMigrations(dir: string): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".sql")) continue;
    const match = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/.exec(entry.name);
    if (!match) throw new AppError("internal", `migration file ${entry.name} is not named like 0001_what_it_does.sql`);
    const sql = fs.readFileSync(path.join(dir, entry.name), "utf8");
    // Line endings are normalised so a checkout with CRLF does not look like an edited migration.
    const checksum = createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
    files.push({ version: match[1] ?? "", name: match[2] ?? "", file: entry.name, sql, checksum });
  }
  files.sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < files.length; i++) {
    const [prev, cur] = [files[i - 1], files[i]];
    if (prev && cur && compareVersions(prev.version, cur.version) === 0) {
      throw new AppError("internal", `migrations ${prev.file} and ${cur.file} have the same version`);
    }
  }
  return files;
}

/** Applies the pending migrations, each in its own transaction, under a cluster-wide advisory lock. */
export async function runMigrations(
  target: MigrationTarget,
  options: { dir?: string; logger?: StoreLogger } = {},
): Promise<{ applied: string[] }> {
  const files = readMigrations(options.dir ?? defaultMigrationsDir());
  return target.withSession(async (session) => {
    // A second node starting at the same time waits here, then finds nothing left to do.
    await session.query(`SELECT pg_advisory_lock(${migrationLockKey})`);
    await session.script(ledgerDdl);
    const recorded = await readLedger(session);
    const pending = checkAgainstFiles(files, recorded);
    const applied: string[] = [];
    for (const file of pending) {
      await applyOne(session, file);
      applied.push(tagOf(file));
      options.logger?.info({ migration: file.file }, "applied migration");
    }
    await session.query(`SELECT pg_advisory_unlock(${migrationLockKey})`);
    return { applied };
  });
}

/** Which migrations the database has and which of the shipped ones it still lacks. */
export async function readMigrationStatus(
  session: Pick<MigrationSession, "query">,
  dir: string = defaultMigrationsDir(),
): Promise<{ applied: string[]; pending: string[] }> {
  const files = readMigrations(dir);
  const [exists] = await session.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS "exists"`);
  const recorded = exists?.["exists"] === true ? await readLedger(session) : [];
  const done = new Set(recorded.map((r) => r.version));
  return {
    applied: recorded.map((r) => `${r.version}_${r.name}`),
    pending: files.filter((f) => !done.has(f.version)).map(tagOf),
  };
}

interface LedgerRow {
  version: string;
  name: string;
  checksum: string;
}

async function readLedger(session: Pick<MigrationSession, "query">): Promise<LedgerRow[]> {
  const rows = await session.query(`SELECT version, name, checksum FROM schema_migrations`);
  return rows
    .map((r) => ({ version: String(r["version"]), name: String(r["name"]), checksum: String(r["checksum"]) }))
    .sort((a, b) => compareVersions(a.version, b.version));
}

function checkAgainstFiles(files: MigrationFile[], recorded: LedgerRow[]): MigrationFile[] {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const unknown = recorded.filter((r) => !byVersion.has(r.version));
  if (unknown.length > 0) {
    const names = unknown.map((r) => `${r.version}_${r.name}`).join(", ");
    throw new AppError("conflict", `the database has migrations this Vigil does not ship (${names}); was it upgraded by a newer version?`);
  }
  for (const row of recorded) {
    const file = byVersion.get(row.version);
    if (file && file.checksum !== row.checksum) {
      throw new AppError(
        "conflict",
        `migration ${file.file} was changed after it was applied (recorded checksum ${row.checksum.slice(0, 12)}…, file ${file.checksum.slice(0, 12)}…); migrations are forward-only: add a new one instead`,
      );
    }
  }
  const done = new Set(recorded.map((r) => r.version));
  return files.filter((f) => !done.has(f.version));
}

async function applyOne(session: MigrationSession, file: MigrationFile): Promise<void> {
  await session.query("BEGIN");
  try {
    await session.script(file.sql);
    await session.query(`INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, now(), $3)`, [
      file.version,
      file.name,
      file.checksum,
    ]);
    await session.query("COMMIT");
  } catch (err) {
    await session.query("ROLLBACK").catch(() => undefined);
    // Lost connections are reported as such by the caller; anything else is this file's fault.
    if (isUnavailable(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new AppError("internal", `migration ${file.file} failed: ${message}`, { cause: err });
  }
}

function tagOf(file: MigrationFile): string {
  return `${file.version}_${file.name}`;
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
