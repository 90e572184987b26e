/**
 * The components section: groups and ungrouped components in one order by position (a group before a component on
 * the same position), each component with its status in words and shape and its 90-day bar.
 *
 * A bar is a labelled group of cells, oldest first. Consecutive days that say the same (same status and uptime,
 * no incident) share one cell as wide as its days (`n<days>` sets its flex-grow and the day ticks drawn in it):
 * a quiet 90 days is one cell, so a page of a thousand components stays small and a keyboard user does not
 * tab through 90 identical stops. The eye still sees one mark a day: a run's cell draws a tick per day (a CSS mask
 * repeated `n` times), so every bar is 90 marks, as readers of Statuspage pages expect. Each cell is `role="img"` (a named, focusable graphic: `aria-label` is not
 * allowed on a plain span) with `tabindex="0"` and an `aria-label` saying the day or days, the worst status,
 * the uptime and the incidents; a child `.tip` (role tooltip) shows the same on :hover and :focus, CSS only.
 * The tip is positioned against the bar, full width under it, so it never leaves the screen. Colour is not
 * the only cue: mark height grows with severity, and a day before monitoring began is a short grey stub that says
 * "no data yet" and when monitoring began.
 *
 * The uptime under the bar says over what it counts: "over 90 days", or "since" the first day with data when the
 * component is younger than the bar (a new install's first hour is not a quarter).
 *
 * A third-party component (an upstream provider's status from its feed) has no bar: "Status from the provider" stands
 * in its place.
 *
 * With `statuspage.show_regions`, a component whose view carries `regions` lists them under its name, compactly on one
 * wrapping line: each region's name and what it sees, in words and shape ("Europe West: Down"). Without them, nothing
 * about regions is written.
 */
import type { ComponentView, DayView, GroupView, PageView, RegionStatus, RegionView } from "../../view/types.ts";
import { esc } from "./escape.ts";
import { componentStatusLabel, statusBadge, statusClass, statusIcon } from "./status.ts";
import { formatDay } from "./time.ts";

const finite = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);
const clampPercent = (n: number): number => Math.min(100, Math.max(0, n));

/** A component's uptime, two decimals: "99.20". */
export function formatUptime(percent: number): string {
  return clampPercent(percent).toFixed(2);
}

/** A day's uptime, at most two decimals: "98.6", "100". */
export function formatDayUptime(percent: number): string {
  return String(Number(clampPercent(percent).toFixed(2)));
}

function incidentsText(incidents: DayView["incidents"]): string {
  if (incidents.length === 0) return "no incidents";
  const names = incidents.map((i) => i.name).join("; ");
  return `${incidents.length} ${incidents.length === 1 ? "incident" : "incidents"}: ${names}`;
}

/** What a day before monitoring began says: "no data yet, monitoring began on 6 Dec 2026" (`began`: the first day with data). */
function noDataText(began: string | undefined): string {
  return began === undefined ? "no data yet" : `no data yet, monitoring began on ${formatDay(began)}`;
}

/**
 * The accessible name of a day: "27 Nov 2026: major outage, 98.6 % uptime, 1 incident: Orders database outage"; of a
 * day before monitoring began (`began`, the first day with data): "26 Nov 2026: no data yet, monitoring began on 27 Nov 2026".
 */
export function dayLabel(day: DayView, began?: string): string {
  const date = formatDay(day.date);
  if (day.status === "no_data") return `${date}: ${noDataText(began)}`;
  const uptime = finite(day.uptimePercent) ? `${formatDayUptime(day.uptimePercent)} % uptime` : "no uptime data";
  return `${date}: ${componentStatusLabel(day.status).toLowerCase()}, ${uptime}, ${incidentsText(day.incidents)}`;
}

/** Consecutive days that say the same thing (status, uptime, no incidents), merged; a day with incidents stands alone. */
export function dayRuns(days: readonly DayView[]): { first: DayView; last: DayView; count: number }[] {
  const runs: { first: DayView; last: DayView; count: number }[] = [];
  for (const day of days) {
    const run = runs.at(-1);
    if (run && day.incidents.length === 0 && run.last.incidents.length === 0 && run.last.status === day.status && run.last.uptimePercent === day.uptimePercent) {
      run.last = day;
      run.count++;
    } else {
      runs.push({ first: day, last: day, count: 1 });
    }
  }
  return runs;
}

/** "27 Nov 2026", or for several days "30 Oct 2026 – 27 Nov 2026 (29 days)". */
function spanLabel(run: { first: DayView; last: DayView; count: number }): string {
  return run.count === 1 ? formatDay(run.first.date) : `${formatDay(run.first.date)} – ${formatDay(run.last.date)} (${run.count} days)`;
}

function dayCell(run: { first: DayView; last: DayView; count: number }, began: string | undefined): string {
  const day = run.first;
  const status = statusClass(day.status);
  const when = spanLabel(run);
  const lines = [`<strong>${esc(when)}</strong>`];
  if (status === "no_data") {
    lines.push(`<span>No data yet</span>`);
    if (began !== undefined) lines.push(`<span>Monitoring began on ${esc(formatDay(began))}</span>`);
  } else {
    lines.push(`<span>${esc(componentStatusLabel(status))}</span>`);
    lines.push(`<span>${finite(day.uptimePercent) ? `${formatDayUptime(day.uptimePercent)} % uptime` : "No uptime data"}</span>`);
    if (day.incidents.length === 0) lines.push(`<span>No incidents</span>`);
    for (const incident of day.incidents) lines.push(`<span>Incident: ${esc(incident.name)}</span>`);
  }
  const label = `${when}${dayLabel(day, began).slice(formatDay(day.date).length)}`;
  return (
    `<span class="day d-${status} n${Math.min(run.count, 90)}" role="img" tabindex="0" aria-label="${esc(label)}">` +
    `<span class="tip" role="tooltip">${lines.join("")}</span></span>`
  );
}

/**
 * The uptime with the period it counts: "99.95 % uptime over 90 days" when every day of the bar has data, else
 * "99.95 % uptime since 25 Nov 2026" (the first day with data).
 */
export function uptimeText(component: ComponentView): string {
  if (!finite(component.uptimePercent)) return "No uptime data";
  const days = component.days.slice(-90);
  const observed = days.filter((d) => d.status !== "no_data");
  const first = observed[0];
  const period = first === undefined || observed.length === days.length ? `over ${days.length} days` : `since ${formatDay(first.date)}`;
  return `${formatUptime(component.uptimePercent)} % uptime ${period}`;
}

function uptimeBar(component: ComponentView): string {
  const days = component.days.slice(-90);
  const uptime = uptimeText(component);
  const began = days.find((d) => d.status !== "no_data")?.date;
  return (
    `<div class="bar" role="group" aria-label="${esc(`${component.name}: the last ${days.length} days`)}">` +
    dayRuns(days).map((run) => dayCell(run, began)).join("") +
    `</div>` +
    `<div class="bar-legend"><span>${days.length} days ago</span>` +
    `<span class="uptime">${uptime}</span><span>Today</span></div>`
  );
}

const regionLabels: Record<RegionStatus, string> = { operational: "Operational", degraded: "Degraded", down: "Down", no_data: "No data" };
/** The component status whose colour and shape a region's status takes. */
const regionShapes: Record<RegionStatus, string> = { operational: "operational", degraded: "degraded_performance", down: "major_outage", no_data: "no_data" };

/** "Down" for down, "No data" for no_data. */
export function regionStatusLabel(status: RegionStatus): string {
  return regionLabels[status];
}

/** A component's regions: a list named "<component> by region", each item the region's name and its status in words and shape. */
function regionList(component: ComponentView, regions: readonly RegionView[]): string {
  const items = regions.map((r) => `<li><span class="region-name">${esc(r.name)}:</span> <span class="status st-${regionShapes[r.status]}">${statusIcon(regionShapes[r.status])}${esc(regionStatusLabel(r.status))}</span></li>`);
  return `<ul class="inline-list" aria-label="${esc(`${component.name} by region`)}">${items.join("")}</ul>`;
}

/** A component with its bar; a third-party one (an upstream provider) says whose status it is instead: it has no history of ours. */
function componentBlock(component: ComponentView, level: 3 | 4): string {
  const description = component.description ? `<p class="component-description">${esc(component.description)}</p>` : "";
  return (
    `<div class="component">` +
    `<div class="component-head"><h${level}>${esc(component.name)}</h${level}>${statusBadge(component.status)}</div>` +
    description +
    (component.regions !== undefined && component.regions.length > 0 ? regionList(component, component.regions) : "") +
    (component.thirdParty ? `<p class="bar-legend">Status from the provider</p>` : uptimeBar(component)) +
    `</div>`
  );
}

function groupBlock(group: GroupView, members: ComponentView[]): string {
  return (
    `<div class="group">` +
    `<div class="group-head"><h3>${esc(group.name)}</h3>${statusBadge(group.status)}</div>` +
    members.map((c) => componentBlock(c, 4)).join("") +
    `</div>`
  );
}

const byPosition = <T extends { position: number }>(items: readonly T[]): T[] =>
  items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (a.item.position - b.item.position || a.index - b.index))
    .map(({ item }) => item);

/** Groups (with their members) and ungrouped components, in display order. */
export function layoutComponents(view: PageView): ({ group: GroupView; members: ComponentView[] } | { component: ComponentView })[] {
  const components = byPosition(view.components);
  const groups = byPosition(view.groups);
  const groupOf = new Map<string, string>();
  for (const group of groups) for (const id of group.componentIds) if (!groupOf.has(id)) groupOf.set(id, group.id);
  const groupIds = new Set(groups.map((g) => g.id));
  const home = (c: ComponentView): string | undefined =>
    c.groupId !== null && groupIds.has(c.groupId) ? c.groupId : groupOf.get(c.id);
  type Item = { position: number; rank: number; index: number; entry: { group: GroupView; members: ComponentView[] } | { component: ComponentView } };
  const items: Item[] = [];
  groups.forEach((group, index) => {
    const members = components.filter((c) => home(c) === group.id);
    if (members.length > 0) items.push({ position: group.position, rank: 0, index, entry: { group, members } });
  });
  components.forEach((component, index) => {
    if (home(component) === undefined) items.push({ position: component.position, rank: 1, index, entry: { component } });
  });
  items.sort((a, b) => a.position - b.position || a.rank - b.rank || a.index - b.index);
  return items.map((i) => i.entry);
}

/** The inside of the Components section. */
export function renderComponents(view: PageView): string {
  const entries = layoutComponents(view);
  if (entries.length === 0) return `<p>No components are listed on this page.</p>`;
  const note =
    `<p class="bar-note">Each bar shows the worst status of each day over the last 90 days, one mark a day, oldest on the left; ` +
    `taller marks are worse, and short grey marks are days before monitoring began. Quiet days in a row share one label: ` +
    `hover over or focus a mark for its days, uptime and incidents.` +
    (view.components.some((c) => (c.regions?.length ?? 0) > 0) ? ` Under a component, what each region that checks it sees now.` : "") +
    `</p>`;
  const body = entries.map((e) => ("group" in e ? groupBlock(e.group, e.members) : componentBlock(e.component, 3))).join("");
  return `${note}<div class="groups">${body}</div>`;
}
