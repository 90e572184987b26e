// Cross-region confirmation across the nodes of a cluster, as real processes on a real PostgreSQL: two `vigil serve`
// nodes share the database; node a checks the monitor from the server's own region (local) and judges its results,
// while the agent of region r2 is attached to node b only. When local's results turn on a, the agent long-polling b
// is asked (through PostgreSQL's NOTIFY) and checks at once, well before its own turn: for a failure and a recovery.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { ownerOf } from "../../src/cluster/assign.ts";
import { systemClock } from "../../src/core/clock.ts";
import { nextOnGrid, phaseOf } from "../../src/scheduler/phase.ts";
import { openStore } from "../../src/store/open.ts";
import { childEnv, vigilBin } from "../helpers/cli.ts";
import { startCluster, startTarget, type Target, type TestCluster } from "../helpers/cluster.ts";
import { storeBackends } from "../helpers/stores.ts";

const postgres = storeBackends().find((b) => b.name === "postgres")!;
const intervalMs = 20_000;

// One monitor checked from local and r2, half an interval apart. With the nodes a and b, a checks it (rendezvous hashing
// of "api" over the node ids, asserted below).
const config = (target: string) => `
site: { name: Acme Status }
server: { metrics: { public: true } }
regions:
  - { id: r2, name: Region Two }
components:
  - { id: api, name: API, monitors: [api] }
monitors:
  - { id: api, type: http, url: "${target}/health", interval: 20s, timeout: 2s }
`;

interface Result {
  region: string;
  at: string;
  status: string;
}

interface Event {
  subject: string;
  at: string;
  data: Record<string, unknown>;
}

describe.skipIf(!postgres.available)("cross-region confirmation across the nodes of a cluster", () => {
  let target: Target;
  let cluster: TestCluster;
  let agent: ChildProcess | undefined;
  let agentLog = "";
  let agentToken: string;

  beforeAll(async () => {
    target = await startTarget();
    cluster = await startCluster(config(target.url));
    const store = await openStore({ url: cluster.target.url, dataDir: path.join(cluster.dir, "unused") });
    agentToken = (await createToken({ store, clock: systemClock }, { name: "r2", scope: "agent", actor: "test", region: "r2" })).token;
    await store.close();
  }, 60_000);

  afterAll(async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((resolve) => agent!.once("exit", resolve));
      agent.kill("SIGKILL");
      await exited;
    }
    await cluster?.dispose();
    await target?.close();
  });

  const results = async (region: string, after: number): Promise<Result[]> =>
    (((await cluster.get("b", "/api/v1/monitors/api/results?limit=200"))?.json.results ?? []) as Result[])
      .filter((r) => r.region === region && Date.parse(r.at) >= after)
      .sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
  const event = async (kind: string, after: number, match: (data: Record<string, unknown>) => boolean = () => true): Promise<Event | undefined> =>
    (((await cluster.get("b", `/api/v1/events?kind=${kind}&limit=50`))?.json.events ?? []) as Event[]).find((e) => e.subject === "api" && Date.parse(e.at) >= after && match(e.data));
  const metrics = async (id: string): Promise<string> => (await fetch(`${cluster.nodes.get(id)!.url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();

  /** The start of r2's next turn on its grid, once r2's scheduled check of that turn is stored (with `status`). */
  const afterR2Turn = async (status: "up" | "down"): Promise<number> => {
    const slot = nextOnGrid(Date.now() + 1_000, phaseOf("api", 1, 2, intervalMs), intervalMs);
    await expect.poll(async () => (await results("r2", slot - 500)).map((r) => r.status)[0], { timeout: intervalMs + 10_000, interval: 200 }).toBe(status);
    return slot;
  };

  /** Nodes a and b, both seeing both; the agent of r2 knows node b only; both regions see the target up. */
  const startNodesAndAgent = async (): Promise<void> => {
    await cluster.start("a");
    await cluster.start("b");
    for (const id of ["a", "b"]) {
      await expect.poll(async () => ((await cluster.get(id, "/api/v1/cluster"))?.json.nodes as { node: string }[] | undefined)?.map((n) => n.node).join(","), { timeout: 15_000, interval: 100 }).toBe("a,b");
    }
    agent = spawn(process.execPath, [vigilBin, "agent", "--server", cluster.nodes.get("b")!.url, "--data", path.join(cluster.dir, "agent"), "--log-format", "json"], {
      env: childEnv({ VIGIL_AGENT_TOKEN: agentToken }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    agent.stdout?.on("data", (chunk: Buffer) => (agentLog += chunk.toString()));
    agent.stderr?.on("data", (chunk: Buffer) => (agentLog += chunk.toString()));
    try {
      await expect.poll(async () => (await cluster.get("a", "/api/v1/monitors/api"))?.json.state?.regions, { timeout: 45_000, interval: 250 }).toMatchObject({ local: { status: "up" }, r2: { status: "up" } });
    } catch (error) {
      throw new Error(`the regions did not both see the target up; the agent's log:\n${agentLog}`, { cause: error });
    }
  };

  it("a change judged on node a is checked at once by the agent attached to node b, for a failure and a recovery", async () => {
    expect(ownerOf("api", ["a", "b"])).toBe("a");
    await startNodesAndAgent();
    // The two regions check half an interval apart: local's turn comes 10 s after r2's.
    expect((phaseOf("api", 0, 2, intervalMs) - phaseOf("api", 1, 2, intervalMs) + intervalMs) % intervalMs).toBe(intervalMs / 2);

    // Broken just after r2's turn: local (on a) sees it first, at its turn, and r2's agent (on b) checks at once.
    const downSlot = await afterR2Turn("up");
    target.setUp(false);
    await expect.poll(() => event("monitor.region_recheck", downSlot, (d) => d["region"] === "local" && d["change"] === "failure"), { timeout: 25_000, interval: 200 }).toMatchObject({ data: { regions: ["r2"] } });
    await expect.poll(() => event("monitor.down", downSlot), { timeout: 15_000, interval: 200 }).toBeDefined();
    const localDown = (await results("local", downSlot)).find((r) => r.status !== "up")!;
    const r2Down = (await results("r2", downSlot)).find((r) => r.status !== "up")!;
    // r2 checked after local saw the failure, and well before its own next turn (downSlot + interval).
    expect(Date.parse(r2Down.at)).toBeGreaterThanOrEqual(Date.parse(localDown.at));
    expect(Date.parse(r2Down.at)).toBeLessThan(downSlot + intervalMs - 4_000);
    // Both regions confirmed it before r2's own turn came.
    const downAt = Date.parse((await event("monitor.down", downSlot))!.at);
    expect(downAt).toBeLessThan(downSlot + intervalMs);

    // Mended just after r2's turn (which saw it down): local sees it first again, and the agent checks at once.
    const upSlot = await afterR2Turn("down");
    target.setUp(true);
    await expect.poll(() => event("monitor.region_recheck", upSlot, (d) => d["region"] === "local" && d["change"] === "recovery"), { timeout: 25_000, interval: 200 }).toMatchObject({ data: { regions: ["r2"] } });
    await expect.poll(() => event("monitor.up", upSlot), { timeout: 15_000, interval: 200 }).toBeDefined();
    const localUp = (await results("local", upSlot)).find((r) => r.status === "up")!;
    const r2Up = (await results("r2", upSlot)).find((r) => r.status === "up")!;
    expect(Date.parse(r2Up.at)).toBeGreaterThanOrEqual(Date.parse(localUp.at));
    expect(Date.parse(r2Up.at)).toBeLessThan(upSlot + intervalMs - 4_000);
    const upAt = Date.parse((await event("monitor.up", upSlot))!.at);
    expect(upAt).toBeLessThan(upSlot + intervalMs);
    console.log(
      `failure: local saw it ${Date.parse(localDown.at) - downSlot} ms after r2's turn, r2 checked ${Date.parse(r2Down.at) - Date.parse(localDown.at)} ms later, down ${downAt - downSlot} ms after r2's turn; ` +
        `recovery: r2 checked ${Date.parse(r2Up.at) - Date.parse(localUp.at)} ms after local, up ${upAt - upSlot} ms after r2's turn (its next turn: ${intervalMs} ms)`,
    );

    // Why r2 checked early is in the monitor's evidence.
    const evidence = (await cluster.get("b", "/api/v1/monitors/api"))!.json.evidence as { kind: string; data: Record<string, unknown> }[];
    expect(evidence.filter((e) => e.kind === "monitor.region_recheck").map((e) => e.data["change"]).sort()).toEqual(["failure", "recovery"]);
    // The judging was a's: it ran the local checks that failed and asked r2; b, which held the agent, did neither.
    const [onA, onB] = [await metrics("a"), await metrics("b")];
    expect(onA).toMatch(/^vigil_probe_checks_total\{[^}]*status="down"[^}]*\} [1-9]/m);
    expect(onA).toMatch(/^vigil_probe_early_checks_total\{reason="region"\} [2-9]/m);
    expect(onB).not.toMatch(/^vigil_probe_checks_total\{[^}]*status="down"[^}]*\} [1-9]/m);
    expect(onB).not.toMatch(/^vigil_probe_early_checks_total\{reason="region"\} [1-9]/m);
  }, 210_000);
});
