// A mass failure through the incident engine: 5,000 monitors under 100 root components (each root with a monitor of its
// own and 49 services depending on it, each with its monitor) fail at once, their 5,000 `monitor.down` events on the
// timeline together, as detection writes them. Measured: time from the events' append until the first incident, and
// until all 100 incidents, are open and published (on the status page), the transactions the engine made, and the
// events it handled per second. The engine runs in this process on the embedded store (PGlite in a temporary
// directory), or on PostgreSQL with BENCH_DATABASE_URL (an empty database).
// Usage: npm run bench:mass-failure   (ROOTS=100 PER_ROOT=50 to change the sizes)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { IncidentEngine } from "../src/app/incidents/engine.ts";
import { systemClock } from "../src/core/clock.ts";
import { systemTimers } from "../src/core/timers.ts";
import { parseConfigText } from "../src/config/index.ts";
import type { MonitorStatus } from "../src/detection/types.ts";
import { createLogger } from "../src/observability/logger.ts";
import { openStore } from "../src/store/open.ts";
import type { Store } from "../src/store/types.ts";

const rootCount = Number(process.env.ROOTS ?? 100);
const perRoot = Number(process.env.PER_ROOT ?? 50);
const targetMs = 15_000;

const roots = Array.from({ length: rootCount }, (_, r) => `db-${r}`);
const services = (root: string) => Array.from({ length: perRoot - 1 }, (_, i) => `${root}-svc-${i}`);
const monitors = roots.flatMap((root) => [root, ...services(root)]);
const yaml = `
components:
${roots.map((root) => [`  - { id: ${root}, name: ${root}, monitors: [${root}] }`, ...services(root).map((s) => `  - { id: ${s}, name: ${s}, depends_on: [${root}], monitors: [${s}] }`)].join("\n")).join("\n")}
monitors:
${monitors.map((id) => `  - { id: ${id}, type: tcp, host: 127.0.0.1, port: 1 }`).join("\n")}
incidents:
  publish: auto
`;

const parsed = parseConfigText(yaml, "vigil.yaml", {});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-mass-"));
const databaseUrl = process.env.BENCH_DATABASE_URL;
const store = await openStore({ dataDir: path.join(dir, "data"), ...(databaseUrl ? { url: databaseUrl } : {}) });
let transactions = 0;
const counted: Store = { ...store, transaction: (fn) => (transactions++, store.transaction(fn)) };
const statuses = new Map<string, MonitorStatus>();
const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const engine = new IncidentEngine({ store: counted, clock: systemClock, timers: systemTimers, logger, monitorStatus: (id) => statuses.get(id) ?? "up" });
try {
  await engine.start(parsed.config);
  // Interleaved across roots, as checks finish: each root's own failure among its services'.
  const order = monitors.map((id, i) => ({ id, k: (i * 7919) % monitors.length })).sort((a, b) => a.k - b.k).map(({ id }) => id);
  transactions = 0;
  const started = performance.now();
  const now = Date.now();
  for (const id of order) statuses.set(id, "down");
  await store.events.appendMany(order.map((id) => ({ at: new Date(now), kind: "monitor.down", subject: id, actor: "system", data: { region: "local", since: new Date(now - 2_000).toISOString(), last_up_at: new Date(now - 3_000).toISOString() } })));
  const handled = engine.detected().then(() => performance.now() - started);
  let firstMs: number | null = null;
  let allMs: number | null = null;
  while (allMs === null) {
    const published = (await store.incidents.list({ openOnly: true, limit: rootCount * 2 })).filter((i) => i.publishedAt !== null).length;
    const at = performance.now() - started;
    if (published > 0) firstMs ??= at;
    if (published >= rootCount) allMs = at;
    else if (at > 10 * targetMs) throw new Error(`${published} of ${rootCount} incidents published after ${Math.round(at)} ms`);
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const handledMs = await handled;
  const open = await store.incidents.list({ openOnly: true, limit: rootCount * 2 });
  const wrong = open.filter((i) => i.rootIds.length !== 1 || !roots.includes(i.rootIds[0]!));
  console.log(`mass failure (${store.kind}): ${monitors.length} monitors under ${rootCount} roots down at once`);
  console.log(`  first incident published: ${Math.round(firstMs ?? 0)} ms`);
  console.log(`  all ${rootCount} incidents open and published: ${Math.round(allMs)} ms (target ${targetMs} ms: ${allMs <= targetMs ? "met" : "MISSED"})`);
  console.log(`  every event handled: ${Math.round(handledMs)} ms, ${Math.round(monitors.length / (handledMs / 1000))} events/s, ${transactions} transactions`);
  console.log(`  incidents: ${open.length} open, ${wrong.length} with a root other than their own root component`);
  if (open.length !== rootCount || wrong.length > 0) process.exitCode = 1;
} finally {
  await engine.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
