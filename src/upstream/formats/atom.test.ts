import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { samplePageView } from "../../../test/helpers/page-view.ts";
import { renderAtom } from "../../statuspage/render/feeds.ts";
import { FeedParseError } from "../types.ts";
import { AtomConfig, atomFormat } from "./atom.ts";

const githubUrl = "https://www.githubstatus.com/history.atom";
const github = readFileSync(new URL("./fixtures/githubstatus-history.atom", import.meta.url), "utf8");
const now = new Date("2026-11-27T18:00:00Z");

function parse(body: string, config: Record<string, unknown> = {}, at: Date = now) {
  return atomFormat.parse(body, AtomConfig.parse({ url: githubUrl, ...config }), { now: at, url: githubUrl });
}

function feed(entries: string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title type="text">Example Status</title><updated>2026-11-27T17:00:00Z</updated>\n${entries
    .map((e) => `<entry>${e}</entry>`)
    .join("\n")}\n</feed>`;
}

describe("atom: a Statuspage history feed (GitHub)", () => {
  it("is one component, named by the feed's title unless configured", () => {
    expect(parse(github).components).toEqual([
      { id: "GitHub Status - Incident History", name: "GitHub Status - Incident History", group: null, status: "partial_outage" },
    ]);
    expect(parse(github, { component: "GitHub" }).components[0]?.name).toBe("GitHub");
  });

  it("reads the open incident from its entry, newest update first", () => {
    const { incidents } = parse(github, { component: "GitHub" });
    expect(incidents[0]).toEqual({
      id: "tag:www.githubstatus.com,2005:Incident/27182818",
      title: "Disruption with some GitHub services",
      status: "investigating",
      impact: "major",
      url: "https://www.githubstatus.com/incidents/k3mxq8vz1t2p",
      startedAt: new Date("2026-11-27T16:41:07Z"),
      updatedAt: new Date("2026-11-27T17:05:12Z"),
      resolvedAt: null,
      text:
        "Nov 27, 17:05 UTC Update - We are seeing failures for some Actions jobs & are working on a fix. Nov 27, 16:41 UTC Investigating - We are investigating reports of degraded performance for Actions.",
      components: ["GitHub"],
    });
  });

  it("reads a resolved entry as resolved, and drops entries older than max_age", () => {
    const { incidents } = parse(github);
    expect(incidents.map((i) => [i.title, i.status])).toEqual([
      ["Disruption with some GitHub services", "investigating"],
      ["Incident with Pull Requests", "resolved"],
    ]);
    expect(incidents[1]).toMatchObject({ startedAt: new Date("2026-11-27T09:10:44Z"), resolvedAt: new Date("2026-11-27T10:02:31Z"), impact: "minor" });
    expect(parse(github, { max_age: "10d" }).incidents).toHaveLength(3);
  });

  it("is operational when nothing is open", () => {
    const resolvedOnly = feed([`<id>e1</id><title>Incident with Pull Requests</title><updated>2026-11-27T10:00:00Z</updated><summary>This incident has been resolved.</summary>`]);
    expect(parse(resolvedOnly).components[0]?.status).toBe("operational");
  });
});

describe("atom: text constructs and links", () => {
  it("reads xhtml content as text, without its script", () => {
    const body = feed([
      `<id>e1</id><title type="html">&lt;b&gt;Database&lt;/b&gt; latency</title><updated>2026-11-27T17:00:00Z</updated>
       <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Queries are <em>slow</em>.</p><script>alert(1)</script></div></content>`,
    ]);
    const incident = parse(body).incidents[0];
    expect(incident?.title).toBe("Database latency");
    expect(incident?.text).toContain("Queries are");
    expect(incident?.text).toContain("slow");
    expect(incident?.text).not.toContain("alert");
  });

  it("strips markup from text summaries too, and keeps only an http(s) alternate link", () => {
    const body = feed([
      `<id>e1</id><title>Errors</title><updated>2026-11-27T17:00:00Z</updated>
       <link rel="self" href="https://status.example.com/self"/>
       <link rel="alternate" href="javascript:alert(1)"/>
       <link href="/incidents/e1"/>
       <summary>&lt;script&gt;alert(2)&lt;/script&gt;Investigating &lt;a href="javascript:alert(3)"&gt;errors&lt;/a&gt;.</summary>`,
    ]);
    const incident = parse(body).incidents[0];
    expect(incident?.url).toBe("https://www.githubstatus.com/incidents/e1");
    expect(incident?.text).toBe("Investigating errors.");
  });

  it("dates an entry by published and updated, each standing in for the other", () => {
    const body = feed([
      `<id>a</id><title>Only published</title><published>2026-11-27T16:00:00Z</published>`,
      `<id>b</id><title>Only updated</title><updated>2026-11-27T16:30:00+01:00</updated>`,
      `<id>c</id><title>Bad date</title><updated>27/11/2026</updated>`,
    ]);
    const { incidents } = parse(body);
    expect(incidents.map((i) => [i.id, i.startedAt.toISOString()])).toEqual([
      ["a", "2026-11-27T16:00:00.000Z"],
      ["b", "2026-11-27T15:30:00.000Z"],
    ]);
  });
});

describe("atom: defensive reading", () => {
  it("throws FeedParseError for malformed XML, an RSS feed, or an HTML page", () => {
    const error = (body: string): string => {
      try {
        parse(body);
      } catch (e) {
        expect(e).toBeInstanceOf(FeedParseError);
        return (e as Error).message;
      }
      throw new Error("expected a FeedParseError");
    };
    expect(error(github.replace("</title>", ""))).toMatch(/^expected an Atom feed, but the body is not well-formed XML: .*\(line \d+, column \d+\)$/);
    expect(error(`<rss version="2.0"><channel/></rss>`)).toBe("expected an Atom feed (a <feed> root element), got <rss>");
    expect(error(`<html><body>Maintenance</body></html>`)).toBe("expected an Atom feed, got an HTML page");
  });

  it("keeps the newest 200 entries", () => {
    const entries = Array.from({ length: 1_000 }, (_, i) => `<id>urn:e:${i}</id><title>Entry ${i}</title><updated>${new Date(now.getTime() - i * 60_000).toISOString()}</updated>`);
    const { incidents } = parse(feed(entries));
    expect(incidents).toHaveLength(200);
    expect(incidents[0]?.id).toBe("urn:e:0");
    expect(incidents.some((i) => i.id === "urn:e:200")).toBe(false);
  });
});

describe("atom: Vigil's own history.atom", () => {
  it("reads the open incident and the maintenances", () => {
    const url = "https://status.example.com/history.atom";
    const snapshot = atomFormat.parse(renderAtom(samplePageView()), AtomConfig.parse({ url }), { now: new Date("2026-11-27T13:30:00Z"), url });
    expect(snapshot.components[0]).toMatchObject({ name: "Acme Status - Incident History", status: "partial_outage" });
    expect(snapshot.incidents.map((i) => [i.title, i.status, i.url])).toEqual([
      ["Orders database outage", "investigating", "https://status.example.com/incidents/inc_00000000000000a1"],
    ]);
    expect(snapshot.maintenances.map((m) => [m.title, m.status])).toEqual([
      ["Cache upgrade", "in_progress"],
      ["Network work", "scheduled"],
    ]);
  });
});
