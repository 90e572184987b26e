import { describe, expect, it } from "vitest";
import { correlateBatch, groupSignals, signalsPerComponent, type BatchDecision, type BatchEntry, type DetectionInput } from "./correlate-batch.ts";
import type { OpenIncident, Signal, SignalKind } from "./correlate.ts";
import { buildGraph } from "./graph.ts";

const hard = (id: string) => ({ id, soft: false });

// db → api-a, db → api-b → web; dns → cdn stands apart; mail alone.
const graph = buildGraph([
  { id: "db", dependsOn: [] },
  { id: "api-a", dependsOn: [hard("db")] },
  { id: "api-b", dependsOn: [hard("db")] },
  { id: "web", dependsOn: [hard("api-b")] },
  { id: "dns", dependsOn: [] },
  { id: "cdn", dependsOn: [hard("dns")] },
  { id: "mail", dependsOn: [] },
]);

const t0 = Date.parse("2026-01-01T00:00:00Z");
const at = (seconds: number): Date => new Date(t0 + seconds * 1000);
const signal = (kind: SignalKind, componentIds: string[], seconds = 0): Signal => ({ kind, componentIds, at: at(seconds), data: {} });
const down = (id: string, seconds = 0) => signal("monitor.down", [id], seconds);
const up = (id: string, seconds = 0) => signal("monitor.up", [id], seconds);
const incident = (id: string, rootIds: string[], impactedIds: string[], lastSignalSeconds = 0): OpenIncident => ({ id, rootIds, impactedIds, startedAt: at(0), lastSignalAt: at(lastSignalSeconds) });

interface Case {
  name: string;
  open: OpenIncident[];
  signals: Signal[];
  /** Seconds after t0 at which the batch is correlated. */
  now: number;
  expected: BatchDecision[];
}

const cases: Case[] = [
  {
    name: "an empty batch decides nothing",
    open: [],
    signals: [],
    now: 0,
    expected: [],
  },
  {
    name: "the root first: it opens, its dependents join",
    open: [],
    signals: [down("db"), down("api-a"), down("web")],
    now: 1,
    expected: [
      { action: "open", key: "new:0", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"] },
      { action: "join", incidentId: "new:0", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"] },
      { action: "join", incidentId: "new:0", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"] },
    ],
  },
  {
    name: "the dependents first: the first opens, the root joins and becomes the root of the one incident",
    open: [],
    signals: [down("web"), down("api-a"), down("db")],
    now: 1,
    expected: [
      { action: "open", key: "new:0", rootIds: ["web"], impactedIds: [] },
      { action: "join", incidentId: "new:0", rootIds: ["api-a", "web"], impactedIds: [] },
      { action: "join", incidentId: "new:0", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"] },
    ],
  },
  {
    name: "unrelated parts of the graph open an incident each, and each part's failures join its own",
    open: [],
    signals: [down("api-a"), down("cdn"), down("mail"), down("db"), down("dns")],
    now: 1,
    expected: [
      { action: "open", key: "new:0", rootIds: ["api-a"], impactedIds: [] },
      { action: "open", key: "new:1", rootIds: ["cdn"], impactedIds: [] },
      { action: "open", key: "new:2", rootIds: ["mail"], impactedIds: [] },
      { action: "join", incidentId: "new:0", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"] },
      { action: "join", incidentId: "new:1", rootIds: ["dns"], impactedIds: ["cdn"] },
    ],
  },
  {
    name: "a failure of a component in an incident already open joins it; a new part opens beside it",
    open: [incident("inc_db", ["db"], ["api-a", "api-b", "web"], 0)],
    signals: [down("web"), down("mail")],
    now: 30,
    expected: [
      { action: "join", incidentId: "inc_db", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"] },
      { action: "open", key: "new:0", rootIds: ["mail"], impactedIds: [] },
    ],
  },
  {
    name: "a failure and its recovery in one batch: it opens, then recovers the incident it opened",
    open: [],
    signals: [down("mail"), up("mail")],
    now: 1,
    expected: [
      { action: "open", key: "new:0", rootIds: ["mail"], impactedIds: [] },
      { action: "recover", incidentId: "new:0", componentIds: ["mail"] },
    ],
  },
  {
    name: "evidence before the failure joins nothing; after it, it joins the incident the batch opened",
    open: [],
    signals: [signal("monitor.restart", ["mail"]), down("mail"), signal("monitor.restart", ["mail"])],
    now: 1,
    expected: [
      { action: "ignore", reason: "monitor.restart for components in no open incident" },
      { action: "open", key: "new:0", rootIds: ["mail"], impactedIds: [] },
      { action: "join", incidentId: "new:0", rootIds: ["mail"], impactedIds: [] },
    ],
  },
  {
    name: "a late cause upstream of two open incidents, one outside the window, merges both into the one it joins",
    open: [incident("inc_a", ["api-a"], [], 0), incident("inc_b", ["api-b"], ["web"], 90)],
    signals: [down("db", 100)],
    now: 100,
    expected: [{ action: "join", incidentId: "inc_b", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"], mergeIds: ["inc_a"] }],
  },
  {
    name: "an incident merged earlier in the batch is closed to the signals after it",
    open: [incident("inc_a", ["api-a"], [], 0), incident("inc_b", ["api-b"], ["web"], 90)],
    signals: [down("db", 100), signal("monitor.restart", ["api-a"], 100)],
    now: 100,
    expected: [
      { action: "join", incidentId: "inc_b", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"], mergeIds: ["inc_a"] },
      { action: "join", incidentId: "inc_b", rootIds: ["db"], impactedIds: ["api-a", "api-b", "web"] },
    ],
  },
  {
    name: "an incident whose last signal was long ago is in the window again once the batch joins it",
    open: [incident("inc_mail", ["mail"], [], 0)],
    signals: [signal("monitor.restart", ["mail"], 300), down("api-a", 300)],
    now: 300,
    expected: [
      { action: "join", incidentId: "inc_mail", rootIds: ["mail"], impactedIds: [] },
      { action: "open", key: "new:0", rootIds: ["api-a"], impactedIds: [] },
    ],
  },
];

describe("correlateBatch", () => {
  it.each(cases)("$name", ({ open, signals, now, expected }) => {
    expect(correlateBatch(open, signals, graph, { windowMs: 60_000 }, at(now))).toEqual(expected);
  });

  it("makes one incident per root of a mass failure, whatever the order of the events", () => {
    const roots = Array.from({ length: 10 }, (_, r) => `root-${r}`);
    const components = roots.flatMap((root) => [{ id: root, dependsOn: [] }, ...Array.from({ length: 49 }, (_, i) => ({ id: `${root}-svc-${i}`, dependsOn: [hard(root)] }))]);
    const big = buildGraph(components);
    // Interleaved across roots, each root's own failure in the middle of its dependents'.
    const order = components.map((c, i) => ({ c, k: (i * 7919) % components.length })).sort((a, b) => a.k - b.k).map(({ c }) => c.id);
    const decisions = correlateBatch([], order.map((id) => down(id)), big, { windowMs: 60_000 }, at(1));
    const finalRoots = new Map<string, string[]>();
    for (const d of decisions) {
      if (d.action === "open") finalRoots.set(d.key, d.rootIds);
      if (d.action === "join") finalRoots.set(d.incidentId, d.rootIds);
    }
    expect(decisions.filter((d) => d.action === "open")).toHaveLength(10);
    expect([...finalRoots.values()].map((r) => r.join()).sort()).toEqual([...roots].sort());
  });

  it("leaves the open incidents it is given as they were", () => {
    const open = [incident("inc_db", ["api-a"], [], 0)];
    correlateBatch(open, [down("db", 10)], graph, { windowMs: 60_000 }, at(10));
    expect(open).toEqual([incident("inc_db", ["api-a"], [], 0)]);
  });
});

describe("groupSignals", () => {
  const componentsOf = new Map([
    ["db", ["db"]],
    ["edge", ["dns", "cdn"]],
  ]);
  const event = (monitorId: string | null, kind: DetectionInput["kind"], data: Record<string, unknown> = {}): DetectionInput => ({ monitorId, kind, at: at(0), data });

  const cases: { name: string; events: DetectionInput[]; maintenance: string[]; expected: BatchEntry["kind"][] }[] = [
    { name: "a monitor's failure is a signal", events: [event("db", "monitor.down")], maintenance: [], expected: ["signal"] },
    { name: "no monitor, or a monitor on no component: nothing", events: [event(null, "monitor.down"), event("orphan", "monitor.down")], maintenance: [], expected: ["none", "none"] },
    { name: "a failure with every component under maintenance is suppressed", events: [event("edge", "monitor.down"), event("edge", "monitor.degraded")], maintenance: ["dns", "cdn"], expected: ["suppressed", "suppressed"] },
    { name: "a failure with one component out of maintenance is a signal", events: [event("edge", "monitor.down")], maintenance: ["dns"], expected: ["signal"] },
    { name: "a recovery or evidence under maintenance is still a signal", events: [event("db", "monitor.up"), event("db", "monitor.restart")], maintenance: ["db"], expected: ["signal", "signal"] },
  ];
  it.each(cases)("$name", ({ events, maintenance, expected }) => {
    expect(groupSignals(events, componentsOf, new Set(maintenance)).map((e) => e.kind)).toEqual(expected);
  });

  it("names the monitor in the signal's data, after the event's own data", () => {
    const [entry] = groupSignals([event("edge", "monitor.down", { region: "eu", since: "2026-01-01T00:00:00Z" })], componentsOf, new Set());
    expect(entry).toEqual({ kind: "signal", monitorId: "edge", signal: { kind: "monitor.down", componentIds: ["dns", "cdn"], at: at(0), data: { monitor: "edge", region: "eu", since: "2026-01-01T00:00:00Z" } } });
  });
});

describe("signalsPerComponent", () => {
  const entry = (s: Signal): BatchEntry => ({ kind: "signal", monitorId: "m", signal: s });
  it("keeps each component's first failure and last recovery, suppressed failures included, evidence left out", () => {
    const per = signalsPerComponent([
      entry(signal("monitor.restart", ["db"], 1)),
      entry(down("db", 2)),
      entry(signal("monitor.degraded", ["db"], 3)),
      entry(up("db", 4)),
      entry(up("db", 5)),
      { kind: "suppressed", monitorId: "m", signal: down("mail", 6) },
      { kind: "none" },
    ]);
    expect(per.get("db")).toEqual({ firstFailure: down("db", 2), lastRecovery: up("db", 5) });
    expect(per.get("mail")).toEqual({ firstFailure: down("mail", 6) });
    expect([...per.keys()].sort()).toEqual(["db", "mail"]);
  });
});
