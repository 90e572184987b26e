import { describe, expect, it } from "vitest";
import { offset, renderIncidentDetail, type IncidentDetailJson } from "./incident-show.ts";

describe("offset", () => {
  it.each([
    ["2026-11-27T13:20:00Z", "+0s"],
    ["2026-11-27T13:20:09.900Z", "+9s"],
    ["2026-11-27T13:24:05Z", "+4m 05s"],
    ["2026-11-27T15:23:00Z", "+2h 03m"],
    ["2026-11-29T17:20:00Z", "+2d 4h"],
    ["2026-11-27T13:19:30Z", "-30s"],
  ])("from 13:20:00 to %s is %s", (to, expected) => {
    expect(offset("2026-11-27T13:20:00Z", to)).toBe(expected);
  });
});

describe("renderIncidentDetail", () => {
  const incident: IncidentDetailJson = {
    id: "inc_0123456789abcdef",
    name: "Search is slow",
    status: "resolved",
    impact: "minor",
    root_components: ["search"],
    impacted_components: [],
    started_at: "2026-11-27T13:20:00.000Z",
    earliest_possible_start: null,
    published_at: null,
    resolved_at: "2026-11-27T14:02:30.000Z",
    updates: [],
    evidence: [],
    timeline: [
      { id: "evt_2", at: "2026-11-27T14:02:30.000Z", kind: "incident.resolved", actor: "user:ana", data: { previous: "investigating" } },
      { id: "evt_1", at: "2026-11-27T13:20:00.000Z", kind: "incident.created", actor: "user:ana", data: {} },
    ],
  };

  it("says plainly what is missing, and lists the timeline oldest first", () => {
    expect(renderIncidentDetail(incident, {}, "HEADER")).toBe(
      [
        "HEADER",
        "",
        "Root:         search",
        "Impact:       minor",
        "Started:      2026-11-27 13:20:00 UTC",
        "Resolved:     2026-11-27 14:02:30 UTC (after 42m 30s)",
        "Published:    no (draft)",
        "",
        "Evidence:",
        "  none recorded",
        "",
        "Attribution:",
        "  no upstream provider attributed",
        "",
        "Timeline (UTC, + from the start):",
        "  2026-11-27 13:20:00  +0s       Incident opened (by user:ana)",
        "  2026-11-27 14:02:30  +42m 30s  Resolved (was investigating) (by user:ana)",
        "",
        "Updates:",
        "  none",
        "",
      ].join("\n"),
    );
  });
});
