import { describe, expect, it } from "vitest";
import type { MessageKind, NotificationMessage, Severity } from "../types.ts";
import { RoutesSchema, type Matcher } from "./config.ts";
import { matches, routeMessage } from "./route.ts";

interface Spec {
  kind?: MessageKind;
  severity?: Severity;
  /** Component ids, with their group after a colon: "orders-db:Data". */
  components?: string[];
  labels?: Record<string, string>;
}

const message = ({ kind = "incident.created", severity = "major", components = ["orders-db:Data"], labels = {} }: Spec): NotificationMessage => ({
  kind,
  eventId: "ev-1",
  at: new Date("2026-01-01T00:00:00Z"),
  site: { name: "Shop", url: "https://status.example.com" },
  severity,
  title: "[Major] Orders database outage",
  text: "",
  markdown: null,
  url: "https://status.example.com/incidents/inc-1",
  dedupKey: "incident:inc-1",
  incident: null,
  components: components.map((spec) => {
    const [id = spec, group] = spec.split(":");
    return { id, name: id, group: group ?? null, status: "major_outage", previousStatus: "operational" };
  }),
  labels,
});

describe("matches", () => {
  it.each<[string, Matcher, Spec, boolean]>([
    ["empty matcher, anything", {}, { kind: "test", components: [] }, true],
    // component: any of the message's components.
    ["component listed", { component: ["orders-db"] }, {}, true],
    ["component one of several", { component: ["api", "orders-db"] }, {}, true],
    ["component, second of the message's", { component: ["api"] }, { components: ["orders-db", "api"] }, true],
    ["component not listed", { component: ["api"] }, {}, false],
    ["component, message without components", { component: ["api"] }, { components: [] }, false],
    // group: any of the message's components' groups.
    ["group", { group: ["Data"] }, {}, true],
    ["group of another component", { group: ["Web"] }, { components: ["orders-db:Data", "api:Web"] }, true],
    ["group not listed", { group: ["Web"] }, {}, false],
    ["group, component without group", { group: ["Web"] }, { components: ["api"] }, false],
    // severity: the list the file's list or minimum became.
    ["severity listed", { severity: ["major", "critical"] }, { severity: "critical" }, true],
    ["severity not listed", { severity: ["major", "critical"] }, { severity: "minor" }, false],
    ["severity none", { severity: ["none"] }, { severity: "none" }, true],
    // kind: exact or glob.
    ["kind exact", { kind: ["monitor.down"] }, { kind: "monitor.down" }, true],
    ["kind exact, other", { kind: ["monitor.down"] }, { kind: "monitor.up" }, false],
    ["kind glob", { kind: ["incident.*"] }, { kind: "incident.resolved" }, true],
    ["kind glob, other family", { kind: ["incident.*"] }, { kind: "maintenance.scheduled" }, false],
    ["kind one of several", { kind: ["test", "maintenance.*"] }, { kind: "maintenance.completed" }, true],
    ["kind star", { kind: ["*"] }, { kind: "window.closed" }, true],
    // labels: all equal.
    ["label equal", { labels: { region: "eu" } }, { labels: { region: "eu", type: "http" } }, true],
    ["label different", { labels: { region: "eu" } }, { labels: { region: "us" } }, false],
    ["label missing", { labels: { region: "eu" } }, {}, false],
    ["labels, one of two differs", { labels: { region: "eu", type: "tcp" } }, { labels: { region: "eu", type: "http" } }, false],
    ["labels, both equal", { labels: { region: "eu", type: "http" } }, { labels: { region: "eu", type: "http" } }, true],
    ["label named like an Object property", { labels: { toString: "x" } }, {}, false],
    // All conditions together.
    ["all hold", { component: ["orders-db"], group: ["Data"], severity: ["major"], kind: ["incident.*"], labels: { region: "eu" } }, { labels: { region: "eu" } }, true],
    ["all but severity hold", { component: ["orders-db"], group: ["Data"], severity: ["critical"], kind: ["incident.*"] }, {}, false],
  ])("%s", (_name, matcher, spec, expected) => {
    expect(matches(message(spec), matcher)).toBe(expected);
  });
});

describe("routeMessage", () => {
  const routes = RoutesSchema.parse([
    /* 0 */ { channels: ["db-team"], match: { component: "orders-db" }, continue: true },
    /* 1 */ { channels: ["pager"], match: { severity: ">=major", kind: "incident.*" } },
    /* 2 */ { channels: ["chat"], match: { kind: ["incident.*", "monitor.*"] } },
    /* 3 */ { channels: ["ops-log", "chat"] },
  ]);
  const all = ["db-team", "pager", "chat", "ops-log"];

  it.each<[string, Spec, (number | null)[]]>([
    ["continue, then the first match ends evaluation", {}, [0, 1]],
    ["continue, then a later match", { severity: "minor" }, [0, 2]],
    ["continue, then only the catch-all", { kind: "maintenance.scheduled" }, [0, 3]],
    ["no continue: the first match alone", { components: ["api"] }, [1]],
    ["skips what does not match", { components: ["api"], severity: "minor", kind: "monitor.down" }, [2]],
    ["the last route catches the rest", { components: ["api"], kind: "test" }, [3]],
  ])("%s", (_name, spec, indexes) => {
    expect(routeMessage(message(spec), routes, all).map((m) => m.routeIndex)).toEqual(indexes);
  });

  it("gives each match its route", () => {
    expect(routeMessage(message({}), routes, all).map((m) => m.route.channels)).toEqual([["db-team"], ["pager"]]);
  });

  it("sends nowhere when routes are configured and none matches", () => {
    const narrow = RoutesSchema.parse([{ channels: ["pager"], match: { severity: ["critical"] } }]);
    expect(routeMessage(message({ severity: "minor" }), narrow, all)).toEqual([]);
  });

  it("sends every message to every channel when no routes are configured", () => {
    expect(routeMessage(message({ kind: "maintenance.scheduled", components: [] }), [], all)).toEqual([
      {
        routeIndex: null,
        route: { channels: ["db-team", "pager", "chat", "ops-log"], match: {}, continue: false, groupBy: ["incident"], groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 14_400_000 },
      },
    ]);
  });

  it("sends nowhere with no routes and no channels", () => {
    expect(routeMessage(message({}), [], [])).toEqual([]);
  });

  it("takes every continuing route that matches", () => {
    const fanOut = RoutesSchema.parse([
      { channels: ["a"], continue: true },
      { channels: ["b"], match: { kind: "test" }, continue: true },
      { channels: ["c"], continue: true },
    ]);
    expect(routeMessage(message({}), fanOut, all).map((m) => m.routeIndex)).toEqual([0, 2]);
  });
});
