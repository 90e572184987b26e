// Vigil's history feeds as real feed readers see them: rss-parser (npm) and Python's feedparser (Debian package
// python3-feedparser; skipped when absent, required with VIGIL_REQUIRE_SERVERS=1 as CI sets) read /history.rss and
// /history.atom of a running Vigil before and after an incident is resolved. Readers keep an item by its guid (id)
// and date it by its pubDate: the resolution must come as a new RSS item dated when it happened, and as the Atom
// entry's new `updated`.
import { spawnSync } from "node:child_process";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipReasonUnless } from "../helpers/server-process.ts";
import { runTool } from "../helpers/tools.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: search, name: Search }
`;

const python = "/usr/bin/python3";
const hasFeedparser = spawnSync(python, ["-c", "import feedparser"], { stdio: "ignore" }).status === 0;
const feedparserSkip = skipReasonUnless(hasFeedparser, "Python's feedparser is not installed (apt-get install python3-feedparser)");

/** What feedparser reads of a feed: whether it was well-formed, and each entry's id, dates (UTC, ISO) and summary. */
const feedparserScript = `
import calendar, json, sys, time, feedparser
d = feedparser.parse(sys.argv[1])
iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(t))) if t else None
print(json.dumps({"bozo": bool(d.bozo), "error": str(d.get("bozo_exception", "")), "entries": [{"id": e.get("id"), "title": e.get("title"), "published": iso(e.get("published_parsed")), "updated": iso(e.get("updated_parsed")), "summary": e.get("summary")} for e in d.entries]}))
`;

interface ParsedEntry {
  id: string | null;
  title: string;
  published: string | null;
  updated: string | null;
  summary: string;
}

const seconds = (iso: string): string => new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString().replace(".000Z", "Z");

describe("the history feeds in feed readers", () => {
  let test: TestVigil;
  let incidentId: string;
  let createdAt: string;
  let resolvedAt: string;
  let guidBefore: string;
  const parser = new Parser<Record<string, never>, { updated?: string; id?: string }>({ customFields: { item: ["updated", "id"] } });
  const rss = async () => parser.parseString(await (await fetch(`${test.vigil.url}/history.rss`)).text());
  const atom = async () => parser.parseString(await (await fetch(`${test.vigil.url}/history.atom`)).text());

  beforeAll(async () => {
    test = await startTestVigil(config);
  }, 120_000);

  afterAll(async () => {
    await test?.dispose();
  });

  it("rss-parser reads the open incident from RSS and Atom", async () => {
    const opened = await test.send("POST", "/api/v1/incidents", { name: "Search is slow", body: "We are looking into slow searches.", components: { search: "partial_outage" } });
    expect(opened.status).toBe(201);
    incidentId = opened.json.id;
    createdAt = opened.json.created_at;
    await expect.poll(async () => (await rss()).items.map((i) => i.title), { timeout: 15_000, interval: 100 }).toEqual(["Search is slow"]);
    const [item] = (await rss()).items;
    guidBefore = item!.guid as string;
    expect(guidBefore).toBe(incidentId);
    expect(item!.isoDate).toBe(new Date(seconds(createdAt)).toISOString());
    const [entry] = (await atom()).items;
    expect(entry!.id).toBe(`https://status.example.com/incidents/${incidentId}`);
  }, 30_000);

  it("rss-parser sees the resolution: a new RSS item dated at it, and the Atom entry updated", async () => {
    const resolved = await test.send("POST", `/api/v1/incidents/${incidentId}/resolve`, { body: "Searches are fast again." });
    expect(resolved.status).toBe(200);
    resolvedAt = resolved.json.resolved_at;
    await expect.poll(async () => (await rss()).items.map((i) => i.guid), { timeout: 15_000, interval: 100 }).toEqual([`${incidentId}#2`]);
    const [item] = (await rss()).items;
    expect(item!.guid).not.toBe(guidBefore);
    expect(item!.isoDate).toBe(new Date(seconds(resolvedAt)).toISOString());
    expect(item!.content).toMatch(/^<p><strong>Resolved<\/strong>/);
    expect(item!.content).toContain("Searches are fast again.");

    const [entry] = (await atom()).items;
    expect(entry!.id).toBe(`https://status.example.com/incidents/${incidentId}`);
    expect(new Date(entry!.updated as string).toISOString()).toBe(new Date(resolvedAt).toISOString());
    expect(entry!.isoDate).toBe(new Date(createdAt).toISOString()); // published: when it began
    expect(entry!.content).toMatch(/^<p><strong>Resolved<\/strong>/);
  }, 30_000);

  describe.skipIf(feedparserSkip !== undefined)(`Python's feedparser${feedparserSkip ? ` (skipped: ${feedparserSkip})` : ""}`, () => {
    const read = async (path: string): Promise<{ bozo: boolean; error: string; entries: ParsedEntry[] }> => {
      const run = await runTool(python, ["-c", feedparserScript, `${test.vigil.url}${path}`]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout) as { bozo: boolean; error: string; entries: ParsedEntry[] };
    };

    it("sees the resolution in RSS: a new id, published at the resolution, the resolution first in the summary", async () => {
      const feed = await read("/history.rss");
      expect({ bozo: feed.bozo, error: feed.error }).toEqual({ bozo: false, error: "" });
      expect(feed.entries).toHaveLength(1);
      const [entry] = feed.entries;
      expect(entry).toMatchObject({ id: `${incidentId}#2`, title: "Search is slow", published: seconds(resolvedAt) });
      expect(entry!.summary).toMatch(/^<p><strong>Resolved<\/strong>/);
    }, 30_000);

    it("sees the resolution in Atom: the same id, updated at the resolution", async () => {
      const feed = await read("/history.atom");
      expect({ bozo: feed.bozo, error: feed.error }).toEqual({ bozo: false, error: "" });
      expect(feed.entries).toHaveLength(1);
      const [entry] = feed.entries;
      expect(entry).toMatchObject({ id: `https://status.example.com/incidents/${incidentId}`, title: "Search is slow", published: seconds(createdAt), updated: seconds(resolvedAt) });
      expect(entry!.summary).toMatch(/^<p><strong>Resolved<\/strong>/);
    }, 30_000);
  });
});
