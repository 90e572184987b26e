import { describe, expect, it } from "vitest";
import { isolatedRegions } from "./isolation.ts";
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
