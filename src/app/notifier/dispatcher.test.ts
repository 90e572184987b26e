import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshTarget, type StoreTarget } from "../../../test/helpers/stores.ts";
import { ManualTimers } from "../../../test/helpers/manual-timers.ts";
import { parseConfigText, type VigilConfig } from "../../config/index.ts";
import { ManualClock } from "../../core/clock.ts";
import { createLogger } from "../../observability/logger.ts";
import { statusChangeKind } from "../../store/events.ts";
import { openStore } from "../../store/open.ts";
import type { SharedMessage, Store } from "../../store/types.ts";
import { cursorName, Dispatcher } from "./dispatcher.ts";

function configOf(extra: string): VigilConfig {
  const text = `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database, monitors: [orders-db-check] }
monitors:
  - { id: orders-db-check, type: http, url: "http://127.0.0.1:9/health" }
${extra}
`;
  const parsed = parseConfigText(text, "vigil.yaml", {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

/** `store` with every call to its events, catalog, outbox and subscribers recorded ("events.statusChanges", …). */
function recording(store: Store): { store: Store; calls: string[]; shared: SharedMessage[] } {
  const calls: string[] = [];
  const shared: SharedMessage[] = [];
  const wrap = <T extends object>(name: string, part: T): T =>
    new Proxy(part, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(property)}`);
          if (name === "outbox" && property === "enqueue") shared.push(...((args[1] as SharedMessage[] | undefined) ?? []));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const parts = new Set(["events", "catalog", "outbox", "subscribers"]);
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof property === "string" && parts.has(property) ? wrap(property, value as object) : value;
    },
  });
  return { store: wrapped, calls, shared };
}

describe("Dispatcher: what a batch reads", () => {
  let target: StoreTarget;
  let store: Store;
  const clock = new ManualClock("2026-05-01T12:00:00Z");
  const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

  beforeAll(async () => {
    target = await freshTarget(process.env.VIGIL_TEST_POSTGRES_URL ? "postgres" : "pglite");
    store = await openStore({ url: target.url, dataDir: target.dataDir });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
  });

  /** Appends `events` after the dispatcher's cursor, dispatches them once, and says what the store was asked. */
  async function dispatch(config: VigilConfig, events: { kind: string; subject: string; data: Record<string, unknown> }[]) {
    const [newest] = await store.events.list({ newestFirst: true, limit: 1 });
    await store.outbox.setCursor(cursorName, newest?.id ?? "0", clock.now());
    for (const e of events) {
      clock.advance(1_000);
      await store.events.append({ at: clock.now(), actor: "system", ...e });
    }
    const seen = recording(store);
    const dispatcher = new Dispatcher({
      store: seen.store,
      clock,
      timers: new ManualTimers(clock),
      logger,
      config: () => config,
      publicUrl: () => "https://status.example.com",
      statuses: () => ({ "orders-db": "major_outage" }),
      maintenanceComponents: () => new Set(),
    });
    await dispatcher.dispatch();
    await dispatcher.stop();
    return seen;
  }

  const statusChange = (from: string, to: string) => ({ kind: statusChangeKind, subject: "orders-db", data: { from, to } });
  const monitorDown = { kind: "monitor.down", subject: "orders-db-check", data: {} };
  const statuspageChannel = `notifications:\n  channels:\n    - { id: sp, type: webhook, format: statuspage, url: "http://127.0.0.1:9/sp" }`;

  it("reads neither the status changes nor the status page for a batch of events nobody is told about", async () => {
    const { calls } = await dispatch(configOf(statuspageChannel), [statusChange("operational", "major_outage"), statusChange("major_outage", "operational")]);
    expect(calls.filter((c) => c === "events.statusChanges" || c === "events.latestPerSubject" || c === "catalog.components")).toEqual([]);
  });

  it("tells a component's status before the event, and builds the status page once, for a Statuspage-format channel", async () => {
    const { calls } = await dispatch(configOf(statuspageChannel), [monitorDown, statusChange("operational", "major_outage"), monitorDown]);
    expect(calls.filter((c) => c === "events.statusChanges")).toHaveLength(1);
    expect(calls.filter((c) => c === "catalog.components")).toHaveLength(1);
    // The first monitor.down is sent at once (the second waits for its group): the component was operational before it.
    const row = (await store.outbox.list({ destination: "sp" })).find((r) => (r.message as { kind?: string }).kind === "monitor.down");
    const message = row!.message as { components: { previousStatus: string | null }[]; statuspage?: { page: { id: string } } };
    expect(message.components).toEqual([expect.objectContaining({ id: "orders-db", status: "major_outage", previousStatus: "operational" })]);
    expect(message.statuspage?.page.id).toMatch(/^[0-9a-f]{12}$/);
  });

  it("never reads the notifier's own outcomes: a batch after hundreds of them is one read, and the cursor passes the event", async () => {
    const failures = Array.from({ length: 450 }, (_, i) => ({ kind: "notification.failed", subject: "1", data: { destination: `subscriber:sub_${i}` } }));
    const { calls } = await dispatch(configOf(""), [...failures, monitorDown]);
    expect(calls.filter((c) => c === "events.list")).toHaveLength(1);
    const [down] = await store.events.list({ kind: "monitor.down", newestFirst: true, limit: 1 });
    expect(await store.outbox.cursor(cursorName)).toBe(down!.id);
  });

  it("does not build the status page when public webhooks are on but no subscriber takes Statuspage's format", async () => {
    const config = configOf(`subscribers: { webhooks: true, allow_private_webhooks: true }\n${statuspageChannel.replace("format: statuspage, ", "")}`);
    const now = clock.now();
    await store.subscribers.confirm({ id: "sub_vigil", kind: "webhook", address: "http://127.0.0.1:9/vigil", componentIds: null, format: "vigil", confirmedAt: now, createdAt: now });
    const maintenance = { kind: "maintenance.scheduled", subject: "mnt_1", data: { name: "Database upgrade", components: ["orders-db"] } };
    const first = await dispatch(config, [monitorDown, maintenance]);
    expect(first.calls.filter((c) => c === "catalog.components")).toEqual([]);
    expect(first.shared).toHaveLength(1);
    expect(first.shared[0]!.body).not.toHaveProperty("statuspage");

    // A subscriber that takes it: the public's message carries the page's /api/v2 objects.
    await store.subscribers.confirm({ id: "sub_sp", kind: "webhook", address: "http://127.0.0.1:9/sp-sub", componentIds: null, format: "statuspage", confirmedAt: now, createdAt: now });
    const second = await dispatch(config, [{ ...maintenance, subject: "mnt_2" }]);
    expect(second.calls.filter((c) => c === "catalog.components")).toHaveLength(1);
    expect(second.shared).toHaveLength(1);
    expect(second.shared[0]!.body).toHaveProperty("statuspage.page.id");
  });
});
