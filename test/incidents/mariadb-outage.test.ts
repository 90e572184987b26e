// The heart of Vigil on real parts: a real MariaDB is killed and restarted twice behind a local API whose
// health depends on it. Through the HTTP API, on PGlite and on PostgreSQL: exactly one incident rooted at the
// database with the API and its dependents impacted, restart and crash-loop evidence, outage windows that
// cover the real outages, resolution by policy, and a postmortem drafted from the timeline.
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mariadbSkipReason, startMariadb, type MariadbServer } from "../helpers/mariadb.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = mariadbSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const intervalMs = 1000;

const config = (dbUrl: string, apiPort: number) => `
site: { name: Acme Status }
components:
  - id: orders-db
    name: Orders database
    monitors: [orders-db-mysql]
  - id: api
    name: Production API
    depends_on: [orders-db]
    monitors: [api-health]
  - id: checkout
    name: Checkout
    depends_on: [api]
  - id: relay
    name: Relay
    depends_on: [api]
monitors:
  - { id: orders-db-mysql, type: mysql, url: "${dbUrl}", interval: 1s, timeout: 1s, recheck: 200ms }
  - { id: api-health, type: http, url: "http://127.0.0.1:${apiPort}/health", interval: 1s, timeout: 1s, recheck: 200ms }
incidents:
  resolve_after: 3s
  public_evidence: true
`;

/** Whether something accepts connections on `port`. */
function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, timeout: 300 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

for (const backend of storeBackends()) {
  const reason = skip ?? backend.reason;
  describe.skipIf(skip !== undefined || !backend.available)(`a real database outage on ${backend.name}${reason ? ` (skipped: ${reason})` : ""}`, () => {
    let db: MariadbServer;
    let apiServer: Server;
    let store: StoreTarget;
    let test: TestVigil;
    const api = async (url: string) => (await test.get(url)).json;
    const monitorStatus = async (id: string) => (await api(`/api/v1/monitors/${id}`)).state.status;

    beforeAll(async () => {
      db = await startMariadb();
      const dbPort = Number(new URL(db.url).port);
      // The API is healthy exactly when its database answers.
      apiServer = createServer((_req, res) => {
        void reachable(dbPort).then((up) => {
          res.writeHead(up ? 200 : 503);
          res.end(up ? "ok" : "database unreachable");
        });
      });
      await new Promise<void>((resolve) => apiServer.listen(0, "127.0.0.1", resolve));
      store = await freshTarget(backend.name);
      test = await startTestVigil(config(db.url, (apiServer.address() as { port: number }).port), store.url ? { databaseUrl: store.url } : {});
    }, 120_000);

    afterAll(async () => {
      await test?.dispose();
      await store?.dispose();
      apiServer?.close();
      await db?.dispose();
    });

    it("makes one incident rooted at the database, with evidence, windows and a postmortem", async () => {
      for (const m of ["orders-db-mysql", "api-health"]) await expect.poll(() => monitorStatus(m), { timeout: 30_000, interval: 100 }).toBe("up");

      // Two crashes: the second within the first's incident (resolve_after has not run out).
      const outages: { killedAt: number; startingAt: number; restartedAt: number }[] = [];
      for (let i = 0; i < 2; i++) {
        const killedAt = Date.now();
        await db.kill();
        await expect.poll(() => monitorStatus("orders-db-mysql"), { timeout: 15_000, interval: 100 }).toBe("down");
        await expect.poll(() => monitorStatus("api-health"), { timeout: 15_000, interval: 100 }).toBe("down");
        // Down long enough that the restart shows in the server's uptime beyond detection's tolerance.
        await expect.poll(() => Date.now() - killedAt, { timeout: 10_000, interval: 200 }).toBeGreaterThan(3_000);
        // The server may answer a check before start() has seen it ready: the window may end from startingAt on.
        const startingAt = Date.now();
        await db.start();
        const restartedAt = Date.now();
        outages.push({ killedAt, startingAt, restartedAt });
        await expect.poll(() => monitorStatus("orders-db-mysql"), { timeout: 30_000, interval: 100 }).toBe("up");
        await expect.poll(() => monitorStatus("api-health"), { timeout: 30_000, interval: 100 }).toBe("up");
        // Everything recovered: the incident is monitoring (monitor_after 0) until resolve_after runs out or it fails again.
        await expect.poll(async () => (await api("/api/v1/incidents?limit=50")).incidents[0]?.status, { timeout: 10_000, interval: 100 }).toMatch(i === 0 ? /^monitoring$/ : /^(monitoring|resolved)$/);
      }

      const all = (await api("/api/v1/incidents?limit=50")).incidents;
      expect(all).toHaveLength(1);
      const [incident] = all;
      expect(incident.root_components).toEqual(["orders-db"]);
      expect(incident.impacted_components).toEqual(["api", "checkout", "relay"]);
      expect(incident.impact).toBe("critical");

      await expect.poll(async () => { await test.vigil.incidents.step(); return (await api(`/api/v1/incidents/${incident.id}`)).status; }, { timeout: 40_000, interval: 300 }).toBe("resolved");
      const full = await api(`/api/v1/incidents/${incident.id}`);
      const kinds = full.evidence.map((e: { kind: string }) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(["restarts", "crash_loop"]));
      expect(full.evidence.find((e: { kind: string }) => e.kind === "restarts").text).toMatch(/^Orders database restarted 2 times/);
      expect(full.metrics.time_to_detect_ms).toBeGreaterThanOrEqual(0);
      expect(full.metrics.time_to_detect_ms).toBeLessThan(10_000);
      expect(full.metrics.time_to_resolve_ms).toBeGreaterThan(0);
      // public_evidence: the first public update says what the probes saw, in generic words: no address, port or raw error.
      expect(full.updates[0].body).toMatch(/^We are investigating a major outage affecting .+?\. .*(Orders database|Production API) failing: (connection refused|connection reset|timed out( after [\d.]+ s)?|HTTP \d{3})\.$/);
      expect(full.updates[0].body).not.toMatch(/127\.0\.0\.1|localhost|:\d{2,5}\b|ECONN|\((connect|timeout|assertion)\)/);
      // It went back to investigating when the database crashed again while monitoring.
      expect(full.updates.map((u: { status: string }) => u.status)).toEqual(["investigating", "monitoring", "investigating", "monitoring", "resolved"]);

      // The windows cover each real outage to within one check interval.
      const { windows } = await api(`/api/v1/incidents/${incident.id}/windows`);
      const dbWindows = windows.filter((w: { component: string }) => w.component === "orders-db");
      expect(dbWindows).toHaveLength(2);
      dbWindows.forEach((w: any, i: number) => {
        const outage = outages[i]!;
        expect(Date.parse(w.earliest_possible_start)).toBeLessThanOrEqual(outage.killedAt);
        expect(Date.parse(w.earliest_possible_start)).toBeGreaterThanOrEqual(outage.killedAt - intervalMs - 500);
        // A check in flight at the kill fails, and a window starts at its failing check's start: up to one timeout (1 s) early.
        expect(Date.parse(w.start)).toBeGreaterThanOrEqual(outage.killedAt - 1000);
        expect(Date.parse(w.start)).toBeLessThanOrEqual(outage.killedAt + intervalMs + 500);
        expect(Date.parse(w.end)).toBeGreaterThanOrEqual(outage.startingAt);
        // It ends at the recovery (a check or two after the restart), not at the incident's resolution.
        expect(Date.parse(w.end)).toBeLessThanOrEqual(outage.restartedAt + 2 * intervalMs + 3000);
        expect(w.incidents).toEqual([incident.id]);
      });
      for (const dependent of ["api", "checkout", "relay"]) expect(windows.some((w: { component: string }) => w.component === dependent)).toBe(true);

      const postmortem = await api(`/api/v1/incidents/${incident.id}/postmortem`);
      expect(postmortem.body).toContain("# Postmortem: Orders database outage");
      expect(postmortem.body).toMatch(/## Evidence[\s\S]*restarted 2 times/);
      expect(postmortem.body).toMatch(/## Metrics[\s\S]*Time to detect/i);
      expect(postmortem.body).toContain("Relay");
    }, 240_000);
  });
}
