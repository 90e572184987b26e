import { createServer, type AddressInfo, type Socket } from "node:net";
import { createConnection } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { issuesFromZod } from "../config/issues.ts";
import { mariadbSkipReason, startMariadb, type MariadbServer } from "../../test/helpers/mariadb.ts";
import { mysqlProbe } from "./mysql.ts";
import type { ProbeContext, ProbeOutcome } from "./types.ts";

function ctx(timeoutMs = 5000, signal: AbortSignal = AbortSignal.timeout(timeoutMs)): ProbeContext {
  return { signal, clock: systemClock, region: "local", timeoutMs };
}

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** A TCP server that accepts connections and never says a word, counting the sockets still open. */
async function silentServer() {
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.resume(); // reads and drops what the client sends: EOF (the client closing) is only seen past it
    socket.on("close", () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    open,
    close: () => {
      for (const socket of open) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("mysql probe config", () => {
  const parse = (data: unknown) => {
    const result = mysqlProbe.configSchema.safeParse(data, { reportInput: true });
    return result.success ? { data: result.data, issues: [] } : { data: undefined, issues: issuesFromZod(result.error, data, new Map(), (p) => p.join(".")).map((i) => i.message) };
  };

  it("needs only a url; query is optional", () => {
    expect(parse({ url: "mysql://monitor:pw@db:3306/" })).toEqual({ data: { url: "mysql://monitor:pw@db:3306/" }, issues: [] });
    expect(parse({ url: "mysql://db/", query: "SELECT 1" }).data).toEqual({ url: "mysql://db/", query: "SELECT 1" });
  });

  it("explains a bad url, a missing url and a misspelt key", () => {
    expect(parse({ url: "postgres://db/" }).issues).toEqual(['expected a mysql:// URL, got "postgres://db/"']);
    expect(parse({}).issues).toEqual(["is required"]);
    expect(parse({ url: "mysql://db/", querry: "SELECT 1" }).issues).toEqual(['unknown key "querry" (did you mean "query"?)']);
  });

  it("produces the facts the database evidence module reads", () => {
    expect([...mysqlProbe.facts].sort()).toEqual(["connections", "latencyMs", "maxConnections", "role", "uptimeS", "version"]);
  });
});

const skipReason = mariadbSkipReason();
if (skipReason) console.warn(`mysql probe: server tests skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)(`mysql probe on a real MariaDB${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let server: MariadbServer;
  beforeAll(async () => {
    server = await startMariadb({ maxConnections: 57 });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const check = (config: { url?: string; query?: string } = {}, context = ctx()) => mysqlProbe.run({ url: server.url, ...config }, context);
  /** Checks until the server's whole-second uptime reaches `seconds`, so that a restart visibly lowers it. */
  async function upFor(seconds: number): Promise<ProbeOutcome> {
    for (;;) {
      const outcome = await check();
      expect(outcome.status).toBe("up");
      if (Number(outcome.facts.uptimeS) >= seconds) return outcome;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("is up with uptime, connections, the max_connections it was started with, role and version", async () => {
    const outcome = await upFor(1);
    expect(outcome.error).toBeUndefined();
    expect(outcome.facts).toMatchObject({ connections: expect.any(Number), maxConnections: 57, role: "primary", version: expect.stringMatching(/MariaDB/) });
    expect(outcome.facts.uptimeS).toBeGreaterThan(0);
    expect(outcome.facts.connections).toBeGreaterThanOrEqual(1);
    expect(outcome.facts.latencyMs).toBe(outcome.latencyMs);
  });

  it("counts extra client connections, and leaves none of its own behind", async () => {
    const before = await check();
    const extra = await Promise.all([1, 2, 3].map(() => createConnection(server.url)));
    try {
      const during = await check();
      expect(during.facts.connections).toBe(Number(before.facts.connections) + 3);
    } finally {
      await Promise.all(extra.map((c) => c.end()));
    }
    for (let i = 0; i < 5; i++) await check();
    const after = await check();
    expect(after.facts.connections).toBe(before.facts.connections);
  });

  it("reports replica when read_only is ON", async () => {
    const root = await createConnection(server.rootUrl);
    try {
      await root.query("SET GLOBAL read_only = ON");
      expect((await check()).facts.role).toBe("replica");
      await root.query("SET GLOBAL read_only = OFF");
      expect((await check()).facts.role).toBe("primary");
    } finally {
      await root.end();
    }
  });

  it("is down (connect) while the server is killed, and shows a lower uptime after a real restart", async () => {
    const before = await upFor(2);
    await server.kill();
    try {
      const stopped = await check();
      expect(stopped).toMatchObject({ status: "down", error: { kind: "connect" } });
      expect(stopped.error?.message).toMatch(/ECONNREFUSED/);
    } finally {
      await server.start();
    }
    const after = await check();
    expect(after.status).toBe("up");
    expect(after.facts.uptimeS).toBeLessThan(Number(before.facts.uptimeS));
  });

  it("is down (connect) when the server dies in the middle of a check, without stray errors", async () => {
    const pending = check({ query: "SELECT SLEEP(10)" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.kill();
    try {
      const outcome = await pending;
      expect(outcome).toMatchObject({ status: "down", error: { kind: "connect" } });
      expect(outcome.facts.uptimeS).toEqual(expect.any(Number));
    } finally {
      await server.start();
    }
  });

  it("is down (auth) with a wrong password, which the message never shows", async () => {
    const password = "Wr0ng pass@word";
    const outcome = await check({ url: withPassword(server.url, password) });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "auth" } });
    expect(outcome.error?.message).toMatch(/Access denied/);
    expect(outcome.error?.message).not.toContain(password);
    expect(outcome.error?.message).not.toContain(encodeURIComponent(password));
  });

  it("scrubs the password from a server message that repeats it", async () => {
    const outcome = await check({ query: "SELECT * FROM app.`monitor-pw`" });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "protocol" } });
    expect(outcome.error?.message).toContain("***");
    expect(outcome.error?.message).not.toContain("monitor-pw");
  });

  it("is down (protocol) when the query fails, keeping the facts it read; up when the query works", async () => {
    const failed = await check({ query: "SELECT * FROM app.no_such_table" });
    expect(failed).toMatchObject({ status: "down", error: { kind: "protocol", message: expect.stringMatching(/^query failed: .*no_such_table/) } });
    expect(failed.facts.maxConnections).toBe(57);
    expect((await check({ query: "SELECT 1" })).status).toBe("up");
  });

  it("is down (timeout) on time when the caller aborts a slow query", async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);
    const outcome = await check({ query: "SELECT SLEEP(10)" }, ctx(5000, controller.signal));
    expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout" } });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("is down (timeout) within the timeout against a server that accepts and never answers, and closes its socket", async () => {
    const silent = await silentServer();
    try {
      const started = performance.now();
      const outcome = await mysqlProbe.run({ url: `mysql://monitor:pw@127.0.0.1:${silent.port}/` }, ctx(800));
      expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout" } });
      expect(performance.now() - started).toBeLessThan(1300);
      await expect.poll(() => silent.open.size, { timeout: 2000 }).toBe(0);
    } finally {
      await silent.close();
    }
  });

  it("is down (dns) for a host that does not resolve", async () => {
    const outcome = await mysqlProbe.run({ url: "mysql://monitor:pw@no-such-host.invalid:3306/" }, ctx());
    expect(outcome).toMatchObject({ status: "down", error: { kind: "dns" } });
  });
});
