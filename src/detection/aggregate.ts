import { quorumOf } from "./policy.ts";
import { isBad } from "./region.ts";
import type { DetectionPolicy, Episode, LastError, LastWarning, MonitorStatus, RegionState } from "./types.ts";

/** The monitor-level verdict over the regions that count at a moment. */
export interface Verdict {
  status: MonitorStatus;
  /** Names of the regions whose status made the verdict down or degraded. */
  confirming: string[];
}

const noRegions: ReadonlySet<string> = new Set();

/** Whether a region's latest result is too old to count at `now`. */
export function isStale(region: RegionState, policy: Pick<DetectionPolicy, "staleAfterMs">, now: Date): boolean {
  return now.getTime() - region.lastAt > policy.staleAfterMs;
}

/**
 * The monitor's status from its regions at `now`: down when a quorum of the fresh, confirmed
 * regions is down; degraded when a quorum is down or degraded; up otherwise; unknown when no
 * fresh region has a confirmed status yet. `ignored` regions (isolated: their network, not the
 * targets, is at fault) do not count.
 */
export function aggregate(regions: Record<string, RegionState>, policy: DetectionPolicy, now: Date, ignored: ReadonlySet<string> = noRegions): Verdict {
  const counted = Object.entries(regions).filter(([name, r]) => r.status !== "unknown" && !isStale(r, policy, now) && !ignored.has(name));
  if (counted.length === 0) return { status: "unknown", confirming: [] };
  const quorum = quorumOf(policy, counted.length);
  const down = counted.filter(([, r]) => r.status === "down").map(([name]) => name);
  if (down.length >= quorum) return { status: "down", confirming: down };
  const bad = counted.filter(([, r]) => isBad(r.status)).map(([name]) => name);
  if (bad.length >= quorum) return { status: "degraded", confirming: bad };
  return { status: "up", confirming: [] };
}

/** Each region's status for event data; a stale region is reported as unknown, since it no longer says anything. */
export function regionStatuses(regions: Record<string, RegionState>, policy: DetectionPolicy, now: Date): Record<string, MonitorStatus> {
  const out: Record<string, MonitorStatus> = {};
  for (const name of Object.keys(regions).sort()) {
    const region = regions[name];
    if (region !== undefined) out[name] = isStale(region, policy, now) ? "unknown" : region.status;
  }
  return out;
}

/**
 * The episode the confirming regions describe: since = their earliest failing result, lastUpAt =
 * the earliest of their last up results before failing (the earliest the trouble can have begun).
 */
export function episodeOf(regions: Record<string, RegionState>, confirming: readonly string[], fallbackAt: number): Episode {
  let since: number | undefined;
  let lastUpAt: number | null = null;
  for (const name of confirming) {
    const region = regions[name];
    if (region === undefined) continue;
    if (region.failingSince !== null && (since === undefined || region.failingSince < since)) since = region.failingSince;
    const upAt = region.lastUpBeforeFailing;
    if (upAt !== null && (lastUpAt === null || upAt < lastUpAt)) lastUpAt = upAt;
  }
  return { since: since ?? fallbackAt, lastUpAt };
}

/**
 * The regions' verdict in words, for a monitor checked from more than one region: "down from 2 of 3 regions
 * (eu-west, us-east; local sees it up since 13:17:04)", times in UTC; undefined with one region or none confirming.
 */
export function regionSummary(regions: Record<string, RegionState>, verdict: Verdict, policy: DetectionPolicy, now: Date): string | undefined {
  if (Object.keys(regions).length < 2 || verdict.confirming.length === 0 || !isBad(verdict.status)) return undefined;
  const names = Object.keys(regions).sort();
  const counted = names.filter((name) => regions[name]!.status !== "unknown" && !isStale(regions[name]!, policy, now));
  const confirming = names.filter((name) => verdict.confirming.includes(name));
  const others = names
    .filter((name) => !verdict.confirming.includes(name))
    .map((name) => {
      const region = regions[name]!;
      if (isStale(region, policy, now)) return `${name} silent since ${clockTime(region.lastAt)}`;
      if (region.status === "up") return `${name} sees it up${region.upSince == null ? "" : ` since ${clockTime(region.upSince)}`}`;
      return `${name} sees it ${region.status}`;
    });
  return `${verdict.status} from ${confirming.length} of ${counted.length} regions (${[confirming.join(", "), ...others].join("; ")})`;
}

function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** Merges a new view of the episode into the running one: the start only moves earlier. */
export function mergeEpisode(current: Episode | null, next: Episode): Episode {
  if (current === null) return next;
  return {
    since: Math.min(current.since, next.since),
    lastUpAt: current.lastUpAt ?? next.lastUpAt,
  };
}

/** The most recent error any region reported at or after `since`, if any. */
export function latestError(regions: Record<string, RegionState>, since: number): LastError | null {
  return latest(Object.values(regions).map((r) => r.lastError), since);
}

/** The most recent warning any region reported at or after `since`, if any. */
export function latestWarning(regions: Record<string, RegionState>, since: number): LastWarning | null {
  return latest(Object.values(regions).map((r) => r.lastWarning), since);
}

function latest<T extends { at: number }>(items: readonly (T | null)[], since: number): T | null {
  let found: T | null = null;
  for (const item of items) {
    if (item !== null && item.at >= since && (found === null || item.at > found.at)) found = item;
  }
  return found;
}
