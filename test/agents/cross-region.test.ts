import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "../../src/agent/run.ts";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { systemTimers } from "../../src/core/timers.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { nextOnGrid, phaseOf } from "../../src/scheduler/phase.ts";
import { startFlipTarget, type FlipTarget } from "../helpers/flip-target.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const quiet = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const intervalMs = 6_000;


// The monitor is checked from the server's own region (local) and from eu-west, staggered: half an interval apart.
const configFor = (targetUrl: string) => `
site: { name: Acme Status }
regions:
  - { id: eu-west, name: Europe West }
components:
  - { id: api, name: API, monitors: [api] }
monitors:
  - { id: api, type: http, url: "${targetUrl}", interval: 6s, timeout: 2s }
`;

/** Waits until `ms` after the next time on the grid of `phase` (a moment the test picks on the regions' real schedule). */
async function justAfterSlot(phase: number, ms: number): Promise<number> {
  const slot = nextOnGrid(Date.now() + 50, phase, intervalMs);
  await new Promise((resolve) => setTimeout(resolve, slot + ms - Date.now()));
  return slot;
}

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`staggered regions and cross-region confirmation on ${backend.name}`, () => {
    let target: FlipTarget;
    let store: StoreTarget;
    let dir: string;
    let vigil: TestVigil;
    let agent: RunningAgent;

    beforeAll(async () => {
      target = await startFlipTarget();
      store = await freshTarget(backend.name);
      dir = await mkdtemp(path.join(tmpdir(), "vigil-cross-region-"));
      vigil = await startTestVigil(configFor(target.url), { dir, ...(store.url ? { databaseUrl: store.url } : {}) });
      const token = (await createToken({ store: vigil.vigil.store, clock: systemClock }, { name: "eu", scope: "agent", actor: "test", region: "eu-west" })).token;
      agent = await startAgent({ servers: [vigil.vigil.url], token, dataDir: path.join(dir, "agent"), concurrency: 10, version: "1.0.0", logger: quiet, clock: systemClock, timers: systemTimers });
    });
    afterAll(async () => {
      await agent?.stop();
      await vigil?.dispose();
      await target?.close();
      await store?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    const results = async (region: string, after: number) =>
      ((await vigil.get("/api/v1/monitors/api/results?limit=200")).json.results as { region: string; at: string; status: string }[])
        .filter((r) => r.region === region && Date.parse(r.at) > after)
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const event = async (kind: string, match: (data: Record<string, unknown>) => boolean) =>
      ((await vigil.get(`/api/v1/events?kind=${kind}&limit=50`)).json.events as { subject: string; at: string; data: Record<string, unknown> }[]).find((e) => e.subject === "api" && match(e.data));

    it("checks from each region half an interval apart, and a change one region sees is checked at once by the other", async () => {
      const localPhase = phaseOf("api", 0, 2, intervalMs);
      const euPhase = phaseOf("api", 1, 2, intervalMs);
      // The agent is told its place on the grid with its assignments.
      const assignments = await fetch(`${vigil.vigil.url}/api/v1/agent/assignments`, { headers: { authorization: `Bearer ${(await createToken({ store: vigil.vigil.store, clock: systemClock }, { name: "eu2", scope: "agent", actor: "test", region: "eu-west" })).token}` } });
      expect((await assignments.json()).monitors).toEqual([expect.objectContaining({ id: "api", phase_ms: euPhase })]);
      await expect.poll(async () => (await vigil.get("/api/v1/monitors/api")).json.state.regions, { timeout: 20_000 }).toMatchObject({ local: { status: "up" }, "eu-west": { status: "up" } });
      // Scheduled checks sit on each region's grid (results are written within a second or so).
      for (const [region, phase] of [["local", localPhase], ["eu-west", euPhase]] as const) {
        const onGrid = async () => (await results(region, 0)).some((r) => (Date.parse(r.at) - phase + intervalMs * 1e6) % intervalMs < 300);
        await expect.poll(onGrid, { timeout: 10_000 }).toBe(true);
      }

      // Broken just after local checked: eu-west sees it first, half an interval later, and local checks at once.
      const localSlot = await justAfterSlot(localPhase, 300);
      target.set(false);
      await expect.poll(() => event("monitor.region_recheck", (d) => d["region"] === "eu-west" && d["change"] === "failure"), { timeout: 15_000 }).toMatchObject({ data: { regions: ["local"] } });
      await expect.poll(() => event("monitor.down", () => true), { timeout: 15_000 }).toBeDefined();
      const localFailures = (await results("local", localSlot)).filter((r) => r.status !== "up");
      // Local's first failing check came well before its own next turn.
      expect(Date.parse(localFailures[0]!.at)).toBeLessThan(localSlot + intervalMs - 1_000);

      // Mended just after eu-west checked: local sees it first, and the agent is asked through the node to check at once.
      const euSlot = await justAfterSlot(euPhase, 300);
      target.set(true);
      await expect.poll(() => event("monitor.region_recheck", (d) => d["region"] === "local" && d["change"] === "recovery"), { timeout: 15_000 }).toMatchObject({ data: { regions: ["eu-west"] } });
      await expect.poll(() => event("monitor.up", () => true), { timeout: 15_000 }).toBeDefined();
      const euUps = (await results("eu-west", euSlot)).filter((r) => r.status === "up");
      expect(Date.parse(euUps[0]!.at)).toBeLessThan(euSlot + intervalMs - 1_000);
      // Why the checks ran early is in the monitor's evidence.
      const evidence = (await vigil.get("/api/v1/monitors/api")).json.evidence as { kind: string }[];
      expect(evidence.filter((e) => e.kind === "monitor.region_recheck").length).toBeGreaterThanOrEqual(2);
      const metrics = await (await fetch(`${vigil.vigil.url}/metrics`, { headers: { authorization: `Bearer ${vigil.token}` } })).text();
      expect(metrics).toMatch(/^vigil_probe_early_checks_total\{reason="region"\} [2-9]/m);
    }, 90_000);
  });
}
