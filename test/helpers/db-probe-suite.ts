import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issuesFromZod } from "../../src/config/issues.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { DbProbeConfig } from "../../src/probes/db-common.ts";
import { mysqlHolderFacts } from "../../src/probes/db/holders-mysql.ts";
import { serverFactNames } from "../../src/probes/db/server-facts.ts";
import type { Probe, ProbeContext, ProbeOutcome } from "../../src/probes/types.ts";
import type { ServerProcess } from "./server-process.ts";

/** A throwaway server as the suite drives it: a monitor URL with a password, and kill/start. */
type SuiteServer = ServerProcess & { url: string };

/** What the database-specific tests of a file get from the shared suite. */
export interface DbServerEnv<S extends SuiteServer> {
  /** The running server (available once the suite's beforeAll has run). */
  server(): S;
  /** Runs the probe against the server's monitor URL, with `config` on top. */
  check(config?: Partial<DbProbeConfig>, context?: ProbeContext): Promise<ProbeOutcome>;
}

/** One database's specifics for the shared probe suite. */
export interface DbProbeSuite<S extends SuiteServer> {
  probe: Probe<DbProbeConfig>;
  /** The server as titles name it: "MariaDB", "PostgreSQL", "redis-server". */
  serverName: string;
  skipReason: string | undefined;
  /** Starts a server limited to `maxConnections` clients. */
  start(maxConnections: number): Promise<S>;
  /** The limit given to `start`, which the probe must report as `maxConnections`. */
  maxConnections: number;
  /** How titles name that limit: "max_connections", "maxclients". */
  limitName: string;
  /** What the reported version must match. */
  version: RegExp;
  /** 1 for a server whose uptime counts whole seconds (0 right after a start), 0 for a finer one. */
  uptimeStepS: 0 | 1;
  /** Opens one plain client connection to `url`, and hands back what closes it. */
  openClient(url: string): Promise<() => Promise<unknown>>;
  /** Whether the server still counts a client for a moment after it has gone, so the count must be polled. */
  countsLazily: boolean;
  config: {
    /** How the first title names the URLs taken, e.g. "a url (redis:// or rediss://)". */
    accepts: string;
    /** Configs that must parse as they are: a URL alone, and a URL with a query. */
    urlOnly: DbProbeConfig;
    withQuery: DbProbeConfig;
    /** A URL of another kind and the issue it must raise. */
    wrongUrl: { url: string; issue: string };
    /** A config whose query key is spelt `querry`. */
    misspelt: { url: string; querry: string };
  };
  queries: {
    /** What titles call a query: "query" or "command". */
    noun: string;
    /** A query that keeps the server busy for 10 s. */
    slow: string;
    /** A query that fails, and what the outcome's message must match. */
    failing: { query: string; message: RegExp };
    working: string;
    /** More checks after `working` has run, e.g. that it did what it said. */
    afterWorking?(server: S): Promise<void>;
    /** A failing query whose error message repeats `secret`. */
    echo(secret: string): string;
  };
  /** What a wrong password's message must match; with `missingPassword`, no password at all is tested too. */
  auth: { wrongPassword: RegExp; missingPassword?: { message?: RegExp } };
  /** Monitor URLs for a server on 127.0.0.1:`port` (each is tried against one that never answers). */
  silentUrls(port: number): string[];
  /** A monitor URL whose host does not resolve. */
  unresolvableUrl: string;
  /** Tests of this database only, added to the server block after the shared ones. */
  more?(env: DbServerEnv<S>): void;
}

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

/** Declares the config tests and the real-server tests every database probe must pass, in the calling test file. */
export function describeDbProbe<S extends SuiteServer>(db: DbProbeSuite<S>): void {
  const { probe } = db;
  describe(`${probe.type} probe config`, () => {
    const parse = (data: unknown) => {
      const result = probe.configSchema.safeParse(data, { reportInput: true });
      return result.success ? { data: result.data, issues: [] } : { data: undefined, issues: issuesFromZod(result.error, data, new Map(), (p) => p.join(".")).map((i) => i.message) };
    };

    it(`needs only ${db.config.accepts}; query is optional`, () => {
      expect(parse(db.config.urlOnly)).toEqual({ data: db.config.urlOnly, issues: [] });
      expect(parse(db.config.withQuery).data).toEqual(db.config.withQuery);
    });

    it("explains a bad url, a missing url and a misspelt key", () => {
      expect(parse({ url: db.config.wrongUrl.url }).issues).toEqual([db.config.wrongUrl.issue]);
      expect(parse({}).issues).toEqual(["is required"]);
      expect(parse(db.config.misspelt).issues).toEqual(['unknown key "querry" (did you mean "query"?)']);
    });

    it("produces the facts the database evidence module reads", () => {
      const shared = ["connections", "holders", "latencyMs", "maxConnections", "role", "uptimeS", "version"];
      expect([...probe.facts].filter((f) => shared.includes(f)).sort()).toEqual(shared);
      // Anything more is what mysql and postgres say about the server, its replication and its transactions, and
      // mysql's connection counters.
      expect(probe.facts.filter((f) => !shared.includes(f) && !(serverFactNames as readonly string[]).includes(f) && !(mysqlHolderFacts as readonly string[]).includes(f))).toEqual([]);
    });
  });

  const skipReason = db.skipReason;
  if (skipReason) console.warn(`${probe.type} probe: server tests skipped: ${skipReason}`);

  describe.skipIf(skipReason !== undefined)(`${probe.type} probe on a real ${db.serverName}${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
    let server: S;
    beforeAll(async () => {
      server = await db.start(db.maxConnections);
    });
    afterAll(async () => {
      await server?.dispose();
    });

    const check = (config: Partial<DbProbeConfig> = {}, context = ctx()) => probe.run({ url: server.url, ...config }, context);
    /** Checks until the server's uptime reaches `seconds`, so that a restart visibly lowers it. */
    async function upFor(seconds: number): Promise<ProbeOutcome> {
      for (;;) {
        const outcome = await check();
        expect(outcome.status).toBe("up");
        if (Number(outcome.facts.uptimeS) >= seconds) return outcome;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    it(`is up with uptime, connections, the ${db.limitName} it was started with, role and version`, async () => {
      const outcome = await upFor(db.uptimeStepS);
      const facts = { connections: expect.any(Number), maxConnections: db.maxConnections, role: "primary", version: expect.stringMatching(db.version) };
      expect(outcome).toMatchObject({ status: "up", facts });
      expect(outcome.error).toBeUndefined();
      expect(outcome.facts.uptimeS).toBeGreaterThan(0);
      expect(outcome.facts.connections).toBeGreaterThanOrEqual(1);
      expect(outcome.facts.latencyMs).toBe(outcome.latencyMs);
    });

    it("counts extra client connections, and leaves none of its own behind", async () => {
      const before = await check();
      const closers = await Promise.all([1, 2, 3].map(() => db.openClient(server.url)));
      try {
        const during = await check();
        expect(during.facts.connections).toBe(Number(before.facts.connections) + 3);
      } finally {
        await Promise.all(closers.map((close) => close()));
      }
      for (let i = 0; i < 5; i++) await check();
      const connections = async () => (await check()).facts.connections;
      if (db.countsLazily) await expect.poll(connections, { timeout: 3000 }).toBe(before.facts.connections);
      else expect(await connections()).toBe(before.facts.connections);
    });

    it("is down (connect) while the server is killed, and shows a lower uptime after a real restart", async () => {
      // One step above the uptime a fresh start may report.
      const before = await upFor(db.uptimeStepS + 1);
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
      const pending = check({ query: db.queries.slow });
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

    const { missingPassword } = db.auth;
    it(`is down (auth) with a wrong ${missingPassword ? "or missing " : ""}password, which the message never shows`, async () => {
      const password = "Wr0ng pass@word";
      const wrong = await check({ url: withPassword(server.url, password) });
      expect(wrong).toMatchObject({ status: "down", error: { kind: "auth", message: expect.stringMatching(db.auth.wrongPassword) } });
      expect(wrong.error?.message).not.toContain(password);
      expect(wrong.error?.message).not.toContain(encodeURIComponent(password));
      if (!missingPassword) return;
      const missing = await check({ url: withPassword(server.url, "") });
      const message = missingPassword.message ? { message: expect.stringMatching(missingPassword.message) } : {};
      expect(missing).toMatchObject({ status: "down", error: { kind: "auth", ...message } });
    });

    it("scrubs the password from a server message that repeats it", async () => {
      const secret = decodeURIComponent(new URL(server.url).password);
      const outcome = await check({ query: db.queries.echo(secret) });
      expect(outcome).toMatchObject({ status: "down", error: { kind: "protocol" } });
      expect(outcome.error?.message).toContain("***");
      expect(outcome.error?.message).not.toContain(secret);
    });

    it("is down (protocol) when the query fails, keeping the facts it read; up when the query works", async () => {
      const failed = await check({ query: db.queries.failing.query });
      expect(failed).toMatchObject({ status: "down", error: { kind: "protocol", message: expect.stringMatching(db.queries.failing.message) } });
      expect(failed.facts.maxConnections).toBe(db.maxConnections);
      expect((await check({ query: db.queries.working })).status).toBe("up");
      await db.queries.afterWorking?.(server);
    });

    it(`is down (timeout) on time when the caller aborts a slow ${db.queries.noun}`, async () => {
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(), 300);
      const outcome = await check({ query: db.queries.slow }, ctx(5000, controller.signal));
      expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout" } });
      expect(performance.now() - started).toBeLessThan(1500);
    });

    it("is down (timeout) within the timeout against a server that accepts and never answers, and closes its socket", async () => {
      const silent = await silentServer();
      try {
        for (const url of db.silentUrls(silent.port)) {
          const started = performance.now();
          const outcome = await probe.run({ url }, ctx(800));
          expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout" } });
          expect(performance.now() - started).toBeLessThan(1300);
          await expect.poll(() => silent.open.size, { timeout: 2000 }).toBe(0);
        }
      } finally {
        await silent.close();
      }
    });

    it("is down (dns) for a host that does not resolve", async () => {
      const outcome = await probe.run({ url: db.unresolvableUrl }, ctx());
      expect(outcome).toMatchObject({ status: "down", error: { kind: "dns" } });
    });

    db.more?.({ server: () => server, check });
  });
}
