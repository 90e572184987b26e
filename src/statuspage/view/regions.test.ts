import { describe, expect, it } from "vitest";
import { renderSite } from "../render/site.ts";
import { v2Documents } from "../render/v2.ts";
import { buildPageView, componentRegions, type RegionCheckInput, type RegionsInput, type ViewInput } from "./build.ts";

const now = new Date("2026-11-27T12:00:00Z");
const created = new Date("2026-08-01T00:00:00Z");
const component = (id: string, position: number, hidden = false) => ({ id, name: id.toUpperCase(), group: null, description: null, position, hidden, createdAt: created, updatedAt: created });

const names = [
  { id: "local", name: "local" },
  { id: "eu-west", name: "Europe West" },
  { id: "us-east", name: "US East" },
];
const check = (monitorId: string, region: string, status: RegionCheckInput["status"], stale = false): RegionCheckInput => ({ monitorId, region, status, stale });

function input(regions?: RegionsInput): ViewInput {
  return {
    pageId: "page1",
    site: { name: "Acme Status", url: "https://status.example.com", timeZone: "UTC", description: null, logoUrl: null, accentColor: null, links: [] },
    components: [component("api", 0), component("db", 1, true), component("docs", 2)],
    statuses: { api: "operational", db: "operational", docs: "operational" },
    incidents: [],
    maintenances: [],
    changes: [],
    now,
    ...(regions ? { regions } : {}),
  };
}

describe("what each region sees of a component", () => {
  // One monitor per row of the table, checked from `local` and `eu-west`: what each sees → what the page shows.
  it.each([
    ["up", "up", "operational", "operational"],
    ["up", "down", "operational", "down"],
    ["degraded", "up", "degraded", "operational"],
    ["unknown", "down", "no_data", "down"],
    ["stale", "degraded", "no_data", "degraded"],
  ] as const)("local %s and eu-west %s show %s and %s", (local, eu, shownLocal, shownEu) => {
    const seen = (status: typeof local | typeof eu, region: string) => (status === "stale" ? check("api-health", region, "down", true) : check("api-health", region, status));
    const regions: RegionsInput = { names, monitorsOf: { api: ["api-health"] }, checks: [seen(local, "local"), seen(eu, "eu-west")] };
    expect(componentRegions(regions, "api")).toEqual([
      { name: "local", status: shownLocal },
      { name: "Europe West", status: shownEu },
    ]);
  });

  it("takes the worst over the component's monitors in each region: down, degraded, no data, then operational", () => {
    const table: [RegionCheckInput["status"] | "stale", RegionCheckInput["status"] | "stale", string][] = [
      ["up", "up", "operational"],
      ["up", "unknown", "no_data"],
      ["up", "stale", "no_data"],
      ["unknown", "degraded", "degraded"],
      ["degraded", "down", "down"],
      ["stale", "down", "down"],
    ];
    for (const [a, b, shown] of table) {
      const seen = (monitorId: string, status: (typeof table)[number][0]) => (status === "stale" ? check(monitorId, "eu-west", "up", true) : check(monitorId, "eu-west", status));
      const regions: RegionsInput = { names, monitorsOf: { api: ["m1", "m2"] }, checks: [seen("m1", a), seen("m2", b)] };
      expect({ a, b, shown: componentRegions(regions, "api") }).toEqual({ a, b, shown: [{ name: "Europe West", status: shown }] });
    }
  });

  it("lists only the regions that check its monitors, in the regions' order, and never a region not listed", () => {
    const regions: RegionsInput = {
      names,
      monitorsOf: { api: ["api-health", "api-eu"], docs: [] },
      checks: [
        check("api-eu", "eu-west", "up"),
        check("api-health", "us-east", "down"),
        check("api-health", "local", "up"),
        // Another component's monitor, and a region no longer declared: neither is this component's.
        check("db-check", "local", "down"),
        check("api-health", "ap-south", "down"),
      ],
    };
    expect(componentRegions(regions, "api")).toEqual([
      { name: "local", status: "operational" },
      { name: "Europe West", status: "operational" },
      { name: "US East", status: "down" },
    ]);
    expect(componentRegions(regions, "docs")).toEqual([]);
    expect(componentRegions(regions, "unknown")).toEqual([]);
  });
});

describe("regions in the page view", () => {
  const regions: RegionsInput = {
    names,
    monitorsOf: { api: ["api-health"], db: ["db-check"] },
    checks: [check("api-health", "local", "up"), check("api-health", "eu-west", "down"), check("db-check", "local", "down")],
  };

  it("gives visible components with monitors their regions, and nothing to a component without monitors or a hidden one", () => {
    const view = buildPageView(input(regions));
    expect(view.components.map((c) => [c.id, c.regions])).toEqual([
      ["api", [{ name: "local", status: "operational" }, { name: "Europe West", status: "down" }]],
      ["docs", undefined],
    ]);
  });

  it("gives no component regions without the option", () => {
    const view = buildPageView(input());
    expect(view.components.every((c) => !("regions" in c))).toBe(true);
  });

  it("leaves the public JSON API v2 exactly as without regions", () => {
    expect(JSON.stringify(v2Documents(buildPageView(input(regions))))).toBe(JSON.stringify(v2Documents(buildPageView(input()))));
  });

  it("changes the home page only: badges, feeds, the widget and every other file are the same as without regions", () => {
    const withRegions = renderSite(buildPageView(input(regions)));
    const without = renderSite(buildPageView(input()));
    expect([...withRegions.keys()]).toEqual([...without.keys()]);
    const differing = [...withRegions].filter(([path, file]) => without.get(path)?.body !== file.body).map(([path]) => path);
    expect(differing).toEqual(["/"]);
  });
});
