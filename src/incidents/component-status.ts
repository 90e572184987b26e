import type { MonitorStatus } from "../detection/types.ts";
import { dependenciesOf, dependentsOf, type Graph } from "./graph.ts";

/** Statuspage's component statuses, in worst-of order (maintenance stands outside the order). */
export const componentStatuses = [
  "operational",
  "degraded_performance",
  "partial_outage",
  "major_outage",
  "under_maintenance",
] as const;

/** A component's public status, in Statuspage's vocabulary. */
export type ComponentStatus = (typeof componentStatuses)[number];

// Worst-of order: operational < degraded_performance < partial_outage < major_outage.
// Maintenance is planned, not a failure, so it never wins a worst-of and is never passed on.
const rank: Record<ComponentStatus, number> = {
  operational: 0,
  degraded_performance: 1,
  partial_outage: 2,
  major_outage: 3,
  under_maintenance: -1,
};

/** The worse of two statuses by operational < degraded_performance < partial_outage < major_outage; maintenance counts as operational. */
export function worstOf(a: ComponentStatus, b: ComponentStatus): ComponentStatus {
  const ra = Math.max(rank[a], 0);
  const rb = Math.max(rank[b], 0);
  if (ra === rb) return a === "under_maintenance" ? b : a;
  return ra > rb ? a : b;
}

/**
 * A component's own status from its monitors' statuses. `unknown` says nothing, so it is left out:
 * none known (or none at all) or all up → operational; some degraded and none down → degraded_performance;
 * some but not all down → partial_outage; all down → major_outage.
 */
export function componentStatusFromMonitors(statuses: readonly MonitorStatus[]): ComponentStatus {
  const known = statuses.filter((s) => s !== "unknown");
  const down = known.filter((s) => s === "down").length;
  if (down > 0) return down === known.length ? "major_outage" : "partial_outage";
  return known.includes("degraded") ? "degraded_performance" : "operational";
}

/** What a dependency with status `status` passes on to a dependent over a hard or soft edge. */
export function passedOn(status: ComponentStatus, soft: boolean): ComponentStatus {
  if (status === "under_maintenance") return "operational";
  // A soft dependency is one the dependent can do without, slower: it degrades it at most.
  if (soft) return rank[status] > rank.degraded_performance ? "degraded_performance" : status;
  return status;
}

/**
 * Every component's derived status: an override wins for its component; otherwise the worst of its own
 * status (operational when absent) and what each dependency's derived status passes on (see `passedOn`).
 * A component whose own status is under_maintenance stays under maintenance. Ids outside the graph are ignored.
 */
export function deriveStatuses(
  graph: Graph,
  own: Readonly<Record<string, ComponentStatus>>,
  overrides: Readonly<Record<string, ComponentStatus>> = {},
): Record<string, ComponentStatus> {
  const fixed = (id: string): ComponentStatus | undefined =>
    overrides[id] ?? (own[id] === "under_maintenance" ? "under_maintenance" : undefined);
  const derived: Record<string, ComponentStatus> = {};
  for (const id of graph.ids) derived[id] = fixed(id) ?? own[id] ?? "operational";

  // Statuses only get worse while propagating and there are four levels, so this ends even on a cycle.
  const queue = [...graph.ids];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const dependent of dependentsOf(graph, id)) {
      if (fixed(dependent.id) !== undefined) continue;
      const before = derived[dependent.id] ?? "operational";
      const after = dependenciesOf(graph, dependent.id).reduce<ComponentStatus>(
        (status, dep) => worstOf(status, passedOn(derived[dep.id] ?? "operational", dep.soft)),
        before,
      );
      if (after !== before) {
        derived[dependent.id] = after;
        queue.push(dependent.id);
      }
    }
  }
  return derived;
}
