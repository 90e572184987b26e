import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

/** A place a store can be opened: a PGlite data dir or a fresh PostgreSQL database. */
export interface StoreTarget {
  url: string | undefined;
  dataDir: string;
  /** Drops the database or deletes the data dir. */
  dispose(): Promise<void>;
}

/** The backends the store contract suite runs on; PostgreSQL when a server is given or required. */
export function storeBackends(): { name: "pglite" | "postgres"; available: boolean; reason?: string }[] {
  const url = process.env.VIGIL_TEST_POSTGRES_URL;
  const required = process.env.VIGIL_REQUIRE_POSTGRES === "1";
  return [
    { name: "pglite", available: true },
    url || required
      ? { name: "postgres", available: true }
      : { name: "postgres", available: false, reason: "set VIGIL_TEST_POSTGRES_URL (npm test starts a server when PostgreSQL is installed)" },
  ];
}

/** A new, empty target on `backend`. */
export async function freshTarget(backend: "pglite" | "postgres"): Promise<StoreTarget> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-store-"));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  if (backend === "pglite") return { url: undefined, dataDir: path.join(dir, "data"), dispose: removeDir };
  const admin = process.env.VIGIL_TEST_POSTGRES_URL;
  if (!admin) throw new Error("VIGIL_REQUIRE_POSTGRES=1 but VIGIL_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite cannot run");
  const name = `vigil_test_${randomBytes(6).toString("hex")}`;
  await withAdmin(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir: path.join(dir, "unused"),
    async dispose() {
      await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await removeDir();
    },
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
