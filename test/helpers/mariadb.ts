import { spawnSync } from "node:child_process";
import { chownSync, existsSync } from "node:fs";
import path from "node:path";
import { createConnection, type RowDataPacket } from "mysql2/promise";
import { accountIds, freePort, launchServer, makeTempDir, onPath, skipReasonUnless, type ServerProcess } from "./server-process.ts";

/** Re-exported for importers from before server-process.ts existed. */
export { freePort };

/**
 * A throwaway MariaDB server owned by one test file (temp data dir, free loopback port), which the
 * tests may kill and start again: the same steps as `mariadb_up` in ci/services.sh, from TypeScript.
 */
export interface MariadbServer extends ServerProcess {
  /** The `monitor` user (PROCESS, REPLICATION CLIENT, SELECT), password `monitor-pw`. */
  url: string;
  /** `root`, password `root-pw`, from 127.0.0.1. */
  rootUrl: string;
  /** The `--max-connections` the server was started with. */
  maxConnections: number;
}

const mariadbd = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"].find((p) => existsSync(p));
const installDb = onPath("mariadb-install-db", ["/usr/bin", "/usr/sbin"]) ?? onPath("mysql_install_db", ["/usr/bin", "/usr/sbin"]);
const notInstalled = "MariaDB is not installed (no /usr/sbin/mariadbd or mariadb-install-db): apt-get install mariadb-server";

/** Why the MariaDB tests cannot run here, or undefined when they can (or must: VIGIL_REQUIRE_SERVERS=1). */
export function mariadbSkipReason(): string | undefined {
  return skipReasonUnless(mariadbd !== undefined && installDb !== undefined, notInstalled);
}

/**
 * Creates a data dir, starts MariaDB on it and creates the `monitor` and `root` users and an `app` database.
 * `port` reuses a port (another server's, once it is killed); `args` are extra server options such as `--server-id=2`.
 */
export async function startMariadb(options: { maxConnections?: number; port?: number; args?: readonly string[] } = {}): Promise<MariadbServer> {
  if (!mariadbd || !installDb) throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${notInstalled}`);
  const maxConnections = options.maxConnections ?? 57;
  const dir = makeTempDir("vigil-mariadb-");
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
  const port = options.port ?? (await freePort());
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
    ...(options.args ?? []),
  ];

  const server = await launchServer({
    name: "MariaDB",
    dir,
    port,
    command: mariadbd,
    args,
    outputFile: path.join(dir, "stdout.log"),
    logFile: path.join(dir, "error.log"),
    readyWithinMs: 30_000,
    pollMs: 100,
    // Over the unix socket as root@localhost, which has no password (setup gives one to root@127.0.0.1 only).
    answers: async () => (await createConnection({ socketPath: socket, user: "root", connectTimeout: 1000 })).end(),
    async setup() {
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
    },
  });
  return {
    ...server,
    url: `mysql://monitor:monitor-pw@127.0.0.1:${port}/`,
    rootUrl: `mysql://root:root-pw@127.0.0.1:${port}/`,
    maxConnections,
  };
}

/** Runs `statements` in order on one connection to `url`; the rows of each. */
export async function mariadbSql(url: string, ...statements: string[]): Promise<RowDataPacket[][]> {
  const conn = await createConnection(url);
  try {
    const out: RowDataPacket[][] = [];
    for (const s of statements) out.push((await conn.query<RowDataPacket[]>(s))[0]);
    return out;
  } finally {
    await conn.end();
  }
}

/**
 * Makes `replica` (started with --read-only and a server id of its own) replicate from `source` (started with
 * --log-bin), each event held back an hour: from the source's next write on, the lag grows by a second every second,
 * deterministic, unlike a stopped SQL thread, whose lag is NULL. The `monitor` user may read the replica's status.
 */
export async function replicateAnHourBehind(source: MariadbServer, replica: MariadbServer): Promise<void> {
  const [, , masterStatus] = await mariadbSql(source.rootUrl, "CREATE USER 'repl'@'%' IDENTIFIED BY 'repl-pw'", "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'", "SHOW MASTER STATUS");
  const position = masterStatus?.[0];
  await mariadbSql(
    replica.rootUrl,
    "GRANT SLAVE MONITOR ON *.* TO 'monitor'@'%'",
    `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${source.port}, MASTER_USER='repl', MASTER_PASSWORD='repl-pw', ` +
      `MASTER_LOG_FILE='${String(position?.["File"])}', MASTER_LOG_POS=${Number(position?.["Position"])}, MASTER_DELAY=3600`,
    "START SLAVE",
  );
}
