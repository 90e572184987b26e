// Reconciliation through a running Vigil on both stores, its clock and timers in the test's hands: a database's
// outage window (opened by an incident, closed by a responder setting the database operational) closes, its window.closed trigger runs a webhook told the window's exact bounds (as GET
// /api/v1/windows gives them), the webhook answers how many records it resynced, and the count goes on the incident's
// timeline and into the postmortem draft written when the incident resolves. A past window is replayed through the
// API and the CLI (each replay its own run); an unknown window and one still open are refused, each named.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { vigilInProcess } from "../helpers/cli.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = (url: string) => `
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database }
actions:
  definitions:
    - id: reconcile-orders
      type: webhook
      url: "${url}/reconcile"
      on: [{ event: window.closed, components: [orders-db], once_per: window }]
`;

interface WindowJson {
  id: string;
  component: string;
  incidents: string[];
  start: string;
  earliest_possible_start: string | null;
  confirmed_start: string;
  end: string | null;
  worst_status: string;
}

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`reconciliation of outage windows on ${backend.name}`, () => {
    let sink: HttpSink;
    let target: StoreTarget;
    let test: TestVigil;
    const clock = new ManualClock("2026-12-01T10:00:00Z");
    const timers = new ManualTimers(clock);
    const calls = () => sink.requests.filter((r) => r.path === "/reconcile");
    const timeline = async (id: string) => (await test.get(`/api/v1/incidents/${id}`)).json.timeline as { kind: string; actor: string; data: any }[];
    const runs = async () => (await test.get("/api/v1/actions/runs?action=reconcile-orders")).json.runs as { id: string; incident: string | null; status: string; idempotency_key: string; params: any }[];
    /** A responder sets the database's status by hand (null: back to its monitors). */
    const setStatus = async (status: string | null) => expect((await test.send("PUT", "/api/v1/components/orders-db/status", { status })).status).toBe(200);
    let responder: string;
    const run = (body: Record<string, unknown>) =>
      fetch(`${test.vigil.url}/api/v1/actions/runs`, { method: "POST", headers: { authorization: `Bearer ${responder}`, "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (res) => ({ status: res.status, json: await res.json() }));
    let incident: string;
    let closed: WindowJson;
    /** The run the window's trigger asked for. */
    let triggered: string;

    beforeAll(async () => {
      sink = await startHttpSink();
      sink.reply({ status: 200, body: { resynced: 42 } });
      target = await freshTarget(backend.name);
      test = await startTestVigil(config(sink.url), { clock, timers, ...(target.url ? { databaseUrl: target.url } : {}) });
      responder = (await createToken({ store: test.vigil.store, clock }, { name: "reconciler", role: "responder", actor: "test" })).token;
    }, 60_000);
    afterAll(async () => {
      await test?.dispose();
      await sink?.close();
      await target?.dispose();
    });

    it("tells the closed window's reconciliation its exact bounds, and puts the count it answers on the incident's timeline", async () => {
      const opened = await test.send("POST", "/api/v1/incidents", { name: "Orders database outage", body: "Investigating.", components: { "orders-db": "major_outage" } });
      expect(opened.status).toBe(201);
      incident = opened.json.id as string;
      await timers.advance(10 * 60_000);
      // The database is back: its window closes, and its reconciliation is asked for.
      await setStatus("operational");
      await timers.advance(1_000);
      await expect.poll(() => calls().length, { timeout: 10_000 }).toBe(1);

      const windows = (await test.get("/api/v1/windows?component=orders-db&from=1h")).json.windows as WindowJson[];
      expect(windows).toHaveLength(1);
      closed = windows[0]!;
      expect(closed).toMatchObject({
        id: "orders-db@2026-12-01T10:00:00.000Z",
        start: "2026-12-01T10:00:00.000Z",
        earliest_possible_start: null,
        confirmed_start: "2026-12-01T10:00:00.000Z",
        end: "2026-12-01T10:10:00.000Z",
        worst_status: "major_outage",
        incidents: [incident],
      });
      const call = calls()[0]!;
      expect((call.body as { window: unknown }).window).toEqual({
        id: closed.id,
        component: "orders-db",
        start: closed.start,
        earliest_possible_start: closed.earliest_possible_start,
        confirmed_start: closed.confirmed_start,
        end: closed.end,
        worst: closed.worst_status,
        incidents: [incident],
      });
      expect((call.body as { incident: { id: string } }).incident.id).toBe(incident);
      expect(call.headers["idempotency-key"]).toBe(`trigger:reconcile-orders:window.closed:window:${closed.id}`);

      await expect.poll(async () => (await runs()).map((r) => r.status), { timeout: 10_000 }).toEqual(["succeeded"]);
      const [triggeredRun] = await runs();
      expect(triggeredRun).toMatchObject({ incident, params: { window: { component: "orders-db", start: closed.start } } });
      triggered = triggeredRun!.id;
      const events = await timeline(incident);
      expect(events.find((e) => e.kind === "action.run_requested")?.data).toMatchObject({ action: "reconcile-orders", window: { component: "orders-db", start: closed.start }, reason: { trigger: "window.closed" } });
      expect(events.find((e) => e.kind === "action.run_succeeded")?.data).toMatchObject({ action: "reconcile-orders", resynced: 42, window: { component: "orders-db", start: closed.start } });
    });

    it("lists the count, with the window's bounds, in the postmortem draft written when the incident resolves", async () => {
      expect((await test.send("POST", `/api/v1/incidents/${incident}/resolve`, { body: "Orders are back." })).status).toBe(200);
      const { body } = (await test.get(`/api/v1/incidents/${incident}/postmortem`)).json as { body: string };
      // When the run succeeded (at the window's end, or a poll of the runner after it), then what it did, and in which window.
      expect(body).toMatch(/\n- `10:10:0[01]` — Action `reconcile-orders` resynced 42 records for Orders database, 10:00:00–10:10:00 UTC\n/);
      // vigil incident show tells it in the same words.
      const shown = await vigilInProcess(["incident", "show", incident], { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.token });
      expect(shown.stdout).toContain("Action `reconcile-orders` resynced 42 records for Orders database\n");
    });

    it("replays a past window through the API, each time as a run of its own, for the window's incident", async () => {
      const replay = await run({ action: "reconcile-orders", window: closed.id });
      expect(replay.status).toBe(201);
      expect(replay.json).toMatchObject({ incident, requested_by: expect.stringMatching(/^token:/), params: { window: { component: "orders-db", start: closed.start } } });
      await expect.poll(() => calls().length, { timeout: 10_000 }).toBe(2);
      await expect.poll(async () => (await test.get(`/api/v1/actions/runs/${replay.json.id}`)).json.status, { timeout: 10_000 }).toBe("succeeded");
      const again = await run({ action: "reconcile-orders", window: closed.id, incident: null });
      expect(again.status).toBe(201);
      expect(again.json.id).not.toBe(replay.json.id);
      await expect.poll(() => calls().length, { timeout: 10_000 }).toBe(3);
      const [, second, third] = calls();
      expect((second!.body as { window: WindowJson }).window).toMatchObject({ id: closed.id, start: closed.start, end: closed.end });
      expect(second!.headers["idempotency-key"]).toBe(`action:${replay.json.id}`);
      expect(third!.headers["idempotency-key"]).toBe(`action:${again.json.id}`);
      await expect.poll(async () => (await runs()).map((r) => r.status), { timeout: 10_000 }).toEqual(["succeeded", "succeeded", "succeeded"]);
      const succeeded = (await timeline(incident)).filter((e) => e.kind === "action.run_succeeded");
      expect(succeeded.map((e) => [e.data.run, e.data.resynced])).toEqual([
        [triggered, 42],
        [replay.json.id, 42],
        [again.json.id, 42],
      ]);
    });

    it("replays a past window with vigil action run --window", async () => {
      const res = await vigilInProcess(["action", "run", "reconcile-orders", "--window", closed.id, "--json"], { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: responder });
      expect(res).toMatchObject({ code: 0, stderr: "" });
      const run = JSON.parse(res.stdout) as { id: string; incident: string; params: unknown };
      expect(run).toMatchObject({ incident, params: { window: { component: "orders-db", start: closed.start } } });
      await expect.poll(() => calls().length, { timeout: 10_000 }).toBe(4);
      expect(calls()[3]!.headers["idempotency-key"]).toBe(`action:${run.id}`);
      // In words, the run names its window and the window's incident.
      const text = await vigilInProcess(["action", "run", "reconcile-orders", "--window", closed.id], { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: responder });
      expect(text.stdout).toMatch(new RegExp(`^run_[0-9a-f]{16} reconcile-orders for ${closed.id.replaceAll(".", "\\.")} \\(${incident}\\): pending\n$`));
      await expect.poll(() => calls().length, { timeout: 10_000 }).toBe(5);
      const listed = await vigilInProcess(["windows", "--component", "orders-db", "--since", "1h", "--format", "json"], { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.token });
      expect((JSON.parse(listed.stdout) as WindowJson[]).map((w) => w.id)).toEqual([closed.id]);
    });

    it("refuses a window there is none of (404), one still open (409) and no window id (400), each named", async () => {
      const unknown = "orders-db@2026-12-01T08:00:00.000Z";
      const missing = await run({ action: "reconcile-orders", window: unknown });
      expect(missing.status).toBe(404);
      expect(missing.json.error.message).toBe(`no outage window ${unknown}: orders-db was not impaired from 2026-12-01T08:00:00.000Z (see GET /api/v1/windows or vigil windows for the windows there are)`);

      await timers.advance(60_000);
      await setStatus("partial_outage");
      const open = ((await test.get("/api/v1/windows?component=orders-db&from=1h")).json.windows as WindowJson[]).find((w) => w.end === null)!;
      expect(open.id).toBe(`orders-db@${clock.now().toISOString()}`);
      const refused = await run({ action: "reconcile-orders", window: open.id });
      expect(refused.status).toBe(409);
      expect(refused.json.error.message).toBe(`outage window ${open.id} is still open: orders-db is still impaired; a reconciliation runs for a window once it has closed`);

      const bad = await run({ action: "reconcile-orders", window: "orders-db@yesterday" });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message).toContain('"orders-db@yesterday" is no window id');
      const cli = await vigilInProcess(["action", "run", "reconcile-orders", "--window", "orders-db"], { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: responder });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain('"orders-db" is no window id: expected <component>@<start>');
      // None of them recorded a run.
      expect(await runs()).toHaveLength(5);
    });

    it("drafts the postmortem again with a reconciliation that ended after the resolution, until people edit it", async () => {
      await timers.advance(60_000);
      await setStatus(null);
      await expect.poll(() => calls().length, { timeout: 10_000 }).toBe(6);
      await timers.advance(60_000);
      const opened = await test.send("POST", "/api/v1/incidents", { name: "Orders database outage again", body: "Investigating.", components: { "orders-db": "major_outage" } });
      const second = opened.json.id as string;
      await timers.advance(5 * 60_000);
      // The resolution itself closes the window: the reconciliation runs after the draft was written.
      expect((await test.send("POST", `/api/v1/incidents/${second}/resolve`, { body: "Back." })).status).toBe(200);
      await timers.advance(1_000);
      await expect.poll(() => calls().length, { timeout: 10_000 }).toBe(7);
      await expect.poll(async () => (await test.get(`/api/v1/incidents/${second}/postmortem`)).json.body as string, { timeout: 10_000 }).toMatch(/Action `reconcile-orders` resynced 42 records for Orders database, \d\d:\d\d:\d\d–\d\d:\d\d:\d\d UTC/);
      const drafted = (await timeline(second)).filter((e) => e.kind === "incident.postmortem_drafted");
      expect(drafted.map((e) => e.data.again ?? false)).toEqual([false, true]);
      // Edited by a person: a later run leaves it as they wrote it.
      expect((await test.send("PUT", `/api/v1/incidents/${second}/postmortem`, { body: "# Our words" })).status).toBe(200);
      const window = ((await test.get(`/api/v1/incidents/${second}/windows`)).json.windows as WindowJson[]).find((w) => w.component === "orders-db")!;
      const replay = await run({ action: "reconcile-orders", window: window.id });
      expect(replay.status).toBe(201);
      await expect.poll(async () => (await test.get(`/api/v1/actions/runs/${replay.json.id}`)).json.status, { timeout: 10_000 }).toBe("succeeded");
      expect((await test.get(`/api/v1/incidents/${second}/postmortem`)).json.body).toBe("# Our words");
      expect((await timeline(second)).filter((e) => e.kind === "incident.postmortem_drafted")).toHaveLength(2);
    });
  });
}
