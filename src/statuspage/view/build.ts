import { worstOf, type ComponentStatus } from "../../incidents/component-status.ts";
import { renderMarkdown } from "../../incidents/markdown.ts";
import { PublicNames } from "../../incidents/public-names.ts";
import { outageWindows, type OutageWindow, type StatusChange } from "../../incidents/windows.ts";
import { dayKey, lastDays, nextDay, startOfDay } from "./days.ts";
import type { ComponentView, DayView, GroupView, Indicator, IncidentView, LinkView, MaintenanceView, PageView, RegionStatus, RegionView, SubscribeView, UpdateView } from "./types.ts";
import { withoutTrailingSlashes } from "../../core/text.ts";

/** How many days the uptime bars show. */
export const barDays = 90;

/** A component as the catalog stores it (the fields the page reads). */
export interface ComponentInput {
  id: string;
  name: string;
  group: string | null;
  description: string | null;
  position: number;
  hidden: boolean;
  /** The components it depends on: a hidden component is named by the visible ones depending on it. None when absent. */
  dependsOn?: readonly { id: string }[];
  createdAt: Date;
  updatedAt: Date;
}

/** A published incident with its updates, as stored. */
export interface IncidentInput {
  row: {
    id: string;
    name: string;
    status: string;
    impact: string;
    impactOverride: string | null;
    rootIds: string[];
    impactedIds: string[];
    startedAt: Date;
    monitoringAt: Date | null;
    resolvedAt: Date | null;
    publishedAt: Date | null;
    postmortemBody: string | null;
    postmortemPublishedAt: Date | null;
    createdAt: Date;
    updatedAt: Date;
  };
  updates: { id: string; status: string; body: string; affectedComponents: UpdateView["affectedComponents"]; deliverNotifications: boolean; displayAt: Date; createdAt: Date }[];
}

/** A maintenance as stored. */
export interface MaintenanceInput {
  id: string;
  name: string;
  body: string;
  componentIds: string[];
  scheduledFor: Date;
  scheduledUntil: Date;
  status: string;
  startedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An upstream provider shown on the page as a third-party component: its id and name as configured, its status from its feed. */
export interface UpstreamInput {
  id: string;
  name: string;
  status: ComponentStatus;
}

/** What one region sees of one monitor now: its confirmed status there, and whether its results stopped coming (stale). */
export interface RegionCheckInput {
  monitorId: string;
  region: string;
  status: "up" | "degraded" | "down" | "unknown";
  stale: boolean;
}

/** Per-region detail (`statuspage.show_regions`). */
export interface RegionsInput {
  /** The regions that may be shown, in this order, each with its public name; a region not listed is never shown. */
  names: readonly { id: string; name: string }[];
  /** Each component's monitors. */
  monitorsOf: Readonly<Record<string, readonly string[]>>;
  /** One row per monitor and region that checks it. */
  checks: readonly RegionCheckInput[];
}

/** The group the page shows third-party components (upstream providers) in. */
export const thirdPartyGroup = "Third-party services";
/** A third-party component's description. */
export const thirdPartyDescription = "Status reported by the provider";

/** Everything the view is built from. */
export interface ViewInput {
  pageId: string;
  site: { name: string; url: string; timeZone: string; description: string | null; logoUrl: string | null; accentColor: string | null; links: LinkView[] };
  components: readonly ComponentInput[];
  /** Each component's status now. */
  statuses: Readonly<Record<string, ComponentStatus>>;
  incidents: readonly IncidentInput[];
  maintenances: readonly MaintenanceInput[];
  /** Component status changes covering the bars' days (and the change in force before them). */
  changes: readonly StatusChange[];
  /**
   * Each component's last status change (its newest `component.status_changed`), however old: a component's
   * `updatedAt`. Absent: the newest of `changes` for it.
   */
  statusChangedAt?: Readonly<Record<string, Date>>;
  now: Date;
  /** What the subscribe form offers; absent or null: no form (subscriptions off, or a static export with no server to post to). */
  subscribe?: SubscribeView | null;
  /** Upstream providers shown as third-party components, in this order; none by default. */
  upstreams?: readonly UpstreamInput[];
  /** Per-region detail of each component; absent: none (`statuspage.show_regions` off). */
  regions?: RegionsInput;
}

// Statuspage's convention: a partial outage counts as 30 % of a major one in uptime.
const partialWeight = 0.3;

/**
 * The public page's view model (pure): visible components with their status and 90-day bars (worst status
 * per day in the page's time zone, uptime with partial outages weighted 0.3, the public incidents of each
 * day; the component's uptime is weighed by observed time, so a first day of one hour counts as an hour), groups, published incidents newest first with their updates newest first, maintenances not
 * cancelled, and the overall status: the worst of the components' statuses and the open incidents' impacts
 * (maintenance when only maintenance is under way).
 *
 * Upstream providers (`upstreams`) are third-party components after ours, in the group "Third-party services": their
 * status is their feed's, they have no bar nor uptime of ours (`days` empty, `uptimePercent` null), and they count
 * neither in the overall status (a provider's trouble is ours only when our components show it) nor in the page's
 * `updatedAt`. One whose id is also a component's is left out.
 *
 * With `regions` (`statuspage.show_regions`), each visible component of ours carries what each region checking its
 * monitors sees (`componentRegions`); a hidden component has none, being left out altogether.
 */
export function buildPageView(input: ViewInput): PageView {
  const tz = input.site.timeZone;
  const url = withoutTrailingSlashes(input.site.url);
  const visible = input.components.filter((c) => !c.hidden).sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
  const publicNames = new PublicNames(input.components.map((c) => ({ id: c.id, name: c.name, hidden: c.hidden, dependsOn: c.dependsOn ?? [] })));
  const statusOf = (id: string): ComponentStatus => input.statuses[id] ?? "operational";
  const days = lastDays(input.now, barDays, tz);
  // Day boundaries in the page's zone, worked out once for every bar.
  const bounds = new Map(days.map((d) => [d, { start: startOfDay(d, tz), end: startOfDay(nextDay(d), tz) }]));
  const windowsOf = new Map<string, OutageWindow[]>();
  for (const w of outageWindows(input.changes)) windowsOf.set(w.componentId, [...(windowsOf.get(w.componentId) ?? []), w]);
  const incidents = input.incidents
    .filter((i) => i.row.publishedAt !== null)
    .map((i) => incidentView(i, url, publicNames, statusOf))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id));
  const incidentMembers = new Map(input.incidents.map((i) => [i.row.id, new Set([...i.row.rootIds, ...i.row.impactedIds])]));
  const changedAt = lastChanges(input);

  const components: ComponentView[] = visible.map((c) => {
    const measured = dayViews(c, days, bounds, windowsOf.get(c.id) ?? [], incidents.filter((i) => incidentMembers.get(i.id)?.has(c.id)), input.now, tz);
    // Weighed by observed time: a component first seen an hour ago has an hour of uptime, not a day's.
    const observedMs = measured.reduce((sum, m) => sum + m.observedMs, 0);
    const lostMs = measured.reduce((sum, m) => sum + m.lostMs, 0);
    return {
      id: c.id,
      name: c.name,
      description: c.description,
      status: statusOf(c.id),
      position: c.position,
      groupId: c.group === null ? null : groupId(c.group),
      createdAt: c.createdAt,
      // As Statuspage: the last status change; before any, when it was first seen (a catalog edit is no status change).
      updatedAt: changedAt.get(c.id) ?? c.createdAt,
      startDate: dayKey(c.createdAt, tz),
      days: measured.map((m) => m.day),
      uptimePercent: observedMs === 0 ? null : round2(Math.max(0, 100 - (lostMs / observedMs) * 100)),
      ...regionsField(input.regions, c.id),
    };
  });

  const thirdParty = thirdPartyViews(input, visible, tz);

  const groups: GroupView[] = [];
  for (const c of [...components, ...thirdParty]) {
    if (c.groupId === null) continue;
    const group = groups.find((g) => g.id === c.groupId);
    const source = visible.find((v) => v.id === c.id);
    if (group === undefined) {
      const name = source?.group ?? (c.thirdParty ? thirdPartyGroup : c.groupId);
      groups.push({ id: c.groupId, name, position: c.position, componentIds: [c.id], status: c.status, createdAt: c.createdAt, updatedAt: c.updatedAt });
    } else {
      group.componentIds.push(c.id);
      group.status = worstOf(group.status, c.status);
      if (c.createdAt < group.createdAt) group.createdAt = c.createdAt;
      if (c.updatedAt > group.updatedAt) group.updatedAt = c.updatedAt;
    }
  }

  const maintenances: MaintenanceView[] = input.maintenances
    .filter((m) => m.cancelledAt === null)
    .map((m) => ({
      id: m.id,
      name: publicNames.withoutHiddenNames(m.name),
      status: m.status as MaintenanceView["status"],
      body: m.body,
      bodyHtml: renderMarkdown(m.body),
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      scheduledFor: m.scheduledFor,
      scheduledUntil: m.scheduledUntil,
      startedAt: m.startedAt,
      completedAt: m.completedAt,
      shortlink: `${url}/maintenances/${m.id}`,
      components: publicNames.publicIds(m.componentIds).map((id) => ({ id, name: publicNames.name(id), status: statusOf(id) })),
    }))
    .sort((a, b) => a.scheduledFor.getTime() - b.scheduledFor.getTime() || a.id.localeCompare(b.id));

  // The last change of anything the page says: incidents, maintenances, components, and their statuses.
  const updatedAt = [...incidents.map((i) => i.updatedAt), ...maintenances.map((m) => m.updatedAt), ...components.map((c) => c.updatedAt), ...input.changes.map((c) => c.at)].reduce(
    (latest, d) => (d > latest ? d : latest),
    new Date(0),
  );
  return {
    page: { id: input.pageId, name: input.site.name, url, timeZone: tz, updatedAt, description: input.site.description, logoUrl: input.site.logoUrl, accentColor: input.site.accentColor, links: input.site.links },
    status: overallStatus(components, incidents, maintenances),
    components: [...components, ...thirdParty],
    groups,
    incidents,
    maintenances,
    generatedAt: input.now,
    subscribe: input.subscribe ? { email: input.subscribe.email, webhook: input.subscribe.webhook } : null,
  };
}

/**
 * The upstreams as third-party components, after our visible ones (positions following the last of ours), in the
 * "Third-party services" group; dated now (the page knows nothing older of them). Ids taken by a component of ours
 * (hidden ones too) or by an earlier upstream are skipped.
 */
function thirdPartyViews(input: ViewInput, visible: readonly ComponentInput[], tz: string): ComponentView[] {
  const taken = new Set(input.components.map((c) => c.id));
  const after = visible.reduce((last, c) => Math.max(last, c.position), -1) + 1;
  const views: ComponentView[] = [];
  for (const upstream of input.upstreams ?? []) {
    if (taken.has(upstream.id)) continue;
    taken.add(upstream.id);
    views.push({
      id: upstream.id,
      name: upstream.name,
      description: thirdPartyDescription,
      status: upstream.status,
      position: after + views.length,
      groupId: groupId(thirdPartyGroup),
      createdAt: input.now,
      updatedAt: input.now,
      startDate: dayKey(input.now, tz),
      days: [],
      uptimePercent: null,
      thirdParty: true,
    });
  }
  return views;
}

function regionsField(input: RegionsInput | undefined, componentId: string): { regions?: RegionView[] } {
  if (input === undefined) return {};
  const regions = componentRegions(input, componentId);
  return regions.length === 0 ? {} : { regions };
}

const regionRank: Record<RegionStatus, number> = { operational: 0, no_data: 1, degraded: 2, down: 3 };

/**
 * What each region sees of a component (pure): for every listed region that checks at least one of its monitors, in
 * the listed order, the region's name and the worst over those monitors there: down, then degraded, then "no_data"
 * (a monitor the region has no fresh confirmed status of: stale or unknown), then operational (every one up). A
 * region that is not listed in `names` is left out, whatever its rows say.
 */
export function componentRegions(input: RegionsInput, componentId: string): RegionView[] {
  const monitors = new Set(input.monitorsOf[componentId] ?? []);
  const worst = new Map<string, RegionStatus>();
  for (const check of input.checks) {
    if (!monitors.has(check.monitorId)) continue;
    const status: RegionStatus = check.stale || check.status === "unknown" ? "no_data" : check.status === "up" ? "operational" : check.status;
    const before = worst.get(check.region);
    if (before === undefined || regionRank[status] > regionRank[before]) worst.set(check.region, status);
  }
  const views: RegionView[] = [];
  for (const { id, name } of input.names) {
    const status = worst.get(id);
    if (status !== undefined) views.push({ name, status });
  }
  return views;
}

/** Each component's last status change up to now: the newest of `statusChangedAt` and `changes`. */
function lastChanges(input: ViewInput): Map<string, Date> {
  const last = new Map<string, Date>();
  const see = (id: string, at: Date) => {
    const seen = last.get(id);
    if (at.getTime() <= input.now.getTime() && (seen === undefined || at > seen)) last.set(id, at);
  };
  for (const [id, at] of Object.entries(input.statusChangedAt ?? {})) see(id, at);
  for (const change of input.changes) see(change.componentId, change.at);
  return last;
}

/** A group's stable id from its name: `group-` and the name in lowercase letters, digits and dashes. */
export function groupId(name: string): string {
  return `group-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "unnamed"}`;
}

const descriptions: Record<Indicator, string> = {
  none: "All Systems Operational",
  minor: "Minor Service Outage",
  major: "Partial System Outage",
  critical: "Major Service Outage",
  maintenance: "Service Under Maintenance",
};

const rank: Record<Indicator, number> = { none: 0, maintenance: 0.5, minor: 1, major: 2, critical: 3 };

function overallStatus(components: readonly ComponentView[], incidents: readonly IncidentView[], maintenances: readonly MaintenanceView[]): PageView["status"] {
  let indicator: Indicator = "none";
  const raise = (next: Indicator) => {
    if (rank[next] > rank[indicator]) indicator = next;
  };
  for (const c of components) {
    if (c.status === "major_outage") raise("critical");
    else if (c.status === "partial_outage") raise("major");
    else if (c.status === "degraded_performance") raise("minor");
    else if (c.status === "under_maintenance") raise("maintenance");
  }
  for (const i of incidents) if (i.status !== "resolved" && i.status !== "postmortem" && i.impact !== "none") raise(i.impact);
  if (maintenances.some((m) => m.status === "in_progress")) raise("maintenance");
  return { indicator, description: descriptions[indicator] };
}

/** An incident as the public sees it: a hidden component is not named in its title, components or updates' affected components. */
function incidentView(input: IncidentInput, url: string, names: PublicNames, statusOf: (id: string) => ComponentStatus): IncidentView {
  const { row } = input;
  const postmortemPublished = row.postmortemPublishedAt !== null && row.postmortemBody !== null;
  return {
    id: row.id,
    name: names.incidentTitle(row.name, row.rootIds),
    status: row.status as IncidentView["status"],
    impact: (row.impactOverride ?? row.impact) as IncidentView["impact"],
    createdAt: row.publishedAt ?? row.createdAt,
    updatedAt: row.updatedAt,
    startedAt: row.startedAt,
    monitoringAt: row.monitoringAt,
    resolvedAt: row.resolvedAt,
    shortlink: `${url}/incidents/${row.id}`,
    postmortemBody: postmortemPublished ? row.postmortemBody : null,
    postmortemBodyHtml: postmortemPublished ? renderMarkdown(row.postmortemBody ?? "") : null,
    postmortemPublishedAt: postmortemPublished ? row.postmortemPublishedAt : null,
    components: names.publicIds([...row.rootIds, ...row.impactedIds]).map((id) => ({ id, name: names.name(id), status: statusOf(id) })),
    updates: [...input.updates]
      .sort((a, b) => b.displayAt.getTime() - a.displayAt.getTime() || b.id.localeCompare(a.id))
      .map((u) => ({
        id: u.id,
        status: u.status,
        body: u.body,
        bodyHtml: renderMarkdown(u.body),
        createdAt: u.createdAt,
        updatedAt: u.createdAt,
        displayAt: u.displayAt,
        affectedComponents: u.affectedComponents.filter((a) => !names.isHidden(a.code)),
        deliverNotifications: u.deliverNotifications,
      })),
  };
}

function dayViews(
  component: ComponentInput,
  days: readonly string[],
  bounds: ReadonlyMap<string, { start: number; end: number }>,
  windows: readonly OutageWindow[],
  incidents: readonly IncidentView[],
  now: Date,
  tz: string,
): { day: DayView; observedMs: number; lostMs: number }[] {
  const firstDay = dayKey(component.createdAt, tz);
  return days.map((date) => {
    if (date < firstDay) return { day: { date, status: "no_data", uptimePercent: null, incidents: [] }, observedMs: 0, lostMs: 0 };
    const { start: dayStart, end: dayEnd } = bounds.get(date) ?? { start: startOfDay(date, tz), end: startOfDay(nextDay(date), tz) };
    const from = Math.max(dayStart, component.createdAt.getTime());
    const to = Math.min(dayEnd, now.getTime());
    let status: ComponentStatus = "operational";
    let lostMs = 0;
    for (const w of windows) {
      for (const interval of w.intervals) {
        const start = interval.from.getTime();
        const end = interval.to?.getTime() ?? now.getTime();
        if (!(start < to && end > from)) continue;
        const overlap = Math.min(end, to) - Math.max(start, from);
        status = worstOf(status, interval.status);
        if (interval.status === "major_outage") lostMs += overlap;
        else if (interval.status === "partial_outage") lostMs += overlap * partialWeight;
      }
    }
    const span = Math.max(to - from, 1);
    const those = incidents.filter((i) => i.startedAt.getTime() < dayEnd && (i.resolvedAt?.getTime() ?? now.getTime()) >= dayStart).map((i) => ({ id: i.id, name: i.name }));
    return { day: { date, status, uptimePercent: round2(Math.max(0, 100 - (lostMs / span) * 100)), incidents: those }, observedMs: span, lostMs: Math.min(lostMs, span) };
  });
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
