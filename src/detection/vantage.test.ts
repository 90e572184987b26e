import { describe, expect, it } from "vitest";
import { burstOf, initialVantageState, judgeVantage, massThreshold, publicationGate, type CanaryResult, type LocalFailure, type VantageRule, type VantageState } from "./vantage.ts";

const t0 = Date.parse("2026-12-07T12:00:00Z");
const rule: VantageRule = { share: 0.5, minMonitors: 3, windowMs: 10_000 };

/** `n` monitors that began failing at t0 + `atS` seconds each (one per entry). */
const failing = (...atS: number[]): LocalFailure[] => atS.map((s, i) => ({ monitorId: `m${String(i).padStart(2, "0")}`, since: t0 + s * 1000 }));
const canary = (name: string, atS: number, ok: boolean): CanaryResult => ({ canary: name, at: t0 + atS * 1000, ok });
const suspect = (sinceS: number): VantageState => ({ suspectSince: t0 + sinceS * 1000, canariesDownSince: t0 + sinceS * 1000, evidence: null });

describe("burstOf and massThreshold", () => {
  it("finds the largest set of failures within the window, the earliest of equals", () => {
    expect(burstOf(failing(0, 1, 30, 31, 32), 10_000)).toEqual({ start: t0 + 30_000, monitors: ["m02", "m03", "m04"] });
    expect(burstOf(failing(0, 1, 30, 31), 10_000)?.start).toBe(t0);
    expect(burstOf([], 10_000)).toBeNull();
  });

  it("takes the share rounded up, at least the minimum", () => {
    expect([massThreshold(40, rule), massThreshold(41, rule), massThreshold(4, rule), massThreshold(0, rule)]).toEqual([20, 21, 3, 3]);
  });
});

describe("judgeVantage", () => {
  it.each<[string, VantageState, { monitors: number; failing: LocalFailure[]; canaries: (CanaryResult | undefined)[] }, number, string | null, boolean]>([
    ["31 of 40 monitors within 10 s and both canaries failing: suspect", initialVantageState, { monitors: 40, failing: failing(...Array.from({ length: 31 }, (_, i) => i / 4)), canaries: [canary("dns", 8, false), canary("db", 9, false)] }, 12, "vantage.suspect", false],
    ["most monitors fail but one canary answers: the targets are down", initialVantageState, { monitors: 4, failing: failing(0, 1, 2), canaries: [canary("dns", 3, false), canary("db", 3, true)] }, 5, null, false],
    ["most monitors fail and the canaries were last checked before: check them now", initialVantageState, { monitors: 4, failing: failing(0, 1, 2), canaries: [canary("dns", -5, true)] }, 3, null, true],
    ["a canary never checked: check it now", initialVantageState, { monitors: 4, failing: failing(0, 1, 2), canaries: [undefined] }, 3, null, true],
    ["a canary failing long before the failures does not count", initialVantageState, { monitors: 4, failing: failing(30, 31, 32), canaries: [canary("dns", 5, false)] }, 33, null, true],
    ["the canaries fail but few monitors do: not suspect", initialVantageState, { monitors: 40, failing: failing(0, 1, 2, 3), canaries: [canary("dns", 3, false)] }, 5, null, false],
    ["as many failing, but spread over more than the window: not at once", initialVantageState, { monitors: 6, failing: failing(0, 20, 40, 60), canaries: [canary("dns", 60, false)] }, 61, null, false],
    ["two monitors of two are fewer than the minimum", initialVantageState, { monitors: 2, failing: failing(0, 1), canaries: [canary("dns", 1, false)] }, 2, null, false],
    ["no canaries configured: never suspect", initialVantageState, { monitors: 4, failing: failing(0, 1, 2), canaries: [] }, 3, null, false],
    ["suspect, and a canary answers again: restored", suspect(0), { monitors: 4, failing: failing(0, 1, 2), canaries: [canary("dns", 20, true)] }, 20, "vantage.restored", false],
    ["suspect, and most monitors are up again: restored", suspect(0), { monitors: 4, failing: failing(0), canaries: [canary("dns", 20, false)] }, 20, "vantage.restored", false],
    ["suspect, canaries and monitors still failing: stays suspect, no new event", suspect(0), { monitors: 4, failing: failing(0, 1, 2), canaries: [canary("dns", 20, false)] }, 20, null, false],
  ])("%s", (_name, state, input, atS, event, checkCanaries) => {
    const judged = judgeVantage(state, input, t0 + atS * 1000, rule);
    expect(judged.event?.kind ?? null).toBe(event);
    expect(judged.checkCanaries).toBe(checkCanaries);
    const stillSuspect = event === "vantage.suspect" || (state.suspectSince !== null && event === null);
    expect(judged.state.suspectSince !== null).toBe(stillSuspect);
  });

  it("words the evidence with the counts and the window", () => {
    const judged = judgeVantage(initialVantageState, { monitors: 40, failing: failing(...Array.from({ length: 31 }, (_, i) => i / 4)), canaries: [canary("dns", 8, false), canary("db", 9, false)] }, t0 + 12_000, rule);
    expect(judged.event).toMatchObject({ kind: "vantage.suspect", evidence: { failing: 31, of: 40, canariesFailed: 2, canaries: 2, summary: "31 of 40 monitors and 2 of 2 canaries failed within 10 s" } });
    expect(judged.event?.kind === "vantage.suspect" && judged.event.evidence.monitors).toHaveLength(10);
    const one = judgeVantage(initialVantageState, { monitors: 3, failing: failing(0, 1, 2), canaries: [canary("dns", 2, false)] }, t0 + 3_000, { ...rule, windowMs: 1_500 });
    expect(one.event?.kind).toBeUndefined();
    const single = judgeVantage(initialVantageState, { monitors: 3, failing: failing(0, 1, 2), canaries: [canary("dns", 2, false)] }, t0 + 3_000, rule);
    expect(single.event?.kind === "vantage.suspect" && single.event.evidence.summary).toBe("3 of 3 monitors and 1 of 1 canary failed within 10 s");
  });

  it("says why the suspicion ended", () => {
    const answered = judgeVantage(suspect(0), { monitors: 4, failing: failing(0, 1, 2), canaries: [canary("dns", 20, false), canary("db", 20, true)] }, t0 + 20_000, rule);
    expect(answered.event).toMatchObject({ kind: "vantage.restored", reason: "canary db answers", suspectSince: t0 });
    const up = judgeVantage(suspect(0), { monitors: 4, failing: failing(0), canaries: [canary("dns", 20, false)] }, t0 + 20_000, rule);
    expect(up.event).toMatchObject({ kind: "vantage.restored", reason: "1 of 4 monitors fail now" });
  });
});

describe("publicationGate", () => {
  const mass = failing(0, 1, 2);
  it.each<[string, VantageState, { monitors: number; failing: LocalFailure[]; canaries: (CanaryResult | undefined)[] }, number, number, string]>([
    ["no canaries: clear", initialVantageState, { monitors: 4, failing: mass, canaries: [] }, 0, 3, "clear"],
    ["the canaries answered since the failure began: clear", initialVantageState, { monitors: 4, failing: failing(0), canaries: [canary("dns", 1, true)] }, 0, 2, "clear"],
    ["the canaries were last checked before the failure: pending", initialVantageState, { monitors: 4, failing: failing(0), canaries: [canary("dns", -3, true)] }, 0, 2, "pending"],
    ["…for a window at most: then clear", initialVantageState, { monitors: 4, failing: failing(0), canaries: [canary("dns", -3, true)] }, 0, 10, "clear"],
    ["every canary fails, most monitors not (yet): pending", initialVantageState, { monitors: 40, failing: failing(0), canaries: [canary("dns", 1, false)] }, 0, 2, "pending"],
    ["every canary failing for a window without most monitors following: clear", { ...initialVantageState, canariesDownSince: t0 + 1_000 }, { monitors: 40, failing: failing(0), canaries: [canary("dns", 11, false)] }, 0, 12, "clear"],
    ["most monitors and every canary fail: suspect, even before the watch looked", initialVantageState, { monitors: 4, failing: mass, canaries: [canary("dns", 2, false)] }, 0, 3, "suspect"],
    ["already suspect: suspect", suspect(0), { monitors: 4, failing: mass, canaries: [canary("dns", 2, false)] }, 0, 30, "suspect"],
  ])("%s", (_name, state, input, sinceS, atS, expected) => {
    expect(publicationGate(state, input, t0 + sinceS * 1000, t0 + atS * 1000, rule).gate).toBe(expected);
  });
});
