// A message is built from its event as it was, not from the incident as it is now: a notifier that catches up
// late (it was down, or a new leader replays after a failover) must not send "created" with the resolution in it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IncidentEngine } from "../../src/app/incidents/engine.ts";
import { cursorName, Dispatcher } from "../../src/app/notifier/dispatcher.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";

const yaml = `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database }
notifications:
  channels:
    - { id: oncall, type: webhook, url: "http://127.0.0.1:9/hook" }
`;

describe("messages from the event's own data", () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-replay-"));
    store = await openStore({ dataDir: path.join(dir, "data") });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("tells an incident's creation as it was, when it is dispatched after the incident was resolved", async () => {
    const parsed = parseConfigText(yaml, "vigil.yaml", {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const config = parsed.config;
    const clock = new ManualClock("2026-05-01T12:00:00Z");
    const timers = new ManualTimers(clock);
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const engine = new IncidentEngine({ store, clock, timers, logger, monitorStatus: () => "up" });
    await engine.start(config);
    // The notifier was not running: its cursor is before everything that follows.
    await store.outbox.setCursor(cursorName, (await store.events.list({ newestFirst: true, limit: 1 }))[0]?.id ?? "0", clock.now());
    const incident = await engine.create({ name: "Orders database outage", body: "We are looking into errors.", components: { "orders-db": "major_outage" } }, "user:ada");
    clock.advance(20 * 60_000);
    await engine.personUpdate(incident.id, { status: "resolved", body: "Fixed: a bad deploy was rolled back." }, "user:ada");
    await engine.stop();
    expect((await store.incidents.get(incident.id))?.status).toBe("resolved");

    const dispatcher = new Dispatcher({ store, clock, timers, logger, config: () => config, publicUrl: () => "https://status.example.com", statuses: () => ({}), maintenanceComponents: () => new Set() });
    await dispatcher.start();
    await dispatcher.stop();
    const [created] = (await store.outbox.list({ destination: "oncall" })).filter((d) => (d.message as { kind?: string }).kind === "incident.created");
    expect(created).toBeDefined();
    const message = created!.message as { title: string; text: string; incident: { status: string; resolvedAt: string | null } };
    expect(message.incident.status).toBe("investigating");
    expect(message.incident.resolvedAt).toBeNull();
    expect(message.title).toContain("investigating");
    expect(message.text).toContain("We are looking into errors.");
    expect(message.text).not.toContain("rolled back");
  });
});
