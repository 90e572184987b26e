import { secondSlowestMs, suspicionDelayMs } from "./latency.ts";
import { isBad } from "./region.ts";
import type { DetectionPolicy, RegionState } from "./types.ts";

/**
 * How long after its start a check of a region in state `region` becomes suspect of hanging, in ms; undefined: never
 * (suspicion is off, the region has too few good latencies to know its usual one, or it is failing already: there is
 * nothing to find out sooner then). The one rule the server's runner and remote agents both watch their checks by.
 */
export function hangDeadline(region: RegionState | undefined, suspect: DetectionPolicy["suspect"]): number | undefined {
  if (region === undefined || isBad(region.status)) return undefined;
  return suspicionDelayMs(region.latency, suspect, secondSlowestMs(region.slowest));
}
