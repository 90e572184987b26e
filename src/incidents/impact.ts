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
  const { byId, counted } = siteIndex(site);
  let impact: Impact = "none";
  const raise = (next: Impact) => {
    if (rank(next) > rank(impact)) impact = next;
  };
  const held = new Set(affected);
  let down = 0;
  for (const id of held) {
    const status = statuses[id] ?? "operational";
    const component = byId.get(id);
    const own = component?.impact;
    if (status === "major_outage") raise(own ?? "major");
    else if (status === "partial_outage" || status === "degraded_performance") raise(own !== undefined && rank(own) < rank("minor") ? own : "minor");
    if (component !== undefined && status === "major_outage" && isCounted(component)) down++;
  }
  if (counted > 0 && down * 2 > counted) raise("critical");
  return impact;
}

/** Components counted in the share of the site that is down: visible, without an `impact` of their own. */
function isCounted(component: ImpactComponent): boolean {
  return component.hidden !== true && component.impact === undefined;
}

// The site's components by id, and how many are counted, once per site (an incident's impact is read for each signal
// it joins, thousands in a mass failure, against the same site).
const siteIndexes = new WeakMap<readonly ImpactComponent[], { byId: Map<string, ImpactComponent>; counted: number }>();
function siteIndex(site: readonly ImpactComponent[]): { byId: Map<string, ImpactComponent>; counted: number } {
  let index = siteIndexes.get(site);
  if (index === undefined) {
    index = { byId: new Map(site.map((c) => [c.id, c])), counted: site.filter(isCounted).length };
    siteIndexes.set(site, index);
  }
  return index;
}

function rank(impact: Impact): number {
  return impacts.indexOf(impact);
}
