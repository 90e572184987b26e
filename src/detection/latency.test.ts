import { describe, expect, it } from "vitest";
import { addLatency, formatMs, hangWarning, latencySampleSize, secondSlowestMs, slowestWindowMs, suspicionDelayMs, updateSlowest, usualLatency } from "./latency.ts";

const policy = { factor: 10, floorMs: 1_000 };

describe("usualLatency", () => {
  it.each<[string, unknown[] | undefined, { medianMs: number; p99Ms: number } | undefined]>([
    ["no samples", undefined, undefined],
    ["four samples: too few to know", [3, 3, 3, 3], undefined],
    ["five equal samples", [3, 3, 3, 3, 3], { medianMs: 3, p99Ms: 3 }],
    ["odd count: the middle one", [5, 1, 3, 2, 4], { medianMs: 3, p99Ms: 4.96 }],
    // One stray slow answer among 64 moves the p99 only part of the way to it.
    ["one slow answer among 64", [...Array<number>(63).fill(3), 800], { medianMs: 3, p99Ms: 3 + 797 * 0.37 }],
    ["junk in a saved state is skipped", [3, 3, "x", null, -1, Number.NaN, 3, 3, 3], { medianMs: 3, p99Ms: 3 }],
  ])("%s", (_name, samples, expected) => {
    const usual = usualLatency(samples);
    if (expected === undefined) expect(usual).toBeUndefined();
    else {
      expect(usual?.medianMs).toBeCloseTo(expected.medianMs, 6);
      expect(usual?.p99Ms).toBeCloseTo(expected.p99Ms, 6);
    }
  });
});

describe("suspicionDelayMs", () => {
  it.each<[string, number[] | undefined, typeof policy | null, number | undefined]>([
    ["too few samples: never", [3, 3], policy, undefined],
    ["suspicion off: never", [3, 3, 3, 3, 3], null, undefined],
    ["a fast target: the floor", [3, 3, 3, 3, 3], policy, 1_000],
    ["a slower target: 10 × its p99", [200, 250, 300, 310, 320], policy, 3_196],
    ["factor and floor as configured", [200, 200, 200, 200, 200], { factor: 3, floorMs: 100 }, 600],
    ["a higher floor wins", [200, 200, 200, 200, 200], { factor: 3, floorMs: 5_000 }, 5_000],
  ])("%s", (_name, samples, suspect, expected) => {
    expect(suspicionDelayMs(samples, suspect)).toBe(expected);
  });

  it.each<[string, number, number]>([
    ["no slow answer remembered", 0, 1_000],
    ["twice a 400 ms answer is within the floor", 400, 1_000],
    ["twice a 2.5 s answer that fell out of the samples", 2_500, 5_000],
  ])("%s", (_name, slowestMs, expected) => {
    expect(suspicionDelayMs([3, 3, 3, 3, 3], policy, slowestMs)).toBe(expected);
  });
});

describe("updateSlowest", () => {
  const hour = 3_600_000;
  it.each<[string, unknown[] | undefined, number, number, { ms: number; at: number }[], number]>([
    ["the first answer: one is no evidence yet", undefined, 3, 0, [{ ms: 3, at: 0 }], 0],
    ["the second", [{ ms: 3, at: 0 }], 900, hour, [{ ms: 900, at: hour }, { ms: 3, at: 0 }], 3],
    ["a slower answer pushes the second out", [{ ms: 900, at: 0 }, { ms: 40, at: 0 }], 2_000, hour, [{ ms: 2_000, at: hour }, { ms: 900, at: 0 }], 900],
    ["a faster one keeps them", [{ ms: 900, at: 0 }, { ms: 40, at: 0 }], 5, hour, [{ ms: 900, at: 0 }, { ms: 40, at: 0 }], 40],
    ["older than the window: forgotten", [{ ms: 2_500, at: 0 }, { ms: 2_000, at: hour }], 5, slowestWindowMs + 1, [{ ms: 2_000, at: hour }, { ms: 5, at: slowestWindowMs + 1 }], 5],
    ["junk in a saved state is skipped", [{ ms: "x", at: 0 }, null, 7], 5, 0, [{ ms: 5, at: 0 }], 0],
  ])("%s", (_name, previous, latencyMs, at, expected, second) => {
    const next = updateSlowest(previous, latencyMs, at);
    expect(next).toEqual(expected);
    expect(secondSlowestMs(next)).toBe(second);
  });
});

describe("addLatency", () => {
  it("keeps the newest samples, rounded to 0.1 ms, and skips what is not a latency", () => {
    let samples: number[] | undefined;
    for (let i = 0; i < latencySampleSize + 10; i++) samples = addLatency(samples, i + 0.123);
    expect(samples).toHaveLength(latencySampleSize);
    expect(samples![0]).toBe(10.1);
    expect(samples!.at(-1)).toBe(latencySampleSize + 9 + 0.1);
    expect(addLatency([1], Number.NaN)).toEqual([1]);
    expect(addLatency([1], -5)).toEqual([1]);
  });
});

describe("hangWarning", () => {
  it.each<[number, number, string]>([
    [1_200, 3, "no answer after 1.2 s, usually 3 ms"],
    [1_000, 0.42, "no answer after 1 s, usually 0.4 ms"],
    [16_000, 250, "no answer after 16 s, usually 250 ms"],
    [999.6, 12.4, "no answer after 1000 ms, usually 12 ms"],
  ])("%i ms against %i ms", (elapsed, usual, text) => {
    expect(hangWarning(elapsed, usual)).toBe(text);
  });

  it("formats durations", () => {
    expect([0.05, 3, 999, 1_000, 9_950, 12_345].map(formatMs)).toEqual(["0.1 ms", "3 ms", "999 ms", "1 s", "10 s", "12 s"]);
  });
});
