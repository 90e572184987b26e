import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./mariadb.ts";

/**
 * A throwaway redis-server owned by one test file (temp dir, free loopback port, no persistence),
 * which the tests may kill and start again: the same command as `redis_up` in ci/services.sh.
 */
export interface RedisServer {
  port: number;
  /** With the password the server requires. */
  url: string;
  password: string;
  /** The `--maxclients` the server was started with. */
  maxClients: number;
  /** Kills the server with SIGKILL. */
  kill(): Promise<void>;
  /** Starts the server again on the same dir and port, and waits until it answers. */
  start(): Promise<void>;
  /** Kills the server and deletes its dir. */
  dispose(): Promise<void>;
}

const password = "redis-secret-pw";

function redisServerBin(): string | undefined {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).concat(["/usr/bin", "/usr/local/bin"]);
  return dirs.map((d) => path.join(d, "redis-server")).find((p) => existsSync(p));
}

/** Why the Redis tests cannot run here, or undefined when they can (or must: VIGIL_REQUIRE_SERVERS=1). */
export function redisSkipReason(): string | undefined {
  if (process.env.VIGIL_REQUIRE_SERVERS === "1" || redisServerBin()) return undefined;
  return "redis-server is not installed: apt-get install redis-server";
}

/** Starts redis-server on a free loopback port, requiring a password. */
export async function startRedis(options: { maxClients?: number } = {}): Promise<RedisServer> {
  const bin = redisServerBin();
  if (!bin) throw new Error("VIGIL_REQUIRE_SERVERS=1 but redis-server is not installed");
  const maxClients = options.maxClients ?? 77;
  const dir = mkdtempSync(path.join(tmpdir(), "vigil-redis-"));
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"];
  args.push("--dir", dir, "--maxclients", String(maxClients), "--requirepass", password);
  const logFile = path.join(dir, "server.log");

  let child: ChildProcess | undefined;
  const kill = async () => {
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
    if (child) throw new Error("redis-server is already running");
    const log = openSync(logFile, "a");
    const started = spawn(bin, args, { cwd: dir, stdio: ["ignore", log, log] });
    child = started;
    closeSync(log);
    const deadline = Date.now() + 15_000;
    while (!(await answersPing(port))) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`redis-server exited:\n${tail(logFile)}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer within 15 s:\n${tail(logFile)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  try {
    await start();
  } catch (err) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    url: `redis://:${password}@127.0.0.1:${port}`,
    password,
    maxClients,
    kill,
    start,
    async dispose() {
      await kill();
      process.removeListener("exit", onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether something on `port` answers PING like Redis (NOAUTH counts: it is up, and wants the password). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString("latin1"))));
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
}
