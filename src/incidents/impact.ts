import type { ComponentStatus } from "./component-status.ts";

/** Statuspage's incident impacts, from least to most severe. */
export const impacts = ["none", "minor", "major", "critical"] as const;

/** How bad an incident is for the people reading the status page. */
export type Impact = (typeof impacts)[number];

/** A component of the site as the impact rule reads it. */
export interface ImpactComponent {
  id: string;
  /** Kept off the public page: not counted in the share of the site that is down. */
  hidden?: boolean;
  /** What this component's major outage makes of an incident on its own (its `impact` setting); unset: the share rule. */
  impact?: Impact | undefined;
}

/**
 * An incident's impact from its affected components' statuses and the site's components, the worst of:
 * - each affected component in `major_outage`: its own `impact` when set, else `major`;
 * - each in `partial_outage` or `degraded_performance`: `minor` (or its own `impact`, when that is lower);
 * - `critical` when more than half of the site's visible components without an `impact` of their own are in
 *   `major_outage` (most of the site is down);
 * - `none` otherwise: operational, or under maintenance (announced on its own), adds nothing.
 */
export function impactOf(statuses: Readonly<Record<string, ComponentStatus>>, affected: readonly string[], site: readonly ImpactComponent[]): Impact {
  const byId = new Map(site.map((c) => [c.id, c]));
  let impact: Impact = "none";
  const raise = (next: Impact) => {
    if (rank(next) > rank(impact)) impact = next;
  };
  const held = new Set(affected);
  for (const id of held) {
    const status = statuses[id] ?? "operational";
    const own = byId.get(id)?.impact;
    if (status === "major_outage") raise(own ?? "major");
    else if (status === "partial_outage" || status === "degraded_performance") raise(own !== undefined && rank(own) < rank("minor") ? own : "minor");
  }
  const counted = site.filter((c) => c.hidden !== true && c.impact === undefined);
  const down = counted.filter((c) => statuses[c.id] === "major_outage" && held.has(c.id)).length;
  if (counted.length > 0 && down * 2 > counted.length) raise("critical");
  return impact;
}

function rank(impact: Impact): number {
  return impacts.indexOf(impact);
}
