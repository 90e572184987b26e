import { describe, expect, it } from "vitest";
import { defaultPolicy, quorumOf, resolvePolicy, type PolicyOverrides } from "./policy.ts";
import type { Quorum } from "./types.ts";
import type { DetectionPolicy } from "./types.ts";

describe("defaultPolicy", () => {
  it("has the documented defaults", () => {
    expect(defaultPolicy(60_000)).toEqual({
      intervalMs: 60_000,
      confirm: 2,
      recover: 2,
      quorum: "majority",
      staleAfterMs: 180_000,
      flap: { windowMs: 600_000, maxChanges: 6 },
      evidence: { saturation: 0.9, crashLoopRestarts: 2, crashLoopWindowMs: 600_000 },
      suspect: { factor: 10, floorMs: 1_000 },
    });
  });

  it.each([
    [1_000, 30_000],
    [10_000, 30_000],
    [15_000, 45_000],
    [300_000, 900_000],
  ])("with interval %i ms, a region is stale after %i ms", (intervalMs, staleAfterMs) => {
    expect(defaultPolicy(intervalMs).staleAfterMs).toBe(staleAfterMs);
  });
});

describe("resolvePolicy", () => {
  it.each<[string, PolicyOverrides, Partial<DetectionPolicy>]>([
    ["no overrides", {}, {}],
    ["top-level values", { confirm: 3, quorum: 2, staleAfterMs: 90_000 }, { confirm: 3, quorum: 2, staleAfterMs: 90_000 }],
    ["undefined keeps the default", { confirm: undefined, recover: 4 }, { confirm: 2, recover: 4 }],
    ["nested values merge", { flap: { maxChanges: 10 } }, { flap: { windowMs: 600_000, maxChanges: 10 } }],
    [
      "nested undefined keeps the default",
      { evidence: { saturation: 0.8, crashLoopRestarts: undefined } },
      { evidence: { saturation: 0.8, crashLoopRestarts: 2, crashLoopWindowMs: 600_000 } },
    ],
    ["hang suspicion off", { suspect: null }, { suspect: null }],
    ["hang suspicion tuned", { suspect: { factor: 20, floorMs: undefined } }, { suspect: { factor: 20, floorMs: 1_000 } }],
  ])("%s", (_name, overrides, expected) => {
    expect(resolvePolicy(60_000, overrides)).toEqual({ ...defaultPolicy(60_000), ...expected });
  });

  it.each<[string, PolicyOverrides]>([
    ["confirm 0", { confirm: 0 }],
    ["fractional recover", { recover: 1.5 }],
    ["quorum 0", { quorum: 0 }],
    ["quorum 0%", { quorum: "0%" }],
    ["quorum 150%", { quorum: "150%" }],
    ["negative staleAfterMs", { staleAfterMs: -1 }],
    ["zero flap window", { flap: { windowMs: 0 } }],
    ["saturation above 1", { evidence: { saturation: 1.2 } }],
    ["saturation NaN", { evidence: { saturation: Number.NaN } }],
    ["crash loop of 0 restarts", { evidence: { crashLoopRestarts: 0 } }],
    ["suspect factor below 1", { suspect: { factor: 0.5 } }],
    ["suspect floor 0", { suspect: { floorMs: 0 } }],
  ])("refuses %s", (_name, overrides) => {
    expect(() => resolvePolicy(60_000, overrides)).toThrow(RangeError);
  });

  it("refuses a non-positive interval", () => {
    expect(() => defaultPolicy(0)).toThrow(RangeError);
  });
});

describe("quorumOf", () => {
  it.each<[Quorum, number, number]>([
    ["majority", 1, 1],
    ["majority", 2, 2],
    ["majority", 3, 2],
    ["majority", 4, 3],
    ["majority", 5, 3],
    [1, 3, 1],
    [2, 3, 2],
    [3, 2, 2],
    [2, 0, 1],
    ["any", 1, 1],
    ["any", 5, 1],
    ["50%", 4, 2],
    ["50%", 3, 2],
    ["50%", 1, 1],
    ["33.34%", 3, 2],
    ["33.3333333333%", 3, 1],
    ["100%", 3, 3],
    ["1%", 3, 1],
  ])("quorum %s of %i regions reporting is %i", (quorum, reporting, expected) => {
    expect(quorumOf({ quorum }, reporting)).toBe(expected);
  });
});
