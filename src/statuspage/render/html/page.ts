/**
 * The public status page's home (`/`): the overall status, active incidents with all their updates, in-progress and
 * upcoming maintenance, components with their 90-day bars, the last seven days of incidents, and the "Get updates"
 * form when public subscriptions are on. Plus `pagePaths`,
 * every HTML path to pre-render.
 *
 * Every function here is pure and deterministic: the same view gives the same bytes (so ETags are stable); the only
 * clock is `view.generatedAt`.
 */
import type { PageView } from "../../view/types.ts";
import { renderComponents } from "./components.ts";
import { esc } from "./escape.ts";
import { entryItem, historyEntries, historyPageCount } from "./history.ts";
import { incidentCard } from "./incident.ts";
import { paths, renderDocument } from "./layout.ts";
import { currentMaintenances, maintenanceCard } from "./maintenance.ts";
import { indicatorStatus, isActive, statusIcon } from "./status.ts";
import { subscribeSection } from "./subscribe.ts";
import { addDays, dayKey, formatDay, zoneOf } from "./time.ts";

/** Days of past incidents on the home page, today included. */
export const pastDays = 7;

function section(id: string, title: string, body: string): string {
  return `<section aria-labelledby="${id}"><h2 id="${id}">${esc(title)}</h2>${body}</section>`;
}

/**
 * The overall status as a banner: the view's description in words, with the shape and colour of its indicator. It
 * is not a live region (`role="status"`): the page is static, nothing changes under the reader, and a live region
 * present at load is not announced anyway; it is found as the first section of `<main>` under "Current status".
 */
function banner(view: PageView): string {
  const status = indicatorStatus(view.status.indicator);
  return `<p class="banner st-${status}">${statusIcon(status)}<span>${esc(view.status.description)}</span></p>`;
}

/** The home page, `/`. */
export function renderPage(view: PageView): string {
  const zone = zoneOf(view.page.timeZone);
  const parts: string[] = [section("current-status", "Current status", banner(view))];

  const active = view.incidents.filter(isActive);
  if (active.length > 0) parts.push(section("active-incidents", "Active incidents", active.map((i) => incidentCard(i, zone)).join("")));

  const maintenances = currentMaintenances(view);
  if (maintenances.length > 0) {
    parts.push(section("scheduled-maintenance", "Scheduled maintenance", maintenances.map((m) => maintenanceCard(m, zone)).join("")));
  }

  parts.push(section("components", "Components", renderComponents(view)));

  const today = dayKey(view.generatedAt, zone);
  const incidents = historyEntries(view).filter((e) => e.kind === "incident");
  const days: string[] = [];
  for (let i = 0; i < pastDays; i++) {
    const day = addDays(today, -i);
    const onDay = incidents.filter((e) => dayKey(e.at, zone) === day);
    const body =
      onDay.length === 0
        ? `<p class="muted">No incidents reported.</p>`
        : `<ul class="entries">${onDay.map((e) => entryItem(e, zone)).join("")}</ul>`;
    days.push(`<li class="past-day"><h3>${esc(formatDay(day))}</h3>${body}</li>`);
  }
  parts.push(
    section(
      "past-incidents",
      "Past incidents",
      `<ul class="days">${days.join("")}</ul><p class="more"><a href="${paths.history()}">Incident history</a></p>`,
    ),
  );

  // The subscribe form, when subscriptions are on: a plain form, no script.
  const subscribe = subscribeSection(view);
  if (subscribe !== "") parts.push(subscribe);

  return renderDocument(view, { path: paths.home, section: "home", main: parts.join("\n") });
}

/**
 * Every HTML path of the page, site-relative, to pre-render: `/`, each incident's and maintenance's page (ids
 * percent-encoded), and each history page (`/history`, then `/history?page=2`…). No duplicates.
 */
export function pagePaths(view: PageView): string[] {
  const all = [
    paths.home,
    ...view.incidents.map((i) => paths.incident(i.id)),
    ...view.maintenances.map((m) => paths.maintenance(m.id)),
    ...Array.from({ length: historyPageCount(view) }, (_, i) => paths.history(i + 1)),
  ];
  return [...new Set(all)];
}
