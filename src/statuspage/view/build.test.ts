import { describe, expect, it } from "vitest";
import type { StatusChange } from "../../incidents/windows.ts";
import { buildPageView, groupId, thirdPartyDescription, type IncidentInput, type ViewInput } from "./build.ts";
import { dayKey, lastDays, startOfDay } from "./days.ts";

const now = new Date("2026-11-27T12:00:00Z");
const created = new Date("2026-08-01T00:00:00Z");
const component = (id: string, position: number, extra: Partial<ViewInput["components"][number]> = {}) => ({
  id,
  name: id.toUpperCase(),
  group: null,
  description: null,
  position,
  hidden: false,
  createdAt: created,
  updatedAt: created,
  ...extra,
});
const change = (componentId: string, at: string, from: StatusChange["from"], to: StatusChange["to"]): StatusChange => ({
  componentId,
  at: new Date(at),
  from,
  to,
  since: null,
  lastUpAt: null,
  incidentIds: [],
});
const incident = (id: string, extra: Partial<IncidentInput["row"]> = {}, updates: IncidentInput["updates"] = []): IncidentInput => ({
  row: {
    id,
    name: `Incident ${id}`,
    status: "investigating",
    impact: "major",
    impactOverride: null,
    rootIds: ["db"],
    impactedIds: ["api"],
    startedAt: new Date("2026-11-27T10:00:00Z"),
    monitoringAt: null,
    resolvedAt: null,
    publishedAt: new Date("2026-11-27T10:00:05Z"),
    postmortemBody: null,
    postmortemPublishedAt: null,
    createdAt: new Date("2026-11-27T10:00:02Z"),
    updatedAt: new Date("2026-11-27T10:00:05Z"),
    ...extra,
  },
  updates,
});

function input(extra: Partial<ViewInput> = {}): ViewInput {
  return {
    pageId: "page1",
    site: { name: "Acme Status", url: "https://status.example.com/", timeZone: "UTC", description: null, logoUrl: null, accentColor: null, links: [] },
    components: [component("db", 0, { group: "Infrastructure" }), component("api", 1), component("cache", 2, { group: "Infrastructure" }), component("secret", 3, { hidden: true })],
    statuses: { db: "operational", api: "operational", cache: "operational" },
    incidents: [],
    maintenances: [],
    changes: [],
    now,
    ...extra,
  };
}

describe("days", () => {
  it.each([
    ["2026-11-27", "UTC", "2026-11-27T00:00:00.000Z"],
    ["2026-11-27", "Europe/Paris", "2026-11-26T23:00:00.000Z"],
    ["2026-07-01", "Europe/Paris", "2026-06-30T22:00:00.000Z"],
    // The day summer time ends in Paris starts at +02:00 and lasts 25 hours.
    ["2026-10-25", "Europe/Paris", "2026-10-24T22:00:00.000Z"],
    ["2026-10-26", "Europe/Paris", "2026-10-25T23:00:00.000Z"],
    ["2026-11-27", "America/Los_Angeles", "2026-11-27T08:00:00.000Z"],
  ])("%s begins in %s at %s", (day, tz, iso) => {
    expect(new Date(startOfDay(day, tz)).toISOString()).toBe(iso);
  });

  it("names days in the zone and lists the last ones oldest first", () => {
    expect(dayKey(new Date("2026-11-27T23:30:00Z"), "Europe/Paris")).toBe("2026-11-28");
    expect(lastDays(now, 3, "UTC")).toEqual(["2026-11-25", "2026-11-26", "2026-11-27"]);
    expect(lastDays(new Date("2026-03-01T05:00:00Z"), 2, "UTC")).toEqual(["2026-02-28", "2026-03-01"]);
  });
});

describe("buildPageView", () => {
  it("shows visible components by position with their groups, and everything operational", () => {
    const view = buildPageView(input());
    expect(view.components.map((c) => [c.id, c.groupId])).toEqual([["db", "group-infrastructure"], ["api", null], ["cache", "group-infrastructure"]]);
    expect(view.groups).toEqual([
      { id: "group-infrastructure", name: "Infrastructure", position: 0, componentIds: ["db", "cache"], status: "operational", createdAt: created, updatedAt: created },
    ]);
    expect(view.status).toEqual({ indicator: "none", description: "All Systems Operational" });
    expect(view.page.url).toBe("https://status.example.com");
    expect(view.components[0]?.days).toHaveLength(90);
    expect(view.components[0]?.days[0]?.date).toBe("2026-08-30");
    expect(view.components[0]?.uptimePercent).toBe(100);
  });

  it("carries the subscribe form's offer, none when absent", () => {
    expect(buildPageView(input()).subscribe).toBeNull();
    expect(buildPageView(input({ subscribe: null })).subscribe).toBeNull();
    expect(buildPageView(input({ subscribe: { email: true, webhook: false } })).subscribe).toEqual({ email: true, webhook: false });
  });

  it.each([
    [{ db: "degraded_performance" }, [], "minor", "Minor Service Outage"],
    [{ db: "partial_outage" }, [], "major", "Partial System Outage"],
    [{ db: "major_outage" }, [], "critical", "Major Service Outage"],
    [{ cache: "under_maintenance" }, [], "maintenance", "Service Under Maintenance"],
    [{}, [incident("inc_1", { impact: "critical" })], "critical", "Major Service Outage"],
    [{}, [incident("inc_1", { impact: "critical", impactOverride: "minor" })], "minor", "Minor Service Outage"],
    [{}, [incident("inc_1", { impact: "critical", status: "resolved", resolvedAt: now })], "none", "All Systems Operational"],
    [{}, [incident("inc_1", { impact: "critical", publishedAt: null })], "none", "All Systems Operational"],
  ] as const)("statuses %j and incidents → %s", (statuses, incidents, indicator, description) => {
    const view = buildPageView(input({ statuses: { db: "operational", api: "operational", cache: "operational", ...statuses }, incidents: [...incidents] }));
    expect(view.status).toEqual({ indicator, description });
  });

  it("colours each day by its worst status and weighs partial outages at 30 % in the uptime", () => {
    const changes = [
      // 26 Nov: major from 06:00 to 12:00 (a quarter of the day), then partial until 18:00.
      change("db", "2026-11-26T06:00:00Z", "operational", "major_outage"),
      change("db", "2026-11-26T12:00:00Z", "major_outage", "partial_outage"),
      change("db", "2026-11-26T18:00:00Z", "partial_outage", "operational"),
      // Across midnight into 27 Nov: degraded from 23:00 to 01:00.
      change("db", "2026-11-26T23:00:00Z", "operational", "degraded_performance"),
      change("db", "2026-11-27T01:00:00Z", "degraded_performance", "operational"),
    ];
    const view = buildPageView(input({ changes, incidents: [incident("inc_1", { startedAt: new Date("2026-11-26T06:00:00Z"), resolvedAt: new Date("2026-11-26T18:00:00Z"), status: "resolved" })] }));
    const db = view.components.find((c) => c.id === "db")!;
    const [yesterday, today] = db.days.slice(-2);
    expect(yesterday).toEqual({ date: "2026-11-26", status: "major_outage", uptimePercent: 67.5, incidents: [{ id: "inc_1", name: "Incident inc_1" }] });
    expect(today).toEqual({ date: "2026-11-27", status: "degraded_performance", uptimePercent: 100, incidents: [] });
    expect(db.days[0]).toEqual({ date: "2026-08-30", status: "operational", uptimePercent: 100, incidents: [] });
    expect(db.uptimePercent).toBe(99.64);
    // The incident also affected api, which has no changes: listed on its day, still 100 %.
    expect(view.components.find((c) => c.id === "api")!.days.at(-2)).toEqual({ date: "2026-11-26", status: "operational", uptimePercent: 100, incidents: [{ id: "inc_1", name: "Incident inc_1" }] });
  });

  it("shows no data before a component existed, and counts only today's elapsed part", () => {
    const view = buildPageView(input({ components: [component("new", 0, { createdAt: new Date("2026-11-26T12:00:00Z") })], statuses: { new: "major_outage" }, changes: [change("new", "2026-11-27T09:00:00Z", "operational", "major_outage")] }));
    const days = view.components[0]!.days;
    expect(days.at(-3)).toEqual({ date: "2026-11-25", status: "no_data", uptimePercent: null, incidents: [] });
    expect(days.at(-2)).toMatchObject({ status: "operational", uptimePercent: 100 });
    // 09:00 → 12:00 (now) down out of 12 h elapsed.
    expect(days.at(-1)).toMatchObject({ status: "major_outage", uptimePercent: 75 });
    expect(view.components[0]!.uptimePercent).toBe(87.5);
    expect(view.components[0]!.startDate).toBe("2026-11-26");
  });

  it("weighs the component's uptime by observed time: a first day of one hour counts as an hour, not as a day", () => {
    // First seen at 23:00 on 26 Nov: one hour up that day; on 27 Nov down from 09:00 to 12:00 (now), 3 of 12 hours.
    const view = buildPageView(input({ components: [component("new", 0, { createdAt: new Date("2026-11-26T23:00:00Z") })], statuses: { new: "major_outage" }, changes: [change("new", "2026-11-27T09:00:00Z", "operational", "major_outage")] }));
    const days = view.components[0]!.days;
    expect(days.at(-2)).toMatchObject({ status: "operational", uptimePercent: 100 });
    expect(days.at(-1)).toMatchObject({ status: "major_outage", uptimePercent: 75 });
    // 3 hours lost of 13 observed (not the mean of 100 % and 75 %).
    expect(view.components[0]!.uptimePercent).toBe(76.92);
  });

  it("lists published incidents newest first with updates newest first, rendered, and the postmortem only once published", () => {
    const update = (id: string, at: string, body: string) => ({ id, status: "investigating", body, affectedComponents: [], deliverNotifications: true, displayAt: new Date(at), createdAt: new Date(at) });
    const view = buildPageView(
      input({
        incidents: [
          incident("inc_old", { createdAt: new Date("2026-11-01T00:00:00Z"), publishedAt: new Date("2026-11-01T00:00:00Z"), status: "postmortem", postmortemBody: "Disk **full**.", postmortemPublishedAt: new Date("2026-11-02T00:00:00Z") }),
          incident("inc_new", { postmortemBody: "draft", postmortemPublishedAt: null }, [update("upd_1", "2026-11-27T10:00:05Z", "First"), update("upd_2", "2026-11-27T10:30:00Z", "*Second*")]),
          incident("inc_draft", { publishedAt: null }),
        ],
      }),
    );
    expect(view.incidents.map((i) => i.id)).toEqual(["inc_new", "inc_old"]);
    expect(view.incidents[0]?.updates.map((u) => [u.id, u.bodyHtml])).toEqual([["upd_2", "<p><em>Second</em></p>\n"], ["upd_1", "<p>First</p>\n"]]);
    expect(view.incidents[0]).toMatchObject({ postmortemBody: null, postmortemBodyHtml: null, shortlink: "https://status.example.com/incidents/inc_new", createdAt: new Date("2026-11-27T10:00:05Z") });
    expect(view.incidents[1]).toMatchObject({ postmortemBody: "Disk **full**.", postmortemBodyHtml: "<p>Disk <strong>full</strong>.</p>\n" });
    expect(view.incidents[0]?.components).toEqual([{ id: "db", name: "DB", status: "operational" }, { id: "api", name: "API", status: "operational" }]);
  });

  it("keeps maintenances that were not cancelled, by start", () => {
    const m = (id: string, from: string, extra = {}) => ({ id, name: id, body: "Work", componentIds: ["cache"], scheduledFor: new Date(from), scheduledUntil: new Date(Date.parse(from) + 3_600_000), status: "scheduled", startedAt: null, completedAt: null, cancelledAt: null, createdAt: created, updatedAt: created, ...extra });
    const view = buildPageView(input({ maintenances: [m("b", "2026-12-02T00:00:00Z"), m("a", "2026-12-01T00:00:00Z"), m("c", "2026-12-03T00:00:00Z", { cancelledAt: now })] }));
    expect(view.maintenances.map((x) => [x.id, x.bodyHtml, x.shortlink])).toEqual([
      ["a", "<p>Work</p>\n", "https://status.example.com/maintenances/a"],
      ["b", "<p>Work</p>\n", "https://status.example.com/maintenances/b"],
    ]);
  });

  it("shows no third-party component without upstreams", () => {
    const view = buildPageView(input());
    expect(view.components.some((c) => c.thirdParty)).toBe(false);
    expect(view.groups.map((g) => g.id)).toEqual(["group-infrastructure"]);
    expect(buildPageView(input({ upstreams: [] }))).toEqual(view);
  });

  it("shows upstreams as third-party components after ours, in their own group, without history, out of the overall status", () => {
    const upstreams = [
      { id: "aws-rds", name: "AWS RDS <us-west-2>", status: "major_outage" as const },
      { id: "github", name: "GitHub", status: "operational" as const },
      // An id already taken (a hidden component's, an earlier upstream's) is left out.
      { id: "secret", name: "Hidden clash", status: "operational" as const },
      { id: "github", name: "GitHub again", status: "partial_outage" as const },
    ];
    const plain = buildPageView(input());
    const view = buildPageView(input({ upstreams }));
    expect(view.components.map((c) => [c.id, c.position, c.groupId, c.thirdParty ?? false])).toEqual([
      ["db", 0, "group-infrastructure", false],
      ["api", 1, null, false],
      ["cache", 2, "group-infrastructure", false],
      ["aws-rds", 3, "group-third-party-services", true],
      ["github", 4, "group-third-party-services", true],
    ]);
    expect(view.components[3]).toEqual({
      id: "aws-rds",
      name: "AWS RDS <us-west-2>",
      description: thirdPartyDescription,
      status: "major_outage",
      position: 3,
      groupId: "group-third-party-services",
      createdAt: now,
      updatedAt: now,
      startDate: "2026-11-27",
      days: [],
      uptimePercent: null,
      thirdParty: true,
    });
    expect(view.groups.at(-1)).toEqual({ id: "group-third-party-services", name: "Third-party services", position: 3, componentIds: ["aws-rds", "github"], status: "major_outage", createdAt: now, updatedAt: now });
    // A provider's outage is not ours: the overall status and the page's last change are as without it.
    expect(view.status).toEqual({ indicator: "none", description: "All Systems Operational" });
    expect(view.page.updatedAt).toEqual(plain.page.updatedAt);
    expect(view.components.slice(0, 3)).toEqual(plain.components);
  });

  it("dates a component's updatedAt by its last status change, else when it was first seen, never by a catalog edit", () => {
    const restarted = new Date("2026-11-27T11:00:00Z"); // the catalog row was touched at a restart
    const view = buildPageView(
      input({
        components: [component("db", 0, { group: "Infrastructure", updatedAt: restarted }), component("api", 1, { updatedAt: restarted }), component("cache", 2, { group: "Infrastructure", updatedAt: restarted })],
        changes: [change("db", "2026-11-27T09:00:00Z", "operational", "major_outage"), change("db", "2026-11-27T09:30:00Z", "major_outage", "operational")],
        // A change older than the bars reach is known from the last change of each component.
        statusChangedAt: { api: new Date("2026-05-01T08:00:00Z"), db: new Date("2026-11-27T09:00:00Z") },
      }),
    );
    const updated = Object.fromEntries(view.components.map((c) => [c.id, c.updatedAt.toISOString()]));
    expect(updated).toEqual({ db: "2026-11-27T09:30:00.000Z", api: "2026-05-01T08:00:00.000Z", cache: created.toISOString() });
    expect(view.groups[0]!.updatedAt.toISOString()).toBe("2026-11-27T09:30:00.000Z");
  });

  it("derives group ids from names", () => {
    expect([groupId("Infrastructure"), groupId("EU / West"), groupId("---")]).toEqual(["group-infrastructure", "group-eu-west", "group-unnamed"]);
  });
});
