// An incident attributed to an upstream provider is not attributed again after a restart, however many other
// incidents were attributed since: the engine reads each open incident's own attributions, not the newest N of all.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { IncidentEngine } from "../../src/app/incidents/engine.ts";
import { attributedKind } from "../../src/app/incidents/upstream.ts";
import type { UpstreamState } from "../../src/upstream/attribution.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { parseConfigText } from "../../src/config/index.ts";
import type { MonitorStatus } from "../../src/detection/types.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { NewEvent, Store } from "../../src/store/types.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";

const parsed = parseConfigText(
  `
components:
  - { id: db, name: Database, monitors: [db], depends_on: [rds] }
monitors:
  - { id: db, type: tcp, host: 127.0.0.1, port: 1 }
upstreams:
  - { id: rds, name: Amazon RDS, feed: { type: statuspage, url: "https://status.example.com" } }
`,
  "vigil.yaml",
  {},
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const config = parsed.config;

const silent = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const clock = new ManualClock("2026-01-01T00:00:00Z");
const timers = new ManualTimers(clock);
const statuses: Record<string, MonitorStatus> = { db: "up" };
const rds: UpstreamState = { upstreamId: "rds", name: "Amazon RDS", status: "major_outage", degradedSince: new Date("2025-12-31T23:59:00Z"), incident: { title: "Instances restarting", url: null, startedAt: new Date("2025-12-31T23:59:00Z") } };
let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-upstream-reload-"));
  store = await openStore({ dataDir: path.join(dir, "data") });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

it("keeps an open incident's attribution across a restart after 10,000 newer attributions of other incidents", async () => {
  const engineOf = () => new IncidentEngine({ store, clock, timers, logger: silent, monitorStatus: (id) => statuses[id] ?? "unknown", upstreams: () => [rds] });
  let engine = engineOf();
  await engine.start(config);
  statuses["db"] = "down";
  await store.events.append({ at: clock.now(), kind: "monitor.down", subject: "db", actor: "system", data: { region: "local" } });
  await engine.detected();
  await engine.step();
  const [incident] = await store.incidents.list({ limit: 10 });
  const attributions = () => store.events.list({ subject: incident!.id, kind: attributedKind });
  expect(await attributions()).toHaveLength(1);
  await engine.stop();

  // Other incidents' attributions, long resolved, newer than ours.
  const others: NewEvent[] = Array.from({ length: 10_001 }, (_, i) => ({ at: clock.now(), kind: attributedKind, subject: `other-${i}`, actor: "system", data: { upstream_id: "rds" } }));
  await store.events.appendMany(others);

  engine = engineOf();
  await engine.start(config);
  await engine.step();
  await engine.stop();
  expect(await attributions()).toHaveLength(1);
});
