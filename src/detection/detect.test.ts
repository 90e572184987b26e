import { describe, expect, it } from "vitest";
import type { ErrorKind } from "../probes/types.ts";
import { currentStatus, detect, initialState } from "./detect.ts";
import { resolvePolicy, type PolicyOverrides } from "./policy.ts";
import { replay, type ReplayStep } from "./replay.ts";
import type { CheckResult, CheckStatus, DetectionEvent, MonitorState } from "./types.ts";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const at = (s: number): Date => new Date(t0 + s * 1000);
const iso = (s: number): string => at(s).toISOString();

/** "61 eu down:timeout" → a result at t0+61 s from region eu; down defaults to a connect error. */
function step(text: string): ReplayStep {
  const [s = "", region = "", what = ""] = text.split(" ");
  const [status, kind] = what.split(":") as [CheckStatus, ErrorKind | undefined];
  const result: CheckResult = { monitorId: "api", region, at: at(Number(s)), status, latencyMs: 12, facts: {} };
  if (status === "down") result.error = { kind: kind ?? "connect", message: kind === "timeout" ? "no answer in 10s" : "connection refused" };
  if (status === "degraded") result.warning = "slow: 2300 ms";
  return { result };
}

function run(lines: readonly string[], overrides: PolicyOverrides = {}, state?: MonitorState) {
  const out = replay(lines.map(step), resolvePolicy(60_000, overrides), state);
  return { ...out, summary: summarize(out.events), rechecks: out.rechecks.map((r) => (r ? "R" : ".")).join("") };
}

function summarize(events: readonly DetectionEvent[]): string[] {
  return events.map((e) => `${(e.at.getTime() - t0) / 1000} ${e.kind.replace("monitor.", "")}`);
}

const threeUp = ["0 a up", "0 b up", "0 c up"];

describe("detect: scenarios", () => {
  it.each<{ name: string; steps: string[]; policy?: PolicyOverrides; events: string[]; rechecks: string }>([
    {
      name: "single region: down after 2 failures, up after 2 successes",
      steps: ["0 r up", "60 r down", "61 r down", "121 r down", "181 r up", "182 r up"],
      events: ["61 down", "182 up"],
      rechecks: ".R..R.",
    },
    { name: "a single blip emits nothing", steps: ["0 r up", "60 r down", "61 r up", "121 r up"], events: [], rechecks: ".R.." },
    {
      name: "degraded, then recovered",
      steps: ["0 r up", "60 r degraded", "61 r degraded", "121 r up", "122 r up"],
      events: ["61 degraded", "122 up"],
      rechecks: ".R.R.",
    },
    {
      name: "a mix of degraded and down confirms the worst of the last two, then settles on degraded",
      steps: ["0 r up", "60 r degraded", "61 r down", "121 r degraded", "122 r degraded"],
      events: ["61 down", "122 degraded"],
      rechecks: ".R.R.",
    },
    { name: "the first confirmed state, when bad, is announced", steps: ["0 r down", "1 r down"], events: ["1 down"], rechecks: "R." },
    { name: "the first confirmed state, when up, is silent", steps: ["0 r up", "60 r up"], events: [], rechecks: ".." },
    {
      name: "recovery hysteresis: single up results between failures do not recover",
      steps: ["0 r up", "60 r down", "61 r down", "121 r up", "122 r down", "182 r up", "183 r down", "243 r up", "244 r up"],
      events: ["61 down", "244 up"],
      rechecks: ".R.R.R.R.",
    },
    {
      name: "recover 3 needs three up results, each short of it asking for a quick re-check",
      steps: ["0 r down", "1 r down", "61 r up", "62 r up", "63 r up"],
      policy: { recover: 3 },
      events: ["1 down", "63 up"],
      rechecks: "R.RR.",
    },
    {
      name: "confirm 1 alerts on the first failure without a re-check",
      steps: ["0 r up", "60 r down", "120 r up"],
      policy: { confirm: 1, recover: 1 },
      events: ["60 down", "120 up"],
      rechecks: "...",
    },
    {
      name: "3 regions, 1 failing: no alert",
      steps: [...threeUp, "60 a up", "60 b up", "60 c down", "61 c down", "120 a up", "120 b up", "120 c down"],
      events: [],
      rechecks: ".....R....",
    },
    {
      name: "3 regions, 2 failing: alert when the second confirms",
      steps: [...threeUp, "60 a up", "60 b down", "60 c down", "61 b down", "61 c down", "121 b up", "122 b up"],
      events: ["61 down", "122 up"],
      rechecks: "....RR..R.",
    },
    {
      name: "3 regions, one down and one degraded: degraded",
      steps: [...threeUp, "60 b down", "60 c degraded", "61 b down", "61 c degraded"],
      events: ["61 degraded"],
      rechecks: "...RR..",
    },
    {
      name: "a fixed quorum of 1 alerts on any region",
      steps: ["0 a up", "0 b up", "60 a down", "61 a down"],
      policy: { quorum: 1 },
      events: ["61 down"],
      rechecks: "..R.",
    },
    {
      name: "a fixed quorum larger than the regions reporting is capped",
      steps: ["0 a up", "0 b up", "60 a down", "60 b down", "61 a down", "61 b down"],
      policy: { quorum: 3 },
      events: ["61 down"],
      rechecks: "..RR..",
    },
    {
      name: "regions going stale no longer count: the one still reporting decides",
      steps: [...threeUp, "60 a down", "60 b up", "60 c up", "61 a down", "120 a down", "120 b up", "120 c up", "180 a down", "300 a down", "301 a down"],
      events: ["301 down"],
      rechecks: "...R.........",
    },
    {
      name: "clock jump backwards: older results are ignored",
      steps: ["0 r up", "60 r down", "61 r down", "30 r up", "31 r up", "121 r up", "122 r up"],
      events: ["61 down", "122 up"],
      rechecks: ".R...R.",
    },
    {
      name: "clock jump forwards: the silent region becomes stale",
      steps: ["0 a up", "0 b up", "60 a up", "60 b up", "3660 a down", "3661 a down"],
      events: ["3661 down"],
      rechecks: "....R.",
    },
    {
      name: "without the jump, one of two regions down is not a majority",
      steps: ["0 a up", "0 b up", "60 a up", "60 b up", "120 a down", "121 a down", "121 b up"],
      events: [],
      rechecks: "....R..",
    },
  ])("$name", ({ steps, policy, events, rechecks }) => {
    const out = run(steps, policy);
    expect(out.summary).toEqual(events);
    expect(out.rechecks).toBe(rechecks);
  });
});

describe("detect: event data", () => {
  it("describes a single-region outage and its recovery", () => {
    const { events } = run(["0 r up", "60 r down", "61 r down", "121 r down", "181 r up", "182 r up"]);
    expect(events[0]).toEqual({
      kind: "monitor.down",
      monitorId: "api",
      at: at(61),
      data: {
        previous: "up",
        regions: { r: "down" },
        error: { kind: "connect", message: "connection refused" },
        since: iso(60),
        last_up_at: iso(0),
      },
    });
    expect(events[1]?.data).toEqual({
      previous: "down",
      regions: { r: "up" },
      error: { kind: "connect", message: "connection refused" },
      since: iso(60),
      last_up_at: iso(0),
      down_for_ms: 122_000,
    });
  });

  it("gives the warning of a degraded monitor", () => {
    const { events } = run(["0 r up", "60 r degraded", "61 r degraded"]);
    expect(events[0]?.data).toMatchObject({ previous: "up", error: null, warning: "slow: 2300 ms", since: iso(60) });
  });

  it("reports a timeout storm across regions as one outage from its earliest failure", () => {
    const storm = (s: number) => ["a", "b", "c"].map((r) => `${s} ${r} down:timeout`);
    const recover = (s: number) => ["a", "b", "c"].map((r) => `${s} ${r} up`);
    const { events, summary } = run([...threeUp, ...storm(60), ...storm(61), ...storm(121), ...recover(181), ...recover(182)]);
    expect(summary).toEqual(["61 down", "182 up"]);
    expect(events[0]?.data).toMatchObject({
      regions: { a: "down", b: "down", c: "up" },
      error: { kind: "timeout", message: "no answer in 10s" },
      since: iso(60),
      last_up_at: iso(0),
    });
    expect(events[1]?.data).toMatchObject({ regions: { a: "up", b: "up", c: "down" }, down_for_ms: 122_000 });
  });

  it("marks a region that went stale as unknown", () => {
    const { events } = run([...threeUp, "60 a down", "61 a down", "120 a down", "180 a down", "181 a down"]);
    expect(events[0]?.data).toMatchObject({ regions: { a: "down", b: "unknown", c: "unknown" } });
  });
});

describe("detect: flapping", () => {
  const fast: PolicyOverrides = { confirm: 1, recover: 1 };
  const flaps = ["0 r up", "10 r down", "20 r up", "30 r down", "40 r up", "50 r down", "60 r up", "70 r down", "80 r up"];
  const quietUp = [140, 200, 260, 320, 380, 440, 500, 560, 620].map((s) => `${s} r up`);

  it("emits one flapping event, stays quiet, then announces where it settled", () => {
    const { summary, events, state } = run([...flaps, ...quietUp, "680 r up"], fast);
    expect(summary).toEqual(["10 down", "20 up", "30 down", "40 up", "50 down", "60 flapping", "680 up"]);
    expect(events[5]?.data).toMatchObject({ changes: 6, window_ms: 600_000 });
    expect(events[6]?.data).toMatchObject({ previous: "down", after_flapping: true, since: iso(50), down_for_ms: 630_000 });
    expect(state?.flapping).toBe(false);
  });

  it("reports flapping in currentStatus until a full quiet window has passed", () => {
    const policy = resolvePolicy(60_000, fast);
    const { state } = run([...flaps, ...quietUp], fast);
    if (state === undefined) throw new Error("no state");
    expect(currentStatus(state, policy, at(620)).flapping).toBe(true);
    expect(currentStatus(state, policy, at(680)).flapping).toBe(false);
  });

  it("says nothing after flapping when it settles where it was last announced, then reports changes again", () => {
    const quietDown = [130, 190, 250, 310, 370, 430, 490, 550, 610, 670].map((s) => `${s} r down`);
    const { summary } = run([...flaps.slice(0, -1), ...quietDown, "730 r up"], fast);
    expect(summary).toEqual(["10 down", "20 up", "30 down", "40 up", "50 down", "60 flapping", "730 up"]);
  });

  it("ends flapping before a change that comes after a full quiet window, so both are reported", () => {
    const { summary, events } = run([...flaps, ...quietUp, "700 r down"], fast);
    expect(summary).toEqual(["10 down", "20 up", "30 down", "40 up", "50 down", "60 flapping", "700 up", "700 down"]);
    expect(events[6]?.data).toMatchObject({ after_flapping: true, down_for_ms: 650_000 });
    expect(events[7]?.data).toMatchObject({ previous: "up", since: iso(700), last_up_at: iso(620) });
    expect(events[7]?.data).not.toHaveProperty("after_flapping");
  });

  it("counts only the changes inside the window", () => {
    const slow = ["0 r up", "100 r down", "200 r up", "300 r down", "400 r up", "700 r down", "800 r up", "900 r down"];
    expect(run(slow, fast).summary).toEqual(["100 down", "200 up", "300 down", "400 up", "700 down", "800 up", "900 down"]);
  });
});

describe("detect: state", () => {
  const scenario = [
    ...threeUp,
    "60 a down:timeout",
    "60 b down",
    "61 a down:timeout",
    "61 b down",
    "90 c degraded",
    "121 a up",
    "122 a up",
    "122 b up",
    "30 c up",
    "400 c up",
    "401 c down",
    "402 c down",
  ];

  it("continues identically after a JSON round trip at any point", () => {
    const whole = run(scenario);
    for (let k = 0; k <= scenario.length; k++) {
      const first = run(scenario.slice(0, k));
      const restored = first.state === undefined ? undefined : (JSON.parse(JSON.stringify(first.state)) as MonitorState);
      const rest = run(scenario.slice(k), {}, restored);
      expect([...first.summary, ...rest.summary]).toEqual(whole.summary);
      expect(JSON.stringify([...first.events, ...rest.events])).toBe(JSON.stringify(whole.events));
      expect(rest.state).toEqual(whole.state);
    }
  });

  it("does not modify the state it is given", () => {
    const policy = resolvePolicy(60_000, {});
    let state: MonitorState | undefined;
    for (const line of scenario) {
      const before = structuredClone(state);
      const next = detect(state, step(line).result, policy, step(line).result.at).state;
      expect(state).toEqual(before);
      state = next;
    }
  });

  it("leaves the state unchanged for a result from the past", () => {
    const { state } = run(["0 r up", "60 r down", "61 r down"]);
    const out = detect(state, step("30 r up").result, resolvePolicy(60_000, {}), at(61));
    expect(out).toEqual({ state, events: [], recheck: false });
  });

  it("refuses a result of another monitor", () => {
    const result = { ...step("0 r up").result, monitorId: "web" };
    expect(() => detect(initialState("api"), result, resolvePolicy(60_000, {}), at(0))).toThrow(RangeError);
  });

  it("reports each region in currentStatus, stale ones as unknown", () => {
    const policy = resolvePolicy(60_000, {});
    const { state } = run([...threeUp, "60 a down", "61 a down", "100 b up"]);
    if (state === undefined) throw new Error("no state");
    // At 200 s region c is stale: of the two left, one down is not a majority.
    expect(currentStatus(state, policy, at(200))).toEqual({
      status: "up",
      flapping: false,
      regions: {
        a: { status: "down", lastAt: iso(61), consecutive: 2, stale: false },
        b: { status: "up", lastAt: iso(100), consecutive: 2, stale: false },
        c: { status: "unknown", lastAt: iso(0), consecutive: 1, stale: true },
      },
    });
    expect(currentStatus(state, policy, at(1000)).status).toBe("unknown");
    expect(currentStatus(initialState("api"), policy, at(0))).toEqual({ status: "unknown", flapping: false, regions: {} });
  });
});

describe("detect: the regions in words", () => {
  it("names the confirming regions and what the others see, with the time each has seen it up since", () => {
    const out = run(["0 a up", "0 b up", "0 c up", "30 c up", "60 a down", "60 b down", "61 a down", "61 b down", "62 c up"]);
    expect(out.summary).toEqual(["61 down"]);
    expect(out.events[0]?.data["region_summary"]).toBe("down from 2 of 3 regions (a, b; c sees it up since 00:00:00)");
  });

  it("counts only the fresh regions, and says which went silent", () => {
    const out = run([...threeUp, "120 a up", "120 b up", "240 a down", "240 b down", "241 a down", "241 b down"], { quorum: 2 });
    expect(out.summary).toEqual(["241 down"]);
    expect(out.events[0]?.data["region_summary"]).toBe("down from 2 of 2 regions (a, b; c silent since 00:00:00)");
  });

  it("says nothing for a monitor checked from one region", () => {
    const out = run(["0 r up", "60 r down", "61 r down"]);
    expect(out.events[0]?.data["region_summary"]).toBeUndefined();
  });
});
