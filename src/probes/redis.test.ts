import { createServer, type AddressInfo, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { issuesFromZod } from "../config/issues.ts";
import { redisSkipReason, startRedis, type RedisServer } from "../../test/helpers/redis-server.ts";
import { redisProbe } from "./redis.ts";
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

describe("redis probe config", () => {
  const parse = (data: unknown) => {
    const result = redisProbe.configSchema.safeParse(data, { reportInput: true });
    return result.success ? { data: result.data, issues: [] } : { data: undefined, issues: issuesFromZod(result.error, data, new Map(), (p) => p.join(".")).map((i) => i.message) };
  };

  it("needs only a url (redis:// or rediss://); query is optional", () => {
    expect(parse({ url: "redis://:pw@cache:6379/0" })).toEqual({ data: { url: "redis://:pw@cache:6379/0" }, issues: [] });
    expect(parse({ url: "rediss://cache:6380", query: "GET flag" }).data).toEqual({ url: "rediss://cache:6380", query: "GET flag" });
  });

  it("explains a bad url, a missing url and a misspelt key", () => {
    expect(parse({ url: "http://cache/" }).issues).toEqual(['expected a redis:// or rediss:// URL, got "http://cache/"']);
    expect(parse({}).issues).toEqual(["is required"]);
    expect(parse({ url: "redis://cache", querry: "PING" }).issues).toEqual(['unknown key "querry" (did you mean "query"?)']);
  });

  it("produces the facts the database evidence module reads", () => {
    expect([...redisProbe.facts].sort()).toEqual(["connections", "latencyMs", "maxConnections", "role", "uptimeS", "version"]);
  });
});

const skipReason = redisSkipReason();
if (skipReason) console.warn(`redis probe: server tests skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)(`redis probe on a real redis-server${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ maxClients: 77 });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const check = (config: { url?: string; query?: string } = {}, context = ctx()) => redisProbe.run({ url: server.url, ...config }, context);
  /** Checks until the server's whole-second uptime reaches `seconds`, so that a restart visibly lowers it. */
  async function upFor(seconds: number): Promise<ProbeOutcome> {
    for (;;) {
      const outcome = await check();
      expect(outcome.status).toBe("up");
      if (Number(outcome.facts.uptimeS) >= seconds) return outcome;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("is up with uptime, connections, the maxclients it was started with, role and version", async () => {
    const outcome = await upFor(1);
    expect(outcome).toMatchObject({ status: "up", facts: { maxConnections: 77, role: "primary", version: expect.stringMatching(/^\d+\.\d+/) } });
    expect(outcome.error).toBeUndefined();
    expect(outcome.facts.uptimeS).toBeGreaterThan(0);
    expect(outcome.facts.connections).toBeGreaterThanOrEqual(1);
    expect(outcome.facts.latencyMs).toBe(outcome.latencyMs);
  });

  it("counts extra client connections, and leaves none of its own behind", async () => {
    const before = await check();
    const extra = [1, 2, 3].map(() => new Redis(server.url, { lazyConnect: true }));
    await Promise.all(extra.map((c) => c.connect()));
    try {
      const during = await check();
      expect(during.facts.connections).toBe(Number(before.facts.connections) + 3);
    } finally {
      await Promise.all(extra.map((c) => c.quit()));
    }
    for (let i = 0; i < 5; i++) await check();
    await expect.poll(async () => (await check()).facts.connections, { timeout: 3000 }).toBe(before.facts.connections);
  });

  it("reports replica when the server replicates from another", async () => {
    const admin = new Redis(server.url);
    try {
      // A primary that does not exist is enough: INFO says role:slave as soon as REPLICAOF is set.
      await admin.call("REPLICAOF", "127.0.0.1", "1");
      expect((await check()).facts.role).toBe("replica");
      await admin.call("REPLICAOF", "NO", "ONE");
      expect((await check()).facts.role).toBe("primary");
    } finally {
      await admin.quit();
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
    const pending = check({ query: "BLPOP no-such-list 10" });
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
    expect(wrong).toMatchObject({ status: "down", error: { kind: "auth", message: expect.stringMatching(/^WRONGPASS/) } });
    expect(wrong.error?.message).not.toContain(password);
    expect(wrong.error?.message).not.toContain(encodeURIComponent(password));
    const missing = await check({ url: `redis://127.0.0.1:${server.port}` });
    expect(missing).toMatchObject({ status: "down", error: { kind: "auth", message: expect.stringMatching(/^NOAUTH/) } });
  });

  it("scrubs the password from a server message that repeats it", async () => {
    const outcome = await check({ query: `NO-SUCH-COMMAND ${server.password}` });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "protocol" } });
    expect(outcome.error?.message).toContain("***");
    expect(outcome.error?.message).not.toContain(server.password);
  });

  it("is down (protocol) when the query fails, keeping the facts it read; up when the query works", async () => {
    const failed = await check({ query: "INCR not-a-number-key extra-arg" });
    expect(failed).toMatchObject({ status: "down", error: { kind: "protocol", message: expect.stringMatching(/^query failed: ERR/) } });
    expect(failed.facts.maxConnections).toBe(77);
    expect((await check({ query: 'SET "health flag" "it works"' })).status).toBe("up");
    const admin = new Redis(server.url);
    try {
      expect(await admin.get("health flag")).toBe("it works");
    } finally {
      await admin.quit();
    }
  });

  it("is down (timeout) on time when the caller aborts a slow command", async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);
    const outcome = await check({ query: "BLPOP no-such-list 10" }, ctx(5000, controller.signal));
    expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout" } });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("is down (timeout) within the timeout against a server that accepts and never answers, and closes its socket", async () => {
    const silent = await silentServer();
    try {
      for (const scheme of ["redis", "rediss"]) {
        const started = performance.now();
        const outcome = await redisProbe.run({ url: `${scheme}://:pw@127.0.0.1:${silent.port}` }, ctx(800));
        expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout" } });
        expect(performance.now() - started).toBeLessThan(1300);
        await expect.poll(() => silent.open.size, { timeout: 2000 }).toBe(0);
      }
    } finally {
      await silent.close();
    }
  });

  it("is down (dns) for a host that does not resolve", async () => {
    const outcome = await redisProbe.run({ url: "redis://:pw@no-such-host.invalid:6379" }, ctx());
    expect(outcome).toMatchObject({ status: "down", error: { kind: "dns" } });
  });
});
