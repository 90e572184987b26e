import { describe, expect, it } from "vitest";
import { z } from "zod";
import { samplePageView } from "../../../test/helpers/page-view.ts";
import { buildPageView, type UpstreamInput } from "../view/build.ts";
import type { IncidentView, MaintenanceView, PageView } from "../view/types.ts";
import {
  v2ActiveMaintenances,
  v2Components,
  v2Documents,
  v2Incidents,
  v2ListLimit,
  v2Paths,
  v2ScheduledMaintenances,
  v2Status,
  v2Summary,
  v2UnresolvedIncidents,
  v2UpcomingMaintenances,
  v2WebhookObjects,
} from "./v2.ts";
import { v2JsonSchemas, v2Schemas, type V2Path } from "./v2-schemas.ts";

const isoMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Every value under a key ending in `_at`, `_for` or `_until`, with its path. */
function times(value: unknown, path = "$"): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => times(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [...(/_(at|for|until)$/.test(k) ? [[`${path}.${k}`, v] as [string, unknown]] : []), ...times(v, `${path}.${k}`)]);
}

function hasDate(value: unknown): boolean {
  if (value instanceof Date) return true;
  if (Array.isArray(value)) return value.some(hasDate);
  if (value !== null && typeof value === "object") return Object.values(value).some(hasDate);
  return false;
}

function incidentAt(i: number, status: IncidentView["status"]): IncidentView {
  const at = new Date(Date.UTC(2026, 9, 1) + i * 3_600_000);
  return {
    id: `inc_${String(i).padStart(16, "0")}`,
    name: `Incident ${i}`,
    status,
    impact: "minor",
    createdAt: at,
    updatedAt: at,
    startedAt: at,
    monitoringAt: null,
    resolvedAt: status === "resolved" ? at : null,
    shortlink: `https://status.example.com/incidents/${i}`,
    postmortemBody: null,
    postmortemBodyHtml: null,
    postmortemPublishedAt: null,
    components: [],
    updates: [],
  };
}

function maintenanceAt(i: number, status: MaintenanceView["status"]): MaintenanceView {
  const at = new Date(Date.UTC(2026, 9, 1) + i * 86_400_000);
  return {
    id: `mnt_${String(i).padStart(16, "0")}`,
    name: `Maintenance ${i}`,
    status,
    body: "Work.",
    bodyHtml: "<p>Work.</p>",
    createdAt: new Date(Date.UTC(2026, 8, 1)),
    updatedAt: new Date(Date.UTC(2026, 8, 1)),
    scheduledFor: at,
    scheduledUntil: new Date(at.getTime() + 3_600_000),
    startedAt: null,
    completedAt: status === "completed" ? new Date(at.getTime() + 3_600_000) : null,
    shortlink: `https://status.example.com/maintenances/${i}`,
    components: [],
  };
}

describe("Statuspage v2 documents", () => {
  const view = samplePageView();
  const docs = v2Documents(view);

  it("renders every path, and every document parses with its strict schema", () => {
    expect(Object.keys(docs).sort()).toEqual([...v2Paths].sort());
    for (const path of v2Paths) expect(() => v2Schemas[path].parse(docs[path]), path).not.toThrow();
  });

  it("every document also passes its published JSON Schema, which rejects unknown fields", () => {
    const schemas = v2JsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual([...v2Paths].sort());
    for (const path of v2Paths) {
      const published = z.fromJSONSchema(schemas[path] as Parameters<typeof z.fromJSONSchema>[0]);
      expect(published.safeParse(docs[path]).success, path).toBe(true);
      expect(published.safeParse({ ...docs[path], extra: true }).success, path).toBe(false);
      expect(schemas[path]).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", additionalProperties: false, title: path });
      expect((schemas[path] as { required: string[] }).required.sort()).toEqual(Object.keys(docs[path]).sort());
    }
  });

  it("the strict schemas refuse extra fields, wrong enums and Date objects", () => {
    const components = v2Schemas["components.json"];
    const good = docs["components.json"];
    const [first, ...rest] = good.components;
    expect(components.safeParse({ ...good, components: [{ ...first, extra: 1 }, ...rest] }).success).toBe(false);
    expect(components.safeParse({ ...good, components: [{ ...first, status: "down" }, ...rest] }).success).toBe(false);
    expect(v2Schemas["status.json"].safeParse({ ...docs["status.json"], page: { ...docs["status.json"].page, updated_at: new Date() } }).success).toBe(false);
    const incident = docs["incidents.json"].incidents[0]!;
    expect(v2Schemas["incidents.json"].safeParse({ ...docs["incidents.json"], incidents: [{ ...incident, postmortem_body: 3 }] }).success).toBe(false);
  });

  it("every document has the page, with updated_at from the view", () => {
    for (const path of v2Paths) {
      expect(docs[path].page, path).toEqual({ id: "acmestatus01", name: "Acme Status", url: "https://status.example.com", time_zone: "Europe/Paris", updated_at: "2026-11-27T13:21:00.000Z" });
    }
  });

  it("status.json and summary.json carry the view's indicator and description", () => {
    expect(v2Status(view)).toEqual({ page: docs["status.json"].page, status: { indicator: "critical", description: "Major System Outage" } });
    expect(docs["summary.json"].status).toEqual({ indicator: "critical", description: "Major System Outage" });
    expect(Object.keys(docs["summary.json"])).toEqual(["page", "components", "incidents", "scheduled_maintenances", "status"]);
  });

  it("components.json lists each group row followed by its components, then the ungrouped ones by position", () => {
    const rows = v2Components(view).components;
    expect(rows.map((r) => r.id)).toEqual(["group-infrastructure", "orders-db", "cache", "api", "checkout"]);
    expect(rows[0]).toEqual({
      id: "group-infrastructure",
      name: "Infrastructure",
      status: "major_outage",
      created_at: "2026-08-01T00:00:00.000Z",
      updated_at: "2026-11-27T13:20:06.000Z",
      position: 1,
      description: null,
      showcase: false,
      start_date: null,
      group_id: null,
      page_id: "acmestatus01",
      group: true,
      only_show_if_degraded: false,
      components: ["orders-db", "cache"],
    });
    expect(rows[2]).toEqual({
      id: "cache",
      name: "Cache",
      status: "operational",
      created_at: "2026-08-01T00:00:00.000Z",
      updated_at: "2026-11-27T10:00:00.000Z",
      position: 2,
      description: "Redis cache",
      showcase: true,
      start_date: "2026-08-01",
      group_id: "group-infrastructure",
      page_id: "acmestatus01",
      group: false,
      only_show_if_degraded: false,
    });
    expect(rows.map((r) => [r.id, r.group_id, r.group])).toEqual([
      ["group-infrastructure", null, true],
      ["orders-db", "group-infrastructure", false],
      ["cache", "group-infrastructure", false],
      ["api", null, false],
      ["checkout", null, false],
    ]);
    expect(docs["summary.json"].components).toEqual(rows);
  });

  it("orders groups among ungrouped components by position, and shows a component of an unknown group ungrouped", () => {
    const v = samplePageView();
    v.groups[0]!.position = 2.5;
    v.components.push({ ...v.components[3]!, id: "orphan", name: "Orphan", position: 9, groupId: "group-gone" });
    const rows = v2Components(v).components;
    expect(rows.map((r) => r.id)).toEqual(["api", "group-infrastructure", "orders-db", "cache", "checkout", "orphan"]);
    expect(rows.find((r) => r.id === "orphan")?.group_id).toBeNull();
    // Ordered by the view's positions (2.5 included), numbered as Statuspage numbers them.
    expect(rows.map((r) => r.position)).toEqual([1, 2, 1, 2, 3, 4]);
  });

  it("numbers positions as Statuspage does: top-level rows from 1, each group's components from 1", () => {
    const v = samplePageView();
    const rows = v2Components(v).components;
    expect(rows.map((r) => [r.id, r.position])).toEqual([
      ["group-infrastructure", 1],
      ["orders-db", 1],
      ["cache", 2],
      ["api", 2],
      ["checkout", 3],
    ]);
    // An incident's components carry the same rows, positions included.
    const [incident] = v2Incidents(v).incidents;
    for (const c of incident!.components) expect(c).toEqual(rows.find((r) => r.id === c.id));
  });

  it("incidents carry their updates newest first, with Statuspage's update fields", () => {
    const [identified, postmortem] = v2Incidents(view).incidents;
    expect(identified!.incident_updates.map((u) => u.id)).toEqual(["upd_00000000000000a2", "upd_00000000000000a1"]);
    expect(identified!.incident_updates[1]).toEqual({
      id: "upd_00000000000000a1",
      status: "investigating",
      body: "We are investigating a major outage affecting Orders database and Production API.",
      incident_id: "inc_00000000000000a1",
      created_at: "2026-11-27T13:20:06.000Z",
      updated_at: "2026-11-27T13:20:06.000Z",
      display_at: "2026-11-27T13:20:06.000Z",
      affected_components: [
        { code: "orders-db", name: "Orders database", old_status: "operational", new_status: "major_outage" },
        { code: "api", name: "Production API", old_status: "operational", new_status: "major_outage" },
      ],
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    });
    expect(postmortem).toMatchObject({
      id: "inc_00000000000000b2",
      status: "postmortem",
      impact: "major",
      monitoring_at: "2026-09-28T08:30:00.000Z",
      resolved_at: "2026-09-28T08:45:00.000Z",
      started_at: "2026-09-28T07:59:00.000Z",
      shortlink: "https://status.example.com/incidents/inc_00000000000000b2",
      page_id: "acmestatus01",
    });
  });

  it("sorts updates newest first by display time even when the view does not", () => {
    const v = samplePageView();
    v.incidents[0]!.updates.reverse();
    expect(v2Incidents(v).incidents[0]!.incident_updates.map((u) => u.id)).toEqual(["upd_00000000000000a2", "upd_00000000000000a1"]);
  });

  it("an incident's components are the full rows of its affected components, group_id included", () => {
    const [identified] = v2Incidents(view).incidents;
    const rows = docs["components.json"].components;
    expect(identified!.components).toEqual([rows.find((r) => r.id === "orders-db"), rows.find((r) => r.id === "api")]);
    expect(identified!.components[0]!.group_id).toBe("group-infrastructure");
  });

  it("leaves out affected components the page no longer shows, and prints null when an update changed none", () => {
    const v = samplePageView();
    v.incidents[0]!.components.push({ id: "hidden", name: "Hidden", status: "major_outage" });
    v.incidents[0]!.updates[0]!.affectedComponents = [];
    const [incident] = v2Incidents(v).incidents;
    expect(incident!.components.map((c) => c.id)).toEqual(["orders-db", "api"]);
    expect(incident!.incident_updates[0]!.affected_components).toBeNull();
    expect(v2Schemas["incidents.json"].parse(v2Incidents(v))).toBeTruthy();
  });

  it("incidents carry Statuspage's postmortem fields: the body once published, null before", () => {
    const [open, past] = docs["incidents.json"].incidents;
    expect(open).toMatchObject({ postmortem_body: null, postmortem_published_at: null, postmortem_body_last_updated_at: null, postmortem_ignored: false, postmortem_notified_subscribers: false, postmortem_notified_twitter: false });
    expect(past).toMatchObject({ postmortem_body: "# Postmortem\n\nAn index was missing.", postmortem_published_at: "2026-09-30T08:00:00.000Z" });
  });

  it("incidents/unresolved.json and summary.json list the open incidents only", () => {
    expect(v2UnresolvedIncidents(view).incidents.map((i) => i.id)).toEqual(["inc_00000000000000a1"]);
    expect(docs["summary.json"].incidents).toEqual(v2UnresolvedIncidents(view).incidents);
    expect(docs["incidents.json"].incidents.map((i) => i.id)).toEqual(["inc_00000000000000a1", "inc_00000000000000b2"]);
  });

  it("incidents.json keeps the 50 most recent of 60, newest first; unresolved keeps every open one", () => {
    const v = samplePageView();
    const statuses: IncidentView["status"][] = ["investigating", "identified", "monitoring", "resolved", "postmortem"];
    // Shuffled, so the order comes from the renderer, not the input.
    v.incidents = Array.from({ length: 60 }, (_, i) => incidentAt((i * 37) % 60, statuses[i % 5]!));
    const list = v2Incidents(v).incidents;
    expect(v2ListLimit).toBe(50);
    expect(list).toHaveLength(50);
    expect(list[0]!.name).toBe("Incident 59");
    expect(list.at(-1)!.name).toBe("Incident 10");
    const created = list.map((i) => Date.parse(i.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const open = v2UnresolvedIncidents(v).incidents;
    expect(open).toHaveLength(36);
    expect(open.every((i) => ["investigating", "identified", "monitoring"].includes(i.status))).toBe(true);
    expect(open.some((i) => Date.parse(i.created_at) < created.at(-1)!)).toBe(true);
    expect(v2Schemas["incidents.json"].parse(v2Incidents(v))).toBeTruthy();
  });

  it("ties in creation time are broken by id", () => {
    const v = samplePageView();
    v.incidents = [{ ...incidentAt(1, "resolved"), id: "b" }, { ...incidentAt(1, "resolved"), id: "a" }];
    expect(v2Incidents(v).incidents.map((i) => i.id)).toEqual(["a", "b"]);
  });

  it("scheduled maintenances: impact maintenance, scheduled_for/until, one update from the body", () => {
    const [upcoming, inProgress] = v2ScheduledMaintenances(view).scheduled_maintenances;
    expect(inProgress).toEqual({
      id: "mnt_00000000000000c1",
      name: "Cache upgrade",
      status: "in_progress",
      created_at: "2026-11-27T09:00:00.000Z",
      updated_at: "2026-11-27T13:00:00.000Z",
      monitoring_at: null,
      resolved_at: null,
      impact: "maintenance",
      shortlink: "https://status.example.com/maintenances/mnt_00000000000000c1",
      started_at: "2026-11-27T13:00:00.000Z",
      page_id: "acmestatus01",
      incident_updates: [
        {
          id: "mnt_00000000000000c1_update",
          status: "in_progress",
          body: "Upgrading the cache.",
          incident_id: "mnt_00000000000000c1",
          created_at: "2026-11-27T09:00:00.000Z",
          updated_at: "2026-11-27T13:00:00.000Z",
          display_at: "2026-11-27T09:00:00.000Z",
          affected_components: null,
          deliver_notifications: true,
          custom_tweet: null,
          tweet_id: null,
        },
      ],
      components: [docs["components.json"].components.find((r) => r.id === "cache")],
      scheduled_for: "2026-11-27T13:00:00.000Z",
      scheduled_until: "2026-11-27T15:00:00.000Z",
    });
    // Not started yet: started_at is the planned start.
    expect(upcoming).toMatchObject({ id: "mnt_00000000000000c2", status: "scheduled", impact: "maintenance", started_at: "2026-12-02T01:00:00.000Z", resolved_at: null });
    expect(upcoming!.incident_updates.map((u) => [u.status, u.body])).toEqual([["scheduled", "Switch replacement."]]);
  });

  it("upcoming.json has the scheduled ones, active.json the in-progress and verifying ones, summary both", () => {
    const v = samplePageView();
    v.maintenances = [maintenanceAt(1, "completed"), maintenanceAt(2, "verifying"), maintenanceAt(3, "in_progress"), maintenanceAt(4, "scheduled"), maintenanceAt(5, "scheduled")];
    const names = (list: { name: string }[]) => list.map((m) => m.name);
    expect(names(v2UpcomingMaintenances(v).scheduled_maintenances)).toEqual(["Maintenance 5", "Maintenance 4"]);
    expect(names(v2ActiveMaintenances(v).scheduled_maintenances)).toEqual(["Maintenance 3", "Maintenance 2"]);
    expect(names(v2Summary(v).scheduled_maintenances)).toEqual(["Maintenance 5", "Maintenance 4", "Maintenance 3", "Maintenance 2"]);
    const all = v2ScheduledMaintenances(v).scheduled_maintenances;
    expect(names(all)).toEqual(["Maintenance 5", "Maintenance 4", "Maintenance 3", "Maintenance 2", "Maintenance 1"]);
    expect(all.at(-1)).toMatchObject({ status: "completed", resolved_at: "2026-10-02T01:00:00.000Z" });
    for (const path of v2Paths) expect(() => v2Schemas[path].parse(v2Documents(v)[path]), path).not.toThrow();

    expect(names(v2UpcomingMaintenances(view).scheduled_maintenances)).toEqual(["Network work"]);
    expect(names(v2ActiveMaintenances(view).scheduled_maintenances)).toEqual(["Cache upgrade"]);
  });

  it("scheduled-maintenances.json keeps the 50 most recent by scheduled start", () => {
    const v = samplePageView();
    v.maintenances = Array.from({ length: 60 }, (_, i) => maintenanceAt((i * 37) % 60, "completed"));
    const list = v2ScheduledMaintenances(v).scheduled_maintenances;
    expect(list).toHaveLength(50);
    expect(list[0]!.name).toBe("Maintenance 59");
    expect(list.at(-1)!.name).toBe("Maintenance 10");
  });

  it("prints every instant as ISO 8601 UTC with milliseconds, and leaves no Date behind", () => {
    const all = times(docs);
    expect(all.length).toBeGreaterThan(50);
    for (const [path, value] of all) if (value !== null) expect(value, path).toMatch(isoMs);
    expect(hasDate(docs)).toBe(false);
    expect(JSON.parse(JSON.stringify(docs))).toEqual(docs);
  });

  it("keeps HTML in names and bodies as text: JSON is not HTML", () => {
    const checkout = docs["components.json"].components.find((r) => r.id === "checkout");
    expect(checkout?.name).toBe("Checkout <beta>");
    expect(docs["incidents.json"].incidents[0]!.incident_updates[0]!.body).toBe("The primary ran out of disk; failing over. <script>alert(1)</script>");
    const json = JSON.stringify(docs["components.json"]);
    expect(json).toContain('"name":"Checkout <beta>"');
    expect(json).not.toContain("&lt;");
  });

  it("is pure: the view is not changed and the same view renders the same documents", () => {
    const v = samplePageView();
    const before = structuredClone(v);
    const once = JSON.stringify(v2Documents(v));
    expect(v).toEqual(before);
    expect(JSON.stringify(v2Documents(v))).toBe(once);
  });

  it("renders an empty page", () => {
    const v: PageView = { ...samplePageView(), components: [], groups: [], incidents: [], maintenances: [], status: { indicator: "none", description: "All Systems Operational" } };
    const empty = v2Documents(v);
    for (const path of v2Paths) expect(() => v2Schemas[path].parse(empty[path]), path).not.toThrow();
    expect(empty["summary.json"]).toMatchObject({ components: [], incidents: [], scheduled_maintenances: [], status: { indicator: "none" } });
  });

  it("each aggregate entry equals its endpoint function", () => {
    const fns: Record<V2Path, (v: PageView) => unknown> = {
      "summary.json": v2Summary,
      "status.json": v2Status,
      "components.json": v2Components,
      "incidents.json": v2Incidents,
      "incidents/unresolved.json": v2UnresolvedIncidents,
      "scheduled-maintenances.json": v2ScheduledMaintenances,
      "scheduled-maintenances/upcoming.json": v2UpcomingMaintenances,
      "scheduled-maintenances/active.json": v2ActiveMaintenances,
    };
    for (const path of v2Paths) expect(docs[path], path).toEqual(fns[path](view));
  });
});

describe("v2WebhookObjects", () => {
  const view = samplePageView();

  it("gives the very objects /api/v2 serves: the incident or maintenance, the component rows, the page id and status", () => {
    const incident = v2Incidents(view).incidents[0]!;
    const rows = v2Components(view).components;
    expect(v2WebhookObjects(view, { incidentId: incident.id, componentIds: ["api", "orders-db", "gone"] })).toEqual({
      page: { id: "acmestatus01", status_indicator: "critical", status_description: "Major System Outage" },
      incident,
      components: [rows.find((r) => r.id === "api"), rows.find((r) => r.id === "orders-db")],
    });
    const maintenance = v2ScheduledMaintenances(view).scheduled_maintenances[1]!;
    expect(v2WebhookObjects(view, { maintenanceId: maintenance.id, componentIds: [] }).incident).toEqual(maintenance);
    expect(v2WebhookObjects(view, { incidentId: "inc_unpublished", componentIds: [] }).incident).toBeNull();
  });
});

describe("third-party components (upstream providers) in v2", () => {
  const now = new Date("2026-11-27T12:00:00Z");
  const created = new Date("2026-08-01T00:00:00Z");
  const viewWith = (upstreams: UpstreamInput[] | undefined): PageView =>
    buildPageView({
      pageId: "page1",
      site: { name: "Acme Status", url: "https://status.example.com", timeZone: "UTC", description: null, logoUrl: null, accentColor: null, links: [] },
      components: [
        { id: "orders-db", name: "Orders database", group: "Infrastructure", description: null, position: 0, hidden: false, createdAt: created, updatedAt: created },
        { id: "api", name: "API", group: null, description: null, position: 1, hidden: false, createdAt: created, updatedAt: created },
      ],
      statuses: { "orders-db": "operational", api: "operational" },
      incidents: [],
      maintenances: [],
      changes: [],
      now,
      ...(upstreams === undefined ? {} : { upstreams }),
    });

  it("lists none without upstreams", () => {
    const rows = v2Components(viewWith(undefined)).components;
    expect(rows.map((r) => r.id)).toEqual(["group-infrastructure", "orders-db", "api"]);
    expect(v2Components(viewWith([]))).toEqual(v2Components(viewWith(undefined)));
  });

  it("lists them last, in the group row \"Third-party services\", with the provider's status and the description saying so", () => {
    const v = viewWith([
      { id: "aws-rds", name: "AWS RDS (Oregon)", status: "major_outage" },
      { id: "github", name: "GitHub", status: "operational" },
    ]);
    const docs = v2Documents(v);
    for (const path of v2Paths) expect(() => v2Schemas[path].parse(docs[path]), path).not.toThrow();
    const rows = docs["components.json"].components;
    expect(rows.map((r) => [r.id, r.group_id, r.group])).toEqual([
      ["group-infrastructure", null, true],
      ["orders-db", "group-infrastructure", false],
      ["api", null, false],
      ["group-third-party-services", null, true],
      ["aws-rds", "group-third-party-services", false],
      ["github", "group-third-party-services", false],
    ]);
    expect(rows[3]).toMatchObject({ name: "Third-party services", status: "major_outage", position: 3, components: ["aws-rds", "github"] });
    expect(rows[4]).toEqual({
      id: "aws-rds",
      name: "AWS RDS (Oregon)",
      status: "major_outage",
      created_at: "2026-11-27T12:00:00.000Z",
      updated_at: "2026-11-27T12:00:00.000Z",
      position: 1,
      description: "Status reported by the provider",
      showcase: true,
      start_date: "2026-11-27",
      group_id: "group-third-party-services",
      page_id: "page1",
      group: false,
      only_show_if_degraded: false,
    });
    expect(docs["summary.json"].components).toEqual(rows);
    // The provider's outage is not the page's status.
    expect(docs["status.json"].status).toEqual({ indicator: "none", description: "All Systems Operational" });
    expect(docs["summary.json"].status).toEqual({ indicator: "none", description: "All Systems Operational" });
  });

  it("keeps a hostile name as text: JSON is not HTML", () => {
    const name = `<script>alert("x")</script> & co`;
    const json = JSON.stringify(v2Components(viewWith([{ id: "evil", name, status: "operational" }])));
    expect((JSON.parse(json) as { components: { id: string; name: string }[] }).components.find((r) => r.id === "evil")?.name).toBe(name);
    expect(json).not.toContain("&lt;");
  });
});
