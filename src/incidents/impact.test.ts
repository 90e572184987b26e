import { describe, expect, it } from "vitest";
import type { ComponentStatus } from "./component-status.ts";
import { impactOf, type Impact } from "./impact.ts";

describe("impactOf", () => {
  it.each<[ComponentStatus[], Impact]>([
    [[], "none"],
    [["operational"], "none"],
    [["operational", "operational"], "none"],
    [["under_maintenance"], "none"],
    [["operational", "under_maintenance"], "none"],
    [["degraded_performance"], "minor"],
    [["operational", "degraded_performance", "under_maintenance"], "minor"],
    [["partial_outage"], "major"],
    [["degraded_performance", "partial_outage"], "major"],
    [["major_outage"], "critical"],
    [["major_outage", "partial_outage", "degraded_performance"], "critical"],
    [["operational", "major_outage"], "critical"],
  ])("%j → %s", (statuses, expected) => {
    expect(impactOf(statuses)).toBe(expected);
  });
});
