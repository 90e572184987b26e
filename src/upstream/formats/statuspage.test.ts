import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FeedParseError } from "../types.ts";
import { componentStatus, StatuspageConfig, statuspageFormat, summaryUrl } from "./statuspage.ts";

const summaryJson = readFileSync(new URL("./fixtures/statuspage-summary.json", import.meta.url), "utf8");
const url = "https://status.acmecloud.example/api/v2/summary.json";
const now = new Date("2026-11-27T18:00:00Z");
const config = StatuspageConfig.parse({ url: "https://status.acmecloud.example" });
const parse = (body: string) => statuspageFormat.parse(body, config, { now, url });

/** The fixture, changed by `edit`. */
function edited(edit: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(summaryJson);
  edit(doc);
  return JSON.stringify(doc);
}

function parseError(body: string): string {
  try {
    parse(body);
  } catch (error) {
    expect(error).toBeInstanceOf(FeedParseError);
    return (error as Error).message;
  }
  throw new Error("expected a FeedParseError");
}

describe("statuspage: url", () => {
  it.each([
    ["https://www.githubstatus.com", "https://www.githubstatus.com/api/v2/summary.json"],
    ["https://www.githubstatus.com/", "https://www.githubstatus.com/api/v2/summary.json"],
    ["https://www.githubstatus.com/api/v2/summary.json", "https://www.githubstatus.com/api/v2/summary.json"],
    ["https://www.githubstatus.com/api/v2/status.json", "https://www.githubstatus.com/api/v2/summary.json"],
    ["https://example.com/status/#top", "https://example.com/status/api/v2/summary.json"],
    ["https://example.com/status?lang=en", "https://example.com/status/api/v2/summary.json?lang=en"],
  ])("%s → %s", (page, summary) => {
    expect(summaryUrl(page)).toBe(summary);
    expect(statuspageFormat.url(StatuspageConfig.parse({ url: page }))).toBe(summary);
  });

  it("rejects a URL that is not http(s), and unknown keys", () => {
    expect(StatuspageConfig.safeParse({ url: "javascript:alert(1)" }).success).toBe(false);
    expect(StatuspageConfig.safeParse({ url: "https://x.example", format: "json" }).success).toBe(false);
    expect(statuspageFormat.accept).toBe("application/json");
  });
});

describe("statuspage: summary.json", () => {
  const snapshot = parse(summaryJson);

  it("reads components, groups named on their children, group rows left out", () => {
    expect(snapshot.components).toEqual([
      { id: "8l4ygp009s5s", name: "REST API", group: "API", status: "partial_outage" },
      { id: "brv1bkgrwx7q", name: "GraphQL API", group: "API", status: "operational" },
      { id: "5l5wjjhbpzbv", name: "Webhooks", group: "API", status: "degraded_performance" },
      { id: "vh9y5w7tcmn8", name: "Dashboard", group: null, status: "operational" },
      { id: "q1p9x2m4n6b8", name: "Object Storage", group: null, status: "under_maintenance" },
    ]);
  });

  it("reads an unknown component status as degraded_performance, and skips rows without name or status", () => {
    expect(componentStatus("degraded")).toBe("degraded_performance");
    expect(componentStatus("major_outage")).toBe("major_outage");
    expect(snapshot.components.map((c) => c.name)).not.toContain("Legacy Billing");
  });

  it("reads unresolved incidents with their newest update as text, markup and script dropped", () => {
    expect(snapshot.incidents[0]).toEqual({
      id: "p7zkt1w3n0y5",
      title: "Elevated error rates on the REST API",
      status: "identified",
      impact: "major",
      url: "https://stspg.io/j2k4m6n8",
      startedAt: new Date("2026-11-27T17:12:44.095Z"),
      updatedAt: new Date("2026-11-27T17:41:03.055Z"),
      resolvedAt: null,
      text: "We have identified a faulty load balancer in eu-west-1 and are replacing it.",
      components: ["REST API"],
    });
  });

  it("links an incident by id when its shortlink is not http(s)", () => {
    expect(snapshot.incidents[1]).toMatchObject({
      id: "t5r7e9w1q3z6",
      status: "monitoring",
      url: "https://status.acmecloud.example/incidents/t5r7e9w1q3z6",
      components: ["Webhooks"],
    });
  });

  it("skips an incident whose date is unreadable, not the feed", () => {
    expect(snapshot.incidents.map((i) => i.id)).toEqual(["p7zkt1w3n0y5", "t5r7e9w1q3z6"]);
  });

  it("reads scheduled maintenances", () => {
    expect(snapshot.maintenances).toEqual([
      {
        id: "c3v5b7n9m1l2",
        title: "Database failover test",
        status: "scheduled",
        url: "https://stspg.io/z1x2c3v4",
        scheduledFor: new Date("2026-12-02T02:00:00Z"),
        scheduledUntil: new Date("2026-12-02T04:00:00Z"),
        components: [],
      },
      {
        id: "w8e6r4t2y0u1",
        title: "Object Storage firmware upgrade",
        status: "in_progress",
        url: "https://stspg.io/p0o9i8u7",
        scheduledFor: new Date("2026-11-27T17:00:00Z"),
        scheduledUntil: new Date("2026-11-27T19:00:00Z"),
        components: ["Object Storage"],
      },
    ]);
  });

  it("maps unknown incident words defensively and dates an undated incident now", () => {
    const body = edited((doc) => {
      doc.incidents = [{ id: 42, name: "Odd", status: "exploding", impact: "catastrophic" }];
    });
    expect(parse(body).incidents[0]).toMatchObject({ id: "42", status: "investigating", impact: "minor", startedAt: now, text: "", components: [] });
  });

  it("reads a summary without incidents or maintenances as having none", () => {
    const body = edited((doc) => {
      delete doc.incidents;
      doc.scheduled_maintenances = null;
    });
    expect(parse(body)).toMatchObject({ incidents: [], maintenances: [] });
  });

  it("keeps the newest 200 incidents and at most 1,000 components", () => {
    const body = edited((doc) => {
      doc.incidents = Array.from({ length: 500 }, (_, i) => ({ id: `i${i}`, name: `Incident ${i}`, status: "investigating", impact: "minor", started_at: new Date(now.getTime() - i * 60_000).toISOString() }));
      doc.components = Array.from({ length: 1_500 }, (_, i) => ({ id: `c${i}`, name: `C ${i}`, status: "operational", group: false }));
    });
    const out = parse(body);
    expect(out.incidents).toHaveLength(200);
    expect(out.incidents[0]?.id).toBe("i0");
    expect(out.incidents[199]?.id).toBe("i199");
    expect(out.components).toHaveLength(1_000);
  });
});

describe("statuspage: defensive reading", () => {
  it("names what is missing when the JSON is not a summary", () => {
    expect(parseError(JSON.stringify({ page: {}, status: { indicator: "none" } }))).toBe(`expected Statuspage's summary.json, but the JSON has no "components" array`);
    expect(parseError(JSON.stringify({ components: { a: 1 } }))).toBe(`expected Statuspage's summary.json, but "components" is not an array`);
    expect(parseError(JSON.stringify({ components: [], incidents: "none" }))).toBe(`expected Statuspage's summary.json, but "incidents" is not an array`);
    expect(parseError("[]")).toBe("expected Statuspage's summary.json (a JSON object), got an array");
    expect(parseError("null")).toBe("expected Statuspage's summary.json (a JSON object), got a null");
  });

  it("says an HTML page or truncated JSON is not JSON", () => {
    expect(parseError("<!DOCTYPE html><html><body>Just a moment...</body></html>")).toBe("the body is not valid JSON; expected Statuspage's summary.json, got an HTML page");
    expect(parseError(summaryJson.slice(0, 500))).toBe("the body is not valid JSON; expected Statuspage's summary.json");
  });

  it("keeps names as text (never HTML), without control characters", () => {
    const body = edited((doc) => {
      doc.components[4].name = "Dash\u0000board <beta>\u202E";
    });
    expect(parse(body).components.find((c) => c.id === "vh9y5w7tcmn8")?.name).toBe("Dashboard <beta>");
  });
});
