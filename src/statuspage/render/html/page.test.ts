import { describe, expect, it } from "vitest";
import { days, samplePageView } from "../../../../test/helpers/page-view.ts";
import type { ComponentView, PageView } from "../../view/types.ts";
import { pagePaths, renderPage } from "./index.ts";

/** The text of every heading, in order, with its level. */
function headings(html: string): [number, string][] {
  return [...html.matchAll(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1>/g)].map((m) => [Number(m[1]), (m[2] ?? "").replace(/<[^>]+>/g, "")]);
}

/** The bars, each as its list of day cells' opening tags. */
function bars(html: string): { label: string; cells: string[] }[] {
  return [...html.matchAll(/<div class="bar" role="group" aria-label="([^"]*)">([\s\S]*?)<\/div>/g)].map((m) => ({
    label: m[1] ?? "",
    cells: [...(m[2] ?? "").matchAll(/<span class="day [^"]*"[^>]*>/g)].map((c) => c[0]),
  }));
}

const count = (html: string, needle: string | RegExp): number =>
  typeof needle === "string" ? html.split(needle).length - 1 : [...html.matchAll(needle)].length;

/** A section of the page by its heading id. */
function section(html: string, id: string): string {
  const match = new RegExp(`<section aria-labelledby="${id}">([\\s\\S]*?)</section>\\n`).exec(html);
  return match?.[1] ?? "";
}

const view = samplePageView();
const html = renderPage(view);

describe("the home page document", () => {
  it("is an English HTML document with charset, viewport, title, feeds and no favicon request", () => {
    expect(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">")).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain("<title>Acme Status – Major System Outage</title>");
    expect(html).toContain('<link rel="alternate" type="application/rss+xml" title="Acme Status incident history (RSS)" href="/history.rss">');
    expect(html).toContain('<link rel="alternate" type="application/atom+xml" title="Acme Status incident history (Atom)" href="/history.atom">');
    expect(html).toContain('<link rel="icon" href="data:,">');
    expect(html).toContain('<link rel="canonical" href="https://status.example.com/">');
  });

  it("needs no script and passes a strict CSP: no inline script (one optional external one), no handler, no style attribute, one inline style sheet", () => {
    expect(html.match(/<script[^>]*>/gi)).toEqual(['<script src="/local-time.js" defer>']);
    expect(html).toContain('<script src="/local-time.js" defer></script>');
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/<link[^>]+rel="stylesheet"/);
    expect(count(html, "<style>")).toBe(1);
    expect(html).not.toContain("javascript:");
  });

  it("has the landmarks once each, a skip link to main, and the navigation's links", () => {
    for (const tag of ["<header", "<nav class=\"site-nav\"", "<main", "<footer"]) expect(count(html, tag)).toBe(1);
    expect(html).toContain('<a class="skip" href="#main">Skip to main content</a>');
    expect(html).toContain('<main id="main" tabindex="-1">');
    expect(html.indexOf('class="skip"')).toBeLessThan(html.indexOf("<header"));
    const nav = /<nav class="site-nav" aria-label="Site">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? "";
    expect(nav).toContain('<a href="/" aria-current="page">Current status</a>');
    expect(nav).toContain('<a href="/history">History</a>');
    expect(nav).toContain('<a href="https://example.com">Acme</a>');
  });

  it("has one h1, the site's name (its logo, alt text the name), and sections in order under h2", () => {
    const h = headings(html);
    expect(h.filter(([level]) => level === 1)).toHaveLength(1);
    expect(html).toContain('<h1 class="site-name"><a href="/"><img src="https://example.com/logo.svg" alt="Acme Status"></a></h1>');
    expect(h.filter(([level]) => level === 2).map(([, text]) => text)).toEqual([
      "Current status",
      "Active incidents",
      "Scheduled maintenance",
      "Components",
      "Past incidents",
    ]);
  });

  it("never skips a heading level going down", () => {
    const levels = headings(html).map(([level]) => level);
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);
  });

  it("writes the name as text without a logo", () => {
    const plain = renderPage({ ...view, page: { ...view.page, logoUrl: null } });
    expect(plain).toContain('<h1 class="site-name"><a href="/">Acme Status</a></h1>');
    const hostileLogo = renderPage({ ...view, page: { ...view.page, logoUrl: "javascript:alert(1)" } });
    expect(hostileLogo).toContain('<h1 class="site-name"><a href="/">Acme Status</a></h1>');
  });

  it("has a footer with Powered by Vigil, the last update in the page's zone, and the zone named for times and days alike", () => {
    const footer = /<footer[\s\S]*<\/footer>/.exec(html)?.[0] ?? "";
    expect(footer).toContain("Powered by Vigil");
    // The last change of what the page says (view.page.updatedAt), not the render time.
    expect(footer).toContain('Last updated <time datetime="2026-11-27T13:21:00Z">27 Nov 2026, 14:21 CET</time>');
    expect(footer).toContain("Times are shown in Europe/Paris time (CET, UTC+01:00), and so are the days of the uptime bars and of the incident lists.");
    // The hook /local-time.js reads the page's zone from.
    expect(footer).toContain('<p class="time-zone" data-time-zone="Europe/Paris">');
  });
});

describe("the overall status", () => {
  it("says the description in words with the indicator's shape", () => {
    const banner = section(html, "current-status");
    expect(banner).toMatch(/<p class="banner st-major_outage"><svg class="icon"[^>]*aria-hidden="true"[^>]*>[\s\S]*?<\/svg><span>Major System Outage<\/span><\/p>/);
  });

  it.each([
    ["none", "st-operational"],
    ["minor", "st-degraded_performance"],
    ["major", "st-partial_outage"],
    ["critical", "st-major_outage"],
    ["maintenance", "st-under_maintenance"],
  ] as const)("shows indicator %s as %s", (indicator, cls) => {
    const page = renderPage({ ...view, status: { indicator, description: "Words" } });
    expect(page).toContain(`<p class="banner ${cls}">`);
  });
});

describe("active incidents", () => {
  const active = section(html, "active-incidents");

  it("lists unresolved incidents, linked, with every update newest first and sanitised HTML kept", () => {
    expect(active).toContain('<h3><a href="/incidents/inc_00000000000000a1">Orders database outage</a></h3>');
    expect(active).not.toContain("Slow orders");
    expect(active.indexOf("<p>The primary ran out of disk; failing over. </p>")).toBeGreaterThan(0);
    expect(active.indexOf("<p>The primary ran out of disk")).toBeLessThan(active.indexOf("<p>We are investigating"));
    expect(active).toContain('<span class="update-status">Identified</span> · <time datetime="2026-11-27T13:25:00Z">27 Nov 2026, 14:25 CET</time>');
    expect(active).toContain('<span class="update-status">Investigating</span> · <time datetime="2026-11-27T13:20:06Z">27 Nov 2026, 14:20 CET</time>');
    expect(active).toContain("Critical impact");
  });

  it("is left out when nothing is active", () => {
    const calm = renderPage({ ...view, incidents: view.incidents.filter((i) => i.status === "postmortem") });
    expect(calm).not.toContain("Active incidents");
  });
});

describe("scheduled maintenance", () => {
  const maintenance = section(html, "scheduled-maintenance");

  it("shows the one in progress and the upcoming one with their windows", () => {
    expect(maintenance.indexOf("Cache upgrade")).toBeLessThan(maintenance.indexOf("Network work"));
    expect(maintenance).toContain('<span class="update-status">In progress</span> · Scheduled <time datetime="2026-11-27T13:00:00Z">27 Nov 2026, 14:00 CET</time> to <time datetime="2026-11-27T15:00:00Z">27 Nov 2026, 16:00 CET</time>');
    expect(maintenance).toContain('<a href="/maintenances/mnt_00000000000000c2">Network work</a>');
    expect(maintenance).toContain("<p>Switch replacement.</p>");
  });

  it("leaves out completed maintenance and scheduled ones already over", () => {
    const [running, upcoming] = view.maintenances as [PageView["maintenances"][0], PageView["maintenances"][0]];
    const page = renderPage({
      ...view,
      maintenances: [
        { ...running, status: "completed" },
        { ...upcoming, scheduledFor: new Date("2026-11-01T00:00:00Z"), scheduledUntil: new Date("2026-11-01T02:00:00Z") },
      ],
    });
    expect(page).not.toContain("Scheduled maintenance");
  });
});

describe("components", () => {
  const components = section(html, "components");

  it("puts grouped components under their group (h3, h4) and the others after it by position (h3)", () => {
    const h = headings(components).slice(1).map(([level, text]) => `h${level} ${text}`);
    expect(h).toEqual(["h3 Infrastructure", "h4 Orders database", "h4 Cache", "h3 Production API", "h3 Checkout &lt;beta&gt;"]);
  });

  it("orders groups and ungrouped components together by position", () => {
    const page = renderPage({ ...view, groups: view.groups.map((g) => ({ ...g, position: 5 })) });
    const h = headings(section(page, "components")).slice(1).map(([, text]) => text);
    expect(h).toEqual(["Production API", "Checkout &lt;beta&gt;", "Infrastructure", "Orders database", "Cache"]);
  });

  it("shows every status in words with a shape", () => {
    const statuses = ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"] as const;
    const base = view.components[1] as ComponentView;
    const page = renderPage({
      ...view,
      groups: [],
      components: statuses.map((status, i) => ({ ...base, id: `c${i}`, name: `C${i}`, groupId: null, position: i, status })),
    });
    for (const [status, words] of [
      ["operational", "Operational"],
      ["degraded_performance", "Degraded performance"],
      ["partial_outage", "Partial outage"],
      ["major_outage", "Major outage"],
      ["under_maintenance", "Under maintenance"],
    ]) {
      expect(page).toMatch(new RegExp(`<span class="status st-${status}"><svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path fill-rule="evenodd" d="[^"]+"/></svg>${words}</span>`));
    }
  });

  it("draws a different shape for every status", () => {
    const shapes = new Set(
      ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"].map((status) => {
        const page = renderPage({ ...view, status: { indicator: "none", description: "x" }, components: [{ ...(view.components[1] as ComponentView), groupId: null, status: status as ComponentView["status"] }], groups: [] });
        return /<span class="status st-[a-z_]+"><svg[^>]*><path fill-rule="evenodd" d="([^"]+)"/.exec(page)?.[1];
      }),
    );
    expect(shapes.size).toBe(5);
  });

  it("gives each component a bar whose marks cover 90 days: quiet days in a row share one focusable, named mark with a CSS tooltip", () => {
    const all = bars(html);
    expect(all.map((b) => b.label)).toEqual([
      "Orders database: the last 90 days",
      "Cache: the last 90 days",
      "Production API: the last 90 days",
      "Checkout &lt;beta&gt;: the last 90 days",
    ]);
    expect(all.map((b) => b.cells.length)).toEqual([4, 1, 2, 2]);
    for (const bar of all) {
      const widths = bar.cells.map((cell) => Number(/ n(\d+)"/.exec(cell)?.[1]));
      expect(widths.reduce((a, b) => a + b, 0)).toBe(90);
      for (const cell of bar.cells) expect(cell).toMatch(/^<span class="day d-[a-z_]+ n\d+" role="img" tabindex="0" aria-label="[^"]+">$/);
    }
    expect(count(components, '<span class="tip" role="tooltip">')).toBe(9);
  });

  it("names a day or a run of days by date, status, uptime and incidents, and shows the same in its tooltip", () => {
    expect(components).toContain(
      '<span class="day d-major_outage n1" role="img" tabindex="0" aria-label="27 Nov 2026: major outage, 98.6 % uptime, 1 incident: Orders database outage">' +
        '<span class="tip" role="tooltip"><strong>27 Nov 2026</strong><span>Major outage</span><span>98.6 % uptime</span><span>Incident: Orders database outage</span></span></span>',
    );
    expect(components).toContain('aria-label="29 Oct 2026: partial outage, 99.1 % uptime, 1 incident: Slow orders"');
    expect(components).toContain('aria-label="30 Oct 2026 – 26 Nov 2026 (28 days): operational, 100 % uptime, no incidents"');
    expect(components).toContain('<strong>30 Oct 2026 – 26 Nov 2026 (28 days)</strong>');
    expect(components).toContain(
      '<span class="day d-no_data n1" role="img" tabindex="0" aria-label="30 Aug 2026: no data yet, monitoring began on 31 Aug 2026">' +
        '<span class="tip" role="tooltip"><strong>30 Aug 2026</strong><span>No data yet</span><span>Monitoring began on 31 Aug 2026</span></span></span>',
    );
  });

  it("never merges a day that had an incident, even with a quiet neighbour of the same status", () => {
    const c = { ...(view.components[2] as ComponentView), days: days({ 88: { incidents: [{ id: "a", name: "A" }] } }) };
    const cells = bars(renderPage({ ...view, components: [c], groups: [] }))[0]!.cells;
    expect(cells.map((cell) => / n(\d+)"/.exec(cell)?.[1])).toEqual(["88", "1", "1"]);
  });

  it("lists several incidents of a day", () => {
    const c = { ...(view.components[2] as ComponentView), days: days({ 89: { status: "partial_outage", uptimePercent: 99.5, incidents: [{ id: "a", name: "A" }, { id: "b", name: "B" }] } }) };
    const page = renderPage({ ...view, components: [c], groups: [] });
    expect(page).toContain('aria-label="27 Nov 2026: partial outage, 99.5 % uptime, 2 incidents: A; B"');
    expect(page).toContain("<span>Incident: A</span><span>Incident: B</span>");
  });

  it("shows the uptime with two decimals and the period it counts, or says there is no data", () => {
    expect(components).toContain('<span class="uptime">99.20 % uptime over 90 days</span>');
    expect(components).toContain('<span class="uptime">100.00 % uptime over 90 days</span>');
    // Checkout's first day has no data: its uptime counts from the day after.
    expect(components).toContain('<span class="uptime">100.00 % uptime since 31 Aug 2026</span>');
    const page = renderPage({ ...view, components: [{ ...(view.components[2] as ComponentView), uptimePercent: null }], groups: [] });
    expect(page).toContain('<span class="uptime">No uptime data</span>');
  });

  it("labels the bar's ends", () => {
    expect(components).toContain('<div class="bar-legend"><span>90 days ago</span><span class="uptime">99.20 % uptime over 90 days</span><span>Today</span></div>');
  });

  it("draws a new install (a component first seen today) as one named run of 89 days with no data yet and today, its uptime since today", () => {
    const young = days(Object.fromEntries(Array.from({ length: 89 }, (_, i) => [i, { status: "no_data" as const, uptimePercent: null }])));
    const c = { ...(view.components[2] as ComponentView), status: "partial_outage" as const, uptimePercent: 30.85, days: young.map((d, i) => (i === 89 ? { ...d, status: "partial_outage" as const, uptimePercent: 30.85 } : d)) };
    const page = renderPage({ ...view, components: [c], groups: [] });
    const cells = bars(page)[0]!.cells;
    expect(cells).toEqual([
      '<span class="day d-no_data n89" role="img" tabindex="0" aria-label="30 Aug 2026 – 26 Nov 2026 (89 days): no data yet, monitoring began on 27 Nov 2026">',
      '<span class="day d-partial_outage n1" role="img" tabindex="0" aria-label="27 Nov 2026: partial outage, 30.85 % uptime, no incidents">',
    ]);
    expect(page).toContain('<span class="uptime">30.85 % uptime since 27 Nov 2026</span>');
    expect(page).toContain("one mark a day, oldest on the left; taller marks are worse, and short grey marks are days before monitoring began.");
  });

  it("says no data yet without a date when no day of the bar has data", () => {
    const none = days(Object.fromEntries(Array.from({ length: 90 }, (_, i) => [i, { status: "no_data" as const, uptimePercent: null }])));
    const page = renderPage({ ...view, components: [{ ...(view.components[2] as ComponentView), uptimePercent: null, days: none }], groups: [] });
    expect(bars(page)[0]!.cells).toEqual(['<span class="day d-no_data n90" role="img" tabindex="0" aria-label="30 Aug 2026 – 27 Nov 2026 (90 days): no data yet">']);
    expect(page).toContain('<span class="uptime">No uptime data</span>');
  });

  it("shows a component's description and escapes it", () => {
    expect(components).toContain('<p class="component-description">Redis cache</p>');
  });
});

describe("third-party components", () => {
  const at = new Date("2026-11-27T12:00:00Z");
  /** The sample page with an upstream provider shown as a third-party component, as buildPageView makes one. */
  const withProvider = (name: string): PageView => ({
    ...view,
    components: [
      ...view.components,
      { id: "aws-rds", name, description: "Status reported by the provider", status: "partial_outage", position: 4, groupId: "group-third-party-services", createdAt: at, updatedAt: at, startDate: "2026-11-27", days: [], uptimePercent: null, thirdParty: true },
    ],
    groups: [...view.groups, { id: "group-third-party-services", name: "Third-party services", position: 4, componentIds: ["aws-rds"], status: "partial_outage", createdAt: at, updatedAt: at }],
  });
  const page = renderPage(withProvider("AWS RDS (Oregon)"));
  const components = section(page, "components");

  it("is absent from a page without upstreams shown", () => {
    expect(html).not.toContain("Third-party services");
    expect(html).not.toContain("Status from the provider");
  });

  it("shows the provider in the group \"Third-party services\", after ours, with its status and description", () => {
    const h = headings(components).slice(1).map(([level, text]) => `h${level} ${text}`);
    expect(h).toEqual(["h3 Infrastructure", "h4 Orders database", "h4 Cache", "h3 Production API", "h3 Checkout &lt;beta&gt;", "h3 Third-party services", "h4 AWS RDS (Oregon)"]);
    expect(components).toMatch(
      /<div class="component"><div class="component-head"><h4>AWS RDS \(Oregon\)<\/h4><span class="status st-partial_outage">.*?Partial outage<\/span><\/div><p class="component-description">Status reported by the provider<\/p><p class="bar-legend">Status from the provider<\/p><\/div>/,
    );
  });

  it("draws no bar nor uptime for it: it has no history of ours", () => {
    expect(bars(page).map((b) => b.label)).toEqual(bars(html).map((b) => b.label));
    expect(count(components, '<span class="uptime">')).toBe(count(section(html, "components"), '<span class="uptime">'));
  });

  it("escapes its name", () => {
    const hostile = section(renderPage(withProvider(`<img src=x onerror="alert(1)">&co`)), "components");
    expect(hostile).not.toContain("<img");
    expect(hostile).toContain("<h4>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;co</h4>");
  });

  it("offers no checkbox for it in the subscribe form: its updates are not ours to send", () => {
    const form = section(renderPage({ ...withProvider("AWS RDS (Oregon)"), subscribe: { email: true, webhook: false } }), "get-updates");
    expect(count(form, '<input type="checkbox"')).toBe(view.components.length);
    expect(form).not.toContain("aws-rds");
    expect(form).not.toContain("Third-party services");
  });
});

describe("past incidents", () => {
  const past = section(html, "past-incidents");

  it("shows the last seven days in the page's zone, newest first, saying so when a day was quiet", () => {
    expect(headings(past).map(([level, text]) => `h${level} ${text}`)).toEqual([
      "h2 Past incidents",
      "h3 27 Nov 2026",
      "h3 26 Nov 2026",
      "h3 25 Nov 2026",
      "h3 24 Nov 2026",
      "h3 23 Nov 2026",
      "h3 22 Nov 2026",
      "h3 21 Nov 2026",
    ]);
    expect(count(past, "No incidents reported.")).toBe(6);
    expect(past).toContain('<a href="/incidents/inc_00000000000000a1">Orders database outage</a>');
    expect(past).not.toContain("Slow orders");
    expect(past).toContain('<a href="/history">Incident history</a>');
  });

  it("counts days in the page's zone, not UTC", () => {
    // 23:30 UTC on the 26th is already the 27th in Paris.
    const late = { ...(view.incidents[0] as PageView["incidents"][0]), startedAt: new Date("2026-11-26T23:30:00Z") };
    const page = section(renderPage({ ...view, incidents: [late] }), "past-incidents");
    const day27 = /<h3>27 Nov 2026<\/h3>([\s\S]*?)<\/li><li class="past-day">/.exec(page)?.[1] ?? "";
    expect(day27).toContain("Orders database outage");
    expect(renderPage({ ...view, incidents: [late], page: { ...view.page, timeZone: "UTC" } })).toMatch(/<h3>26 Nov 2026<\/h3><ul class="entries"><li class="entry impact-critical"><a href="\/incidents\/inc_00000000000000a1">/);
  });
});

describe("escaping", () => {
  it("escapes names in text and attributes", () => {
    expect(html).toContain("<h3>Checkout &lt;beta&gt;</h3>");
    expect(html).not.toContain("Checkout <beta>");
    expect(html).toContain("Live status of Acme&#39;s services");
  });

  it("drops links with script URLs and escapes labels and URLs", () => {
    const page = renderPage({
      ...view,
      page: {
        ...view.page,
        links: [
          { label: '<img src=x onerror="alert(1)">', url: "javascript:alert(1)" },
          { label: "Sneaky", url: " java\tscript:alert(document.cookie)" },
          { label: "Data", url: "data:text/html,<script>alert(1)</script>" },
          { label: 'Docs "quoted" & <b>bold</b>', url: 'https://e.com/?a=1&b="2"><script>' },
        ],
      },
    });
    expect(page).not.toMatch(/javascript/i);
    expect(page).not.toContain("Sneaky");
    expect(page).not.toContain("data:text/html");
    expect(page).not.toContain("<img src=x");
    expect(page.match(/<script[^>]*>/gi)).toEqual(['<script src="/local-time.js" defer>']);
    expect(page).toContain('<a href="https://e.com/?a=1&amp;b=&quot;2&quot;&gt;&lt;script&gt;">Docs &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;</a>');
  });

  it("escapes every string of a hostile view, keeping only the sanitised HTML as it is", () => {
    const payload = `"'><x-pwn onmouseover=alert(1)>`;
    const keep = new Set(["bodyHtml", "postmortemBodyHtml"]);
    const poison = (value: unknown, key = ""): unknown => {
      if (typeof value === "string") return keep.has(key) ? value : `${payload}${value}`;
      if (value instanceof Date) return value;
      if (Array.isArray(value)) return value.map((v) => poison(v));
      if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, k)]));
      return value;
    };
    const hostile = poison(samplePageView()) as PageView;
    const page = renderPage(hostile);
    expect(page).not.toContain("<x-pwn");
    // Every tag is well formed (name="value" attributes, values without quotes) and none has a handler.
    for (const [tag, name, attributes] of page.matchAll(/<([a-zA-Z][\w-]*)([^<>]*)>/g)) {
      expect(attributes, tag).toMatch(/^(\s+[a-zA-Z][\w:-]*(="[^"]*")?)*\s*\/?$/);
      const names = [...(attributes ?? "").matchAll(/\s([a-zA-Z][\w:-]*)(?:="[^"]*")?/g)].map((m) => m[1]);
      expect(names.filter((n) => n?.toLowerCase().startsWith("on")), `${name}: ${tag}`).toEqual([]);
    }
    expect(page).toContain("&lt;x-pwn onmouseover=alert(1)&gt;Orders database outage");
    expect(page).toContain("<p>The primary ran out of disk; failing over. </p>");
    // Unknown zone → UTC; unknown accent → the default.
    expect(page).toContain("Times are shown in UTC time");
    expect(page).toContain("--accent:#2563eb;");
    for (const path of pagePaths(hostile)) expect(path).not.toMatch(/[<>" ]/);
  });
});

describe("the subscribe form", () => {
  const subscribing = (subscribe: PageView["subscribe"], extra: Partial<PageView> = {}) => renderPage({ ...view, ...extra, subscribe });
  const form = (page: string) => section(page, "get-updates");

  it("is absent when subscriptions are off, with no navigation entry", () => {
    for (const page of [html, subscribing(null), subscribing({ email: false, webhook: false })]) {
      expect(page).not.toContain("get-updates");
      expect(page).not.toContain("<form");
      expect(page).not.toContain('href="/subscribe"');
    }
  });

  it("comes last under its own h2, a plain form posting to /subscribe, linked from the navigation", () => {
    const page = subscribing({ email: true, webhook: true });
    expect(headings(page).filter(([level]) => level === 2).map(([, text]) => text).at(-1)).toBe("Get updates");
    expect(page).toContain('<li><a href="/subscribe">Get updates</a></li>');
    const body = form(page);
    expect(body).toContain('<form class="subscribe" method="post" action="/subscribe" novalidate>');
    expect(body).toContain('<label for="subscribe-email">E-mail address</label><input id="subscribe-email" name="email" type="email" autocomplete="email"');
    expect(body).toContain('<details class="subscribe-webhook"><summary>Webhook instead</summary>');
    expect(body).toContain('<input id="subscribe-webhook" name="webhook_url" type="url"');
    expect(body).toContain('<select id="subscribe-format" name="format"><option value="vigil" selected>');
    expect(body).toContain('<button type="submit">Subscribe</button>');
    // Still no script but the optional one, and no inline handler or style.
    expect(page.match(/<script[^>]*>/gi)).toEqual(['<script src="/local-time.js" defer>']);
    expect(page).not.toMatch(/\son[a-z]+=/i);
    expect(page).not.toMatch(/\sstyle=/i);
  });

  it("offers only what is configured: e-mail alone, or a webhook alone without the details", () => {
    const email = form(subscribing({ email: true, webhook: false }));
    expect(email).toContain('name="email"');
    expect(email).not.toContain("webhook_url");
    const webhook = form(subscribing({ email: false, webhook: true }));
    expect(webhook).not.toContain('name="email"');
    expect(webhook).not.toContain("<details");
    expect(webhook).toContain('name="webhook_url"');
    expect(webhook).toContain("Get a webhook (a JSON POST)");
  });

  it("lists every visible component as a checkbox, grouped like the page in fieldsets, labelled by name", () => {
    const body = form(subscribing({ email: true, webhook: true }));
    expect(count(body, '<input type="checkbox"')).toBe(view.components.length);
    expect(body).toContain('<fieldset class="subscribe-components" id="subscribe-components"><legend>Components (optional)</legend>');
    expect(body).toMatch(/<li class="choice-group"><fieldset><legend>Infrastructure<\/legend><ul class="choices"><li class="choice"><input type="checkbox" id="subscribe-c0" name="components" value="orders-db"><label for="subscribe-c0">Orders database<\/label><\/li><li class="choice"><input type="checkbox" id="subscribe-c1" name="components" value="cache">/);
    expect(body).toContain('<input type="checkbox" id="subscribe-c3" name="components" value="checkout"><label for="subscribe-c3">Checkout &lt;beta&gt;</label>');
    // Every checkbox's label points at it.
    const ids = [...body.matchAll(/<input type="checkbox" id="([^"]+)"/g)].map((m) => m[1]);
    for (const id of ids) expect(body).toContain(`<label for="${id}">`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("has no components fieldset on a page without components", () => {
    const body = form(subscribing({ email: true, webhook: false }, { components: [], groups: [] }));
    expect(body).not.toContain("<fieldset");
    expect(body).toContain('name="email"');
  });

  it("escapes hostile component and group names and ids", () => {
    const payload = `"'><x-pwn onmouseover=alert(1)>`;
    const hostile: PageView = {
      ...view,
      subscribe: { email: true, webhook: true },
      components: view.components.map((c) => ({ ...c, id: `${c.id}${payload}`, name: `${payload}${c.name}` })),
      groups: view.groups.map((g) => ({ ...g, name: `${payload}${g.name}`, componentIds: g.componentIds.map((id) => `${id}${payload}`) })),
    };
    const body = form(renderPage(hostile));
    expect(body).not.toContain("<x-pwn");
    expect(body).toContain(`<legend>&quot;&#39;&gt;&lt;x-pwn onmouseover=alert(1)&gt;Infrastructure</legend>`);
    expect(body).toContain(`value="orders-db&quot;&#39;&gt;&lt;x-pwn onmouseover=alert(1)&gt;"`);
  });
});

describe("determinism", () => {
  it("renders the same bytes from equal views, and leaves the view as it was", () => {
    const before = JSON.stringify(view);
    expect(renderPage(samplePageView())).toBe(html);
    expect(renderPage(view)).toBe(html);
    expect(JSON.stringify(view)).toBe(before);
  });

  it("keeps its bytes when only the render time moves (same day), so its ETag stays", () => {
    expect(renderPage({ ...view, generatedAt: new Date("2026-11-27T13:27:00Z") })).toBe(html);
    // A new day changes which days the past incidents show.
    expect(renderPage({ ...view, generatedAt: new Date("2026-11-28T13:27:00Z") })).not.toBe(html);
  });
});

describe("pagePaths", () => {
  it("lists the home page, every incident and maintenance page, and every history page", () => {
    expect(pagePaths(view)).toEqual([
      "/",
      "/incidents/inc_00000000000000a1",
      "/incidents/inc_00000000000000b2",
      "/maintenances/mnt_00000000000000c1",
      "/maintenances/mnt_00000000000000c2",
      "/history",
    ]);
  });

  it("percent-encodes ids", () => {
    const odd = { ...(view.incidents[0] as PageView["incidents"][0]), id: "a/b c" };
    expect(pagePaths({ ...view, incidents: [odd] })).toContain("/incidents/a%2Fb%20c");
  });
});
