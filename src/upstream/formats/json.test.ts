import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FeedParseError } from "../types.ts";
import { isSafeJsonPath, JsonConfig, jsonFormat } from "./json.ts";

const gcpUrl = "https://status.cloud.google.com/incidents.json";
const gcp = readFileSync(new URL("./fixtures/gcp-incidents.json", import.meta.url), "utf8");
const now = new Date("2026-11-27T18:00:00Z");

const gcpIncidents = {
  path: "$[*]",
  id: "$.id",
  title: "$.external_desc",
  started_at: "$.begin",
  updated_at: "$.modified",
  url: "$.uri",
  text: "$.most_recent_update.text",
  resolved_when: { path: "$.end" },
};

function parse(body: string, config: Record<string, unknown>, url = gcpUrl) {
  return jsonFormat.parse(body, JsonConfig.parse({ url, ...config }), { now, url });
}

function parseError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FeedParseError);
    return (error as Error).message;
  }
  throw new Error("expected a FeedParseError");
}

/** A custom status endpoint: services by region, with their own status words. */
const services = JSON.stringify({
  generated: 1_795_801_200,
  services: [
    { slug: "api", title: "API", region: "eu-west", state: "ok" },
    { slug: "db", title: "Database", region: "eu-west", state: "down" },
    { slug: "search", title: "Search", region: "us-east", state: "slow" },
    { slug: "queue", title: "Queue", region: "us-east", state: "partial_outage" },
    { slug: "cdn", title: "CDN", state: "exploded" },
    { slug: "proto", title: "Proto", state: "constructor" },
    { slug: "nameless", state: "ok" },
    { slug: "stateless", title: "Stateless" },
    "not a record",
    null,
  ],
});
const serviceComponents = {
  path: "$.services",
  name: "$.title",
  status: "$.state",
  id: "$.slug",
  group: "$.region",
  status_map: { ok: "operational", slow: "degraded_performance", down: "major_outage" },
};

describe("json: components", () => {
  it("reads records through the paths, mapping their status words", () => {
    expect(parse(services, { components: serviceComponents }).components).toEqual([
      { id: "api", name: "API", group: "eu-west", status: "operational" },
      { id: "db", name: "Database", group: "eu-west", status: "major_outage" },
      { id: "search", name: "Search", group: "us-east", status: "degraded_performance" },
      { id: "queue", name: "Queue", group: "us-east", status: "partial_outage" },
      { id: "cdn", name: "CDN", group: null, status: "degraded_performance" },
      { id: "proto", name: "Proto", group: null, status: "degraded_performance" },
    ]);
  });

  it("finds records with a wildcard path, maps booleans as text, and ids default to the name", () => {
    const body = JSON.stringify({ regions: [{ checks: [{ name: "Search", up: true }] }, { checks: [{ name: "Mail", up: false }] }] });
    const components = parse(body, { components: { path: "$.regions[*].checks[*]", name: "$.name", status: "$.up", status_map: { true: "operational", false: "major_outage" } } }).components;
    expect(components).toEqual([
      { id: "Search", name: "Search", group: null, status: "operational" },
      { id: "Mail", name: "Mail", group: null, status: "major_outage" },
    ]);
  });

  it("names the path when it matches nothing, and reads null as none", () => {
    expect(parseError(() => parse(JSON.stringify({ status: "ok" }), { components: serviceComponents }))).toBe(
      "expected components at components.path $.services, but it matches nothing in the JSON",
    );
    expect(parse(JSON.stringify({ services: null }), { components: serviceComponents }).components).toEqual([]);
  });

  it("caps components at 1,000", () => {
    const body = JSON.stringify({ services: Array.from({ length: 3_000 }, (_, i) => ({ title: `S${i}`, state: "ok" })) });
    expect(parse(body, { components: serviceComponents }).components).toHaveLength(1_000);
  });
});

describe("json: incidents (Google Cloud's incidents.json)", () => {
  const snapshot = parse(gcp, { incidents: gcpIncidents });

  it("reads an open incident", () => {
    expect(snapshot.incidents[0]).toEqual({
      id: "aKq3KF4KL2TA2mqGrfeH",
      title: "Cloud Run services in us-central1 are unavailable for some customers",
      status: "investigating",
      impact: "major",
      url: "https://status.cloud.google.com/incidents/aKq3KF4KL2TA2mqGrfeH",
      startedAt: new Date("2026-11-27T16:05:00Z"),
      updatedAt: new Date("2026-11-27T17:31:12Z"),
      resolvedAt: null,
      text: expect.stringMatching(/^\*\*Summary:\*\* Cloud Run services .* 18:30 US\/Pacific\.$/),
      components: [],
    });
  });

  it("reads one with an end as resolved at its end", () => {
    expect(snapshot.incidents[1]).toMatchObject({
      id: "Zt8mBq1uXc3LrVd9EoPa",
      status: "resolved",
      impact: "minor",
      startedAt: new Date("2026-11-26T22:14:00Z"),
      resolvedAt: new Date("2026-11-27T01:02:00Z"),
    });
  });

  it("skips records without an id or with an unreadable date", () => {
    expect(snapshot.incidents.map((i) => i.id)).toEqual(["aKq3KF4KL2TA2mqGrfeH", "Zt8mBq1uXc3LrVd9EoPa"]);
    expect(snapshot.components).toEqual([]);
    expect(snapshot.maintenances).toEqual([]);
  });

  it("reads a status word, an impact, and resolved_when with values", () => {
    const body = JSON.stringify({
      items: [
        { key: 1, name: "Login errors", state: "monitoring", sev: "critical", at: 1_795_795_200 },
        { key: 2, name: "Slow search", state: "closed", sev: "whatever", at: 1_795_795_200_000 },
        { key: 3, name: "Mail delays", state: "Resolved", at: "Fri, 27 Nov 2026 15:00:00 GMT" },
        { key: 4, name: "Undated", state: "open" },
      ],
    });
    const incidents = parse(body, {
      incidents: { path: "$.items", id: "$.key", title: "$.name", status: "$.state", impact: "$.sev", started_at: "$.at", resolved_when: { path: "$.state", equals: ["closed", "Resolved"] } },
    }).incidents;
    expect(incidents.map((i) => [i.id, i.status, i.impact, i.startedAt.toISOString(), i.resolvedAt?.toISOString() ?? null])).toEqual([
      ["4", "investigating", "minor", now.toISOString(), null],
      ["1", "monitoring", "critical", "2026-11-27T16:00:00.000Z", null],
      ["2", "resolved", "minor", "2026-11-27T16:00:00.000Z", "2026-11-27T16:00:00.000Z"],
      ["3", "resolved", "minor", "2026-11-27T15:00:00.000Z", "2026-11-27T15:00:00.000Z"],
    ]);
  });

  it("without resolved_when, is resolved when its status says so", () => {
    const body = JSON.stringify([{ id: "a", t: "A", s: "resolved" }, { id: "b", t: "B", s: "identified" }]);
    const incidents = parse(body, { incidents: { path: "$", id: "$.id", title: "$.t", status: "$.s" } }).incidents;
    expect(incidents.map((i) => [i.id, i.status, i.resolvedAt === null])).toEqual([
      ["a", "resolved", false],
      ["b", "identified", true],
    ]);
  });

  it("drops javascript: links and markup from the text", () => {
    const body = JSON.stringify([{ id: "x", title: "T", link: "javascript:alert(1)", html: "<p>Fixing</p><script>alert(2)</script>" }]);
    const incident = parse(body, { incidents: { path: "$", id: "$.id", title: "$.title", url: "$.link", text: "$.html" } }).incidents[0];
    expect(incident?.url).toBeNull();
    expect(incident?.text).toBe("Fixing");
  });

  it("keeps the newest 200", () => {
    const body = JSON.stringify(Array.from({ length: 1_000 }, (_, i) => ({ id: i, t: `I${i}`, at: new Date(now.getTime() - i * 1_000).toISOString() })));
    const incidents = parse(body, { incidents: { path: "$[*]", id: "$.id", title: "$.t", started_at: "$.at" } }).incidents;
    expect(incidents).toHaveLength(200);
    expect(incidents[0]?.id).toBe("0");
    expect(incidents[199]?.id).toBe("199");
  });
});

describe("json: defensive reading", () => {
  it("throws FeedParseError for a body that is not JSON", () => {
    expect(parseError(() => parse("<html><body>502 Bad Gateway</body></html>", { incidents: gcpIncidents }))).toBe("the body is not valid JSON; expected JSON, got an HTML page");
    expect(parseError(() => parse('"just a string"', { incidents: gcpIncidents }))).toBe("expected a JSON object or array, got a string");
  });

  it("refuses filters and script expressions in the config", () => {
    expect(isSafeJsonPath("$.components")).toBe(true);
    expect(isSafeJsonPath("$..services[*]")).toBe(true);
    expect(isSafeJsonPath("$['a b'][0].c")).toBe(true);
    expect(isSafeJsonPath("$.items[?(@.status=='down')]")).toBe(false);
    expect(isSafeJsonPath("$..x[(@.length-1)]")).toBe(false);
    expect(isSafeJsonPath("components")).toBe(false);
    const config = (path: string) => JsonConfig.safeParse({ url: gcpUrl, components: { ...serviceComponents, name: path } });
    expect(config("$.title").success).toBe(true);
    expect(config("$[?(process.exit(1))]").success).toBe(false);
  });

  it("never evaluates script, even with a config that skipped validation", () => {
    const g = globalThis as { pwned?: unknown };
    const config = { url: gcpUrl, components: { path: "$.services[?(globalThis.pwned=1)]", name: "$.title", status: "$.state" } } as JsonConfig;
    expect(parseError(() => jsonFormat.parse(services, config, { now, url: gcpUrl }))).toMatch(/^components\.path .* could not be evaluated: Eval \[\?\(expr\)\] prevented/);
    const fields = { url: gcpUrl, components: { path: "$.services", name: "$[?(globalThis.pwned=2)]", status: "$.state" } } as JsonConfig;
    expect(jsonFormat.parse(services, fields, { now, url: gcpUrl }).components).toEqual([]);
    expect(g.pwned).toBeUndefined();
  });

  it("needs components or incidents, and rejects unknown keys and statuses", () => {
    expect(JsonConfig.safeParse({ url: gcpUrl }).success).toBe(false);
    expect(JsonConfig.safeParse({ url: gcpUrl, incidents: { ...gcpIncidents, titel: "$.x" } }).success).toBe(false);
    expect(JsonConfig.safeParse({ url: gcpUrl, components: { ...serviceComponents, status_map: { ok: "fine" } } }).success).toBe(false);
    expect(JsonConfig.safeParse({ url: gcpUrl, incidents: gcpIncidents }).success).toBe(true);
  });
});
