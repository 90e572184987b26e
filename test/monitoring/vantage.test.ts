// The server's own vantage point on real parts, with only the local region: three monitors on a local HTTP target and a
// canary on a loopback TCP listener. Targets and canary failing at once: responders hear `vantage.suspect`, incidents
// open but nothing goes public. Targets failing with the canary answering: published as always.
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { hostname } from "node:os";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

/** A target the test flips between answering 200 and 500. */
async function startTarget(): Promise<{ url: string; set(up: boolean): void; close(): Promise<void> }> {
  let up = true;
  const server: Server = createHttpServer((_req, res) => {
    res.statusCode = up ? 200 : 500;
    res.end(up ? "ok" : "broken");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, set: (next) => (up = next), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A TCP listener on loopback the test closes (connections refused) and opens again on the same port. */
async function startCanary(): Promise<{ port: number; close(): Promise<void>; open(): Promise<void> }> {
  let server: TcpServer | undefined;
  let port = 0;
  const open = async () => {
    server = createTcpServer((socket) => socket.end());
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  };
  await open();
  const close = () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  return { port, close, open };
}

const config = (target: string, canaryPort: number, hook: string) => `
site: { name: Acme Status }
components:
${["api", "checkout", "search"].map((s) => `  - { id: ${s}, name: ${s}, monitors: [${s}-check] }`).join("\n")}
monitors:
${["api", "checkout", "search"].map((s) => `  - { id: ${s}-check, type: http, url: "${target}/${s}", interval: 1s, timeout: 1s, recheck: 200ms }`).join("\n")}
probe:
  canaries:
    - { type: tcp, name: loopback, host: 127.0.0.1, port: ${canaryPort}, timeout: 1s }
  canary_interval: 2s
  mass_failure: { share: 50%, min_monitors: 2, window: 10s }
incidents:
  publish: auto
notifications:
  channels:
    - { id: oncall, type: webhook, url: "${hook}/hook" }
`;

type Event = { id: string; at: string; kind: string; subject: string; data: Record<string, unknown> };
type Incident = { id: string; published_at: string | null; publish_at: string | null };

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`the vantage point on ${backend.name}`, () => {
    let target: Awaited<ReturnType<typeof startTarget>>;
    let canary: Awaited<ReturnType<typeof startCanary>>;
    let hook: HttpSink;
    let store: StoreTarget | undefined;
    let test: TestVigil | undefined;
    beforeAll(async () => {
      hook = await startHttpSink();
    });
    afterEach(async () => {
      await test?.dispose();
      await store?.dispose();
      await target?.close();
      await canary?.close();
      test = undefined;
      store = undefined;
      hook.reset();
    });
    afterAll(async () => {
      await hook?.close();
    });

    const start = async () => {
      target = await startTarget();
      canary = await startCanary();
      store = await freshTarget(backend.name);
      test = await startTestVigil(config(target.url, canary.port, hook.url), { ...(store.url ? { databaseUrl: store.url } : {}) });
      for (const s of ["api", "checkout", "search"]) await expect.poll(async () => (await test!.get(`/api/v1/monitors/${s}-check`)).json.state.status, { timeout: 20_000, interval: 200 }).toBe("up");
    };
    const events = async (kind: string): Promise<Event[]> => (await test!.get(`/api/v1/events?kind=${kind}&limit=100`)).json.events;
    const incidents = async (): Promise<Incident[]> => (await test!.get("/api/v1/incidents?limit=100")).json.incidents;
    const publicIncidents = async (): Promise<unknown[]> => ((await (await fetch(`${test!.vigil.url}/api/v2/incidents.json`)).json()) as { incidents: unknown[] }).incidents;
    const hooked = (event: string) => hook.requests.filter((r) => (r.body as { event?: string } | undefined)?.event === event);

    it("targets and canary failing at once: responders hear it, incidents open unpublished, and the end is told", async () => {
      await start();
      await canary.close();
      target.set(false);
      await expect.poll(async () => (await events("vantage.suspect")).length, { timeout: 30_000, interval: 200 }).toBe(1);
      const [suspect] = await events("vantage.suspect");
      expect(suspect!.subject).toBe("local");
      // On PostgreSQL Vigil runs as a cluster (of one node here): each node's network is its own, so the event names it.
      if (backend.name === "postgres") expect(suspect!.data).toMatchObject({ node: `${hostname()}:${test!.vigil.port}`, leading: true });
      else expect(suspect!.data["node"]).toBeUndefined();
      expect(suspect!.data["summary"]).toMatch(/^[23] of 3 monitors and 1 of 1 canary failed within 10 s$/);
      // Every monitor's incident opens for responders, and each is held with the evidence on its timeline.
      await expect.poll(async () => (await events("monitor.down")).length, { timeout: 20_000, interval: 200 }).toBe(3);
      await expect.poll(async () => (await incidents()).length, { timeout: 20_000, interval: 200 }).toBe(3);
      await expect.poll(async () => (await events("incident.publication_held")).length, { timeout: 20_000, interval: 200 }).toBe(3);
      const held = await events("incident.publication_held");
      for (const e of held) expect(e.data["evidence"]).toMatch(/monitors and 1 of 1 canary failed within 10 s/);
      for (const incident of await incidents()) expect(incident).toMatchObject({ published_at: null, publish_at: null });
      expect(await events("incident.published")).toEqual([]);
      expect(await publicIncidents()).toEqual([]);
      await expect.poll(() => hooked("vantage.suspect").length, { timeout: 20_000, interval: 200 }).toBe(1);
      expect((hooked("vantage.suspect")[0]!.body as { text?: string }).text).toMatch(backend.name === "postgres" ? /node \S+'s own network may be cut off/ : /this server's own network may be cut off/);
      const metrics = async () => (await (await fetch(`${test!.vigil.url}/metrics`, { headers: { authorization: `Bearer ${test!.token}` } })).text()).match(/^vigil_vantage_suspect \d$/m)?.[0];
      expect(await metrics()).toBe("vigil_vantage_suspect 1");

      // The canary answers again: the suspicion ends, responders hear it; the held incidents stay drafts.
      await canary.open();
      await expect.poll(async () => (await events("vantage.restored")).length, { timeout: 20_000, interval: 200 }).toBe(1);
      expect((await events("vantage.restored"))[0]!.data["reason"]).toBe("canary loopback answers");
      await expect.poll(() => hooked("vantage.restored").length, { timeout: 20_000, interval: 200 }).toBe(1);
      expect(await metrics()).toBe("vigil_vantage_suspect 0");
      // The targets recover: the engine handles each recovery (and its step) after the end, and still publishes nothing.
      target.set(true);
      await expect.poll(async () => (await events("incident.signal_recovered")).length, { timeout: 20_000, interval: 200 }).toBe(3);
      expect(await events("incident.published")).toEqual([]);
      for (const incident of await incidents()) expect(incident.published_at).toBeNull();
    }, 120_000);

    it("targets failing while the canary answers: published as always, and no suspicion", async () => {
      await start();
      target.set(false);
      const broken = Date.now();
      await expect.poll(async () => (await incidents()).filter((i) => i.published_at !== null).length, { timeout: 30_000, interval: 200 }).toBe(3);
      console.log(`vantage: 3 incidents published ${Date.now() - broken} ms after the targets broke`);
      // The public API is served from a snapshot re-rendered a moment after each change.
      await expect.poll(async () => (await publicIncidents()).length, { timeout: 10_000, interval: 200 }).toBe(3);
      expect(await events("vantage.suspect")).toEqual([]);
      expect(await events("incident.publication_held")).toEqual([]);
      expect(hooked("vantage.suspect")).toEqual([]);
    }, 120_000);
  });
}
