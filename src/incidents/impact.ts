import type { ComponentStatus } from "./component-status.ts";

/** Statuspage's incident impacts, from least to most severe. */
export const impacts = ["none", "minor", "major", "critical"] as const;

/** How bad an incident is for the people reading the status page. */
export type Impact = (typeof impacts)[number];

/**
 * An incident's impact from its affected components' statuses: any major_outage → critical;
 * else any partial_outage → major; else any degraded_performance → minor; else (all operational,
 * under maintenance, or no components) → none.
 */
export function impactOf(statuses: Iterable<ComponentStatus>): Impact {
  let impact: Impact = "none";
  for (const status of statuses) {
    // Maintenance is announced on its own, so it adds nothing to an incident's impact.
    const next: Impact =
      status === "major_outage" ? "critical" : status === "partial_outage" ? "major" : status === "degraded_performance" ? "minor" : "none";
    if (impacts.indexOf(next) > impacts.indexOf(impact)) impact = next;
  }
  return impact;
}
