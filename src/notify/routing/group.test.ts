import { describe, expect, it } from "vitest";
import type { MessageKind, NotificationMessage } from "../types.ts";
import { defaultGroupPolicy, type GroupPolicy } from "./config.ts";
import { conditionOf, emptyGroupState, groupKey, groupStep, isFiring, nextWakeAt, type GroupState } from "./group.ts";

const t0 = Date.parse("2026-01-01T00:00:00Z");
/** "h:mm:ss", "mm:ss" or "ss" after t0. */
const at = (clock: string): Date => new Date(t0 + clock.split(":").reduce((total, part) => total * 60 + Number(part), 0) * 1000);
const clock = (date: Date): string => {
  const s = (date.getTime() - t0) / 1000;
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
};

interface Spec {
  incident?: string | null;
  components?: string[];
  resolved?: boolean;
  /** The incident's status (default: investigating, or resolved when `resolved`). */
  status?: string;
}

/** A message whose eventId is `id`; about incident inc-1 on orders-db unless told otherwise. */
const msg = (id: string, kind: MessageKind, { incident = "inc-1", components = ["orders-db"], resolved = false, status }: Spec = {}): NotificationMessage => ({
  kind,
  eventId: id,
  at: at("0"),
  site: { name: "Shop", url: "https://status.example.com" },
  severity: "major",
  title: "",
  text: "",
  markdown: null,
  url: "https://status.example.com",
  dedupKey: incident === null ? `monitor:${components.join(",")}` : `incident:${incident}`,
  incident:
    incident === null
      ? null
      : { id: incident, name: "Outage", status: status ?? (resolved ? "resolved" : "investigating"), impact: "major", startedAt: at("0"), resolvedAt: resolved ? at("0") : null, rootIds: components, impactedIds: [] },
  components: components.map((c) => ({ id: c, name: c, group: null, status: "major_outage", previousStatus: "operational" })),
  labels: {},
});

// The timelines below are written for a 5-minute group interval (Alertmanager's), whatever the default is.
const policy = (over: Partial<GroupPolicy> = {}): GroupPolicy => ({ ...defaultGroupPolicy, groupIntervalMs: 300_000, ...over });
const wait30 = policy({ groupWaitMs: 30_000 });

/** An arrival of `message` for `channel` under `route`, or a timer tick. */
type Step = [clock: string, message?: NotificationMessage, channel?: string, route?: GroupPolicy];

/** Replays the steps from no groups; each batch as "h:mm:ss channel reason event,event[ closed]". */
function replay(steps: readonly Step[], route: GroupPolicy = policy()): { sent: string[]; state: GroupState } {
  let state = emptyGroupState;
  const sent: string[] = [];
  for (const [when, message, channelId = "pager", stepRoute = route] of steps) {
    const now = at(when);
    const step = message === undefined ? groupStep(state, { now }) : groupStep(state, { now, message, channelId, route: stepRoute });
    state = step.state;
    for (const batch of step.flush) {
      sent.push(`${clock(now)} ${batch.channelId} ${batch.reason} ${batch.messages.map((m) => m.eventId).join(",")}${batch.closed ? " closed" : ""}`);
    }
  }
  return { sent, state };
}

const created = msg("created", "incident.created");
const updated = msg("updated", "incident.updated");
const resolved = msg("resolved", "incident.resolved", { resolved: true });

describe("groupStep, timelines", () => {
  it.each<[string, Step[], GroupPolicy, string[]]>([
    [
      "group_wait 0: the first message goes at once, a later one after group_interval",
      [["0", created], ["1:00", updated], ["4:59"], ["5:00"]],
      policy(),
      ["0:00:00 pager group_wait created", "0:05:00 pager group_interval updated"],
    ],
    [
      "group_wait 30 s: the first messages wait and go together",
      [["0", created], ["10", updated], ["29"], ["30"], ["31"]],
      wait30,
      ["0:00:30 pager group_wait created,updated"],
    ],
    [
      "group_interval: messages after a send are batched, in order, at most every interval",
      [["0", created], ["1:00", msg("u1", "incident.updated")], ["2:00", msg("u2", "incident.updated")], ["3:00", msg("u3", "incident.update_due")], ["5:00"], ["6:00", msg("u4", "incident.updated")], ["9:59"], ["10:00"]],
      policy(),
      ["0:00:00 pager group_wait created", "0:05:00 pager group_interval u1,u2,u3", "0:10:00 pager group_interval u4"],
    ],
    [
      "a message after a quiet interval goes at once",
      [["0", created], ["20:00", updated]],
      policy(),
      ["0:00:00 pager group_wait created", "0:20:00 pager group_interval updated"],
    ],
    [
      "a late tick sends what is due once",
      [["0", created, "pager"], ["1:00", updated], ["30:00"]],
      policy(),
      ["0:00:00 pager group_wait created", "0:30:00 pager group_interval updated"],
    ],
    [
      "repeat_interval: a still-firing group is sent again, its latest state",
      [["0", created], ["3:59:59"], ["4:00:00"], ["5:00:00", updated], ["8:59:59"], ["9:00:00"]],
      policy(),
      ["0:00:00 pager group_wait created", "4:00:00 pager repeat_interval created", "5:00:00 pager group_interval updated", "9:00:00 pager repeat_interval updated"],
    ],
    [
      "a resolution goes at once, not after group_interval, then the group is gone",
      [["0", created], ["2:00", resolved], ["5:00"], ["4:05:00"]],
      policy(),
      ["0:00:00 pager group_wait created", "0:02:00 pager change resolved closed"],
    ],
    [
      "a message after the group closed starts a new group (and waits group_wait again)",
      [["0", created], ["30"], ["1:00", resolved], ["5:00"], ["5:30"], ["6:00", msg("again", "incident.created")], ["6:30"]],
      wait30,
      ["0:00:30 pager group_wait created", "0:01:00 pager change resolved closed", "0:06:30 pager group_wait again"],
    ],
    [
      "trigger and resolution within group_wait go together, resolution last",
      [["0", created], ["10", resolved], ["30"]],
      wait30,
      ["0:00:30 pager group_wait created,resolved closed"],
    ],
    [
      "an update about a resolved incident ends it too",
      [["0", created], ["1:00", msg("postmortem", "incident.updated", { resolved: true })], ["5:00"]],
      policy(),
      ["0:00:00 pager group_wait created", "0:01:00 pager change postmortem closed"],
    ],
    [
      "informational messages are sent once, never repeated",
      [["0", msg("maint", "maintenance.scheduled", { incident: null })], ["4:00:00"]],
      policy(),
      ["0:00:00 pager group_wait maint closed"],
    ],
    [
      "a monitor down outside incidents repeats until it is up",
      [["0", msg("down", "monitor.down", { incident: null })], ["4:00:00"], ["4:01:00", msg("up", "monitor.up", { incident: null })], ["4:05:00"]],
      policy(),
      ["0:00:00 pager group_wait down", "4:00:00 pager repeat_interval down", "4:01:00 pager change up closed"],
    ],
    [
      "two incidents are two groups",
      [["0", created], ["10", msg("other", "incident.created", { incident: "inc-2", components: ["dns"] })], ["1:00", resolved], ["5:00"], ["5:10"]],
      policy(),
      ["0:00:00 pager group_wait created", "0:00:10 pager group_wait other", "0:01:00 pager change resolved closed"],
    ],
    [
      "two channels keep their own timing",
      [["0", created, "pager", policy()], ["0", created, "chat", policy({ groupWaitMs: 30_000, groupIntervalMs: 60_000 })], ["30"], ["40", updated, "pager"], ["40", updated, "chat"], ["1:30"], ["5:00"]],
      policy(),
      ["0:00:00 pager group_wait created", "0:00:30 chat group_wait created", "0:01:30 chat group_interval updated", "0:05:00 pager group_interval updated"],
    ],
    [
      "a group keeps the timing of the route that created it",
      [["0", created, "pager", policy({ groupIntervalMs: 60_000 })], ["10", updated, "pager", policy()], ["1:00"]],
      policy(),
      ["0:00:00 pager group_wait created", "0:01:00 pager group_interval updated"],
    ],
    [
      "group_by component: an incident whose components change stays in its group, so the resolution follows the trigger",
      [["0", created], ["10", msg("spread", "incident.updated", { components: ["orders-db", "api"] })], ["20", msg("done", "incident.resolved", { components: ["api", "orders-db"], resolved: true })], ["30"]],
      policy({ groupBy: ["component"], groupWaitMs: 30_000 }),
      ["0:00:30 pager group_wait created,spread,done closed"],
    ],
    [
      "group_by []: one group per channel",
      [["0", created], ["10", msg("other", "incident.created", { incident: "inc-2", components: ["dns"] })], ["30"]],
      policy({ groupBy: [], groupWaitMs: 30_000 }),
      ["0:00:30 pager group_wait created,other"],
    ],
    [
      "a monitor's up goes at once and closes its group; its next down starts a new group, sent at once",
      [["0", msg("down", "monitor.down", { incident: null })], ["40", msg("up", "monitor.up", { incident: null })], ["1:20", msg("down2", "monitor.down", { incident: null })], ["5:00"]],
      policy(),
      ["0:00:00 pager group_wait down", "0:00:40 pager change up closed", "0:01:20 pager group_wait down2"],
    ],
    [
      "an incident's recovery (monitoring) goes at once with what was pending, so does a relapse; more of the same waits group_interval",
      [
        ["0", created],
        ["1:00", msg("identified", "incident.updated")],
        ["2:00", msg("monitoring", "incident.updated", { status: "monitoring" })],
        ["3:00", msg("relapse", "incident.updated")],
        ["3:30", msg("identified2", "incident.updated", { status: "identified" })],
        ["7:59"],
        ["8:00"],
        ["9:00", msg("monitoring2", "incident.updated", { status: "monitoring" })],
      ],
      policy(),
      [
        "0:00:00 pager group_wait created",
        "0:02:00 pager change identified,monitoring",
        "0:03:00 pager change relapse",
        "0:08:00 pager group_interval identified2",
        "0:09:00 pager change monitoring2",
      ],
    ],
    [
      "a recovery while the group still waits group_wait waits with its trigger: nothing was said yet",
      [["0", msg("down", "monitor.down", { incident: null })], ["10", msg("up", "monitor.up", { incident: null })], ["29"], ["30"]],
      wait30,
      ["0:00:30 pager group_wait down,up closed"],
    ],
    [
      "group_by []: a message about a cause the group never sent is no change; one about a sent cause takes the pending ones along",
      [
        ["0", created],
        ["10", msg("other", "incident.created", { incident: "inc-2", components: ["dns"] })],
        ["20", msg("other-done", "incident.resolved", { incident: "inc-2", components: ["dns"], resolved: true })],
        ["1:00", msg("updated", "incident.updated")],
        ["2:00", resolved],
      ],
      policy({ groupBy: [] }),
      ["0:00:00 pager group_wait created", "0:02:00 pager change other,other-done,updated,resolved closed"],
    ],
    [
      "a reminder changes nothing said: the recovery after it still goes at once",
      [["0", created], ["4:00:00"], ["4:00:30", msg("monitoring", "incident.updated", { status: "monitoring" })]],
      policy(),
      ["0:00:00 pager group_wait created", "4:00:00 pager repeat_interval created", "4:00:30 pager change monitoring"],
    ],
    [
      "due groups are sent in due order",
      [["0", msg("late", "incident.created", { incident: "inc-2" }), "pager", wait30], ["10", created, "pager", policy({ groupWaitMs: 10_000 })], ["1:00"]],
      policy(),
      ["0:01:00 pager group_wait created", "0:01:00 pager group_wait late"],
    ],
  ])("%s", (_name, steps, route, expected) => {
    expect(replay(steps, route).sent).toEqual(expected);
  });

  it("deletes a closed group", () => {
    expect(replay([["0", created], ["1:00", resolved], ["5:00"]]).state).toEqual({ groups: {} });
  });

  it("says what still fires after a batch", () => {
    const first = groupStep(emptyGroupState, { now: at("0"), message: created, channelId: "pager", route: policy() });
    const second = groupStep(first.state, { now: at("6:00"), message: updated, channelId: "pager", route: policy() });
    expect(second.flush.map((b) => b.firing.map((m) => m.eventId))).toEqual([["updated"]]);
  });

  it("leaves the state it is given alone", () => {
    const first = groupStep(emptyGroupState, { now: at("0"), message: created, channelId: "pager", route: policy() });
    const before = structuredClone(first.state);
    groupStep(first.state, { now: at("1:00"), message: updated, channelId: "pager", route: policy() });
    expect(first.state).toEqual(before);
    expect(emptyGroupState).toEqual({ groups: {} });
  });

  it.each<[Partial<GroupPolicy>]>([[{ groupWaitMs: -1 }], [{ groupIntervalMs: 0 }], [{ repeatIntervalMs: Number.NaN }], [{ groupWaitMs: Number.POSITIVE_INFINITY }]])(
    "refuses the policy %j",
    (bad) => {
      expect(() => groupStep(emptyGroupState, { now: at("0"), message: created, channelId: "pager", route: policy(bad) })).toThrow(RangeError);
    },
  );

  it("refuses an invalid now", () => {
    expect(() => groupStep(emptyGroupState, { now: new Date(Number.NaN) })).toThrow(RangeError);
  });
});

describe("nextWakeAt", () => {
  it.each<[string, Step[], GroupPolicy, string | null]>([
    ["no groups", [], policy(), null],
    ["waiting group_wait", [["0", created]], wait30, "0:00:30"],
    ["sent, firing: the reminder", [["0", created]], policy(), "4:00:00"],
    ["sent, something new: the next interval", [["0", created], ["1:00", updated]], policy(), "0:05:00"],
    ["reminded: the next reminder", [["0", created], ["4:00:00"]], policy(), "8:00:00"],
    ["closed", [["0", created], ["1:00", resolved], ["5:00"]], policy(), null],
    ["the earliest of two channels", [["0", created, "pager", policy()], ["10", created, "chat", wait30]], policy(), "0:00:40"],
  ])("%s", (_name, steps, route, expected) => {
    const wake = nextWakeAt(replay(steps, route).state);
    expect(wake === null ? null : clock(wake)).toBe(expected);
  });
});

describe("groupKey", () => {
  const two = msg("m", "monitor.down", { incident: "inc-7", components: ["api", "orders-db", "api"] });
  it.each<[string, NotificationMessage, GroupPolicy["groupBy"], string]>([
    ["incident", two, ["incident"], '{"channel":"pager","incident":"inc-7"}'],
    ["no incident: the dedup key", msg("m", "monitor.down", { incident: null }), ["incident"], '{"channel":"pager","incident":"monitor:orders-db"}'],
    ["components, sorted and unique", two, ["component"], '{"channel":"pager","component":"api,orders-db"}'],
    ["kind: its family", two, ["kind"], '{"channel":"pager","kind":"monitor"}'],
    ["test", msg("m", "test", { incident: null }), ["kind"], '{"channel":"pager","kind":"test"}'],
    ["fields in a fixed order", two, ["kind", "incident"], '{"channel":"pager","incident":"inc-7","kind":"monitor"}'],
    ["nothing", two, [], '{"channel":"pager"}'],
  ])("%s", (_name, message, groupBy, expected) => {
    expect(groupKey("pager", message, groupBy)).toBe(expected);
  });
});

describe("isFiring", () => {
  const cases: [NotificationMessage, boolean][] = [
    [created, true],
    [updated, true],
    [msg("due", "incident.update_due"), true],
    [msg("down", "monitor.down", { incident: null }), true],
    [resolved, false],
    [msg("after", "incident.updated", { resolved: true }), false],
    [msg("up", "monitor.up"), false],
    [msg("maint", "maintenance.in_progress"), false],
    [msg("closed", "window.closed"), false],
    [msg("test", "test", { incident: null }), false],
  ];
  it.each(cases.map(([message, expected]) => [message.eventId, message, expected] as const))("%s", (_name, message, expected) => {
    expect(isFiring(message)).toBe(expected);
  });
});

describe("conditionOf", () => {
  const cases: [NotificationMessage, "failing" | "recovered" | null][] = [
    [created, "failing"],
    [updated, "failing"],
    [msg("identified", "incident.updated", { status: "identified" }), "failing"],
    [msg("monitoring", "incident.updated", { status: "monitoring" }), "recovered"],
    [msg("after", "incident.updated", { resolved: true }), "recovered"],
    [msg("postmortem", "incident.updated", { status: "postmortem" }), "recovered"],
    [resolved, "recovered"],
    [msg("due", "incident.update_due"), null],
    [msg("down", "monitor.down", { incident: null }), "failing"],
    [msg("up", "monitor.up", { incident: null }), "recovered"],
    [msg("maint", "maintenance.in_progress", { incident: null }), null],
    [msg("closed", "window.closed", { incident: null }), null],
    [msg("test", "test", { incident: null }), null],
  ];
  it.each(cases.map(([message, expected]) => [message.eventId, message, expected] as const))("%s", (_name, message, expected) => {
    expect(conditionOf(message)).toBe(expected);
  });
});
