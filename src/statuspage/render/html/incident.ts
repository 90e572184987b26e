/**
 * Incidents: the card on the home page (active incidents with all their updates) and the incident's own page
 * (`/incidents/:id`): an `<article>` with name, status, impact, times, affected components, the published
 * postmortem and every update, newest first. Update and postmortem bodies are the view's sanitised HTML, inserted as
 * they are; everything else is escaped.
 */
import type { IncidentView, PageView, UpdateView } from "../../view/types.ts";
import { esc } from "./escape.ts";
import { paths, renderDocument, timeElement } from "./layout.ts";
import { componentStatusLabel, impactLabel, incidentStatusLabel, statusBadge } from "./status.ts";
import { type Zone, zoneOf } from "./time.ts";

const time = (d: Date): number => (d instanceof Date ? d.getTime() : Number.NaN);

/** Updates newest first by display time (ties keep the view's order). */
export function sortedUpdates(incident: IncidentView): UpdateView[] {
  return incident.updates
    .map((update, index) => ({ update, index }))
    .sort((a, b) => (time(b.update.displayAt) || 0) - (time(a.update.displayAt) || 0) || a.index - b.index)
    .map(({ update }) => update);
}

function updateItem(update: UpdateView, zone: Zone, withComponents: boolean): string {
  const affected =
    withComponents && update.affectedComponents.length > 0
      ? `<p class="meta">Affected: ${update.affectedComponents
          .map((c) => `${esc(c.name)} (${esc(componentStatusLabel(c.new_status).toLowerCase())})`)
          .join(", ")}</p>`
      : "";
  return (
    `<li class="update">` +
    `<p class="update-head"><span class="update-status">${esc(incidentStatusLabel(update.status))}</span> · ${timeElement(update.displayAt, zone)}</p>` +
    `<div class="prose">${update.bodyHtml}</div>` +
    affected +
    `</li>`
  );
}

/** The updates, newest first, as an ordered list. */
export function updateList(incident: IncidentView, zone: Zone, withComponents: boolean): string {
  const updates = sortedUpdates(incident);
  if (updates.length === 0) return `<p class="muted">No updates have been posted yet.</p>`;
  return `<ol class="updates">${updates.map((u) => updateItem(u, zone, withComponents)).join("")}</ol>`;
}

/** "Identified · Critical impact". */
function statusLine(incident: IncidentView): string {
  return `<span class="update-status">${esc(incidentStatusLabel(incident.status))}</span> · ${esc(impactLabel(incident.impact))}`;
}

function timesLine(incident: IncidentView, zone: Zone): string {
  const parts = [`Started ${timeElement(incident.startedAt, zone)}`];
  if (incident.resolvedAt) parts.push(`resolved ${timeElement(incident.resolvedAt, zone)}`);
  return parts.join("; ");
}

const impactClass = (impact: string): string =>
  ["none", "minor", "major", "critical"].includes(impact) ? `impact-${impact}` : "impact-none";

function affectedList(components: IncidentView["components"]): string {
  return `<ul class="affected">${components
    .map((c) => `<li><span>${esc(c.name)}</span>${statusBadge(c.status)}</li>`)
    .join("")}</ul>`;
}

/** An active incident on the home page: heading level 3, linked to its page, all updates. */
export function incidentCard(incident: IncidentView, zone: Zone): string {
  const components =
    incident.components.length > 0
      ? `<p class="meta">Affects: ${incident.components.map((c) => esc(c.name)).join(", ")}</p>`
      : "";
  return (
    `<article class="card incident ${impactClass(incident.impact)}">` +
    `<h3><a href="${esc(paths.incident(incident.id))}">${esc(incident.name)}</a></h3>` +
    `<p class="meta">${statusLine(incident)}. ${timesLine(incident, zone)}.</p>` +
    components +
    updateList(incident, zone, false) +
    `</article>`
  );
}

/** The main content of an incident's page. */
export function incidentArticle(incident: IncidentView, zone: Zone): string {
  const components =
    incident.components.length > 0
      ? `<section><h3>Affected components</h3>${affectedList(incident.components)}</section>`
      : "";
  const postmortem =
    incident.postmortemPublishedAt && incident.postmortemBodyHtml
      ? `<section class="postmortem"><h3>Postmortem</h3><p class="meta">Published ${timeElement(incident.postmortemPublishedAt, zone)}</p>` +
        `<div class="prose">${incident.postmortemBodyHtml}</div></section>`
      : "";
  return (
    `<article class="card incident ${impactClass(incident.impact)}">` +
    `<h2>${esc(incident.name)}</h2>` +
    `<p class="meta">${statusLine(incident)}</p>` +
    `<p class="meta">${timesLine(incident, zone)}</p>` +
    components +
    postmortem +
    `<section><h3>Updates</h3>${updateList(incident, zone, true)}</section>` +
    `</article>`
  );
}

/** The page of incident `incidentId` (`/incidents/:id`), undefined when the view has no such incident (a 404). */
export function renderIncidentPage(view: PageView, incidentId: string): string | undefined {
  const incident = view.incidents.find((i) => i.id === incidentId);
  if (incident === undefined) return undefined;
  const zone = zoneOf(view.page.timeZone);
  return renderDocument(view, {
    title: incident.name,
    path: paths.incident(incident.id),
    section: "other",
    main: `${incidentArticle(incident, zone)}<p class="more"><a href="${paths.history()}">All past incidents</a></p>`,
  });
}
