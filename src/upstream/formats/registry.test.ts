import { describe, expect, it } from "vitest";
import { feedFormatFor, feedFormats, feedTypeNames, isFeedType, typedFeedFormats } from "./registry.ts";

/** The smallest valid config of each type. */
const minimal: Record<(typeof feedTypeNames)[number], Record<string, unknown>> = {
  statuspage: { url: "https://www.githubstatus.com" },
  vigil: { url: "https://status.example.com" },
  rss: { url: "https://status.aws.amazon.com/rss/rds-us-west-2.rss" },
  atom: { url: "https://www.githubstatus.com/history.atom" },
  json: { url: "https://status.cloud.google.com/incidents.json", incidents: { path: "$[*]", id: "$.id", title: "$.external_desc" } },
};

describe("feed format registry", () => {
  it("has one format per type name, registered under its own type", () => {
    expect(Object.keys(typedFeedFormats)).toEqual([...feedTypeNames]);
    for (const type of feedTypeNames) expect(feedFormats[type].type).toBe(type);
  });

  it("validates a minimal config of each type and gives an http(s) URL to fetch", () => {
    for (const type of feedTypeNames) {
      const format = feedFormats[type];
      const config = format.configSchema.parse(minimal[type]);
      expect(format.url(config)).toMatch(/^https:\/\//);
      expect(format.accept).not.toBe("");
      expect(format.configSchema.safeParse({ ...minimal[type], url: "ftp://x.example/" }).success).toBe(false);
    }
  });

  it("looks formats up by a type name read at run time", () => {
    expect(isFeedType("rss")).toBe(true);
    expect(isFeedType("RSS")).toBe(false);
    expect(feedFormatFor("atom")).toBe(feedFormats.atom);
    expect(feedFormatFor("toString")).toBeUndefined();
    expect(feedFormatFor("__proto__")).toBeUndefined();
  });
});
