// Vigil's footprint, measured: time from `vigil serve` to ready and idle RSS, on a new and an existing
// embedded data dir, beside a baseline measured in the same run (a bare Node.js HTTP server).
// Usage: npm run bench
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const vigilBin = fileURLToPath(new URL("../bin/vigil.js", import.meta.url));
// Steady state: RSS is sampled after this long idle (V8 and PGlite settle within ~10 s).
const idleMs = Number(process.env.BENCH_IDLE_MS ?? 15000);

interface Sample {
  readyMs: number;
  idleRssMb: number;
  peakRssMb: number;
}

async function rssMb(pid: number): Promise<{ now: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { now: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Starts `args`, waits until `readyUrl` answers 200 (polled every 20 ms), idles, samples RSS, stops it. */
async function measure(args: string[], readyPath: string, env: NodeJS.ProcessEnv = {}): Promise<Sample> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  child.stdout.on("data", (c) => (out += c));
  child.stderr.on("data", (c) => (out += c));
  let url: string | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited early:\n${out}`);
    url ??= /(?:running at|listening on) (http:\/\/[\d.:]+)/.exec(out)?.[1];
    if (url) {
      const ok = await fetch(url + readyPath).then((r) => r.ok, () => false);
      if (ok) break;
    }
    if (performance.now() - started > 60_000) throw new Error(`not ready in 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, idleMs));
  const rss = await rssMb(child.pid!);
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  return { readyMs, idleRssMb: rss.now, peakRssMb: rss.peak };
}

const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-"));
try {
  const baselineScript = path.join(dir, "baseline.mjs");
  await writeFile(
    baselineScript,
    `import http from "node:http"; const s = http.createServer((q, r) => r.end("ok")).listen(0, "127.0.0.1", () => console.log("listening on http://127.0.0.1:" + s.address().port)); process.on("SIGTERM", () => s.close());`,
  );
  const data = path.join(dir, "data");
  const serve = [vigilBin, "serve", "--port", "0", "--data", data, "--log-format", "json", "--log-level", "warn"];
  const baseline = await measure([baselineScript], "/");
  const first = await measure(serve, "/readyz");
  const runs: Sample[] = [];
  for (let i = 0; i < 3; i++) runs.push(await measure(serve, "/readyz"));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const existing = { readyMs: median(runs.map((r) => r.readyMs)), idleRssMb: median(runs.map((r) => r.idleRssMb)), peakRssMb: median(runs.map((r) => r.peakRssMb)) };
  const row = (name: string, s: Sample) =>
    `${name.padEnd(34)} ${s.readyMs.toFixed(0).padStart(7)} ms  ${(s.readyMs / baseline.readyMs).toFixed(1).padStart(5)}x   ${s.idleRssMb.toFixed(0).padStart(5)} MB  ${(s.idleRssMb / baseline.idleRssMb).toFixed(1).padStart(5)}x   ${s.peakRssMb.toFixed(0).padStart(5)} MB`;
  console.log(`${"".padEnd(34)} ${"ready".padStart(10)}  ${"ratio".padStart(6)}   ${"idle RSS".padStart(8)}  ${"ratio".padStart(6)}   ${"peak RSS".padStart(8)}`);
  console.log(row("baseline: bare node http server", baseline));
  console.log(row("vigil serve, new data dir", first));
  console.log(row("vigil serve, existing data dir", existing));
  const met = (ok: boolean) => (ok ? "met" : "MISSED");
  console.log(`targets on an existing data dir: ready < 3000 ms ${met(existing.readyMs < 3000)}; idle RSS < 250 MB ${met(existing.idleRssMb < 250)}`);
  // initdb peaks near 800 MB in its own child process; the server must not keep that.
  console.log(`new data dir: initdb's memory not kept (idle RSS < 300 MB) ${met(first.idleRssMb < 300)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
