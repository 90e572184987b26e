// Failover and replication on real MariaDB servers: a different server taking over an address is a
// `monitor.server_change`, and a replica falling behind its source beyond `max_replication_lag` is
// `monitor.replication_lag` and a degraded monitor.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { createConnection } from "mysql2/promise";
import { afterEach, describe, expect, it } from "vitest";
import { MonitoringService } from "../../src/app/monitoring.ts";
import { systemClock } from "../../src/core/clock.ts";
import { systemTimers } from "../../src/core/timers.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createMetrics } from "../../src/observability/metrics.ts";
import { mysqlProbe } from "../../src/probes/mysql.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { mariadbSkipReason, mariadbSql, replicateAnHourBehind, startMariadb, type MariadbServer } from "../helpers/mariadb.ts";

const skip = mariadbSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

describe.skipIf(skip !== undefined)(`failover and replication on real MariaDB servers${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  let store: Store;
  let service: MonitoringService;

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const events = async (kind: string) => (await store.events.list({ kind, subject: "orders-db" })).map((e) => e.data);
  const status = () => service.status("orders-db")?.status;
  const server = async (options: Parameters<typeof startMariadb>[0]): Promise<MariadbServer> => {
    const s = await startMariadb(options);
    cleanup.push(() => s.dispose());
    return s;
  };
  /** Watches `url` every second with the extra monitor keys given. */
  const monitor = async (url: string, extra = "") => {
    const dir = await mkdtemp(path.join(tmpdir(), "vigil-db-role-"));
    store = await openStore({ dataDir: path.join(dir, "data") });
    const config = parseConfigText(
      `monitors:\n  - id: orders-db\n    type: mysql\n    url: ${url}\n    interval: 1s\n    timeout: 1s\n    recheck: 200ms\n${extra}`,
      "vigil.yaml",
      {},
    );
    if (!config.ok) throw new Error(JSON.stringify(config.errors));
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    service = new MonitoringService({ store, clock: systemClock, timers: systemTimers, logger, metrics: createMetrics("test") }, 10);
    await service.start(config.config);
    cleanup.push(async () => {
      await service.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
  };

  it("records a different server answering at the same address, and its new role", async () => {
    const first = await server({ args: ["--server-id=1", "--read-only"] });
    await monitor(first.url);
    await expect.poll(status, { timeout: 30_000, interval: 100 }).toBe("up");

    await first.kill();
    await expect.poll(status, { timeout: 30_000, interval: 100 }).toBe("down");
    // Another data directory, another server id, the same port: what a failover behind a fixed address looks like.
    const second = await server({ port: first.port, args: ["--server-id=2"] });
    await expect.poll(status, { timeout: 30_000, interval: 100 }).toBe("up");

    await expect.poll(() => events("monitor.server_change"), { timeout: 20_000 }).toHaveLength(1);
    const [change] = await events("monitor.server_change");
    expect(change).toMatchObject({
      from: { server_id: "1", server_uuid: null, timeline: null },
      to: { server_id: "2", server_uuid: null, timeline: null },
      changed: ["server_id"],
      writable: true,
      note: expect.stringMatching(/^a different server \(id 2\) answers since \d\d:\d\d:\d\d UTC, now writable$/),
    });
    // The helper's monitoring user lacks SLAVE MONITOR: replica status is unknown, and the check is up all the same.
    const check = await mysqlProbe.run({ url: first.url }, { signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 });
    expect(check).toMatchObject({ status: "up", facts: { serverId: "2", writable: true, replicating: null, replicationLagS: null, lockWaits: 0 } });
    const [role] = await events("monitor.role_change");
    expect(role).toMatchObject({ from: "replica", to: "primary", writable: true, note: "now the primary: writable" });

    // A transaction holding a row lock, and another waiting for it, as INNODB_TRX shows them.
    await mariadbSql(second.rootUrl, "CREATE TABLE app.orders (id INT PRIMARY KEY, n INT)", "INSERT INTO app.orders VALUES (1, 0)");
    const holder = await createConnection(second.rootUrl);
    const waiter = await createConnection(second.rootUrl);
    cleanup.push(async () => {
      waiter.destroy();
      holder.destroy();
    });
    await holder.query("BEGIN");
    await holder.query("UPDATE app.orders SET n = 1 WHERE id = 1");
    const blocked = waiter.query("UPDATE app.orders SET n = 2 WHERE id = 1").catch(() => {});
    const facts = async () => (await mysqlProbe.run({ url: second.url }, { signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 })).facts;
    // InnoDB refreshes what INNODB_TRX shows only when it was last read more than 0.1 s ago: read faster than that, it
    // shows the same rows for ever. So these polls wait a quarter second between reads.
    await expect.poll(async () => (await facts())["lockWaits"], { timeout: 10_000, interval: 250 }).toBe(1);
    expect((await facts())["oldestTransactionS"]).toBeGreaterThanOrEqual(0);
    await holder.query("COMMIT");
    await blocked;
    await expect.poll(async () => (await facts())["lockWaits"], { timeout: 10_000, interval: 250 }).toBe(0);
  }, 150_000);

  it("degrades a replica further behind its source than max_replication_lag, with the lag as evidence", async () => {
    const source = await server({ args: ["--server-id=11", "--log-bin=mysql-bin"] });
    const replica = await server({ args: ["--server-id=12", "--read-only"] });
    // Replication starts after these statements: the replica has nothing to catch up with until the next write.
    await replicateAnHourBehind(source, replica);
    await monitor(replica.url, "    max_replication_lag: 2s\n");
    await expect.poll(status, { timeout: 30_000, interval: 100 }).toBe("up");

    await mariadbSql(source.rootUrl, "CREATE TABLE app.orders (id INT PRIMARY KEY)", "INSERT INTO app.orders VALUES (1)");
    await expect.poll(status, { timeout: 20_000, interval: 100 }).toBe("degraded");
    const [lag] = await events("monitor.replication_lag");
    expect(lag).toMatchObject({ max_lag_s: 2, running: true, note: expect.stringMatching(/^replica \d+ s behind its source, above 2 s$/) });
    expect(lag?.["lag_s"]).toBeGreaterThan(2);
    const [degraded] = await events("monitor.degraded");
    expect(degraded?.["warning"]).toMatch(/^replica \d+ s behind its source, above 2 s$/);
    const check = await mysqlProbe.run({ url: replica.url }, { signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 });
    expect(check.facts).toMatchObject({ role: "replica", writable: false, replicating: true, replicationRunning: true, serverId: "12" });
    expect(check.facts["replicationLagS"]).toBeGreaterThan(2);
  }, 150_000);
});
