// A region's isolation in a cluster, as real processes on a real PostgreSQL: two `vigil serve` nodes share the monitors,
// and each judges the region from its own share. Both find it isolated, and both stop counting its votes; responders
// get one `region.isolated` for the episode, and one `region.reconnected` when no node finds it isolated any longer.
// Results are sent by hand, as two agents would send them, so that which region fails what is the test's to choose.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { openStore } from "../../src/store/open.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { storeBackends } from "../helpers/stores.ts";
import path from "node:path";

const postgres = storeBackends().find((b) => b.name === "postgres")!;

// Checked from eu-west and us-east only, whose agents are this test: nothing here probes the URLs. Twenty monitors,
// so that each of two nodes checks enough of them to judge the region on its own.
const monitors = Array.from({ length: 20 }, (_, i) => `svc-${i + 1}`);
const config = `
site: { name: Acme Status }
regions:
  - { id: eu-west, name: Europe West }
  - { id: us-east, name: US East }
monitors:
${monitors.map((m) => `  - { id: ${m}, type: http, url: "http://127.0.0.1:9/${m}", interval: 10s, timeout: 1s, regions: [eu-west, us-east], quorum: any }`).join("\n")}
`;

type Event = { id: string; at: string; kind: string; subject: string; data: Record<string, any> };

describe.skipIf(!postgres.available)("a region's isolation told once across two nodes", () => {
  let cluster: TestCluster;
  const tokens: Record<string, string> = {};
  const seqs: Record<string, number> = { "eu-west": 0, "us-east": 0 };
  const lastAt: Record<string, number> = {};

  beforeAll(async () => {
    cluster = await startCluster(config);
    const store = await openStore({ url: cluster.target.url, dataDir: path.join(cluster.dir, "unused") });
    for (const region of ["eu-west", "us-east"]) tokens[region] = (await createToken({ store, clock: systemClock }, { name: region, scope: "agent", actor: "test", region })).token;
    await store.close();
    await cluster.start("n1");
    await cluster.start("n2");
    // Both are members before anything is sent: each checks its share of the monitors.
    const until = Date.now() + 20_000;
    while ((await cluster.get("n2", "/api/v1/cluster"))?.json.nodes?.length !== 2) {
      if (Date.now() > until) throw new Error("the two nodes did not both become members in 20 s");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 90_000);
  afterAll(async () => {
    await cluster?.dispose();
  });

  const iso = (ms: number) => new Date(ms).toISOString();
  /** One batch from the region's agent, to `node`: each monitor's results with these statuses, after those sent before. */
  const send = async (node: string, region: string, statuses: ("up" | "down")[]) => {
    const from = Math.max(Date.now() - 300, (lastAt[region] ?? 0) + 1);
    lastAt[region] = from + 200;
    const results = monitors.flatMap((monitor) =>
      statuses.map((status, i) => ({ seq: ++seqs[region]!, monitor, at: iso(from + (3 - statuses.length + i) * 100), status, latency_ms: 3, facts: {}, ...(status === "down" ? { error: { kind: "connect", message: "connection refused" } } : {}) })),
    );
    const body = { agent: { id: `agt_${region}`, version: "1.0.0", started_at: iso(Date.now() - 60_000), buffer: { results: 0, dropped: 0 }, checks_per_second: 1 }, results };
    const res = await fetch(`${cluster.nodes.get(node)!.url}/api/v1/agent/results`, { method: "POST", headers: { authorization: `Bearer ${tokens[region]}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect((await res.json()).rejected).toEqual([]);
  };
  const events = async (kind: string): Promise<Event[]> => ((await cluster.get("n1", `/api/v1/events?kind=${kind}&limit=100`))?.json.events ?? []) as Event[];
  /** Whether the node's log says it found a region isolated. */
  const saysIsolated = (node: string): boolean => cluster.nodes.get(node)!.output().includes("a region sees many monitors fail that the others see up");
  /** Which nodes find each region isolated, as they share it in the store. */
  const judgements = async (): Promise<Record<string, string[]>> => {
    const store = await openStore({ url: cluster.target.url, dataDir: path.join(cluster.dir, "unused") });
    try {
      const record = ((await store.state.get("regions.isolation")) ?? {}) as Record<string, Record<string, number>>;
      return Object.fromEntries(Object.entries(record).map(([region, nodes]) => [region, Object.keys(nodes).sort()]));
    } finally {
      await store.close();
    }
  };

  it("both nodes find the region isolated and stop counting it, and responders hear it once; then once that it reconnected", async () => {
    await send("n1", "us-east", ["up"]);
    await send("n2", "eu-west", ["up"]);
    await expect.poll(async () => (await cluster.get("n1", `/api/v1/monitors/${monitors[0]}`))?.json.state?.status, { timeout: 15_000 }).toBe("up");

    // eu-west is cut off: it sees every monitor fail, us-east sees them all up.
    await send("n1", "us-east", ["up"]);
    await send("n2", "eu-west", ["down", "down"]);
    // Each node finds it on its own (its log says so), and both share it in the store.
    await expect.poll(() => ["n1", "n2"].filter((n) => saysIsolated(n)), { timeout: 15_000 }).toEqual(["n1", "n2"]);
    await expect.poll(judgements, { timeout: 15_000 }).toEqual({ "eu-west": ["n1", "n2"] });
    expect((await events("region.isolated")).map((e) => e.subject)).toEqual(["eu-west"]);
    // Each node held its monitors' downs for its own look, which found the region isolated: none was told.
    expect(await events("monitor.down")).toEqual([]);

    // It agrees with the others again: each node finds it so at its next look; the last one says it.
    await send("n2", "us-east", ["up"]);
    await send("n1", "eu-west", ["up", "up"]);
    await expect.poll(judgements, { timeout: 15_000 }).toEqual({});
    await expect.poll(async () => (await events("region.reconnected")).map((e) => e.subject), { timeout: 10_000 }).toEqual(["eu-west"]);
    expect((await events("region.isolated")).length).toBe(1);
    expect(await events("monitor.down")).toEqual([]);
  }, 90_000);
});
