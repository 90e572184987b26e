import { describe, expect, it } from "vitest";
import { incidentStatuses, nextStatus, statusTimes, type Actor, type IncidentStatus } from "./lifecycle.ts";

// Who may make each change: both, a person only, or nobody. Every one of the 25 pairs appears exactly once.
type Allowed = "both" | "person" | "none";
const cases: [IncidentStatus, IncidentStatus, Allowed][] = [
  ["investigating", "investigating", "none"],
  ["investigating", "identified", "both"],
  ["investigating", "monitoring", "both"],
  ["investigating", "resolved", "both"],
  ["investigating", "postmortem", "none"],
  ["identified", "investigating", "person"],
  ["identified", "identified", "none"],
  ["identified", "monitoring", "both"],
  ["identified", "resolved", "both"],
  ["identified", "postmortem", "none"],
  ["monitoring", "investigating", "both"],
  ["monitoring", "identified", "both"],
  ["monitoring", "monitoring", "none"],
  ["monitoring", "resolved", "both"],
  ["monitoring", "postmortem", "none"],
  ["resolved", "investigating", "person"],
  ["resolved", "identified", "person"],
  ["resolved", "monitoring", "person"],
  ["resolved", "resolved", "none"],
  ["resolved", "postmortem", "person"],
  ["postmortem", "investigating", "person"],
  ["postmortem", "identified", "person"],
  ["postmortem", "monitoring", "person"],
  ["postmortem", "resolved", "none"],
  ["postmortem", "postmortem", "none"],
];

const rows: [IncidentStatus, IncidentStatus, Actor, boolean][] = cases.flatMap(([from, to, allowed]) => [
  [from, to, "person", allowed !== "none"] as [IncidentStatus, IncidentStatus, Actor, boolean],
  [from, to, "system", allowed === "both"] as [IncidentStatus, IncidentStatus, Actor, boolean],
]);

describe("nextStatus", () => {
  it("the table covers every pair of statuses once", () => {
    const pairs = new Set(cases.map(([from, to]) => `${from}→${to}`));
    expect(pairs.size).toBe(incidentStatuses.length ** 2);
  });

  it.each(rows)("%s → %s by %s: ok=%s", (from, to, actor, ok) => {
    const verdict = nextStatus(from, to, actor);
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) expect(verdict.reason).toContain(`${from} → ${to}`);
  });

  it.each<[IncidentStatus, IncidentStatus, Actor, string]>([
    ["identified", "investigating", "system", "only a person"],
    ["resolved", "investigating", "system", "only a person"],
    ["resolved", "postmortem", "system", "only a person"],
    ["postmortem", "monitoring", "system", "only a person"],
    ["monitoring", "monitoring", "person", "already"],
    ["investigating", "postmortem", "person", "resolved before its postmortem"],
    ["postmortem", "resolved", "person", "reopen the incident instead"],
  ])("%s → %s by %s is refused with a reason (%s)", (from, to, actor, words) => {
    const verdict = nextStatus(from, to, actor);
    expect(verdict).toEqual({ ok: false, reason: expect.stringContaining(words) });
  });
});

describe("statusTimes", () => {
  const at = new Date("2026-01-01T00:00:00Z");
  it.each([
    ["investigating", "monitoring", { monitoringAt: at }],
    ["monitoring", "monitoring", {}],
    ["monitoring", "investigating", { monitoringAt: null }],
    ["monitoring", "identified", { monitoringAt: null }],
    ["monitoring", "resolved", { resolvedAt: at }],
    ["resolved", "investigating", { resolvedAt: null }],
    ["postmortem", "monitoring", { monitoringAt: at, resolvedAt: null }],
    ["resolved", "postmortem", { postmortemPublishedAt: at }],
    ["identified", "investigating", {}],
  ])("%s → %s sets %j", (from, to, expected) => {
    expect(statusTimes(from, to, at)).toEqual(expected);
  });
});
