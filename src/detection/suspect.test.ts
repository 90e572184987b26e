import { describe, expect, it } from "vitest";
import { detect } from "./detect.ts";
import { resolvePolicy, type PolicyOverrides } from "./policy.ts";
import { restoreState } from "./state.ts";
import { awaitCheck, suspect, suspicionDelay } from "./suspect.ts";
import type { CheckResult, CheckStatus, DetectionEvent, MonitorState } from "./types.ts";

// Times in ms after t0; the monitor is checked every 20 s with a 16 s timeout, from one region.
const t0 = Date.parse("2026-01-01T00:00:00Z");
const at = (ms: number): Date => new Date(t0 + ms);

/**
 * Drives detection as the monitoring service does, with an explicit clock: `result` is a check's own result (stamped
 * with its start, fed when it came), `suspect` a check still unanswered at a moment.
 */
function monitor(overrides: PolicyOverrides = {}) {
  const policy = resolvePolicy(20_000, overrides);
  let state: MonitorState | undefined;
  const events: string[] = [];
  const all: DetectionEvent[] = [];
  const note = (list: DetectionEvent[]) => {
    all.push(...list);
    events.push(...list.map((e) => `${e.at.getTime() - t0} ${e.kind.replace("monitor.", "")}`));
  };
  return {
    policy,
    events,
    all,
    get state() {
      return state!;
    },
    set state(value: MonitorState) {
      state = value;
    },
    region: () => state!.regions["eu"]!,
    result(startedMs: number, answeredMs: number, status: CheckStatus, latencyMs = answeredMs - startedMs): boolean {
      const result: CheckResult = { monitorId: "api", region: "eu", at: at(startedMs), status, latencyMs, facts: {} };
      if (status === "down") result.error = { kind: "timeout", message: "no answer in 16s" };
      const outcome = detect(state, result, policy, at(answeredMs));
      state = outcome.state;
      note(outcome.events);
      return outcome.recheck;
    },
    /** A confirming check starts beside a suspected one. */
    alongside(startedMs: number): void {
      state = awaitCheck(state, { monitorId: "api", region: "eu", startedAt: at(startedMs) });
    },
    suspect(startedMs: number, nowMs: number) {
      const outcome = suspect(state, { monitorId: "api", region: "eu", startedAt: at(startedMs) }, policy, at(nowMs));
      if (outcome) {
        state = outcome.state;
        note(outcome.events);
      }
      return outcome;
    },
  };
}

/** A monitor that answered its last `n` checks (every 20 s, up to 0) in 3 ms. */
function learned(n = 10, overrides: PolicyOverrides = {}) {
  const m = monitor(overrides);
  for (let i = n - 1; i >= 0; i--) m.result(-i * 20_000, -i * 20_000 + 3, "up", 3);
  return m;
}

describe("hang suspicion", () => {
  it("suspects nothing before it knows the monitor's usual latency (5 good results)", () => {
    const m = learned(4);
    expect(suspicionDelay(m.state, "eu", m.policy)).toBeUndefined();
    expect(m.suspect(20_000, 25_000)).toBeUndefined();
    m.result(20_000, 20_003, "up");
    expect(suspicionDelay(m.state, "eu", m.policy)).toBe(1_000);
  });

  it("a suspicion in a region found isolated does not count towards the monitor's status", () => {
    const m = learned(10, { quorum: "any" });
    m.state = detect(m.state, { monitorId: "api", region: "us", at: at(0), status: "up", latencyMs: 3, facts: {} }, m.policy, at(1)).state;
    const running = (startedMs: number) => ({ monitorId: "api", region: "eu", startedAt: at(startedMs) });
    const first = suspect(m.state, running(20_000), m.policy, at(21_000), new Set(["eu"]))!;
    const beside = awaitCheck(first.state, running(21_000))!;
    const isolated = suspect(beside, running(21_000), m.policy, at(22_000), new Set(["eu"]))!;
    expect(isolated.state.regions["eu"]!.status).toBe("degraded");
    expect(isolated.state.status).toBe("up");
    expect([...first.events, ...isolated.events]).toEqual([]);
    // Counted, the same suspicions make it degraded (quorum any).
    expect(suspect(beside, running(21_000), m.policy, at(22_000))!.events.map((e) => e.kind)).toEqual(["monitor.degraded"]);
  });

  it("hung check → suspicion → confirming check → degraded with the evidence → the first check's timeout → down", () => {
    const m = learned();
    expect(suspicionDelay(m.state, "eu", m.policy)).toBe(1_000);
    // The check of 20 s hangs. Not suspect before its deadline.
    expect(m.suspect(20_000, 20_999)).toBeUndefined();
    const first = m.suspect(20_000, 21_000)!;
    m.alongside(21_000);
    expect(first.evidence).toEqual({ elapsedMs: 1_000, usualMs: 3, p99Ms: 3, afterMs: 1_000, warning: "no answer after 1 s, usually 3 ms" });
    expect(m.events).toEqual([]);
    expect(m.region().status).toBe("up");
    // The confirming check starts at once (21 s) and hangs too: at its own deadline both are unanswered.
    const second = m.suspect(21_000, 22_000)!;
    expect(second.evidence.warning).toBe("no answer after 1 s, usually 3 ms");
    expect(m.events).toEqual(["22000 degraded"]);
    expect(m.all[0]!.data).toMatchObject({ previous: "up", warning: "no answer after 1 s, usually 3 ms", since: at(21_000).toISOString(), last_up_at: at(0).toISOString() });
    // A suspicion is made once per check.
    expect(m.suspect(20_000, 23_000)).toBeUndefined();
    // The first check times out (16 s after its start): down, stamped when that is known.
    expect(m.result(20_000, 36_000, "down")).toBe(false);
    expect(m.events).toEqual(["22000 degraded", "36000 down"]);
    expect(m.all[1]!.data).toMatchObject({ previous: "degraded", error: { kind: "timeout" }, since: at(21_000).toISOString() });
    // The confirming check's timeout and the next checks change nothing; no more suspicion while down.
    m.result(21_000, 37_000, "down");
    expect(suspicionDelay(m.state, "eu", m.policy)).toBeUndefined();
    expect(m.suspect(40_000, 41_000)).toBeUndefined();
    m.result(40_000, 56_000, "down");
    expect(m.events).toEqual(["22000 degraded", "36000 down"]);
    expect(m.region().status).toBe("down");
    expect(m.region().pending).toBeUndefined();
  });

  it("a slow check that answers (up) before the confirming check's deadline: no event, still up", () => {
    const m = learned();
    m.suspect(20_000, 21_000);
    m.alongside(21_000);
    // The confirming check answered at once, then the slow one.
    m.result(21_000, 21_004, "up");
    m.result(20_000, 21_500, "up", 1_500);
    expect(m.events).toEqual([]);
    expect(m.region()).toMatchObject({ status: "up", recent: ["up", "up"], lastAt: t0 + 21_500 });
    expect(m.region().pending).toBeUndefined();
    // Its answer is learned: it raised the p99 (and so the deadline) of the next 64 checks.
    expect(suspicionDelay(m.state, "eu", m.policy)).toBeGreaterThan(3_000);
    // Or the slow one first, then the confirming one (another monitor).
    const n = learned();
    n.suspect(40_000, 41_000);
    n.alongside(41_000);
    n.result(40_000, 41_200, "up", 1_200);
    n.result(41_000, 41_300, "up", 300);
    expect(n.events).toEqual([]);
    expect(n.region()).toMatchObject({ status: "up", recent: ["up", "up"], lastAt: t0 + 41_300 });
    expect(n.region().pending).toBeUndefined();
  });

  it("a check's own result takes its suspicion's place: one hung check is never two failures", () => {
    const m = learned();
    // The check hangs, the confirming one answers: the timeout is one failure, which asks for a re-check.
    m.suspect(20_000, 21_000);
    m.alongside(21_000);
    m.result(21_000, 21_004, "up");
    expect(m.result(20_000, 36_000, "down")).toBe(true);
    expect(m.region()).toMatchObject({ status: "up", streak: 1 });
    m.result(37_000, 37_003, "up");
    // The check answers, its confirming one hangs: its timeout, though it started before the answer was fed, counts
    // (once: the answer taught that this target can take 1.1 s, which moves its deadline past 1 s).
    m.suspect(60_000, 61_000);
    m.alongside(61_000);
    m.result(60_000, 61_100, "up", 1_100);
    expect(m.suspect(61_000, 62_000)).toBeUndefined();
    expect(m.result(61_000, 77_000, "down")).toBe(true);
    expect(m.region()).toMatchObject({ status: "up", streak: 1, lastAt: t0 + 77_000 });
    // A suspected check whose own result is a failure: one failure with its suspicion.
    m.result(78_000, 78_003, "up");
    const delay = suspicionDelay(m.state, "eu", m.policy)!;
    m.suspect(80_000, 80_000 + delay);
    m.alongside(80_000 + delay);
    m.result(80_000 + delay, 80_001 + delay, "up");
    m.suspect(100_000, 100_000 + delay);
    expect(m.region()).toMatchObject({ status: "up", streak: 1 });
    expect(m.result(100_000, 116_000, "down")).toBe(true);
    expect(m.region()).toMatchObject({ status: "up", streak: 1, recent: ["degraded", "down"] });
    expect(m.events).toEqual([]);
  });

  it("a hang after a failed check confirms down at the re-check's deadline", () => {
    const m = learned();
    expect(m.result(20_000, 20_003, "down")).toBe(true);
    // The re-check hangs: its suspicion is the second failure.
    m.suspect(21_003, 22_003);
    expect(m.events).toEqual(["22003 down"]);
  });

  it("is off with suspect: null, and waits factor × p99 for a slower target", () => {
    const off = learned(10, { suspect: null });
    expect(suspicionDelay(off.state, "eu", off.policy)).toBeUndefined();
    expect(off.suspect(20_000, 30_000)).toBeUndefined();
    const slow = monitor({ suspect: { factor: 5, floorMs: 500 } });
    for (let i = 0; i < 5; i++) slow.result(i * 20_000, i * 20_000 + 300, "up");
    expect(suspicionDelay(slow.state, "eu", slow.policy)).toBe(1_500);
    expect(slow.suspect(100_000, 101_000)).toBeUndefined();
    expect(slow.suspect(100_000, 101_500)?.evidence.warning).toBe("no answer after 1.5 s, usually 300 ms");
  });

  it("keeps the usual latency and the suspected checks across a restart (the saved state is JSON); an older state without them loads", () => {
    const m = learned();
    m.suspect(20_000, 21_000);
    const restored = restoreState(JSON.parse(JSON.stringify(m.state)), "api")!;
    expect(restored.regions["eu"]!.latency).toEqual(Array<number>(10).fill(3));
    m.state = restored;
    m.result(20_000, 21_500, "up", 1_500);
    expect(m.region().status).toBe("up");
    expect(m.region().pending).toBeUndefined();

    const old = JSON.parse(JSON.stringify(learned().state)) as MonitorState;
    delete old.regions["eu"]!.latency;
    const fresh = monitor();
    fresh.state = restoreState(old, "api")!;
    expect(suspicionDelay(fresh.state, "eu", fresh.policy)).toBeUndefined();
    for (let i = 1; i <= 5; i++) fresh.result(i * 20_000, i * 20_000 + 3, "up");
    expect(suspicionDelay(fresh.state, "eu", fresh.policy)).toBe(1_000);
  });
});
