// The incident's diagnosis on real MariaDB servers: a failover and a lagging replica are named first in the incident's
// evidence, not only on the monitor. Evidence that came just before the failure that opened the incident (a replica
// falls behind, then its monitor is confirmed degraded) belongs to the incident too.
import { afterEach, describe, expect, it } from "vitest";
import { mariadbSkipReason, mariadbSql, replicateAnHourBehind, startMariadb, type MariadbServer } from "../helpers/mariadb.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = mariadbSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

describe.skipIf(skip !== undefined)(`the incident's diagnosis on real MariaDB servers${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const server = async (options: Parameters<typeof startMariadb>[0]): Promise<MariadbServer> => {
    const s = await startMariadb(options);
    cleanup.push(() => s.dispose());
    return s;
  };
  const vigil = async (url: string, extra = ""): Promise<TestVigil> => {
    const test = await startTestVigil(`
site: { name: Acme Status }
components:
  - id: orders-db
    name: Orders database
    monitors: [orders-db]
monitors:
  - id: orders-db
    type: mysql
    url: ${url}
    interval: 1s
    timeout: 1s
    recheck: 200ms
${extra}
incidents:
  resolve_after: 1h
`);
    cleanup.push(() => test.dispose());
    return test;
  };
  const status = async (test: TestVigil) => (await test.get("/api/v1/monitors/orders-db")).json.state.status;
  const openIncident = async (test: TestVigil) => (await test.get("/api/v1/incidents?open=true")).json.incidents[0]?.id as string | undefined;
  const firstEvidence = async (test: TestVigil, id: string) => (await test.get(`/api/v1/incidents/${id}`)).json.evidence[0]?.text as string | undefined;

  it("names a failover first on the incident the outage opened", async () => {
    const first = await server({ args: ["--server-id=1", "--read-only"] });
    const test = await vigil(first.url);
    await expect.poll(() => status(test), { timeout: 30_000, interval: 100 }).toBe("up");

    await first.kill();
    await expect.poll(() => openIncident(test), { timeout: 30_000, interval: 100 }).toBeDefined();
    const id = (await openIncident(test)) as string;
    // Another data directory, another server id, the same port: a failover behind a fixed address.
    await server({ port: first.port, args: ["--server-id=2"] });
    await expect.poll(() => firstEvidence(test, id), { timeout: 30_000, interval: 200 }).toMatch(
      /^Orders database: failover: a different server \(id 2\) answers since \d\d:\d\d:\d\d UTC, now writable/,
    );
    expect((await test.get(`/api/v1/monitors/orders-db`)).json.diagnosis).toMatch(/^failover: a different server \(id 2\)/);
  }, 150_000);

  it("names a lagging replica first on the incident its degraded monitor opened", async () => {
    const source = await server({ args: ["--server-id=11", "--log-bin=mysql-bin"] });
    const replica = await server({ args: ["--server-id=12", "--read-only"] });
    await replicateAnHourBehind(source, replica);
    const test = await vigil(replica.url, "    max_replication_lag: 2s\n");
    await expect.poll(() => status(test), { timeout: 30_000, interval: 100 }).toBe("up");

    await mariadbSql(source.rootUrl, "CREATE TABLE app.orders (id INT PRIMARY KEY)", "INSERT INTO app.orders VALUES (1)");
    await expect.poll(() => openIncident(test), { timeout: 30_000, interval: 100 }).toBeDefined();
    const id = (await openIncident(test)) as string;
    expect(await status(test)).toBe("degraded");
    await expect.poll(() => firstEvidence(test, id), { timeout: 10_000, interval: 200 }).toMatch(/^Orders database: replica \d+ s behind its source, above 2 s$/);
    // Once, though the lag was seen before the incident opened.
    const timeline = (await test.get(`/api/v1/incidents/${id}`)).json.timeline as { kind: string; data: { signal?: { kind: string } } }[];
    expect(timeline.filter((e) => e.data.signal?.kind === "monitor.replication_lag")).toHaveLength(1);
  }, 150_000);
});
