/**
 * Incident history (`/history`, `/history?page=N`): incidents and completed maintenance grouped by calendar month in
 * the page's zone, newest first, three months per page (as Statuspage pages it). A page always covers three whole
 * months, quiet months included ("No incidents reported."), so a page's address keeps meaning the same months
 * until the month turns; a very busy month makes a long page rather than splitting across pages. Page 1 is the
 * current month and the two before it; the last page reaches back to the month of the oldest entry.
 *
 * An incident belongs to the day and month it started; a maintenance to its scheduled start.
 */
import type { IncidentView, MaintenanceView, PageView } from "../../view/types.ts";
import { esc } from "./escape.ts";
import { paths, renderDocument, timeElement } from "./layout.ts";
import { impactLabel, incidentStatusLabel, maintenanceStatusLabel } from "./status.ts";
import { formatMonth, monthNumber, type Zone, zoneOf } from "./time.ts";

/** Months per history page. */
export const monthsPerPage = 3;

export type HistoryEntry = { kind: "incident"; at: Date; incident: IncidentView } | { kind: "maintenance"; at: Date; maintenance: MaintenanceView };

const ms = (d: Date): number => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.getTime() : 0);

/** Incidents (by start) and completed maintenance (by scheduled start), newest first. */
export function historyEntries(view: PageView): HistoryEntry[] {
  const entries: HistoryEntry[] = [
    ...view.incidents.map((incident): HistoryEntry => ({ kind: "incident", at: incident.startedAt, incident })),
    ...view.maintenances
      .filter((m) => m.status === "completed")
      .map((maintenance): HistoryEntry => ({ kind: "maintenance", at: maintenance.scheduledFor, maintenance })),
  ];
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => ms(b.entry.at) - ms(a.entry.at) || a.index - b.index)
    .map(({ entry }) => entry);
}

/** An entry as a list item: linked name, then status, impact and time. */
export function entryItem(entry: HistoryEntry, zone: Zone): string {
  if (entry.kind === "incident") {
    const i = entry.incident;
    const resolved = i.resolvedAt ? `; resolved ${timeElement(i.resolvedAt, zone)}` : "";
    return (
      `<li class="entry impact-${["none", "minor", "major", "critical"].includes(i.impact) ? i.impact : "none"}">` +
      `<a href="${esc(paths.incident(i.id))}">${esc(i.name)}</a>` +
      `<p class="meta">${esc(incidentStatusLabel(i.status))} · ${esc(impactLabel(i.impact))} · Started ${timeElement(i.startedAt, zone)}${resolved}</p>` +
      `</li>`
    );
  }
  const m = entry.maintenance;
  return (
    `<li class="entry maintenance">` +
    `<a href="${esc(paths.maintenance(m.id))}">${esc(m.name)}</a>` +
    `<p class="meta">Maintenance · ${esc(maintenanceStatusLabel(m.status))} · Scheduled ${timeElement(m.scheduledFor, zone)} to ${timeElement(m.scheduledUntil, zone)}</p>` +
    `</li>`
  );
}

interface Span {
  /** The newest month shown (page 1's first), a month number. */
  newest: number;
  /** The oldest month shown (the last page's last). */
  oldest: number;
}

function span(view: PageView, entries: HistoryEntry[], zone: Zone): Span {
  const current = monthNumber(view.generatedAt, zone);
  const months = entries.map((e) => monthNumber(e.at, zone)).filter((m) => m > 0);
  const newest = Math.max(current, ...months);
  const oldest = Math.min(newest - (monthsPerPage - 1), ...months);
  return { newest, oldest };
}

/** How many history pages the view makes (at least 1). */
export function historyPageCount(view: PageView): number {
  const zone = zoneOf(view.page.timeZone);
  const { newest, oldest } = span(view, historyEntries(view), zone);
  return Math.max(1, Math.ceil((newest - oldest + 1) / monthsPerPage));
}

function pager(page: number, pages: number): string {
  const newer = page > 1 ? `<a href="${esc(paths.history(page - 1))}" rel="prev">Newer incidents</a>` : "";
  const older = page < pages ? `<a href="${esc(paths.history(page + 1))}" rel="next">Older incidents</a>` : "";
  return (
    `<nav class="pager" aria-label="History pages"><ul>` +
    [newer, `Page ${page} of ${pages}`, older].filter((item) => item !== "").map((item) => `<li>${item}</li>`).join("") +
    `</ul></nav>`
  );
}

/**
 * History page `page` (1 is the newest) and the number of pages. A page outside 1…pages (or not an integer) is
 * clamped into it; a server that wants a 404 there compares `page` with `pages` (or `historyPageCount`).
 */
export function renderHistoryPage(view: PageView, page: number): { html: string; pages: number } {
  const zone = zoneOf(view.page.timeZone);
  const entries = historyEntries(view);
  const { newest, oldest } = span(view, entries, zone);
  const pages = Math.max(1, Math.ceil((newest - oldest + 1) / monthsPerPage));
  const n = Number.isInteger(page) ? Math.min(Math.max(page, 1), pages) : 1;
  const first = newest - (n - 1) * monthsPerPage;
  const months: string[] = [];
  for (let month = first; month > first - monthsPerPage && month >= oldest; month--) {
    const inMonth = entries.filter((e) => monthNumber(e.at, zone) === month);
    const body =
      inMonth.length === 0
        ? `<p class="muted">No incidents reported.</p>`
        : `<ul class="entries">${inMonth.map((e) => entryItem(e, zone)).join("")}</ul>`;
    months.push(`<section class="month"><h3>${esc(formatMonth(month))}</h3>${body}</section>`);
  }
  const last = Math.max(first - monthsPerPage + 1, oldest);
  const range = first === last ? formatMonth(first) : `${formatMonth(first)} to ${formatMonth(last)}`;
  const main =
    `<section aria-labelledby="history-title"><h2 id="history-title">Incident history</h2>` +
    `<p class="muted">${esc(range)}, newest first. Page ${n} of ${pages}.</p>` +
    months.join("") +
    pager(n, pages) +
    `</section>`;
  const headLinks = [
    n > 1 ? `<link rel="prev" href="${esc(paths.history(n - 1))}">` : "",
    n < pages ? `<link rel="next" href="${esc(paths.history(n + 1))}">` : "",
  ].filter((l) => l !== "");
  const html = renderDocument(view, {
    title: pages > 1 ? `Incident history, page ${n} of ${pages}` : "Incident history",
    path: paths.history(n),
    section: "history",
    main,
    headLinks,
  });
  return { html, pages };
}
