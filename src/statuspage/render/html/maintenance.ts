/**
 * Scheduled maintenance: the card on the home page (in progress and upcoming ones, with their windows) and the
 * maintenance's own page (`/maintenances/:id`). The body is the view's sanitised HTML.
 */
import type { MaintenanceView, PageView } from "../../view/types.ts";
import { esc } from "./escape.ts";
import { paths, renderDocument, timeElement } from "./layout.ts";
import { maintenanceStatusLabel, statusBadge } from "./status.ts";
import { type Zone, zoneOf } from "./time.ts";

/** In progress (or verifying) first, then upcoming ones that have not ended, each by scheduled start. */
export function currentMaintenances(view: PageView): MaintenanceView[] {
  const now = view.generatedAt.getTime();
  const running = (m: MaintenanceView) => m.status === "in_progress" || m.status === "verifying";
  const upcoming = (m: MaintenanceView) => m.status === "scheduled" && m.scheduledUntil.getTime() > now;
  const byStart = (a: MaintenanceView, b: MaintenanceView) => a.scheduledFor.getTime() - b.scheduledFor.getTime();
  return [...view.maintenances.filter(running).sort(byStart), ...view.maintenances.filter(upcoming).sort(byStart)];
}

function windowLine(m: MaintenanceView, zone: Zone): string {
  return `Scheduled ${timeElement(m.scheduledFor, zone)} to ${timeElement(m.scheduledUntil, zone)}`;
}

function actualLine(m: MaintenanceView, zone: Zone): string {
  const parts: string[] = [];
  if (m.startedAt) parts.push(`Started ${timeElement(m.startedAt, zone)}`);
  if (m.completedAt) parts.push(`completed ${timeElement(m.completedAt, zone)}`);
  return parts.length > 0 ? `<p class="meta">${parts.join("; ")}</p>` : "";
}

function componentsLine(m: MaintenanceView): string {
  return m.components.length > 0 ? `<p class="meta">Affects: ${m.components.map((c) => esc(c.name)).join(", ")}</p>` : "";
}

/** A maintenance on the home page, heading level 3, linked to its page. */
export function maintenanceCard(m: MaintenanceView, zone: Zone): string {
  return (
    `<article class="card maintenance">` +
    `<h3><a href="${esc(paths.maintenance(m.id))}">${esc(m.name)}</a></h3>` +
    `<p class="meta"><span class="update-status">${esc(maintenanceStatusLabel(m.status))}</span> · ${windowLine(m, zone)}</p>` +
    componentsLine(m) +
    `<div class="prose">${m.bodyHtml}</div>` +
    `</article>`
  );
}

/** The page of maintenance `id` (`/maintenances/:id`), undefined when the view has no such maintenance. */
export function renderMaintenancePage(view: PageView, id: string): string | undefined {
  const m = view.maintenances.find((x) => x.id === id);
  if (m === undefined) return undefined;
  const zone = zoneOf(view.page.timeZone);
  const components =
    m.components.length > 0
      ? `<section><h3>Affected components</h3><ul class="affected">${m.components
          .map((c) => `<li><span>${esc(c.name)}</span>${statusBadge(c.status)}</li>`)
          .join("")}</ul></section>`
      : "";
  const main =
    `<article class="card maintenance">` +
    `<h2>${esc(m.name)}</h2>` +
    `<p class="meta"><span class="update-status">${esc(maintenanceStatusLabel(m.status))}</span> · Maintenance</p>` +
    `<p class="meta">${windowLine(m, zone)}</p>` +
    actualLine(m, zone) +
    components +
    `<section><h3>Details</h3><div class="prose">${m.bodyHtml}</div></section>` +
    `</article>`;
  return renderDocument(view, { title: m.name, path: paths.maintenance(m.id), section: "other", main });
}
