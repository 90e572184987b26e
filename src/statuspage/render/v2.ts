/**
 * The Statuspage-compatible public API v2 (`/api/v2/*.json`): the documents Atlassian Statuspage serves
 * at `https://<page>.statuspage.io/api/v2/…`, field for field, rendered from the page view.
 *
 * Pure: the output is a function of the view only (no clock, no I/O), so an unchanged page renders
 * identical documents. Every instant is a string, ISO 8601 in UTC with milliseconds
 * (`2026-11-27T13:20:06.000Z`); no `Date` is left in the output. Names and bodies are text as written
 * (Markdown for bodies): JSON is not HTML, so a client that renders them must escape them.
 *
 * Orders (see docs/statuspage-v2.md):
 * - component rows: top-level rows (groups and ungrouped components) by position, a group before a
 *   component at the same position, each group row followed by its components by position;
 * - incidents: newest first by creation, ties by id; incidents.json keeps the 50 most recent;
 * - incident updates: newest first by display time, then by creation;
 * - scheduled maintenances: newest first by scheduled start, then by creation, ties by id;
 *   scheduled-maintenances.json keeps the 50 most recent.
 */
import type { ComponentView, GroupView, IncidentView, MaintenanceView, PageView, UpdateView } from "../view/types.ts";
import type {
  V2AffectedComponent,
  V2ComponentRow,
  V2Document,
  V2GroupRow,
  V2Incident,
  V2IncidentUpdate,
  V2Maintenance,
  V2MaintenanceUpdate,
  V2Page,
  V2Path,
  V2Row,
} from "./v2-schemas.ts";

export type { V2Document, V2Path } from "./v2-schemas.ts";
export { v2Paths } from "./v2-schemas.ts";

/** How many incidents incidents.json and maintenances scheduled-maintenances.json list at most, as Statuspage. */
export const v2ListLimit = 50;

const unresolvedStatuses: ReadonlySet<IncidentView["status"]> = new Set(["investigating", "identified", "monitoring"]);
const activeStatuses: ReadonlySet<MaintenanceView["status"]> = new Set(["in_progress", "verifying"]);

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date === null ? null : iso(date));
const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function pageOf(view: PageView): V2Page {
  const p = view.page;
  return { id: p.id, name: p.name, url: p.url, time_zone: p.timeZone, updated_at: iso(p.updatedAt) };
}

function componentRow(view: PageView, c: ComponentView, groupId: string | null, position: number): V2ComponentRow {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    position,
    description: c.description,
    showcase: true,
    start_date: c.startDate,
    group_id: groupId,
    page_id: view.page.id,
    group: false,
    only_show_if_degraded: false,
  };
}

function groupRow(view: PageView, g: GroupView, children: readonly ComponentView[], position: number): V2GroupRow {
  return {
    id: g.id,
    name: g.name,
    status: g.status,
    created_at: iso(g.createdAt),
    updated_at: iso(g.updatedAt),
    position,
    description: null,
    showcase: false,
    start_date: null,
    group_id: null,
    page_id: view.page.id,
    group: true,
    only_show_if_degraded: false,
    components: children.map((c) => c.id),
  };
}

/**
 * Every row of components.json and summary.json. A component belongs to the group its `groupId` names;
 * one whose group is not in the view is shown ungrouped (`group_id: null`), so no row points at a
 * missing group row. Positions are Statuspage's: the top-level rows numbered from 1 in row order, and
 * each group's components from 1 within the group.
 */
function componentRows(view: PageView): V2Row[] {
  return rowLayout(view).flatMap((top, i) =>
    top.group === null
      ? [componentRow(view, top.members[0]!, null, i + 1)]
      : [groupRow(view, top.group, top.members, i + 1), ...top.members.map((c, j) => componentRow(view, c, top.group!.id, j + 1))],
  );
}

/** The top-level rows in order: a group with its components by position, or an ungrouped component alone. */
function rowLayout(view: PageView): { group: GroupView | null; members: ComponentView[] }[] {
  const groupIds = new Set(view.groups.map((g) => g.id));
  const byPosition = <T extends { position: number }>(list: readonly T[]): T[] => list.map((item, i) => ({ item, i })).sort((a, b) => a.item.position - b.item.position || a.i - b.i).map((x) => x.item);
  const children = (g: GroupView): ComponentView[] => byPosition(view.components.filter((c) => c.groupId === g.id));

  type Top = { position: number; kind: 0 | 1; index: number; group: GroupView | null; members: () => ComponentView[] };
  const top: Top[] = [
    ...view.groups.map((g, index): Top => ({ position: g.position, kind: 0, index, group: g, members: () => children(g) })),
    ...view.components
      .filter((c) => c.groupId === null || !groupIds.has(c.groupId))
      .map((c, index): Top => ({ position: c.position, kind: 1, index, group: null, members: () => [c] })),
  ];
  top.sort((a, b) => a.position - b.position || a.kind - b.kind || a.index - b.index);
  return top.map((t) => ({ group: t.group, members: t.members() }));
}

/** Each view's component rows by id, built once per view: every incident and maintenance of every document reads them. */
const rowsById = new WeakMap<PageView, ReadonlyMap<string, V2ComponentRow>>();

/** The component rows of the components named, in that order, as components.json shows them; one the page does not show is left out. */
function rowsOf(view: PageView, ids: readonly string[]): V2ComponentRow[] {
  let rows = rowsById.get(view);
  if (rows === undefined) {
    rows = new Map(componentRows(view).filter((r): r is V2ComponentRow => !r.group).map((r) => [r.id, r]));
    rowsById.set(view, rows);
  }
  return ids.flatMap((id) => rows.get(id) ?? []);
}

/** The component rows of the affected components the view still shows (a hidden or removed one is left out). */
function affectedRows(view: PageView, affected: readonly { id: string }[]): V2ComponentRow[] {
  return rowsOf(view, affected.map((a) => a.id));
}

function affectedComponents(list: readonly V2AffectedComponent[]): V2AffectedComponent[] | null {
  return list.length === 0 ? null : list.map((a) => ({ code: a.code, name: a.name, old_status: a.old_status, new_status: a.new_status }));
}

function incidentUpdate(incidentId: string, u: UpdateView): V2IncidentUpdate {
  return {
    id: u.id,
    status: u.status as V2IncidentUpdate["status"],
    body: u.body,
    incident_id: incidentId,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
    display_at: iso(u.displayAt),
    affected_components: affectedComponents(u.affectedComponents as V2AffectedComponent[]),
    deliver_notifications: u.deliverNotifications,
    custom_tweet: null,
    tweet_id: null,
  };
}

function incident(view: PageView, i: IncidentView): V2Incident {
  const updates = i.updates
    .map((u, index) => ({ u, index }))
    .sort((a, b) => b.u.displayAt.getTime() - a.u.displayAt.getTime() || b.u.createdAt.getTime() - a.u.createdAt.getTime() || a.index - b.index)
    .map(({ u }) => incidentUpdate(i.id, u));
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    monitoring_at: isoOrNull(i.monitoringAt),
    resolved_at: isoOrNull(i.resolvedAt),
    impact: i.impact,
    shortlink: i.shortlink,
    started_at: iso(i.startedAt),
    page_id: view.page.id,
    incident_updates: updates,
    components: affectedRows(view, i.components),
    // Statuspage's postmortem fields: the postmortem drafted at resolution, once a person published it.
    postmortem_body: i.postmortemBody,
    postmortem_body_last_updated_at: isoOrNull(i.postmortemPublishedAt),
    postmortem_ignored: false,
    postmortem_notified_subscribers: false,
    postmortem_notified_twitter: false,
    postmortem_published_at: isoOrNull(i.postmortemPublishedAt),
  };
}

/** A maintenance's one update: its body, with its status, as written when it was created. */
function maintenanceUpdate(m: MaintenanceView): V2MaintenanceUpdate {
  return {
    id: `${m.id}_update`,
    status: m.status,
    body: m.body,
    incident_id: m.id,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    display_at: iso(m.createdAt),
    affected_components: null,
    deliver_notifications: true,
    custom_tweet: null,
    tweet_id: null,
  };
}

function maintenance(view: PageView, m: MaintenanceView): V2Maintenance {
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    monitoring_at: null,
    resolved_at: isoOrNull(m.completedAt),
    impact: "maintenance",
    shortlink: m.shortlink,
    started_at: iso(m.startedAt ?? m.scheduledFor),
    page_id: view.page.id,
    incident_updates: [maintenanceUpdate(m)],
    components: affectedRows(view, m.components),
    scheduled_for: iso(m.scheduledFor),
    scheduled_until: iso(m.scheduledUntil),
  };
}

/** Incidents newest first by creation, ties by id. */
function sortedIncidents(view: PageView): IncidentView[] {
  return [...view.incidents].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || byId(a, b));
}

/** Maintenances newest first by scheduled start, then by creation, ties by id. */
function sortedMaintenances(view: PageView): MaintenanceView[] {
  return [...view.maintenances].sort(
    (a, b) => b.scheduledFor.getTime() - a.scheduledFor.getTime() || b.createdAt.getTime() - a.createdAt.getTime() || byId(a, b),
  );
}

const unresolved = (view: PageView): V2Incident[] => sortedIncidents(view).filter((i) => unresolvedStatuses.has(i.status)).map((i) => incident(view, i));
const upcoming = (view: PageView): MaintenanceView[] => sortedMaintenances(view).filter((m) => m.status === "scheduled");
const active = (view: PageView): MaintenanceView[] => sortedMaintenances(view).filter((m) => activeStatuses.has(m.status));

/** `status.json`: the overall indicator and its description. */
export function v2Status(view: PageView): V2Document<"status.json"> {
  return { page: pageOf(view), status: { indicator: view.status.indicator, description: view.status.description } };
}

/** `components.json`: every component and group row (see `componentRows` for the order). */
export function v2Components(view: PageView): V2Document<"components.json"> {
  return { page: pageOf(view), components: componentRows(view) };
}

/** `incidents.json`: the 50 most recent incidents, newest first, whatever their status. */
export function v2Incidents(view: PageView): V2Document<"incidents.json"> {
  return { page: pageOf(view), incidents: sortedIncidents(view).slice(0, v2ListLimit).map((i) => incident(view, i)) };
}

/** `incidents/unresolved.json`: every incident investigating, identified or monitoring, newest first. */
export function v2UnresolvedIncidents(view: PageView): V2Document<"incidents/unresolved.json"> {
  return { page: pageOf(view), incidents: unresolved(view) };
}

/** `scheduled-maintenances.json`: the 50 most recent maintenances, newest first, whatever their status. */
export function v2ScheduledMaintenances(view: PageView): V2Document<"scheduled-maintenances.json"> {
  return { page: pageOf(view), scheduled_maintenances: sortedMaintenances(view).slice(0, v2ListLimit).map((m) => maintenance(view, m)) };
}

/** `scheduled-maintenances/upcoming.json`: maintenances still `scheduled`, newest first. */
export function v2UpcomingMaintenances(view: PageView): V2Document<"scheduled-maintenances/upcoming.json"> {
  return { page: pageOf(view), scheduled_maintenances: upcoming(view).map((m) => maintenance(view, m)) };
}

/** `scheduled-maintenances/active.json`: maintenances `in_progress` or `verifying`, newest first. */
export function v2ActiveMaintenances(view: PageView): V2Document<"scheduled-maintenances/active.json"> {
  return { page: pageOf(view), scheduled_maintenances: active(view).map((m) => maintenance(view, m)) };
}

/** `summary.json`: page, component rows, unresolved incidents, upcoming and active maintenances, status. */
export function v2Summary(view: PageView): V2Document<"summary.json"> {
  const maintenances = sortedMaintenances(view).filter((m) => m.status === "scheduled" || activeStatuses.has(m.status));
  return {
    page: pageOf(view),
    components: componentRows(view),
    incidents: unresolved(view),
    scheduled_maintenances: maintenances.map((m) => maintenance(view, m)),
    status: { indicator: view.status.indicator, description: view.status.description },
  };
}

/** Every v2 document of the view, by path. */
export function v2Documents(view: PageView): { [P in V2Path]: V2Document<P> } {
  return {
    "summary.json": v2Summary(view),
    "status.json": v2Status(view),
    "components.json": v2Components(view),
    "incidents.json": v2Incidents(view),
    "incidents/unresolved.json": v2UnresolvedIncidents(view),
    "scheduled-maintenances.json": v2ScheduledMaintenances(view),
    "scheduled-maintenances/upcoming.json": v2UpcomingMaintenances(view),
    "scheduled-maintenances/active.json": v2ActiveMaintenances(view),
  };
}

/** What Statuspage's webhooks carry of the page: its id and its status. */
export interface V2WebhookPage {
  id: string;
  status_indicator: PageView["status"]["indicator"];
  status_description: string;
}

/** The objects a Statuspage-format webhook about an event sends, as /api/v2 serves them. */
export interface V2WebhookObjects {
  page: V2WebhookPage;
  /** The incident or maintenance, when the page shows it (an unpublished incident is not on it). */
  incident: V2Incident | V2Maintenance | null;
  /** The component rows of the components named, in that order (one the page does not show is left out). */
  components: V2ComponentRow[];
}

/**
 * The /api/v2 objects of an incident or maintenance and components, for a Statuspage-format webhook: the very
 * objects `incidents.json`, `scheduled-maintenances.json` and `components.json` serve for the same view, so a
 * receiver can match what it is sent to what it reads (same ids, same times, same positions).
 */
export function v2WebhookObjects(view: PageView, ref: { incidentId?: string | null; maintenanceId?: string | null; componentIds: readonly string[] }): V2WebhookObjects {
  const found = ref.incidentId ? view.incidents.find((i) => i.id === ref.incidentId) : undefined;
  const planned = ref.maintenanceId ? view.maintenances.find((m) => m.id === ref.maintenanceId) : undefined;
  return {
    page: { id: view.page.id, status_indicator: view.status.indicator, status_description: view.status.description },
    incident: found ? incident(view, found) : planned ? maintenance(view, planned) : null,
    components: rowsOf(view, ref.componentIds),
  };
}
