import { describe, expect, it } from "vitest";
import { reconsider } from "./detect.ts";
import { awaitsIsolationLook, isolatedRegions, loneDissent } from "./isolation.ts";
import { resolvePolicy } from "./policy.ts";
import { initialState } from "./state.ts";
import type { MonitorState, MonitorStatus } from "./types.ts";

const now = new Date("2026-12-07T12:00:00Z");
const policy = resolvePolicy(30_000);

/** A monitor whose regions have these confirmed statuses, each with a result `ageS` seconds old. */
function monitor(id: string, regions: Record<string, MonitorStatus>, ageS = 5): MonitorState {
  const state = initialState(id);
  for (const [name, status] of Object.entries(regions)) {
    state.regions[name] = {
      lastAt: now.getTime() - ageS * 1000,
      status,
      streak: 2,
      recent: [],
      failingSince: null,
      lastUpBeforeFailing: null,
      lastUpAt: null,
      lastError: null,
      lastWarning: null,
      db: { uptimeS: null, uptimeAt: null, role: null, saturated: false, restarts: [], crashLoop: false, lastGood: null },
    };
  }
  return state;
}

const run = (states: MonitorState[]) => isolatedRegions(states, () => policy, now).map((r) => `${r.region} ${r.failing.length}/${r.comparable}`);

describe("isolatedRegions", () => {
  it.each<[string, MonitorState[], string[]]>([
    [
      "one region sees 3 of 4 monitors down that the others see up: its network",
      [
        monitor("a", { local: "down", eu: "up", us: "up" }),
        monitor("b", { local: "down", eu: "up", us: "up" }),
        monitor("c", { local: "degraded", eu: "up", us: "up" }),
        monitor("d", { local: "up", eu: "up", us: "up" }),
      ],
      ["local 3/4"],
    ],
    [
      "every region sees them down: the targets are down, nobody is isolated",
      [monitor("a", { local: "down", eu: "down" }), monitor("b", { local: "down", eu: "down" }), monitor("c", { local: "down", eu: "down" })],
      [],
    ],
    [
      "two of three regions see them down: they are believed, nobody is isolated",
      [monitor("a", { local: "up", eu: "down", us: "down" }), monitor("b", { local: "up", eu: "down", us: "down" }), monitor("c", { local: "up", eu: "down", us: "down" })],
      [],
    ],
    ["two monitors are not many", [monitor("a", { local: "down", eu: "up" }), monitor("b", { local: "down", eu: "up" })], []],
    [
      "3 of 10 is not most of what it sees",
      [
        ...["a", "b", "c"].map((id) => monitor(id, { eu: "down", local: "up" })),
        ...["d", "e", "f", "g", "h", "i", "j"].map((id) => monitor(id, { eu: "up", local: "up" })),
      ],
      [],
    ],
    [
      "contradicted on one monitor only: not isolated",
      [monitor("a", { local: "down", eu: "up" }), monitor("b", { local: "down" }), monitor("c", { local: "down" })],
      [],
    ],
    [
      "a monitor checked from one region only cannot be contradicted",
      [monitor("a", { local: "down" }), monitor("b", { local: "down" }), monitor("c", { local: "down" })],
      [],
    ],
  ])("%s", (_name, states, expected) => {
    expect(run(states)).toEqual(expected);
  });

  it("ignores a region whose view is stale", () => {
    const states = ["a", "b", "c"].map((id) => {
      const s = monitor(id, { local: "down", eu: "up" });
      s.regions["eu"]!.lastAt = now.getTime() - 10 * 60_000;
      return s;
    });
    expect(run(states)).toEqual([]);
  });
});

describe("isolatedRegions, for a region already isolated", () => {
  const already = new Set(["local"]);
  const runAfter = (states: MonitorState[]) => isolatedRegions(states, () => policy, now, undefined, already).map((r) => `${r.region} ${r.failing.length}/${r.comparable}`);

  it.each<[string, MonitorState[], string[]]>([
    [
      "one failure the others contradict is left: still isolated (its vote would tell it)",
      [monitor("a", { local: "down", eu: "up" }), monitor("b", { local: "up", eu: "up" }), monitor("c", { local: "up", eu: "up" })],
      ["local 1/3"],
    ],
    ["it agrees with the others again: no longer isolated", [monitor("a", { local: "up", eu: "up" }), monitor("b", { local: "up", eu: "up" }), monitor("c", { local: "up", eu: "up" })], []],
    ["the others see its last failure too: it agrees, no longer isolated", [monitor("a", { local: "down", eu: "down" }), monitor("b", { local: "up", eu: "up" })], []],
    ["the other region went stale: nothing contradicts it, no longer isolated", [monitor("a", { local: "down", eu: "up" }, 5)].map((s) => ({ ...s, regions: { ...s.regions, eu: { ...s.regions["eu"]!, lastAt: now.getTime() - 10 * 60_000 } } })), []],
  ])("%s", (_name, states, expected) => {
    expect(runAfter(states)).toEqual(expected);
  });

  it("a region not yet isolated needs the whole rule", () => {
    expect(run([monitor("a", { local: "down", eu: "up" }), monitor("b", { local: "up", eu: "up" })])).toEqual([]);
  });
});

describe("loneDissent", () => {
  it.each<[string, Record<string, MonitorStatus>, string[], string | undefined]>([
    ["one region down, the other up", { eu: "down", us: "up" }, [], "eu"],
    ["one region degraded, two up", { eu: "degraded", us: "up", local: "up" }, [], "eu"],
    ["two regions agree: believed", { eu: "down", us: "down", local: "up" }, [], undefined],
    ["every region sees it up", { eu: "up", us: "up" }, [], undefined],
    ["one region only: nothing contradicts it", { eu: "down" }, [], undefined],
    ["the other region has no confirmed view yet", { eu: "down", us: "unknown" }, [], undefined],
    ["a region isolated does not count: the other one alone is not contradicted", { eu: "down", us: "up" }, ["us"], undefined],
    ["a region isolated does not count: the one left contradicts it", { eu: "down", us: "down", local: "up" }, ["us"], "eu"],
  ])("%s", (_name, regions, ignored, expected) => {
    expect(loneDissent(monitor("a", regions).regions, policy, now, new Set(ignored))).toBe(expected);
  });

  it("a stale region does not contradict", () => {
    const state = monitor("a", { eu: "down", us: "up" });
    state.regions["us"]!.lastAt = now.getTime() - 10 * 60_000;
    expect(loneDissent(state.regions, policy, now)).toBeUndefined();
  });
});

describe("awaitsIsolationLook", () => {
  const withStatus = (status: MonitorStatus, regions: Record<string, MonitorStatus>): MonitorState => ({ ...monitor("a", regions), status, announced: status });

  it.each<[string, MonitorState | undefined, MonitorState, string | undefined]>([
    ["up to down on one contradicted region: waits for the look", withStatus("up", { eu: "up", us: "up" }), withStatus("down", { eu: "down", us: "up" }), "eu"],
    ["unknown to degraded on one contradicted region: waits", undefined, withStatus("degraded", { eu: "degraded", us: "up" }), "eu"],
    ["already down: nothing new is told", withStatus("down", { eu: "down", us: "up" }), withStatus("down", { eu: "down", us: "up" }), undefined],
    ["down on two regions that agree: told at once", withStatus("up", { eu: "up", us: "up", local: "up" }), withStatus("down", { eu: "down", us: "down", local: "up" }), undefined],
    ["recovering: told at once", withStatus("down", { eu: "down", us: "up" }), withStatus("up", { eu: "up", us: "up" }), undefined],
  ])("%s", (_name, before, after, expected) => {
    expect(awaitsIsolationLook(before, after, policy, now)).toBe(expected);
  });
});

describe("reconsider", () => {
  const quorumAny = resolvePolicy(30_000, { quorum: "any" });
  const down = (): MonitorState => {
    const state = monitor("a", { eu: "down", us: "up" });
    state.regions["eu"]!.failingSince = now.getTime() - 20_000;
    return { ...state, status: "down", announced: "down", episode: { since: now.getTime() - 20_000, lastUpAt: null } };
  };

  it("a monitor down on the vote of a region found isolated is up at once, stamped now", () => {
    const out = reconsider(down(), quorumAny, now, new Set(["eu"]));
    expect(out.state.status).toBe("up");
    expect(out.events.map((e) => [e.kind, e.at.toISOString(), e.data["down_for_ms"]])).toEqual([["monitor.up", now.toISOString(), 20_000]]);
  });

  it("nothing changes when the regions that count say what the state says", () => {
    const out = reconsider(down(), quorumAny, now);
    expect(out.state.status).toBe("down");
    expect(out.events).toEqual([]);
  });

  it("a down held for the look is told by it", () => {
    const held = { ...down(), status: "up" as const, announced: "up" as const, episode: null };
    const out = reconsider(held, quorumAny, now);
    expect(out.events.map((e) => [e.kind, e.data["previous"], e.data["regions"]])).toEqual([["monitor.down", "up", { eu: "down", us: "up" }]]);
  });
});
