import { describe, expect, it } from "vitest";
import { samplePageView } from "../../../../test/helpers/page-view.ts";
import type { IncidentView, MaintenanceView, PageView } from "../../view/types.ts";
import { historyPageCount, pagePaths, renderHistoryPage } from "./index.ts";

const view = samplePageView();
const template = view.incidents[1] as IncidentView;

/** The sample page with one resolved incident started at each of `starts`. */
function withIncidents(starts: string[], base: PageView = view): PageView {
  const incidents = starts.map((start, i): IncidentView => ({ ...template, id: `inc_${i}`, name: `Incident ${i}`, startedAt: new Date(start), createdAt: new Date(start), resolvedAt: null }));
  return { ...base, incidents, maintenances: [] };
}

const months = (html: string) => [...html.matchAll(/<section class="month"><h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
const names = (html: string) => [...html.matchAll(/<a href="\/incidents\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);

describe("renderHistoryPage", () => {
  it("shows the sample's last three months, newest first, saying when a month was quiet", () => {
    const { html, pages } = renderHistoryPage(view, 1);
    expect(pages).toBe(1);
    expect(html).toContain("<title>Incident history – Acme Status</title>");
    expect(html).toContain('<a href="/history" aria-current="page">History</a>');
    expect(html).toContain('<h2 id="history-title">Incident history</h2>');
    expect(months(html)).toEqual(["November 2026", "October 2026", "September 2026"]);
    expect(html).toMatch(/<h3>October 2026<\/h3><p class="muted">No incidents reported.<\/p>/);
    expect(html).toMatch(/<h3>November 2026<\/h3><ul class="entries"><li class="entry impact-critical"><a href="\/incidents\/inc_00000000000000a1">Orders database outage<\/a>/);
    expect(html).toMatch(/<h3>September 2026<\/h3><ul class="entries"><li class="entry impact-major"><a href="\/incidents\/inc_00000000000000b2">Slow orders<\/a>/);
    expect(html).toContain('resolved <time datetime="2026-09-28T08:45:00Z">28 Sep 2026, 10:45 CEST</time>');
    expect(html).not.toContain('class="pager"><ul><li><a');
    expect(html.match(/<script[^>]*>/gi)).toEqual(['<script src="/local-time.js" defer>']);
  });

  it("pages by three calendar months, back to the month of the oldest incident", () => {
    const many = withIncidents(["2026-11-20T10:00:00Z", "2026-11-02T10:00:00Z", "2026-08-15T10:00:00Z", "2026-06-01T10:00:00Z", "2026-04-30T10:00:00Z"]);
    expect(historyPageCount(many)).toBe(3);
    const first = renderHistoryPage(many, 1);
    const second = renderHistoryPage(many, 2);
    const third = renderHistoryPage(many, 3);
    expect(first.pages).toBe(3);
    expect(months(first.html)).toEqual(["November 2026", "October 2026", "September 2026"]);
    expect(names(first.html)).toEqual(["Incident 0", "Incident 1"]);
    expect(months(second.html)).toEqual(["August 2026", "July 2026", "June 2026"]);
    expect(names(second.html)).toEqual(["Incident 2", "Incident 3"]);
    expect(months(third.html)).toEqual(["May 2026", "April 2026"]);
    expect(names(third.html)).toEqual(["Incident 4"]);
    expect(third.html).toMatch(/<h3>May 2026<\/h3><p class="muted">No incidents reported.<\/p>/);
  });

  it("links pages to each other, says where the reader is, and names the pages in the title", () => {
    const many = withIncidents(["2026-11-20T10:00:00Z", "2026-04-30T10:00:00Z"]);
    const second = renderHistoryPage(many, 2).html;
    expect(second).toContain("<title>Incident history, page 2 of 3 – Acme Status</title>");
    expect(second).toContain('<nav class="pager" aria-label="History pages"><ul><li><a href="/history" rel="prev">Newer incidents</a></li><li>Page 2 of 3</li><li><a href="/history?page=3" rel="next">Older incidents</a></li></ul></nav>');
    expect(second).toContain('<link rel="prev" href="/history">');
    expect(second).toContain('<link rel="next" href="/history?page=3">');
    expect(second).toContain('<link rel="canonical" href="https://status.example.com/history?page=2">');
    expect(second).toContain("August 2026 to June 2026, newest first. Page 2 of 3.");
    expect(renderHistoryPage(many, 1).html).toContain('<ul><li>Page 1 of 3</li><li><a href="/history?page=2" rel="next">Older incidents</a></li></ul>');
  });

  it("clamps a page out of range", () => {
    const many = withIncidents(["2026-11-20T10:00:00Z", "2026-04-30T10:00:00Z"]);
    expect(renderHistoryPage(many, 99)).toEqual(renderHistoryPage(many, 3));
    expect(renderHistoryPage(many, 0)).toEqual(renderHistoryPage(many, 1));
    expect(renderHistoryPage(many, Number.NaN)).toEqual(renderHistoryPage(many, 1));
    expect(renderHistoryPage(many, 1.5)).toEqual(renderHistoryPage(many, 1));
  });

  it("shows three quiet months on one page when nothing ever happened", () => {
    const quiet = { ...view, incidents: [], maintenances: [] };
    const { html, pages } = renderHistoryPage(quiet, 1);
    expect(pages).toBe(1);
    expect(months(html)).toEqual(["November 2026", "October 2026", "September 2026"]);
    expect(html.split("No incidents reported.").length - 1).toBe(3);
  });

  it("places incidents in the month they started in the page's zone", () => {
    // 23:30 UTC on 31 October is 1 November in Paris (00:30 CET).
    const edge = withIncidents(["2026-10-31T23:30:00Z"]);
    expect(renderHistoryPage(edge, 1).html).toMatch(/<h3>November 2026<\/h3><ul class="entries">/);
    const utc = { ...edge, page: { ...edge.page, timeZone: "UTC" } };
    expect(renderHistoryPage(utc, 1).html).toMatch(/<h3>November 2026<\/h3><p class="muted">No incidents reported.<\/p><\/section><section class="month"><h3>October 2026<\/h3><ul class="entries">/);
  });

  it("lists completed maintenance with the incidents, marked as maintenance", () => {
    const done: MaintenanceView = { ...(view.maintenances[0] as MaintenanceView), status: "completed", completedAt: new Date("2026-11-27T14:30:00Z") };
    const html = renderHistoryPage({ ...view, maintenances: [done] }, 1).html;
    expect(html).toContain('<li class="entry maintenance"><a href="/maintenances/mnt_00000000000000c1">Cache upgrade</a><p class="meta">Maintenance · Completed · Scheduled');
    // Newest first: the incident (started 13:20 UTC) before the maintenance (scheduled from 13:00 UTC).
    expect(html.indexOf("Orders database outage")).toBeLessThan(html.indexOf("Cache upgrade"));
  });

  it("escapes names", () => {
    const odd = withIncidents(["2026-11-20T10:00:00Z"]);
    odd.incidents[0]!.name = "<i>x</i>";
    const html = renderHistoryPage(odd, 1).html;
    expect(html).toContain("&lt;i&gt;x&lt;/i&gt;");
    expect(html).not.toContain("<i>x");
  });

  it("is deterministic", () => {
    expect(renderHistoryPage(samplePageView(), 1)).toEqual(renderHistoryPage(view, 1));
  });
});

describe("pagePaths and history", () => {
  it("lists every history page", () => {
    const many = withIncidents(["2026-11-20T10:00:00Z", "2026-04-30T10:00:00Z"]);
    expect(pagePaths(many).filter((p) => p.startsWith("/history"))).toEqual(["/history", "/history?page=2", "/history?page=3"]);
  });
});
