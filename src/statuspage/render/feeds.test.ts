import { describe, expect, it } from "vitest";
import { samplePageView } from "../../../test/helpers/page-view.ts";
import type { IncidentView, PageView } from "../view/types.ts";
import { feedLimit, humanTime, renderAtom, renderRss, rfc3339, rfc822, statusLabel } from "./feeds.ts";
import { cdata, escapeXml, stripControl } from "./xml.ts";

// ---- A tiny, strict XML reader: enough to prove the feeds well-formed and read them back. ----

interface El {
  name: string;
  attrs: Record<string, string>;
  children: (El | string)[];
}

const namePattern = /^[A-Za-z_][\w.:-]*/;
const forbiddenChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(raw: string): string {
  if (raw.includes("<")) throw new Error(`raw < in ${JSON.stringify(raw)}`);
  return raw.replace(/&([^;]*);?/g, (all, ref: string) => {
    if (!all.endsWith(";")) throw new Error(`unterminated reference in ${JSON.stringify(raw)}`);
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (ref in named) return named[ref]!;
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (!m) throw new Error(`unknown entity &${ref};`);
    return String.fromCodePoint(m[1] ? parseInt(m[1], 16) : Number(m[2]));
  });
}

/** Parses `xml` (an optional XML declaration, one root element) or throws on anything malformed. */
function parseXml(xml: string): El {
  if (forbiddenChars.test(xml)) throw new Error("a character XML forbids");
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`);
  };
  const skipSpace = () => {
    while (/\s/.test(xml[i] ?? "")) i++;
  };
  const readName = (): string => {
    const m = namePattern.exec(xml.slice(i));
    if (!m) return fail("expected a name");
    i += m[0].length;
    return m[0];
  };
  const element = (): El => {
    if (xml[i] !== "<") fail("expected <");
    i++;
    const el: El = { name: readName(), attrs: {}, children: [] };
    for (;;) {
      const before = i;
      skipSpace();
      if (xml.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (xml[i] === ">") {
        i++;
        break;
      }
      if (i === before) fail("expected space before an attribute");
      const attr = readName();
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      if (xml[i++] !== "=") fail("expected =");
      const quote = xml[i++] ?? "";
      if (quote !== '"' && quote !== "'") fail("expected a quote");
      const end = xml.indexOf(quote, i);
      if (end < 0) fail("unterminated attribute");
      el.attrs[attr] = decode(xml.slice(i, end));
      i = end + 1;
    }
    for (;;) {
      if (i >= xml.length) fail(`unclosed <${el.name}>`);
      if (xml.startsWith("<![CDATA[", i)) {
        const end = xml.indexOf("]]>", i);
        if (end < 0) fail("unterminated CDATA");
        el.children.push(xml.slice(i + 9, end));
        i = end + 3;
      } else if (xml.startsWith("<!--", i)) {
        const end = xml.indexOf("-->", i);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else if (xml.startsWith("</", i)) {
        i += 2;
        if (readName() !== el.name) fail(`mismatched </…> for <${el.name}>`);
        skipSpace();
        if (xml[i++] !== ">") fail("expected >");
        return el;
      } else if (xml[i] === "<") {
        el.children.push(element());
      } else {
        const end = xml.indexOf("<", i);
        const raw = xml.slice(i, end < 0 ? xml.length : end);
        if (raw.includes("]]>")) fail("]]> in text");
        el.children.push(decode(raw));
        i += raw.length;
      }
    }
  };
  if (xml.startsWith("<?xml")) {
    const end = xml.indexOf("?>");
    if (end < 0) fail("unterminated declaration");
    i = end + 2;
  }
  skipSpace();
  const root = element();
  skipSpace();
  if (i !== xml.length) fail("content after the root element");
  return root;
}

const elements = (el: El, name?: string): El[] =>
  el.children.filter((c): c is El => typeof c !== "string" && (name === undefined || c.name === name));
const child = (el: El, name: string): El => {
  const found = elements(el, name)[0];
  if (!found) throw new Error(`no <${name}> in <${el.name}>`);
  return found;
};
const textOf = (el: El): string => el.children.map((c) => (typeof c === "string" ? c : textOf(c))).join("");

// ---- Fixtures ----

function withIncident(view: PageView, patch: Partial<IncidentView>): PageView {
  const [first, ...rest] = view.incidents;
  return { ...view, incidents: [{ ...first!, ...patch }, ...rest] };
}

function manyIncidents(count: number): PageView {
  const view = samplePageView();
  const template = view.incidents[0]!;
  const incidents = Array.from({ length: count }, (_, n) => ({
    ...template,
    id: `inc_${String(n).padStart(16, "0")}`,
    name: `Incident ${n}`,
    createdAt: new Date(Date.UTC(2026, 0, 1) + n * 3_600_000),
  }));
  return { ...view, incidents, maintenances: [] };
}

// ---- xml.ts ----

describe("escaping helpers", () => {
  it("escape the five XML specials, for text and attributes", () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  });

  it("strip control characters XML cannot carry but keep tab, newline and return", () => {
    expect(stripControl("a\u0000b\u0007c\u001bd\u007fe\u0085f\tg\nh\ri\uFFFEj")).toBe("abcdef\tg\nh\rij");
    expect(escapeXml("x\u0001<")).toBe("x&lt;");
  });

  it("strip lone surrogates but keep pairs", () => {
    expect(stripControl("a\uD800b\uDC00c😀")).toBe("abc😀");
  });

  it("split ]]> across CDATA sections so the text survives", () => {
    const wrapped = cdata("a ]]> b ]]>");
    expect(wrapped).toBe("<![CDATA[a ]]]]><![CDATA[> b ]]]]><![CDATA[>]]>");
    expect(textOf(parseXml(`<x>${wrapped}</x>`))).toBe("a ]]> b ]]>");
  });

  it("round-trip through the reader", () => {
    const nasty = `<script>alert("&amp;")</script> ]]> 'quotes' & more`;
    const doc = parseXml(`<x a="${escapeXml(nasty)}">${escapeXml(nasty)}</x>`);
    expect(doc.attrs.a).toBe(nasty);
    expect(textOf(doc)).toBe(nasty);
  });
});

describe("the test's XML reader", () => {
  it.each([
    ["<a><b></a></b>"],
    ["<a>x & y</a>"],
    ["<a>x < y</a>"],
    ["<a b=c/>"],
    ["<a>]]></a>"],
    ["<a>&nbsp;</a>"],
    ["<a></a><b/>"],
    ["<a>\u0001</a>"],
  ])("rejects %j", (xml) => {
    expect(() => parseXml(xml)).toThrow();
  });
});

// ---- dates and labels ----

describe("dates", () => {
  it("are RFC 822 in UTC with a four-digit year", () => {
    expect(rfc822(new Date("2026-01-05T03:04:05Z"))).toBe("Mon, 05 Jan 2026 03:04:05 +0000");
    expect(rfc822(new Date("2026-11-27T13:25:00Z"))).toBe("Fri, 27 Nov 2026 13:25:00 +0000");
  });

  it("are RFC 3339 for Atom", () => {
    expect(rfc3339(new Date("2026-11-27T13:25:00Z"))).toBe("2026-11-27T13:25:00Z");
    expect(rfc3339(new Date("2026-11-27T13:25:00.250Z"))).toBe("2026-11-27T13:25:00.250Z");
  });

  it("are shown to people in the page's time zone, with its offset", () => {
    expect(humanTime(new Date("2026-11-27T13:25:00Z"), "Europe/Paris")).toBe("Nov 27, 2026, 14:25 UTC+01:00");
    expect(humanTime(new Date("2026-07-01T23:05:00Z"), "Europe/Paris")).toBe("Jul 2, 2026, 01:05 UTC+02:00");
    expect(humanTime(new Date("2026-07-01T00:05:00Z"), "America/New_York")).toBe("Jun 30, 2026, 20:05 UTC-04:00");
    expect(humanTime(new Date("2026-11-27T00:00:00Z"), "UTC")).toBe("Nov 27, 2026, 00:00 UTC");
  });

  it("fall back to UTC for a time zone Intl does not know", () => {
    expect(humanTime(new Date("2026-11-27T13:25:00Z"), "Mars/Olympus_Mons")).toBe("Nov 27, 2026, 13:25 UTC");
  });
});

describe("status labels", () => {
  it("word incident and maintenance statuses", () => {
    expect(statusLabel("investigating")).toBe("Investigating");
    expect(statusLabel("in_progress")).toBe("In progress");
    expect(statusLabel("some_new_status")).toBe("Some new status");
  });
});

// ---- RSS ----

describe("renderRss", () => {
  const view = samplePageView();
  const xml = renderRss(view);
  const rss = parseXml(xml);
  const channel = child(rss, "channel");
  const items = elements(channel, "item");

  it("is a well-formed RSS 2.0 document declaring the Atom namespace", () => {
    expect(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"`)).toBe(true);
    expect(rss.name).toBe("rss");
    expect(rss.attrs).toEqual({ version: "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom" });
  });

  it("describes the channel: title, link, description, lastBuildDate, self link, in that order", () => {
    const names = elements(channel).map((e) => e.name);
    expect(names.slice(0, 5)).toEqual(["title", "link", "description", "lastBuildDate", "atom:link"]);
    expect(textOf(child(channel, "title"))).toBe("Acme Status - Incident History");
    expect(textOf(child(channel, "link"))).toBe("https://status.example.com");
    expect(textOf(child(channel, "description"))).toBe("Live status of Acme's services");
    expect(child(channel, "atom:link").attrs).toEqual({
      href: "https://status.example.com/history.rss",
      rel: "self",
      type: "application/rss+xml",
    });
  });

  it("dates the channel by its latest change, not by the render time", () => {
    // The open incident's last update (13:25) is later than the page's updatedAt (13:21).
    expect(textOf(child(channel, "lastBuildDate"))).toBe("Fri, 27 Nov 2026 13:25:00 +0000");
    expect(renderRss({ ...view, generatedAt: new Date("2030-01-01T00:00:00Z") })).toBe(xml);
  });

  it("has an item per incident and maintenance, newest first by creation; an incident's guid counts its updates after the first", () => {
    expect(items.map((i) => textOf(child(i, "guid")))).toEqual([
      "inc_00000000000000a1#2",
      "mnt_00000000000000c1",
      "mnt_00000000000000c2",
      "inc_00000000000000b2#2", // its one update, then its postmortem
    ]);
    expect(items.map((i) => textOf(child(i, "category")))).toEqual(["incident", "maintenance", "maintenance", "incident"]);
  });

  it("gives each item title, link, guid, pubDate and description, in that order", () => {
    const first = items[0]!;
    const names = elements(first).map((e) => e.name);
    expect(names.filter((n) => n !== "category")).toEqual(["title", "link", "guid", "pubDate", "description"]);
    expect(textOf(child(first, "title"))).toBe("Orders database outage");
    expect(textOf(child(first, "link"))).toBe("https://status.example.com/incidents/inc_00000000000000a1");
    expect(child(first, "guid").attrs).toEqual({ isPermaLink: "false" });
    // The latest change: the incident's last update (created 13:20:06), the resolved one's postmortem.
    expect(textOf(child(first, "pubDate"))).toBe("Fri, 27 Nov 2026 13:25:00 +0000");
    expect(textOf(child(items[3]!, "pubDate"))).toBe("Wed, 30 Sep 2026 08:00:00 +0000");
    for (const item of items) expect(textOf(child(item, "pubDate"))).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it("describes an incident with its updates newest first, labelled and timed in the page's zone, as CDATA", () => {
    expect(xml).toContain("<description><![CDATA[");
    const html = textOf(child(items[0]!, "description"));
    const identified = html.indexOf("<strong>Identified</strong>");
    const investigating = html.indexOf("<strong>Investigating</strong>");
    expect(identified).toBeGreaterThanOrEqual(0);
    expect(investigating).toBeGreaterThan(identified);
    expect(html).toContain(`<time datetime="2026-11-27T13:25:00Z">Nov 27, 2026, 14:25 UTC+01:00</time>`);
    expect(html).toContain("<p>The primary ran out of disk; failing over. </p>");
    expect(html).not.toContain("<script>"); // the sanitised HTML, not the Markdown
    expect(html).toContain("This incident affected: Orders database, Production API.");
  });

  it("puts a published postmortem before the updates", () => {
    const html = textOf(child(items[3]!, "description"));
    expect(html.indexOf("<strong>Postmortem</strong>")).toBeLessThan(html.indexOf("<strong>Resolved</strong>"));
    expect(html).toContain("<p>An index was missing.</p>");
  });

  it("describes a maintenance with its status, window and components", () => {
    const html = textOf(child(items[1]!, "description"));
    expect(html).toContain("<strong>In progress</strong>");
    expect(html).toContain("Scheduled for <time datetime=\"2026-11-27T13:00:00Z\">Nov 27, 2026, 14:00 UTC+01:00</time>");
    expect(html).toContain("<p>Components: Cache.</p>");
  });

  it("escapes < and & in names, in the title and inside the description's HTML", () => {
    const evil = withIncident(view, {
      name: "Checkout <beta> & co",
      components: [{ id: "checkout", name: "Checkout <beta>", status: "degraded_performance" }],
    });
    const out = renderRss(evil);
    expect(out).toContain("<title>Checkout &lt;beta&gt; &amp; co</title>");
    expect(out).not.toContain("<beta>");
    const first = elements(child(parseXml(out), "channel"), "item")[0]!;
    expect(textOf(child(first, "title"))).toBe("Checkout <beta> & co");
    expect(textOf(child(first, "description"))).toContain("This incident affected: Checkout &lt;beta&gt;.");
  });

  it("keeps a ]]> in a body from ending the CDATA section", () => {
    const [update, ...others] = view.incidents[0]!.updates;
    const evil = withIncident(view, { updates: [{ ...update!, bodyHtml: "<p>a ]]> <b>b</b></p>" }, ...others] });
    const out = renderRss(evil);
    expect(out).toContain("]]]]><![CDATA[>");
    const first = elements(child(parseXml(out), "channel"), "item")[0]!;
    expect(textOf(child(first, "description"))).toContain("<p>a ]]> <b>b</b></p>");
  });

  it("strips control characters", () => {
    const out = renderRss(withIncident(view, { name: "Bad\u0000 \u001bname\u0008" }));
    expect(() => parseXml(out)).not.toThrow();
    expect(out).toContain("<title>Bad name</title>");
  });

  it("escapes the page's name and address", () => {
    const evil = { ...view, page: { ...view.page, name: "A&B <Status>", url: "https://status.example.com/?a=1&b=2" } };
    const channelOut = child(parseXml(renderRss(evil)), "channel");
    expect(textOf(child(channelOut, "title"))).toBe("A&B <Status> - Incident History");
    expect(child(channelOut, "atom:link").attrs.href).toBe("https://status.example.com/?a=1&b=2/history.rss");
  });

  it(`lists at most ${feedLimit} items, the newest`, () => {
    const channelOut = child(parseXml(renderRss(manyIncidents(60))), "channel");
    const titles = elements(channelOut, "item").map((i) => textOf(child(i, "title")));
    expect(titles).toHaveLength(feedLimit);
    expect(titles[0]).toBe("Incident 59");
    expect(titles.at(-1)).toBe("Incident 10");
  });

  it("renders an empty history as a channel without items", () => {
    const channelOut = child(parseXml(renderRss({ ...view, incidents: [], maintenances: [] })), "channel");
    expect(elements(channelOut, "item")).toEqual([]);
    expect(textOf(child(channelOut, "lastBuildDate"))).toBe("Fri, 27 Nov 2026 13:21:00 +0000");
  });

  it("is deterministic", () => {
    expect(renderRss(samplePageView())).toBe(xml);
  });
});

// ---- Atom ----

describe("renderAtom", () => {
  const view = samplePageView();
  const xml = renderAtom(view);
  const feed = parseXml(xml);
  const entries = elements(feed, "entry");

  it("is a well-formed Atom 1.0 feed", () => {
    expect(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<feed`)).toBe(true);
    expect(feed.name).toBe("feed");
    expect(feed.attrs.xmlns).toBe("http://www.w3.org/2005/Atom");
  });

  it("identifies and links the feed", () => {
    const names = elements(feed).map((e) => e.name);
    expect(names.slice(0, 6)).toEqual(["id", "title", "subtitle", "updated", "link", "link"]);
    expect(textOf(child(feed, "id"))).toBe("https://status.example.com/");
    expect(textOf(child(feed, "title"))).toBe("Acme Status - Incident History");
    expect(textOf(child(feed, "updated"))).toBe("2026-11-27T13:25:00Z");
    expect(elements(feed, "link").map((l) => l.attrs)).toEqual([
      { rel: "self", type: "application/atom+xml", href: "https://status.example.com/history.atom" },
      { rel: "alternate", type: "text/html", href: "https://status.example.com" },
    ]);
    expect(textOf(child(child(feed, "author"), "name"))).toBe("Acme Status");
  });

  it("has an entry per incident and maintenance, newest first, each with id, title, dates, link and HTML content", () => {
    expect(entries.map((e) => textOf(child(e, "id")))).toEqual([
      "https://status.example.com/incidents/inc_00000000000000a1",
      "https://status.example.com/maintenances/mnt_00000000000000c1",
      "https://status.example.com/maintenances/mnt_00000000000000c2",
      "https://status.example.com/incidents/inc_00000000000000b2",
    ]);
    const first = entries[0]!;
    expect(elements(first).map((e) => e.name)).toEqual(["id", "title", "published", "updated", "link", "category", "content"]);
    expect(textOf(child(first, "title"))).toBe("Orders database outage");
    expect(textOf(child(first, "published"))).toBe("2026-11-27T13:20:06Z");
    expect(textOf(child(first, "updated"))).toBe("2026-11-27T13:25:00Z");
    expect(child(first, "link").attrs.href).toBe("https://status.example.com/incidents/inc_00000000000000a1");
    expect(child(first, "content").attrs).toEqual({ type: "html" });
    const html = textOf(child(first, "content"));
    expect(html.indexOf("<strong>Identified</strong>")).toBeLessThan(html.indexOf("<strong>Investigating</strong>"));
    expect(textOf(child(entries[3]!, "updated"))).toBe("2026-09-30T08:00:00Z");
  });

  it("escapes names and bodies", () => {
    const [update, ...others] = view.incidents[0]!.updates;
    const evil = withIncident(view, {
      name: "Checkout <beta> & co",
      updates: [{ ...update!, bodyHtml: "<p>x ]]> y &amp; z</p>" }, ...others],
    });
    const out = renderAtom(evil);
    expect(out).toContain("<title>Checkout &lt;beta&gt; &amp; co</title>");
    const first = elements(parseXml(out), "entry")[0]!;
    expect(textOf(child(first, "title"))).toBe("Checkout <beta> & co");
    expect(textOf(child(first, "content"))).toContain("<p>x ]]> y &amp; z</p>");
  });

  it(`lists at most ${feedLimit} entries`, () => {
    expect(elements(parseXml(renderAtom(manyIncidents(60))), "entry")).toHaveLength(feedLimit);
  });

  it("is deterministic", () => {
    expect(renderAtom(samplePageView())).toBe(xml);
    expect(renderAtom({ ...view, generatedAt: new Date(0) })).toBe(xml);
  });
});
