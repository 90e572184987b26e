/**
 * A real MariaDB for the demo, from Debian's mariadb-server: its own data dir under the demo's temp dir, a free
 * loopback port, a `monitor` user for Vigil's mysql monitor. `crash` is SIGKILL (no shutdown: the next start does
 * crash recovery), as a crash-looping managed database dies.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { createConnection, type Connection } from "mysql2/promise";
import type { DemoDatabase } from "./database.ts";
import { freePort, sleep } from "./net.ts";

const monitorPassword = "monitor-pw";

function onPath(name: string, extraDirs: readonly string[], pathVariable: string): string | undefined {
  return pathVariable
    .split(path.delimiter)
    .concat(extraDirs)
    .filter((d) => d.length > 0)
    .map((d) => path.join(d, name))
    .find((p) => existsSync(p));
}

/** Where Debian (and most systems) put the binaries, searched after PATH. */
const systemDirs = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

function binaries(pathVariable: string): { server: string; installDb: string } | undefined {
  const find = (...names: string[]) => names.map((name) => onPath(name, systemDirs, pathVariable)).find((p) => p !== undefined);
  const server = find("mariadbd", "mysqld");
  const installDb = find("mariadb-install-db", "mysql_install_db");
  return server && installDb ? { server, installDb } : undefined;
}

/** Why MariaDB cannot be used here (`pathVariable`: the PATH to search), or undefined when it can. */
export function mariadbMissing(pathVariable = ""): string | undefined {
  return binaries(pathVariable) ? undefined : "MariaDB is not installed (no mariadbd or mariadb-install-db; Debian: apt-get install mariadb-server)";
}

/** Runs a command to its end; rejects with its output when it fails. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} failed (exit ${code}):\n${output}`))));
  });
}

/** The uid and gid of the `mysql` account, which mariadbd switches to when started as root. */
function mysqlAccount(): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", "mysql"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "mysql"], { encoding: "utf8" });
  return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : undefined;
}

/** The demo's MariaDB: a database the demo can also open connections to, as root or as users it creates. */
export interface DemoMariadb extends DemoDatabase {
  kind: "mariadb";
  /** Its `--max-connections`. */
  maxConnections: number;
  /** A connection as root over the unix socket (root may connect when the pool is full: MariaDB keeps it one more). */
  asRoot(): Promise<Connection>;
}

/**
 * Creates a data dir under `parent`, starts MariaDB on it and creates the `monitor` user and the `orders` database.
 * `maxConnections` is the server's `--max-connections` (MariaDB's default, 151, unless given).
 */
export async function startMariadb(parent: string, pathVariable = "", options: { maxConnections?: number } = {}): Promise<DemoMariadb> {
  const bin = binaries(pathVariable);
  if (!bin) throw new Error(mariadbMissing(pathVariable));
  const dir = path.join(parent, "mariadb");
  mkdirSync(dir);
  // mariadbd refuses to run as root; --user makes it switch to the mysql account, which must own (and reach) the dir.
  const userFlag: string[] = [];
  if (process.getuid?.() === 0) {
    const account = mysqlAccount();
    if (account) {
      chmodSync(parent, 0o711);
      chownSync(dir, account.uid, account.gid);
    }
    userFlag.push(account ? "--user=mysql" : "--user=root");
  }
  const datadir = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  const errorLog = path.join(dir, "error.log");
  await run(bin.installDb, ["--no-defaults", ...userFlag, `--datadir=${datadir}`, "--auth-root-authentication-method=normal", "--skip-test-db"]);
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
    "--max-connect-errors=1000000",
    "--innodb-buffer-pool-size=32M",
    "--innodb-flush-log-at-trx-commit=2",
    `--log-error=${errorLog}`,
    `--max-connections=${options.maxConnections ?? 151}`,
  ];

  let child: ChildProcess | undefined;
  // The demo's process ending without dispose (a crash) must not leave the server behind.
  const onExit = () => child?.kill("SIGKILL");
  process.once("exit", onExit);

  // Over the unix socket as root@localhost, which has no password.
  const asRoot = () => createConnection({ socketPath: socket, user: "root", connectTimeout: 1000 });
  const start = async () => {
    const output = openSync(path.join(dir, "stdout.log"), "a");
    const started = spawn(bin.server, args, { stdio: ["ignore", output, output] });
    closeSync(output);
    child = started;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`mariadbd exited:\n${tail(errorLog)}`);
      try {
        await (await asRoot()).end();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`MariaDB did not answer within 30 s: ${String(error)}\n${tail(errorLog)}`);
        await sleep(100);
      }
    }
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (running?.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };

  try {
    await start();
    const root = await asRoot();
    try {
      await root.query(`CREATE USER 'monitor'@'%' IDENTIFIED BY '${monitorPassword}'`);
      await root.query("GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'monitor'@'%'");
      await root.query("CREATE DATABASE orders");
    } finally {
      await root.end();
    }
  } catch (error) {
    await kill();
    process.removeListener("exit", onExit);
    throw error;
  }
  const version = spawnSync(bin.server, ["--version"], { encoding: "utf8" }).stdout.trim().split(/\s+/).find((w) => /^\d+\.\d+\.\d+/.test(w)) ?? "";
  return {
    kind: "mariadb",
    label: `MariaDB ${version.replace(/-.*/, "")} (${bin.server}) on 127.0.0.1:${port}, data in ${datadir}`.replace("MariaDB  ", "MariaDB "),
    port,
    monitor: { type: "mysql", url: `mysql://monitor:${monitorPassword}@127.0.0.1:${port}/` },
    maxConnections: options.maxConnections ?? 151,
    asRoot,
    crash: kill,
    async restart() {
      if (!child) await start();
    },
    async dispose() {
      await kill();
      process.removeListener("exit", onExit);
    },
  };
}

/** The last lines of MariaDB's error log, to explain a failed start. */
function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-20).join("\n");
  } catch {
    return "(no log)";
  }
}
