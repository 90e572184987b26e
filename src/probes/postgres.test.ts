import { createServer, type AddressInfo, type Socket } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { issuesFromZod } from "../config/issues.ts";
import { postgresSkipReason, startPostgres, type PostgresServer } from "../../test/helpers/postgres-server.ts";
import { postgresProbe } from "./postgres.ts";
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

describe("postgres probe config", () => {
  const parse = (data: unknown) => {
    const result = postgresProbe.configSchema.safeParse(data, { reportInput: true });
    return result.success ? { data: result.data, issues: [] } : { data: undefined, issues: issuesFromZod(result.error, data, new Map(), (p) => p.join(".")).map((i) => i.message) };
  };

  it("needs only a url (postgres:// or postgresql://); query is optional", () => {
    expect(parse({ url: "postgres://monitor:pw@db:5432/app" })).toEqual({ data: { url: "postgres://monitor:pw@db:5432/app" }, issues: [] });
    expect(parse({ url: "postgresql://db/app", query: "SELECT 1" }).data).toEqual({ url: "postgresql://db/app", query: "SELECT 1" });
  });

  it("explains a bad url, a missing url and a misspelt key", () => {
    expect(parse({ url: "mysql://db/" }).issues).toEqual(['expected a postgres:// or postgresql:// URL, got "mysql://db/"']);
    expect(parse({}).issues).toEqual(["is required"]);
    expect(parse({ url: "postgres://db/", querry: "SELECT 1" }).issues).toEqual(['unknown key "querry" (did you mean "query"?)']);
  });

  it("produces the facts the database evidence module reads", () => {
    expect([...postgresProbe.facts].sort()).toEqual(["connections", "latencyMs", "maxConnections", "role", "uptimeS", "version"]);
  });
});

const skipReason = postgresSkipReason();
if (skipReason) console.warn(`postgres probe: server tests skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)(`postgres probe on a real PostgreSQL${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres({ maxConnections: 37 });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const check = (config: { url?: string; query?: string } = {}, context = ctx()) => postgresProbe.run({ url: server.url, ...config }, context);
  /** Checks until the server's uptime reaches `seconds`, so that a restart visibly lowers it. */
  async function upFor(seconds: number): Promise<ProbeOutcome> {
    for (;;) {
      const outcome = await check();
      expect(outcome.status).toBe("up");
      if (Number(outcome.facts.uptimeS) >= seconds) return outcome;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("is up with uptime, connections, the max_connections it was started with, role and version", async () => {
    const outcome = await check();
    expect(outcome).toMatchObject({ status: "up", facts: { maxConnections: 37, role: "primary", version: expect.stringMatching(/^\d+\.\d+/) } });
    expect(outcome.error).toBeUndefined();
    expect(outcome.facts.uptimeS).toBeGreaterThan(0);
    expect(outcome.facts.connections).toBeGreaterThanOrEqual(1);
    expect(outcome.facts.latencyMs).toBe(outcome.latencyMs);
  });

  it("counts extra client connections, and leaves none of its own behind", async () => {
    const before = await check();
    const extra = [1, 2, 3].map(() => new pg.Client({ connectionString: server.url }));
    await Promise.all(extra.map((c) => c.connect()));
    try {
      const during = await check();
      expect(during.facts.connections).toBe(Number(before.facts.connections) + 3);
    } finally {
      await Promise.all(extra.map((c) => c.end()));
    }
    for (let i = 0; i < 5; i++) await check();
    // A backend leaves pg_stat_activity a moment after its client has gone.
    await expect.poll(async () => (await check()).facts.connections, { timeout: 3000 }).toBe(before.facts.connections);
  });

  it("is down (connect) while the server is killed, and shows a lower uptime after a real restart", async () => {
    const before = await upFor(1);
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
    const pending = check({ query: "SELECT pg_sleep(10)" });
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

  it("is down (auth) with a wrong or missing password, which the message never shows", async () => {
    const password = "Wr0ng pass@word";
    const wrong = await check({ url: withPassword(server.url, password) });
    expect(wrong).toMatchObject({ status: "down", error: { kind: "auth", message: expect.stringMatching(/password authentication failed/) } });
    expect(wrong.error?.message).not.toContain(password);
    expect(wrong.error?.message).not.toContain(encodeURIComponent(password));
    const missing = await check({ url: withPassword(server.url, "") });
    expect(missing).toMatchObject({ status: "down", error: { kind: "auth" } });
  });

  it("scrubs the password from a server message that repeats it", async () => {
    const outcome = await check({ query: 'SELECT * FROM "monitor-pw"' });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "protocol" } });
    expect(outcome.error?.message).toContain("***");
    expect(outcome.error?.message).not.toContain("monitor-pw");
  });

  it("is down (protocol) when the query fails, keeping the facts it read; up when the query works", async () => {
    const failed = await check({ query: "SELECT * FROM no_such_table" });
    expect(failed).toMatchObject({ status: "down", error: { kind: "protocol", message: expect.stringMatching(/^query failed: .*no_such_table/) } });
    expect(failed.facts.maxConnections).toBe(37);
    expect((await check({ query: "SELECT 1" })).status).toBe("up");
  });

  it("is down (protocol) for a database that does not exist", async () => {
    const url = new URL(server.url);
    url.pathname = "/no_such_db";
    expect(await check({ url: url.toString() })).toMatchObject({ status: "down", error: { kind: "protocol" } });
  });

  it("is down (timeout) on time when the caller aborts a slow query", async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);
    const outcome = await check({ query: "SELECT pg_sleep(10)" }, ctx(5000, controller.signal));
    expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout" } });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("is down (timeout) within the timeout against a server that accepts and never answers, and closes its socket", async () => {
    const silent = await silentServer();
    try {
      const started = performance.now();
      const outcome = await postgresProbe.run({ url: `postgres://monitor:pw@127.0.0.1:${silent.port}/postgres` }, ctx(800));
      expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout" } });
      expect(performance.now() - started).toBeLessThan(1300);
      await expect.poll(() => silent.open.size, { timeout: 2000 }).toBe(0);
    } finally {
      await silent.close();
    }
  });

  it("is down (dns) for a host that does not resolve", async () => {
    const outcome = await postgresProbe.run({ url: "postgres://monitor:pw@no-such-host.invalid:5432/postgres" }, ctx());
    expect(outcome).toMatchObject({ status: "down", error: { kind: "dns" } });
  });
});
