import { describe, expect, it } from "vitest";
import { correlate, type Decision, type OpenIncident, type Signal, type SignalKind } from "./correlate.ts";
import { buildGraph } from "./graph.ts";

const hard = (id: string) => ({ id, soft: false });
const soft = (id: string) => ({ id, soft: true });

// orders-db → api → checkout; api → search (soft); db → api-a, db → api-b → web (diamond); dns → cdn stands apart.
const graph = buildGraph([
  { id: "orders-db", dependsOn: [] },
  { id: "api", dependsOn: [hard("orders-db")] },
  { id: "checkout", dependsOn: [hard("api")] },
  { id: "search", dependsOn: [soft("api")] },
  { id: "db", dependsOn: [] },
  { id: "api-a", dependsOn: [hard("db")] },
  { id: "api-b", dependsOn: [hard("db")] },
  { id: "web", dependsOn: [hard("api-b")] },
  { id: "dns", dependsOn: [] },
  { id: "cdn", dependsOn: [hard("dns")] },
]);

const t0 = Date.parse("2026-01-01T00:00:00Z");
const at = (seconds: number): Date => new Date(t0 + seconds * 1000);
const signal = (kind: SignalKind, componentIds: string[], seconds = 0): Signal => ({ kind, componentIds, at: at(seconds), data: {} });
const incident = (id: string, rootIds: string[], impactedIds: string[], lastSignalSeconds = 0): OpenIncident => ({
  id,
  rootIds,
  impactedIds,
  startedAt: at(0),
  lastSignalAt: at(lastSignalSeconds),
});

interface Case {
  name: string;
  open: OpenIncident[];
  signal: Signal;
  /** Seconds after t0 at which the signal is correlated. */
  now: number;
  expected: Decision;
}

const cases: Case[] = [
  // Opening.
  {
    name: "a failure with nothing open opens an incident with its downstream as impact",
    open: [],
    signal: signal("monitor.down", ["orders-db"]),
    now: 0,
    expected: { action: "open", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  {
    name: "a monitor on both orders-db and api opens one incident rooted at orders-db",
    open: [],
    signal: signal("monitor.down", ["api", "orders-db"]),
    now: 0,
    expected: { action: "open", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  {
    name: "degraded opens too",
    open: [],
    signal: signal("monitor.degraded", ["checkout"]),
    now: 0,
    expected: { action: "open", rootIds: ["checkout"], impactedIds: [] },
  },
  {
    name: "an upstream provider's degradation opens too",
    open: [],
    signal: signal("upstream.degraded", ["dns"]),
    now: 0,
    expected: { action: "open", rootIds: ["dns"], impactedIds: ["cdn"] },
  },
  // Chain: orders-db then api.
  {
    name: "chain: api failing after orders-db joins, root stays orders-db",
    open: [incident("i1", ["orders-db"], ["api", "checkout", "search"])],
    signal: signal("monitor.down", ["api"], 20),
    now: 20,
    expected: { action: "join", incidentId: "i1", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  {
    name: "late-arriving cause: orders-db after api within the window becomes the root, api moves to impact",
    open: [incident("i1", ["api"], ["checkout", "search"])],
    signal: signal("monitor.down", ["orders-db"], 45),
    now: 45,
    expected: { action: "join", incidentId: "i1", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  {
    name: "the window's edge is inside it",
    open: [incident("i1", ["api"], ["checkout", "search"])],
    signal: signal("monitor.down", ["orders-db"], 60),
    now: 60,
    expected: { action: "join", incidentId: "i1", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  {
    name: "outside the window a cause whose effects are in the incident joins it (confirmed 70 s after them)",
    open: [incident("i1", ["api"], ["checkout", "search"])],
    signal: signal("monitor.down", ["orders-db"], 70),
    now: 70,
    expected: { action: "join", incidentId: "i1", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  {
    name: "outside the window a failure beside the incident, not its cause, opens a new incident",
    open: [incident("i1", ["api-a"], [])],
    signal: signal("monitor.down", ["api-b"], 61),
    now: 61,
    expected: { action: "open", rootIds: ["api-b"], impactedIds: ["web"] },
  },
  {
    name: "the window runs from the incident's last signal, not its start",
    open: [incident("i1", ["api"], ["checkout", "search"], 100)],
    signal: signal("monitor.down", ["orders-db"], 150),
    now: 150,
    expected: { action: "join", incidentId: "i1", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  {
    name: "a failure of a component already in the incident joins it whatever the window",
    open: [incident("i1", ["orders-db"], ["api", "checkout", "search"])],
    signal: signal("monitor.down", ["checkout"], 3600),
    now: 3600,
    expected: { action: "join", incidentId: "i1", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  // Diamond.
  {
    name: "diamond: api-b after api-a in the window joins with two roots",
    open: [incident("i1", ["api-a"], [])],
    signal: signal("monitor.down", ["api-b"], 10),
    now: 10,
    expected: { action: "join", incidentId: "i1", rootIds: ["api-a", "api-b"], impactedIds: ["web"] },
  },
  {
    name: "diamond: then db joins and becomes the one root",
    open: [incident("i1", ["api-a", "api-b"], ["web"], 10)],
    signal: signal("monitor.down", ["db"], 30),
    now: 30,
    expected: { action: "join", incidentId: "i1", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"] },
  },
  // Unrelated failures.
  {
    name: "an unrelated failure within the window opens a second incident",
    open: [incident("i1", ["orders-db"], ["api", "checkout", "search"])],
    signal: signal("monitor.down", ["dns"], 5),
    now: 5,
    expected: { action: "open", rootIds: ["dns"], impactedIds: ["cdn"] },
  },
  {
    name: "a failure goes to the incident of its own part when several are open",
    open: [incident("i1", ["orders-db"], ["api", "checkout", "search"]), incident("i2", ["dns"], ["cdn"], 3)],
    signal: signal("monitor.down", ["api-a"], 5),
    now: 5,
    expected: { action: "open", rootIds: ["api-a"], impactedIds: [] },
  },
  {
    name: "of two incidents in the same part, the newest in the window takes the signal",
    open: [incident("old", ["api-a"], [], 0), incident("new", ["web"], [], 100)],
    signal: signal("monitor.down", ["db"], 130),
    now: 130,
    // The older one holds effects of db too: merged, however long ago its last signal.
    expected: { action: "join", incidentId: "new", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"], mergeIds: ["old"] },
  },
  // Merging.
  {
    name: "a late cause upstream of two incidents in the window merges the other into the one it joins",
    open: [incident("a", ["api-a"], [], 20), incident("b", ["api-b"], ["web"], 30)],
    signal: signal("monitor.down", ["db"], 40),
    now: 40,
    expected: { action: "join", incidentId: "b", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"], mergeIds: ["a"] },
  },
  {
    name: "an incident outside the window holding the new root's effects is merged too",
    open: [incident("a", ["api-a"], [], 0), incident("b", ["api-b"], ["web"], 100)],
    signal: signal("monitor.down", ["db"], 130),
    now: 130,
    expected: { action: "join", incidentId: "b", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"], mergeIds: ["a"] },
  },
  {
    name: "outside the window, the new root joins the newest incident holding its effects and merges the other",
    open: [incident("a", ["api-a"], [], 0), incident("b", ["api-b"], ["web"], 10)],
    signal: signal("monitor.down", ["db"], 300),
    now: 300,
    expected: { action: "join", incidentId: "b", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"], mergeIds: ["a"] },
  },
  {
    name: "an incident in the window that the new root does not explain stays apart",
    open: [incident("a", ["dns"], ["cdn"], 20), incident("b", ["api"], ["checkout", "search"], 30)],
    signal: signal("monitor.down", ["orders-db"], 40),
    now: 40,
    expected: { action: "join", incidentId: "b", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  {
    name: "an evidence signal never merges",
    open: [incident("a", ["api-a"], [], 20), incident("b", ["db"], ["api-a", "api-b", "web"], 30)],
    signal: signal("monitor.restart", ["db"], 40),
    now: 40,
    expected: { action: "join", incidentId: "b", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"] },
  },
  // Recovery.
  {
    name: "recovery of part of the impact is a recover for those components",
    open: [incident("i1", ["orders-db"], ["api", "checkout", "search"])],
    signal: signal("monitor.up", ["checkout"], 300),
    now: 300,
    expected: { action: "recover", incidentId: "i1", componentIds: ["checkout"] },
  },
  {
    name: "recovery names only the components that are in the incident",
    open: [incident("i1", ["orders-db"], ["api", "checkout", "search"])],
    signal: signal("monitor.up", ["search", "cdn"], 300),
    now: 300,
    expected: { action: "recover", incidentId: "i1", componentIds: ["search"] },
  },
  {
    name: "recovery of a root is a recover too",
    open: [incident("i1", ["orders-db"], ["api"]), incident("i2", ["dns"], ["cdn"])],
    signal: signal("monitor.up", ["dns"], 300),
    now: 300,
    expected: { action: "recover", incidentId: "i2", componentIds: ["dns"] },
  },
  {
    name: "recovery of a component in no incident is ignored",
    open: [incident("i1", ["orders-db"], ["api"])],
    signal: signal("monitor.up", ["dns"], 10),
    now: 10,
    expected: { action: "ignore", reason: "recovery of components in no open incident" },
  },
  // Evidence.
  {
    name: "evidence for a component in an open incident joins it unchanged",
    open: [incident("i1", ["orders-db"], ["api", "checkout", "search"])],
    signal: signal("monitor.restart", ["orders-db"], 3600),
    now: 3600,
    expected: { action: "join", incidentId: "i1", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  {
    name: "a crash loop of an impacted component joins as evidence",
    open: [incident("i1", ["orders-db"], ["api", "checkout", "search"])],
    signal: signal("monitor.crash_loop", ["api"], 10),
    now: 10,
    expected: { action: "join", incidentId: "i1", rootIds: ["orders-db"], impactedIds: ["api", "checkout", "search"] },
  },
  {
    name: "evidence alone does not open an incident",
    open: [],
    signal: signal("monitor.restart", ["orders-db"]),
    now: 0,
    expected: { action: "ignore", reason: "monitor.restart for components in no open incident" },
  },
  {
    name: "evidence in the same part but not in the incident is ignored",
    open: [incident("i1", ["api"], ["checkout", "search"])],
    signal: signal("monitor.connection_saturation", ["orders-db"], 5),
    now: 5,
    expected: { action: "ignore", reason: "monitor.connection_saturation for components in no open incident" },
  },
  // Signals about nothing the graph knows.
  {
    name: "a signal attached to no component is ignored",
    open: [],
    signal: signal("monitor.down", []),
    now: 0,
    expected: { action: "ignore", reason: "the signal is attached to no known component" },
  },
  {
    name: "unknown components are left out",
    open: [],
    signal: signal("monitor.down", ["ghost", "cdn"]),
    now: 0,
    expected: { action: "open", rootIds: ["cdn"], impactedIds: [] },
  },
];

describe("correlate", () => {
  it.each(cases)("$name", ({ open, signal: s, now, expected }) => {
    expect(correlate(open, s, graph, {}, at(now))).toEqual(expected);
  });

  it.each<[number, number, Decision["action"]]>([
    [10_000, 10, "join"],
    [10_000, 11, "open"],
    [0, 0, "join"],
  ])("with a window of %i ms, a failure beside the incident %i s later makes %s", (windowMs, seconds, action) => {
    const open = [incident("i1", ["api-a"], [])];
    expect(correlate(open, signal("monitor.down", ["api-b"], seconds), graph, { windowMs }, at(seconds)).action).toBe(action);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses a window of %s", (windowMs) => {
    expect(() => correlate([], signal("monitor.down", ["api"]), graph, { windowMs }, at(0))).toThrow(RangeError);
  });
});
