// What running the embedded database in its own thread changes. Usage: npm run bench:store-thread
//   BENCH_ROWS=1000000 (check results over 48 h, 100 monitors)  BENCH_SMALL=10000 (single-row queries)
// The same data dir, filled once and copied, is opened on the main thread and in the worker thread
// (src/store/pglite.ts). For each: the main thread's event-loop delay (perf_hooks, 10 ms resolution;
// what a check's timer suffers) while Vigil's hourly rollup over the 48 h runs, then while retention
// deletes the older half; and the rate of single-row inserts and reads, one at a time.
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { runMigrations } from "../src/store/migrate.ts";
import { openPglite, type EmbeddedThread } from "../src/store/pglite.ts";
import { resultQueries } from "../src/store/results.ts";

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const smallOps = Number(process.env.BENCH_SMALL ?? 10_000);
const hour = 3_600_000;
const end = new Date(Math.floor(Date.now() / hour) * hour);
const start = new Date(end.getTime() - 48 * hour);

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * Runs `work` while sampling the event loop's delay: its p99 and max as perf_hooks sees them, the
 * latest a 5 ms timer fired (what a check's timer suffers), and how long the work took.
 */
async function underLoad(work: () => Promise<unknown>): Promise<string> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let last = performance.now();
  let late = 0;
  const ticking = setInterval(() => {
    const now = performance.now();
    late = Math.max(late, now - last - 5);
    last = now;
  }, 5);
  delay.enable();
  // The histogram records from its second tick on: let it start before the work can hold the loop.
  await new Promise((resolve) => setTimeout(resolve, 100));
  last = performance.now();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  // A loop held until now records its delay only when its timers next run.
  await new Promise((resolve) => setTimeout(resolve, 50));
  delay.disable();
  clearInterval(ticking);
  const p99 = delay.percentile(99) / 1e6;
  const max = delay.max / 1e6;
  return `${Math.round(ms)} ms of work; event-loop delay p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms; a 5 ms timer ${Math.round(late)} ms late at worst`;
}

/** Milliseconds for `n` calls of `op`, one after another. */
async function timed(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  return performance.now() - started;
}

async function fill(dataDir: string): Promise<void> {
  const handle = await openPglite(dataDir, undefined, "worker");
  try {
    await runMigrations(handle.target, {});
    const stepMs = (48 * hour) / rows;
    const started = performance.now();
    for (let from = 0; from < rows; from += 100_000) {
      const to = Math.min(rows, from + 100_000) - 1;
      await handle.db.execute(sql`
        insert into check_results (monitor_id, region, at, status, latency_ms, facts)
        select 'm' || (i % 100), 'local', ${start.toISOString()}::timestamptz + (i * ${stepMs}::float8) * interval '1 millisecond',
               case when i % 50 = 0 then 'down' when i % 20 = 0 then 'degraded' else 'up' end, (i % 997)::real, '{"status":200}'::jsonb
        from generate_series(${from}::int, ${to}::int) as i`);
    }
    await handle.db.execute(sql`analyze check_results`);
    out(`filled ${rows} check results in ${Math.round(performance.now() - started)} ms`);
  } finally {
    await handle.close();
  }
}

async function heavy(mode: EmbeddedThread, dataDir: string): Promise<void> {
  const handle = await openPglite(dataDir, undefined, mode);
  try {
    const q = resultQueries(handle.db);
    out(`${mode} thread:`);
    out(`  rollup (hour, 48 h):    ${await underLoad(() => q.rollups.compute("hour", start, end))}`);
    out(`  retention (older 24 h): ${await underLoad(() => q.results.prune(new Date(start.getTime() + 24 * hour)))}`);
  } finally {
    await handle.close();
  }
}

/** Single-row inserts and reads on both stores, in alternating rounds (the machine's load moves); the medians. */
async function small(dirs: Record<EmbeddedThread, string>): Promise<void> {
  const handles = { main: await openPglite(dirs.main, undefined, "main"), worker: await openPglite(dirs.worker, undefined, "worker") };
  try {
    const rounds = 5;
    const per = Math.ceil(smallOps / rounds);
    const at = new Date(end.getTime() + 1000);
    const ms: Record<string, number[]> = {};
    for (let round = 0; round < rounds; round++) {
      for (const mode of ["main", "worker"] as const) {
        const q = resultQueries(handles[mode].db);
        (ms[`${mode} insert`] ??= []).push(await timed(per, (i) => q.results.insertMany([{ monitorId: `s${i % 10}`, region: "local", at, status: "up", latencyMs: i, facts: {} }])));
        (ms[`${mode} read`] ??= []).push(await timed(per, (i) => q.results.list(`m${i % 100}`, { limit: 1 })));
      }
    }
    for (const [name, times] of Object.entries(ms)) {
      const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
      out(`  ${name.padEnd(14)} ${Math.round((per * 1000) / median)} ops/s (${(median / per).toFixed(3)} ms each; median of ${rounds} rounds of ${per})`);
    }
  } finally {
    await handles.main.close();
    await handles.worker.close();
  }
}

const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-store-thread-"));
try {
  out(`store-thread bench: ${rows} check results, ${smallOps} single-row queries each way (Node ${process.version})`);
  await fill(path.join(dir, "filled"));
  const dirs = { main: path.join(dir, "main"), worker: path.join(dir, "worker") };
  for (const mode of ["main", "worker"] as const) {
    await cp(path.join(dir, "filled"), dirs[mode], { recursive: true });
    await heavy(mode, dirs[mode]);
  }
  out("single-row queries:");
  await small(dirs);
} finally {
  await rm(dir, { recursive: true, force: true });
}
