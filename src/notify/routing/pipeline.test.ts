import { describe, expect, it } from "vitest";
import { buildGraph } from "../../incidents/graph.ts";
import type { MessageKind, NotificationMessage, Severity } from "../types.ts";
import { RoutesSchema, SilenceSchema } from "./config.ts";
import type { SentNotification } from "./inhibit.ts";
import { planDeliveries, type PlanContext } from "./pipeline.ts";

const hard = (id: string) => ({ id, soft: false });
const graph = buildGraph([
  { id: "orders-db", dependsOn: [] },
  { id: "api", dependsOn: [hard("orders-db")] },
  { id: "checkout", dependsOn: [hard("api")] },
]);

const t = (hhmm: string): Date => new Date(`2026-01-01T${hhmm}:00Z`);

const message = (kind: MessageKind, componentIds: string[], severity: Severity = "major", incidentId: string | null = "inc-1"): NotificationMessage => ({
  kind,
  eventId: "ev-1",
  at: t("10:00"),
  site: { name: "Shop", url: "https://status.example.com" },
  severity,
  title: "",
  text: "",
  markdown: null,
  url: "https://status.example.com",
  dedupKey: `incident:${incidentId}`,
  incident:
    incidentId === null
      ? null
      : { id: incidentId, name: "Outage", status: "investigating", impact: severity, startedAt: t("09:55"), resolvedAt: null, rootIds: ["orders-db"], impactedIds: ["api", "checkout"] },
  components: componentIds.map((id) => ({ id, name: id, group: null, status: "major_outage", previousStatus: "operational" })),
  labels: {},
});

const routes = RoutesSchema.parse([
  /* 0 */ { channels: ["pager"], match: { severity: ">=major", kind: ["incident.*", "monitor.*"] }, continue: true },
  /* 1 */ { channels: ["chat", "pager"], match: { kind: ["incident.*", "monitor.*"] }, group_interval: 120_000 },
  /* 2 */ { channels: ["status-log"], match: { kind: "maintenance.*" } },
]);

const pagedOnPager: SentNotification[] = [{ incidentId: "inc-1", componentIds: ["orders-db"], kind: "incident.created", channelId: "pager", at: t("09:56") }];

const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
  routes,
  allChannels: ["pager", "chat", "status-log"],
  silences: [],
  maintenanceComponentIds: [],
  now: t("10:00"),
  alreadyNotified: [],
  graph,
  ...over,
});

/** A plan in short: "channel@route" for deliveries, "channel: reason" for inhibitions. */
function summary(message: NotificationMessage, context: PlanContext): { deliveries: string[]; muted: string | null; inhibited: string[] } {
  const plan = planDeliveries(message, context);
  return {
    deliveries: plan.deliveries.map((d) => `${d.channelId}@${d.routeIndex ?? "all"}`),
    muted: plan.muted,
    inhibited: plan.inhibited.map((i) => `${i.channelId}: ${i.reason}`),
  };
}

describe("planDeliveries", () => {
  it.each<[string, NotificationMessage, Partial<PlanContext>, ReturnType<typeof summary>]>([
    [
      "a major incident: pager by the first route, chat by the second (pager once)",
      message("incident.created", ["orders-db"]),
      {},
      { deliveries: ["pager@0", "chat@1"], muted: null, inhibited: [] },
    ],
    [
      "a minor incident: the second route alone",
      message("incident.created", ["orders-db"], "minor"),
      {},
      { deliveries: ["chat@1", "pager@1"], muted: null, inhibited: [] },
    ],
    [
      "maintenance: its own route",
      message("maintenance.scheduled", ["orders-db"], "none", null),
      {},
      { deliveries: ["status-log@2"], muted: null, inhibited: [] },
    ],
    ["no route matches: nowhere, and nothing to mute", message("test", []), {}, { deliveries: [], muted: null, inhibited: [] }],
    [
      "no routes configured: every channel",
      message("test", []),
      { routes: [] },
      { deliveries: ["pager@all", "chat@all", "status-log@all"], muted: null, inhibited: [] },
    ],
    [
      "silenced: no channel",
      message("monitor.down", ["api"]),
      {
        silences: [SilenceSchema.parse({ id: "s1", matchers: { component: "api" }, starts_at: t("09:00"), ends_at: t("11:00"), created_by: "ana", comment: "deploy" })],
      },
      { deliveries: [], muted: "silenced by s1 until 2026-01-01T11:00:00.000Z (ana: deploy)", inhibited: [] },
    ],
    [
      "a silence that has ended mutes nothing",
      message("monitor.down", ["api"]),
      {
        silences: [SilenceSchema.parse({ id: "s1", matchers: { component: "api" }, starts_at: t("09:00"), ends_at: t("10:00"), created_by: "ana", comment: "deploy" })],
      },
      { deliveries: ["pager@0", "chat@1"], muted: null, inhibited: [] },
    ],
    [
      "under maintenance: no channel",
      message("monitor.down", ["api", "checkout"]),
      { maintenanceComponentIds: new Set(["api", "checkout"]) },
      { deliveries: [], muted: "every component is under maintenance: api, checkout", inhibited: [] },
    ],
    [
      "inhibited where the root was paged, delivered elsewhere",
      message("monitor.down", ["api"]),
      { alreadyNotified: pagedOnPager },
      { deliveries: ["chat@1"], muted: null, inhibited: ["pager: api downstream of orders-db, already notified for incident inc-1"] },
    ],
    [
      "the root itself is never inhibited",
      message("incident.updated", ["orders-db", "api"]),
      { alreadyNotified: pagedOnPager },
      { deliveries: ["pager@0", "chat@1"], muted: null, inhibited: [] },
    ],
    [
      "a merged incident",
      message("incident.resolved", ["api"], "major", "inc-2"),
      { mergedInto: { "inc-2": "inc-1" } },
      { deliveries: [], muted: null, inhibited: ["pager: incident inc-2 was merged into incident inc-1", "chat: incident inc-2 was merged into incident inc-1"] },
    ],
  ])("%s", (_name, msg, over, expected) => {
    expect(summary(msg, ctx(over))).toEqual(expected);
  });

  it("hands each delivery its route for grouping", () => {
    const plan = planDeliveries(message("incident.created", ["orders-db"]), ctx());
    expect(plan.deliveries.map((d) => d.route.groupIntervalMs)).toEqual([60_000, 120_000]);
  });
});
