import { spawnSync } from "node:child_process";
import { chownSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { accountIds, freePort, launchServer, makeTempDir, skipReasonUnless, type ServerProcess } from "./server-process.ts";

/**
 * A throwaway PostgreSQL server owned by one test file (temp data dir, free loopback port), which the
 * tests may kill and start again: the same steps as `pg_up` in ci/services.sh, from TypeScript.
 * Host connections need a password (scram-sha-256), so a wrong one is refused.
 * Its kill() takes the backends along, as a crash of the postmaster would.
 */
export interface PostgresServer extends ServerProcess {
  /** The `monitor` role (member of pg_monitor), password `monitor-pw`, database `postgres`. */
  url: string;
  /** The `postgres` superuser with its password. */
  adminUrl: string;
  /** The `max_connections` the server was started with. */
  maxConnections: number;
}

const adminPassword = "pg-admin-secret";

/** The newest /usr/lib/postgresql/<version>/bin holding initdb and postgres (Debian's layout), if any. */
function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "initdb")) && existsSync(path.join(root, v, "bin", "postgres")));
  versions.sort((a, b) => Number.parseFloat(a) - Number.parseFloat(b));
  const newest = versions.at(-1);
  return newest === undefined ? undefined : path.join(root, newest, "bin");
}

/** Why the PostgreSQL tests cannot run here, or undefined when they can (or must: VIGIL_REQUIRE_SERVERS=1). */
export function postgresSkipReason(): string | undefined {
  return skipReasonUnless(postgresBin() !== undefined, "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql");
}

/** Runs initdb in a temp dir, starts PostgreSQL on it and creates the `monitor` role. */
export async function startPostgres(options: { maxConnections?: number } = {}): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error("VIGIL_REQUIRE_SERVERS=1 but PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)");
  const maxConnections = options.maxConnections ?? 37;
  const dir = makeTempDir("vigil-pg-");
  // initdb and postgres refuse to run as root: run them as the postgres account, which owns the dir.
  const ids = process.getuid?.() === 0 ? accountIds("postgres") : undefined;
  if (process.getuid?.() === 0 && !ids) throw new Error("running as root, but there is no postgres account to run PostgreSQL as");
  const as = ids ? { uid: ids.uid, gid: ids.gid } : {};
  const pwfile = path.join(dir, "pwfile");
  writeFileSync(pwfile, `${adminPassword}\n`, { mode: 0o600 });
  if (ids) {
    chownSync(dir, ids.uid, ids.gid);
    chownSync(pwfile, ids.uid, ids.gid);
  }
  const datadir = path.join(dir, "data");
  const init = spawnSync(
    path.join(bin, "initdb"),
    ["-D", datadir, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--no-locale", "--no-sync"],
    { ...as, cwd: dir, encoding: "utf8" },
  );
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
  // No synchronous_commit=off: a SIGKILL would lose the last commits (the monitor role, say).
  return launchPostgres({ name: "PostgreSQL", bin, dir, datadir, spawnOptions: { ...as, cwd: dir }, maxConnections, setup: (adminUrl) => adminQuery(adminUrl, {}, "CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor") });
}

/**
 * A hot standby of `primary` (pg_basebackup -R, streaming replication) in its own temp dir, on its own port; the
 * `monitor` role and the admin password come with the copy. Promote it with `SELECT pg_promote()`.
 */
export async function startPostgresStandby(primary: PostgresServer): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error("VIGIL_REQUIRE_SERVERS=1 but PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)");
  const dir = makeTempDir("vigil-pg-standby-");
  const ids = process.getuid?.() === 0 ? accountIds("postgres") : undefined;
  const as = ids ? { uid: ids.uid, gid: ids.gid } : {};
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const datadir = path.join(dir, "data");
  const backup = spawnSync(
    path.join(bin, "pg_basebackup"),
    ["-h", "127.0.0.1", "-p", String(primary.port), "-U", "postgres", "-D", datadir, "-R", "-X", "stream", "--no-sync", "-c", "fast"],
    { ...as, cwd: dir, encoding: "utf8", env: { ...process.env, PGPASSWORD: adminPassword } },
  );
  if (backup.status !== 0) throw new Error(`pg_basebackup failed:\n${backup.stdout}${backup.stderr}`);
  // A hot standby needs at least the primary's max_connections.
  return launchPostgres({ name: "PostgreSQL standby", bin, dir, datadir, spawnOptions: { ...as, cwd: dir }, maxConnections: primary.maxConnections });
}

/**
 * Starts `postgres` on `datadir` (made by initdb or pg_basebackup) on a free loopback port, for tests: no fsync, small
 * buffers; `setup` runs once it answers. The monitor role's URL, whose role the data dir has or `setup` makes.
 */
async function launchPostgres(options: {
  name: string;
  bin: string;
  dir: string;
  datadir: string;
  spawnOptions: { cwd: string; uid?: number; gid?: number };
  maxConnections: number;
  setup?: (adminUrl: string) => Promise<void>;
}): Promise<PostgresServer> {
  const { bin, dir, datadir, maxConnections, setup } = options;
  const port = await freePort();
  const args = ["-D", datadir, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"];
  args.push("-c", "full_page_writes=off", "-c", `max_connections=${maxConnections}`, "-c", "shared_buffers=16MB");
  const adminUrl = `postgres://postgres:${adminPassword}@127.0.0.1:${port}/postgres`;
  const server = await launchServer({
    name: options.name,
    dir,
    port,
    command: path.join(bin, "postgres"),
    args,
    spawnOptions: options.spawnOptions,
    outputFile: path.join(dir, "server.log"),
    readyWithinMs: 30_000,
    pollMs: 100,
    // Right after a kill, a dying backend may still hold the old shared memory: try again shortly.
    attempts: 20,
    // Backends are not in the postmaster's process group.
    killChildren: true,
    answers: () => adminQuery(adminUrl, { connectionTimeoutMillis: 1000 }),
    ...(setup === undefined ? {} : { setup: () => setup(adminUrl) }),
  });
  return { ...server, url: `postgres://monitor:monitor-pw@127.0.0.1:${port}/postgres`, adminUrl, maxConnections };
}

/** Connects as the superuser, runs `sql` if given, and disconnects whatever happened. */
async function adminQuery(adminUrl: string, options: pg.ClientConfig, sql?: string): Promise<void> {
  const client = new pg.Client({ ...options, connectionString: adminUrl });
  // A server that drops the connection while starting up would otherwise crash the test run.
  client.on("error", () => {});
  try {
    await client.connect();
    if (sql !== undefined) await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}
