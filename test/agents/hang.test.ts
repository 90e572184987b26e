// Hang suspicion in an agent's region, on real parts: a `vigil agent` process (the compiled program, as users run it:
// `npm run -s build` first) checks a local HTTP target that answers in a millisecond, then accepts and never answers.
// The agent watches its checks by the server's rule and tells the node of a check still unanswered at its deadline:
// the region is degraded within seconds, with the same evidence as the server's own runner gives, and down at the
// first check's timeout rather than after a second one.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { nextOnGrid, phaseOf } from "../../src/scheduler/phase.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
type Event = { id: string; at: string; kind: string; subject: string; data: Record<string, any> };

// solo: checked only by the agent's region, with a long timeout. both: by the server's region and the agent's, staggered.
// Both suspected at 2 × p99 (at least 1 s): on a busy machine answers slow down, and 10 × their p99 could push a
// deadline to half the timeout (or, for both, past the server's region's turn).
const timeoutMs = 10_000;
const bothIntervalMs = 6_000;
const configFor = (port: number) => `
site: { name: Acme Status }
regions:
  - { id: eu-west, name: Europe West }
monitors:
  - { id: solo, type: http, url: "http://127.0.0.1:${port}/solo", interval: 1s, timeout: 10s, regions: [eu-west], suspect_factor: 2 }
  - { id: both, type: http, url: "http://127.0.0.1:${port}/both", interval: 6s, timeout: 10s, regions: [local, eu-west], suspect_factor: 2 }
`;

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`hang suspicion in an agent's region on ${backend.name}`, () => {
    let target: Server;
    let store: StoreTarget;
    let dir: string;
    let vigil: TestVigil;
    let agent: ChildProcess | undefined;
    const mode: Record<string, "ok" | "hang"> = { "/solo": "ok", "/both": "ok" };
    const hanging = new Set<ServerResponse>();

    beforeAll(async () => {
      target = createServer((req, res) => {
        const url = req.url ?? "";
        if (mode[url] === "hang") hanging.add(res);
        else res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      });
      await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
      store = await freshTarget(backend.name);
      dir = await mkdtemp(path.join(tmpdir(), "vigil-agent-hang-"));
      vigil = await startTestVigil(configFor((target.address() as { port: number }).port), { dir, ...(store.url ? { databaseUrl: store.url } : {}) });
      const { token } = await createToken({ store: vigil.vigil.store, clock: systemClock }, { name: "eu", scope: "agent", actor: "test", region: "eu-west" });
      agent = spawn(process.execPath, [path.join(root, "bin/vigil.js"), "agent", "--server", vigil.vigil.url, "--data", path.join(dir, "agent"), "--log-format", "json"], {
        env: { ...process.env, VIGIL_AGENT_TOKEN: token },
        stdio: "ignore",
      });
    }, 60_000);

    afterAll(async () => {
      if (agent && agent.exitCode === null && agent.signalCode === null) {
        const exited = new Promise((resolve) => agent!.once("exit", resolve));
        agent.kill("SIGTERM");
        await exited;
      }
      for (const res of hanging) res.destroy();
      await vigil?.dispose();
      await new Promise((resolve) => target?.close(resolve));
      await store?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    const events = async (kind: string, subject: string): Promise<Event[]> =>
      ((await vigil.get(`/api/v1/events?kind=${kind}&limit=100`)).json.events as Event[]).filter((e) => e.subject === subject).sort((a, b) => Number(a.id) - Number(b.id));
    /** Five good results in each of its regions teach the usual latency; the agent's region is up. */
    const learned = async (id: string, regions: string[]) => {
      const counts = async () => {
        const results = (await vigil.get(`/api/v1/monitors/${id}/results?limit=500`)).json.results as { region: string; status: string }[];
        return Math.min(...regions.map((region) => results.filter((r) => r.region === region && r.status === "up").length));
      };
      await expect.poll(counts, { timeout: 80_000, interval: 250 }).toBeGreaterThanOrEqual(6);
      await expect.poll(async () => (await vigil.get(`/api/v1/monitors/${id}`)).json.state.regions?.["eu-west"]?.status, { timeout: 10_000 }).toBe("up");
    };

    it("a hang checked only by an agent: degraded within seconds with the hang's evidence, down at the first check's timeout", async () => {
      await learned("solo", ["eu-west"]);
      const hungFrom = Date.now();
      mode["/solo"] = "hang";
      await expect.poll(async () => (await events("monitor.down", "solo")).length, { timeout: 30_000, interval: 100 }).toBe(1);
      const suspicions = (await events("monitor.hang_suspected", "solo")).filter((e) => Date.parse(e.at) >= hungFrom);
      const [degraded] = await events("monitor.degraded", "solo");
      const [down] = await events("monitor.down", "solo");
      // The first hung check, then the confirming check the agent started beside it, each suspected at its deadline.
      expect(suspicions.map((e) => [e.data.region, e.data.confirming_check])).toEqual([
        ["eu-west", true],
        ["eu-west", false],
      ]);
      for (const s of suspicions) {
        expect(s.data.suspect_after_ms).toBeGreaterThanOrEqual(1_000);
        expect(s.data.elapsed_ms).toBeGreaterThanOrEqual(s.data.suspect_after_ms);
        expect(s.data.warning).toMatch(/^no answer after [\d.]+ s, usually [\d.]+ ms$/);
      }
      const first = Date.parse(suspicions[0]!.data.check_started_at);
      const confirming = Date.parse(suspicions[1]!.data.check_started_at);
      expect(confirming - first).toBeGreaterThanOrEqual(suspicions[0]!.data.suspect_after_ms);
      // Degraded at the confirming check's deadline (within 2 s: a busy machine's timers slip), before any check could time out.
      expect(degraded?.data).toMatchObject({ region: "eu-west", previous: "up", warning: expect.stringMatching(/^no answer after/) });
      const [firstAfter, confirmingAfter] = suspicions.map((e) => e.data.suspect_after_ms as number);
      expect(Date.parse(degraded!.at) - confirming).toBeGreaterThanOrEqual(confirmingAfter!);
      expect(Date.parse(degraded!.at) - (first + firstAfter!)).toBeLessThan(confirmingAfter! + 2_000);
      expect(Date.parse(degraded!.at) - first).toBeLessThan(timeoutMs);
      // Down when the first check times out: one timeout after the hang, where two (the check and its re-check) were needed.
      expect(down!.data).toMatchObject({ region: "eu-west", previous: "degraded", error: { kind: "timeout" } });
      expect(Date.parse(down!.at) - first).toBeGreaterThanOrEqual(timeoutMs);
      expect(Date.parse(down!.at) - hungFrom).toBeLessThan(timeoutMs + 5_000);
      // The confirming check is counted as the server's own are.
      const metrics = await (await fetch(`${vigil.vigil.url}/metrics`, { headers: { authorization: `Bearer ${vigil.token}` } })).text();
      expect(Number(/^vigil_probe_early_checks_total\{reason="hang"\} (\d+)$/m.exec(metrics)?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
      // The same evidence, in the same order, as the server's own runner gives (test/monitoring/hang.test.ts).
      const monitor = (await vigil.get("/api/v1/monitors/solo")).json;
      expect(monitor.state.status).toBe("down");
      expect(monitor.evidence.map((e: Event) => e.kind).slice(0, 4)).toEqual(["monitor.down", "monitor.degraded", "monitor.hang_suspected", "monitor.hang_suspected"]);
      // A suspicion is no result: the region's results are the checks' own.
      const results = (await vigil.get("/api/v1/monitors/solo/results?limit=500")).json.results as { region: string; status: string; error: { kind: string } | null }[];
      expect(results.filter((r) => r.status === "degraded")).toEqual([]);
      expect(results.filter((r) => r.status === "down").map((r) => r.error?.kind)).toContain("timeout");
    }, 90_000);

    it("a suspicion in the agent's region asks the server's region to check at once, as the server's own does", async () => {
      await learned("both", ["local", "eu-west"]);
      const euPhase = phaseOf("both", 1, 2, bothIntervalMs);
      // Hung just before the agent's turn: its check hangs first, three seconds before the server's region checks.
      const euSlot = nextOnGrid(Date.now() + 1_000, euPhase, bothIntervalMs);
      await new Promise((resolve) => setTimeout(resolve, euSlot - 300 - Date.now()));
      mode["/both"] = "hang";
      await expect.poll(async () => (await events("monitor.region_recheck", "both")).filter((e) => Date.parse(e.at) > euSlot).length, { timeout: 15_000, interval: 100 }).toBeGreaterThan(0);
      const [asked] = (await events("monitor.region_recheck", "both")).filter((e) => Date.parse(e.at) > euSlot);
      expect(asked!.data).toMatchObject({ region: "eu-west", change: "failure", regions: ["local"] });
      const [suspected] = (await events("monitor.hang_suspected", "both")).filter((e) => e.data.region === "eu-west" && Date.parse(e.at) > euSlot);
      expect(Date.parse(asked!.at)).toBe(Date.parse(suspected!.at));
      // Asked before the server's region's own turn (3 s after the agent's), which checked at once: its check (which
      // hangs too, and times out) started then.
      expect(Date.parse(asked!.at)).toBeLessThan(euSlot + bothIntervalMs / 2);
      const local = async () =>
        ((await vigil.get("/api/v1/monitors/both/results?limit=50")).json.results as { region: string; at: string }[]).filter((r) => r.region === "local" && Date.parse(r.at) > euSlot).map((r) => Date.parse(r.at));
      await expect.poll(local, { timeout: 20_000, interval: 200 }).not.toEqual([]);
      expect(Math.min(...(await local())) - Date.parse(asked!.at)).toBeLessThan(500);
    }, 90_000);
  });
}
