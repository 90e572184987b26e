// What the incident engine says and how it groups, on a real (PGlite) store with an injected clock: the impact it
// rates, the evidence it tells the public, and one incident for a cause confirmed long after its effects.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IncidentEngine } from "../../src/app/incidents/engine.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import type { DetectionEvent, MonitorStatus } from "../../src/detection/types.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";

// Four services of the public site, and billing, whose outage is critical on its own.
const yaml = `
components:
  - { id: orders-db, name: Orders database, monitors: [orders-db] }
  - { id: api, name: Production API, depends_on: [orders-db], monitors: [api] }
  - { id: search, name: Search, depends_on: [api] }
  - { id: mail, name: Mail, monitors: [mail] }
  - { id: billing, name: Billing, monitors: [billing], impact: critical }
monitors:
  - { id: orders-db, type: tcp, host: db.internal.acme.example, port: 3306 }
  - { id: api, type: http, url: "http://10.0.0.12:8080/health" }
  - { id: mail, type: tcp, host: 127.0.0.1, port: 25 }
  - { id: billing, type: tcp, host: 127.0.0.1, port: 7000 }
incidents:
  correlation_window: 60s
  public_evidence: true
`;

const silent = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

describe("the incident engine's texts and grouping", () => {
  let dir: string;
  let store: Store;
  let timers: ManualTimers;
  let clock: ManualClock;
  let engine: IncidentEngine;
  let config: VigilConfig;
  const statuses: Record<string, MonitorStatus> = {};

  const event = async (monitorId: string, kind: DetectionEvent["kind"], data: Record<string, unknown> = {}): Promise<void> => {
    if (kind === "monitor.down" || kind === "monitor.up" || kind === "monitor.degraded") statuses[monitorId] = kind.slice("monitor.".length) as MonitorStatus;
    const now = clock.now();
    await store.events.append({ at: now, kind, subject: monitorId, actor: "system", data: { region: "local", since: new Date(now.getTime() - 2000).toISOString(), last_up_at: new Date(now.getTime() - 3000).toISOString(), ...data } });
    await engine.detected();
  };
  const open = async () => (await store.incidents.list({ limit: 100 })).filter((i) => i.status !== "resolved");

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-engine-texts-"));
    store = await openStore({ dataDir: path.join(dir, "data") });
    clock = new ManualClock("2026-01-01T00:00:00Z");
    timers = new ManualTimers(clock);
    const parsed = parseConfigText(yaml, "vigil.yaml", {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    config = parsed.config;
    for (const id of ["orders-db", "api", "mail", "billing"]) statuses[id] = "up";
    engine = new IncidentEngine({ store, clock, timers, logger: silent, monitorStatus: (id) => statuses[id] ?? "unknown" });
    await engine.start(config);
  }, 60_000);

  afterEach(async () => {
    await engine.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("rates one service of four down major, most of them critical, and a component's own impact as set", async () => {
    await event("mail", "monitor.down");
    expect((await open()).map((i) => i.impact)).toEqual(["major"]);
    await event("orders-db", "monitor.down");
    // Orders database, Production API and Search, which depend on it, are three of the four services counted.
    const impacts = Object.fromEntries((await open()).map((i) => [i.rootIds.join(), i.impact]));
    expect(impacts).toEqual({ mail: "major", "orders-db": "critical" });
    await event("billing", "monitor.down");
    expect((await open()).find((i) => i.rootIds.includes("billing"))?.impact).toBe("critical");
  });

  it("tells the public a generic error, never the address, port or raw message", async () => {
    await event("orders-db", "monitor.down", { error: { kind: "connect", message: "connect ECONNREFUSED 127.0.0.1:36269" } });
    const [incident] = await open();
    const [first] = await store.incidents.updates(incident!.id);
    expect(first?.body).toBe("We are investigating a major outage affecting Orders database, Production API and Search. Orders database failing: connection refused.");
  });

  it("hides the configuration's host names from the public evidence", async () => {
    await event("api", "monitor.down", { error: { kind: "protocol", message: "invalid HTTP response from 10.0.0.12:8080 (HPE_INVALID_CONSTANT)" } });
    await event("orders-db", "monitor.degraded", { warning: "slow answers from db.internal.acme.example" });
    const [incident] = await open();
    const bodies = (await store.incidents.updates(incident!.id)).map((u) => u.body).join("\n");
    expect(bodies).toContain("Production API failing: invalid response.");
    expect(bodies).not.toMatch(/10\.0\.0\.12|8080|HPE_|db\.internal/);
  });

  it("keeps one incident when the root is confirmed 70 s after its effect, outside the correlation window", async () => {
    await event("api", "monitor.down");
    const [first] = await open();
    expect(first).toMatchObject({ rootIds: ["api"] });
    await timers.advance(70_000);
    await event("orders-db", "monitor.down");
    const incidents = await open();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: first!.id, rootIds: ["orders-db"], impactedIds: ["api", "search"] });
    // Each component is held by one incident, so its status changes name one.
    const held = (await store.events.list({ kind: "component.status_changed" })).filter((e) => e.subject === "api").map((e) => e.data["incidents"]);
    expect(held.every((ids) => Array.isArray(ids) && ids.length <= 1)).toBe(true);
  });
});
