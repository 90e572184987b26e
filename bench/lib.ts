// What the benchmarks share: free ports, a `vigil` child process and its readiness, tokens, peak memory.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { freePort } from "../src/demo/net.ts";
import { fileURLToPath } from "node:url";

export const vigilBin = fileURLToPath(new URL("../bin/vigil.js", import.meta.url));

export { freePort };

export async function waitFor(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited early:\n${output()}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    if (performance.now() - started > 120_000) throw new Error(`${url} not ready in 120 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `vigil token create` on a stopped data directory; the secret. */
export async function createToken(dataDir: string, configFile: string, scope: "read" | "write" | "admin" = "write", env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [vigilBin, "token", "create", "--name", "bench", "--scope", scope, "--json", "--config", configFile, "--data", dataDir], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let text = "";
  child.stdout?.on("data", (c) => (text += c));
  child.stderr?.on("data", (c) => (text += c));
  await new Promise((r) => child.once("exit", r));
  return (JSON.parse(text.trim().split("\n").at(-1) ?? "{}") as { token: string }).token;
}

/** `vigil serve` on a free port, ready; its output is kept for errors. Stopped with SIGTERM, it writes its profile if asked. */
export async function startVigil(configFile: string, dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const port = await freePort();
  let out = "";
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
  const child = spawn(process.execPath, [...nodeArgs, vigilBin, "serve", "--config", configFile, "--data", dataDir, "--port", String(port), "--log-format", "json", "--log-level", "warn"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  child.stdout?.on("data", (c) => (out += c));
  child.stderr?.on("data", (c) => (out += c));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/readyz`, child, () => out);
  return { child, base, output: () => out };
}

/** A process's peak resident memory so far (VmHWM), in MB; null where /proc is missing. */
export function peakRssMb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time a process has used so far (user + system), in seconds; null where /proc is missing. */
export function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of stat(5); after the command they are at 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** A process's resident memory now (VmRSS), in MB; NaN when it cannot be read. */
export function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Everything a benchmark starts, stopped on the way out whatever happens (also on SIGINT and SIGTERM): its child
 * processes killed, its clean-ups run, its temp dir removed.
 */
export class BenchJanitor {
  readonly #children = new Set<ChildProcess>();
  readonly #cleanups: (() => Promise<unknown>)[] = [];
  dir: string | undefined;

  constructor() {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void this.cleanUp().finally(() => process.exit(130)));
  }

  /** Kills `child` at clean-up unless it has exited; returns it. */
  track<T extends ChildProcess>(child: T): T {
    this.#children.add(child);
    return child;
  }

  onCleanUp(cleanup: () => Promise<unknown>): void {
    this.#cleanups.push(cleanup);
  }

  async cleanUp(): Promise<void> {
    for (const child of this.#children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    for (const cleanup of this.#cleanups.splice(0)) await cleanup().catch(() => undefined);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** Starts bench/target.mjs (a local HTTP target), tracked by `janitor`; its port once it listens. */
export async function startTarget(janitor: BenchJanitor): Promise<{ child: ChildProcess; port: number }> {
  const child = janitor.track(fork(new URL("./target.mjs", import.meta.url).pathname, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  const port = await new Promise<number>((resolve) => child.on("message", (m: { ready?: number }) => m.ready && resolve(m.ready)));
  return { child, port };
}
