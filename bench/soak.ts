// A month in an hour: Vigil on the embedded store with a month of history, through housekeeping rounds, then a mass
// failure. Usage: npm run bench:soak
//   BENCH_MONITORS=20000        http monitors at a 30 s interval against a local target in another process
//   BENCH_FAILING=5000          of which this many belong to components under BENCH_ROOTS=100 root components
//   BENCH_HISTORY_DAYS=30       history pre-filled before the start (hour and day rollups, events, incidents, deliveries)
//   BENCH_RESULTS_RETENTION=1h  raw results kept by the benchmark's housekeeping (pre-filled: this plus the simulated span)
//   BENCH_ROUNDS=180            housekeeping rounds driven at simulated time, one simulated minute each
//                               (hour rollups every 5th, day rollups and pruning every 60th: 180 rounds are 3 of them)
//   BENCH_ROUND_EVERY=2         real seconds between round starts (30x speed; a round that takes longer delays the next)
//   BENCH_WARMUP=60  BENCH_STEADY=60  real seconds of warm-up, then of steady state without the driven rounds (the baseline)
// Vigil runs in this process (startVigil, as `vigil serve` runs it), so that the event-loop delay measured here is that
// of the loop which times the checks; the target runs in its own. Probes keep real time: only the benchmark's own
// housekeeping runs on a simulated clock, which starts BENCH_ROUNDS minutes in the past and moves one minute per round
// over pre-filled raw results, so that every round finds as many rows as it would at this scale.
import { mkdtemp, readdir, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Histogram } from "prom-client";
import { Housekeeping } from "../src/app/housekeeping.ts";
import { startVigil } from "../src/app/start.ts";
import { parseConfigText } from "../src/config/index.ts";
import { parseDuration } from "../src/core/duration.ts";
import { systemTimers } from "../src/core/timers.ts";
import { createLogger } from "../src/observability/logger.ts";
import { runMigrations } from "../src/store/migrate.ts";
import { openPglite } from "../src/store/pglite.ts";
import type { Store } from "../src/store/types.ts";
import { BenchJanitor, startTarget } from "./lib.ts";

const env = process.env;
const monitorCount = Number(env.BENCH_MONITORS ?? 20_000);
const failingCount = Number(env.BENCH_FAILING ?? 5_000);
const rootCount = Number(env.BENCH_ROOTS ?? 100);
const historyDays = Number(env.BENCH_HISTORY_DAYS ?? 30);
const resultsRetentionMs = parseDuration(env.BENCH_RESULTS_RETENTION ?? "1h") ?? 3_600_000;
const rounds = Number(env.BENCH_ROUNDS ?? 180);
const roundEveryMs = Number(env.BENCH_ROUND_EVERY ?? 2) * 1000;
const warmupS = Number(env.BENCH_WARMUP ?? 60);
const steadyS = Number(env.BENCH_STEADY ?? 60);
const intervalS = 30;
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const simulatedMs = rounds * minute;
/** Raw results pre-filled: what the benchmark's housekeeping keeps, plus what it prunes while its clock moves. */
const rawSpanMs = resultsRetentionMs + simulatedMs + 5 * minute;
/** The configured retention (the running Vigil's own housekeeping): long enough that it never prunes the pre-fill. */
const configResultsRetentionMs = rawSpanMs + hour;
const rollupsRetentionMs = 400 * day;
const incidentsPerDay = Number(env.BENCH_INCIDENTS_PER_DAY ?? 20);
const monitorEventsPerDay = Number(env.BENCH_MONITOR_EVENTS_PER_DAY ?? 2_000);

if (failingCount > monitorCount || failingCount % rootCount !== 0) throw new Error(`BENCH_FAILING (${failingCount}) must be a multiple of BENCH_ROOTS (${rootCount}) and at most BENCH_MONITORS (${monitorCount})`);

const janitor = new BenchJanitor();
const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }), level: "warn" });
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const fmtMs = (ms: number) => (Number.isNaN(ms) ? "-" : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? await dirBytes(full) : await stat(full).then((s) => s.size, () => 0);
  }
  return total;
}

/** The monitors: failing ones `f<root>-<n>` (10 on each root component, the rest on its dependents in tens), then `m<i>`. */
function catalog(port: number): { monitorIds: string[]; text: string } {
  const perRoot = failingCount / rootCount;
  const monitors: string[] = [];
  const components: string[] = [];
  const monitorIds: string[] = [];
  const monitor = (id: string, urlPath: string) => {
    monitorIds.push(id);
    monitors.push(`  - { id: ${id}, type: http, url: "http://127.0.0.1:${port}${urlPath}", interval: ${intervalS}s, timeout: 5s }`);
  };
  for (let r = 0; r < rootCount; r++) {
    const ids = Array.from({ length: perRoot }, (_, n) => `f${r}-${n}`);
    for (const id of ids) monitor(id, `/fail/${id}`);
    components.push(`  - { id: r${r}, name: "Root ${r}", monitors: [${ids.slice(0, 10).join(", ")}] }`);
    for (let d = 0; 10 + d * 10 < perRoot; d++) components.push(`  - { id: r${r}-d${d}, name: "Root ${r} dependent ${d}", depends_on: [r${r}], monitors: [${ids.slice(10 + d * 10, 20 + d * 10).join(", ")}] }`);
  }
  for (let i = 0; i < monitorCount - failingCount; i++) monitor(`m${i}`, "/ok");
  const probe = `probe: { concurrency: 500, results_retention: ${configResultsRetentionMs / 1000}s, rollups_retention: ${rollupsRetentionMs / day}d }`;
  return { monitorIds, text: `site: { name: Soak }\n${probe}\nmonitors:\n${monitors.join("\n")}\ncomponents:\n${components.join("\n")}\n` };
}

/**
 * Fills a new data dir with SQL inside the database (generate_series): raw results for `rawSpanMs` before `now`,
 * minute rollups for the same span, hour and day rollups for `historyDays`, monitor and incident events, resolved
 * incidents with their updates, and delivered notifications of the incidents' events. Rows per table, and seconds.
 */
async function prefill(dataDir: string, monitorIds: string[], now: number): Promise<void> {
  const handle = await openPglite(dataDir, logger);
  try {
    await runMigrations(handle.target, { logger });
    await handle.target.withSession(async (s) => {
      const timed = async (what: string, statements: { text: string; params?: unknown[] }[]) => {
        const started = performance.now();
        for (const st of statements) await s.query(st.text, st.params);
        const [{ n, bytes }] = (await s.query(`select count(*)::bigint as n, pg_total_relation_size('${what}')::bigint as bytes from ${what}`)) as [{ n: string; bytes: string }];
        const perRow = Number(bytes) / Math.max(1, Number(n));
        console.log(`  ${what.padEnd(16)} ${String(n).padStart(11)} rows  ${mb(Number(bytes)).padStart(8)} (${perRow.toFixed(0)} B a row with its indexes)  ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`);
      };
      const ids = [monitorIds];
      const iso = (ms: number) => new Date(ms).toISOString();
      // Raw results in chunks of 30 minutes, in time order (as checks write them), each monitor at its own second.
      const rawFrom = now - rawSpanMs;
      const raw: { text: string; params: unknown[] }[] = [];
      for (let from = rawFrom; from < now; from += 30 * minute) {
        const slots = Math.min(60, Math.floor((now - from) / (intervalS * 1000)));
        raw.push({
          text: `insert into check_results (monitor_id, region, at, status, latency_ms, facts)
                 select m.id, 'local', $2::timestamptz + s * interval '30 seconds' + (m.n % 30) * interval '1 second', 'up', 2 + (m.n % 7),
                        '{"status_code":200,"bytes":15}'::jsonb
                 from generate_series(0, ${slots - 1}) s, unnest($1::text[]) with ordinality m(id, n)`,
          params: [...ids, iso(from)],
        });
      }
      await timed("check_results", raw);
      const rollup = (bucket: string, step: string, from: number, count: number, checks: number) => ({
        text: `insert into check_rollups (monitor_id, bucket, start, checks, failures, degraded, latency_p50, latency_p95)
               select m.id, '${bucket}', $2::timestamptz + s * interval '${step}', ${checks}, ((m.n + s) % 97 = 0)::int, 0, 3, 8
               from generate_series(0, ${count - 1}) s, unnest($1::text[]) with ordinality m(id, n)`,
        params: [...ids, iso(from)],
      });
      const minuteFrom = Math.floor(rawFrom / minute) * minute;
      const minutes: { text: string; params: unknown[] }[] = [];
      for (let from = minuteFrom; from < now; from += hour) minutes.push(rollup("minute", "1 minute", from, Math.min(60, Math.floor((now - from) / minute)), 2));
      const hourFrom = Math.floor((now - historyDays * day) / hour) * hour;
      const hours: { text: string; params: unknown[] }[] = [];
      for (let from = hourFrom; from < now - hour; from += day) hours.push(rollup("hour", "1 hour", from, Math.min(24, Math.floor((now - hour - from) / hour)), 120));
      const dayFrom = Math.floor((now - historyDays * day) / day) * day;
      await timed("check_rollups", [...minutes, ...hours, rollup("day", "1 day", dayFrom, historyDays, 2880)]);
      // Monitor events spread over the month; incidents each with created, two updates and resolved on the timeline.
      const incidents = incidentsPerDay * historyDays;
      const historyFrom = now - historyDays * day;
      await timed("events", [
        {
          text: `insert into events (at, kind, subject, actor, data)
                 select $2::timestamptz + (s * $3::double precision) * interval '1 millisecond', case when s % 2 = 0 then 'monitor.down' else 'monitor.up' end,
                        ($1::text[])[1 + (s / 2) % array_length($1::text[], 1)], 'system', '{"status":"down","reason":"bench history"}'::jsonb
                 from generate_series(0, ${monitorEventsPerDay * historyDays - 1}) s`,
          params: [...ids, iso(historyFrom), day / monitorEventsPerDay],
        },
        {
          text: `insert into events (at, kind, subject, actor, data)
                 select $1::timestamptz + (i * $2::double precision + k * 600000) * interval '1 millisecond',
                        (array['incident.created','incident.updated','incident.updated','incident.resolved'])[k + 1], 'hist-' || i, 'system',
                        jsonb_build_object('incident', 'hist-' || i, 'status', (array['investigating','identified','monitoring','resolved'])[k + 1])
                 from generate_series(0, ${incidents - 1}) i, generate_series(0, 3) k order by 1`,
          params: [iso(historyFrom), day / incidentsPerDay],
        },
      ]);
      await timed("incidents", [
        {
          text: `insert into incidents (id, name, status, impact, root_ids, impacted_ids, started_at, earliest_possible_start, monitoring_at, resolved_at, published_at, manual, hold, postmortem_body, created_at, updated_at)
                 select 'hist-' || i, 'Root ' || (i % ${rootCount}) || ' unavailable', 'resolved', 'major', jsonb_build_array('r' || (i % ${rootCount})), jsonb_build_array('r' || (i % ${rootCount}) || '-d0'),
                        t, t - interval '30 seconds', t + interval '20 minutes', t + interval '30 minutes', t, false, false,
                        '## Summary' || chr(10) || 'Root ' || (i % ${rootCount}) || ' was unavailable for 20 minutes.', t, t + interval '30 minutes'
                 from (select i, $1::timestamptz + (i * $2::double precision) * interval '1 millisecond' as t from generate_series(0, ${incidents - 1}) i) x`,
          params: [iso(historyFrom), day / incidentsPerDay],
        },
      ]);
      await timed("incident_updates", [
        {
          text: `insert into incident_updates (id, incident_id, status, body, affected_components, actor, deliver_notifications, display_at, created_at)
                 select i.id || '_' || k, i.id, (array['investigating','identified','monitoring','resolved'])[k + 1],
                        'We are looking into it (' || k || ').', jsonb_build_array(jsonb_build_object('code', i.root_ids->>0, 'name', i.name, 'old_status', 'operational', 'new_status', 'major_outage')),
                        'system', true, i.started_at + k * interval '10 minutes', i.started_at + k * interval '10 minutes'
                 from incidents i, generate_series(0, 3) k`,
        },
      ]);
      await timed("deliveries", [
        {
          text: `insert into deliveries (event_id, destination, idempotency_key, order_key, status, attempts, next_attempt_at, message, created_at, updated_at, delivered_at)
                 select e.id, d.dest, e.id || ':' || d.dest, e.subject || ':' || d.dest, 'delivered', 1, e.at,
                        jsonb_build_object('kind', 'incident', 'incident', jsonb_build_object('id', e.subject)), e.at, e.at, e.at + interval '1 second'
                 from events e, (values ('oncall'), ('team')) d(dest) where e.kind like 'incident.%'`,
        },
      ]);
      await s.query("analyze");
    });
  } finally {
    await handle.close();
  }
}

const tables = ["check_results", "check_rollups", "events", "incidents", "incident_updates", "deliveries"];

/** Each table's rows and bytes (with its indexes), read with the data dir opened again (Vigil stopped). */
async function tableSizes(dataDir: string): Promise<Map<string, { rows: number; bytes: number }>> {
  const handle = await openPglite(dataDir, logger);
  try {
    return await handle.target.withSession(async (s) => {
      const out = new Map<string, { rows: number; bytes: number }>();
      for (const table of tables) {
        const [row] = (await s.query(`select count(*)::bigint as n, pg_total_relation_size('${table}')::bigint as bytes from ${table}`)) as [{ n: string; bytes: string }];
        out.set(table, { rows: Number(row.n), bytes: Number(row.bytes) });
      }
      return out;
    });
  } finally {
    await handle.close();
  }
}

// What the benchmark measures, each sample under the phase (or the kind of the latest housekeeping round) it fell in.
let phase = "warm-up";
const loopDelays = new Map<string, number[]>();
const lags = new Map<string, number[]>();
const push = (map: Map<string, number[]>, value: number) => (map.get(phase) ?? map.set(phase, []).get(phase)!).push(value);
// Event-loop delay: a 20 ms timer's lateness (it fires after whatever held the loop).
const tickMs = 20;
let lastTick = performance.now();
const ticker = setInterval(() => {
  const at = performance.now();
  push(loopDelays, Math.max(0, at - lastTick - tickMs));
  lastTick = at;
}, tickMs);
// Schedule lag: every observation of vigil_probe_schedule_lag_seconds (how late each check started). prom-client sets
// `observe` on each histogram from this prototype method when it is built.
type Observe = (this: Histogram & { name: string }, labels: unknown, value?: number) => void;
const proto = Histogram.prototype as unknown as { observeWithoutExemplar: Observe };
const observe = proto.observeWithoutExemplar;
proto.observeWithoutExemplar = function (labels, value) {
  if (this.name === "vigil_probe_schedule_lag_seconds") push(lags, (typeof labels === "number" ? labels : (value ?? 0)) * 1000);
  observe.call(this, labels, value);
};

/** A store whose housekeeping calls are timed: per step, its durations and the rows it touched. */
function timedStore(store: Store, steps: Map<string, { ms: number[]; rows: number }>): Pick<Store, "results" | "rollups" | "sessions" | "state" | "events" | "outbox" | "stats" | "kind"> {
  const time = async (step: string, run: () => Promise<number>): Promise<number> => {
    const started = performance.now();
    const rows = await run();
    const entry = steps.get(step) ?? steps.set(step, { ms: [], rows: 0 }).get(step)!;
    entry.ms.push(performance.now() - started);
    entry.rows += rows;
    return rows;
  };
  return {
    results: { ...store.results, prune: (before) => time("prune results", () => store.results.prune(before)) },
    rollups: {
      ...store.rollups,
      compute: (bucket, from, to, monitorIds) => time(`${bucket} rollups`, () => store.rollups.compute(bucket, from, to, monitorIds)),
      prune: (before) => time("prune rollups", () => store.rollups.prune(before)),
    },
    sessions: store.sessions,
    state: store.state,
    kind: store.kind,
    stats: { ...store.stats, vacuum: () => time("vacuum", () => store.stats.vacuum().then(() => 0)).then(() => undefined) },
    events: { ...store.events, prune: (before) => time("prune events", () => store.events.prune(before)) },
    outbox: {
      ...store.outbox,
      prune: async (before) => {
        let messages = 0;
        const deliveries = await time("prune deliveries", async () => {
          const pruned = await store.outbox.prune(before);
          messages = pruned.messages;
          return pruned.deliveries;
        });
        return { deliveries, messages };
      },
    },
  };
}

function printPhases(title: string, names: string[]): void {
  console.log(`${title.padEnd(28)} samples  loop p99   loop max   lag p50   lag p99   lag max`);
  for (const name of names) {
    const delays = loopDelays.get(name) ?? [];
    const lag = lags.get(name) ?? [];
    console.log(
      `  ${name.padEnd(26)} ${String(delays.length).padStart(7)}  ${fmtMs(quantile(delays, 0.99)).padStart(8)}  ${fmtMs(delays.length ? Math.max(...delays) : Number.NaN).padStart(9)}  ${fmtMs(quantile(lag, 0.5)).padStart(8)}  ${fmtMs(quantile(lag, 0.99)).padStart(8)}  ${fmtMs(lag.length ? Math.max(...lag) : Number.NaN).padStart(8)}  (${lag.length} checks)`,
    );
  }
}

try {
  const target = await startTarget(janitor);
  const setFailing = (prefix: string | null) =>
    new Promise<void>((resolve) => {
      const onAck = (m: { failing?: string | null }) => m.failing !== undefined && (target.child.off("message", onAck), resolve());
      target.child.on("message", onAck);
      target.child.send({ failing: prefix });
    });
  janitor.dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-soak-"));
  const dataDir = path.join(janitor.dir, "data");
  const { monitorIds, text } = catalog(target.port);
  const perDay = (monitorCount * day) / (intervalS * 1000);
  console.log(`soak: ${monitorCount} http monitors at ${intervalS} s (${(perDay / 1e6).toFixed(2)} M raw results a day), ${failingCount} of them under ${rootCount} root components`);
  console.log(
    `retention: the benchmark's housekeeping keeps raw results ${resultsRetentionMs / minute} min (${((perDay * resultsRetentionMs) / day / 1e6).toFixed(2)} M rows), rollups ${rollupsRetentionMs / day} d; ` +
      `the running Vigil's own (probe.results_retention) ${configResultsRetentionMs / minute} min, so that it never prunes the pre-fill`,
  );
  const parsed = parseConfigText(text, "soak.yaml", {});
  if (!parsed.ok) throw new Error(`bad config: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  const now = Date.now();
  console.log(`pre-fill: ${historyDays} days of hour and day rollups, events, incidents and deliveries; raw results and minute rollups for the last ${(rawSpanMs / hour).toFixed(2)} h`);
  const prefillStarted = performance.now();
  await prefill(dataDir, monitorIds, now);
  const tablesBefore = await tableSizes(dataDir);
  console.log(`  pre-filled in ${((performance.now() - prefillStarted) / 1000).toFixed(0)} s; data dir ${mb(await dirBytes(dataDir))}`);

  const configFile = path.join(janitor.dir, "soak.yaml");
  await writeFile(configFile, text);
  const startStarted = performance.now();
  const vigil = await startVigil({ config: parsed.config, configFile, env: {}, host: "127.0.0.1", port: 0, dataDir, databaseUrl: undefined, logger, version: "bench" });
  janitor.onCleanUp(() => vigil.stop("bench over"));
  console.log(`started in ${((performance.now() - startStarted) / 1000).toFixed(1)} s; warm-up ${warmupS} s`);
  const rss = () => process.memoryUsage().rss;
  let peakRss = rss();
  const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, rss())), 1000);
  await sleep(warmupS * 1000);
  console.log(`steady state ${steadyS} s, then ${rounds} housekeeping rounds`);
  const rssStart = rss();
  const sizeStart = await dirBytes(dataDir);
  peakRss = rssStart;

  phase = "steady (baseline)";
  await sleep(steadyS * 1000);
  const rssSteady = rss();

  // Housekeeping rounds at simulated time, from `rounds` minutes ago up to now, paced in real time.
  const sizeBeforeHk = await dirBytes(dataDir);
  const steps = new Map<string, { ms: number[]; rows: number }>();
  let simNow = Math.floor(now / minute) * minute - simulatedMs;
  const housekeeping = new Housekeeping({ store: timedStore(vigil.store, steps), clock: { now: () => new Date(simNow) }, timers: systemTimers, logger }, { resultsMs: resultsRetentionMs, rollupsMs: rollupsRetentionMs, eventsMs: 400 * day, deliveriesMs: 30 * day, sessionIdleMs: day });
  const roundMs = new Map<string, number[]>();
  const rssRounds: number[] = [];
  const hkStarted = performance.now();
  for (let i = 0; i < rounds; i++) {
    const kind = i % 60 === 0 ? "daily round" : i % 5 === 0 ? "hourly round" : "minute round";
    phase = `housekeeping: ${kind}`;
    const started = performance.now();
    await housekeeping.runOnce();
    const took = performance.now() - started;
    (roundMs.get(kind) ?? roundMs.set(kind, []).get(kind)!).push(took);
    if (i % 60 === 0) {
      rssRounds.push(rss());
      console.log(`  daily round at simulated ${new Date(simNow).toISOString().slice(11, 16)}: ${fmtMs(took)}, RSS ${mb(rssRounds.at(-1)!)}`);
    }
    simNow += minute;
    await sleep(Math.max(0, roundEveryMs - took));
  }
  const hkWallS = (performance.now() - hkStarted) / 1000;
  const rssAfterHk = rss();
  const sizeAfterHk = await dirBytes(dataDir);

  // Mass failure: every monitor of the roots' components fails at once.
  phase = "mass failure";
  const openBefore = new Set((await vigil.store.incidents.list({ openOnly: true, limit: 500 })).map((i) => i.id));
  await setFailing("/fail/");
  const failedAt = performance.now();
  const failedWall = Date.now();
  let opened: number | undefined;
  let published: number | undefined;
  let shown: number | undefined;
  let openCount = 0;
  let shownCount = 0;
  const roots = new Set(Array.from({ length: rootCount }, (_, r) => `r${r}`));
  while ((opened === undefined || shown === undefined) && performance.now() - failedAt < 180_000) {
    if (opened === undefined) {
      const open = (await vigil.store.incidents.list({ openOnly: true, limit: 500 })).filter((i) => !openBefore.has(i.id));
      const covered = new Set(open.flatMap((i) => i.rootIds).filter((id) => roots.has(id)));
      openCount = open.length;
      if (covered.size === rootCount) opened = performance.now() - failedAt;
    }
    if (opened !== undefined && published === undefined) {
      const open = (await vigil.store.incidents.list({ openOnly: true, limit: 500 })).filter((i) => !openBefore.has(i.id) && i.publishedAt !== null);
      if (new Set(open.flatMap((i) => i.rootIds).filter((id) => roots.has(id))).size === rootCount) published = performance.now() - failedAt;
    }
    if (shown === undefined) {
      const page = (await fetch(`${vigil.url}/api/v2/incidents/unresolved.json`).then((r) => r.json())) as { incidents: { components?: { id: string }[] }[] };
      shownCount = page.incidents.length;
      if (shownCount >= rootCount) shown = performance.now() - failedAt;
    }
    await sleep(250);
  }
  await setFailing(null);
  const rssEnd = rss();
  peakRss = Math.max(peakRss, rssEnd);
  // The floor, from the same run: each root's first failing check (the earliest of its monitors' first down result),
  // against the moment its incident was created.
  const perRoot = failingCount / rootCount;
  const firstDown: number[] = [];
  const created: number[] = [];
  const incidentsNow = (await vigil.store.incidents.list({ openOnly: true, limit: 500 })).filter((i) => !openBefore.has(i.id));
  for (let r = 0; r < rootCount; r++) {
    let first = Number.POSITIVE_INFINITY;
    for (let n = 0; n < perRoot; n++) {
      const results = await vigil.store.results.list(`f${r}-${n}`, { from: new Date(failedWall), limit: 100 });
      for (const result of results) if (result.status === "down") first = Math.min(first, result.at.getTime());
    }
    firstDown.push(first - failedWall);
    const incident = incidentsNow.find((i) => i.rootIds.includes(`r${r}`));
    if (incident) created.push(incident.createdAt.getTime() - failedWall);
  }
  clearInterval(rssSampler);
  await vigil.stop("bench over");
  const sizeEnd = await dirBytes(dataDir);
  const tablesAfter = await tableSizes(dataDir);

  console.log("");
  printPhases("event loop and schedule lag", ["steady (baseline)", "housekeeping: minute round", "housekeeping: hourly round", "housekeeping: daily round", "mass failure"]);
  console.log(`  targets: during housekeeping loop p99 <= 50 ms, max <= 250 ms; lag p99 <= 1 s`);
  const all = [...loopDelays.entries()].filter(([name]) => name.startsWith("housekeeping")).flatMap(([, v]) => v);
  const allLag = [...lags.entries()].filter(([name]) => name.startsWith("housekeeping")).flatMap(([, v]) => v);
  const base = loopDelays.get("steady (baseline)") ?? [];
  console.log(
    `  all housekeeping: loop p99 ${fmtMs(quantile(all, 0.99))} (${(quantile(all, 0.99) / Math.max(0.1, quantile(base, 0.99))).toFixed(1)}x the steady state), max ${fmtMs(Math.max(...all))}; lag p99 ${fmtMs(quantile(allLag, 0.99))}`,
  );
  console.log(`housekeeping: ${rounds} rounds (${(simulatedMs / hour).toFixed(1)} simulated hours) in ${hkWallS.toFixed(0)} s`);
  for (const [kind, times] of roundMs) console.log(`  ${kind.padEnd(14)} ${String(times.length).padStart(4)} rounds  mean ${fmtMs(times.reduce((a, b) => a + b, 0) / times.length).padStart(8)}  max ${fmtMs(Math.max(...times)).padStart(8)}`);
  console.log("  where the time goes (each step, the rows it wrote or deleted):");
  for (const [step, { ms, rows }] of steps) console.log(`    ${step.padEnd(14)} ${String(ms.length).padStart(4)} calls  mean ${fmtMs(ms.reduce((a, b) => a + b, 0) / ms.length).padStart(8)}  max ${fmtMs(Math.max(...ms)).padStart(8)}  ${rows} rows`);
  console.log(`memory (RSS): ${mb(rssStart)} after warm-up, ${mb(rssSteady)} after the steady state, at daily rounds ${rssRounds.map(mb).join(", ")}, ${mb(rssAfterHk)} after housekeeping, ${mb(rssEnd)} at the end; peak ${mb(peakRss)} (target <= 1024 MB, flat)`);
  const simDays = simulatedMs / day;
  console.log(
    `store: ${mb(sizeStart)} after warm-up, ${mb(sizeBeforeHk)} before housekeeping, ${mb(sizeAfterHk)} after, ${mb(sizeEnd)} at the end; ` +
      `${mb((sizeAfterHk - sizeBeforeHk) / simDays)} per simulated day over the rounds (the checks' own writes in those ${hkWallS.toFixed(0)} real seconds included)`,
  );
  console.log("  per table, pre-filled → at the end (rows; bytes with indexes):");
  for (const table of tables) {
    const a = tablesBefore.get(table)!;
    const b = tablesAfter.get(table)!;
    console.log(`    ${table.padEnd(16)} ${String(a.rows).padStart(10)} → ${String(b.rows).padStart(10)} rows   ${mb(a.bytes).padStart(8)} → ${mb(b.bytes).padStart(8)}`);
  }
  const s = (ms: number | undefined) => (ms === undefined ? "not within 180 s" : `${(ms / 1000).toFixed(1)} s`);
  console.log(`mass failure: ${failingCount} monitors under ${rootCount} roots fail at once`);
  const stats = (ms: number[]) => `mean ${(ms.reduce((a, b) => a + b, 0) / ms.length / 1000).toFixed(1)} s, last ${(Math.max(...ms) / 1000).toFixed(1)} s`;
  console.log(`  each root's first failing check (the floor): ${stats(firstDown)}; its incident created: ${stats(created)}`);
  console.log(`  all ${rootCount} incidents open: ${s(opened)} (${openCount} new open incidents); all published: ${s(published)}; shown on the status page: ${s(shown)} (${shownCount} unresolved) (target <= 15 s)`);
} finally {
  clearInterval(ticker);
  proto.observeWithoutExemplar = observe;
  await janitor.cleanUp();
}
process.exit(0);
