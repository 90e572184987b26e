import { describe, expect, it } from "vitest";
import { detect } from "./detect.ts";
import { defaultPolicy } from "./policy.ts";
import { initialState, restoreState } from "./state.ts";

const at = new Date("2026-01-01T00:00:00Z");
const result = { monitorId: "api", region: "eu", at, status: "up" as const, latencyMs: 3, facts: {} };
const { state } = detect(undefined, result, defaultPolicy(60_000), at);
const persisted: unknown = JSON.parse(JSON.stringify(state));

describe("restoreState", () => {
  it.each<[string, unknown, boolean]>([
    ["a persisted state", persisted, true],
    ["the initial state", initialState("api"), true],
    ["another monitor's state", initialState("web"), false],
    ["another version", { ...initialState("api"), version: 2 }, false],
    ["null", null, false],
    ["a string", "up", false],
    ["no regions", { ...initialState("api"), regions: null }, false],
  ])("%s: restored %s", (_name, value, ok) => {
    expect(restoreState(value, "api") !== undefined).toBe(ok);
  });
});
