import { describe, expect, it } from "vitest";
import { conditionsHold, matchTriggers, occasionOf, type Trigger, type TriggerIncident, type TriggerSourceEvent } from "./triggers.ts";

const at = new Date("2026-12-01T10:00:00Z");
const event = (kind: string, subject: string | null, data: Record<string, unknown> = {}, id = "42"): TriggerSourceEvent => ({ id, at, kind, subject, data });
const incident = (over: Partial<TriggerIncident> = {}): TriggerIncident => ({ id: "inc_1", status: "investigating", impact: "major", rootIds: ["orders-db"], impactedIds: ["orders-db", "checkout"], ...over });
const trigger = (over: Partial<Trigger> = {}): Trigger => ({ event: "incident.opened", delay: 0, ...over });
const keysOf = (on: Trigger[], e: TriggerSourceEvent, i: TriggerIncident | undefined) => matchTriggers([{ id: "scale-down", on }], e, i).map((m) => m.idempotencyKey);

describe("what a timeline event is to triggers", () => {
  it.each([
    ["incident.created", {}, ["incident.opened", "incident.impact_raised"]],
    ["incident.reopened", {}, ["incident.opened"]],
    ["incident.signal_joined", { impact: "critical" }, ["incident.impact_raised"]],
    ["incident.edited", { impact_override: "critical" }, ["incident.impact_raised"]],
    ["incident.edited", { name: "Orders down" }, []],
    ["incident.updated", { status: "monitoring", previous: "investigating" }, ["incident.monitoring"]],
    ["incident.updated", { status: "identified", previous: "investigating" }, []],
    ["incident.resolved", { status: "resolved" }, ["incident.resolved"]],
    ["monitor.down", {}, []],
  ])("%s %j is %j", (kind, data, names) => {
    expect(occasionOf(event(kind, "inc_1", data)).map((o) => o.event)).toEqual(names);
  });

  it("reads a closed window's component, first incident and bounds, and an isolated region", () => {
    expect(occasionOf(event("window.closed", "orders-db", { component: "orders-db", incidents: ["inc_1", "inc_2"], start: "2026-12-01T09:00:00.000Z" }))).toEqual([
      { event: "window.closed", incidentId: "inc_1", componentIds: ["orders-db"], windowId: "orders-db@2026-12-01T09:00:00.000Z", window: { component: "orders-db", start: "2026-12-01T09:00:00.000Z" }, region: null },
    ]);
    expect(occasionOf(event("region.isolated", "eu-west", { failing: 3 }))).toEqual([{ event: "region.isolated", incidentId: null, componentIds: [], windowId: null, window: null, region: "eu-west" }]);
  });
});

describe("matching triggers", () => {
  const opened = event("incident.created", "inc_1");
  it.each<[string, Trigger[], TriggerIncident | undefined, string[]]>([
    ["any incident opening, once per event", [trigger()], incident(), ["trigger:scale-down:incident.opened:event:42"]],
    ["once per incident", [trigger({ once_per: "incident" })], incident(), ["trigger:scale-down:incident.opened:incident:inc_1"]],
    ["a component of the incident", [trigger({ components: ["checkout"], once_per: "incident" })], incident(), ["trigger:scale-down:incident.opened:incident:inc_1"]],
    ["a component not in the incident", [trigger({ components: ["search"] })], incident(), []],
    ["a root component", [trigger({ components: ["orders-db"], root: true, once_per: "incident" })], incident(), ["trigger:scale-down:incident.opened:incident:inc_1"]],
    ["an impacted component that is not a root, root required", [trigger({ components: ["checkout"], root: true })], incident(), []],
    ["impact at least major, major", [trigger({ impact_at_least: "major", once_per: "incident" })], incident(), ["trigger:scale-down:incident.opened:incident:inc_1"]],
    ["impact at least critical, major", [trigger({ impact_at_least: "critical" })], incident(), []],
    ["once per component: one run per root", [trigger({ root: true, once_per: "component" })], incident({ rootIds: ["orders-db", "cache"] }), ["trigger:scale-down:incident.opened:component:inc_1:orders-db", "trigger:scale-down:incident.opened:component:inc_1:cache"]],
    ["an incident already resolved", [trigger()], incident({ status: "resolved" }), []],
    ["an incident not found", [trigger()], undefined, []],
    ["another event's trigger", [trigger({ event: "incident.resolved" })], incident(), []],
    ["two triggers giving one key ask once", [trigger({ once_per: "incident" }), trigger({ once_per: "incident", delay: 60_000 })], incident(), ["trigger:scale-down:incident.opened:incident:inc_1"]],
  ])("%s", (_name, on, current, keys) => {
    expect(keysOf(on, opened, current)).toEqual(keys);
  });

  it("asks for the run at the event's time plus the delay, giving the trigger and the event as the reason", () => {
    const [match] = matchTriggers([{ id: "scale-down", on: [trigger({ delay: 120_000, once_per: "incident", components: ["orders-db"] })] }], opened, incident());
    expect(match).toEqual({
      actionId: "scale-down",
      trigger: 0,
      incidentId: "inc_1",
      idempotencyKey: "trigger:scale-down:incident.opened:incident:inc_1",
      dueAt: new Date(at.getTime() + 120_000),
      reason: { trigger: "incident.opened", event: "42", event_kind: "incident.created" },
      componentIds: ["orders-db"],
      window: null,
    });
  });

  it("fires impact_raised when evidence joins and the impact has reached the threshold, once per incident across events", () => {
    const on = [trigger({ event: "incident.impact_raised", impact_at_least: "critical", once_per: "incident" })];
    expect(keysOf(on, event("incident.created", "inc_1", {}, "1"), incident())).toEqual([]);
    expect(keysOf(on, event("incident.signal_joined", "inc_1", {}, "2"), incident({ impact: "critical" }))).toEqual(["trigger:scale-down:incident.impact_raised:incident:inc_1"]);
    expect(keysOf(on, event("incident.signal_joined", "inc_1", {}, "3"), incident({ impact: "critical" }))).toEqual(["trigger:scale-down:incident.impact_raised:incident:inc_1"]);
  });

  it("fires monitoring while the incident is monitoring, and resolved while it stays resolved", () => {
    expect(keysOf([trigger({ event: "incident.monitoring", once_per: "incident" })], event("incident.updated", "inc_1", { status: "monitoring" }), incident({ status: "monitoring" }))).toHaveLength(1);
    expect(keysOf([trigger({ event: "incident.monitoring" })], event("incident.updated", "inc_1", { status: "monitoring" }), incident({ status: "resolved" }))).toEqual([]);
    expect(keysOf([trigger({ event: "incident.resolved" })], event("incident.resolved", "inc_1"), incident({ status: "resolved" }))).toHaveLength(1);
    expect(keysOf([trigger({ event: "incident.resolved" })], event("incident.resolved", "inc_1"), incident({ status: "investigating" }))).toEqual([]);
  });

  it("keys a closed window once per window, or per component, and checks root against its incident", () => {
    const closed = event("window.closed", "orders-db", { component: "orders-db", incidents: ["inc_1"], start: "2026-12-01T09:00:00.000Z" });
    expect(keysOf([trigger({ event: "window.closed", once_per: "window" })], closed, incident({ status: "resolved" }))).toEqual(["trigger:scale-down:window.closed:window:orders-db@2026-12-01T09:00:00.000Z"]);
    expect(keysOf([trigger({ event: "window.closed", once_per: "component" })], closed, undefined)).toEqual(["trigger:scale-down:window.closed:component:inc_1:orders-db"]);
    expect(keysOf([trigger({ event: "window.closed", components: ["checkout"] })], closed, undefined)).toEqual([]);
    expect(keysOf([trigger({ event: "window.closed", root: true })], closed, incident({ rootIds: ["orders-db"] }))).toHaveLength(1);
    expect(keysOf([trigger({ event: "window.closed", root: true })], closed, incident({ rootIds: ["network"] }))).toEqual([]);
  });

  it("asks for a closed window's run with the window (its component and start), whatever it is keyed by", () => {
    const closed = event("window.closed", "orders-db", { component: "orders-db", incidents: ["inc_1"], start: "2026-12-01T09:00:00.000Z" });
    for (const once_per of ["window", "component", undefined] as const) {
      const [match] = matchTriggers([{ id: "reconcile", on: [trigger({ event: "window.closed", ...(once_per ? { once_per } : {}) })] }], closed, undefined);
      expect(match?.window).toEqual({ component: "orders-db", start: "2026-12-01T09:00:00.000Z" });
    }
    // A window event without its start (written by hand) names no window.
    expect(occasionOf(event("window.closed", "orders-db", { component: "orders-db" }))[0]?.window).toBeNull();
  });

  it("fires an isolated region's trigger once per event", () => {
    expect(keysOf([trigger({ event: "region.isolated" })], event("region.isolated", "eu-west", {}, "7"), undefined)).toEqual(["trigger:scale-down:region.isolated:event:7"]);
  });

  it("checks the conditions again with the incident as it is later (after a delay)", () => {
    const [occasion] = occasionOf(event("incident.created", "inc_1"));
    const t = trigger({ impact_at_least: "major", components: ["orders-db"] });
    expect(conditionsHold(t, occasion!, incident())).toEqual(["orders-db"]);
    expect(conditionsHold(t, occasion!, incident({ status: "resolved" }))).toBeNull();
    expect(conditionsHold(t, occasion!, incident({ impact: "minor" }))).toBeNull();
  });
});
