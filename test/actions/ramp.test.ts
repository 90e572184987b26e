// A recovery ramp through a running Vigil on both stores, its gate on a live HTTP monitor: a ramp stopped while a
// step's gate waits goes on at that step when Vigil starts again (no step asked for twice, each step's call once),
// and a step whose run fails aborts the ramp, which asks for its on_abort run and says why.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestRun } from "../../src/app/actions/request.ts";
import { createToken } from "../../src/auth/create-token.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { openStore } from "../../src/store/open.ts";
import { systemClock } from "../../src/core/clock.ts";
import { startHttpSink, type HttpSink, type SinkRequest } from "../helpers/http-sink.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = (hook: string, target: string) => `
site: { name: Acme Status }
components:
  - { id: api, name: Production API, monitors: [api-health] }
monitors:
  - { id: api-health, type: http, url: "${target}/health", interval: 1s, timeout: 1s }
notifications:
  channels:
    - { id: team, type: webhook, url: "${hook}/team" }
  routes:
    - { channels: [team], match: { kind: "action.*" } }
actions:
  definitions:
    - { id: scale-api, type: webhook, url: "${hook}/scale", deadline: 5s }
    - id: recovery
      type: ramp
      deadline: 5m
      components: [api]
      gate: { up_for: 3s, timeout: 1m }
      steps:
        - { run: scale-api, with: { replicas: 1 } }
        - { run: scale-api, with: { replicas: 3 } }
        - { run: scale-api, with: { replicas: 6 } }
      on_abort: { run: scale-api, with: { replicas: 0 } }
`;

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`a ramp's progress and failures on ${backend.name}`, () => {
    let hook: HttpSink;
    let target: Server;
    let store: StoreTarget;
    let dir: string;
    let test: TestVigil;
    let responder: string;
    /** Replica counts the hook refuses (422). */
    const refused = new Set<number>();
    const replicasOf = (r: SinkRequest) => (r.body as { step: { with: { replicas: number } } }).step.with.replicas;
    const calls = () => hook.requests.filter((r) => r.path === "/scale");
    const start = async () => {
      const url = `http://127.0.0.1:${(target.address() as { port: number }).port}`;
      test = await startTestVigil(config(hook.url, url), { dir, ...(store.url ? { databaseUrl: store.url } : {}) });
      responder = (await createToken({ store: test.vigil.store, clock: systemClock }, { name: "runbook-bot", role: "responder", actor: "test" })).token;
    };
    const ask = async () => {
      const res = await fetch(`${test.vigil.url}/api/v1/actions/runs`, { method: "POST", headers: { authorization: `Bearer ${responder}`, "content-type": "application/json" }, body: JSON.stringify({ action: "recovery" }) });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const run = async (id: string) => (await test.get(`/api/v1/actions/runs/${id}`)).json as { status: string; output: string | null; last_error: string | null };
    const events = async (id: string) => ((await test.get(`/api/v1/events?subject=${id}&limit=1000`)).json.events as { kind: string; data: Record<string, any> }[]).filter((e) => e.kind.startsWith("action.ramp_"));

    beforeAll(async () => {
      hook = await startHttpSink();
      hook.reply((request) => (request.path === "/scale" && refused.has(replicasOf(request)) ? { status: 422, body: { message: "quota exceeded" } } : { status: 200, body: "scaled" }));
      target = createServer((_req, res) => res.writeHead(200).end("ok"));
      await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
      store = await freshTarget(backend.name);
      dir = await mkdtemp(path.join(tmpdir(), "vigil-ramp-"));
      await start();
    }, 60_000);
    afterAll(async () => {
      await test?.dispose();
      await store?.dispose();
      await hook?.close();
      target?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("goes on at the step it was at after Vigil stops and starts again, asking for no step twice", async () => {
      const id = await ask();
      await expect.poll(async () => (await run(id)).output ?? "", { timeout: 20_000, interval: 100 }).toMatch(/^step 1 of 3: waiting for the gate: up for \d+ s of 3 s$/);
      await test.dispose();
      await start();
      await expect.poll(async () => (await run(id)).status, { timeout: 60_000, interval: 200 }).toBe("succeeded");
      expect(calls().map(replicasOf)).toEqual([1, 3, 6]);
      expect((await events(id)).map((e) => `${e.kind}:${e.data.step}`)).toEqual([
        "action.ramp_step_started:1",
        "action.ramp_gate_passed:1",
        "action.ramp_step_started:2",
        "action.ramp_gate_passed:2",
        "action.ramp_step_started:3",
        "action.ramp_gate_passed:3",
      ]);
      // The run was attempted twice (the stop cut the first attempt short), its steps once each.
      expect((await test.get(`/api/v1/actions/runs/${id}`)).json.attempts).toBe(2);
      expect(((await test.get("/api/v1/actions/runs?action=scale-api")).json.runs as unknown[]).length).toBe(3);
    }, 120_000);

    it("goes no further when it was stopped after asking for its on_abort run and before recording its abort", async () => {
      const id = await ask();
      await expect.poll(async () => (await run(id)).output ?? "", { timeout: 20_000, interval: 100 }).toMatch(/^step 1 of 3: waiting for the gate/);
      const before = calls().length;
      await test.dispose();
      // What the stopped leader had done: the on_abort run asked for, under the ramp's key for it; no abort recorded.
      const definitions = parseConfigText(config(hook.url, "http://127.0.0.1:9"), "vigil.yaml", {});
      if (!definitions.ok) throw new Error("config");
      const stopped = await openStore({ url: store.url, dataDir: path.join(dir, "data") });
      const undo = await requestRun({ store: stopped, clock: systemClock, config: () => definitions.config }, { actionId: "scale-api", incidentId: null, actor: "system", idempotencyKey: `ramp:${id}:abort`, params: { step: { ramp_run: id, ramp: "recovery", number: null, of: 3, with: { replicas: 0 } } } });
      await stopped.close();
      await start();
      await expect.poll(async () => (await run(id)).status, { timeout: 30_000, interval: 200 }).toBe("failed");
      expect((await run(id)).last_error).toBe(`aborted at step 1 of 3: it was aborting when its leader stopped; scale-api asked for (${undo.id})`);
      // The on_abort run went; no step after it.
      await expect.poll(() => calls().slice(before).map(replicasOf), { timeout: 15_000, interval: 100 }).toEqual([0]);
      expect((await events(id)).map((e) => e.kind)).toEqual(["action.ramp_step_started", "action.ramp_aborted"]);
    }, 120_000);

    it("aborts when a step's run fails, asks for its on_abort run, and says which step and why", async () => {
      refused.add(3);
      const before = calls().length;
      const id = await ask();
      await expect.poll(async () => (await run(id)).status, { timeout: 60_000, interval: 200 }).toBe("failed");
      const { last_error } = await run(id);
      expect(last_error).toMatch(/^aborted at step 2 of 3: step 2's run of scale-api \(run_[0-9a-f]+\) failed: 127\.0\.0\.1:\d+ answered 422: quota exceeded; scale-api asked for \(run_[0-9a-f]+\)$/);
      await expect.poll(() => calls().slice(before).map(replicasOf), { timeout: 15_000, interval: 100 }).toEqual([1, 3, 0]);
      const aborted = (await events(id)).filter((e) => e.kind === "action.ramp_aborted");
      expect(aborted.map((e) => e.data)).toEqual([expect.objectContaining({ step: 2, of: 3, on_abort_action: "scale-api" })]);
      // Responders are told, with the reason and the link to the run.
      const told = () => hook.requests.filter((r) => r.path === "/team").map((r) => r.body as { event: string; severity: string; title: string; text: string; labels: { run?: string } }).filter((m) => m.labels.run === id);
      await expect.poll(() => told().length, { timeout: 15_000, interval: 100 }).toBe(1);
      const message = told()[0]!;
      expect(message).toMatchObject({ event: "action.ramp_aborted", severity: "major", title: "[Action] ramp recovery aborted at step 2 of 3" });
      expect(message.text.split("\n").slice(0, 2)).toEqual([
        `Recovery ramp recovery aborted at step 2 of 3: step 2's run of scale-api (${/\(run_[0-9a-f]+\)/.exec(last_error!)![0].slice(1, -1)}) failed: ${/failed: (.*?); scale-api asked for/.exec(last_error!)![1]}.`,
        `Its on_abort action scale-api was asked for: run ${aborted[0]!.data.on_abort_run}.`,
      ]);
    }, 120_000);
  });
}
