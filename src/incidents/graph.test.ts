import { describe, expect, it } from "vitest";
import { buildGraph, dependenciesOf, dependentsOf, downstreamOf, partOf, rootsOf, sharePart, upstreamOf, type ComponentNode } from "./graph.ts";

const hard = (id: string) => ({ id, soft: false });
const soft = (id: string) => ({ id, soft: true });

// db → api → checkout (a chain), plus an unrelated dns → cdn.
const chain: ComponentNode[] = [
  { id: "db", dependsOn: [] },
  { id: "api", dependsOn: [hard("db")] },
  { id: "checkout", dependsOn: [hard("api")] },
  { id: "dns", dependsOn: [] },
  { id: "cdn", dependsOn: [hard("dns")] },
];
// db → api-a, db → api-b → web, and web also needs a cache softly.
const diamond: ComponentNode[] = [
  { id: "db", dependsOn: [] },
  { id: "cache", dependsOn: [] },
  { id: "api-a", dependsOn: [hard("db")] },
  { id: "api-b", dependsOn: [hard("db")] },
  { id: "web", dependsOn: [hard("api-a"), hard("api-b"), soft("cache")] },
];

describe("buildGraph", () => {
  it("indexes dependencies and dependents both ways", () => {
    const graph = buildGraph(diamond);
    expect(dependenciesOf(graph, "web")).toEqual([hard("api-a"), hard("api-b"), soft("cache")]);
    expect(dependentsOf(graph, "db")).toEqual([hard("api-a"), hard("api-b")]);
    expect(dependentsOf(graph, "cache")).toEqual([soft("web")]);
    expect(dependentsOf(graph, "nope")).toEqual([]);
  });

  it.each<[string, ComponentNode[], RegExp]>([
    ["a duplicate id", [{ id: "a", dependsOn: [] }, { id: "a", dependsOn: [] }], /duplicate component id "a"/],
    ["a dangling dependency", [{ id: "a", dependsOn: [hard("b")] }], /"a" depends on unknown component "b"/],
  ])("refuses %s", (_name, components, message) => {
    expect(() => buildGraph(components)).toThrow(message);
  });
});

describe("downstreamOf / upstreamOf", () => {
  it.each<[string, ComponentNode[], string, Record<string, { hard: boolean }>]>([
    ["chain from db", chain, "db", { api: { hard: true }, checkout: { hard: true } }],
    ["chain from api", chain, "api", { checkout: { hard: true } }],
    ["chain leaf", chain, "checkout", {}],
    ["diamond from db", diamond, "db", { "api-a": { hard: true }, "api-b": { hard: true }, web: { hard: true } }],
    ["through a soft edge", diamond, "cache", { web: { hard: false } }],
    [
      "a hard path wins over a soft one",
      [
        { id: "db", dependsOn: [] },
        { id: "worker", dependsOn: [soft("db")] },
        { id: "api", dependsOn: [hard("db")] },
        { id: "web", dependsOn: [hard("worker"), hard("api")] },
      ],
      "db",
      { worker: { hard: false }, api: { hard: true }, web: { hard: true } },
    ],
    [
      "a cycle ends",
      [
        { id: "a", dependsOn: [hard("b")] },
        { id: "b", dependsOn: [hard("a")] },
      ],
      "a",
      { b: { hard: true } },
    ],
  ])("downstream: %s", (_name, components, id, expected) => {
    expect(Object.fromEntries(downstreamOf(buildGraph(components), id))).toEqual(expected);
  });

  it("upstream of web in the diamond", () => {
    expect(Object.fromEntries(upstreamOf(buildGraph(diamond), "web"))).toEqual({
      "api-a": { hard: true },
      "api-b": { hard: true },
      db: { hard: true },
      cache: { hard: false },
    });
  });
});

describe("rootsOf", () => {
  it.each<[string, ComponentNode[], string[], string[]]>([
    ["db and api failing: db explains api", chain, ["api", "db"], ["db"]],
    ["the whole chain", chain, ["checkout", "api", "db"], ["db"]],
    ["transitively, with api healthy", chain, ["checkout", "db"], ["db"]],
    ["two unrelated failures", chain, ["api", "cdn"], ["api", "cdn"]],
    ["diamond: db explains both apis and web", diamond, ["web", "api-b", "api-a", "db"], ["db"]],
    ["diamond: two apis without db", diamond, ["api-a", "api-b", "web"], ["api-a", "api-b"]],
    ["a soft dependency explains too", diamond, ["web", "cache"], ["cache"]],
    ["nothing failing", chain, [], []],
    [
      "a failing cycle is all roots",
      [
        { id: "a", dependsOn: [hard("b")] },
        { id: "b", dependsOn: [hard("a")] },
        { id: "c", dependsOn: [hard("a")] },
      ],
      ["c", "a", "b"],
      ["a", "b"],
    ],
  ])("%s", (_name, components, failing, roots) => {
    expect(rootsOf(buildGraph(components), failing)).toEqual(roots);
  });
});

describe("connected parts", () => {
  const graph = buildGraph(chain);

  it.each<[string, string[]]>([
    ["checkout", ["api", "checkout", "db"]],
    ["dns", ["cdn", "dns"]],
    ["nope", []],
  ])("partOf %s", (id, part) => {
    expect(partOf(graph, id)).toEqual(part);
  });

  it.each<[string[], string[], boolean]>([
    [["db"], ["checkout"], true],
    [["db"], ["cdn"], false],
    [["db", "dns"], ["cdn"], true],
    [["nope"], ["nope"], false],
  ])("sharePart %j %j → %s", (a, b, shared) => {
    expect(sharePart(graph, a, b)).toBe(shared);
  });

  it("joins the two sides of a diamond through the shared dependency", () => {
    expect(sharePart(buildGraph(diamond), ["api-a"], ["api-b"])).toBe(true);
  });
});
