// The incident engine driven by hand on a real (PGlite) store with an injected clock: detection events are
// fed directly, so that timing-dependent paths (merging, delayed publication, reminders, maintenance by the
// clock, reloading after a restart) are exercised exactly, without waiting.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IncidentEngine } from "../../src/app/incidents/engine.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import type { DetectionEvent, MonitorStatus } from "../../src/detection/types.ts";
import { projectIncidents } from "../../src/incidents/projection.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";

const yaml = `
components:
  - { id: db, name: Database, monitors: [db] }
  - { id: api-a, name: API A, depends_on: [db], monitors: [api-a] }
  - { id: api-b, name: API B, depends_on: [db], monitors: [api-b] }
  - { id: web, name: Web, depends_on: [api-b] }
  - { id: mail, name: Mail, monitors: [mail], publish: 2m }
monitors:
  - { id: db, type: tcp, host: 127.0.0.1, port: 1 }
  - { id: api-a, type: tcp, host: 127.0.0.1, port: 1 }
  - { id: api-b, type: tcp, host: 127.0.0.1, port: 1 }
  - { id: mail, type: tcp, host: 127.0.0.1, port: 1 }
incidents:
  correlation_window: 60s
  resolve_after: 5m
  update_due_after: 10m
maintenances:
  - { id: db-upgrade, name: Database upgrade, components: [db], starts_at: "2026-01-01T01:00:00Z", ends_at: "2026-01-01T02:00:00Z" }
`;

const silent = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

describe("the incident engine, driven by hand", () => {
  let dir: string;
  let store: Store;
  let timers: ManualTimers;
  let clock: ManualClock;
  let engine: IncidentEngine;
  let config: VigilConfig;
  const statuses: Record<string, MonitorStatus> = { db: "up", "api-a": "up", "api-b": "up", mail: "up" };

  // As monitoring does: the event goes on the timeline, and the engine is told to read it from there.
  const event = async (monitorId: string, kind: DetectionEvent["kind"], data: Record<string, unknown> = {}): Promise<void> => {
    if (kind === "monitor.down" || kind === "monitor.up" || kind === "monitor.degraded") statuses[monitorId] = kind.slice("monitor.".length) as MonitorStatus;
    const now = clock.now();
    await store.events.append({ at: now, kind, subject: monitorId, actor: "system", data: { region: "local", since: new Date(now.getTime() - 2000).toISOString(), last_up_at: new Date(now.getTime() - 3000).toISOString(), ...data } });
    await engine.detected();
  };
  const incidents = () => store.incidents.list({ limit: 100 });
  const start = async () => {
    engine = new IncidentEngine({ store, clock, timers, logger: silent, monitorStatus: (id) => statuses[id] ?? "unknown" });
    await engine.start(config);
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-engine-"));
    store = await openStore({ dataDir: path.join(dir, "data") });
    clock = new ManualClock("2026-01-01T00:00:00Z");
    timers = new ManualTimers(clock);
    const parsed = parseConfigText(yaml, "vigil.yaml", {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    config = parsed.config;
    for (const id of Object.keys(statuses)) statuses[id] = "up";
    await start();
  }, 60_000);

  afterEach(async () => {
    await engine.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("tells its listener as each incident opens, not once after the whole batch", async () => {
    await engine.stop();
    let told = 0;
    engine = new IncidentEngine({ store, clock, timers, logger: silent, monitorStatus: (id) => statuses[id] ?? "unknown", onChange: () => void told++ });
    await engine.start(config);
    told = 0;
    // Two unrelated failures on the timeline before the engine reads either: one batch, two incidents.
    for (const id of ["db", "mail"]) {
      statuses[id] = "down";
      await store.events.append({ at: clock.now(), kind: "monitor.down", subject: id, actor: "system", data: { region: "local" } });
    }
    await engine.detected();
    expect((await incidents()).length).toBe(2);
    // Once per incident opened (then once more as the batch ends): the notifier, the listener in a running Vigil, hears of the
    // first incident while the second is handled.
    expect(told).toBeGreaterThanOrEqual(2);
  });

  it("takes into the incident the evidence of its monitor's episode that came just before the failure that opened it", async () => {
    // Before the latest recovery: another episode, which explains nothing now.
    await event("db", "monitor.restart", { restarted_at: "2025-12-31T23:59:00Z" });
    await timers.advance(10_000);
    await event("db", "monitor.up");
    await timers.advance(10_000);
    // Within this episode but longer ago than the correlation window (60 s): stale.
    await event("db", "monitor.long_transaction", { note: "a transaction open 6 min" });
    await timers.advance(90_000);
    // Within the window: a lagging replica, then its degraded monitor confirmed a few re-checks later.
    await event("db", "monitor.replication_lag", { lag_s: 9, max_lag_s: 2, running: true, note: "replica 9 s behind its source, above 2 s" });
    expect(await incidents()).toHaveLength(0);
    await timers.advance(3_000);
    await event("db", "monitor.degraded", { warning: "replica 11 s behind its source, above 2 s" });

    const [incident] = await incidents();
    const timeline = await store.events.list({ subject: incident!.id });
    const signals = timeline.filter((e) => e.kind === "incident.created" || e.kind === "incident.signal_joined").map((e) => (e.data["signal"] as { kind: string }).kind);
    expect(signals).toEqual(["monitor.degraded", "monitor.replication_lag"]);
    // Joined once: more evidence of the same kind later joins as usual, and the incident rebuilds from its timeline.
    await event("db", "monitor.replication_lag", { lag_s: 30, max_lag_s: 2, running: true, note: "replica 30 s behind its source, above 2 s" });
    expect((await store.events.list({ subject: incident!.id, kind: "incident.signal_joined" })).length).toBe(2);
    const rebuilt = projectIncidents(await store.events.list({ limit: 10_000 })).get(incident!.id);
    expect(rebuilt).toMatchObject({ rootIds: ["db"], impactedIds: incident!.impactedIds, startedAt: incident!.startedAt });
  });

  it("merges two incidents when a late cause upstream explains both", async () => {
    await event("api-a", "monitor.down");
    await timers.advance(90_000);
    // api-b fails 90 s later: beyond the window, so an incident of its own.
    await event("api-b", "monitor.down");
    expect(await incidents()).toHaveLength(2);
    await timers.advance(5_000);
    await event("api-a", "monitor.degraded");
    await timers.advance(5_000);
    await event("db", "monitor.down");

    const all = await incidents();
    const survivor = all.find((i) => i.status === "investigating");
    const merged = all.find((i) => i.status === "resolved");
    expect(survivor).toMatchObject({ rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"] });
    expect(merged).toBeDefined();
    expect(survivor!.startedAt.getTime()).toBeLessThan(merged!.startedAt.getTime());
    const updates = await store.incidents.updates(merged!.id);
    expect(updates.at(-1)?.body).toContain(`merged into "${survivor!.name}"`);
    expect(merged!.postmortemBody).toBeNull();
    expect((await store.events.list({ kind: "incident.merged" })).map((e) => e.subject).sort()).toEqual([merged!.id, survivor!.id].sort());
  });

  it("publishes after a component's delay unless a responder acts first, and reminds when an update is due", async () => {
    await event("mail", "monitor.down");
    const [draft] = await incidents();
    expect(draft).toMatchObject({ publishedAt: null, publishAt: new Date("2026-01-01T00:02:00Z") });
    await timers.advance(119_000);
    expect((await store.incidents.get(draft!.id))?.publishedAt).toBeNull();
    await timers.advance(6_000);
    const published = await store.incidents.get(draft!.id);
    expect(published?.publishedAt?.getTime()).toBeGreaterThanOrEqual(Date.parse("2026-01-01T00:02:00Z"));
    expect(published?.publishedAt?.getTime()).toBeLessThanOrEqual(Date.parse("2026-01-01T00:02:05Z"));

    // No public update for update_due_after (10 min): one reminder, not one per step.
    await timers.advance(10 * 60_000);
    await timers.advance(60_000);
    expect(await store.events.list({ kind: "incident.update_due" })).toHaveLength(1);
    await engine.personUpdate(draft!.id, { body: "Still looking." }, "user:ada");
    await timers.advance(11 * 60_000);
    expect(await store.events.list({ kind: "incident.update_due" })).toHaveLength(2);

    // A second mail outage: the responder acts within the delay, publishing with their update.
    await engine.personUpdate(draft!.id, { status: "resolved", body: "Fixed." }, "user:ada");
    statuses.mail = "up";
    await timers.advance(60_000);
    await event("mail", "monitor.down");
    const second = (await incidents()).find((i) => i.status === "investigating");
    await engine.personUpdate(second!.id, { body: "Looking.", publish: false }, "user:ada");
    await timers.advance(5 * 60_000);
    expect((await store.incidents.get(second!.id))).toMatchObject({ publishedAt: null, publishAt: null, hold: true });
  });

  it("moves maintenance by the clock, suppresses its failures, and completes once healthy", async () => {
    await timers.advance(60 * 60_000);
    expect((await store.maintenances.get("db-upgrade"))?.status).toBe("in_progress");
    expect(engine.componentStatuses().statuses).toMatchObject({ db: "under_maintenance", "api-a": "operational" });
    await event("db", "monitor.down");
    expect(await incidents()).toEqual([]);
    expect(await store.events.list({ kind: "maintenance.signal_suppressed" })).toHaveLength(1);
    await timers.advance(60 * 60_000);
    // Past its end, the database still down: verifying, and its failure is no longer suppressed.
    expect((await store.maintenances.get("db-upgrade"))?.status).toBe("verifying");
    expect(engine.componentStatuses().statuses["db"]).toBe("major_outage");
    await event("db", "monitor.up");
    await timers.advance(5_000);
    expect((await store.maintenances.get("db-upgrade"))?.status).toBe("completed");
    const kinds = (await store.events.list({ subject: "db-upgrade" })).map((e) => e.kind);
    expect(kinds).toEqual(["maintenance.scheduled", "maintenance.in_progress", "maintenance.verifying", "maintenance.completed"]);
  });

  it("moves an edited maintenance by its new times, and its components' statuses follow its new list", async () => {
    const made = await engine.createMaintenance({ name: "Mail move", componentIds: ["mail"], scheduledFor: new Date("2026-01-01T05:00:00Z"), scheduledUntil: new Date("2026-01-01T06:00:00Z") }, "user:ada");
    await timers.advance(10 * 60_000);
    expect((await store.maintenances.get(made.id))?.status).toBe("scheduled");
    // Moved earlier than now: it starts at once, not at its old start.
    const edited = await engine.editMaintenance(made.id, { name: "Mail and API move", scheduledFor: new Date("2026-01-01T00:05:00Z"), scheduledUntil: new Date("2026-01-01T00:30:00Z") }, "user:ada");
    expect(edited).toMatchObject({ name: "Mail and API move", status: "in_progress" });
    expect(engine.componentStatuses().statuses).toMatchObject({ mail: "under_maintenance", "api-a": "operational" });
    // Its components changed while in progress: the statuses follow at once; then it ends at its new end.
    await engine.editMaintenance(made.id, { componentIds: ["api-a"] }, "user:ada");
    expect(engine.componentStatuses().statuses).toMatchObject({ mail: "operational", "api-a": "under_maintenance" });
    await timers.advance(20 * 60_000);
    expect((await store.maintenances.get(made.id))?.status).toBe("verifying");
    await timers.advance(5_000);
    expect((await store.maintenances.get(made.id))?.status).toBe("completed");
    const kinds = (await store.events.list({ subject: made.id })).map((e) => [e.kind, e.actor]);
    expect(kinds).toEqual([
      ["maintenance.scheduled", "user:ada"],
      ["maintenance.rescheduled", "user:ada"],
      ["maintenance.in_progress", "system"],
      ["maintenance.rescheduled", "user:ada"],
      ["maintenance.verifying", "system"],
      ["maintenance.completed", "system"],
    ]);
    // Completed: final. Declared in the file: edited there. An end before the start: refused, nothing changed.
    await expect(engine.editMaintenance(made.id, { name: "Again" }, "user:ada")).rejects.toThrow(`maintenance ${made.id} is completed: a completed or cancelled maintenance cannot be edited`);
    await expect(engine.editMaintenance("db-upgrade", { name: "Again" }, "user:ada")).rejects.toThrow("maintenance db-upgrade is declared in the configuration file: edit it there");
    const later = await engine.createMaintenance({ name: "Later", componentIds: ["db"], scheduledFor: new Date("2026-01-02T05:00:00Z"), scheduledUntil: new Date("2026-01-02T06:00:00Z") }, "user:ada");
    await expect(engine.editMaintenance(later.id, { scheduledFor: new Date("2026-01-02T07:00:00Z") }, "user:ada")).rejects.toThrow(
      "scheduled_for: the end (2026-01-02T06:00:00.000Z) must be after the start (2026-01-02T07:00:00.000Z)",
    );
    await expect(engine.editMaintenance(later.id, { componentIds: ["nope"] }, "user:ada")).rejects.toThrow('components: no component has the id "nope"');
    expect((await store.maintenances.get(later.id))?.scheduledFor.toISOString()).toBe("2026-01-02T05:00:00.000Z");
  });

  it("picks up after a restart: open incidents, recorded statuses and overrides, and rebuilds the same rows from the timeline", async () => {
    await event("db", "monitor.down");
    await engine.overrideComponent("mail", "degraded_performance", "user:ada");
    await engine.stop();
    await start();
    expect(engine.componentStatuses()).toEqual({
      statuses: { db: "major_outage", "api-a": "major_outage", "api-b": "major_outage", web: "major_outage", mail: "degraded_performance" },
      overridden: ["mail"],
    });
    // No duplicate status changes are recorded for what was recorded before the restart.
    const changes = await store.events.list({ kind: "component.status_changed" });
    await event("db", "monitor.down");
    expect(await store.events.list({ kind: "component.status_changed" })).toHaveLength(changes.length);
    await event("db", "monitor.up");
    await timers.advance(6 * 60_000);
    const [incident] = await incidents();
    expect(incident?.status).toBe("resolved");
    // Each component's window closed on recovery, announced whole for reconciliation jobs.
    const closed = await store.events.list({ kind: "window.closed" });
    expect(closed.map((e) => e.subject).sort()).toEqual(["api-a", "api-b", "db", "web"]);
    expect(closed.find((e) => e.subject === "db")?.data).toMatchObject({ component: "db", incidents: [incident!.id], worst_status: "major_outage", end: expect.any(String), margin_ms: 0 });
    const { createdAt: _created, updatedAt: _updated, publishAt: _publishAt, postmortemBody: _body, ...row } = incident!;
    expect(projectIncidents(await store.events.list({ limit: 10_000 })).get(incident!.id)).toEqual({ ...row, createdAt: incident!.createdAt });
  });

  it("finds a recent outage window behind more than 10,000 older status changes", async () => {
    // A long history of short outages of mail, written as the engine records them.
    const history = [];
    for (let i = 0; i < 10_010; i++) {
      const at = new Date(Date.parse("2025-01-01T00:00:00Z") + i * 60_000);
      const down = i % 2 === 0;
      history.push({ at, kind: "component.status_changed", subject: "mail", actor: "system", data: { component: "mail", from: down ? "operational" : "major_outage", to: down ? "major_outage" : "operational", incidents: [], since: null, last_up_at: null } });
    }
    await store.events.appendMany(history);
    await event("mail", "monitor.down");
    await timers.advance(60_000);
    await event("mail", "monitor.up");
    const windows = await engine.windows({ componentId: "mail" });
    expect(windows).toHaveLength(5_006);
    const last = windows.at(-1)!;
    expect(last.start.getTime()).toBeGreaterThanOrEqual(Date.parse("2026-01-01T00:00:00Z") - 5_000);
    expect(last.end).not.toBeNull();
    const [incident] = await store.incidents.list({ limit: 1 });
    expect(last.incidentIds).toEqual([incident!.id]);
    // A bounded query reads only what it needs, and gives the same window.
    expect(await engine.windows({ componentId: "mail", from: new Date("2026-01-01T00:00:00Z") })).toEqual([last]);
    expect(await engine.windows({ componentId: "mail", from: new Date("2025-01-01T00:00:30Z"), to: new Date("2025-01-01T00:02:30Z") })).toHaveLength(2);
  });

  it("dates status changes by detection when it handles events late (after a failover), never out of order", async () => {
    // The down was confirmed 7 s ago and the up 2 s ago, while no engine ran; this one reads both now.
    const now = clock.now().getTime();
    statuses["mail"] = "up";
    const detection = (kind: string, ago: number) => ({ at: new Date(now - ago), kind, subject: "mail", actor: "system", data: { region: "local", since: new Date(now - ago - 1_000).toISOString(), last_up_at: new Date(now - ago - 2_000).toISOString() } });
    await store.events.append(detection("monitor.down", 7_000));
    await store.events.append(detection("monitor.up", 2_000));
    // The engine sees the monitor as the states say now (up), so the down's change is recorded from the event's own time.
    statuses["mail"] = "down";
    await engine.detected();
    const changes = (await store.events.list({ kind: "component.status_changed", subject: "mail" })).map((e) => [e.data["to"], now - e.at.getTime()]);
    expect(changes[0]).toEqual(["major_outage", 7_000]);
    const [window] = await engine.windows({ componentId: "mail" });
    expect(window!.confirmedStart.getTime()).toBe(now - 7_000);
  });
});
