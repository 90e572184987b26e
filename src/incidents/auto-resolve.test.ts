import { describe, expect, it } from "vitest";
import { autoResolveStep, defaultAutoResolvePolicy, type AutoResolveIncident, type AutoResolvePolicy } from "./auto-resolve.ts";
import { nextStatus } from "./lifecycle.ts";

const t = (hhmmss: string): Date => new Date(`2024-05-01T${hhmmss}Z`);
const policy = defaultAutoResolvePolicy;

const incident = (over: Partial<AutoResolveIncident>): AutoResolveIncident => ({
  status: "investigating",
  openSignals: 1,
  allRecoveredAt: null,
  monitoringSince: null,
  manualHold: false,
  ...over,
});

describe("defaultAutoResolvePolicy", () => {
  it("moves to monitoring at once and resolves after ten minutes", () => {
    expect(defaultAutoResolvePolicy).toEqual({ monitorAfterMs: 0, resolveAfterMs: 600_000 });
  });
});

describe("autoResolveStep, one step", () => {
  const recovered = { openSignals: 0, allRecoveredAt: t("10:00:00") };
  const monitoring = { status: "monitoring", openSignals: 0, allRecoveredAt: t("10:00:00"), monitoringSince: t("10:00:00") } as const;
  const slow: AutoResolvePolicy = { monitorAfterMs: 120_000, resolveAfterMs: 600_000 };

  it.each<[string, AutoResolveIncident, AutoResolvePolicy, string, string | null]>([
    ["still failing", incident({}), policy, "10:05:00", null],
    ["no signals and no recovery time", incident({ openSignals: 0 }), policy, "10:05:00", null],
    ["recovered, default policy", incident(recovered), policy, "10:00:00", "monitoring"],
    ["identified and recovered", incident({ ...recovered, status: "identified" }), policy, "10:00:00", "monitoring"],
    ["recovered, before monitorAfterMs", incident(recovered), slow, "10:01:59", null],
    ["recovered, at monitorAfterMs", incident(recovered), slow, "10:02:00", "monitoring"],
    ["monitoring, before resolveAfterMs", incident(monitoring), policy, "10:09:59", null],
    ["monitoring, at resolveAfterMs", incident(monitoring), policy, "10:10:00", "resolved"],
    ["monitoring, failing again", incident({ ...monitoring, openSignals: 2, allRecoveredAt: null }), policy, "10:03:00", "investigating"],
    ["monitoring, relapsed and recovered unseen", incident({ ...monitoring, allRecoveredAt: t("10:05:00") }), policy, "10:10:00", null],
    ["monitoring, quiet since the later recovery", incident({ ...monitoring, allRecoveredAt: t("10:05:00") }), policy, "10:15:00", "resolved"],
    ["monitoring set by a person, no times", incident({ status: "monitoring", openSignals: 0 }), policy, "11:00:00", null],
    ["monitoring since unknown, recovery known", incident({ ...monitoring, monitoringSince: null }), policy, "10:10:00", "resolved"],
    ["resolved", incident({ ...recovered, status: "resolved" }), policy, "11:00:00", null],
    ["resolved, failing again (reopening is a person's)", incident({ status: "resolved" }), policy, "11:00:00", null],
    ["postmortem", incident({ ...recovered, status: "postmortem" }), policy, "11:00:00", null],
    ["held, recovered", incident({ ...recovered, manualHold: true }), policy, "10:30:00", null],
    ["held, monitoring long enough", incident({ ...monitoring, manualHold: true }), policy, "10:30:00", null],
    ["held, failing while monitoring", incident({ ...monitoring, openSignals: 1, manualHold: true }), policy, "10:30:00", null],
  ])("%s", (_name, inc, pol, at, to) => {
    const step = autoResolveStep(inc, pol, t(at));
    expect(step?.to ?? null).toBe(to);
    if (step !== null) {
      expect(step.reason).not.toBe("");
      // Every automatic move is one the lifecycle lets the system make.
      expect(nextStatus(inc.status, step.to, "system")).toEqual({ ok: true });
    }
  });

  it("says a relapse happened while monitoring", () => {
    const step = autoResolveStep(incident({ ...monitoring, openSignals: 1 }), policy, t("10:01:00"));
    expect(step?.reason).toMatch(/failing again while monitoring/);
  });

  it.each<[AutoResolvePolicy]>([
    [{ monitorAfterMs: -1, resolveAfterMs: 600_000 }],
    [{ monitorAfterMs: 0, resolveAfterMs: Number.NaN }],
    [{ monitorAfterMs: 0, resolveAfterMs: Number.POSITIVE_INFINITY }],
  ])("refuses the policy %j", (bad) => {
    expect(() => autoResolveStep(incident({}), bad, t("10:00:00"))).toThrow(RangeError);
  });
});

// A timeline of what happens to a one-signal incident, and steps of the policy at explicit times.
type Event = [at: string, what: "fail" | "recover" | "hold" | "step"];

function replay(events: readonly Event[], pol: AutoResolvePolicy = policy): string[] {
  let inc = incident({});
  const moves: string[] = [];
  for (const [at, what] of events) {
    const now = t(at);
    if (what === "fail") inc = { ...inc, openSignals: 1, allRecoveredAt: null };
    if (what === "recover") inc = { ...inc, openSignals: 0, allRecoveredAt: now };
    if (what === "hold") inc = { ...inc, manualHold: true };
    if (what !== "step") continue;
    const step = autoResolveStep(inc, pol, now);
    if (step === null) continue;
    expect(nextStatus(inc.status, step.to, "system")).toEqual({ ok: true });
    inc = { ...inc, status: step.to, monitoringSince: step.to === "monitoring" ? now : null };
    moves.push(`${at} ${step.to}`);
  }
  return moves;
}

describe("autoResolveStep, timelines", () => {
  it.each<[string, Event[], string[]]>([
    [
      "recovery: monitoring at once, resolved ten quiet minutes later",
      [["10:00:00", "step"], ["10:02:00", "recover"], ["10:02:00", "step"], ["10:11:59", "step"], ["10:12:00", "step"], ["10:20:00", "step"]],
      ["10:02:00 monitoring", "10:12:00 resolved"],
    ],
    [
      "relapse during monitoring: back to investigating, then the clock starts over",
      [
        ["10:02:00", "recover"], ["10:02:00", "step"],
        ["10:05:00", "fail"], ["10:05:00", "step"],
        ["10:06:00", "recover"], ["10:06:00", "step"],
        ["10:15:59", "step"], ["10:16:00", "step"],
      ],
      ["10:02:00 monitoring", "10:05:00 investigating", "10:06:00 monitoring", "10:16:00 resolved"],
    ],
    [
      "relapse and recovery between two steps: not resolved until ten minutes after the recovery",
      [["10:02:00", "recover"], ["10:02:00", "step"], ["10:05:00", "fail"], ["10:06:00", "recover"], ["10:12:00", "step"], ["10:16:00", "step"]],
      ["10:02:00 monitoring", "10:16:00 resolved"],
    ],
    [
      "hold before recovery: nothing moves",
      [["10:01:00", "hold"], ["10:02:00", "recover"], ["10:02:00", "step"], ["11:00:00", "step"]],
      [],
    ],
    [
      "hold during monitoring: neither resolved nor sent back on a relapse",
      [["10:02:00", "recover"], ["10:02:00", "step"], ["10:05:00", "hold"], ["10:20:00", "step"], ["10:21:00", "fail"], ["10:21:00", "step"]],
      ["10:02:00 monitoring"],
    ],
  ])("%s", (_name, events, moves) => {
    expect(replay(events)).toEqual(moves);
  });

  it("waits monitorAfterMs after the recovery before monitoring", () => {
    const events: Event[] = [["10:00:00", "recover"], ["10:00:30", "step"], ["10:01:00", "step"], ["10:06:00", "step"]];
    expect(replay(events, { monitorAfterMs: 60_000, resolveAfterMs: 300_000 })).toEqual(["10:01:00 monitoring", "10:06:00 resolved"]);
  });
});
