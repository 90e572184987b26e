import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A throwaway server process owned by one test file, which the tests may kill and start again. */
export interface ServerProcess {
  /** The loopback port it listens on, the same after every start. */
  port: number;
  /** Kills the server with SIGKILL: no shutdown, so the next start may do crash recovery. */
  kill(): Promise<void>;
  /** Starts the server again on the same dir and port, and waits until it answers. */
  start(): Promise<void>;
  /** Kills the server and deletes its dir. */
  dispose(): Promise<void>;
}

/** How to run one server and tell when it is up. */
export interface ServerSpec {
  /** How messages name the server, e.g. "MariaDB". */
  name: string;
  /** The server's temp dir (see `makeTempDir`): deleted by dispose, or when launching fails. */
  dir: string;
  /** The port `args` make it listen on (see `freePort`). */
  port: number;
  command: string;
  args: string[];
  /** Spawn options such as `cwd`, or `uid`/`gid` for a server that refuses to run as root. */
  spawnOptions?: { cwd?: string; uid?: number; gid?: number };
  /** Where the server's stdout and stderr are appended. */
  outputFile: string;
  /** The log whose tail explains a failed start; `outputFile` unless the server writes its own. */
  logFile?: string;
  /** Resolves once the server answers; a rejection means "not yet". */
  answers(): Promise<unknown>;
  readyWithinMs: number;
  pollMs: number;
  /** How many times start() spawns again a server that exits at once (PostgreSQL, right after a kill); 1 unless said. */
  attempts?: number;
  /** Whether kill() must also kill the server's child processes (PostgreSQL's backends leave its process group). */
  killChildren?: boolean;
  /** Runs once after the first start (users, databases…); a failure kills the server and deletes the dir. */
  setup?(): Promise<void>;
}

/** A fresh directory under the OS's temp dir, named `prefix` and a random suffix. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Starts the server of `spec`, runs its setup, and hands back the means to kill, restart and dispose of it. */
export async function launchServer(spec: ServerSpec): Promise<ServerProcess> {
  const logFile = spec.logFile ?? spec.outputFile;
  let child: ChildProcess | undefined;
  const kill = async () => {
    const running = child;
    child = undefined;
    if (running?.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
    // Children in another process group would outlive the server: find them by parent pid, kill them all at once.
    const children = spec.killChildren ? childrenOf(running.pid) : [];
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    for (const pid of children) killQuietly(pid);
    await exited;
  };
  // A test run that ends without dispose (a crash, a timeout) must not leave the server behind.
  const onExit = () => child?.kill("SIGKILL");
  process.once("exit", onExit);
  const dispose = async () => {
    await kill();
    process.removeListener("exit", onExit);
    rmSync(spec.dir, { recursive: true, force: true });
  };

  const startOnce = async (): Promise<"up" | "exited"> => {
    const output = openSync(spec.outputFile, "a");
    const started = spawn(spec.command, spec.args, { ...spec.spawnOptions, stdio: ["ignore", output, output] });
    child = started;
    closeSync(output);
    const deadline = Date.now() + spec.readyWithinMs;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) {
        child = undefined;
        return "exited";
      }
      try {
        await spec.answers();
        return "up";
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`${spec.name} did not answer within ${spec.readyWithinMs / 1000} s: ${String(err)}\n${tail(logFile)}`);
        await new Promise((resolve) => setTimeout(resolve, spec.pollMs));
      }
    }
  };
  const start = async () => {
    if (child) throw new Error(`${spec.name} is already running`);
    const attempts = spec.attempts ?? 1;
    for (let attempt = 1; ; attempt++) {
      if ((await startOnce()) === "up") return;
      if (attempt >= attempts) throw new Error(`${path.basename(spec.command)} exited:\n${tail(logFile)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  try {
    await start();
    await spec.setup?.();
  } catch (err) {
    await dispose();
    throw err;
  }
  return { port: spec.port, kill, start, dispose };
}

/** Why a server's tests cannot run here (`missing`), or undefined when they can, or must (VIGIL_REQUIRE_SERVERS=1). */
export function skipReasonUnless(installed: boolean, missing: string): string | undefined {
  return process.env.VIGIL_REQUIRE_SERVERS === "1" || installed ? undefined : missing;
}

/** A TCP port nobody listens on right now (the demo's helper, the one definition). */
export { freePort } from "../../src/demo/net.ts";

/** The first of `name` in PATH's dirs, then `extraDirs`, that exists. */
export function onPath(name: string, extraDirs: readonly string[]): string | undefined {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).concat(extraDirs);
  return dirs.map((d) => path.join(d, name)).find((p) => existsSync(p));
}

/** The uid and gid of a local account, or undefined when there is no such account. */
export function accountIds(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
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

/** The last 30 lines of `file`, to explain a failure. */
function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
}
