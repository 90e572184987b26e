import { describe, expect, it } from "vitest";
import type { MonitorStatus } from "../detection/types.ts";
import { componentStatusFromMonitors, deriveStatuses, passedOn, worstOf, type ComponentStatus } from "./component-status.ts";
import { buildGraph, type ComponentNode } from "./graph.ts";

const hard = (id: string) => ({ id, soft: false });
const soft = (id: string) => ({ id, soft: true });

describe("componentStatusFromMonitors", () => {
  it.each<[MonitorStatus[], ComponentStatus]>([
    [[], "operational"],
    [["up"], "operational"],
    [["unknown"], "operational"],
    [["up", "unknown"], "operational"],
    [["degraded"], "degraded_performance"],
    [["up", "degraded", "unknown"], "degraded_performance"],
    [["down", "up"], "partial_outage"],
    [["down", "degraded"], "partial_outage"],
    [["down"], "major_outage"],
    [["down", "down"], "major_outage"],
    // Unknown says nothing, so the monitors that do know are all down.
    [["down", "unknown"], "major_outage"],
  ])("%j → %s", (statuses, expected) => {
    expect(componentStatusFromMonitors(statuses)).toBe(expected);
  });
});

describe("worstOf / passedOn", () => {
  it.each<[ComponentStatus, ComponentStatus, ComponentStatus]>([
    ["operational", "degraded_performance", "degraded_performance"],
    ["partial_outage", "degraded_performance", "partial_outage"],
    ["partial_outage", "major_outage", "major_outage"],
    ["major_outage", "operational", "major_outage"],
    ["under_maintenance", "operational", "operational"],
    ["under_maintenance", "partial_outage", "partial_outage"],
    ["under_maintenance", "under_maintenance", "under_maintenance"],
  ])("worstOf(%s, %s) = %s", (a, b, expected) => {
    expect(worstOf(a, b)).toBe(expected);
    expect(worstOf(b, a)).toBe(expected);
  });

  it.each<[ComponentStatus, boolean, ComponentStatus]>([
    ["major_outage", false, "major_outage"],
    ["partial_outage", false, "partial_outage"],
    ["degraded_performance", false, "degraded_performance"],
    ["major_outage", true, "degraded_performance"],
    ["partial_outage", true, "degraded_performance"],
    ["degraded_performance", true, "degraded_performance"],
    ["operational", true, "operational"],
    ["under_maintenance", false, "operational"],
    ["under_maintenance", true, "operational"],
  ])("passedOn(%s, soft=%s) = %s", (status, isSoft, expected) => {
    expect(passedOn(status, isSoft)).toBe(expected);
  });
});

// db → api → checkout; db ⇢ reports (soft); api-b → web in a diamond with api.
const components: ComponentNode[] = [
  { id: "db", dependsOn: [] },
  { id: "api", dependsOn: [hard("db")] },
  { id: "api-b", dependsOn: [hard("db")] },
  { id: "checkout", dependsOn: [hard("api")] },
  { id: "web", dependsOn: [hard("api"), hard("api-b")] },
  { id: "reports", dependsOn: [soft("db")] },
  { id: "search", dependsOn: [soft("api")] },
];
const graph = buildGraph(components);
const allOperational: Record<string, ComponentStatus> = Object.fromEntries(graph.ids.map((id) => [id, "operational"]));

describe("deriveStatuses", () => {
  it.each<[string, Record<string, ComponentStatus>, Record<string, ComponentStatus>, Record<string, ComponentStatus>]>([
    ["nothing wrong", {}, {}, {}],
    [
      "major outage of db runs down the hard chain, soft dependents only degrade",
      { db: "major_outage" },
      {},
      { db: "major_outage", api: "major_outage", "api-b": "major_outage", checkout: "major_outage", web: "major_outage", reports: "degraded_performance", search: "degraded_performance" },
    ],
    [
      "partial stays partial",
      { db: "partial_outage" },
      {},
      { db: "partial_outage", api: "partial_outage", "api-b": "partial_outage", checkout: "partial_outage", web: "partial_outage", reports: "degraded_performance", search: "degraded_performance" },
    ],
    [
      "a dependent keeps its own status when it is worse",
      { db: "degraded_performance", api: "major_outage" },
      {},
      { db: "degraded_performance", api: "major_outage", "api-b": "degraded_performance", checkout: "major_outage", web: "major_outage", reports: "degraded_performance", search: "degraded_performance" },
    ],
    [
      "diamond: web takes the worse of its two paths",
      { api: "partial_outage", "api-b": "major_outage" },
      {},
      { api: "partial_outage", "api-b": "major_outage", checkout: "partial_outage", web: "major_outage", search: "degraded_performance" },
    ],
    [
      "an override wins for its component and propagates like its own status",
      { db: "major_outage" },
      { db: "degraded_performance" },
      { db: "degraded_performance", api: "degraded_performance", "api-b": "degraded_performance", checkout: "degraded_performance", web: "degraded_performance", reports: "degraded_performance", search: "degraded_performance" },
    ],
    [
      "an override on a dependent wins over what its dependencies pass on",
      { db: "major_outage" },
      { api: "operational" },
      { db: "major_outage", api: "operational", "api-b": "major_outage", checkout: "operational", web: "major_outage", reports: "degraded_performance" },
    ],
    [
      "maintenance is not propagated",
      {},
      { db: "under_maintenance" },
      { db: "under_maintenance" },
    ],
    [
      "maintenance is not propagated, dependents keep their own status",
      { api: "degraded_performance" },
      { db: "under_maintenance" },
      { db: "under_maintenance", api: "degraded_performance", checkout: "degraded_performance", web: "degraded_performance", search: "degraded_performance" },
    ],
    [
      "a component under maintenance stays so whatever its dependencies do",
      { db: "major_outage", api: "under_maintenance" },
      {},
      { db: "major_outage", api: "under_maintenance", "api-b": "major_outage", checkout: "operational", web: "major_outage", reports: "degraded_performance" },
    ],
  ])("%s", (_name, own, overrides, changed) => {
    expect(deriveStatuses(graph, own, overrides)).toEqual({ ...allOperational, ...changed });
  });

  it("ignores ids outside the graph", () => {
    expect(deriveStatuses(graph, { ghost: "major_outage" }, { phantom: "partial_outage" })).toEqual(allOperational);
  });

  it("ends on a cycle", () => {
    const cyclic = buildGraph([
      { id: "a", dependsOn: [hard("b")] },
      { id: "b", dependsOn: [hard("a")] },
    ]);
    expect(deriveStatuses(cyclic, { a: "partial_outage" }, {})).toEqual({ a: "partial_outage", b: "partial_outage" });
  });
});
