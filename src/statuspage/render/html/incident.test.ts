import { describe, expect, it } from "vitest";
import { samplePageView } from "../../../../test/helpers/page-view.ts";
import type { IncidentView, PageView, UpdateView } from "../../view/types.ts";
import { renderIncidentPage, renderMaintenancePage } from "./index.ts";

const view = samplePageView();
const active = view.incidents[0] as IncidentView;
const resolved = view.incidents[1] as IncidentView;

const headings = (html: string) => [...html.matchAll(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1>/g)].map((m) => `h${m[1]} ${(m[2] ?? "").replace(/<[^>]+>/g, "")}`);
const article = (html: string) => /<article[\s\S]*<\/article>/.exec(html)?.[0] ?? "";

describe("renderIncidentPage", () => {
  it("is undefined for an unknown id (a 404)", () => {
    expect(renderIncidentPage(view, "inc_nope")).toBeUndefined();
    expect(renderIncidentPage(view, "")).toBeUndefined();
  });

  it("is a whole page: title, landmarks, the site's name as h1 and the incident as h2 in an article", () => {
    const html = renderIncidentPage(view, active.id) ?? "";
    expect(html).toContain("<title>Orders database outage – Acme Status</title>");
    expect(html).toContain('<link rel="canonical" href="https://status.example.com/incidents/inc_00000000000000a1">');
    for (const tag of ["<header", "<nav", "<main", "<footer", "<article"]) expect(html).toContain(tag);
    expect(headings(html)).toEqual(["h1 ", "h2 Orders database outage", "h3 Affected components", "h3 Updates"]);
    expect(html.match(/<script[^>]*>/gi)).toEqual(['<script src="/local-time.js" defer>']);
  });

  it("says status, impact, start, the affected components with their status, and every update newest first", () => {
    const html = article(renderIncidentPage(view, active.id) ?? "");
    expect(html).toContain('<span class="update-status">Identified</span> · Critical impact');
    expect(html).toContain('Started <time datetime="2026-11-27T13:20:05Z">27 Nov 2026, 14:20 CET</time>');
    expect(html).toMatch(/<li><span>Orders database<\/span><span class="status st-major_outage"><svg[^>]*>[\s\S]*?<\/svg>Major outage<\/span><\/li>/);
    expect(html).toMatch(/<li><span>Production API<\/span><span class="status st-major_outage">/);
    const identified = html.indexOf("<p>The primary ran out of disk; failing over. </p>");
    const investigating = html.indexOf("<p>We are investigating a major outage affecting Orders database and Production API.</p>");
    expect(identified).toBeGreaterThan(0);
    expect(identified).toBeLessThan(investigating);
    expect(html).toContain("Affected: Orders database (major outage), Production API (major outage)");
  });

  it("orders updates by display time even when the view does not", () => {
    const [newer, older] = active.updates as [UpdateView, UpdateView];
    const shuffled: PageView = { ...view, incidents: [{ ...active, updates: [older, newer] }] };
    const html = renderIncidentPage(shuffled, active.id) ?? "";
    const times = [...html.matchAll(/<p class="update-head"><span class="update-status">[^<]+<\/span> · <time datetime="([^"]+)"/g)].map((m) => m[1]);
    expect(times).toEqual(["2026-11-27T13:25:00Z", "2026-11-27T13:20:06Z"]);
  });

  it("shows the published postmortem's sanitised HTML as it is", () => {
    const html = article(renderIncidentPage(view, resolved.id) ?? "");
    expect(html).toContain('<section class="postmortem"><h3>Postmortem</h3><p class="meta">Published <time datetime="2026-09-30T08:00:00Z">30 Sep 2026, 10:00 CEST</time></p>');
    expect(html).toContain('<div class="prose"><h3>Postmortem</h3>\n<p>An index was missing.</p>\n</div>');
    expect(html).toContain('<span class="update-status">Postmortem</span> · Major impact');
    expect(html).toContain('resolved <time datetime="2026-09-28T08:45:00Z">28 Sep 2026, 10:45 CEST</time>');
    expect(html).not.toContain("# Postmortem");
  });

  it("leaves out a postmortem that is not published", () => {
    const draft: PageView = { ...view, incidents: [{ ...resolved, postmortemPublishedAt: null }] };
    expect(renderIncidentPage(draft, resolved.id)).not.toContain("An index was missing.");
  });

  it("escapes the incident's name and components, and percent-encodes its id in links", () => {
    const odd: IncidentView = { ...active, id: 'x"/<y>', name: "<b>Bad</b> & worse", components: [{ id: "c", name: "Checkout <beta>", status: "partial_outage" }] };
    const html = renderIncidentPage({ ...view, incidents: [odd] }, 'x"/<y>') ?? "";
    expect(html).toContain("<h2>&lt;b&gt;Bad&lt;/b&gt; &amp; worse</h2>");
    expect(html).toContain("<title>&lt;b&gt;Bad&lt;/b&gt; &amp; worse – Acme Status</title>");
    expect(html).toContain("<span>Checkout &lt;beta&gt;</span>");
    expect(html).toContain('href="https://status.example.com/incidents/x%22%2F%3Cy%3E"');
    expect(html).not.toContain("<b>Bad");
  });

  it("is deterministic", () => {
    expect(renderIncidentPage(samplePageView(), active.id)).toBe(renderIncidentPage(view, active.id));
  });
});

describe("renderMaintenancePage", () => {
  it("is undefined for an unknown id", () => {
    expect(renderMaintenancePage(view, "mnt_nope")).toBeUndefined();
  });

  it("shows name, status, window, affected components and the sanitised body", () => {
    const html = renderMaintenancePage(view, "mnt_00000000000000c1") ?? "";
    expect(html).toContain("<title>Cache upgrade – Acme Status</title>");
    expect(headings(html)).toEqual(["h1 ", "h2 Cache upgrade", "h3 Affected components", "h3 Details"]);
    expect(html).toContain('<span class="update-status">In progress</span> · Maintenance');
    expect(html).toContain('Scheduled <time datetime="2026-11-27T13:00:00Z">27 Nov 2026, 14:00 CET</time> to <time datetime="2026-11-27T15:00:00Z">27 Nov 2026, 16:00 CET</time>');
    expect(html).toContain('Started <time datetime="2026-11-27T13:00:00Z">27 Nov 2026, 14:00 CET</time>');
    expect(html).toMatch(/<li><span>Cache<\/span><span class="status st-under_maintenance">/);
    expect(html).toContain('<div class="prose"><p>Upgrading the cache.</p></div>');
  });
});
