// Actions' triggers through a running Vigil on both stores, its clock and timers in the test's hands: an incident
// opening asks for a webhook run once (its timeline says which event fired it), a repeat of the event for the same
// incident (resolved and reopened) asks for nothing more, a new incident runs it again; a delayed trigger whose
// incident resolved before the delay ran out runs nothing, one whose incident stayed open runs once, and a delay
// still running when Vigil stops is waited out by the next start.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`action triggers on ${backend.name}`, () => {
    let sink: HttpSink;
    let target: StoreTarget;
    let dir: string;
    let test: TestVigil;
    const clock = new ManualClock("2026-12-01T10:00:00Z");
    let timers = new ManualTimers(clock);

    const config = (url: string) => `
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database }
  - { id: search, name: Search }
actions:
  definitions:
    - id: scale-down
      type: webhook
      url: "${url}/scale"
      on: [{ event: incident.opened, components: [orders-db], once_per: incident }]
    - id: page-dba
      type: webhook
      url: "${url}/page"
      on: [{ event: incident.opened, components: [orders-db], impact_at_least: major, delay: 2m, once_per: incident }]
`;
    const start = async () => {
      timers = new ManualTimers(clock);
      test = await startTestVigil(config(sink.url), { dir, clock, timers, ...(target.url ? { databaseUrl: target.url } : {}) });
    };
    const calls = (p: string) => sink.requests.filter((r) => r.path === p);
    const open = async (component: string): Promise<string> => {
      const opened = await test.send("POST", "/api/v1/incidents", { name: `${component} outage`, body: "Investigating.", components: { [component]: "major_outage" } });
      expect(opened.status).toBe(201);
      return opened.json.id as string;
    };
    const update = async (id: string, status: string) => expect((await test.send("POST", `/api/v1/incidents/${id}/updates`, { status, body: status })).status).toBe(201);
    const requested = async (id: string) => ((await test.get(`/api/v1/incidents/${id}`)).json.timeline as { kind: string; actor: string; data: any }[]).filter((e) => e.kind === "action.run_requested");
    const runs = async (action: string) => (await test.get(`/api/v1/actions/runs?action=${action}`)).json.runs as { id: string; incident: string; status: string; idempotency_key: string }[];

    beforeAll(async () => {
      sink = await startHttpSink();
      sink.reply(() => ({ status: 200, body: "ok" }));
      target = await freshTarget(backend.name);
      dir = await mkdtemp(path.join(tmpdir(), "vigil-triggers-"));
      await start();
    }, 60_000);
    afterAll(async () => {
      await test?.dispose();
      await sink?.close();
      await target?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    let first: string;

    it("runs a webhook action once when an incident with its component opens, with the event as the reason", async () => {
      await open("search");
      first = await open("orders-db");
      await timers.advance(1_000);
      await expect.poll(() => calls("/scale").length, { timeout: 10_000 }).toBe(1);
      const [call] = calls("/scale");
      expect(call!.headers["idempotency-key"]).toBe(`trigger:scale-down:incident.opened:incident:${first}`);
      expect((call!.body as { incident: { id: string } }).incident.id).toBe(first);
      const [event] = await requested(first);
      expect(event).toMatchObject({ actor: "system", data: { action: "scale-down", reason: { trigger: "incident.opened", event_kind: "incident.created", components: ["orders-db"] } } });
      // The incident of another component asked for nothing.
      expect((await runs("scale-down")).map((r) => r.incident)).toEqual([first]);
    });

    it("runs nothing for a delay that ran out after the incident resolved", async () => {
      await timers.advance(30_000);
      await update(first, "resolved");
      await timers.advance(120_000);
      expect(await runs("page-dba")).toEqual([]);
      expect(calls("/page")).toHaveLength(0);
    });

    it("asks for nothing twice for the same incident when it reopens, and waits out the delay again", async () => {
      await update(first, "investigating");
      await timers.advance(1_000);
      expect(await runs("scale-down")).toHaveLength(1);
      // The reopened incident stays open for the whole delay this time.
      await timers.advance(120_000);
      await expect.poll(() => calls("/page").length, { timeout: 10_000 }).toBe(1);
      expect(calls("/page")[0]!.headers["idempotency-key"]).toBe(`trigger:page-dba:incident.opened:incident:${first}`);
      await update(first, "resolved");
      await timers.advance(1_000);
      expect(calls("/scale")).toHaveLength(1);
      expect((await requested(first)).map((e) => e.data.action)).toEqual(["scale-down", "page-dba"]);
    });

    it("runs again for a new incident, and a delay running when Vigil stops is waited out after its restart", async () => {
      const second = await open("orders-db");
      await timers.advance(1_000);
      await expect.poll(() => calls("/scale").length, { timeout: 10_000 }).toBe(2);
      expect(calls("/scale")[1]!.headers["idempotency-key"]).toBe(`trigger:scale-down:incident.opened:incident:${second}`);
      // A minute into the page's delay, Vigil stops.
      await timers.advance(60_000);
      await test.dispose();
      await start();
      await timers.advance(30_000);
      expect(calls("/page")).toHaveLength(1);
      await timers.advance(31_000);
      await expect.poll(() => calls("/page").length, { timeout: 10_000 }).toBe(2);
      expect(calls("/page")[1]!.headers["idempotency-key"]).toBe(`trigger:page-dba:incident.opened:incident:${second}`);
      // Read again after the restart, the opening asked for no second scale-down.
      await timers.advance(5_000);
      expect(calls("/scale")).toHaveLength(2);
      expect((await requested(second)).map((e) => e.data.action)).toEqual(["scale-down", "page-dba"]);
    });
  });
}
