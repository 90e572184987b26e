import { isStale } from "./aggregate.ts";
import { isBad } from "./region.ts";
import type { DetectionPolicy, MonitorState, RegionState } from "./types.ts";

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

const noRegions: ReadonlySet<string> = new Set();

/**
 * The regions whose confirmed failures, over many monitors at once, are contradicted by all the other regions: its own
 * network is the likely fault, not the targets. Only fresh regions with a confirmed status count. A region `already`
 * isolated stays so until it agrees with the others again: while it still sees one monitor failing that every other
 * fresh region sees up, that failure is left over from its isolation, and counting its vote would tell it. Pure.
 */
export function isolatedRegions(
  states: Iterable<MonitorState>,
  policyOf: (monitorId: string) => DetectionPolicy | undefined,
  now: Date,
  rule: IsolationRule = defaultIsolationRule,
  already: ReadonlySet<string> = noRegions,
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
    const many = monitors.length >= rule.minMonitors && monitors.length / of >= rule.share;
    if (many || already.has(region)) out.push({ region, failing: monitors.sort(), comparable: of });
  }
  return out;
}

/**
 * The region whose vote alone makes the monitor down or degraded at `now` while every other counted region (fresh,
 * with a confirmed status, not `ignored`) sees it up: a failure that region's isolation would explain. Undefined when
 * the verdict does not rest on one contradicted region (two regions that agree are believed). Pure.
 */
export function loneDissent(regions: Record<string, RegionState>, policy: DetectionPolicy, now: Date, ignored: ReadonlySet<string> = noRegions): string | undefined {
  const counted = Object.entries(regions).filter(([name, r]) => r.status !== "unknown" && !isStale(r, policy, now) && !ignored.has(name));
  const bad = counted.filter(([, r]) => isBad(r.status));
  // With one of the counted regions failing, the others (confirmed, not failing) see it up.
  return counted.length >= 2 && bad.length === 1 ? bad[0]![0] : undefined;
}

/**
 * Whether the step from `before` to `after` would tell responders a monitor is down or degraded on the vote of one
 * region alone that every other counted region contradicts: the region, whose isolation must be judged on the current
 * state before that is told; undefined otherwise. Pure.
 */
export function awaitsIsolationLook(before: MonitorState | undefined, after: MonitorState, policy: DetectionPolicy, now: Date, ignored: ReadonlySet<string> = noRegions): string | undefined {
  if (!isBad(after.status) || after.status === before?.status) return undefined;
  return loneDissent(after.regions, policy, now, ignored);
}
