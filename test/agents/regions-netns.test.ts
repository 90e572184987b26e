import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { openStore } from "../../src/store/open.ts";
import { childEnv, startServe, vigilBin, type ServeProcess } from "../helpers/cli.ts";
import { createTopology, netnsSkipReason, type NetnsTarget, type Topology } from "../helpers/netns.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";

/**
 * A server and two agents as real processes: the server in the test's own namespace, each agent in a namespace of its
 * own, and the target in a third, so that one region can lose the target while the others keep it.
 */
const skip = netnsSkipReason() ?? (storeBackends().find((b) => b.name === "postgres")?.available ? undefined : "PostgreSQL is not available");

interface Event {
  id: string;
  at: string;
  kind: string;
  subject: string;
  data: Record<string, any>;
}

describe.skipIf(skip !== undefined)("regions checked by agents in their own network namespaces", () => {
  let topology: Topology;
  let target: NetnsTarget;
  let store: StoreTarget;
  let dir: string;
  let server: ServeProcess;
  let admin: string;
  const tokens: Record<string, string> = {};
  const agents = new Map<string, ChildProcess>();
  const agentLogs = new Map<string, string>();

  const get = async (url: string): Promise<any> => {
    const res = await fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${admin}` }, signal: AbortSignal.timeout(5_000) });
    return res.json();
  };
  const state = async () => (await get("/api/v1/monitors/api-health")).state as { status: string; regions: Record<string, { status: string }> };
  const regionStatuses = async () => Object.fromEntries(Object.entries((await state()).regions).map(([k, v]) => [k, v.status]));
  const events = async (kind: string): Promise<Event[]> => (await get(`/api/v1/events?kind=${kind}&limit=100`)).events;

  const startAgent = (site: string, region: string): void => {
    const child = topology.spawn(site, process.execPath, [vigilBin, "agent", "--server", server.url, "--data", path.join(dir, `agent-${region}`), "--log-format", "json"], {
      env: childEnv({ VIGIL_AGENT_TOKEN: tokens[region] }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    agentLogs.set(region, "");
    const append = (chunk: Buffer) => agentLogs.set(region, (agentLogs.get(region) ?? "") + chunk.toString());
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    agents.set(region, child);
  };

  beforeAll(async () => {
    topology = await createTopology({ sites: ["agent-a", "agent-b", "target"] });
    target = await topology.startTarget("target", { port: 8080 });
    store = await freshTarget("postgres");
    dir = await mkdtemp(path.join(tmpdir(), "vigil-regions-"));
    await writeFile(
      path.join(dir, "vigil.yaml"),
      `
site: { name: Acme Status }
regions:
  - { id: eu-west, name: Europe West }
  - { id: us-east, name: US East }
components:
  - { id: api, name: Production API, monitors: [api-health, api-login, api-search] }
monitors:
  - { id: api-health, type: http, url: "${target.url}", interval: 2s, timeout: 1s }
  - { id: api-login, type: http, url: "${target.url}login", interval: 2s, timeout: 1s }
  - { id: api-search, type: http, url: "${target.url}search", interval: 2s, timeout: 1s }
incidents:
  resolve_after: 1s
`,
    );
    const opened = await openStore({ url: store.url, dataDir: path.join(dir, "unused") });
    admin = (await createToken({ store: opened, clock: systemClock }, { name: "admin", scope: "admin", actor: "test" })).token;
    for (const region of ["eu-west", "us-east"]) tokens[region] = (await createToken({ store: opened, clock: systemClock }, { name: region, scope: "agent", actor: "test", region })).token;
    await opened.close();
    server = await startServe(["--config", path.join(dir, "vigil.yaml"), "--host", topology.hostAddress, "--data", path.join(dir, "data")], { cwd: dir, env: { DATABASE_URL: store.url } });
    startAgent("agent-a", "eu-west");
    startAgent("agent-b", "us-east");
    // Every region has a confirmed view before the tests begin.
    const until = Date.now() + 30_000;
    let seen: Record<string, string> = {};
    while (Date.now() < until) {
      seen = await regionStatuses();
      if (Object.keys(seen).length === 3 && Object.values(seen).every((s) => s === "up")) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the regions did not all see the target up: ${JSON.stringify(seen)}\n${[...agentLogs.values()].join("\n")}`);
  }, 60_000);

  afterAll(async () => {
    await server?.stop("SIGKILL");
    await topology?.dispose();
    await store?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a target blocked from one region of three opens nothing: the monitor stays up, shows the one region failing, and the region is found isolated", async () => {
    await topology.cut("agent-a", "target");
    try {
      await expect.poll(regionStatuses, { timeout: 10_000, interval: 250 }).toEqual({ "eu-west": "down", local: "up", "us-east": "up" });
      expect((await state()).status).toBe("up");
      expect(await events("monitor.down")).toEqual([]);
      expect((await get("/api/v1/incidents")).incidents).toEqual([]);
      // Its three monitors fail for it alone: its network, not the targets.
      await expect.poll(async () => (await events("region.isolated")).map((e) => e.subject), { timeout: 10_000, interval: 250 }).toEqual(["eu-west"]);
    } finally {
      await topology.restore("agent-a", "target");
    }
    await expect.poll(regionStatuses, { timeout: 10_000, interval: 250 }).toEqual({ "eu-west": "up", local: "up", "us-east": "up" });
  }, 30_000);

  it("blocked from two regions: one incident, naming both, within an interval and 2 s of the second region's confirmation", async () => {
    await topology.cut("agent-a", "target");
    await topology.cut("agent-b", "target");
    try {
      await expect.poll(async () => (await events("monitor.down")).filter((e) => e.subject === "api-health").length, { timeout: 15_000, interval: 250 }).toBe(1);
      const down = (await events("monitor.down")).find((e) => e.subject === "api-health");
      expect(down?.data.regions).toEqual({ "eu-west": "down", local: "up", "us-east": "down" });
      expect(down?.data.region_summary).toMatch(/down from 2 of 3 regions \(eu-west, us-east; local sees it up since \d{2}:\d{2}:\d{2}\)/);
      await expect.poll(async () => (await get("/api/v1/incidents")).incidents.length, { timeout: 10_000, interval: 250 }).toBe(1);
      const incident = (await get("/api/v1/incidents")).incidents[0];
      // The second region's confirmation is the down event's result; the incident follows within an interval and 2 s.
      expect(Date.parse(incident.created_at) - Date.parse(down!.at)).toBeLessThanOrEqual(2_000 + 2_000);
      // Two regions of three that agree are believed: neither is taken for isolated, and the monitor stays down
      // past the isolation watch's next looks (every 2 s).
      await new Promise((resolve) => setTimeout(resolve, 4_500));
      expect((await events("region.isolated")).filter((e) => e.subject === "us-east")).toEqual([]);
      expect((await state()).status).toBe("down");
    } finally {
      await topology.restore("agent-a", "target");
      await topology.restore("agent-b", "target");
    }
    await expect.poll(async () => (await state()).status, { timeout: 15_000, interval: 250 }).toBe("up");
  }, 60_000);

  it("an agent cut from every node sends everything afterwards, in order, none lost, none twice, and opens nothing for the past", async () => {
    const downBefore = (await events("monitor.down")).length;
    const agentId = (await get("/api/v1/agents")).agents.find((a: { region: string }) => a.region === "eu-west").id as string;
    await topology.isolate("agent-a");
    const isolated = Date.now();
    try {
      // Its cable is out for 14 s: it keeps checking (and failing: it reaches nothing), and nobody hears it.
      await new Promise((resolve) => setTimeout(resolve, 14_000));
    } finally {
      await topology.rejoin("agent-a");
    }
    const rejoined = Date.now();
    // Heard from again, with nothing left behind on its disk.
    await expect
      .poll(async () => {
        const agent = (await get("/api/v1/agents")).agents.find((a: { id: string }) => a.id === agentId);
        return Date.parse(agent.last_seen) > rejoined && agent.buffer.results === 0;
      }, { timeout: 30_000, interval: 500 })
      .toBe(true)
      .catch(async (error: unknown) => {
        const agentsNow = await get("/api/v1/agents");
        throw new Error(`${String(error)}\nexit: ${agents.get("eu-west")?.exitCode} ${agents.get("eu-west")?.signalCode}\n${JSON.stringify(agentsNow)}\nagent log:\n${(agentLogs.get("eu-west") ?? "").slice(-4000)}`);
      });
    const opened = await openStore({ url: store.url, dataDir: path.join(dir, "unused") });
    try {
      const results = (await opened.agents.resultsAfter("0", 1_000_000)).filter((r) => r.agent === agentId);
      const seqs = results.map((r) => r.seq);
      // It checked every 2 s while cut off for 14 s, and all of that arrived afterwards: history has its failures.
      const whileCut = results.filter((r) => r.at.getTime() >= isolated && r.at.getTime() <= rejoined);
      expect(whileCut.length).toBeGreaterThanOrEqual(5);
      expect(whileCut.filter((r) => r.status === "down").length).toBeGreaterThanOrEqual(5);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    } finally {
      await opened.close();
    }
    const downs = await events("monitor.down");
    expect(downs.length, JSON.stringify(downs.slice(downBefore))).toBe(downBefore);
    expect(agentLogs.get("eu-west")).toMatch(/cannot send results; keeping them on disk/);
  }, 90_000);

  it("the server's own network cut from the targets while the agents see them: its region is isolated, nothing is opened", async () => {
    await expect.poll(regionStatuses, { timeout: 15_000, interval: 250 }).toEqual({ "eu-west": "up", local: "up", "us-east": "up" });
    const incidentsBefore = (await get("/api/v1/incidents")).incidents.length;
    // The target can no longer answer the server: every check from here times out; the agents' paths are untouched.
    await topology.cut("target", "host");
    try {
      await expect.poll(async () => (await events("region.isolated")).filter((e) => e.subject === "local").length, { timeout: 20_000, interval: 250 }).toBe(1);
      const [isolated] = (await events("region.isolated")).filter((e) => e.subject === "local");
      expect(isolated?.data).toMatchObject({ failing: 3, of: 3, monitors: ["api-health", "api-login", "api-search"] });
      expect((await state()).status).toBe("up");
      expect((await get("/api/v1/incidents")).incidents.length).toBe(incidentsBefore);
    } finally {
      await topology.restore("target", "host");
    }
    await expect.poll(async () => (await events("region.reconnected")).filter((e) => e.subject === "local").length, { timeout: 20_000, interval: 250 }).toBe(1);
    expect((await get("/api/v1/incidents")).incidents.length).toBe(incidentsBefore);
  }, 60_000);
});
