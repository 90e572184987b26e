// Database evidence on a real MariaDB: a real restart is recorded as `monitor.restart`, two within
// ten minutes as `monitor.crash_loop`, and the outage says what connection use was last seen.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MonitoringService } from "../../src/app/monitoring.ts";
import { systemClock } from "../../src/core/clock.ts";
import { systemTimers } from "../../src/core/timers.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createMetrics } from "../../src/observability/metrics.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { mariadbSkipReason, startMariadb, type MariadbServer } from "../helpers/mariadb.ts";

const skip = mariadbSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

describe.skipIf(skip !== undefined)(`database evidence on a real MariaDB${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let db: MariadbServer;
  let dir: string;
  let store: Store;
  let service: MonitoringService;

  const events = async (kind: string) => (await store.events.list({ kind, subject: "orders-db" })).map((e) => e.data);
  const status = () => service.status("orders-db")?.status;
  /** An outage long enough that the restart shows in the uptime beyond the 2 s tolerance. */
  const outage = async () => {
    await db.kill();
    await expect.poll(status, { timeout: 15_000, interval: 100 }).toBe("down");
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await db.start();
    await expect.poll(status, { timeout: 15_000, interval: 100 }).toBe("up");
  };

  beforeAll(async () => {
    db = await startMariadb({ maxConnections: 40 });
    dir = await mkdtemp(path.join(tmpdir(), "vigil-evidence-"));
    store = await openStore({ dataDir: path.join(dir, "data") });
    const config = parseConfigText(
      `monitors:\n  - id: orders-db\n    type: mysql\n    url: ${db.url}\n    interval: 1s\n    timeout: 1s\n    recheck: 200ms\n`,
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
    await db?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("records a restart, then a crash loop, and tells an outage from pool exhaustion", async () => {
    await expect.poll(status, { timeout: 15_000, interval: 100 }).toBe("up");
    await outage();
    const [down] = await events("monitor.down");
    expect(down?.["evidence"]).toMatchObject({ max_connections: 40, note: expect.stringMatching(/^unreachable; last seen \d+\/40 connections: not pool exhaustion$/) });
    await expect.poll(() => events("monitor.restart"), { timeout: 10_000 }).toHaveLength(1);
    expect(await events("monitor.crash_loop")).toHaveLength(0);

    await outage();
    await expect.poll(() => events("monitor.restart"), { timeout: 10_000 }).toHaveLength(2);
    const [loop] = await events("monitor.crash_loop");
    expect(loop).toMatchObject({ restarts: 2 });
    const [restart] = await events("monitor.restart");
    expect(restart?.["uptime_s"]).toBeLessThan(restart?.["previous_uptime_s"] as number);
  }, 90_000);
});
