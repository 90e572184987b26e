// The leader lease between nodes on one PostgreSQL, in-process (the multi-process tests kill real nodes): one leader at
// a time, a clean stop handed over through NOTIFY well before the next poll, a leader cut off from the database
// stepping down before another takes over, and the fencing term refusing an old leader's writes.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterNode, type ClusterTiming } from "../../src/app/cluster/node.ts";
import { fencedStore } from "../../src/app/cluster/fenced-store.ts";
import { systemTimers } from "../../src/core/timers.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";

const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const postgres = storeBackends().find((b) => b.name === "postgres")!;

interface Log {
  at: number;
  what: string;
}

function node(store: Store, id: string, log: Log[], timing: Partial<ClusterTiming>): ClusterNode {
  return new ClusterNode({
    store,
    timers: systemTimers,
    logger,
    node: id,
    url: () => `http://${id}.example.com`,
    checksPerSecond: () => 0,
    timing,
    onElected: async (term) => void log.push({ at: performance.now(), what: `${id} leads ${term}` }),
    onDeposed: async (term) => void log.push({ at: performance.now(), what: `${id} stops ${term}` }),
  });
}

describe.skipIf(!postgres.available)("the leader lease on PostgreSQL", () => {
  let target: StoreTarget;
  const stores: Store[] = [];
  const open = async () => {
    const store = await openStore({ url: target.url, dataDir: target.dataDir });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    target = await freshTarget("postgres");
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    await target?.dispose();
  });

  it("refuses the writes of a leader whose term is over, and stores none of them", async () => {
    const store = await open();
    const lease = (await store.cluster.acquire("old", 60_000))!;
    const old = fencedStore(store, "old", lease.term);
    await old.events.append({ at: new Date(), kind: "test.fenced", actor: "system", data: { n: 1 } });
    await store.cluster.release("old", lease.term);
    const next = (await store.cluster.acquire("new", 60_000))!;
    expect(next.term).toBe(lease.term + 1);
    await expect(old.events.append({ at: new Date(), kind: "test.fenced", actor: "system", data: { n: 2 } })).rejects.toMatchObject({ code: "conflict" });
    await expect(old.transaction((tx) => tx.events.append({ at: new Date(), kind: "test.fenced", actor: "system", data: { n: 3 } }))).rejects.toMatchObject({ code: "conflict" });
    await expect(old.outbox.setCursor("x", "1", new Date())).rejects.toMatchObject({ code: "conflict" });
    // Reads are not fenced.
    expect((await old.events.list({ kind: "test.fenced" })).map((e) => e.data["n"])).toEqual([1]);
    await fencedStore(store, "new", next.term).events.append({ at: new Date(), kind: "test.fenced", actor: "system", data: { n: 4 } });
    expect((await store.events.list({ kind: "test.fenced" })).map((e) => e.data["n"])).toEqual([1, 4]);
    await store.cluster.release("new", next.term);
  });

  it("has one leader; a clean stop hands over through NOTIFY, long before the next poll", async () => {
    const log: Log[] = [];
    const timing = { leaseMs: 20_000, renewMs: 10_000, safetyMs: 2_000, liveMs: 30_000 };
    const a = node(await open(), "a", log, timing);
    const b = node(await open(), "b", log, timing);
    await a.start();
    await b.start();
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    expect(b.members).toEqual(["a", "b"]);
    const stopAt = performance.now();
    await a.stop();
    await expect.poll(() => b.isLeader, { timeout: 5_000, interval: 20 }).toBe(true);
    const elected = log.find((l) => l.what.startsWith("b leads"))!;
    // Polling alone would have taken up to renewMs (10 s).
    expect(elected.at - stopAt).toBeLessThan(2_000);
    expect(log.map((l) => l.what.replace(/\d+$/, "T"))).toEqual(["a leads T", "a stops T", "b leads T"]);
    await b.stop();
  });

  it("steps a leader down when it cannot reach the database, before another node takes over", async () => {
    const log: Log[] = [];
    const timing = { leaseMs: 1_500, renewMs: 200, safetyMs: 400, liveMs: 1_000 };
    const cutOff = await open();
    const a = node(cutOff, "a2", log, timing);
    await a.start();
    expect(a.isLeader).toBe(true);
    const b = node(await open(), "b2", log, timing);
    await b.start();
    expect(b.isLeader).toBe(false);
    // a2's connections go away: its renewals fail from now on.
    const cut = performance.now();
    await cutOff.close();
    await expect.poll(() => b.isLeader, { timeout: 10_000, interval: 20 }).toBe(true);
    const stopped = log.find((l) => l.what.startsWith("a2 stops"))!;
    const elected = log.find((l) => l.what.startsWith("b2 leads"))!;
    expect(stopped.at).toBeLessThan(elected.at);
    expect(stopped.at - cut).toBeLessThan(timing.leaseMs);
    expect(a.isLeader).toBe(false);
    await b.stop();
    await a.stop();
  });
});

describe("the lone node on the embedded store", () => {
  it("takes the lease a previous process left, and keeps leading through a stalled event loop", async () => {
    const target = await freshTarget("pglite");
    const store = await openStore({ dataDir: target.dataDir });
    try {
      // A previous process, under another id (its port changed), held a lease that has not run out yet.
      const left = (await store.cluster.acquire("old-host:4000", 60_000))!;
      const timers = new ManualTimers();
      const log: Log[] = [];
      const lone = new ClusterNode({
        store,
        timers,
        logger,
        node: "host:4001",
        url: () => "http://host.example.com:4001",
        checksPerSecond: () => 0,
        monotonic: () => timers.clock.now().getTime(),
        solo: true,
        onElected: async (term) => void log.push({ at: 0, what: `leads ${term}` }),
        onDeposed: async (term) => void log.push({ at: 0, what: `stops ${term}` }),
      });
      await lone.start();
      expect(lone.term).toBe(left.term + 1);
      // A minute without a renewal (a long query on the embedded database, a loaded machine), then the watchdog looks.
      timers.clock.advance(60_000);
      await timers.advance(250);
      expect(lone.isLeader).toBe(true);
      await lone.tick();
      expect(lone.term).toBe(left.term + 1);
      expect(log.map((l) => l.what)).toEqual([`leads ${left.term + 1}`]);
      await fencedStore(store, "host:4001", lone.term!).events.append({ at: new Date(), kind: "test.fenced", actor: "system", data: {} });
      await lone.stop();
    } finally {
      await store.close();
      await target.dispose();
    }
  }, 60_000);
});
