// Runbook actions through a running Vigil: a run asked for by the API is attempted by the leader's runner, with its
// idempotency key, and its outcome is in GET /api/v1/actions/runs and on the incident's timeline. The webhook's
// receiver checks signatures with one key only; the exec action runs a real script.
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { verifyWebhookSignature } from "../../src/notify/signature.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const oldKey = "whsec-old-key-2025";
const newKey = "whsec-new-key-2026";
const cloudToken = "cloud-token-5e8d1f";

describe("action runs through the API", () => {
  let sink: HttpSink;
  let failing: HttpSink;
  let dir: string;
  let test: TestVigil;
  let responder: string;
  let viewer: string;
  let incident: string;

  const call = async (method: string, url: string, token: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${test.vigil.url}${url}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, json: (await res.json()) as any };
  };
  const run = (action: string, body: Record<string, unknown> = { incident }) => call("POST", "/api/v1/actions/runs", responder, { action, ...body });
  const finished = async (id: string) => {
    await expect.poll(async () => (await test.get(`/api/v1/actions/runs/${id}`)).json.status, { timeout: 15_000 }).toMatch(/^(succeeded|failed|timed_out)$/);
    return (await test.get(`/api/v1/actions/runs/${id}`)).json;
  };
  const timeline = async () => ((await test.get(`/api/v1/incidents/${incident}`)).json.timeline as { kind: string; actor: string; data: any }[]).filter((e) => e.kind.startsWith("action."));

  beforeAll(async () => {
    sink = await startHttpSink();
    // The receiver knows only the old key: the new one is not deployed there yet.
    sink.reply((request) => (verifyWebhookSignature(request.rawBody, request.headers, oldKey, new Date()).ok ? { status: 200, body: "scaled" } : { status: 401, body: "bad signature" }));
    failing = await startHttpSink();
    failing.reply((request) => (request.path === "/later" ? { status: 503, body: "come back later", headers: { "retry-after": "60" } } : { status: 503, body: "orchestrator busy" }));
    dir = await mkdtemp(path.join(tmpdir(), "vigil-action-runs-"));
    const script = path.join(dir, "restart.sh");
    await writeFile(script, `#!/bin/sh\necho "restarting for $VIGIL_INCIDENT_ID ($VIGIL_INCIDENT_NAME), key $VIGIL_IDEMPOTENCY_KEY"\necho "auth $CLOUD_TOKEN" >&2\n`);
    await chmod(script, 0o755);
    const config = `
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database }
actions:
  allow_exec: true
  definitions:
    - { id: scale-down, type: webhook, url: "${sink.url}/scale", secrets: ["${newKey}", "${oldKey}"] }
    - { id: restart-db, type: exec, command: "${script}", env: { CLOUD_TOKEN: "${cloudToken}" } }
    - { id: busy, type: webhook, url: "${failing.url}/scale", timeout: 1s, deadline: 4s }
    - { id: refused, type: webhook, url: "${sink.url}/scale", secrets: ["whsec-unknown-key"] }
    - { id: later, type: webhook, url: "${failing.url}/later" }
`;
    test = await startTestVigil(config);
    const deps = { store: test.vigil.store, clock: systemClock };
    responder = (await createToken(deps, { name: "runbook-bot", role: "responder", actor: "test" })).token;
    viewer = (await createToken(deps, { name: "dashboard", role: "viewer", actor: "test" })).token;
    const opened = await test.send("POST", "/api/v1/incidents", { name: "Orders database outage", body: "Investigating.", components: { "orders-db": "major_outage" } });
    expect(opened.status).toBe(201);
    incident = opened.json.id;
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
    await sink?.close();
    await failing?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("lists the configured actions", async () => {
    expect((await test.get("/api/v1/actions")).json.actions).toEqual([
      { id: "scale-down", type: "webhook" },
      { id: "restart-db", type: "exec" },
      { id: "busy", type: "webhook" },
      { id: "refused", type: "webhook" },
      { id: "later", type: "webhook" },
    ]);
  });

  it("runs a webhook action for an incident: signed so that a receiver with the old key accepts it, succeeded, on the timeline", async () => {
    const asked = await run("scale-down");
    expect(asked.status).toBe(201);
    expect(asked.json).toMatchObject({ action: "scale-down", type: "webhook", incident, status: "pending", attempts: 0, requested_by: expect.stringMatching(/^token:/) });
    expect(asked.json.id).toMatch(/^run_[0-9a-f]{16}$/);
    const done = await finished(asked.json.id);
    expect(done).toMatchObject({ status: "succeeded", attempts: 1, next_attempt_at: null, output: `${sink.host} answered 200: scaled`, last_error: null });
    const request = sink.only();
    expect(request.headers["idempotency-key"]).toBe(done.idempotency_key);
    expect(request.body).toMatchObject({
      event: "action.run",
      run: { id: done.id, action: "scale-down", idempotency_key: done.idempotency_key, attempt: 1 },
      incident: { id: incident, name: "Orders database outage", root_components: ["orders-db"] },
      components: [{ id: "orders-db", name: "Orders database" }],
    });
    expect((request.body as any).windows).toEqual([expect.objectContaining({ component: "orders-db", end: null })]);
    const events = (await timeline()).filter((e) => e.data.run === done.id);
    expect(events.map((e) => e.kind)).toEqual(["action.run_requested", "action.run_started", "action.run_succeeded"]);
    expect(events[0]!.actor).toMatch(/^token:/);
    const listed = (await test.get(`/api/v1/actions/runs?incident=${incident}&action=scale-down`)).json.runs;
    expect(listed.map((r: any) => r.id)).toEqual([done.id]);
  });

  it("runs an exec action: the script sees the incident, its output is kept without the secret", async () => {
    const asked = await run("restart-db");
    const done = await finished(asked.json.id);
    expect(done.status).toBe("succeeded");
    expect(done.output).toContain(`restarting for ${incident} (Orders database outage), key ${done.idempotency_key}`);
    expect(done.output).toContain("auth [redacted]");
    const event = (await timeline()).find((e) => e.kind === "action.run_succeeded" && e.data.run === done.id);
    expect(event?.data.output).toContain("auth [redacted]");
    expect(JSON.stringify(await timeline())).not.toContain(cloudToken);
  });

  it("fails a run the receiver refuses at once, and times out one that keeps failing, retrying with the same key until its deadline", async () => {
    const refused = await finished((await run("refused")).json.id);
    expect(refused).toMatchObject({ status: "failed", attempts: 1, last_error: `${sink.host} answered 401: bad signature` });
    const busy = await finished((await run("busy")).json.id);
    expect(busy.status).toBe("timed_out");
    expect(busy.attempts).toBeGreaterThanOrEqual(2);
    expect(busy.last_error).toContain(`${failing.host} answered 503: orchestrator busy`);
    expect(new Set(failing.requests.map((r) => r.headers["idempotency-key"]))).toEqual(new Set([busy.idempotency_key]));
    const kinds = (await timeline()).filter((e) => e.data.run === busy.id).map((e) => e.kind);
    expect(kinds.slice(0, 3)).toEqual(["action.run_requested", "action.run_started", "action.run_retrying"]);
    expect(kinds.at(-1)).toBe("action.run_failed");
    expect((await timeline()).find((e) => e.kind === "action.run_failed" && e.data.run === busy.id)?.data.status).toBe("timed_out");
  });

  it("cancels a run waiting for its next attempt, and refuses to cancel one that is over", async () => {
    const asked = (await run("later")).json;
    await expect.poll(async () => (await test.get(`/api/v1/actions/runs/${asked.id}`)).json, { timeout: 10_000 }).toMatchObject({ status: "pending", attempts: 1 });
    const cancel = (id: string, token = responder) => call("POST", `/api/v1/actions/runs/${id}/cancel`, token);
    expect((await cancel(asked.id, viewer)).status).toBe(403);
    const cancelled = await cancel(asked.id);
    expect(cancelled).toMatchObject({ status: 200, json: { id: asked.id, status: "cancelled", next_attempt_at: null, attempts: 1 } });
    expect(await cancel(asked.id)).toMatchObject({ status: 409, json: { error: { message: `action run ${asked.id} is cancelled: a run that is over cannot be cancelled` } } });
    expect((await cancel("run_missing")).status).toBe(404);
    const event = (await timeline()).find((e) => e.kind === "action.run_cancelled" && e.data.run === asked.id);
    expect(event?.actor).toMatch(/^token:/);
  });

  it("tells the runs in the postmortem's draft timeline at resolution", async () => {
    expect((await test.send("POST", `/api/v1/incidents/${incident}/resolve`, { body: "Scaled back up." })).status).toBe(200);
    await expect.poll(async () => (await test.get(`/api/v1/incidents/${incident}/postmortem`)).json.body ?? "").toContain("Action `scale-down` succeeded");
    const draft = (await test.get(`/api/v1/incidents/${incident}/postmortem`)).json.body as string;
    expect(draft).toMatch(/Action `scale-down` asked for \(by token:/);
    expect(draft).toContain("Action `refused` failed: ");
    expect(draft).toContain("Action `busy` timed out after");
    expect(draft).toContain("Action `later` cancelled (by token:");
  });

  it("refuses an unknown action or incident, and a viewer; records the request in the audit log", async () => {
    expect(await run("no-such-action")).toMatchObject({ status: 404, json: { error: { message: expect.stringContaining('no action has the id "no-such-action"') } } });
    expect(await run("scale-down", { incident: "inc_missing" })).toMatchObject({ status: 404, json: { error: { message: "no incident with id inc_missing" } } });
    expect((await call("POST", "/api/v1/actions/runs", viewer, { action: "scale-down", incident })).status).toBe(403);
    expect((await test.get("/api/v1/actions/runs/run_missing")).status).toBe(404);
    const audit = await test.vigil.store.audit.list({ action: "runAction" }, 100);
    expect(audit.length).toBeGreaterThanOrEqual(4);
    expect(audit[0]).toMatchObject({ action: "actions.run", operation: "runAction", targetKind: "actions" });
  });
});
