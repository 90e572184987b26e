import { describe, expect, it } from "vitest";
import { catchAllRoute, defaultGroupPolicy, kindMatches, MatcherSchema, messageKinds, RouteSchema, RoutesSchema, SilenceSchema, type Matcher, type Route } from "./config.ts";

describe("defaultGroupPolicy", () => {
  it("groups per incident, sends at once, then every minute, and reminds every 4 hours", () => {
    expect(defaultGroupPolicy).toEqual({ groupBy: ["incident"], groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 14_400_000 });
  });
});

describe("messageKinds", () => {
  it("lists every kind", () => {
    expect(messageKinds).toEqual([
      "incident.created",
      "incident.updated",
      "incident.resolved",
      "incident.update_due",
      "monitor.down",
      "monitor.up",
      "maintenance.scheduled",
      "maintenance.in_progress",
      "maintenance.completed",
      "window.closed",
      "upstream.degraded",
      "upstream.recovered",
      "region.stale",
      "region.recovered",
      "region.isolated",
      "region.reconnected",
      "vantage.suspect",
      "vantage.restored",
      "action.approval_requested",
      "action.approval_timed_out",
      "action.ramp_aborted",
      "test",
    ]);
  });
});

describe("kindMatches", () => {
  it.each<[string, string, boolean]>([
    ["incident.created", "incident.created", true],
    ["incident.created", "incident.updated", false],
    ["incident.*", "incident.update_due", true],
    ["incident.*", "monitor.down", false],
    ["*.down", "monitor.down", true],
    ["*", "test", true],
    ["incident*", "incident.created", true],
    // "." is literal, not a regular expression's any character.
    ["incident.created", "incidentxcreated", false],
    ["monitor.*", "monitor.", true],
  ])("%s against %s", (pattern, kind, expected) => {
    expect(kindMatches(pattern, kind)).toBe(expected);
  });
});

describe("MatcherSchema", () => {
  it.each<[string, unknown, Matcher]>([
    ["empty", {}, {}],
    ["one component", { component: "orders-db" }, { component: ["orders-db"] }],
    ["component list", { component: ["orders-db", "api"] }, { component: ["orders-db", "api"] }],
    ["group", { group: "Payments" }, { group: ["Payments"] }],
    ["severity list", { severity: ["major", "critical"] }, { severity: ["major", "critical"] }],
    ["severity minimum", { severity: ">=major" }, { severity: ["major", "critical"] }],
    ["severity minimum none", { severity: ">=none" }, { severity: ["none", "minor", "major", "critical"] }],
    ["severity minimum critical", { severity: ">=critical" }, { severity: ["critical"] }],
    ["kind", { kind: "monitor.down" }, { kind: ["monitor.down"] }],
    ["kind glob list", { kind: ["incident.*", "test"] }, { kind: ["incident.*", "test"] }],
    ["an action run's kinds", { kind: "action.*" }, { kind: ["action.*"] }],
    ["an approval request", { kind: "action.approval_requested" }, { kind: ["action.approval_requested"] }],
    ["labels", { labels: { region: "eu" } }, { labels: { region: "eu" } }],
  ])("reads %s", (_name, input, expected) => {
    expect(MatcherSchema.parse(input)).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ["a bare severity", { severity: "major" }, "severity"],
    ["an unknown severity", { severity: ["fatal"] }, "severity"],
    ["a bad minimum", { severity: ">major" }, "severity"],
    ["an empty component list", { component: [] }, "component"],
    ["an empty component id", { component: "" }, "component"],
    ["a kind matching nothing", { kind: "incidnet.*" }, "kind"],
    ["an unknown key", { components: "api" }, ""],
    ["a label that is not text", { labels: { region: 1 } }, "labels"],
  ])("refuses %s", (_name, input, path) => {
    const result = MatcherSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0] ?? "").toBe(path);
  });
});

describe("RouteSchema", () => {
  it("fills in the defaults", () => {
    expect(RouteSchema.parse({ channels: ["oncall"] })).toEqual<Route>({
      channels: ["oncall"],
      match: {},
      continue: false,
      groupBy: ["incident"],
      groupWaitMs: 0,
      groupIntervalMs: 60_000,
      repeatIntervalMs: 14_400_000,
    });
  });

  it("reads every key", () => {
    const raw = {
      channels: ["oncall", "slack", "oncall"],
      match: { severity: ">=major", kind: "incident.*" },
      continue: true,
      group_by: ["component", "kind", "component"],
      group_wait: 30_000,
      group_interval: 60_000,
      repeat_interval: 3_600_000,
    };
    expect(RouteSchema.parse(raw)).toEqual<Route>({
      channels: ["oncall", "slack"],
      match: { severity: ["major", "critical"], kind: ["incident.*"] },
      continue: true,
      groupBy: ["component", "kind"],
      groupWaitMs: 30_000,
      groupIntervalMs: 60_000,
      repeatIntervalMs: 3_600_000,
    });
  });

  it("takes an empty group_by (one group per channel)", () => {
    expect(RouteSchema.parse({ channels: ["oncall"], group_by: [] }).groupBy).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ["no channels", { channels: [] }, "channels"],
    ["channels missing", {}, "channels"],
    ["an unknown group_by", { channels: ["a"], group_by: ["severity"] }, "group_by"],
    ["a duration as text (the loader converts those)", { channels: ["a"], group_wait: "30s" }, "group_wait"],
    ["a negative group_wait", { channels: ["a"], group_wait: -1 }, "group_wait"],
    ["a fractional group_wait", { channels: ["a"], group_wait: 1.5 }, "group_wait"],
    ["a zero group_interval", { channels: ["a"], group_interval: 0 }, "group_interval"],
    ["a zero repeat_interval", { channels: ["a"], repeat_interval: 0 }, "repeat_interval"],
    ["continue as text", { channels: ["a"], continue: "yes" }, "continue"],
    ["a misspelt key", { channels: ["a"], groupwait: 0 }, ""],
  ])("refuses %s", (_name, input, path) => {
    const result = RouteSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0] ?? "").toBe(path);
  });

  it("reads a list in order", () => {
    const routes = RoutesSchema.parse([{ channels: ["a"], match: { component: "api" } }, { channels: ["b"] }]);
    expect(routes.map((r) => r.channels)).toEqual([["a"], ["b"]]);
  });
});

describe("SilenceSchema", () => {
  const raw = {
    id: "sil-1",
    matchers: { component: "orders-db" },
    starts_at: new Date("2026-01-01T00:00:00Z"),
    ends_at: new Date("2026-01-01T02:00:00Z"),
    created_by: "ana",
    comment: "failover drill",
  };

  it("reads a silence", () => {
    expect(SilenceSchema.parse(raw)).toEqual({
      id: "sil-1",
      matchers: { component: ["orders-db"] },
      startsAt: new Date("2026-01-01T00:00:00Z"),
      endsAt: new Date("2026-01-01T02:00:00Z"),
      createdBy: "ana",
      comment: "failover drill",
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["no matchers", { matchers: {} }, "matchers"],
    ["an end at its start", { ends_at: new Date("2026-01-01T00:00:00Z") }, "ends_at"],
    ["an end before its start", { ends_at: new Date("2025-12-31T23:00:00Z") }, "ends_at"],
    ["a start as text", { starts_at: "2026-01-01T00:00:00Z" }, "starts_at"],
    ["no author", { created_by: "" }, "created_by"],
  ])("refuses %s", (_name, change, path) => {
    const result = SilenceSchema.safeParse({ ...raw, ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path[0])).toEqual([path]);
  });
});

describe("catchAllRoute", () => {
  it("sends everything to the channels with the default grouping", () => {
    expect(catchAllRoute(["a", "b"])).toEqual<Route>({ channels: ["a", "b"], match: {}, continue: false, ...defaultGroupPolicy });
  });
});

describe("MatcherSchema messages", () => {
  it.each<[unknown, string]>([
    [{ severity: "major" }, 'expected a list of severities or a minimum such as ">=major"'],
    [{ component: 3 }, "expected a component id or a list of them"],
    [{ kind: "incident.closed" }, "matches no message kind; kinds are incident.created, incident.updated, incident.resolved, incident.update_due, monitor.down, monitor.up, maintenance.scheduled, maintenance.in_progress, maintenance.completed, window.closed, upstream.degraded, upstream.recovered, region.stale, region.recovered, region.isolated, region.reconnected, vantage.suspect, vantage.restored, action.approval_requested, action.approval_timed_out, action.ramp_aborted, test (\"*\" stands for any characters, as in \"incident.*\")"],
  ])("%j", (input, message) => {
    expect(MatcherSchema.safeParse(input).error?.issues[0]?.message).toBe(message);
  });
});
