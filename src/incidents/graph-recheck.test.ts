import { describe, expect, it } from "vitest";
import { buildGraph } from "./graph.ts";
import { graphRechecks } from "./graph-recheck.ts";

// dns ← db ← api ← web; db ← worker; cache (apart). Each component has one monitor named after it, api two.
const components = [
  { id: "dns", monitors: ["dns-check"], dependsOn: [] },
  { id: "db", monitors: ["db-check"], dependsOn: ["dns"] },
  { id: "api", monitors: ["api-check", "api-latency"], dependsOn: ["db"] },
  { id: "web", monitors: ["web-check"], dependsOn: ["api"] },
  { id: "worker", monitors: ["worker-check"], dependsOn: ["db"] },
  { id: "cache", monitors: ["cache-check"], dependsOn: [] },
];
const graph = buildGraph(components.map((c) => ({ id: c.id, dependsOn: c.dependsOn.map((id) => ({ id, soft: false })) })));

describe("the monitors a confirmed failure re-checks at once", () => {
  it("takes what it depends on, then what depends on it, nearest first, never itself nor an unrelated part", () => {
    expect(graphRechecks(graph, components, "db-check")).toEqual(["dns-check", "api-check", "api-latency", "worker-check", "web-check"]);
    expect(graphRechecks(graph, components, "web-check")).toEqual(["api-check", "api-latency", "db-check", "dns-check"]);
    // The component's other monitor is not re-checked by the graph rule: it is not another component.
    expect(graphRechecks(graph, components, "api-check")).not.toContain("api-check");
    expect(graphRechecks(graph, components, "cache-check")).toEqual([]);
    expect(graphRechecks(graph, components, "no-such-monitor")).toEqual([]);
  });

  it("skips monitors already failing and stops at the limit", () => {
    expect(graphRechecks(graph, components, "db-check", (m) => m === "api-check" || m === "dns-check")).toEqual(["api-latency", "worker-check", "web-check"]);
    expect(graphRechecks(graph, components, "db-check", () => false, 2)).toEqual(["dns-check", "api-check"]);
  });
});
