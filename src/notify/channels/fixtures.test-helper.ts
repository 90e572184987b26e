/** Realistic notification messages for the channel tests. */
import type { NotificationMessage } from "../types.ts";

/** An incident just opened: a database down, the API behind it partially out. */
export function incidentOpened(overrides: Partial<NotificationMessage> = {}): NotificationMessage {
  return {
    kind: "incident.created",
    eventId: "4711",
    at: new Date("2026-03-14T09:26:53.000Z"),
    site: { name: "Acme Status", url: "https://status.acme.test" },
    severity: "critical",
    title: "[Critical] Orders database outage: investigating",
    text: "Connections to the orders database are failing; checkout is unavailable.\nAffected: Orders database (major outage), Production API (partial outage).",
    markdown: "Connections to the **orders database** are failing; checkout is unavailable.",
    url: "https://status.acme.test/incidents/inc-42",
    dedupKey: "vigil:incident:inc-42",
    incident: {
      id: "inc-42",
      name: "Orders database outage",
      status: "investigating",
      impact: "critical",
      startedAt: new Date("2026-03-14T09:25:41.000Z"),
      resolvedAt: null,
      rootIds: ["orders-db"],
      impactedIds: ["api"],
    },
    components: [
      { id: "orders-db", name: "Orders database", group: "Data stores", status: "major_outage", previousStatus: "operational" },
      { id: "api", name: "Production API", group: null, status: "partial_outage", previousStatus: "operational" },
    ],
    labels: { region: "eu-west", monitor: "orders-db-mysql" },
    ...overrides,
  };
}

/** The same incident, resolved. */
export function incidentResolved(): NotificationMessage {
  const opened = incidentOpened();
  const resolvedAt = new Date("2026-03-14T10:02:10.000Z");
  return {
    ...opened,
    kind: "incident.resolved",
    eventId: "4790",
    at: resolvedAt,
    title: "[Critical] Orders database outage: resolved",
    text: "The orders database is answering again; checkout works.",
    markdown: "The orders database is answering again; checkout works.",
    incident: { ...(opened.incident as NonNullable<NotificationMessage["incident"]>), status: "resolved", resolvedAt },
    components: [
      { id: "orders-db", name: "Orders database", group: "Data stores", status: "operational", previousStatus: "major_outage" },
      { id: "api", name: "Production API", group: null, status: "operational", previousStatus: "partial_outage" },
    ],
  };
}

/** A responder's update: the cause is identified. */
export function incidentIdentified(): NotificationMessage {
  const opened = incidentOpened();
  return {
    ...opened,
    kind: "incident.updated",
    eventId: "4750",
    at: new Date("2026-03-14T09:41:00.000Z"),
    title: "[Critical] Orders database outage: identified",
    text: "A full disk on the primary; failing over.",
    markdown: "A full disk on the primary; failing over.",
    incident: { ...(opened.incident as NonNullable<NotificationMessage["incident"]>), status: "identified" },
  };
}

/** A monitor down, outside any incident. */
export function monitorDown(): NotificationMessage {
  return {
    kind: "monitor.down",
    eventId: "4702",
    at: new Date("2026-03-14T09:25:43.000Z"),
    site: { name: "Acme Status", url: "https://status.acme.test" },
    severity: "major",
    title: "[Major] Search is down",
    text: "search-http: connection refused by search.internal:9200",
    markdown: null,
    url: "https://status.acme.test",
    dedupKey: "vigil:monitor:search-http",
    incident: null,
    components: [{ id: "search", name: "Search", group: null, status: "partial_outage", previousStatus: "operational" }],
    labels: { type: "http" },
  };
}

/** Scheduled maintenance starting. */
export function maintenanceStarted(): NotificationMessage {
  return {
    ...incidentOpened(),
    kind: "maintenance.in_progress",
    eventId: "4800",
    severity: "none",
    title: "Database upgrade: in progress",
    text: "Scheduled maintenance is in progress.",
    markdown: null,
    url: "https://status.acme.test/maintenances/mnt-7",
    dedupKey: "vigil:maintenance:mnt-7",
    incident: null,
    components: [{ id: "orders-db", name: "Orders database", group: "Data stores", status: "under_maintenance", previousStatus: "operational" }],
  };
}

/** Text full of characters that markup languages give meaning to. */
export const awkwardText = `Latency > 5 s & errors < 1% on <b>"orders"</b> *really* _now_ [link](https://evil.test) @everyone`;
