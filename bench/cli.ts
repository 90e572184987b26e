// How long the command line takes to start: the compiled program (dist/, what bin/vigil.js runs)
// beside the TypeScript sources run through tsx (what it ran before dist/, and still runs where
// dist/ was not built), measured in the same run, each the median of several runs:
// `vigil --version`, `vigil --help` (the whole program loaded), and `vigil serve` from spawn to
// /readyz answering 200 on an existing embedded data directory.
// Usage: npm run bench:cli (part of npm run bench). BENCH_CLI_RUNS=N runs each N times (default 5).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, vigilBin, waitFor } from "./lib.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.env.BENCH_CLI_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

if (!existsSync(path.join(root, "dist", "cli", "main.js"))) {
  console.error("dist/ is not built: run `npm run build` first");
  process.exit(1);
}

interface Timing {
  /** From spawn to exit (or readiness). */
  wallMs: number;
  /** CPU time (user + system) the process used meanwhile: less moved by a busy machine than wall time. */
  cpuMs: number;
}

// CPU time of a process that has exited: GNU time writes it to a file (Linux; NaN without it).
const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** Runs `node ARGS` to completion. */
function timeRun(args: string[]): Timing {
  const cpuFile = path.join(dir, "cpu");
  const [command, ...rest] = gnuTime ? [gnuTime, "-o", cpuFile, "-f", "%U %S", process.execPath, ...args] : [process.execPath, ...args];
  const started = performance.now();
  const res = spawnSync(command!, rest, { encoding: "utf8", cwd: root });
  const wallMs = performance.now() - started;
  if (res.status !== 0) throw new Error(`node ${args.join(" ")} exited ${res.status}:\n${res.stderr}`);
  const cpu = gnuTime ? readFileSync(cpuFile, "utf8").trim().split(/\s+/).map(Number) : [Number.NaN];
  return { wallMs, cpuMs: cpu.reduce((a, b) => a + b, 0) * 1000 };
}

/** CPU time a running process has used so far (Linux /proc; NaN elsewhere). */
function cpuSoFar(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime, fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000;
  } catch {
    return Number.NaN;
  }
}

/** `vigil serve` from spawn until /readyz answers 200, then stopped. */
async function timeServe(bin: string[], data: string): Promise<Timing> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...bin, "serve", "--data", data, "--port", String(port), "--log-format", "json", "--log-level", "warn"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (c) => (out += c));
  child.stderr?.on("data", (c) => (out += c));
  await waitFor(`http://127.0.0.1:${port}/readyz`, child, () => out);
  const timing = { wallMs: performance.now() - started, cpuMs: cpuSoFar(child.pid!) };
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  return timing;
}

const medianOf = (ts: Timing[]): Timing => ({ wallMs: median(ts.map((t) => t.wallMs)), cpuMs: median(ts.map((t) => t.cpuMs)) });

const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-cli-"));
try {
  // The sources through tsx, as bin/vigil.js runs them where dist/ is missing.
  const fromSource = path.join(dir, "from-source.mjs");
  await writeFile(fromSource, `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))};\nregister();\nconst { main } = await import(${JSON.stringify(path.join(root, "src", "cli", "main.ts"))});\nprocess.exitCode = await main(process.argv);\n`);
  const dist = [vigilBin];
  const tsx = [fromSource];
  const nodeOnly = medianOf(Array.from({ length: runs }, () => timeRun(["-e", "0"])));

  const rows: [string, Timing, Timing][] = [];
  for (const [name, args] of [["vigil --version", ["--version"]], ["vigil --help (the whole program)", ["--help"]]] as const) {
    const built: Timing[] = [];
    const source: Timing[] = [];
    // Interleaved, so that a change in the machine's load hits both alike.
    for (let i = 0; i < runs; i++) {
      built.push(timeRun([...dist, ...args]));
      source.push(timeRun([...tsx, ...args]));
    }
    rows.push([name, medianOf(built), medianOf(source)]);
  }
  const data = path.join(dir, "data");
  await timeServe(dist, data); // creates the data directory (initdb), not measured
  const built: Timing[] = [];
  const source: Timing[] = [];
  for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
    built.push(await timeServe(dist, data));
    source.push(await timeServe(tsx, data));
  }
  rows.push(["vigil serve (ready, existing data dir)", medianOf(built), medianOf(source)]);

  const ms = (n: number) => `${Number.isNaN(n) ? "-" : n.toFixed(0)} ms`.padStart(9);
  const ratio = (a: number, b: number) => `${Number.isNaN(a / b) ? "-" : (a / b).toFixed(1)}x`.padStart(7);
  console.log(`CLI start, median of ${runs}: dist/ (what bin/vigil.js runs) and the sources through tsx, wall time and CPU time`);
  console.log(`${"".padEnd(40)} ${"dist/".padStart(9)} ${"tsx".padStart(9)} ${"ratio".padStart(7)}   ${"dist/ CPU".padStart(9)} ${"tsx CPU".padStart(9)} ${"ratio".padStart(7)}`);
  const line = (name: string, d: Timing, t: Timing) =>
    console.log(`${name.padEnd(40)} ${ms(d.wallMs)} ${ms(t.wallMs)} ${ratio(t.wallMs, d.wallMs)}   ${ms(d.cpuMs)} ${ms(t.cpuMs)} ${ratio(t.cpuMs, d.cpuMs)}`);
  for (const [name, d, t] of rows) line(name, d, t);
  console.log(`${"baseline: node -e 0".padEnd(40)} ${ms(nodeOnly.wallMs)} ${"".padStart(9)} ${"".padStart(7)}   ${ms(nodeOnly.cpuMs)}`);
  // Starting Node.js itself is the floor. On a busy machine wall times grow with the load (node -e 0
  // alone can take hundreds of ms), so the target is judged on CPU time, which on an idle machine
  // is about the wall time of a start like this one.
  const beyond = { wallMs: rows[0]![1].wallMs - nodeOnly.wallMs, cpuMs: rows[0]![1].cpuMs - nodeOnly.cpuMs };
  const judged = Number.isNaN(beyond.cpuMs) ? beyond.wallMs : beyond.cpuMs;
  console.log(`target: vigil --version within 100 ms of bare node ${judged < 100 ? "met" : "MISSED"} (${beyond.cpuMs.toFixed(0)} ms more CPU, ${beyond.wallMs.toFixed(0)} ms more wall time)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
