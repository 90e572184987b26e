/**
 * What the console's overview shows, read from the running Vigil: each component's status, each monitor's state per
 * region (as /api/v1/monitors shows it), its recent latencies and its 24 h and 30 d uptime (as
 * /api/v1/monitors/:id/uptime computes it), open incidents, maintenances in progress and silences in force.
 */
import type { ComponentStatus } from "../../incidents/component-status.ts";
import type { ApiDeps } from "../deps.ts";
import { stateOf, uptimeOver } from "../v1/monitors.ts";

/** How many of a monitor's latest results its sparkline draws. */
export const sparklineResults = 30;

/** A monitor as the overview shows it. */
export interface OverviewMonitor {
  id: string;
  name: string;
  type: string;
  status: "up" | "degraded" | "down" | "unknown";
  flapping: boolean;
  /** The vote of each region, by region id. */
  regions: { region: string; status: string; lastAt: string }[];
  /** Its latest results, oldest first. */
  latencies: { latencyMs: number; ok: boolean }[];
  uptime24h: number | null;
  uptime30d: number | null;
}

/** A component and its monitors' ids. */
export interface OverviewComponent {
  id: string;
  name: string;
  group: string | null;
  status: ComponentStatus;
  monitorIds: string[];
}

/** Everything the overview page shows, at one time. */
export interface OverviewView {
  at: Date;
  components: OverviewComponent[];
  monitors: OverviewMonitor[];
  incidents: { id: string; name: string; status: string; impact: string; startedAt: Date; published: boolean }[];
  maintenances: { id: string; name: string; status: string; scheduledUntil: Date; componentIds: string[] }[];
  silences: { id: string; matchers: Record<string, unknown>; endsAt: Date; comment: string; createdBy: string }[];
}

/** What the overview reads. */
export type OverviewDeps = Pick<ApiDeps, "store" | "clock" | "monitoring" | "live" | "cluster">;

/** Reads the overview now. */
export async function gatherOverview(deps: OverviewDeps): Promise<OverviewView> {
  const { store } = deps;
  // In a cluster, another node may check a monitor: read the states the others saved first.
  if (deps.cluster?.leader !== undefined) await deps.monitoring.refreshRemote?.();
  const now = deps.clock.now();
  const [components, monitorRows, incidents, maintenances, silences] = await Promise.all([
    store.catalog.components(),
    store.catalog.monitors(),
    store.incidents.list({ openOnly: true, limit: 200 }),
    store.maintenances.list({ statuses: ["in_progress", "verifying"], limit: 200 }),
    store.silences.list({ endingAfter: now, limit: 200 }),
  ]);
  const statuses = deps.live?.componentStatuses() ?? {};
  const monitors = await Promise.all(
    monitorRows.filter((m) => m.removedAt === null).map(async (m): Promise<OverviewMonitor> => {
      const state = stateOf(deps, m.id);
      const [results, day, month] = await Promise.all([
        store.results.list(m.id, { limit: sparklineResults }),
        uptimeOver(deps, m.id, "24h"),
        uptimeOver(deps, m.id, "30d"),
      ]);
      return {
        id: m.id,
        name: m.name ?? m.id,
        type: m.type,
        status: state.status,
        flapping: state.flapping,
        regions: Object.entries(state.regions)
          .map(([region, v]) => ({ region, status: v.status, lastAt: v.last_at }))
          .sort((a, b) => a.region.localeCompare(b.region)),
        latencies: results.map((r) => ({ latencyMs: r.latencyMs, ok: r.status !== "down" })).reverse(),
        uptime24h: day.uptime.uptimePercent,
        uptime30d: month.uptime.uptimePercent,
      };
    }),
  );
  return {
    at: now,
    components: components
      .filter((c) => c.removedAt === null)
      .sort((a, b) => a.position - b.position)
      .map((c) => ({ id: c.id, name: c.name, group: c.group, status: statuses[c.id] ?? "operational", monitorIds: c.monitorIds })),
    monitors,
    incidents: incidents.map((i) => ({ id: i.id, name: i.name, status: i.status, impact: i.impact, startedAt: i.startedAt, published: i.publishedAt !== null })),
    maintenances: maintenances.map((m) => ({ id: m.id, name: m.name, status: m.status, scheduledUntil: m.scheduledUntil, componentIds: m.componentIds })),
    silences: silences
      .filter((s) => s.startsAt.getTime() <= now.getTime())
      .map((s) => ({ id: s.id, matchers: s.matchers, endsAt: s.endsAt, comment: s.comment, createdBy: s.createdBy })),
  };
}
