import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createConnection } from "mysql2/promise";

/**
 * A throwaway MariaDB server owned by one test file (temp data dir, free loopback port), which the
 * tests may kill and start again: the same steps as `mariadb_up` in ci/services.sh, from TypeScript.
 */
export interface MariadbServer {
  port: number;
  /** The `monitor` user (PROCESS, REPLICATION CLIENT, SELECT), password `monitor-pw`. */
  url: string;
  /** `root`, password `root-pw`, from 127.0.0.1. */
  rootUrl: string;
  /** The `--max-connections` the server was started with. */
  maxConnections: number;
  /** Kills the server with SIGKILL (no shutdown: the next start does crash recovery). */
  kill(): Promise<void>;
  /** Starts the server again on the same data dir and port, and waits until it answers. */
  start(): Promise<void>;
  /** Kills the server and deletes its data dir. */
  dispose(): Promise<void>;
}

const mariadbd = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"].find((p) => existsSync(p));
const installDb = onPath("mariadb-install-db") ?? onPath("mysql_install_db");

/** Why the MariaDB tests cannot run here, or undefined when they can (or must: VIGIL_REQUIRE_SERVERS=1). */
export function mariadbSkipReason(): string | undefined {
  if (process.env.VIGIL_REQUIRE_SERVERS === "1") return undefined;
  return missingBinaries();
}

function missingBinaries(): string | undefined {
  if (mariadbd && installDb) return undefined;
  return "MariaDB is not installed (no /usr/sbin/mariadbd or mariadb-install-db): apt-get install mariadb-server";
}

/** Creates a data dir, starts MariaDB on it and creates the `monitor` and `root` users and an `app` database. */
export async function startMariadb(options: { maxConnections?: number } = {}): Promise<MariadbServer> {
  const missing = missingBinaries();
  if (missing !== undefined || !mariadbd || !installDb) throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${missing}`);
  const maxConnections = options.maxConnections ?? 57;
  const dir = mkdtempSync(path.join(tmpdir(), "vigil-mariadb-"));
  // mariadbd refuses to run as root; --user makes it switch to the mysql account, which owns the dir.
  const userFlag: string[] = [];
  if (process.getuid?.() === 0) {
    const ids = accountIds("mysql");
    if (ids) chownSync(dir, ids.uid, ids.gid);
    userFlag.push(ids ? "--user=mysql" : "--user=root");
  }
  const datadir = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  const install = spawnSync(
    installDb,
    ["--no-defaults", ...userFlag, `--datadir=${datadir}`, "--auth-root-authentication-method=normal", "--skip-test-db"],
    { encoding: "utf8" },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed:\n${install.stdout}${install.stderr}`);
  const port = await freePort();
  const args = [
    "--no-defaults",
    ...userFlag,
    `--datadir=${datadir}`,
    `--socket=${socket}`,
    `--pid-file=${path.join(dir, "mysqld.pid")}`,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    "--skip-name-resolve",
    "--innodb-buffer-pool-size=32M",
    "--innodb-flush-log-at-trx-commit=2",
    `--max-connections=${maxConnections}`,
    `--log-error=${path.join(dir, "error.log")}`,
  ];

  let child: ChildProcess | undefined;
  const stopChild = async () => {
    const running = child;
    child = undefined;
    if (running?.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  const onExit = () => child?.kill("SIGKILL");
  process.once("exit", onExit);

  const start = async () => {
    if (child) throw new Error("MariaDB is already running");
    const log = openSync(path.join(dir, "stdout.log"), "a");
    child = spawn(mariadbd, args, { stdio: ["ignore", log, log] });
    closeSync(log);
    const started = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`mariadbd exited:\n${tail(path.join(dir, "error.log"))}`);
      try {
        const root = await createConnection({ socketPath: socket, user: "root", connectTimeout: 1000 });
        await root.end();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`MariaDB did not answer within 30 s: ${String(err)}\n${tail(path.join(dir, "error.log"))}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  try {
    await start();
    const root = await createConnection({ socketPath: socket, user: "root" });
    try {
      for (const sql of [
        "CREATE USER 'monitor'@'%' IDENTIFIED BY 'monitor-pw'",
        "GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'monitor'@'%'",
        "CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY 'root-pw'",
        "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION",
        "CREATE DATABASE app",
      ]) {
        await root.query(sql);
      }
    } finally {
      await root.end();
    }
  } catch (err) {
    await stopChild();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    port,
    url: `mysql://monitor:monitor-pw@127.0.0.1:${port}/`,
    rootUrl: `mysql://root:root-pw@127.0.0.1:${port}/`,
    maxConnections,
    kill: stopChild,
    start,
    async dispose() {
      await stopChild();
      process.removeListener("exit", onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP port nobody listens on right now (the OS's pick), for a server about to start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function onPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).concat(["/usr/bin", "/usr/sbin"]);
  return dirs.map((d) => path.join(d, name)).find((p) => existsSync(p));
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
