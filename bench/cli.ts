// How long the command line takes to start: the compiled program (dist/, what bin/vigil.js runs)
// beside the TypeScript sources run through tsx (what it ran before dist/, and still runs where
// dist/ was not built), measured in the same run, each the median of several runs:
// `vigil --version`, `vigil --help` (the whole program loaded), and `vigil serve` from spawn to
// /readyz answering 200 on an existing embedded data directory.
// Usage: npm run bench:cli (part of npm run bench). BENCH_CLI_RUNS=N runs each N times (default 5).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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

/** Runs `node ARGS` to completion; milliseconds from spawn to exit. */
function timeRun(args: string[]): number {
  const started = performance.now();
  const res = spawnSync(process.execPath, args, { encoding: "utf8", cwd: root });
  if (res.status !== 0) throw new Error(`node ${args.join(" ")} exited ${res.status}:\n${res.stderr}`);
  return performance.now() - started;
}

/** `vigil serve` from spawn until /readyz answers 200, then stopped. */
async function timeServe(bin: string[], data: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...bin, "serve", "--data", data, "--port", String(port), "--log-format", "json", "--log-level", "warn"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (c) => (out += c));
  child.stderr?.on("data", (c) => (out += c));
  await waitFor(`http://127.0.0.1:${port}/readyz`, child, () => out);
  const ms = performance.now() - started;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  return ms;
}

const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-cli-"));
try {
  // The sources through tsx, as bin/vigil.js runs them where dist/ is missing.
  const fromSource = path.join(dir, "from-source.mjs");
  await writeFile(fromSource, `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))};\nregister();\nconst { main } = await import(${JSON.stringify(path.join(root, "src", "cli", "main.ts"))});\nprocess.exitCode = await main(process.argv);\n`);
  const dist = [vigilBin];
  const tsx = [fromSource];
  const nodeOnly = median(Array.from({ length: runs }, () => timeRun(["-e", "0"])));

  const rows: [string, number, number][] = [];
  for (const [name, args] of [["vigil --version", ["--version"]], ["vigil --help", ["--help"]]] as const) {
    const built: number[] = [];
    const source: number[] = [];
    // Interleaved, so that a change in the machine's load hits both alike.
    for (let i = 0; i < runs; i++) {
      built.push(timeRun([...dist, ...args]));
      source.push(timeRun([...tsx, ...args]));
    }
    rows.push([name, median(built), median(source)]);
  }
  const data = path.join(dir, "data");
  await timeServe(dist, data); // creates the data directory (initdb), not measured
  const built: number[] = [];
  const source: number[] = [];
  for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
    built.push(await timeServe(dist, data));
    source.push(await timeServe(tsx, data));
  }
  rows.push(["vigil serve (ready, existing data dir)", median(built), median(source)]);

  console.log(`CLI start (median of ${runs}; node -e 0 takes ${nodeOnly.toFixed(0)} ms here)`);
  console.log(`${"".padEnd(40)} ${"dist/".padStart(9)} ${"tsx".padStart(9)} ${"tsx/dist".padStart(9)}`);
  for (const [name, d, t] of rows) console.log(`${name.padEnd(40)} ${d.toFixed(0).padStart(6)} ms ${t.toFixed(0).padStart(6)} ms ${(t / d).toFixed(1).padStart(8)}x`);
  const version = rows[0]![1];
  console.log(`target: vigil --version under 250 ms ${version < 250 ? "met" : "MISSED"} (${version.toFixed(0)} ms)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
