import { downstreamOf, upstreamOf, type Graph } from "./graph.ts";

/** How many monitors one confirmed failure may re-check at once. */
export const graphRecheckLimit = 50;

/**
 * The monitors to check at once because `monitorId` just confirmed a failure: those of every component that depends
 * on one of its components (directly or not: the impact) and of every component they depend on (the cause may lie
 * deeper), nearest first (its dependencies' monitors, then its dependents'), each once, without `monitorId` itself nor
 * the monitors `skip` names (already failing: nothing to learn), at most `limit`. Pure.
 */
export function graphRechecks(
  graph: Graph,
  components: readonly { id: string; monitors: readonly string[] }[],
  monitorId: string,
  skip: (monitorId: string) => boolean = () => false,
  limit = graphRecheckLimit,
): string[] {
  const own = components.filter((c) => c.monitors.includes(monitorId)).map((c) => c.id);
  const monitorsOf = new Map(components.map((c) => [c.id, c.monitors]));
  const related: string[] = [];
  for (const id of own) related.push(...upstreamOf(graph, id).keys());
  for (const id of own) related.push(...downstreamOf(graph, id).keys());
  const out = new Set<string>();
  for (const component of related) {
    for (const monitor of monitorsOf.get(component) ?? []) {
      if (out.size >= limit) return [...out];
      if (monitor !== monitorId && !skip(monitor)) out.add(monitor);
    }
  }
  return [...out];
}
