import { describe, expect, it } from "vitest";
import { readUpstream, statusOfImpact, toUpstreamMatch, utcTime, type UpstreamMatch, type UpstreamMatchConfig } from "./match.ts";
import type { FeedSnapshot, UpstreamComponent, UpstreamIncident, UpstreamMaintenance, UpstreamStatus } from "./types.ts";

const t0 = Date.parse("2026-01-01T13:20:00Z");
const at = (minutes: number): Date => new Date(t0 + minutes * 60_000);

const component = (name: string, status: UpstreamStatus = "operational", group: string | null = null): UpstreamComponent => ({
  id: `${group ?? ""}/${name}`,
  name,
  group,
  status,
});

const incident = (id: string, over: Partial<UpstreamIncident> = {}): UpstreamIncident => ({
  id,
  title: id,
  status: "investigating",
  impact: "minor",
  url: null,
  startedAt: at(0),
  updatedAt: at(0),
  resolvedAt: null,
  text: "",
  components: [],
  ...over,
});

const maintenance = (id: string, status: string, components: string[]): UpstreamMaintenance => ({
  id,
  title: `Maintenance ${id}`,
  status,
  url: null,
  scheduledFor: at(-10),
  scheduledUntil: at(60),
  components,
});

const feed = (components: UpstreamComponent[], incidents: UpstreamIncident[] = [], maintenances: UpstreamMaintenance[] = []): FeedSnapshot => ({
  components,
  incidents,
  maintenances,
});

const rds: UpstreamMatch = { component: ["Amazon RDS"], region: ["us-west-2"] };

// What AWS's per-service RSS feed (rds-us-west-2) gives: one component named after the feed, items as incidents.
const awsRss = (status: UpstreamStatus, items: UpstreamIncident[] = []): FeedSnapshot => feed([component("Amazon RDS (Oregon)", status)], items);
const awsItem = incident("rds-item-1", {
  title: "Increased error rates",
  text: "We are investigating increased error rates for RDS instances in the US-WEST-2 Region.",
  impact: "minor",
});

// A Statuspage-like feed with a group per service and a component per region, the same region names under both.
const grouped = feed([
  component("us-west-2", "partial_outage", "Amazon RDS"),
  component("us-east-1", "major_outage", "Amazon RDS"),
  component("us-west-2", "major_outage", "Amazon EC2"),
]);

interface Case {
  name: string;
  snapshot: FeedSnapshot;
  match: UpstreamMatch;
  status: UpstreamStatus;
  matched: string[];
  incidents?: string[];
  reason: string;
}

const cases: Case[] = [
  // Components: the "Amazon RDS (Oregon)" RSS case.
  {
    name: "RSS: the feed's component Amazon RDS (Oregon) matches component Amazon RDS, region us-west-2",
    snapshot: awsRss("partial_outage"),
    match: rds,
    status: "partial_outage",
    matched: ["Amazon RDS (Oregon)"],
    reason: "Amazon RDS (Oregon) is partial_outage",
  },
  {
    name: "RSS: an item that says RDS and US-WEST-2 is the provider's incident",
    snapshot: awsRss("degraded_performance", [awsItem]),
    match: { ...rds, text: ["RDS"] },
    status: "degraded_performance",
    matched: ["Amazon RDS (Oregon)"],
    incidents: ["rds-item-1"],
    reason: "provider reports an incident: Increased error rates (since 13:20 UTC)",
  },
  {
    name: "RSS: all is well",
    snapshot: awsRss("operational"),
    match: rds,
    status: "operational",
    matched: ["Amazon RDS (Oregon)"],
    reason: "Amazon RDS (Oregon) is operational",
  },
  {
    name: "another region's component does not match",
    snapshot: feed([component("Amazon RDS (N. Virginia)", "major_outage")]),
    match: rds,
    status: "operational",
    matched: [],
    reason: "no provider component or open incident matches",
  },
  {
    name: "a region name finds the region code (Oregon → us-west-2), in the group and name together",
    snapshot: grouped,
    match: { component: ["amazon rds"], region: ["Oregon"] },
    status: "partial_outage",
    matched: ["Amazon RDS / us-west-2"],
    reason: "Amazon RDS / us-west-2 is partial_outage",
  },
  {
    name: "a region code finds the region name (us-east-1 → N. Virginia)",
    snapshot: feed([component("Amazon EC2 (N. Virginia)", "degraded_performance"), component("Amazon EC2 (Oregon)", "major_outage")]),
    match: { component: ["EC2"], region: ["us-east-1"] },
    status: "degraded_performance",
    matched: ["Amazon EC2 (N. Virginia)"],
    reason: "Amazon EC2 (N. Virginia) is degraded_performance",
  },
  {
    name: "eu-west-1 ↔ Ireland",
    snapshot: feed([component("Amazon S3 (Ireland)", "partial_outage"), component("Amazon S3 (London)", "major_outage")]),
    match: { component: ["S3"], region: ["eu-west-1"] },
    status: "partial_outage",
    matched: ["Amazon S3 (Ireland)"],
    reason: "Amazon S3 (Ireland) is partial_outage",
  },
  {
    name: "one of several component needles is enough",
    snapshot: feed([component("Postgres", "major_outage"), component("Redis", "degraded_performance"), component("Builds", "major_outage")]),
    match: { component: ["postgres", "redis"] },
    status: "major_outage",
    matched: ["Postgres", "Redis"],
    reason: "Postgres is major_outage",
  },
  {
    name: "a region alone picks the region's components",
    snapshot: grouped,
    match: { region: ["us-west-2"] },
    status: "major_outage",
    matched: ["Amazon RDS / us-west-2", "Amazon EC2 / us-west-2"],
    reason: "Amazon EC2 / us-west-2 is major_outage",
  },
  {
    name: "several components at the worst status",
    snapshot: grouped,
    match: { component: ["Amazon"] },
    status: "major_outage",
    matched: ["Amazon RDS / us-west-2", "Amazon RDS / us-east-1", "Amazon EC2 / us-west-2"],
    reason: "Amazon RDS / us-east-1 and 1 more are major_outage",
  },
  {
    name: "a component needle matching nothing → operational",
    snapshot: grouped,
    match: { component: ["Lambda"] },
    status: "operational",
    matched: [],
    reason: "no provider component or open incident matches",
  },
  {
    name: "case, accents and white space are ignored (Sao Paulo ↔ São Paulo ↔ sa-east-1)",
    snapshot: feed([component("AMAZON  RDS (São Paulo)", "partial_outage")]),
    match: { component: ["amazon rds"], region: ["SA-EAST-1"] },
    status: "partial_outage",
    matched: ["AMAZON  RDS (São Paulo)"],
    reason: "AMAZON  RDS (São Paulo) is partial_outage",
  },
  // Regions are whole words.
  {
    name: "eastus does not find eastus2",
    snapshot: feed([component("Storage eastus2", "major_outage"), component("Storage eastus", "degraded_performance")]),
    match: { component: ["Storage"], region: ["eastus"] },
    status: "degraded_performance",
    matched: ["Storage eastus"],
    reason: "Storage eastus is degraded_performance",
  },
  {
    name: "East US does not find East US 2",
    snapshot: feed([component("Virtual Machines - East US 2", "major_outage"), component("Virtual Machines - East US", "partial_outage")]),
    match: { component: ["Virtual Machines"], region: ["East US"] },
    status: "partial_outage",
    matched: ["Virtual Machines - East US"],
    reason: "Virtual Machines - East US is partial_outage",
  },
  {
    name: "europe-west1 does not find europe-west10",
    snapshot: feed([component("Cloud SQL", "major_outage", "europe-west10"), component("Cloud SQL", "degraded_performance", "europe-west1")]),
    match: { component: ["Cloud SQL"], region: ["europe-west1"] },
    status: "degraded_performance",
    matched: ["europe-west1 / Cloud SQL"],
    reason: "europe-west1 / Cloud SQL is degraded_performance",
  },
  {
    name: "a region needle in no alias group is looked for as given, and a prefix still finds the code",
    snapshot: feed([component("RDS us-west-2", "partial_outage"), component("RDS eu-west-1", "major_outage")]),
    match: { component: ["RDS"], region: ["us-west"] },
    status: "partial_outage",
    matched: ["RDS us-west-2"],
    reason: "RDS us-west-2 is partial_outage",
  },
  // Incidents.
  {
    name: "an incident naming a matched component matches",
    snapshot: feed([component("Database", "operational"), component("API", "operational")], [incident("i1", { title: "Slow queries", impact: "major", components: ["database"] })]),
    match: { component: ["Database"] },
    status: "partial_outage",
    matched: ["Database"],
    incidents: ["i1"],
    reason: "provider reports an incident: Slow queries (since 13:20 UTC)",
  },
  {
    name: "an incident naming only other components does not match",
    snapshot: feed([component("Database"), component("API")], [incident("i1", { title: "API errors", impact: "critical", components: ["API"] })]),
    match: { component: ["Database"] },
    status: "operational",
    matched: ["Database"],
    incidents: [],
    reason: "Database is operational",
  },
  {
    name: "an incident naming a name shared with an unmatched component (EC2's us-west-2) does not count on its own",
    snapshot: feed(
      [component("us-west-2", "operational", "Amazon RDS"), component("us-west-2", "operational", "Amazon EC2")],
      [incident("ec2", { title: "EC2 launch failures", impact: "major", components: ["us-west-2"] })],
    ),
    match: rds,
    status: "operational",
    matched: ["Amazon RDS / us-west-2"],
    incidents: [],
    reason: "Amazon RDS / us-west-2 is operational",
  },
  {
    name: "an incident whose title and text hold the component and region needles matches",
    snapshot: feed([], [incident("i1", { title: "Amazon RDS connectivity", text: "Some instances in us-west-2 are unreachable.", impact: "major" })]),
    match: rds,
    status: "partial_outage",
    matched: [],
    incidents: ["i1"],
    reason: "provider reports an incident: Amazon RDS connectivity (since 13:20 UTC)",
  },
  {
    name: "an incident about the component in another region does not",
    snapshot: feed([], [incident("i1", { title: "Amazon RDS connectivity", text: "Some instances in us-east-1 are unreachable.", impact: "major" })]),
    match: rds,
    status: "operational",
    matched: [],
    incidents: [],
    reason: "no open provider incident",
  },
  {
    name: "an incident about the region without the component does not",
    snapshot: feed([], [incident("i1", { title: "Lambda errors", text: "In the Oregon region.", impact: "major" })]),
    match: rds,
    status: "operational",
    matched: [],
    incidents: [],
    reason: "no open provider incident",
  },
  {
    name: "a text needle alone makes an incident match",
    snapshot: feed([component("Amazon RDS (Oregon)")], [incident("i1", { title: "Increased API latency", text: "RDS API calls are slow.", impact: "none" })]),
    match: { ...rds, text: ["rds api"] },
    status: "degraded_performance",
    matched: ["Amazon RDS (Oregon)"],
    incidents: ["i1"],
    reason: "provider reports an incident: Increased API latency (since 13:20 UTC)",
  },
  {
    name: "text needles say nothing about components",
    snapshot: feed([component("RDS", "major_outage")]),
    match: { text: ["RDS"] },
    status: "operational",
    matched: [],
    reason: "no provider component or open incident matches",
  },
  {
    name: "resolved incidents (resolvedAt, or a closed status) are left out",
    snapshot: feed(
      [component("Database")],
      [
        incident("done", { impact: "critical", components: ["Database"], resolvedAt: at(5) }),
        incident("pm", { impact: "critical", components: ["Database"], status: "postmortem" }),
        incident("res", { impact: "critical", components: ["Database"], status: "Resolved" }),
      ],
    ),
    match: { component: ["Database"] },
    status: "operational",
    matched: ["Database"],
    incidents: [],
    reason: "Database is operational",
  },
  {
    name: "several incidents: worst impact first, then earliest",
    snapshot: feed(
      [component("Database")],
      [
        incident("late-major", { title: "Late", impact: "major", components: ["Database"], startedAt: at(10) }),
        incident("minor", { title: "Minor", impact: "minor", components: ["Database"], startedAt: at(-30) }),
        incident("early-major", { title: "Early", impact: "major", components: ["Database"], startedAt: at(5) }),
      ],
    ),
    match: { component: ["Database"] },
    status: "partial_outage",
    matched: ["Database"],
    incidents: ["early-major", "late-major", "minor"],
    reason: "provider reports 3 incidents, the worst: Early (since 13:25 UTC)",
  },
  // Worst of components and incidents.
  {
    name: "a component worse than the incident gives the component's line",
    snapshot: feed([component("Database", "major_outage")], [incident("i1", { impact: "minor", components: ["Database"] })]),
    match: { component: ["Database"] },
    status: "major_outage",
    matched: ["Database"],
    incidents: ["i1"],
    reason: "Database is major_outage",
  },
  {
    name: "an incident worse than the component gives the incident's line",
    snapshot: feed([component("Database", "degraded_performance")], [incident("i1", { title: "Outage", impact: "critical", components: ["Database"] })]),
    match: { component: ["Database"] },
    status: "major_outage",
    matched: ["Database"],
    incidents: ["i1"],
    reason: "provider reports an incident: Outage (since 13:20 UTC)",
  },
  // Maintenance.
  {
    name: "a matched component under maintenance → under_maintenance",
    snapshot: feed([component("Database", "under_maintenance"), component("API", "major_outage")]),
    match: { component: ["Database"] },
    status: "under_maintenance",
    matched: ["Database"],
    reason: "Database is under_maintenance",
  },
  {
    name: "a failure wins over maintenance",
    snapshot: feed([component("Database", "under_maintenance"), component("Database replica", "degraded_performance")]),
    match: { component: ["Database"] },
    status: "degraded_performance",
    matched: ["Database", "Database replica"],
    reason: "Database replica is degraded_performance",
  },
  {
    name: "an incident during maintenance still counts",
    snapshot: feed([component("Database", "under_maintenance")], [incident("i1", { title: "Errors", impact: "minor", components: ["Database"] })]),
    match: { component: ["Database"] },
    status: "degraded_performance",
    matched: ["Database"],
    incidents: ["i1"],
    reason: "provider reports an incident: Errors (since 13:20 UTC)",
  },
  {
    name: "a maintenance in progress naming a matched component → under_maintenance",
    snapshot: feed([component("Database"), component("API")], [], [maintenance("m1", "in_progress", ["Database"]), maintenance("m2", "scheduled", ["Database"])]),
    match: { component: ["Database"] },
    status: "under_maintenance",
    matched: ["Database"],
    reason: "provider maintenance in progress: Maintenance m1",
  },
  {
    name: "a maintenance of another component, or only scheduled, does not",
    snapshot: feed([component("Database"), component("API")], [], [maintenance("m1", "in_progress", ["API"]), maintenance("m2", "scheduled", ["Database"])]),
    match: { component: ["Database"] },
    status: "operational",
    matched: ["Database"],
    reason: "Database is operational",
  },
  // An empty match.
  {
    name: "a match with no needle takes the worst of all components and incidents",
    snapshot: feed([component("A", "degraded_performance"), component("B", "partial_outage")], [incident("i1", { title: "Big", impact: "critical" })]),
    match: {},
    status: "major_outage",
    matched: ["A", "B"],
    incidents: ["i1"],
    reason: "provider reports an incident: Big (since 13:20 UTC)",
  },
  {
    name: "blank needles count as none",
    snapshot: feed([component("A", "degraded_performance"), component("B", "partial_outage")]),
    match: { component: ["  "], region: [], text: [""] },
    status: "partial_outage",
    matched: ["A", "B"],
    reason: "B is partial_outage",
  },
  {
    name: "an empty feed is operational",
    snapshot: feed([]),
    match: {},
    status: "operational",
    matched: [],
    incidents: [],
    reason: "no open provider incident",
  },
];

describe("readUpstream", () => {
  it.each(cases)("$name", ({ snapshot, match, status, matched, incidents, reason }) => {
    const reading = readUpstream(snapshot, match);
    expect(reading.status).toBe(status);
    expect(reading.matchedComponents).toEqual(matched);
    if (incidents !== undefined) expect(reading.incidents.map((i) => i.id)).toEqual(incidents);
    expect(reading.reason).toBe(reason);
  });
});

describe("statusOfImpact", () => {
  it.each<[string, UpstreamStatus]>([
    ["none", "degraded_performance"],
    ["minor", "degraded_performance"],
    ["major", "partial_outage"],
    ["critical", "major_outage"],
    ["Critical ", "major_outage"],
    ["maintenance", "degraded_performance"],
    ["", "degraded_performance"],
    ["toString", "degraded_performance"],
  ])("%j → %s", (impact, expected) => {
    expect(statusOfImpact(impact)).toBe(expected);
  });
});

describe("toUpstreamMatch", () => {
  it.each<[UpstreamMatchConfig, UpstreamMatch]>([
    [{ component: "Amazon RDS", region: "us-west-2", text: "RDS" }, { component: ["Amazon RDS"], region: ["us-west-2"], text: ["RDS"] }],
    [{ component: ["Postgres", " Redis "] }, { component: ["Postgres", "Redis"] }],
    [{ component: " ", region: [], text: ["", "x"] }, { text: ["x"] }],
    [{}, {}],
  ])("%j → %j", (config, expected) => {
    expect(toUpstreamMatch(config)).toEqual(expected);
  });
});

describe("utcTime", () => {
  it.each<[Date, string]>([
    [new Date("2026-01-01T13:20:59Z"), "13:20 UTC"],
    [new Date("2026-01-01T00:05:00+02:00"), "22:05 UTC"],
    [new Date(Number.NaN), "unknown time"],
  ])("%s → %s", (date, expected) => {
    expect(utcTime(date)).toBe(expected);
  });
});
