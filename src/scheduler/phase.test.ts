import { describe, expect, it } from "vitest";
import { nextOnGrid, phaseOf } from "./phase.ts";

describe("phaseOf", () => {
  it("puts the regions of a monitor an equal share of its interval apart", () => {
    for (const count of [2, 3, 4, 7]) {
      const phases = Array.from({ length: count }, (_, i) => phaseOf("api", i, count, 20_000));
      const sorted = [...phases].sort((a, b) => a - b);
      const gaps = sorted.map((p, i) => ((i + 1 < sorted.length ? sorted[i + 1]! : sorted[0]! + 20_000) - p));
      for (const gap of gaps) expect(Math.abs(gap - 20_000 / count)).toBeLessThanOrEqual(1);
    }
  });

  it("is the same for the same monitor on every call, and differs between monitors", () => {
    expect(phaseOf("api", 1, 3, 30_000)).toBe(phaseOf("api", 1, 3, 30_000));
    const bases = new Set(Array.from({ length: 200 }, (_, i) => phaseOf(`m${i}`, 0, 1, 30_000)));
    // 200 monitors over 30,000 ms: nearly all in places of their own, so they are not checked in one burst.
    expect(bases.size).toBeGreaterThan(190);
    for (const base of bases) expect(base >= 0 && base < 30_000).toBe(true);
  });

  it("refuses a region outside the count", () => {
    expect(() => phaseOf("api", 2, 2, 1_000)).toThrow(/region 2 of 2/);
    expect(() => phaseOf("api", -1, 2, 1_000)).toThrow(RangeError);
    expect(() => phaseOf("api", 0, 0, 1_000)).toThrow(RangeError);
  });
});

describe("nextOnGrid", () => {
  it.each([
    // t, phase, interval, expected
    [0, 0, 1_000, 0],
    [1, 0, 1_000, 1_000],
    [999, 0, 1_000, 1_000],
    [1_000, 0, 1_000, 1_000],
    [1_000, 250, 1_000, 1_250],
    [1_250, 250, 1_000, 1_250],
    [1_251, 250, 1_000, 2_250],
    [1_765_000_000_123, 5_000, 20_000, 1_765_000_005_000],
  ])("at %d with phase %d every %d: %d", (t, phase, interval, expected) => {
    expect(nextOnGrid(t, phase, interval)).toBe(expected);
  });
});
