import type { ComponentView, DayView, PageView } from "../../src/statuspage/view/types.ts";

const day = (i: number): string => new Date(Date.UTC(2026, 10, 27) - (89 - i) * 86_400_000).toISOString().slice(0, 10);

/** 90 days ending 2026-11-27, all operational with 100 % uptime except where `bad` says. */
export function days(bad: Record<number, Partial<DayView>> = {}): DayView[] {
  return Array.from({ length: 90 }, (_, i) => ({ date: day(i), status: "operational" as const, uptimePercent: 100, incidents: [], ...bad[i] }));
}

function component(id: string, name: string, position: number, extra: Partial<ComponentView> = {}): ComponentView {
  return {
    id,
    name,
    description: null,
    status: "operational",
    position,
    groupId: null,
    createdAt: new Date("2026-08-01T00:00:00Z"),
    updatedAt: new Date("2026-11-27T10:00:00Z"),
    startDate: "2026-08-01",
    days: days(),
    uptimePercent: 100,
    ...extra,
  };
}

/**
 * A status page in the middle of an outage: orders-db (in group Infrastructure) is down, the API
 * (which depends on it) too, checkout degraded; one unresolved incident with two updates, one
 * resolved incident with a postmortem, one maintenance in progress and one upcoming.
 */
export function samplePageView(): PageView {
  const at = (time: string) => new Date(`2026-11-27T${time}Z`);
  return {
    page: {
      id: "acmestatus01",
      name: "Acme Status",
      url: "https://status.example.com",
      timeZone: "Europe/Paris",
      updatedAt: at("13:21:00"),
      description: "Live status of Acme's services",
      logoUrl: "https://example.com/logo.svg",
      accentColor: "#2563eb",
      links: [{ label: "Acme", url: "https://example.com" }],
    },
    status: { indicator: "critical", description: "Major System Outage" },
    components: [
      component("orders-db", "Orders database", 0, { groupId: "group-infrastructure", status: "major_outage", uptimePercent: 99.2, days: days({ 89: { status: "major_outage", uptimePercent: 98.6, incidents: [{ id: "inc_00000000000000a1", name: "Orders database outage" }] }, 60: { status: "partial_outage", uptimePercent: 99.1, incidents: [{ id: "inc_00000000000000b2", name: "Slow orders" }] } }) }),
      component("cache", "Cache", 1, { groupId: "group-infrastructure", description: "Redis cache" }),
      component("api", "Production API", 2, { status: "major_outage", uptimePercent: 99.5, days: days({ 89: { status: "major_outage", uptimePercent: 98.6, incidents: [{ id: "inc_00000000000000a1", name: "Orders database outage" }] } }) }),
      component("checkout", "Checkout <beta>", 3, { status: "degraded_performance", days: days({ 0: { status: "no_data", uptimePercent: null } }) }),
    ],
    groups: [
      {
        id: "group-infrastructure",
        name: "Infrastructure",
        position: 0,
        componentIds: ["orders-db", "cache"],
        status: "major_outage",
        createdAt: new Date("2026-08-01T00:00:00Z"),
        updatedAt: at("13:20:06"),
      },
    ],
    incidents: [
      {
        id: "inc_00000000000000a1",
        name: "Orders database outage",
        status: "identified",
        impact: "critical",
        createdAt: at("13:20:06"),
        updatedAt: at("13:25:00"),
        startedAt: at("13:20:05"),
        monitoringAt: null,
        resolvedAt: null,
        shortlink: "https://status.example.com/incidents/inc_00000000000000a1",
        postmortemBody: null,
        postmortemBodyHtml: null,
        postmortemPublishedAt: null,
        components: [
          { id: "orders-db", name: "Orders database", status: "major_outage" },
          { id: "api", name: "Production API", status: "major_outage" },
        ],
        updates: [
          {
            id: "upd_00000000000000a2",
            status: "identified",
            body: "The primary ran out of disk; failing over. <script>alert(1)</script>",
            bodyHtml: "<p>The primary ran out of disk; failing over. </p>",
            createdAt: at("13:25:00"),
            updatedAt: at("13:25:00"),
            displayAt: at("13:25:00"),
            affectedComponents: [{ code: "orders-db", name: "Orders database", old_status: "major_outage", new_status: "major_outage" }],
            deliverNotifications: true,
          },
          {
            id: "upd_00000000000000a1",
            status: "investigating",
            body: "We are investigating a major outage affecting Orders database and Production API.",
            bodyHtml: "<p>We are investigating a major outage affecting Orders database and Production API.</p>",
            createdAt: at("13:20:06"),
            updatedAt: at("13:20:06"),
            displayAt: at("13:20:06"),
            affectedComponents: [
              { code: "orders-db", name: "Orders database", old_status: "operational", new_status: "major_outage" },
              { code: "api", name: "Production API", old_status: "operational", new_status: "major_outage" },
            ],
            deliverNotifications: true,
          },
        ],
      },
      {
        id: "inc_00000000000000b2",
        name: "Slow orders",
        status: "postmortem",
        impact: "major",
        createdAt: new Date("2026-09-28T08:00:00Z"),
        updatedAt: new Date("2026-09-30T08:00:00Z"),
        startedAt: new Date("2026-09-28T07:59:00Z"),
        monitoringAt: new Date("2026-09-28T08:30:00Z"),
        resolvedAt: new Date("2026-09-28T08:45:00Z"),
        shortlink: "https://status.example.com/incidents/inc_00000000000000b2",
        postmortemBody: "# Postmortem\n\nAn index was missing.",
        postmortemBodyHtml: "<h3>Postmortem</h3>\n<p>An index was missing.</p>\n",
        postmortemPublishedAt: new Date("2026-09-30T08:00:00Z"),
        components: [{ id: "orders-db", name: "Orders database", status: "major_outage" }],
        updates: [
          {
            id: "upd_00000000000000b3",
            status: "resolved",
            body: "This incident has been resolved.",
            bodyHtml: "<p>This incident has been resolved.</p>",
            createdAt: new Date("2026-09-28T08:45:00Z"),
            updatedAt: new Date("2026-09-28T08:45:00Z"),
            displayAt: new Date("2026-09-28T08:45:00Z"),
            affectedComponents: [{ code: "orders-db", name: "Orders database", old_status: "partial_outage", new_status: "operational" }],
            deliverNotifications: true,
          },
        ],
      },
    ],
    maintenances: [
      {
        id: "mnt_00000000000000c1",
        name: "Cache upgrade",
        status: "in_progress",
        body: "Upgrading the cache.",
        bodyHtml: "<p>Upgrading the cache.</p>",
        createdAt: at("09:00:00"),
        updatedAt: at("13:00:00"),
        scheduledFor: at("13:00:00"),
        scheduledUntil: at("15:00:00"),
        startedAt: at("13:00:00"),
        completedAt: null,
        shortlink: "https://status.example.com/maintenances/mnt_00000000000000c1",
        components: [{ id: "cache", name: "Cache", status: "under_maintenance" }],
      },
      {
        id: "mnt_00000000000000c2",
        name: "Network work",
        status: "scheduled",
        body: "Switch replacement.",
        bodyHtml: "<p>Switch replacement.</p>",
        createdAt: at("09:00:00"),
        updatedAt: at("09:00:00"),
        scheduledFor: new Date("2026-12-02T01:00:00Z"),
        scheduledUntil: new Date("2026-12-02T03:00:00Z"),
        startedAt: null,
        completedAt: null,
        shortlink: "https://status.example.com/maintenances/mnt_00000000000000c2",
        components: [{ id: "api", name: "Production API", status: "major_outage" }],
      },
    ],
    generatedAt: at("13:26:00"),
  };
}
