// Approvals of runbook actions through a running Vigil, on both stores: a run of an action with `approval` waits
// until enough distinct people approve it (not the one who asked for it), then runs against a local receiver; one
// rejection ends it; its approval times out on Vigil's clock; a viewer and a service token cannot approve.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { addUserWithPassword, signInOverHttp } from "../helpers/console-users.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`action approvals on ${backend.name}`, () => {
    const clock = new ManualClock("2026-12-07T09:00:00Z");
    let sink: HttpSink;
    let target: StoreTarget;
    let test: TestVigil;
    let incident: string;
    const tokens: Record<"ada" | "rita" | "rick" | "vic" | "bot", string> = { ada: "", rita: "", rick: "", vic: "", bot: "" };
    const ids: Record<"ada" | "rita" | "rick", string> = { ada: "", rita: "", rick: "" };

    let adaSession = "";
    const call = async (method: string, url: string, token: string, body?: unknown) => {
      const headers: Record<string, string> = { authorization: token.startsWith("Session ") ? token : `Bearer ${token}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(`${test.vigil.url}${url}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, json: (await res.json()) as any };
    };
    const request = (action: string) => call("POST", "/api/v1/actions/runs", tokens.rita, { action, incident });
    const decide = (id: string, decision: "approve" | "reject", who: keyof typeof tokens, comment?: string) =>
      call("POST", `/api/v1/actions/runs/${id}/${decision}`, tokens[who], comment === undefined ? {} : { comment });
    const runOf = async (id: string) => (await test.get(`/api/v1/actions/runs/${id}`)).json;
    const eventsOf = async (run: string) =>
      ((await test.get(`/api/v1/incidents/${incident}`)).json.timeline as { kind: string; actor: string; data: any }[]).filter((e) => e.kind.startsWith("action.") && e.data.run === run);

    beforeAll(async () => {
      sink = await startHttpSink();
      target = await freshTarget(backend.name);
      const config = `
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database }
actions:
  definitions:
    - { id: scale-up, type: webhook, url: "${sink.url}/scale", approval: { required: 2, roles: [responder], timeout: 30m } }
    - { id: failover, type: webhook, url: "${sink.url}/failover", approval: { roles: [admin] } }
`;
      test = await startTestVigil(config, { clock, ...(target.url ? { databaseUrl: target.url } : {}) });
      const deps = { store: test.vigil.store, clock };
      for (const [key, role] of [["ada", "owner"], ["rita", "responder"], ["rick", "responder"], ["vic", "viewer"]] as const) {
        const user = await addUserWithPassword(deps, `${key}@example.com`, role);
        if (key !== "vic") ids[key] = user.id;
        tokens[key] = (await createToken(deps, { name: `${key}-cli`, role, user: user.email, actor: "test" })).token;
      }
      adaSession = `Session ${(await signInOverHttp(test.vigil.url, "ada@example.com")).replace(/^vigil_session=/, "")}`;
      tokens.bot = (await createToken(deps, { name: "runbook-bot", role: "owner", actor: "test" })).token;
      const opened = await test.send("POST", "/api/v1/incidents", { name: "Orders database outage", body: "Investigating.", components: { "orders-db": "major_outage" } });
      incident = opened.json.id;
    }, 120_000);

    afterAll(async () => {
      await test?.dispose();
      await target?.dispose();
      await sink?.close();
    });

    it("runs an action once two responders other than the requester approve it; the requester, a viewer and a service token cannot", async () => {
      const asked = await request("scale-up");
      expect(asked.status).toBe(201);
      expect(asked.json).toMatchObject({ status: "waiting_approval", approvals_required: 2, approval_timeout_at: "2026-12-07T09:30:00.000Z", next_attempt_at: null });
      const id = asked.json.id as string;
      expect((await test.get("/api/v1/actions/runs?status=waiting_approval")).json.runs.map((r: any) => r.id)).toContain(id);

      const own = await decide(id, "approve", "rita");
      expect([own.status, own.json.error.message]).toEqual([403, `you asked for action run ${id}: another person must approve it (you may reject it)`]);
      expect((await decide(id, "approve", "vic")).status).toBe(403);
      const bot = await decide(id, "approve", "bot");
      expect(bot.status).toBe(403);
      expect(bot.json.error.message).toMatch(/^a service token cannot approve action runs: approvals are made by people/);

      const first = await decide(id, "approve", "rick", "capacity checked");
      expect(first.status).toBe(200);
      expect(first.json.status).toBe("waiting_approval");
      const again = await decide(id, "approve", "rick");
      expect([again.status, again.json.error.message]).toEqual([409, `you already decided about action run ${id}`]);
      expect(sink.requests).toHaveLength(0);

      // Ada approves in her console session: the same person as her token.
      const second = await call("POST", `/api/v1/actions/runs/${id}/approve`, adaSession, {});
      expect(second.status).toBe(200);
      expect(second.json.status).toMatch(/^(pending|running|succeeded)$/);
      await expect.poll(async () => (await runOf(id)).status, { timeout: 15_000 }).toBe("succeeded");
      expect(sink.only()).toMatchObject({ path: "/scale", body: { run: { id, action: "scale-up" } } });
      const events = await eventsOf(id);
      expect(events.map((e) => e.kind)).toEqual(["action.run_requested", "action.approval_requested", "action.approved", "action.approved", "action.run_started", "action.run_succeeded"]);
      expect(events[1]!.data).toMatchObject({ required: 2, roles: ["responder"], timeout_at: "2026-12-07T09:30:00.000Z", approve: `/api/v1/actions/runs/${id}/approve` });
      expect(events[2]).toMatchObject({ actor: `user:${ids.rick}`, data: { by: `user:${ids.rick}`, via: expect.stringMatching(/^token:/), approvals: 1, required: 2, comment: "capacity checked" } });
      expect(events[3]).toMatchObject({ actor: `user:${ids.ada}`, data: { by: `user:${ids.ada}`, via: `user:${ids.ada}`, approvals: 2, required: 2, comment: null } });
      // Decided once it runs: no more decisions.
      expect((await decide(id, "reject", "rick")).status).toBe(409);
    });

    it("ends a run at one rejection, and takes approvals only from the roles the action lists", async () => {
      const id = (await request("failover")).json.id as string;
      const responder = await decide(id, "approve", "rick");
      expect([responder.status, responder.json.error.message]).toEqual([403, "action failover is approved by admin (or above); you act as responder"]);
      const rejected = await decide(id, "reject", "ada", "the replica is behind");
      expect(rejected.status).toBe(200);
      expect(rejected.json).toMatchObject({ status: "rejected", next_attempt_at: null });
      expect(rejected.json.finished_at).toBe(clock.now().toISOString());
      expect((await decide(id, "approve", "ada")).status).toBe(409);
      const events = await eventsOf(id);
      expect(events.map((e) => e.kind)).toEqual(["action.run_requested", "action.approval_requested", "action.rejected"]);
      expect(events[2]!.data).toMatchObject({ by: `user:${ids.ada}`, comment: "the replica is behind" });
      // A run waiting for approval can also be cancelled; then it cannot be approved.
      const other = (await request("failover")).json.id as string;
      expect(await call("POST", `/api/v1/actions/runs/${other}/cancel`, tokens.rita)).toMatchObject({ status: 200, json: { status: "cancelled" } });
      expect((await decide(other, "approve", "ada")).status).toBe(409);
      expect(sink.requests.filter((r) => r.path === "/failover")).toHaveLength(0);
    });

    it("times out a run whose approvals did not come in time, without attempting it", async () => {
      const id = (await request("scale-up")).json.id as string;
      // One person, whether through a session or a token of theirs, counts once.
      expect((await call("POST", `/api/v1/actions/runs/${id}/approve`, adaSession, {})).status).toBe(200);
      expect(await decide(id, "approve", "ada")).toMatchObject({ status: 409, json: { error: { message: `you already decided about action run ${id}` } } });
      clock.advance(30 * 60_000);
      await expect.poll(async () => (await runOf(id)).status, { timeout: 15_000 }).toBe("timed_out");
      expect(await runOf(id)).toMatchObject({ attempts: 0, last_error: "approval timed out with 1 of 2 approvals", started_at: null });
      const events = await eventsOf(id);
      expect(events.map((e) => e.kind)).toEqual(["action.run_requested", "action.approval_requested", "action.approved", "action.approval_timed_out"]);
      expect(events[3]!.data).toMatchObject({ approvals: 1, required: 2, error: "approval timed out with 1 of 2 approvals" });
      expect((await decide(id, "approve", "ada")).status).toBe(409);
      expect(sink.requests.filter((r) => (r.body as any)?.run?.id === id)).toHaveLength(0);
    });

    it("tells the approvals, the rejection and the time-out in the postmortem's draft", async () => {
      expect((await test.send("POST", `/api/v1/incidents/${incident}/resolve`, { body: "Scaled back up." })).status).toBe(200);
      await expect.poll(async () => (await test.get(`/api/v1/incidents/${incident}/postmortem`)).json.body ?? "", { timeout: 15_000 }).toContain("Action `scale-up` succeeded");
      const draft = (await test.get(`/api/v1/incidents/${incident}/postmortem`)).json.body as string;
      expect(draft).toContain("Action `scale-up` waits for 2 approvals");
      expect(draft).toContain(`Action \`scale-up\` approved (1 of 2): capacity checked (by user:${ids.rick})`);
      expect(draft).toContain(`Action \`scale-up\` approved (2 of 2) (by user:${ids.ada})`);
      expect(draft).toContain(`Action \`failover\` rejected: the replica is behind (by user:${ids.ada})`);
      expect(draft).toContain("Action `scale-up` not approved in time: approval timed out with 1 of 2 approvals");
    });
  });
}
