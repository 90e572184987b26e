import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./mariadb.ts";

/**
 * A throwaway PostgreSQL server owned by one test file (temp data dir, free loopback port), which the
 * tests may kill and start again: the same steps as `pg_up` in ci/services.sh, from TypeScript.
 * Host connections need a password (scram-sha-256), so a wrong one is refused.
 */
export interface PostgresServer {
  port: number;
  /** The `monitor` role (member of pg_monitor), password `monitor-pw`, database `postgres`. */
  url: string;
  /** The `postgres` superuser with its password. */
  adminUrl: string;
  /** The `max_connections` the server was started with. */
  maxConnections: number;
  /** Kills the postmaster and its backends with SIGKILL (the next start does crash recovery). */
  kill(): Promise<void>;
  /** Starts the server again on the same data dir and port, and waits until it answers. */
  start(): Promise<void>;
  /** Kills the server and deletes its data dir. */
  dispose(): Promise<void>;
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
  if (process.env.VIGIL_REQUIRE_SERVERS === "1" || postgresBin()) return undefined;
  return "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql";
}

/** Runs initdb in a temp dir, starts PostgreSQL on it and creates the `monitor` role. */
export async function startPostgres(options: { maxConnections?: number } = {}): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error("VIGIL_REQUIRE_SERVERS=1 but PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)");
  const maxConnections = options.maxConnections ?? 37;
  const dir = mkdtempSync(path.join(tmpdir(), "vigil-pg-"));
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
  const port = await freePort();
  const args = ["-D", datadir, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"];
  // No synchronous_commit=off: a SIGKILL would lose the last commits (the monitor role, say).
  args.push("-c", "full_page_writes=off", "-c", `max_connections=${maxConnections}`, "-c", "shared_buffers=16MB");
  const adminUrl = `postgres://postgres:${adminPassword}@127.0.0.1:${port}/postgres`;
  const logFile = path.join(dir, "server.log");

  let child: ChildProcess | undefined;
  const kill = async () => {
    const running = child;
    child = undefined;
    if (running?.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
    // Backends are not in the postmaster's process group: find them by parent pid, kill them all at once.
    const backends = childrenOf(running.pid);
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    for (const pid of backends) killQuietly(pid);
    await exited;
  };
  const onExit = () => child?.kill("SIGKILL");
  process.once("exit", onExit);

  const startOnce = async (): Promise<"up" | "exited"> => {
    const log = openSync(logFile, "a");
    const started = spawn(path.join(bin, "postgres"), args, { ...as, cwd: dir, stdio: ["ignore", log, log] });
    child = started;
    closeSync(log);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) {
        child = undefined;
        return "exited";
      }
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
      client.on("error", () => {});
      try {
        await client.connect();
        await client.end();
        return "up";
      } catch (err) {
        await client.end().catch(() => {});
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not answer within 30 s: ${String(err)}\n${tail(logFile)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const start = async () => {
    if (child) throw new Error("PostgreSQL is already running");
    // Right after a kill, a dying backend may still hold the old shared memory: try again shortly.
    for (let attempt = 1; ; attempt++) {
      if ((await startOnce()) === "up") return;
      if (attempt === 20) throw new Error(`postgres exited:\n${tail(logFile)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  try {
    await start();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query("CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor");
    } finally {
      await admin.end();
    }
  } catch (err) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    port,
    url: `postgres://monitor:monitor-pw@127.0.0.1:${port}/postgres`,
    adminUrl,
    maxConnections,
    kill,
    start,
    async dispose() {
      await kill();
      process.removeListener("exit", onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function accountIds(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
}
