import { describe, expect, it } from "vitest";
import { projectComponentStatuses, projectIncidents, type ProjectedIncident, type ProjectionEvent } from "./projection.ts";

const t = (hhmmss: string): Date => new Date(`2024-05-01T${hhmmss}Z`);
const iso = (hhmmss: string): string => `2024-05-01T${hhmmss}.000Z`;

const ev = (at: string, kind: string, data: Record<string, unknown> = {}, subject: string | null = "inc_a"): ProjectionEvent => ({ at: t(at), kind, subject, data });

// An automatic incident on orders-db, opened at 10:00:00; every later case starts from it.
const created = ev("10:00:00", "incident.created", {
  name: "Orders database outage",
  status: "investigating",
  impact: "major",
  root_ids: ["orders-db"],
  impacted_ids: ["api"],
  started_at: iso("09:59:30"),
  earliest_possible_start: iso("09:59:00"),
  manual: false,
});

const base: ProjectedIncident = {
  id: "inc_a",
  name: "Orders database outage",
  status: "investigating",
  impact: "major",
  impactOverride: null,
  rootIds: ["orders-db"],
  impactedIds: ["api"],
  startedAt: t("09:59:30"),
  earliestPossibleStart: t("09:59:00"),
  monitoringAt: null,
  resolvedAt: null,
  publishedAt: null,
  postmortemPublishedAt: null,
  manual: false,
  hold: false,
  createdAt: t("10:00:00"),
};

const status = (at: string, kind: string, to: string, extra: Record<string, unknown> = {}) => ev(at, kind, { status: to, ...extra });

describe("projectIncidents, incident.created", () => {
  it.each<[string, ProjectionEvent, ProjectedIncident]>([
    ["an automatic incident, every field given", created, base],
    [
      "nothing given: defaults, started at the event",
      ev("10:00:00", "incident.created", {}),
      { ...base, name: "inc_a", impact: "none", rootIds: [], impactedIds: [], startedAt: t("10:00:00"), earliestPossibleStart: null },
    ],
    [
      "a manual incident is held",
      ev("10:00:00", "incident.created", { name: "Search is slow", root_ids: ["search"], impacted_ids: [], manual: true, impact_override: "minor" }),
      { ...base, name: "Search is slow", impact: "none", impactOverride: "minor", rootIds: ["search"], impactedIds: [], startedAt: t("10:00:00"), earliestPossibleStart: null, manual: true, hold: true },
    ],
    [
      "manual must be true, not truthy",
      ev("10:00:00", "incident.created", { manual: "yes" }),
      { ...base, name: "inc_a", impact: "none", rootIds: [], impactedIds: [], startedAt: t("10:00:00"), earliestPossibleStart: null },
    ],
    [
      "opened in monitoring: monitoring since the event",
      ev("10:00:00", "incident.created", { status: "monitoring" }),
      { ...base, name: "inc_a", status: "monitoring", impact: "none", rootIds: [], impactedIds: [], startedAt: t("10:00:00"), earliestPossibleStart: null, monitoringAt: t("10:00:00") },
    ],
    [
      "wrong types: non-strings in lists dropped, unparseable times ignored",
      ev("10:00:00", "incident.created", { name: 7, status: null, root_ids: ["search", 3, null], impacted_ids: "api", started_at: "soon", earliest_possible_start: 12 }),
      { ...base, name: "inc_a", impact: "none", rootIds: ["search"], impactedIds: [], startedAt: t("10:00:00"), earliestPossibleStart: null },
    ],
  ])("%s", (_name, event, expected) => {
    expect(projectIncidents([event])).toEqual(new Map([["inc_a", expected]]));
  });
});

describe("projectIncidents, later events", () => {
  it.each<[string, ProjectionEvent[], Partial<ProjectedIncident>]>([
    // incident.signal_joined
    [
      "a signal joins: roots, impacted, impact, name, start and earliest start change",
      [ev("10:01:00", "incident.signal_joined", { root_ids: ["orders-db", "cache"], impacted_ids: ["api", "checkout"], impact: "critical", name: "Orders database and cache outage", started_at: iso("09:58:00"), earliest_possible_start: iso("09:57:00") })],
      { rootIds: ["orders-db", "cache"], impactedIds: ["api", "checkout"], impact: "critical", name: "Orders database and cache outage", startedAt: t("09:58:00"), earliestPossibleStart: t("09:57:00") },
    ],
    ["a signal joins with nothing: no change", [ev("10:01:00", "incident.signal_joined", {})], {}],
    ["a signal joins with lists that are not lists: no change", [ev("10:01:00", "incident.signal_joined", { root_ids: "cache", impacted_ids: null })], {}],
    ["a signal joins with an empty list of impacted: cleared", [ev("10:01:00", "incident.signal_joined", { impacted_ids: [] })], { impactedIds: [] }],
    ["earliest_possible_start explicitly null: cleared", [ev("10:01:00", "incident.signal_joined", { earliest_possible_start: null })], { earliestPossibleStart: null }],
    ["earliest_possible_start absent: kept", [ev("10:01:00", "incident.signal_joined", { impact: "minor" })], { impact: "minor" }],
    ["an unparseable started_at: kept", [ev("10:01:00", "incident.signal_joined", { started_at: "yesterday" })], {}],

    // status changes
    ["updated to identified", [status("10:02:00", "incident.updated", "identified")], { status: "identified" }],
    ["updated to monitoring: monitoring since then", [status("10:02:00", "incident.updated", "monitoring")], { status: "monitoring", monitoringAt: t("10:02:00") }],
    [
      "monitoring again while monitoring: the first time kept",
      [status("10:02:00", "incident.updated", "monitoring"), status("10:04:00", "incident.updated", "monitoring")],
      { status: "monitoring", monitoringAt: t("10:02:00") },
    ],
    [
      "monitoring, then investigating: cleared",
      [status("10:02:00", "incident.updated", "monitoring"), status("10:03:00", "incident.updated", "investigating")],
      { status: "investigating", monitoringAt: null },
    ],
    [
      "monitoring, then identified: cleared",
      [status("10:02:00", "incident.updated", "monitoring"), status("10:03:00", "incident.updated", "identified")],
      { status: "identified", monitoringAt: null },
    ],
    [
      "monitoring, then monitoring again after a relapse: the new time",
      [status("10:02:00", "incident.updated", "monitoring"), status("10:03:00", "incident.updated", "investigating"), status("10:05:00", "incident.updated", "monitoring")],
      { status: "monitoring", monitoringAt: t("10:05:00") },
    ],
    [
      "monitoring, then resolved: monitoring time kept, resolved at",
      [status("10:02:00", "incident.updated", "monitoring"), status("10:12:00", "incident.resolved", "resolved")],
      { status: "resolved", monitoringAt: t("10:02:00"), resolvedAt: t("10:12:00") },
    ],
    ["resolved", [status("10:12:00", "incident.resolved", "resolved")], { status: "resolved", resolvedAt: t("10:12:00") }],
    ["resolved through an update", [status("10:12:00", "incident.updated", "resolved")], { status: "resolved", resolvedAt: t("10:12:00") }],
    [
      "resolved twice: the first time kept",
      [status("10:12:00", "incident.resolved", "resolved"), status("10:13:00", "incident.updated", "resolved")],
      { status: "resolved", resolvedAt: t("10:12:00") },
    ],
    [
      "reopened: resolved_at cleared",
      [status("10:12:00", "incident.resolved", "resolved"), status("10:20:00", "incident.reopened", "investigating")],
      { status: "investigating", resolvedAt: null },
    ],
    [
      "reopened straight into monitoring: resolved_at cleared, monitoring since then",
      [status("10:12:00", "incident.resolved", "resolved"), status("10:20:00", "incident.reopened", "monitoring")],
      { status: "monitoring", resolvedAt: null, monitoringAt: t("10:20:00") },
    ],
    [
      "postmortem: published then, resolved_at kept",
      [status("10:12:00", "incident.resolved", "resolved"), status("11:00:00", "incident.updated", "postmortem")],
      { status: "postmortem", resolvedAt: t("10:12:00"), postmortemPublishedAt: t("11:00:00") },
    ],
    [
      "postmortem twice: the first time kept",
      [status("10:12:00", "incident.resolved", "resolved"), status("11:00:00", "incident.updated", "postmortem"), status("11:30:00", "incident.updated", "postmortem")],
      { status: "postmortem", resolvedAt: t("10:12:00"), postmortemPublishedAt: t("11:00:00") },
    ],
    ["an update without a status: status kept", [ev("10:02:00", "incident.updated", { body: "Still looking." })], {}],
    ["hold taken by an update", [ev("10:02:00", "incident.updated", { hold: true })], { hold: true }],
    ["hold released with a status", [ev("10:02:00", "incident.updated", { hold: true }), status("10:03:00", "incident.updated", "identified", { hold: false })], { status: "identified", hold: false }],
    ["hold that is not a boolean: ignored", [ev("10:02:00", "incident.updated", { hold: "true" })], {}],

    // publication
    ["published at the time in the data", [ev("10:05:00", "incident.published", { published_at: iso("10:04:30") })], { publishedAt: t("10:04:30") }],
    ["published without a time: at the event", [ev("10:05:00", "incident.published", {})], { publishedAt: t("10:05:00") }],
    ["published with an unparseable time: at the event", [ev("10:05:00", "incident.published", { published_at: "now" })], { publishedAt: t("10:05:00") }],

    // edits
    ["edited: renamed", [ev("10:05:00", "incident.edited", { name: "Orders are failing" })], { name: "Orders are failing" }],
    ["edited: impact overridden", [ev("10:05:00", "incident.edited", { impact_override: "minor" })], { impactOverride: "minor" }],
    [
      "edited: override cleared by null",
      [ev("10:05:00", "incident.edited", { impact_override: "minor" }), ev("10:06:00", "incident.edited", { impact_override: null })],
      { impactOverride: null },
    ],
    [
      "edited: the name alone keeps the override",
      [ev("10:05:00", "incident.edited", { impact_override: "critical" }), ev("10:06:00", "incident.edited", { name: "Orders are failing" })],
      { impactOverride: "critical", name: "Orders are failing" },
    ],

    // ignored
    ["unknown kinds change nothing", [ev("10:05:00", "incident.acknowledged", { status: "resolved", name: "Ack" }), ev("10:06:00", "incident.update_due", { hold: true })], {}],
    [
      "events of other incidents change nothing",
      [ev("10:05:00", "incident.updated", { status: "resolved" }, "inc_b"), ev("10:06:00", "incident.edited", { name: "Other" }, "inc_b")],
      {},
    ],
    [
      "events without a subject change nothing",
      [ev("10:05:00", "incident.updated", { status: "resolved" }, null), ev("10:06:00", "incident.edited", { name: "Other" }, null)],
      {},
    ],
    ["component events change nothing", [ev("10:05:00", "component.status_changed", { to: "major_outage" }, "inc_a")], {}],
  ])("%s", (_name, later, changes) => {
    expect(projectIncidents([created, ...later])).toEqual(new Map([["inc_a", { ...base, ...changes }]]));
  });
});

describe("projectIncidents, several incidents", () => {
  it("ignores events before the incident is created and those of unknown incidents or without a subject", () => {
    const projected = projectIncidents([
      ev("09:00:00", "incident.updated", { status: "resolved" }),
      ev("09:00:00", "incident.signal_joined", { name: "Too early" }),
      ev("09:30:00", "incident.created", { name: "No subject" }, null),
      ev("09:40:00", "incident.resolved", { status: "resolved" }, "inc_unknown"),
      created,
    ]);
    expect(projected).toEqual(new Map([["inc_a", base]]));
  });

  it("keeps each incident apart, in order of creation", () => {
    const projected = projectIncidents([
      created,
      ev("10:01:00", "incident.created", { name: "Search is slow", root_ids: ["search"], manual: true }, "inc_b"),
      status("10:02:00", "incident.updated", "monitoring"),
      ev("10:03:00", "incident.resolved", { status: "resolved" }, "inc_b"),
    ]);
    expect([...projected.keys()]).toEqual(["inc_a", "inc_b"]);
    expect(projected.get("inc_a")).toEqual({ ...base, status: "monitoring", monitoringAt: t("10:02:00") });
    expect(projected.get("inc_b")).toEqual({
      ...base,
      id: "inc_b",
      name: "Search is slow",
      status: "resolved",
      impact: "none",
      rootIds: ["search"],
      impactedIds: [],
      startedAt: t("10:01:00"),
      earliestPossibleStart: null,
      resolvedAt: t("10:03:00"),
      manual: true,
      hold: true,
      createdAt: t("10:01:00"),
    });
  });

  it("gives nothing for no events", () => {
    expect(projectIncidents([])).toEqual(new Map());
  });
});

describe("projectComponentStatuses", () => {
  const change = (at: string, component: string | null, to: unknown, from = "operational"): ProjectionEvent => ev(at, "component.status_changed", { from, to }, component);

  it.each<[string, ProjectionEvent[], Record<string, string>]>([
    ["no events", [], {}],
    ["one change", [change("10:00:00", "api", "major_outage")], { api: "major_outage" }],
    [
      "the last change wins, per component",
      [
        change("10:00:00", "api", "major_outage"),
        change("10:00:00", "search", "degraded_performance"),
        change("10:05:00", "api", "partial_outage", "major_outage"),
        change("10:10:00", "api", "operational", "partial_outage"),
      ],
      { api: "operational", search: "degraded_performance" },
    ],
    [
      "other kinds are ignored",
      [
        change("10:00:00", "api", "major_outage"),
        ev("10:01:00", "incident.created", { to: "operational" }, "api"),
        ev("10:02:00", "monitor.status_changed", { to: "up" }, "api"),
        ev("10:03:00", "maintenance.started", { to: "under_maintenance" }, "search"),
      ],
      { api: "major_outage" },
    ],
    ["changes without a subject are ignored", [change("10:00:00", "api", "major_outage"), change("10:01:00", null, "operational")], { api: "major_outage" }],
    ["a change without a string `to` is ignored", [change("10:00:00", "api", "major_outage"), change("10:01:00", "api", null), change("10:02:00", "api", 3)], { api: "major_outage" }],
  ])("%s", (_name, events, expected) => {
    expect(projectComponentStatuses(events)).toEqual(expected);
  });
});
