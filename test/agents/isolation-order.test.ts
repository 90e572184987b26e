// A region's isolation judged before anything is said on that region's vote alone. With `quorum: any`, one region seeing
// a monitor down is enough; but when that region is cut off (many monitors fail for it while the other region sees them
// up), its failures are its network's, not the targets'. Results are sent here by hand, as two agents would send them,
// so that which region fails what, and when, is the test's to choose; the node's isolation watch runs on real timers.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

type Event = { id: string; at: string; kind: string; subject: string; data: Record<string, any> };

// Checked from eu-west and us-east only, whose agents are this test: nothing here probes the URLs.
const monitors = ["api", "billing", "orders", "search"];
const config = `
site: { name: Acme Status }
regions:
  - { id: eu-west, name: Europe West }
  - { id: us-east, name: US East }
components:
${monitors.map((m) => `  - { id: ${m}, name: ${m}, monitors: [${m}] }`).join("\n")}
monitors:
${monitors.map((m) => `  - { id: ${m}, type: http, url: "http://127.0.0.1:9/${m}", interval: 5s, timeout: 1s, regions: [eu-west, us-east], quorum: any }`).join("\n")}
`;

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`a region's isolation is judged before its lone vote is told, on ${backend.name}`, () => {
    let store: StoreTarget;
    let dir: string;
    let vigil: TestVigil;
    const tokens: Record<string, string> = {};
    const seqs: Record<string, number> = { "eu-west": 0, "us-east": 0 };
    const lastAt: Record<string, number> = {};

    beforeAll(async () => {
      store = await freshTarget(backend.name);
      dir = await mkdtemp(path.join(tmpdir(), "vigil-isolation-order-"));
      vigil = await startTestVigil(config, { dir, ...(store.url ? { databaseUrl: store.url } : {}) });
      for (const region of ["eu-west", "us-east"]) tokens[region] = (await createToken({ store: vigil.vigil.store, clock: systemClock }, { name: region, scope: "agent", actor: "test", region })).token;
    }, 60_000);
    afterAll(async () => {
      await vigil?.dispose();
      await store?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    const iso = (ms: number) => new Date(ms).toISOString();
    /** One batch from the region's agent: for each monitor, results with these statuses, 100 ms apart, ending now. */
    const send = async (region: string, statuses: Record<string, ("up" | "down")[]>) => {
      const now = Date.now();
      // Each after the region's results sent before (detection ignores one older than the region's latest).
      const from = Math.max(now - 300, (lastAt[region] ?? 0) + 1);
      lastAt[region] = from + 200;
      const results = Object.entries(statuses).flatMap(([monitor, list]) =>
        list.map((status, i) => ({ seq: ++seqs[region]!, monitor, at: iso(from + (3 - list.length + i) * 100), status, latency_ms: 3, facts: {}, ...(status === "down" ? { error: { kind: "connect", message: "connection refused" } } : {}) })),
      );
      const body = { agent: { id: `agt_${region}`, version: "1.0.0", started_at: iso(now - 60_000), buffer: { results: 0, dropped: 0 }, checks_per_second: 1 }, results };
      const res = await fetch(`${vigil.vigil.url}/api/v1/agent/results`, { method: "POST", headers: { authorization: `Bearer ${tokens[region]}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      expect((await res.json()).rejected).toEqual([]);
    };
    const all = (statuses: ("up" | "down")[]) => Object.fromEntries(monitors.map((m) => [m, statuses]));
    const events = async (...kinds: string[]): Promise<Event[]> => {
      const lists = await Promise.all(kinds.map(async (kind) => (await vigil.get(`/api/v1/events?kind=${kind}&limit=100`)).json.events as Event[]));
      return lists.flat().sort((a, b) => Number(a.id) - Number(b.id));
    };
    const said = async () => (await events("monitor.down", "monitor.degraded", "monitor.up", "region.isolated", "region.reconnected")).map((e) => `${e.kind} ${e.subject}`);
    const status = async (monitor: string) => (await vigil.get(`/api/v1/monitors/${monitor}`)).json.state as { status: string; regions: Record<string, { status: string }> };
    const stateOf = async (monitor: string) => {
      const s = await status(monitor);
      return `${s.status} (${Object.entries(s.regions).map(([r, v]) => `${r} ${v.status}`).join(", ")})`;
    };

    /** Reads what the agents sent, then looks for isolated regions twice, as the watch does every 2 s. */
    const looks = async () => {
      await vigil.vigil.monitoring.pullAgentResults();
      await vigil.vigil.monitoring.checkIsolation();
      await vigil.vigil.monitoring.checkIsolation();
    };

    it("both regions see every monitor up", async () => {
      await send("us-east", all(["up"]));
      await send("eu-west", all(["up"]));
      for (const m of monitors) await expect.poll(() => stateOf(m), { timeout: 10_000 }).toBe("up (eu-west up, us-east up)");
    }, 30_000);

    it("one monitor failing for one region alone is down on its vote (quorum any), told within the isolation watch's next look", async () => {
      await send("us-east", { api: ["up"] });
      const confirmed = Date.now();
      await send("eu-west", { api: ["down", "down"] });
      await expect.poll(said, { timeout: 10_000 }).toEqual(["monitor.down api"]);
      const [down] = await events("monitor.down");
      // Held at most until the next look (every 2 s), plus the time the look takes.
      expect(Date.parse(down!.at) - confirmed).toBeLessThan(3_000);
      expect(down!.data).toMatchObject({ regions: { "eu-west": "down", "us-east": "up" } });
    }, 30_000);

    it("a region cut off is found isolated before any of the monitors it sees failing is told down, and the one it took down comes back up at once", async () => {
      // Its agent's next batch: every other monitor fails for it (as a cut-off agent's checks do), while us-east sees them up.
      await send("us-east", all(["up"]));
      await send("eu-west", { billing: ["down", "down"], orders: ["down", "down"], search: ["down", "down"] });
      await expect.poll(said, { timeout: 10_000 }).toEqual(["monitor.down api", "region.isolated eu-west", "monitor.up api"]);
      const [isolated] = await events("region.isolated");
      expect(isolated!.data).toMatchObject({ failing: 4, of: 4, monitors: ["api", "billing", "orders", "search"] });
      for (const m of monitors) expect((await status(m)).status).toBe("up");
    }, 30_000);

    it("stays isolated until it agrees with the others again: a failure left over from the isolation is never told", async () => {
      // Three of its four failures end; one remains, which us-east still sees up.
      await send("us-east", all(["up"]));
      await send("eu-west", { billing: ["up", "up"], orders: ["up", "up"], search: ["up", "up"], api: ["down"] });
      await expect.poll(async () => (await status("orders")).regions["eu-west"]?.status, { timeout: 10_000 }).toBe("up");
      // Two more looks (the watch's own, every 2 s, come too): still isolated, and api was not told down on its lone vote.
      await looks();
      await send("us-east", { api: ["up"] });
      await send("eu-west", { api: ["down"] });
      await expect.poll(async () => (await status("api")).regions["eu-west"]?.status, { timeout: 10_000 }).toBe("down");
      await looks();
      expect(await said()).toEqual(["monitor.down api", "region.isolated eu-west", "monitor.up api"]);
      expect((await status("api")).status).toBe("up");
      // Its last failure ends: it agrees with the others, and counts again.
      await send("us-east", { api: ["up"] });
      await send("eu-west", { api: ["up", "up"] });
      await expect.poll(said, { timeout: 10_000 }).toEqual(["monitor.down api", "region.isolated eu-west", "monitor.up api", "region.reconnected eu-west"]);
    }, 30_000);
  });
}
