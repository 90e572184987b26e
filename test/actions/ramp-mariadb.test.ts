// A recovery ramp on real parts: a real MariaDB crash-loops (killed and started again twice); once the incident has
// been monitoring for a while, the ramp's trigger asks for it, and it scales the API back up in three steps through an
// orchestrator stand-in (a local HTTP server that verifies Vigil's signatures with one key of the two being rotated
// and answers as Kubernetes' scale subresource does). A step's gate waits for real health: while the database's pool
// is held at 70 % the ramp waits and says why; released, it goes on. Run again and crashed at its first step, the
// ramp aborts and asks for its on_abort run (scale to zero). Every step, gate and the abort is on the incident's
// timeline and in its postmortem draft. On PGlite and PostgreSQL.
import { createConnection, type Connection } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { verifyWebhookSignature } from "../../src/notify/signature.ts";
import { startHttpSink, type HttpSink, type SinkRequest } from "../helpers/http-sink.ts";
import { mariadbSkipReason, startMariadb, type MariadbServer } from "../helpers/mariadb.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = mariadbSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const newKey = "whsec-new-2026";
const oldKey = "whsec-old-2025";
const scalePath = "/apis/apps/v1/namespaces/shop/deployments/api/scale";

const config = (dbUrl: string, orchestrator: string) => `
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database, monitors: [orders-db-mysql] }
  - { id: api, name: Production API, depends_on: [orders-db] }
monitors:
  - { id: orders-db-mysql, type: mysql, url: "${dbUrl}", interval: 1s, timeout: 1s, recheck: 200ms }
incidents:
  resolve_after: 10m
actions:
  definitions:
    - id: scale-api
      type: webhook
      url: "${orchestrator}${scalePath}"
      secrets: [${newKey}, ${oldKey}]
    - id: recovery
      type: ramp
      deadline: 10m
      gate: { up_for: 2s, no_restart_for: 3s, connections_below: "60%", timeout: 2m }
      steps:
        - { run: scale-api, with: { replicas: 1 } }
        - { run: scale-api, with: { replicas: 3 }, gate: { up_for: 3s } }
        - { run: scale-api, with: { replicas: 6 } }
      on_abort: { run: scale-api, with: { replicas: 0 } }
      on: [{ event: incident.monitoring, root: true, components: [orders-db], delay: 8s, once_per: incident }]
`;

for (const backend of storeBackends()) {
  const reason = skip ?? backend.reason;
  describe.skipIf(skip !== undefined || !backend.available)(`a recovery ramp after a real crash loop on ${backend.name}${reason ? ` (skipped: ${reason})` : ""}`, () => {
    let db: MariadbServer;
    let orchestrator: HttpSink;
    let store: StoreTarget;
    let test: TestVigil;
    let responder: string;
    let replicas = 0;
    const api = async (url: string) => (await test.get(url)).json;
    const monitorStatus = async () => (await api("/api/v1/monitors/orders-db-mysql")).state.status;
    const scaleCalls = () => orchestrator.requests.filter((r) => r.path === scalePath);
    const stepOf = (r: SinkRequest) => (r.body as { step: { number: number | null; with: { replicas: number } } }).step;
    const runs = async (action: string) => (await api(`/api/v1/actions/runs?action=${action}`)).runs as { id: string; incident: string; status: string; output: string | null; last_error: string | null }[];
    let incidentId: string;

    beforeAll(async () => {
      db = await startMariadb({ maxConnections: 20 });
      orchestrator = await startHttpSink();
      // Kubernetes' scale subresource: PATCH-like semantics through the stand-in, answering the Scale object. A request
      // must verify with the old key alone, and with the new key alone (receivers mid-rotation know one of them).
      orchestrator.reply((request) => {
        const now = new Date();
        for (const key of [oldKey, newKey]) if (!verifyWebhookSignature(request.rawBody, request.headers, key, now).ok) return { status: 401, body: { kind: "Status", status: "Failure", reason: "Unauthorized", code: 401 } };
        replicas = stepOf(request).with.replicas;
        return { status: 200, body: { kind: "Scale", apiVersion: "autoscaling/v1", metadata: { name: "api", namespace: "shop" }, spec: { replicas }, status: { replicas, selector: "app=api" } } };
      });
      store = await freshTarget(backend.name);
      test = await startTestVigil(config(db.url, orchestrator.url), store.url ? { databaseUrl: store.url } : {});
      responder = (await createToken({ store: test.vigil.store, clock: systemClock }, { name: "runbook-bot", role: "responder", actor: "test" })).token;
    }, 120_000);

    afterAll(async () => {
      await test?.dispose();
      await store?.dispose();
      await orchestrator?.close();
      await db?.dispose();
    });

    it("ramps the API back up through real health gates once the crash-looping database has recovered", async () => {
      await expect.poll(monitorStatus, { timeout: 30_000, interval: 100 }).toBe("up");
      // The crash loop: down, up (the incident monitoring), and down again before the ramp's 8 s delay is over.
      for (let i = 0; i < 2; i++) {
        const killedAt = Date.now();
        await db.kill();
        await expect.poll(monitorStatus, { timeout: 15_000, interval: 100 }).toBe("down");
        // Down long enough that the restart shows in the server's uptime.
        await expect.poll(() => Date.now() - killedAt, { timeout: 10_000, interval: 200 }).toBeGreaterThan(3_000);
        await db.start();
        await expect.poll(monitorStatus, { timeout: 30_000, interval: 100 }).toBe("up");
      }
      const [incident] = (await api("/api/v1/incidents?limit=5")).incidents;
      incidentId = incident.id;
      expect(incident.root_components).toEqual(["orders-db"]);
      // The first monitoring spell ended before its delay: nothing was scaled then.
      expect(scaleCalls()).toHaveLength(0);

      // Someone's batch job holds 14 of the 20 connections as the database comes back.
      const held: Connection[] = [];
      for (let i = 0; i < 14; i++) held.push(await createConnection(db.rootUrl));
      try {
        // 8 s into monitoring the ramp starts: step 1 scales to 1, and its gate waits for the pool, saying so.
        await expect.poll(() => scaleCalls().length, { timeout: 30_000, interval: 100 }).toBe(1);
        expect(stepOf(scaleCalls()[0]!)).toMatchObject({ number: 1, of: 3, with: { replicas: 1 } });
        await expect.poll(async () => (await runs("recovery"))[0]?.output ?? "", { timeout: 20_000, interval: 200 }).toMatch(/^step 1 of 3: waiting for the gate: orders-db-mysql at 1[4-9] of 20 connections \(\d+%, under 60% wanted\)/);
        expect(scaleCalls()).toHaveLength(1);
      } finally {
        for (const conn of held) await conn.end();
      }

      // Released: the gate holds, then steps 2 and 3, in order, each after its own gate.
      await expect.poll(async () => (await runs("recovery"))[0]?.status, { timeout: 60_000, interval: 200 }).toBe("succeeded");
      expect(scaleCalls().map((r) => stepOf(r).with.replicas)).toEqual([1, 3, 6]);
      expect(replicas).toBe(6);
      // Step 3 waited at least step 2's own up_for (3 s) after step 2's call was answered.
      expect(scaleCalls()[2]!.at - scaleCalls()[1]!.at).toBeGreaterThanOrEqual(3_000);
      const [ramp] = await runs("recovery");
      expect(ramp).toMatchObject({ incident: incidentId, output: "3 steps, every gate held" });

      const timeline = (await api(`/api/v1/incidents/${incidentId}`)).timeline as { kind: string; data: Record<string, any> }[];
      const rampEvents = timeline.filter((e) => e.kind.startsWith("action.ramp_")).map((e) => `${e.kind}:${e.data.step}`);
      expect(rampEvents).toEqual(["action.ramp_step_started:1", "action.ramp_gate_passed:1", "action.ramp_step_started:2", "action.ramp_gate_passed:2", "action.ramp_step_started:3", "action.ramp_gate_passed:3"]);
      const passed = timeline.find((e) => e.kind === "action.ramp_gate_passed")!;
      expect(passed.data.summary).toMatch(/^up for \d+ s; no restart for (\d+ s|\d+ min); orders-db-mysql at \d+ of 20 connections \(\d+%\)$/);
      // Each step is a run of its own, with the ramp's step in its params.
      const steps = await runs("scale-api");
      expect(steps.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
      expect((await test.get(`/api/v1/actions/runs/${steps[0]!.id}`)).json.params).toEqual({ step: { ramp: "recovery", ramp_run: ramp!.id, number: 3, of: 3, with: { replicas: 6 } } });
      // Each step's output is the orchestrator's answer: the Scale object.
      expect(JSON.parse(steps[0]!.output!.replace(/^127\.0\.0\.1:\d+ answered 200: /, ""))).toMatchObject({ kind: "Scale", spec: { replicas: 6 }, status: { replicas: 6 } });
    }, 180_000);

    it("aborts a ramp whose database crashes during a step's gate, and asks for its on_abort run", async () => {
      const res = await fetch(`${test.vigil.url}/api/v1/actions/runs`, { method: "POST", headers: { authorization: `Bearer ${responder}`, "content-type": "application/json" }, body: JSON.stringify({ action: "recovery", incident: incidentId }) });
      expect(res.status).toBe(201);
      const asked = { json: (await res.json()) as { id: string } };
      const before = scaleCalls().length;
      await expect.poll(() => scaleCalls().length, { timeout: 20_000, interval: 100 }).toBe(before + 1);
      // The gate after step 1 needs 2 s of health: the database dies within it.
      await db.kill();
      try {
        await expect.poll(async () => (await test.get(`/api/v1/actions/runs/${asked.json.id}`)).json.status, { timeout: 30_000, interval: 200 }).toBe("failed");
        const run = (await test.get(`/api/v1/actions/runs/${asked.json.id}`)).json;
        expect(run.last_error).toMatch(/^aborted at step 1 of 3: orders-db is in (major|partial) outage again \(last up at \d\d:\d\d:\d\d UTC, after the ramp began or just before\); scale-api asked for \(run_[0-9a-f]+\)$/);
        // on_abort scaled the API to zero.
        await expect.poll(() => replicas, { timeout: 20_000, interval: 100 }).toBe(0);
        expect(stepOf(scaleCalls().at(-1)!)).toMatchObject({ number: null, with: { replicas: 0 } });
        const timeline = (await api(`/api/v1/incidents/${incidentId}`)).timeline as { kind: string; data: Record<string, any> }[];
        const aborted = timeline.filter((e) => e.kind === "action.ramp_aborted");
        expect(aborted).toHaveLength(1);
        expect(aborted[0]!.data).toMatchObject({ run: asked.json.id, step: 1, of: 3, on_abort_action: "scale-api" });
      } finally {
        await db.start();
      }
      // The postmortem drafted at resolution tells both ramps.
      expect((await test.send("POST", `/api/v1/incidents/${incidentId}/updates`, { status: "resolved", body: "Recovered." })).status).toBe(201);
      await expect.poll(async () => (await test.get(`/api/v1/incidents/${incidentId}/postmortem`)).json.body ?? "", { timeout: 15_000 }).toContain("Ramp `recovery`");
      const draft = (await test.get(`/api/v1/incidents/${incidentId}/postmortem`)).json.body as string;
      expect(draft).toMatch(/Ramp `recovery` step 1 of 3: `scale-api` asked for/);
      expect(draft).toMatch(/Ramp `recovery` step 3 of 3: gate held \(up for \d+ s/);
      expect(draft).toMatch(/Ramp `recovery` aborted at step 1 of 3: orders-db is in (major|partial) outage again/);
    }, 120_000);
  });
}
