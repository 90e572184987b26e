// The probe pipeline under load, and time to detect an outage. Usage: npm run bench:probes
//   BENCH_SIZES=1000,5000,20000  BENCH_SECONDS=40 (measured seconds per size, after one interval of warm-up)
// For each size: N http monitors at a 30 s interval against a local target in another process,
// through the real pipeline (scheduler, probe, assertions, detection, batched writes to PGlite).
// BENCH_STORES=pglite,postgres (both by default; PostgreSQL from VIGIL_TEST_POSTGRES_URL, else a throwaway server).
// Baseline, measured in the same run: the CPU a bare `http.get` costs per request against the same target.
// Then time to detect at a 5 s interval, and at equal settings with the peers' comparison (in a running Vigil, to the
// confirmed status and to the webhooks a local receiver gets, with where the time between them goes), then the false-alarm run:
// a long-tailed target that must never be reported (BENCH_ONLY=equal: those two alone; BENCH_ONLY=false-alarm: the last;
// BENCH_ONLY=detect: time to detect alone; BENCH_ONLY=load: the load runs alone).
//   BENCH_FALSE_ALARM_MONITORS=200  BENCH_FALSE_ALARM_SECONDS=300 (1 s interval, 16 s timeout)
import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { MonitoringService } from "../src/app/monitoring.ts";
import { startVigil } from "../src/app/start.ts";
import { systemClock } from "../src/core/clock.ts";
import { systemTimers } from "../src/core/timers.ts";
import { parseConfigText } from "../src/config/index.ts";
import { createLogger } from "../src/observability/logger.ts";
import { createMetrics } from "../src/observability/metrics.ts";
import { openStore } from "../src/store/open.ts";
import type { Store } from "../src/store/types.ts";
import { benchPostgres, type BenchPostgres } from "./postgres.ts";

const sizes = (process.env.BENCH_SIZES ?? "1000,5000,20000").split(",").map(Number);
const stores = (process.env.BENCH_STORES ?? "pglite,postgres").split(",") as ("pglite" | "postgres")[];
const measureS = Number(process.env.BENCH_SECONDS ?? 40);
const intervalS = 30;

const target = fork(new URL("./target.mjs", import.meta.url).pathname, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const port = await new Promise<number>((resolve) => target.on("message", (m: { ready?: number }) => m.ready && resolve(m.ready)));
const setMode = (mode: string) =>
  new Promise<void>((resolve) => {
    const onAck = (m: { ack?: string }) => m.ack === mode && (target.off("message", onAck), resolve());
    target.on("message", onAck);
    target.send({ mode });
  });
const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }), level: "warn" });

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
}

/** CPU ms per bare http.get against the target, at a modest rate (the baseline). */
async function baselineCpuPerRequest(count: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, () =>
        new Promise<void>((resolve) => {
          http.get({ host: "127.0.0.1", port, path: "/health", agent: false }, (res) => {
            res.resume();
            res.on("end", resolve);
          }).on("error", () => resolve());
        }),
      ),
    );
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

function configFor(n: number, interval: string, timeout = "5s"): string {
  const monitors = Array.from({ length: n }, (_, i) => `  - { id: m${i}, type: http, url: "http://127.0.0.1:${port}/health", interval: ${interval}, timeout: ${timeout} }`);
  return `site: { name: Bench }\nprobe: { concurrency: 500 }\nmonitors:\n${monitors.join("\n")}\n`;
}

let postgres: BenchPostgres | undefined;

async function withStore<T>(fn: (store: Store) => Promise<T>, kind: "pglite" | "postgres" = "pglite"): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-probes-"));
  if (kind === "postgres") postgres ??= await benchPostgres();
  const store = await openStore({ dataDir: path.join(dir, "data"), ...(kind === "postgres" ? { url: await postgres!.freshDatabase() } : {}) });
  try {
    return await fn(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function loadRun(n: number, kind: "pglite" | "postgres") {
  const parsed = parseConfigText(configFor(n, `${intervalS}s`), "bench.yaml", {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors.slice(0, 3)));
  return withStore(async (store) => {
    const metrics = createMetrics("bench");
    const lags: number[] = [];
    let checks = 0;
    metrics.scheduleLag.observe = ((v: number) => void lags.push(v)) as typeof metrics.scheduleLag.observe;
    const countChecks = metrics.checks.inc.bind(metrics.checks);
    metrics.checks.inc = ((...args: Parameters<typeof countChecks>) => (checks++, countChecks(...args))) as typeof metrics.checks.inc;
    const service = new MonitoringService({ store, clock: systemClock, timers: systemTimers, logger, metrics }, parsed.config.probe.concurrency);
    await service.start(parsed.config);
    await new Promise((r) => setTimeout(r, intervalS * 1000)); // warm-up: every monitor has run once
    lags.length = 0;
    checks = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1000);
    await new Promise((r) => setTimeout(r, measureS * 1000));
    clearInterval(sampler);
    const wallS = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const done = checks;
    await service.stop();
    const sorted = lags.sort((a, b) => a - b);
    const cpuMs = (used.user + used.system) / 1000;
    if (process.env.BENCH_VERBOSE) console.log(`user ${(used.user / 1000).toFixed(0)} ms, system ${(used.system / 1000).toFixed(0)} ms`);
    return {
      n,
      expectedPerS: n / intervalS,
      achievedPerS: done / wallS,
      lagP50Ms: quantile(sorted, 0.5) * 1000,
      lagP99Ms: quantile(sorted, 0.99) * 1000,
      cpuPercent: (cpuMs / (wallS * 1000)) * 100,
      cpuMsPerCheck: cpuMs / Math.max(1, done),
      peakRssMb: peakRss / 1048576,
      rowsPerS: done / wallS,
    };
  }, kind);
}

/** Seconds from the target changing to `mode` to the monitor.down event, with a 5 s interval. */
async function timeToDetect(mode: "error" | "hang" | "refuse", runs: number): Promise<number[]> {
  const parsed = parseConfigText(configFor(1, "5s", "2s"), "detect.yaml", {});
  if (!parsed.ok) throw new Error("bad config");
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await setMode("ok");
    await withStore(async (store) => {
      const service = new MonitoringService({ store, clock: systemClock, timers: systemTimers, logger, metrics: createMetrics("bench") }, 10);
      await service.start(parsed.config);
      while (service.status("m0")?.status !== "up") await new Promise((r) => setTimeout(r, 50));
      // A hang is suspected once the monitor knows its usual latency (5 good results), as one running for a while does.
      if (mode === "hang") await new Promise((r) => setTimeout(r, 5 * 5_000));
      // Break it at a random point of the interval, as real outages are.
      await new Promise((r) => setTimeout(r, Math.random() * 5000));
      await setMode(mode);
      const broke = performance.now();
      while (service.status("m0")?.status !== "down") await new Promise((r) => setTimeout(r, 20));
      times.push((performance.now() - broke) / 1000);
      await service.stop();
    });
  }
  await setMode("ok");
  return times;
}

/** Events of `kinds` appended after `afterId` (all of them, in order). */
async function eventsAfter(store: Store, afterId: string | undefined, kinds: readonly string[]) {
  const out: Awaited<ReturnType<Store["events"]["list"]>> = [];
  for (;;) {
    const page = await store.events.list({ kinds, limit: 1000, ...(out.length > 0 ? { afterId: out.at(-1)!.id } : afterId ? { afterId } : {}) });
    out.push(...page);
    if (page.length < 1000) return out;
  }
}

async function lastEventId(store: Store): Promise<string | undefined> {
  return (await store.events.list({ newestFirst: true, limit: 1 }))[0]?.id;
}

function printRow(r: { phase: string; mean: number; max: number }, note = ""): void {
  console.log(`  ${r.phase.padEnd(40)} mean ${r.mean.toFixed(1).padStart(5)} s  max ${r.max.toFixed(1).padStart(5)} s${note}`);
}

/** One webhook the bench's receiver got: Vigil's JSON body, and when it arrived (performance.now()). */
interface Hook {
  event: string;
  /** The timeline event the webhook is about (a batch's latest). */
  id: string;
  labels: Record<string, string>;
  incident: { status: string; root_components: string[]; impacted_components: string[] } | null;
  components: { id: string }[];
  receivedAt: number;
  /** The same moment on the wall clock (ms since the epoch), to compare with the store's times. */
  receivedWall: number;
}

/** A local webhook receiver: every POST's JSON body with its arrival time. */
async function startReceiver(): Promise<{ url: string; hooks: Hook[]; close(): Promise<void> }> {
  const hooks: Hook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const receivedAt = performance.now();
      const receivedWall = Date.now();
      try {
        hooks.push({ ...(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Omit<Hook, "receivedAt" | "receivedWall">), receivedAt, receivedWall });
      } catch {
        // not JSON: not ours
      }
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port: hookPort } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${hookPort}/hook`, hooks, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Whether `hook` says monitor `id` (or its component `c<i>`) is down (`want` "down") or recovered ("up"), through the monitor's message or its incident's. */
function says(hook: Hook, id: string, want: "down" | "up", via: "monitor" | "incident"): boolean {
  if (via === "monitor") return hook.event === `monitor.${want}` && hook.labels["monitor"] === id;
  const component = `c${id.slice(1)}`;
  const incident = hook.incident;
  if (incident === null || ![...incident.root_components, ...incident.impacted_components].includes(component)) return false;
  const recovered = ["monitoring", "resolved", "postmortem"].includes(incident.status);
  return want === "up" ? recovered : !recovered && (hook.event === "incident.created" || hook.event === "incident.updated");
}

/**
 * At equal settings with the peers' comparison (20 s interval, 16 s timeout, defaults otherwise), 50 monitors on one
 * target flipped at a random moment, in a running Vigil (monitoring, incident engine, notifier: `startVigil`, as
 * `vigil serve` runs it), each monitor the one monitor of its own component, and a `webhook` channel to a receiver
 * here: seconds from each flip to each monitor's confirmed change (detection), and to the webhook that says so, its
 * monitor's (`monitor.down`/`monitor.up`) and its incident's (opened or back to investigating / monitoring), per
 * phase; and from the confirmed status to the webhook. When the target hangs, also from each monitor's first hung
 * check (its start, as its `monitor.hang_suspected` says) to its suspicion deadline's degraded, to its down and to
 * the down webhook.
 */
async function equalSettings(count: number): Promise<{ rows: { phase: string; mean: number; max: number }[]; confirming: number }> {
  const intervalMs = 20_000;
  const receiver = await startReceiver();
  const components = Array.from({ length: count }, (_, i) => `  - { id: c${i}, name: "Service ${i}", monitors: [m${i}] }`);
  const text = `${configFor(count, "20s", "16s")}components:\n${components.join("\n")}\nnotifications:\n  channels:\n    - { id: hook, type: webhook, url: "${receiver.url}" }\n`;
  const parsed = parseConfigText(text, "equal.yaml", {});
  if (!parsed.ok) throw new Error(`bad config: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  await setMode("ok");
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-equal-"));
  const vigil = await startVigil({
    config: parsed.config,
    configFile: path.join(dir, "equal.yaml"),
    env: {},
    host: "127.0.0.1",
    port: 0,
    dataDir: path.join(dir, "data"),
    databaseUrl: undefined,
    logger,
    version: "bench",
  });
  try {
    const { store, monitoring: service } = vigil;
    const ids = Array.from({ length: count }, (_, i) => `m${i}`);
    /** Seconds from `since` (performance.now()) to the first webhook after it that says `want` of each monitor, through `via`. */
    const hooksOf = async (since: number, want: "down" | "up", via: "monitor" | "incident"): Promise<Map<string, Hook>> => {
      const seen = new Map<string, Hook>();
      const deadline = performance.now() + 120_000;
      while (seen.size < ids.length && performance.now() < deadline) {
        for (const id of ids) {
          if (seen.has(id)) continue;
          const hook = receiver.hooks.find((h) => h.receivedAt >= since && says(h, id, want, via));
          if (hook) seen.set(id, hook);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      if (seen.size < ids.length) throw new Error(`${via} webhooks saying ${want}: ${seen.size} of ${ids.length} after 120 s`);
      return seen;
    };
    const out: { phase: string; mean: number; max: number }[] = [];
    // Each row is printed as soon as it is measured, so that a run cut short still says what it saw.
    const add = (name: string, times: number[]) => {
      const row = { phase: name, mean: times.reduce((a, b) => a + b, 0) / times.length, max: Math.max(...times) };
      out.push(row);
      printRow(row, times.length < ids.length ? ` (${times.length} of ${ids.length} monitors)` : "");
    };
    /** Flips the target to `mode` at a random moment and measures detection and both webhooks. */
    const phase = async (name: string, mode: string, want: "up" | "down"): Promise<void> => {
      await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
      const from = await lastEventId(store);
      await setMode(mode);
      const flipped = performance.now();
      const confirmed = new Map<string, number>();
      while (confirmed.size < ids.length) {
        for (const id of ids) if (!confirmed.has(id) && service.status(id)?.status === want) confirmed.set(id, performance.now());
        await new Promise((r) => setTimeout(r, 20));
      }
      const [byMonitor, byIncident] = await Promise.all([hooksOf(flipped, want, "monitor"), hooksOf(flipped, want, "incident")]);
      const s = (ms: number) => ms / 1000;
      add(`${name} → ${want}`, ids.map((id) => s(confirmed.get(id)! - flipped)));
      add(`  → ${want} webhook (monitor.${want})`, ids.map((id) => s(byMonitor.get(id)!.receivedAt - flipped)));
      add(`  → ${want} webhook (incident)`, ids.map((id) => s(byIncident.get(id)!.receivedAt - flipped)));
      add(`  confirmed → monitor webhook`, ids.map((id) => s(byMonitor.get(id)!.receivedAt - confirmed.get(id)!)));
      add(`  confirmed → incident webhook`, ids.map((id) => s(byIncident.get(id)!.receivedAt - confirmed.get(id)!)));
      await stages(from, want, byMonitor, byIncident);
    };
    /**
     * Where the time from a confirmed change to its webhooks goes, from the store's times: the monitor's event (its
     * confirming result) to the incident's event (the engine), each event to its outbox row (the dispatcher, with any
     * grouping wait), the row to the webhook's arrival (the deliverer and the request).
     */
    const stages = async (after: string | undefined, want: "down" | "up", byMonitor: Map<string, Hook>, byIncident?: Map<string, Hook>): Promise<void> => {
      const events = await eventsAfter(store, after, [`monitor.${want}`, "incident.created", "incident.updated"]);
      const rows = await store.outbox.list({ destination: "hook", limit: 10_000 });
      const monitorEvent = (id: string) => events.find((e) => e.kind === `monitor.${want}` && e.subject === id)!.at.getTime();
      const planned = (hook: Hook) => rows.find((r) => r.eventId === hook.id)!.createdAt.getTime();
      const at = (hook: Hook) => events.find((e) => e.id === hook.id)!.at.getTime();
      const s = (ms: number) => ms / 1000;
      add(`    event → planned (monitor.${want})`, ids.map((id) => s(planned(byMonitor.get(id)!) - monitorEvent(id))));
      add(`    planned → received (monitor.${want})`, ids.map((id) => s(byMonitor.get(id)!.receivedWall - planned(byMonitor.get(id)!))));
      if (byIncident !== undefined) {
        add(`    monitor event → incident event`, ids.map((id) => s(at(byIncident.get(id)!) - monitorEvent(id))));
        add(`    incident event → planned`, ids.map((id) => s(planned(byIncident.get(id)!) - at(byIncident.get(id)!))));
        add(`    planned → received (incident)`, ids.map((id) => s(byIncident.get(id)!.receivedWall - planned(byIncident.get(id)!))));
      }
      // A failed attempt (retried with backoff) is a delay of its own: say how many there were, and why.
      const failed = await eventsAfter(store, after, ["notification.failed"]);
      if (failed.length > 0) console.log(`    ${failed.length} failed attempts, retried (first: ${String(failed[0]!.data["error"])})`);
    };
    while (ids.some((id) => service.status(id)?.status !== "up")) await new Promise((r) => setTimeout(r, 100));
    // Hang suspicion needs 5 good results per monitor to know its usual latency: 5 intervals of them.
    await new Promise((r) => setTimeout(r, 5 * intervalMs + 1_000));
    await phase("target answers 500", "error", "down");
    await phase("recovery", "ok", "up");
    const before = await lastEventId(store);
    await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
    // Wall clock (event times) and the monotonic clock (webhook arrivals) are both kept for the hang.
    const brokeAt = Date.now();
    const broke = performance.now();
    await setMode("hang");
    while (ids.some((id) => service.status(id)?.status !== "down")) await new Promise((r) => setTimeout(r, 100));
    const [hangMonitor, hangIncident] = await Promise.all([hooksOf(broke, "down", "monitor"), hooksOf(broke, "down", "incident")]);
    const events = await eventsAfter(store, before, ["monitor.hang_suspected", "monitor.degraded", "monitor.down"]);
    const first = (kind: string, id: string) => events.find((e) => e.kind === kind && e.subject === id);
    const seconds = (ms: number) => ms / 1000;
    // The webhooks' arrival on the wall clock: the flip's wall time plus the monotonic time since it.
    const hookAt = (at: number) => brokeAt + (at - broke);
    const hung = ids.map((id) => {
      const suspected = events.find((e) => e.kind === "monitor.hang_suspected" && e.subject === id && e.data["confirming_check"] === true);
      const down = first("monitor.down", id);
      if (!down) throw new Error(`${id}: no monitor.down`);
      // On a loaded machine a monitor may go unsuspected (slow answers raised its deadline past the timeout) or be
      // confirmed down at its first check's timeout before its confirming check said degraded: those rows leave it out.
      const started = suspected ? Date.parse(String(suspected.data["check_started_at"])) : undefined;
      const deadline = suspected && started !== undefined ? started + Number(suspected.data["suspect_after_ms"]) : undefined;
      return { degraded: first("monitor.degraded", id)?.at.getTime(), down: down.at.getTime(), started, deadline, monitorHook: hookAt(hangMonitor.get(id)!.receivedAt), incidentHook: hookAt(hangIncident.get(id)!.receivedAt) };
    });
    const degraded = hung.filter((h): h is typeof h & { degraded: number; deadline: number } => h.degraded !== undefined && h.deadline !== undefined);
    const suspected = hung.filter((h): h is typeof h & { started: number } => h.started !== undefined);
    add("target hangs → degraded", hung.filter((h) => h.degraded !== undefined).map((h) => seconds(h.degraded! - brokeAt)));
    add("target hangs → down", hung.map((h) => seconds(h.down - brokeAt)));
    add("  → down webhook (monitor.down)", hung.map((h) => seconds(h.monitorHook - brokeAt)));
    add("  → down webhook (incident)", hung.map((h) => seconds(h.incidentHook - brokeAt)));
    add("  suspicion deadline → degraded", degraded.map((h) => seconds(h.degraded - h.deadline)));
    add("  first hung check → down", suspected.map((h) => seconds(h.down - h.started)));
    add("  first hung check → monitor webhook", suspected.map((h) => seconds(h.monitorHook - h.started)));
    add("  first hung check → incident webhook", suspected.map((h) => seconds(h.incidentHook - h.started)));
    const confirming = events.filter((e) => e.kind === "monitor.hang_suspected" && e.data["confirming_check"] === true).length;
    // The incident's own message came with the relapse (its degraded), before the down: only the monitor's path here.
    await stages(before, "down", hangMonitor);
    await phase("recovery after a hang", "ok", "up");
    return { rows: out, confirming };
  } finally {
    await vigil.stop("bench over");
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The false-alarm run: `count` monitors at a 1 s interval and a 16 s timeout on a target whose answers take a
 * log-normal time (median 3 ms, p99.9 ~300 ms, at most 5 s: slow but never near the timeout), for `seconds`.
 * Any monitor.degraded or monitor.down is a false alarm.
 */
async function falseAlarms(count: number, seconds: number) {
  const parsed = parseConfigText(configFor(count, "1s", "16s"), "false-alarm.yaml", {});
  if (!parsed.ok) throw new Error("bad config");
  await setMode("ok");
  return withStore(async (store) => {
    let checks = 0;
    const metrics = createMetrics("bench");
    const countChecks = metrics.checks.inc.bind(metrics.checks);
    metrics.checks.inc = ((...args: Parameters<typeof countChecks>) => (checks++, countChecks(...args))) as typeof metrics.checks.inc;
    const service = new MonitoringService({ store, clock: systemClock, timers: systemTimers, logger, metrics }, 500);
    await service.start(parsed.config);
    const ids = Array.from({ length: count }, (_, i) => `m${i}`);
    while (ids.some((id) => service.status(id)?.status !== "up")) await new Promise((r) => setTimeout(r, 100));
    const before = await lastEventId(store);
    const target0 = await targetStats();
    await setMode("longtail");
    checks = 0;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await service.stop();
    await setMode("ok");
    const answered = await targetStats();
    const events = await eventsAfter(store, before, ["monitor.hang_suspected", "monitor.degraded", "monitor.down"]);
    const kinds = (kind: string) => events.filter((e) => e.kind === kind).length;
    return {
      checks,
      over1s: answered.over1s - target0.over1s,
      maxMs: answered.maxMs,
      suspected: kinds("monitor.hang_suspected"),
      confirming: events.filter((e) => e.kind === "monitor.hang_suspected" && e.data["confirming_check"] === true).length,
      degraded: kinds("monitor.degraded"),
      down: kinds("monitor.down"),
    };
  });
}

function targetStats(): Promise<{ answered: number; over1s: number; maxMs: number }> {
  return new Promise((resolve) => {
    const onStats = (m: { stats?: { answered: number; over1s: number; maxMs: number } }) => m.stats && (target.off("message", onStats), resolve(m.stats));
    target.on("message", onStats);
    target.send({ stats: true });
  });
}

async function printTimeToDetect(): Promise<void> {
  const runs = Number(process.env.BENCH_DETECT_RUNS ?? 3);
  for (const mode of ["error", "refuse", "hang"] as const) {
    const times = await timeToDetect(mode, runs);
    const avg = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(`time to monitor.down, 5 s interval, target ${mode.padEnd(6)}: avg ${avg.toFixed(2)} s, max ${Math.max(...times).toFixed(2)} s over ${runs} runs (target: max < 10 s)`);
  }
}

async function printEqualAndFalseAlarms(only?: "false-alarm"): Promise<void> {
  if (only === undefined) {
    console.log("equal settings: 50 monitors (one component each), 20 s interval, 16 s timeout, flipped at a random moment; a running Vigil with a webhook channel (detection, then the webhooks)");
    const { confirming } = await equalSettings(50);
    console.log(`  extra load of the hang: ${confirming} confirming checks for 50 monitors`);
  }
  const count = Number(process.env.BENCH_FALSE_ALARM_MONITORS ?? 200);
  const seconds = Number(process.env.BENCH_FALSE_ALARM_SECONDS ?? 300);
  console.log(`false alarms: ${count} monitors, 1 s interval, 16 s timeout, long-tailed target (median 3 ms, p99.9 ~300 ms, at most 5 s), ${seconds} s`);
  const r = await falseAlarms(count, seconds);
  console.log(`  ${r.checks} checks, ${r.over1s} answers slower than 1 s (slowest ${Math.round(r.maxMs)} ms), ${r.suspected} suspected, ${r.confirming} confirming checks (${((r.confirming / Math.max(1, r.checks)) * 100).toFixed(3)} % extra load)`);
  console.log(`  monitor.degraded ${r.degraded}, monitor.down ${r.down} (target: 0)`);
}

try {
  if (process.env.BENCH_ONLY === "equal" || process.env.BENCH_ONLY === "false-alarm") {
    await printEqualAndFalseAlarms(process.env.BENCH_ONLY === "false-alarm" ? "false-alarm" : undefined);
    process.exit(0);
  }
  if (process.env.BENCH_ONLY === "detect") {
    await printTimeToDetect();
    process.exit(0);
  }
  const baseline = await baselineCpuPerRequest(2000);
  console.log(`baseline: bare http.get to the target: ${baseline.toFixed(3)} ms CPU per request`);
  console.log("store     monitors  expected/s  achieved/s  lag p50   lag p99   CPU %   CPU ms/check  vs baseline  peak RSS  rows/s");
  for (const kind of stores) for (const n of sizes) {
    const r = await loadRun(n, kind);
    console.log(
      `${kind.padEnd(8)}  ${String(r.n).padStart(8)}  ${r.expectedPerS.toFixed(1).padStart(10)}  ${r.achievedPerS.toFixed(1).padStart(10)}  ${r.lagP50Ms.toFixed(1).padStart(5)} ms  ${r.lagP99Ms.toFixed(1).padStart(5)} ms  ${r.cpuPercent.toFixed(0).padStart(5)}  ${r.cpuMsPerCheck.toFixed(3).padStart(12)}  ${(r.cpuMsPerCheck / baseline).toFixed(1).padStart(10)}x  ${r.peakRssMb.toFixed(0).padStart(5)} MB  ${r.rowsPerS.toFixed(0).padStart(6)}`,
    );
  }
  if (process.env.BENCH_ONLY !== "load") {
    await printTimeToDetect();
    await printEqualAndFalseAlarms();
  }
} finally {
  target.disconnect();
  target.kill();
  await postgres?.dispose();
}
