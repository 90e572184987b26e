import { isStale } from "./aggregate.ts";
import { isBad } from "./region.ts";
import type { DetectionPolicy, MonitorState } from "./types.ts";

/** When one region's failures say more about its own network than about the targets. */
export interface IsolationRule {
  /** At least this many monitors that the region sees failing while another region sees them up… */
  minMonitors: number;
  /** …and at least this share of the monitors it shares with another fresh region. */
  share: number;
}

/** The default: 3 monitors and half of the region's shared monitors; unrelated targets rarely fail together for one region only. */
export const defaultIsolationRule: IsolationRule = { minMonitors: 3, share: 0.5 };

/** A region that disagrees with the others about many monitors at once. */
export interface IsolatedRegion {
  region: string;
  /** Monitors it sees failing while every other fresh region sees them up. */
  failing: string[];
  /** Monitors it and at least one other fresh region have a confirmed view of. */
  comparable: number;
}

/**
 * The regions whose confirmed failures, over many monitors at once, are contradicted by all the other regions: its own
 * network is the likely fault, not the targets. Only fresh regions with a confirmed status count. Pure.
 */
export function isolatedRegions(
  states: Iterable<MonitorState>,
  policyOf: (monitorId: string) => DetectionPolicy | undefined,
  now: Date,
  rule: IsolationRule = defaultIsolationRule,
): IsolatedRegion[] {
  const failing = new Map<string, string[]>();
  const comparable = new Map<string, number>();
  for (const state of states) {
    const policy = policyOf(state.monitorId);
    if (policy === undefined) continue;
    const known = Object.entries(state.regions).filter(([, r]) => r.status !== "unknown" && !isStale(r, policy, now));
    if (known.length < 2) continue;
    for (const [name, region] of known) {
      comparable.set(name, (comparable.get(name) ?? 0) + 1);
      // Contradicted only when every other region sees it up: two regions of three that agree are believed.
      const othersUp = known.every(([other, r]) => other === name || r.status === "up");
      if (isBad(region.status) && othersUp) failing.set(name, [...(failing.get(name) ?? []), state.monitorId]);
    }
  }
  const out: IsolatedRegion[] = [];
  for (const [region, monitors] of [...failing].sort(([a], [b]) => a.localeCompare(b))) {
    const of = comparable.get(region) ?? 0;
    if (monitors.length >= rule.minMonitors && monitors.length / of >= rule.share) out.push({ region, failing: monitors.sort(), comparable: of });
  }
  return out;
}
