// A mass failure: 500 monitors under 10 root components fail at once, and their events reach the incident engine
// together. It handles them a batch at a time (one correlation pass, one step, one cursor save per batch, not per
// event) and makes exactly one incident per root, whatever the order of the events; stopped in the middle of a batch,
// or crashed before its cursor was saved, the batch is handled again and joins the incidents it opened. On both stores.
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { engineCursor, IncidentEngine } from "../../src/app/incidents/engine.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import type { MonitorStatus } from "../../src/detection/types.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";

const silent = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

const roots = Array.from({ length: 10 }, (_, r) => `db-${r}`);
const services = (root: string) => Array.from({ length: 49 }, (_, i) => `${root}-svc-${i}`);
// Each root has a monitor of its own and 49 services depending on it, each with its monitor: 500 monitors.
const yaml = `
components:
${roots.map((root) => [`  - { id: ${root}, name: ${root}, monitors: [${root}] }`, ...services(root).map((s) => `  - { id: ${s}, name: ${s}, depends_on: [${root}], monitors: [${s}] }`)].join("\n")).join("\n")}
monitors:
${roots.flatMap((root) => [root, ...services(root)]).map((id) => `  - { id: ${id}, type: tcp, host: 127.0.0.1, port: 1 }`).join("\n")}
incidents:
  correlation_window: 60s
  publish: auto
`;

/** The store, counting its transactions and the engine's cursor saves. */
function counting(store: Store): { store: Store; transactions: () => number; cursorSaves: () => number } {
  let transactions = 0;
  let cursorSaves = 0;
  const wrapped: Store = {
    ...store,
    transaction: (fn) => {
      transactions++;
      return store.transaction(fn);
    },
    outbox: {
      ...store.outbox,
      setCursor: (name, id, at) => {
        if (name === engineCursor) cursorSaves++;
        return store.outbox.setCursor(name, id, at);
      },
    },
  };
  return { store: wrapped, transactions: () => transactions, cursorSaves: () => cursorSaves };
}

describe.each(storeBackends())("a mass failure of 500 monitors under 10 roots, on $name", ({ name, available, reason }) => {
  const targets: StoreTarget[] = [];
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    for (const t of targets) await t.dispose();
  });

  /** A fresh store with the engine running on it (`start` starts another, as the next leader would), all monitors up. */
  const setup = async () => {
    const target = await freshTarget(name);
    targets.push(target);
    const store = await openStore({ url: target.url, dataDir: target.dataDir });
    stores.push(store);
    const parsed = parseConfigText(yaml, "vigil.yaml", {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const config: VigilConfig = parsed.config;
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const timers = new ManualTimers(clock);
    const statuses = new Map<string, MonitorStatus>();
    const counted = counting(store);
    const state = { engine: undefined as IncidentEngine | undefined, stopAfterOpening: false };
    const start = async (): Promise<IncidentEngine> => {
      const engine: IncidentEngine = new IncidentEngine({
        store: counted.store,
        clock,
        timers,
        logger: silent,
        monitorStatus: (id) => statuses.get(id) ?? "up",
        // With stopAfterOpening, this node stops leading as soon as an incident opens, in the middle of a batch.
        onChange: () => {
          if (state.stopAfterOpening) void engine.stop();
        },
      });
      state.engine = engine;
      await engine.start(config);
      return engine;
    };
    // Every monitor fails at once; the events interleave the roots, each root's own failure among its services'.
    const failAll = async () => {
      const monitors = roots.flatMap((root) => [root, ...services(root)]);
      const order = monitors.map((id, i) => ({ id, k: (i * 7919) % monitors.length })).sort((a, b) => a.k - b.k).map(({ id }) => id);
      for (const id of order) statuses.set(id, "down");
      const now = clock.now().getTime();
      await store.events.appendMany(order.map((id) => ({ at: new Date(now), kind: "monitor.down", subject: id, actor: "system", data: { region: "local", since: new Date(now - 2_000).toISOString(), last_up_at: new Date(now - 3_000).toISOString() } })));
    };
    const expectOneIncidentPerRoot = async () => {
      const open = await store.incidents.list({ openOnly: true, limit: 100 });
      expect(open.map((i) => i.rootIds.join()).sort()).toEqual([...roots].sort());
      for (const incident of open) {
        expect(incident.impactedIds).toEqual([...services(incident.rootIds[0]!)].sort());
        expect(incident.publishedAt).not.toBeNull();
      }
      expect(await store.incidents.list({ limit: 100 })).toHaveLength(10);
      return open;
    };
    return { store, clock, counted, state, start, failAll, expectOneIncidentPerRoot };
  };

  it.skipIf(!available)(`makes one incident per root, a batch at a time, and the same ones when the batch is handled again${available ? "" : ` (${reason})`}`, async () => {
    const { store, clock, counted, start, failAll, expectOneIncidentPerRoot } = await setup();
    let engine = await start();
    const cursorBefore = await store.outbox.cursor(engineCursor);
    const transactionsBefore = counted.transactions();
    const savesBefore = counted.cursorSaves();
    await failAll();
    await engine.detected();
    const open = await expectOneIncidentPerRoot();
    // Per batch (200 events), not per event: three cursor saves for 500 events; a transaction per incident opened and
    // a few per batch (the joins, the status changes), where one event at a time took more than one per event.
    expect(counted.cursorSaves() - savesBefore).toBe(3);
    expect(counted.transactions() - transactionsBefore).toBeLessThanOrEqual(10 + 3 * 3);
    // Every component's status change recorded once; every other failure joined its root's incident.
    const changes = await store.events.list({ kind: "component.status_changed", limit: 10_000 });
    expect(changes).toHaveLength(500);
    expect(new Set(changes.map((c) => c.subject)).size).toBe(500);
    expect(await store.events.list({ kind: "incident.signal_joined", limit: 10_000 })).toHaveLength(490);
    await engine.stop();

    // A crash after the writes but before the cursor moved: every event handled again joins its root's incident.
    await store.outbox.setCursor(engineCursor, cursorBefore!, clock.now());
    engine = await start();
    const again = await store.incidents.list({ limit: 100 });
    expect(again.map((i) => [i.id, i.rootIds.join(), i.status]).sort()).toEqual(open.map((i) => [i.id, i.rootIds.join(), "investigating"]).sort());
    expect(await store.events.list({ kind: "component.status_changed", limit: 10_000 })).toHaveLength(500);
    await engine.stop();
  }, 180_000);

  it.skipIf(!available)(`stops in the middle of a batch when it no longer leads, and the next leader joins what it opened${available ? "" : ` (${reason})`}`, async () => {
    const { store, state, start, failAll, expectOneIncidentPerRoot } = await setup();
    let engine = await start();
    const cursorBefore = await store.outbox.cursor(engineCursor);
    await failAll();
    state.stopAfterOpening = true;
    await engine.detected();
    await engine.stop();
    // One incident written, the cursor left before the batch: the rest is the next leader's.
    expect(await store.incidents.list({ limit: 100 })).toHaveLength(1);
    expect(await store.outbox.cursor(engineCursor)).toBe(cursorBefore);
    state.stopAfterOpening = false;
    engine = await start();
    await expectOneIncidentPerRoot();
    // The first failure, handled again, joined the incident it had opened.
    expect(await store.events.list({ kind: "incident.signal_joined", limit: 10_000 })).toHaveLength(491);
    await engine.stop();
  }, 180_000);
});
