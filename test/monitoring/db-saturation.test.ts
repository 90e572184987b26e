// A full connection pool on real servers: another user holds every connection the server allows. The probes report
// the refusal as `saturated` (not a protocol error), and while checks still succeed they say who holds the
// connections; the monitor then goes down with evidence naming that holder, and the diagnosis of pool exhaustion is
// the first thing the monitor, the incident, the public update and the postmortem say.
import { createConnection, type Connection } from "mysql2/promise";
import pg from "pg";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.ts";
import { decodeHolders } from "../../src/probes/db/holders.ts";
import { mysqlProbe } from "../../src/probes/mysql.ts";
import { postgresProbe } from "../../src/probes/postgres.ts";
import { redisProbe, refusalOf } from "../../src/probes/redis.ts";
import type { DbProbeConfig } from "../../src/probes/db-common.ts";
import type { Probe, ProbeOutcome } from "../../src/probes/types.ts";
import { mariadbSkipReason, startMariadb, type MariadbServer } from "../helpers/mariadb.ts";
import { postgresSkipReason, startPostgres, type PostgresServer } from "../helpers/postgres-server.ts";
import { redisSkipReason, startRedis, type RedisServer } from "../helpers/redis-server.ts";
import { freePort } from "../helpers/server-process.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const require = process.env.VIGIL_REQUIRE_SERVERS === "1";
for (const reason of [mariadbSkipReason(), postgresSkipReason(), redisSkipReason()]) {
  if (reason && require) throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${reason}`);
}

/** Opens connections with `open` until the server refuses one, and keeps them; the refusal is returned. */
async function fill<C>(open: () => Promise<C>, held: C[], max: number): Promise<unknown> {
  for (let i = 0; i < max + 5; i++) {
    try {
      held.push(await open());
    } catch (err) {
      return err;
    }
  }
  throw new Error(`the server accepted ${max + 5} connections, more than its limit of ${max}`);
}

const check = (probe: Probe<DbProbeConfig>, url: string): Promise<ProbeOutcome> =>
  probe.run({ url }, { signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 });

describe.skipIf(mariadbSkipReason() !== undefined)("a full pool on a real MariaDB", () => {
  let db: MariadbServer;
  let hogUrl: string;
  const held: Connection[] = [];

  beforeAll(async () => {
    db = await startMariadb({ maxConnections: 12 });
    const root = await createConnection(db.rootUrl);
    await root.query("CREATE USER 'analytics'@'%' IDENTIFIED BY 'analytics-pw'");
    await root.query("GRANT SELECT ON app.* TO 'analytics'@'%'");
    // A monitor given the one connection MariaDB keeps beyond max_connections.
    await root.query("CREATE USER 'reserved'@'%' IDENTIFIED BY 'reserved-pw'");
    await root.query("GRANT PROCESS, CONNECTION ADMIN ON *.* TO 'reserved'@'%'");
    await root.query("CREATE USER 'plain'@'%' IDENTIFIED BY 'plain-pw'");
    await root.end();
    hogUrl = db.rootUrl.replace("root:root-pw", "analytics:analytics-pw") + "app";
  }, 60_000);
  afterEach(async () => {
    await Promise.all(held.splice(0).map((c) => c.end().catch(() => {})));
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("says who holds the connections while it can look, then reports the refusal as saturated", async () => {
    for (let i = 0; i < 4; i++) held.push(await createConnection(hogUrl));
    const up = await check(mysqlProbe, db.url);
    expect(up.status).toBe("up");
    const holders = decodeHolders(up.facts["holders"]);
    expect(holders?.top[0]).toEqual({ user: "analytics", host: "127.0.0.1", db: "app", app: null, state: "idle", count: 4 });
    expect(holders?.seen).toBe(4);
    expect(up.facts).toMatchObject({ maxUsedConnections: expect.any(Number), connectionErrorsMaxConnections: 0, abortedConnects: expect.any(Number) });
    // Without PROCESS the server lists only the monitor user's own connections: the others are not seen.
    const blind = await check(mysqlProbe, db.url.replace("monitor:monitor-pw", "plain:plain-pw"));
    expect(blind.status).toBe("up");
    expect(decodeHolders(blind.facts["holders"])).toEqual({ seen: 0, top: [], rest: 0 });
    expect(blind.facts["connections"]).toBeGreaterThanOrEqual(5);

    const refusal = await fill(() => createConnection(hogUrl), held, db.maxConnections);
    expect(String(refusal)).toMatch(/Too many connections/);
    const down = await check(mysqlProbe, db.url);
    expect(down.status).toBe("down");
    expect(down.error).toEqual({ kind: "saturated", message: expect.stringMatching(/Too many connections/) });

    // A monitor with CONNECTION ADMIN still gets in, and sees who holds the pool.
    const reserved = await check(mysqlProbe, db.url.replace("monitor:monitor-pw", "reserved:reserved-pw"));
    expect(reserved.status).toBe("up");
    expect(decodeHolders(reserved.facts["holders"])?.top[0]).toMatchObject({ user: "analytics", state: "idle", count: held.length });
    expect(reserved.facts["maxUsedConnections"]).toBeGreaterThanOrEqual(db.maxConnections);
  }, 30_000);
});

describe.skipIf(postgresSkipReason() !== undefined)("a full pool on a real PostgreSQL", () => {
  let server: PostgresServer;
  let hogUrl: string;
  const held: pg.Client[] = [];

  beforeAll(async () => {
    server = await startPostgres({ maxConnections: 10 });
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query("CREATE ROLE analytics LOGIN PASSWORD 'analytics-pw'");
    await admin.query("CREATE ROLE plain LOGIN PASSWORD 'plain-pw'");
    await admin.end();
    hogUrl = server.adminUrl.replace(/\/\/postgres:[^@]+@/, "//analytics:analytics-pw@");
  }, 60_000);
  afterEach(async () => {
    await Promise.all(held.splice(0).map((c) => c.end().catch(() => {})));
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const open = async () => {
    const client = new pg.Client({ connectionString: hogUrl, application_name: "reports" });
    client.on("error", () => {});
    await client.connect();
    return client;
  };

  it("says who holds the connections while it can look, then reports the refusal as saturated", async () => {
    for (let i = 0; i < 3; i++) held.push(await open());
    const up = await check(postgresProbe, server.url);
    expect(up.status).toBe("up");
    const holders = decodeHolders(up.facts["holders"]);
    expect(holders?.top[0]).toEqual({ user: "analytics", host: "127.0.0.1", db: "postgres", app: "reports", state: "idle", count: 3 });
    // Without pg_read_all_stats (pg_monitor), other users' client address and state are hidden.
    const blind = await check(postgresProbe, server.url.replace("monitor:monitor-pw", "plain:plain-pw"));
    expect(decodeHolders(blind.facts["holders"])?.top[0]).toEqual({ user: "analytics", host: null, db: "postgres", app: "reports", state: null, count: 3 });

    const refusal = await fill(open, held, server.maxConnections);
    expect((refusal as { code?: string }).code).toBe("53300");
    const down = await check(postgresProbe, server.url);
    expect(down.status).toBe("down");
    expect(down.error?.kind).toBe("saturated");
    // A superuser still gets in (superuser_reserved_connections), and sees who holds the pool.
    const reserved = await check(postgresProbe, server.adminUrl);
    expect(reserved.status).toBe("up");
    expect(reserved.facts["connections"]).toBeGreaterThanOrEqual(server.maxConnections - 3);
    expect(decodeHolders(reserved.facts["holders"])?.top[0]).toMatchObject({ user: "analytics", host: "127.0.0.1", app: "reports", state: "idle" });
  }, 30_000);
});

describe.skipIf(redisSkipReason() !== undefined)("a full pool on a real redis-server", () => {
  let server: RedisServer;
  const held: Redis[] = [];

  beforeAll(async () => {
    server = await startRedis({ maxClients: 6 });
  }, 60_000);
  afterEach(() => {
    for (const r of held.splice(0)) r.disconnect();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const open = async () => {
    const redis = new Redis(server.url, { lazyConnect: true, connectionName: "worker", retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    // The server accepts the socket, then says why it refuses the client and closes: ioredis tells that as an event.
    let cause: unknown;
    redis.on("error", (err: unknown) => (cause ??= err));
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      throw cause ?? err;
    }
    return redis;
  };

  it("is up with holders null when it may not list the clients", async () => {
    const admin = new Redis(server.url);
    await admin.call("ACL", "SETUSER", "limited", "on", ">limited-pw", "+@all", "-client", "+client|setname", "+client|id", "~*");
    admin.disconnect();
    const outcome = await check(redisProbe, server.url.replace(/\/\/:[^@]+@/, "//limited:limited-pw@"));
    expect(outcome.status).toBe("up");
    expect(outcome.facts["holders"]).toBeNull();
  });

  it("reads no refusal from a server with room, nor where nothing listens: the check is not called saturated", async () => {
    expect(await refusalOf("127.0.0.1", server.port, 300)).toBeNull();
    expect(await refusalOf("127.0.0.1", await freePort(), 300)).toBeNull();
  });

  it("says who holds the connections while it can look; a full server is down", async () => {
    for (let i = 0; i < 2; i++) held.push(await open());
    // The connections of the tests before (closed on the client's side) may still be listed until the server reads
    // their close: look until the two held ones are all there is.
    const holders = async () => {
      const up = await check(redisProbe, server.url);
      return up.status === "up" ? decodeHolders(up.facts["holders"])?.top : up.status;
    };
    await expect.poll(holders, { timeout: 5_000, interval: 50 }).toEqual([{ user: null, host: "127.0.0.1", db: null, app: "worker", state: null, count: 2 }]);

    await fill(open, held, server.maxClients);
    // redis-server writes "max number of clients reached" and hangs up at once: the client's first write breaks the
    // pipe before the refusal is read, so the probe listens again to read it. Every time, not when the race allows.
    for (let i = 0; i < 10; i++) {
      const down = await check(redisProbe, server.url);
      expect(down.status).toBe("down");
      expect(down.error).toEqual({ kind: "saturated", message: "ERR max number of clients reached" });
    }
    // Without a password in the URL the client logs in with no AUTH: the refusal still names the check.
    const noPassword = server.url.replace(/\/\/:[^@]+@/, "//");
    for (let i = 0; i < 10; i++) {
      const down = await check(redisProbe, noPassword);
      expect(down.status).toBe("down");
      expect(down.error).toEqual({ kind: "saturated", message: "ERR max number of clients reached" });
    }
  }, 30_000);
});

/** A server for the whole-Vigil test: its monitor type and URL, and how another user opens one connection. */
interface Watched {
  type: "mysql" | "postgres";
  url: string;
  maxConnections: number;
  /** Opens one connection as the `analytics` user; rejects when the server refuses it. */
  open(): Promise<{ close(): Promise<unknown> }>;
  /** How the diagnosis names that user's connections. */
  holder: string;
  dispose(): Promise<void>;
}

function describeFullPool(name: string, skip: string | undefined, start: () => Promise<Watched>): void {
  describe.skipIf(skip !== undefined)(`Vigil watching a ${name} whose pool another user fills`, () => {
    let server: Watched;
    let test: TestVigil;
    const held: { close(): Promise<unknown> }[] = [];
    const api = async (url: string) => (await test.get(url)).json;

    beforeAll(async () => {
      server = await start();
      test = await startTestVigil(`
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database, monitors: [orders-db-check] }
monitors:
  - { id: orders-db-check, type: ${server.type}, url: "${server.url}", interval: 1s, timeout: 1s, recheck: 200ms }
incidents:
  resolve_after: 2s
  public_evidence: true
`);
    }, 120_000);

    afterAll(async () => {
      await test?.dispose();
      await Promise.all(held.splice(0).map((c) => c.close().catch(() => {})));
      await server?.dispose();
    });

    it("goes down as saturated, names the user and host holding the pool, claims no restart, and says pool exhaustion first everywhere", async () => {
      const monitor = () => api("/api/v1/monitors/orders-db-check");
      await expect.poll(async () => (await monitor()).state.status, { timeout: 20_000, interval: 200 }).toBe("up");

      // A few connections first, and a check that saw them; then the rest, until the server refuses.
      const first = 4;
      for (let i = 0; i < first; i++) held.push(await server.open());
      const seenHolders = async () => decodeHolders((await monitor()).last_results[0]?.facts["holders"])?.top[0]?.count ?? 0;
      await expect.poll(seenHolders, { timeout: 10_000, interval: 200 }).toBe(first);
      // A slot the monitor's own check frees again is taken at once, until the monitor is down.
      await expect
        .poll(
          async () => {
            await fill(() => server.open(), held, server.maxConnections);
            return (await monitor()).state.status;
          },
          { timeout: 20_000, interval: 100 },
        )
        .toBe("down");

      const seen = await monitor();
      const down = seen.evidence.find((e: { kind: string }) => e.kind === "monitor.down").data;
      expect(down.error.kind).toBe("saturated");
      expect(down.evidence).toMatchObject({ cause: "saturated", pool_exhausted: true, max_connections: server.maxConnections });
      expect(down.evidence.note).not.toMatch(/not pool exhaustion|unreachable/);
      expect(down.evidence.holders.top[0]).toMatchObject({ user: "analytics", host: "127.0.0.1", state: "idle" });
      const holding = down.evidence.holders.top[0].count as number;
      expect(holding).toBeGreaterThanOrEqual(first);
      expect(seen.evidence.map((e: { kind: string }) => e.kind)).not.toContain("monitor.restart");
      const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const lastSeen = `pool exhausted: the server refuses new connections; last seen \\d+ of ${server.maxConnections}, ${holding} held by`;
      const sentence = new RegExp(`${lastSeen} ${escape(server.holder)} \\(${holding} idle\\); server up \\d+ (s|min)`);
      expect(seen.diagnosis).toMatch(new RegExp(`^${sentence.source}$`));

      // The incident: the diagnosis is its first evidence line, and the public update says it without names.
      const [incident] = (await api("/api/v1/incidents")).incidents;
      const full = await api(`/api/v1/incidents/${incident.id}`);
      expect(full.evidence[0]).toMatchObject({ component: "orders-db", kind: "diagnosis", text: expect.stringMatching(new RegExp(`^Orders database: ${sentence.source}`)) });
      expect(full.evidence.map((e: { text: string }) => e.text).join("\n")).not.toMatch(/restart|crash|not pool exhaustion/);
      expect(full.updates[0].body).toMatch(new RegExp(`Orders database: ${lastSeen} one client \\(${holding} idle\\)`));
      expect(full.updates[0].body).toMatch(/Orders database failing: too many connections\.$/);
      expect(full.updates[0].body).not.toMatch(/analytics|reports|127\.0\.0\.1|Too many|53300|1040/);

      // Released: it recovers, the incident resolves, and the postmortem's evidence starts with the same sentence.
      await Promise.all(held.splice(0).map((c) => c.close().catch(() => {})));
      await expect.poll(async () => (await api(`/api/v1/incidents/${incident.id}`)).status, { timeout: 30_000, interval: 300 }).toBe("resolved");
      const { body } = await api(`/api/v1/incidents/${incident.id}/postmortem`);
      const evidence = String(body).split("## Evidence\n\n")[1]?.split("\n") ?? [];
      expect(evidence[0]).toMatch(new RegExp(`^- Orders database: ${sentence.source}`));
    }, 120_000);
  });
}

describeFullPool("MariaDB", mariadbSkipReason(), async () => {
  const db = await startMariadb({ maxConnections: 12 });
  const root = await createConnection(db.rootUrl);
  await root.query("CREATE USER 'analytics'@'%' IDENTIFIED BY 'analytics-pw'");
  await root.end();
  const url = db.rootUrl.replace("root:root-pw", "analytics:analytics-pw");
  return {
    type: "mysql",
    url: db.url,
    maxConnections: db.maxConnections,
    holder: "analytics@127.0.0.1",
    open: async () => {
      const conn = await createConnection(url);
      return { close: () => conn.end() };
    },
    dispose: () => db.dispose(),
  };
});

describeFullPool("PostgreSQL", postgresSkipReason(), async () => {
  // 10 slots, 3 of them reserved for superusers: the others get 7.
  const server = await startPostgres({ maxConnections: 10 });
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query("CREATE ROLE analytics LOGIN PASSWORD 'analytics-pw'");
  await admin.end();
  const url = server.adminUrl.replace(/\/\/postgres:[^@]+@/, "//analytics:analytics-pw@");
  return {
    type: "postgres",
    url: server.url,
    maxConnections: server.maxConnections,
    holder: "analytics@127.0.0.1 (reports)",
    open: async () => {
      const client = new pg.Client({ connectionString: url, application_name: "reports" });
      client.on("error", () => {});
      await client.connect();
      return { close: () => client.end() };
    },
    dispose: () => server.dispose(),
  };
});
