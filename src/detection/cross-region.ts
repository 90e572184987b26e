import type { MonitorState, RegionState } from "./types.ts";

/** Which way a region's results just turned. */
export type RegionChange = "failure" | "recovery";

/**
 * Whether a region's latest result turned the other way from the one before it: its first non-up result after an up
 * one (`failure`), or its first up result after a non-up one (`recovery`). Undefined otherwise, and for a region's
 * first result ever (a start, not a change). Pure.
 */
export function regionChange(previous: RegionState | undefined, next: RegionState): RegionChange | undefined {
  const before = previous?.recent.at(-1);
  const now = next.recent.at(-1);
  if (before === undefined || now === undefined || (before === "up") === (now === "up")) return undefined;
  return now === "up" ? "recovery" : "failure";
}

/**
 * The regions to ask for a check at once because `region` just saw the monitor change (`regionChange`): the monitor's
 * other regions, except those found isolated (their votes do not count) and those whose latest result already went the
 * same way (they have seen it: their own re-checks confirm it). So a failure seen first by one region is confirmed by
 * the others within seconds rather than at their next turn, and so is a recovery. Each region asks once per change:
 * the re-checks that follow do not turn its results again. Pure.
 */
export function regionsToAsk(
  state: MonitorState,
  region: string,
  change: RegionChange,
  monitorRegions: readonly string[],
  ignored: ReadonlySet<string> = new Set(),
): string[] {
  return monitorRegions.filter((other) => {
    if (other === region || ignored.has(other)) return false;
    const latest = state.regions[other]?.recent.at(-1);
    if (latest === undefined) return true;
    return change === "failure" ? latest === "up" : latest !== "up";
  });
}
