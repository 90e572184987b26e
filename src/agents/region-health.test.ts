import { describe, expect, it } from "vitest";
import { regionHealth, staleAfterOf, type HeardAgent, type RegionHealth } from "./region-health.ts";

const regions = [
  { id: "eu-west", name: "Europe West", staleAfterMs: 15_000 },
  { id: "us-east", name: "US East", staleAfterMs: 90_000 },
];
const t = (s: number) => Date.parse("2026-12-07T12:00:00Z") + s * 1000;

describe("regionHealth", () => {
  it.each<[string, HeardAgent[], Record<string, RegionHealth>, number, Record<string, RegionHealth>, string[]]>([
    ["no agent yet: waiting, silent", [], {}, 100, { "eu-west": "waiting", "us-east": "waiting" }, []],
    ["heard within the limit: live", [{ id: "a", region: "eu-west", lastSeen: t(90) }], {}, 100, { "eu-west": "live", "us-east": "waiting" }, []],
    ["every agent silent past the limit: stale, once", [{ id: "a", region: "eu-west", lastSeen: t(80) }, { id: "b", region: "eu-west", lastSeen: t(84) }], { "eu-west": "live" }, 100, { "eu-west": "stale", "us-east": "waiting" }, ["region.stale eu-west"]],
    ["still stale: nothing new", [{ id: "a", region: "eu-west", lastSeen: t(80) }], { "eu-west": "stale" }, 200, { "eu-west": "stale", "us-east": "waiting" }, []],
    ["one agent of two heard: live", [{ id: "a", region: "eu-west", lastSeen: t(10) }, { id: "b", region: "eu-west", lastSeen: t(95) }], { "eu-west": "live" }, 100, { "eu-west": "live", "us-east": "waiting" }, []],
    ["heard again after stale: recovered", [{ id: "a", region: "eu-west", lastSeen: t(199) }], { "eu-west": "stale" }, 200, { "eu-west": "live", "us-east": "waiting" }, ["region.recovered eu-west"]],
    ["each region by its own limit", [{ id: "a", region: "eu-west", lastSeen: t(40) }, { id: "b", region: "us-east", lastSeen: t(40) }], { "eu-west": "live", "us-east": "live" }, 100, { "eu-west": "stale", "us-east": "live" }, ["region.stale eu-west"]],
  ])("%s", (_name, agents, previous, now, health, events) => {
    const out = regionHealth(regions, agents, previous, t(now));
    expect(out.health).toEqual(health);
    expect(out.events.map((e) => `${e.kind} ${e.region}`)).toEqual(events);
  });

  it("says how long the region has been silent, and since when", () => {
    const out = regionHealth(regions, [{ id: "a", region: "eu-west", lastSeen: t(80) }], { "eu-west": "live" }, t(100));
    expect(out.events[0]?.data).toEqual({ name: "Europe West", agents: 1, last_seen: new Date(t(80)).toISOString(), silent_ms: 20_000, stale_after_ms: 15_000 });
  });

  it("waits 3 intervals of a region's most frequent monitor, at least 15 s", () => {
    expect(staleAfterOf([30_000, 10_000])).toBe(30_000);
    expect(staleAfterOf([1_000])).toBe(15_000);
  });
});
