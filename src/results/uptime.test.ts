import { describe, expect, it } from "vitest";
import { uptimeOf } from "./uptime.ts";

describe("uptimeOf", () => {
  it.each([
    [[], { checks: 0, failures: 0, degraded: 0, uptimePercent: null }],
    [[{ checks: 10, failures: 0, degraded: 3 }], { checks: 10, failures: 0, degraded: 3, uptimePercent: 100 }],
    [[{ checks: 2880, failures: 1, degraded: 0 }, { checks: 120, failures: 2, degraded: 1 }], { checks: 3000, failures: 3, degraded: 1, uptimePercent: 99.9 }],
    [[{ checks: 3, failures: 1, degraded: 0 }], { checks: 3, failures: 1, degraded: 0, uptimePercent: 66.667 }],
  ])("sums %j", (rollups, expected) => {
    expect(uptimeOf(rollups)).toEqual(expected);
  });
});
