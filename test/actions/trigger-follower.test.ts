// The trigger follower on a real store (PGlite and PostgreSQL), its clock in the test's hands: history before its
// first start runs nothing; a closed window and an isolated region ask for their runs; a window's event read twice
// asks for one run; the stored cursor stays before an event whose delay is running, and moves on once it is over.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TriggerFollower, triggersCursor } from "../../src/app/actions/triggers.ts";
import { formatConfigIssues, parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";

const quiet = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`the trigger follower on ${backend.name}`, () => {
    let target: StoreTarget;
    let store: Store;
    let config: VigilConfig;
    const clock = new ManualClock("2026-12-01T10:00:00Z");
    const timers = new ManualTimers(clock);
    let follower: TriggerFollower;

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      store = await openStore({ url: target.url, dataDir: target.dataDir });
      const parsed = parseConfigText(
        `site: { name: Acme }
components:
  - { id: orders-db, name: Orders database }
actions:
  definitions:
    - id: resync
      type: webhook
      url: https://ops.example.com/resync
      on: [{ event: window.closed, components: [orders-db], once_per: window }]
    - id: drain-region
      type: webhook
      url: https://ops.example.com/drain
      on: [{ event: region.isolated }]
    - id: page-dba
      type: webhook
      url: https://ops.example.com/page
      on: [{ event: incident.opened, delay: 5m, once_per: incident }]
`,
        "vigil.yaml",
        {},
      );
      if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
      config = parsed.config;
    }, 60_000);
    afterAll(async () => {
      await follower?.stop();
      await store?.close();
      await target?.dispose();
    });

    const incident = (id: string) => ({
      id, name: `Outage ${id}`, status: "investigating", impact: "major", impactOverride: null, rootIds: ["orders-db"], impactedIds: ["orders-db"],
      startedAt: clock.now(), earliestPossibleStart: null, monitoringAt: null, resolvedAt: null, publishedAt: null,
      manual: false, hold: false, publishAt: null, postmortemBody: null, postmortemPublishedAt: null, createdAt: clock.now(), updatedAt: clock.now(),
    });
    const opened = async (id: string) => {
      await store.incidents.create(incident(id));
      return store.events.append({ at: clock.now(), kind: "incident.created", subject: id, actor: "system", data: {} });
    };
    const window = { component: "orders-db", incidents: ["inc_old"], start: "2026-12-01T09:50:00.000Z", end: "2026-12-01T09:59:00.000Z" };

    it("runs nothing for what was on the timeline before its first start", async () => {
      await opened("inc_old");
      await store.events.append({ at: clock.now(), kind: "window.closed", subject: "orders-db", actor: "system", data: window });
      follower = new TriggerFollower({ store, clock, timers, logger: quiet, config: () => config });
      await follower.start();
      await timers.advance(10 * 60_000);
      expect(await store.actionRuns.list()).toEqual([]);
      expect(follower.waiting).toBe(0);
    });

    it("asks for a closed window's run once, however often its event is read, and an isolated region's run without an incident", async () => {
      await store.events.append({ at: clock.now(), kind: "window.closed", subject: "orders-db", actor: "system", data: window });
      await store.events.append({ at: clock.now(), kind: "window.closed", subject: "orders-db", actor: "system", data: window });
      const isolated = await store.events.append({ at: clock.now(), kind: "region.isolated", subject: "eu-west", actor: "system", data: { failing: 3, of: 4 } });
      await follower.changed();
      const runs = await store.actionRuns.list();
      expect(runs.map((r) => [r.actionId, r.incidentId, r.idempotencyKey, r.requestedBy])).toEqual(
        expect.arrayContaining([
          ["resync", "inc_old", "trigger:resync:window.closed:window:orders-db@2026-12-01T09:50:00.000Z", "system"],
          ["drain-region", null, `trigger:drain-region:region.isolated:event:${isolated.id}`, "system"],
        ]),
      );
      expect(runs).toHaveLength(2);
      const [requested] = await store.events.list({ kind: "action.run_requested", subject: "inc_old" });
      expect(requested!.data).toMatchObject({ action: "resync", reason: { trigger: "window.closed", event_kind: "window.closed", components: ["orders-db"] } });
    });

    it("keeps the stored cursor before an event whose delay runs, and moves it on when the delay is over", async () => {
      const before = (await store.outbox.cursor(triggersCursor))!;
      const event = await opened("inc_new");
      await store.events.append({ at: clock.now(), kind: "region.isolated", subject: "us-east", actor: "system", data: {} });
      await follower.changed();
      expect(follower.waiting).toBe(1);
      expect(await store.outbox.cursor(triggersCursor)).toBe(before);
      await timers.advance(5 * 60_000);
      // The delay's end is handled as the store answers (a PostgreSQL round trip takes real time).
      await expect.poll(() => follower.waiting).toBe(0);
      await follower.changed();
      expect(BigInt((await store.outbox.cursor(triggersCursor))!)).toBeGreaterThan(BigInt(event.id));
      expect((await store.actionRuns.list({ actionId: "page-dba" })).map((r) => r.idempotencyKey)).toEqual(["trigger:page-dba:incident.opened:incident:inc_new"]);
    });

    it("runs nothing when the incident resolved and reopened during the delay, and waits the whole delay again from the reopening", async () => {
      await opened("inc_flap");
      await follower.changed();
      expect(follower.waiting).toBe(1);
      const move = async (status: string, kind: string) => {
        await store.incidents.update("inc_flap", { status, updatedAt: clock.now() });
        await store.events.append({ at: clock.now(), kind, subject: "inc_flap", actor: "system", data: { status } });
        await follower.changed();
      };
      await timers.advance(60_000);
      await move("resolved", "incident.resolved");
      expect(follower.waiting).toBe(0);
      await timers.advance(60_000);
      await move("investigating", "incident.reopened");
      expect(follower.waiting).toBe(1);
      // Five minutes after the opening: the first delay was dropped when the incident resolved.
      await timers.advance(3 * 60_000);
      await follower.changed();
      expect(await store.actionRuns.list({ actionId: "page-dba" })).toHaveLength(1);
      // Five minutes after the reopening, open all along: the run.
      await timers.advance(2 * 60_000);
      await expect.poll(() => follower.waiting).toBe(0);
      await follower.changed();
      expect((await store.actionRuns.list({ actionId: "page-dba" })).map((r) => r.idempotencyKey)).toContain("trigger:page-dba:incident.opened:incident:inc_flap");
    });

    it("drops the delay of an incident resolved and reopened before the follower read either event", async () => {
      await opened("inc_late");
      await follower.changed();
      await timers.advance(60_000);
      for (const [status, kind] of [["resolved", "incident.resolved"], ["investigating", "incident.reopened"]] as const) {
        await store.incidents.update("inc_late", { status, updatedAt: clock.now() });
        await store.events.append({ at: clock.now(), kind, subject: "inc_late", actor: "system", data: { status } });
      }
      await follower.changed();
      await timers.advance(4 * 60_000);
      await follower.changed();
      expect(await store.actionRuns.list({ incidentId: "inc_late" })).toEqual([]);
      await timers.advance(60_000);
      await expect.poll(async () => (await store.actionRuns.list({ incidentId: "inc_late" })).length).toBe(1);
    });

    it("after a stop, ends the delays that ran out meanwhile from the timeline: a run for the incident still open, none for the one that resolved", async () => {
      await opened("inc_kept");
      await opened("inc_gone");
      await follower.changed();
      expect(follower.waiting).toBe(2);
      await follower.stop();
      await timers.advance(60_000);
      await store.incidents.update("inc_gone", { status: "resolved", updatedAt: clock.now() });
      await store.events.append({ at: clock.now(), kind: "incident.resolved", subject: "inc_gone", actor: "system", data: { status: "resolved" } });
      await store.incidents.update("inc_gone", { status: "investigating", updatedAt: clock.now() });
      await timers.advance(10 * 60_000);
      follower = new TriggerFollower({ store, clock, timers, logger: quiet, config: () => config });
      await follower.start();
      expect((await store.actionRuns.list({ incidentId: "inc_kept" })).map((r) => r.idempotencyKey)).toEqual(["trigger:page-dba:incident.opened:incident:inc_kept"]);
      expect(await store.actionRuns.list({ incidentId: "inc_gone" })).toEqual([]);
      expect(follower.waiting).toBe(0);
    });

    it("keeps the stored cursor before a delayed event when it stops in the middle of a read", async () => {
      await follower.stop();
      // The store answers reads at once, or, once `hold` is set, when it is settled.
      let hold: Promise<void> = Promise.resolve();
      const slow = new Proxy(store, {
        get: (target, key) =>
          key === "events"
            ? {
                ...target.events,
                list: async (...args: Parameters<Store["events"]["list"]>) => {
                  await hold;
                  return target.events.list(...args);
                },
              }
            : Reflect.get(target, key),
      });
      follower = new TriggerFollower({ store: slow, clock, timers, logger: quiet, config: () => config });
      await follower.start();
      const delayed = await opened("inc_stop");
      await follower.changed();
      expect(follower.waiting).toBe(1);
      const before = await store.outbox.cursor(triggersCursor);
      expect(BigInt(before!)).toBeLessThan(BigInt(delayed.id));
      // A read begins and waits for the store; the follower is told to stop meanwhile.
      let answer!: () => void;
      hold = new Promise<void>((resolve) => (answer = resolve));
      const reading = follower.changed();
      await new Promise((resolve) => setImmediate(resolve));
      const stopping = follower.stop();
      answer();
      await reading;
      await stopping;
      // The delay did not run out: the next start reads the event again, and asks for the run when it does.
      expect(await store.outbox.cursor(triggersCursor)).toBe(before);
      follower = new TriggerFollower({ store, clock, timers, logger: quiet, config: () => config });
      await follower.start();
      expect(follower.waiting).toBe(1);
      await timers.advance(5 * 60_000);
      await expect.poll(() => follower.waiting).toBe(0);
      expect((await store.actionRuns.list({ incidentId: "inc_stop" })).map((r) => r.actionId)).toEqual(["page-dba"]);
    });

    it("runs nothing for a region's isolation whose region reconnected during the delay, and runs one that stayed isolated", async () => {
      await follower.stop();
      const delayed = parseConfigText(
        `site: { name: Acme }
actions:
  definitions:
    - { id: drain-region, type: webhook, url: "https://ops.example.com/drain", on: [{ event: region.isolated, delay: 2m }] }
`,
        "vigil.yaml",
        {},
      );
      if (!delayed.ok) throw new Error(formatConfigIssues(delayed.errors));
      follower = new TriggerFollower({ store, clock, timers, logger: quiet, config: () => delayed.config });
      await follower.start();
      const region = (kind: string, subject: string) => store.events.append({ at: clock.now(), kind, subject, actor: "system", data: {} });
      const reconnects = await region("region.isolated", "eu-west");
      const stays = await region("region.isolated", "ap-south");
      await follower.changed();
      expect(follower.waiting).toBe(2);
      await timers.advance(60_000);
      await region("region.reconnected", "eu-west");
      await follower.changed();
      expect(follower.waiting).toBe(1);
      await timers.advance(60_000);
      await expect.poll(() => follower.waiting).toBe(0);
      const keys = (await store.actionRuns.list({ actionId: "drain-region" })).map((r) => r.idempotencyKey);
      expect(keys).toContain(`trigger:drain-region:region.isolated:event:${stays.id}`);
      expect(keys).not.toContain(`trigger:drain-region:region.isolated:event:${reconnects.id}`);
    });

    it("counts a delay from its event, also when time passed while the same event's run without a delay was recorded", async () => {
      await follower.stop();
      const both = parseConfigText(
        `site: { name: Acme }
components:
  - { id: orders-db, name: Orders database }
actions:
  definitions:
    - { id: scale-down, type: webhook, url: https://ops.example.com/scale, on: [{ event: incident.opened, once_per: incident }] }
    - { id: page-dba, type: webhook, url: https://ops.example.com/page, on: [{ event: incident.opened, delay: 5m, once_per: incident }] }
`,
        "vigil.yaml",
        {},
      );
      if (!both.ok) throw new Error(formatConfigIssues(both.errors));
      // Recording a run takes a minute: a slow store, or a test that moves the clock meanwhile.
      const slow = new Proxy(store, {
        get: (target, key) =>
          key === "transaction"
            ? (fn: Parameters<Store["transaction"]>[0]) => {
                clock.set(clock.now().getTime() + 60_000);
                return target.transaction(fn);
              }
            : Reflect.get(target, key),
      });
      follower = new TriggerFollower({ store: slow, clock, timers, logger: quiet, config: () => both.config });
      await follower.start();
      const event = await opened("inc_slow");
      await follower.changed();
      expect((await store.actionRuns.list({ incidentId: "inc_slow" })).map((r) => r.actionId)).toEqual(["scale-down"]);
      expect(follower.waiting).toBe(1);
      // The delay's timer is due five minutes after the opening, a minute of which went by while scale-down was
      // recorded (not six: the follower's poll would catch that one, but only up to a second late, and never in a
      // test whose timers move faster than the store answers).
      expect(timers.due).toContain(event.at.getTime() + 5 * 60_000);
      await timers.advance(4 * 60_000);
      await expect.poll(() => follower.waiting).toBe(0);
      expect((await store.actionRuns.list({ incidentId: "inc_slow" })).map((r) => r.actionId).sort()).toEqual(["page-dba", "scale-down"]);
    });
  });
}
