// Long transactions and lock pile-ups on a real PostgreSQL: a session idle in a transaction that holds a lock
// others wait for is `monitor.long_transaction` past `max_transaction_age`, and `monitor.lock_waits` once
// `max_lock_waits` sessions wait.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evidenceKinds } from "../../src/api/v1/monitors.ts";
import { MonitoringService } from "../../src/app/monitoring.ts";
import { systemClock } from "../../src/core/clock.ts";
import { systemTimers } from "../../src/core/timers.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createMetrics } from "../../src/observability/metrics.ts";
import { postgresProbe } from "../../src/probes/postgres.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { postgresSkipReason, startPostgres, startPostgresStandby, type PostgresServer } from "../helpers/postgres-server.ts";

const skip = postgresSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

describe.skipIf(skip !== undefined)(`long transactions on a real PostgreSQL${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let db: PostgresServer;
  let dir: string;
  let store: Store;
  let service: MonitoringService;
  const clients: pg.Client[] = [];

  const events = async (kind: string) => (await store.events.list({ kind, subject: "orders-db" })).map((e) => e.data);
  const client = async () => {
    const c = new pg.Client({ connectionString: db.adminUrl });
    c.on("error", () => {});
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    db = await startPostgres();
    dir = await mkdtemp(path.join(tmpdir(), "vigil-db-role-pg-"));
    store = await openStore({ dataDir: path.join(dir, "data") });
    const config = parseConfigText(
      `monitors:\n  - id: orders-db\n    type: postgres\n    url: ${db.url}\n    interval: 1s\n    timeout: 2s\n    max_transaction_age: 2s\n    max_lock_waits: 2\n`,
      "vigil.yaml",
      {},
    );
    if (!config.ok) throw new Error(JSON.stringify(config.errors));
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    service = new MonitoringService({ store, clock: systemClock, timers: systemTimers, logger, metrics: createMetrics("test") }, 10);
    await service.start(config.config);
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await store?.close();
    for (const c of clients) await c.end().catch(() => {});
    await db?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("reports a session idle in a transaction, and the sessions waiting for its lock", async () => {
    await expect.poll(() => service.status("orders-db")?.status, { timeout: 15_000, interval: 100 }).toBe("up");
    const holder = await client();
    await holder.query("CREATE TABLE orders (id int)");
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
    const waiting = await Promise.all([client(), client()]);
    const blocked = waiting.map((c) => c.query("SELECT count(*) FROM orders"));

    await expect.poll(() => events("monitor.lock_waits"), { timeout: 10_000 }).toHaveLength(1);
    const [piled] = await events("monitor.lock_waits");
    expect(piled).toMatchObject({ lock_waits: 2, max_lock_waits: 2, note: expect.stringMatching(/^2 sessions wait for a lock; the oldest transaction is \d+ s old$/) });

    await expect.poll(() => events("monitor.long_transaction"), { timeout: 10_000 }).toHaveLength(1);
    const [long] = await events("monitor.long_transaction");
    expect(long).toMatchObject({ max_age_s: 2, lock_waits: 2, note: expect.stringMatching(/^a transaction open for \d+ s \(since \d\d:\d\d:\d\d UTC\); 2 sessions wait for a lock$/) });
    expect(long?.["age_s"]).toBeGreaterThanOrEqual(2);

    const check = await postgresProbe.run({ url: db.url }, { signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 });
    expect(check.facts).toMatchObject({ lockWaits: 2, writable: true, replicating: false, replicationLagS: null, timeline: 1, serverId: expect.stringMatching(/^\d+$/) });
    expect(check.facts["oldestTransactionS"]).toBeGreaterThanOrEqual(2);

    await holder.query("COMMIT");
    await Promise.all(blocked);
    await expect.poll(async () => (await postgresProbe.run({ url: db.url }, { signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 })).facts["lockWaits"]).toBe(0);
    // GET /api/v1/monitors/:id lists them (with a server change and replication lag) under `evidence`.
    expect(evidenceKinds).toEqual(expect.arrayContaining(["monitor.long_transaction", "monitor.lock_waits", "monitor.server_change", "monitor.replication_lag"]));
    // Lock waits and long transactions are evidence, not an outage.
    expect(service.status("orders-db")?.status).toBe("up");
  }, 60_000);

  it("records a standby's promotion as a new timeline, now writable", async () => {
    const standby = await startPostgresStandby(db);
    const standbyDir = await mkdtemp(path.join(tmpdir(), "vigil-db-role-standby-"));
    const standbyStore = await openStore({ dataDir: path.join(standbyDir, "data") });
    const config = parseConfigText(`monitors:\n  - id: orders-db-standby\n    type: postgres\n    url: ${standby.url}\n    interval: 1s\n    timeout: 2s\n`, "vigil.yaml", {});
    if (!config.ok) throw new Error(JSON.stringify(config.errors));
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const watcher = new MonitoringService({ store: standbyStore, clock: systemClock, timers: systemTimers, logger, metrics: createMetrics("test") }, 10);
    const standbyEvents = async (kind: string) => (await standbyStore.events.list({ kind, subject: "orders-db-standby" })).map((e) => e.data);
    try {
      await watcher.start(config.config);
      await expect.poll(() => watcher.status("orders-db-standby")?.status, { timeout: 15_000, interval: 100 }).toBe("up");
      const check = () => postgresProbe.run({ url: standby.url }, { signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 });
      expect((await check()).facts).toMatchObject({ role: "replica", writable: false, replicating: true, timeline: 1, replicationLagS: 0 });
      const primaryId = (await postgresProbe.run({ url: db.url }, { signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 })).facts["serverId"];
      expect((await check()).facts["serverId"]).toBe(primaryId);

      const admin = new pg.Client({ connectionString: standby.adminUrl });
      await admin.connect();
      await admin.query("SELECT pg_promote()");
      await admin.end();
      await expect.poll(() => standbyEvents("monitor.server_change"), { timeout: 20_000 }).toHaveLength(1);
      const [change] = await standbyEvents("monitor.server_change");
      expect(change).toMatchObject({
        changed: ["timeline"],
        from: { timeline: 1 },
        to: { timeline: 2 },
        writable: true,
        note: expect.stringMatching(/^a new timeline \(2, was 1\) since \d\d:\d\d:\d\d UTC: a standby was promoted, now writable$/),
      });
      await expect.poll(() => standbyEvents("monitor.role_change"), { timeout: 10_000 }).toHaveLength(1);
    } finally {
      await watcher.stop();
      await standbyStore.close();
      await standby.dispose();
      await rm(standbyDir, { recursive: true, force: true });
    }
  }, 90_000);

  it("reads identity for any role, but leaves transactions and lock waits unknown without pg_monitor", async () => {
    const admin = await client();
    await admin.query("CREATE ROLE plain LOGIN PASSWORD 'plain-pw'");
    const url = db.url.replace("monitor:monitor-pw", "plain:plain-pw");
    const check = await postgresProbe.run({ url }, { signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 });
    expect(check).toMatchObject({ status: "up", facts: { role: "primary", serverId: expect.stringMatching(/^\d+$/), timeline: 1, oldestTransactionS: null, lockWaits: null } });
  }, 30_000);
});
