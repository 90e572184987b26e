import { describe, expect, it } from "vitest";
import { hangDeadline } from "./hang-deadline.ts";
import { advanceRegion } from "./region.ts";
import type { CheckStatus, RegionState } from "./types.ts";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const policy = { confirm: 2, recover: 2 };

/** A region's state after results of these latencies (ms), every 20 s; a status other than up where given. */
function region(results: readonly (number | CheckStatus)[]): RegionState | undefined {
  let state: RegionState | undefined;
  results.forEach((r, i) => {
    const status = typeof r === "number" ? "up" : r;
    state = advanceRegion(state, { monitorId: "api", region: "eu", at: new Date(t0 + i * 20_000), status, latencyMs: typeof r === "number" ? r : 0, facts: {} }, policy).region;
  });
  return state;
}

describe("hangDeadline: the rule the server's runner and agents both watch their checks by", () => {
  const suspect = { factor: 10, floorMs: 1_000 };

  it("is the floor for a fast target, factor × p99 for a slower one, twice the second slowest answer of the last hours at least", () => {
    expect(hangDeadline(region([3, 3, 3, 3, 3]), suspect)).toBe(1_000);
    expect(hangDeadline(region([300, 300, 300, 300, 300]), suspect)).toBe(3_000);
    // Two slow answers (4 s) among fast ones: 2 × 4 s holds the deadline up.
    expect(hangDeadline(region([3, 4_000, 3, 4_000, 3, 3, 3]), suspect)).toBeGreaterThanOrEqual(8_000);
  });

  it("is undefined while the usual latency is unknown, while the region fails, and with suspicion off", () => {
    expect(hangDeadline(undefined, suspect)).toBeUndefined();
    expect(hangDeadline(region([3, 3, 3, 3]), suspect)).toBeUndefined();
    expect(hangDeadline(region([3, 3, 3, 3, 3, "down", "down"]), suspect)).toBeUndefined();
    expect(hangDeadline(region([3, 3, 3, 3, 3]), null)).toBeUndefined();
  });
});
