import { describe, expect, it } from "vitest";
import { buildGraph } from "../incidents/graph.ts";
import { attribute, earlyWarning, isDegraded, nextUpstreamState, type Attribution, type OurIncident, type UpstreamState } from "./attribution.ts";
import { readUpstream, type UpstreamReading } from "./match.ts";
import type { UpstreamIncident, UpstreamStatus } from "./types.ts";

const hard = (id: string) => ({ id, soft: false });
const soft = (id: string) => ({ id, soft: true });

// Upstreams are nodes too: aws-rds ← orders-db ← api ← checkout; aws-rds ← reports directly;
// cloudflare ← cdn; stripe ← payments (soft); db stands apart.
const graph = buildGraph([
  { id: "aws-rds", dependsOn: [] },
  { id: "cloudflare", dependsOn: [] },
  { id: "stripe", dependsOn: [] },
  { id: "orders-db", dependsOn: [hard("aws-rds")] },
  { id: "api", dependsOn: [hard("orders-db")] },
  { id: "checkout", dependsOn: [hard("api")] },
  { id: "reports", dependsOn: [hard("aws-rds"), hard("api")] },
  { id: "cdn", dependsOn: [hard("cloudflare")] },
  { id: "payments", dependsOn: [soft("stripe")] },
  { id: "db", dependsOn: [] },
]);

const t0 = Date.parse("2026-01-01T13:20:00Z");
const min = 60_000;
const at = (minutes: number): Date => new Date(t0 + minutes * min);
const window = 5 * min;
const now = at(120);

const ours = (over: Partial<OurIncident> = {}): OurIncident => ({
  id: "inc-1",
  startedAt: at(0),
  resolvedAt: null,
  rootIds: ["orders-db"],
  impactedIds: ["api", "checkout", "reports"],
  attributedTo: [],
  ...over,
});

const rds = (over: Partial<UpstreamState> = {}): UpstreamState => ({
  upstreamId: "aws-rds",
  name: "Amazon RDS (Oregon)",
  status: "partial_outage",
  degradedSince: at(-2),
  incident: { title: "Increased error rates", url: "https://health.aws.amazon.com/health/status", startedAt: at(-2) },
  ...over,
});

// Degraded since `minutes` after our start, with a provider incident that started then.
const rdsSince = (minutes: number | Date): UpstreamState => {
  const since = typeof minutes === "number" ? at(minutes) : minutes;
  return rds({ degradedSince: since, incident: { title: "Increased error rates", url: null, startedAt: since } });
};

interface Case {
  name: string;
  incidents: OurIncident[];
  upstreams: UpstreamState[];
  /** incidentId → upstreamId via, in order; empty when nothing is attributed. */
  expected: string[];
}

const cases: Case[] = [
  // Before our start.
  { name: "before, inside the window, ours open", incidents: [ours()], upstreams: [rdsSince(-2)], expected: ["inc-1 → aws-rds via orders-db"] },
  { name: "before, at the window's edge", incidents: [ours()], upstreams: [rdsSince(-5)], expected: ["inc-1 → aws-rds via orders-db"] },
  {
    name: "before, just outside the window but still degraded at our start: attributed",
    incidents: [ours({ resolvedAt: at(10) })],
    upstreams: [rds({ degradedSince: new Date(t0 - window - 1) })],
    expected: ["inc-1 → aws-rds via orders-db"],
  },
  {
    name: "before, days before and still degraded, ours resolved: attributed",
    incidents: [ours({ resolvedAt: at(10) })],
    upstreams: [rdsSince(-3 * 24 * 60)],
    expected: ["inc-1 → aws-rds via orders-db"],
  },
  {
    name: "before, inside the window, but operational now: not attributed",
    incidents: [ours()],
    upstreams: [rds({ status: "operational", degradedSince: null, incident: null })],
    expected: [],
  },
  // During.
  { name: "during, ours open (long after our start)", incidents: [ours()], upstreams: [rdsSince(90)], expected: ["inc-1 → aws-rds via orders-db"] },
  {
    name: "during, ours resolved since (began just before our resolution)",
    incidents: [ours({ resolvedAt: at(60) })],
    upstreams: [rds({ degradedSince: new Date(t0 + 60 * min - 1) })],
    expected: ["inc-1 → aws-rds via orders-db"],
  },
  // After.
  {
    name: "after ours resolved, within the window of our start (at its edge)",
    incidents: [ours({ resolvedAt: at(1) })],
    upstreams: [rdsSince(5)],
    expected: ["inc-1 → aws-rds via orders-db"],
  },
  {
    name: "after ours resolved, just outside the window of our start",
    incidents: [ours({ resolvedAt: at(1) })],
    upstreams: [rds({ degradedSince: new Date(t0 + window + 1) })],
    expected: [],
  },
  {
    name: "after ours resolved, beginning at the very time ours resolved, outside the window",
    incidents: [ours({ resolvedAt: at(60) })],
    upstreams: [rdsSince(60)],
    expected: [],
  },
  {
    name: "after ours resolved, long after",
    incidents: [ours({ resolvedAt: at(10) })],
    upstreams: [rdsSince(100)],
    expected: [],
  },
  // Which upstreams.
  {
    name: "two upstreams degraded, only the one our components depend on is attributed",
    incidents: [ours()],
    upstreams: [
      rds(),
      { upstreamId: "cloudflare", name: "Cloudflare", status: "major_outage", degradedSince: at(-1), incident: null },
    ],
    expected: ["inc-1 → aws-rds via orders-db"],
  },
  {
    name: "an upstream under maintenance is not attributed",
    incidents: [ours()],
    upstreams: [rds({ status: "under_maintenance", degradedSince: null, incident: null })],
    expected: [],
  },
  {
    name: "an upstream operational now is not attributed, whatever its degradedSince says",
    incidents: [ours()],
    upstreams: [rds({ status: "operational" })],
    expected: [],
  },
  {
    name: "never twice: an upstream already in attributedTo is skipped",
    incidents: [ours({ attributedTo: ["aws-rds"] })],
    upstreams: [rds()],
    expected: [],
  },
  {
    name: "an upstream listed twice is attributed once",
    incidents: [ours()],
    upstreams: [rds(), rds()],
    expected: ["inc-1 → aws-rds via orders-db"],
  },
  {
    name: "an upstream missing from the graph is not attributed",
    incidents: [ours()],
    upstreams: [rds({ upstreamId: "gcp-sql" })],
    expected: [],
  },
  {
    name: "an incident of components unrelated to the upstream",
    incidents: [ours({ rootIds: ["db"], impactedIds: [] })],
    upstreams: [rds()],
    expected: [],
  },
  // Dependencies.
  {
    name: "transitive: api → orders-db → aws-rds, our root is api",
    incidents: [ours({ rootIds: ["api"], impactedIds: ["checkout"] })],
    upstreams: [rds()],
    expected: ["inc-1 → aws-rds via api"],
  },
  {
    name: "the nearest root is the via (reports depends on aws-rds directly, checkout through two)",
    incidents: [ours({ rootIds: ["checkout", "reports"], impactedIds: [] })],
    upstreams: [rds()],
    expected: ["inc-1 → aws-rds via reports"],
  },
  {
    name: "a root is preferred to a nearer impacted component",
    incidents: [ours({ rootIds: ["checkout"], impactedIds: ["orders-db"] })],
    upstreams: [rds()],
    expected: ["inc-1 → aws-rds via checkout"],
  },
  {
    name: "with no root depending on it, an impacted component that does is the via",
    incidents: [ours({ rootIds: ["db"], impactedIds: ["cdn"] })],
    upstreams: [{ upstreamId: "cloudflare", name: "Cloudflare", status: "major_outage", degradedSince: at(-1), incident: null }],
    expected: ["inc-1 → cloudflare via cdn"],
  },
  {
    name: "a soft dependency counts",
    incidents: [ours({ rootIds: ["payments"], impactedIds: [] })],
    upstreams: [{ upstreamId: "stripe", name: "Stripe", status: "degraded_performance", degradedSince: at(0), incident: null }],
    expected: ["inc-1 → stripe via payments"],
  },
  {
    name: "the upstream itself in our incident (an upstream.degraded signal) is attributed via its dependent",
    incidents: [ours({ rootIds: ["aws-rds"], impactedIds: ["api", "orders-db"] })],
    upstreams: [rds()],
    expected: ["inc-1 → aws-rds via orders-db"],
  },
  {
    name: "the upstream alone in our incident is no via of its own",
    incidents: [ours({ rootIds: ["aws-rds"], impactedIds: [] })],
    upstreams: [rds()],
    expected: [],
  },
  // Several.
  {
    name: "several incidents in the order given, each upstream by the start of its degradation",
    incidents: [
      ours({ id: "inc-a", rootIds: ["checkout", "cdn"], impactedIds: [] }),
      ours({ id: "inc-b", rootIds: ["cdn"], impactedIds: [], attributedTo: ["cloudflare"] }),
      ours({ id: "inc-c", rootIds: ["reports"], impactedIds: [] }),
    ],
    upstreams: [rdsSince(3), { upstreamId: "cloudflare", name: "Cloudflare", status: "major_outage", degradedSince: at(-1), incident: null }],
    expected: ["inc-a → cloudflare via cdn", "inc-a → aws-rds via checkout", "inc-c → aws-rds via reports"],
  },
];

describe("attribute", () => {
  it.each(cases)("$name", ({ incidents, upstreams, expected }) => {
    const found = attribute(incidents, upstreams, graph, window, now).map((a) => `${a.incidentId} → ${a.upstreamId} via ${a.via}`);
    expect(found).toEqual(expected);
  });

  it("says what the provider reports, with the time in UTC", () => {
    expect(attribute([ours()], [rds()], graph, window, now)).toEqual<Attribution[]>([
      {
        incidentId: "inc-1",
        upstreamId: "aws-rds",
        upstreamName: "Amazon RDS (Oregon)",
        via: "orders-db",
        title: "Increased error rates",
        url: "https://health.aws.amazon.com/health/status",
        since: at(-2),
        summary: "likely upstream: Amazon RDS (Oregon) — provider reports an incident since 13:18 UTC: Increased error rates",
      },
    ]);
  });

  it.each<[string, UpstreamState, Date, string]>([
    [
      "a status without a provider incident",
      rds({ status: "major_outage", degradedSince: at(-7), incident: null }),
      at(-7),
      "likely upstream: Amazon RDS (Oregon) — provider reports major_outage since 13:13 UTC",
    ],
    [
      "a degradation from another day gets its date",
      rdsSince(-3 * 24 * 60),
      at(-3 * 24 * 60),
      "likely upstream: Amazon RDS (Oregon) — provider reports an incident since 2025-12-29 13:20 UTC: Increased error rates",
    ],
    [
      "no degradedSince: the provider incident's start",
      rds({ degradedSince: null, incident: { title: "Errors", url: null, startedAt: at(-4) } }),
      at(-4),
      "likely upstream: Amazon RDS (Oregon) — provider reports an incident since 13:16 UTC: Errors",
    ],
    [
      "no degradedSince and no incident: now",
      rds({ degradedSince: null, incident: null }),
      now,
      "likely upstream: Amazon RDS (Oregon) — provider reports partial_outage since 15:20 UTC",
    ],
  ])("summary: %s", (_name, upstream, since, summary) => {
    const [found] = attribute([ours()], [upstream], graph, window, now);
    expect(found?.since).toEqual(since);
    expect(found?.summary).toBe(summary);
    expect(found?.title).toBe(upstream.incident?.title ?? null);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses windowMs %s", (windowMs) => {
    expect(() => attribute([], [], graph, windowMs, now)).toThrow(RangeError);
  });
});

const reading = (status: UpstreamStatus, incidents: UpstreamIncident[] = []): UpstreamReading => ({
  status,
  incidents,
  matchedComponents: [],
  reason: "",
});

const providerIncident = (id: string, startedAt: Date): UpstreamIncident => ({
  id,
  title: `Incident ${id}`,
  status: "investigating",
  impact: "major",
  url: `https://status.example.com/incidents/${id}`,
  startedAt,
  updatedAt: startedAt,
  resolvedAt: null,
  text: "",
  components: [],
});

const upstream = { id: "aws-rds", name: "Amazon RDS (Oregon)" };

describe("nextUpstreamState", () => {
  it.each<[string, UpstreamState | null, UpstreamReading, Date, Date | null]>([
    ["operational", null, reading("operational"), at(0), null],
    ["under maintenance is not degraded", rds(), reading("under_maintenance"), at(0), null],
    ["turning degraded without an incident: now", null, reading("degraded_performance"), at(0), at(0)],
    ["turning degraded with an incident posted earlier: its start", rds({ status: "operational", degradedSince: null }), reading("partial_outage", [providerIncident("a", at(-3))]), at(0), at(-3)],
    ["an incident dated after now (clock skew): now", null, reading("partial_outage", [providerIncident("a", at(2))]), at(0), at(0)],
    ["staying degraded keeps the start", rds({ degradedSince: at(-30) }), reading("major_outage", [providerIncident("b", at(-1))]), at(0), at(-30)],
    ["from maintenance to degraded: a new start", rds({ status: "under_maintenance", degradedSince: null }), reading("partial_outage"), at(0), at(0)],
  ])("%s", (_name, previous, next, when, degradedSince) => {
    expect(nextUpstreamState(previous, upstream, next, when).degradedSince).toEqual(degradedSince);
  });

  it("keeps the reading's status and worst incident", () => {
    const worst = providerIncident("worst", at(-3));
    expect(nextUpstreamState(null, upstream, reading("partial_outage", [worst, providerIncident("other", at(-9))]), at(0))).toEqual<UpstreamState>({
      upstreamId: "aws-rds",
      name: "Amazon RDS (Oregon)",
      status: "partial_outage",
      degradedSince: at(-9),
      incident: { title: "Incident worst", url: "https://status.example.com/incidents/worst", startedAt: at(-3) },
    });
  });

  // degraded (incident a, 60 min before ours) → operational (30 min before) → degraded (incident b, 20 min after ours started).
  const flapping = (): UpstreamState => {
    let state = nextUpstreamState(null, upstream, reading("partial_outage", [providerIncident("a", at(-60))]), at(-59));
    state = nextUpstreamState(state, upstream, reading("operational"), at(-30));
    state = nextUpstreamState(state, upstream, reading("partial_outage", [providerIncident("b", at(20))]), at(21));
    return state;
  };

  it("flapping: degradedSince is the latest start", () => {
    expect(flapping()).toMatchObject({ status: "partial_outage", degradedSince: at(20), incident: { title: "Incident b", startedAt: at(20) } });
  });

  it.each<[string, OurIncident, string[]]>([
    ["ours resolved before the second spell, outside the window: not attributed", ours({ resolvedAt: at(10) }), []],
    ["ours still open: attributed", ours(), ["Incident b"]],
    ["ours resolved after the second spell began: attributed", ours({ resolvedAt: at(25) }), ["Incident b"]],
  ])("flapping: %s", (_name, incident, titles) => {
    expect(attribute([incident], [flapping()], graph, window, at(21)).map((a) => a.title)).toEqual(titles);
  });

  it("without the flap, the earlier start stands and a resolved incident of ours is attributed", () => {
    let state = nextUpstreamState(null, upstream, reading("partial_outage", [providerIncident("a", at(-60))]), at(-59));
    state = nextUpstreamState(state, upstream, reading("partial_outage", [providerIncident("a", at(-60))]), at(21));
    expect(state.degradedSince).toEqual(at(-60));
    expect(attribute([ours({ resolvedAt: at(10) })], [state], graph, window, at(21)).map((a) => a.since)).toEqual([at(-60)]);
  });

  it("from a feed reading: the RSS case end to end", () => {
    const snapshot = {
      components: [{ id: "rds-us-west-2", name: "Amazon RDS (Oregon)", group: null, status: "degraded_performance" as const }],
      incidents: [
        {
          ...providerIncident("item-1", at(-2)),
          title: "Increased error rates",
          impact: "minor",
          url: null,
          text: "We are investigating increased error rates for RDS instances in the US-WEST-2 Region.",
        },
      ],
      maintenances: [],
    };
    const state = nextUpstreamState(null, upstream, readUpstream(snapshot, { component: ["Amazon RDS"], region: ["us-west-2"], text: ["RDS"] }), at(-1));
    expect(attribute([ours()], [state], graph, window, at(1)).map((a) => a.summary)).toEqual([
      "likely upstream: Amazon RDS (Oregon) — provider reports an incident since 13:18 UTC: Increased error rates",
    ]);
  });
});

describe("earlyWarning", () => {
  const state = (status: UpstreamStatus, id = "aws-rds"): UpstreamState => ({
    upstreamId: id,
    name: id,
    status,
    degradedSince: isDegraded(status) ? at(0) : null,
    incident: null,
  });

  it.each<[string, UpstreamState[], UpstreamState[], string[]]>([
    ["operational → degraded", [state("degraded_performance")], [state("operational")], ["aws-rds"]],
    ["operational → major outage", [state("major_outage")], [state("operational")], ["aws-rds"]],
    ["maintenance → partial outage", [state("partial_outage")], [state("under_maintenance")], ["aws-rds"]],
    ["no previous state (a new upstream)", [state("partial_outage")], [], ["aws-rds"]],
    ["degraded → worse is no turn", [state("major_outage")], [state("degraded_performance")], []],
    ["degraded → operational", [state("operational")], [state("degraded_performance")], []],
    ["operational → maintenance", [state("under_maintenance")], [state("operational")], []],
    ["operational stays", [state("operational")], [state("operational")], []],
    [
      "only those that turned, in the order given",
      [state("partial_outage", "b"), state("partial_outage", "a"), state("major_outage", "c"), state("operational", "d")],
      [state("operational", "a"), state("partial_outage", "c"), state("major_outage", "d")],
      ["b", "a"],
    ],
  ])("%s", (_name, upstreams, previous, expected) => {
    expect(earlyWarning(upstreams, previous).map((u) => u.upstreamId)).toEqual(expected);
  });
});
