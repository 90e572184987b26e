import { describe, expect, it } from "vitest";
import { formatConfigIssues, parseConfigText, type ConfigIssue } from "../config/load.ts";
import type { VigilConfig } from "../config/schema.ts";
import { regionsOf } from "../config/regions.ts";
import { assignmentsFor } from "./assignments.ts";
import { planBatch } from "./ingest.ts";
import { resultBatch, type ResultBatch } from "./protocol.ts";

const yaml = `
regions:
  - { id: eu-west, name: Europe West, location: Frankfurt }
  - { id: us-east, name: US East }
monitors:
  - { id: everywhere, type: http, url: "http://127.0.0.1:9000/", interval: 30s }
  - { id: eu-only, type: tcp, host: 127.0.0.1, port: 5432, regions: [eu-west], quorum: any }
  - { id: not-local, type: http, url: "http://127.0.0.1:9001/", regions: [eu-west, us-east], quorum: "50%" }
  - { id: beat, type: heartbeat, secret: "0123456789abcdef0123" }
`;

function load(text: string): VigilConfig {
  const result = parseConfigText(text, "vigil.yaml", {});
  if (!result.ok) throw new Error(formatConfigIssues(result.errors));
  return result.config;
}

function errorsOf(text: string): ConfigIssue[] {
  const result = parseConfigText(text, "vigil.yaml", {});
  if (result.ok) throw new Error("expected the configuration to be rejected");
  return result.errors;
}

describe("regions in the configuration", () => {
  it("gives every monitor every region unless it names its own, the server's region first", () => {
    const config = load(yaml);
    expect(regionsOf(config, config.monitors[0]!)).toEqual(["local", "eu-west", "us-east"]);
    expect(regionsOf(config, config.monitors[1]!)).toEqual(["eu-west"]);
    expect(config.monitors[1]?.quorum).toBe("any");
    expect(config.monitors[2]?.quorum).toBe("50%");
    expect(config.regions[0]).toEqual({ id: "eu-west", name: "Europe West", location: "Frankfurt" });
  });

  it("names an unknown region, a region listed twice, a duplicate declaration and a bad quorum, each at its path", () => {
    const errors = errorsOf(`
regions:
  - { id: eu-west, name: Europe West }
  - { id: eu-west, name: Again }
monitors:
  - { id: a, type: http, url: "http://127.0.0.1/", regions: [eu-wst, eu-west, eu-west] }
  - { id: b, type: http, url: "http://127.0.0.1/", quorum: "150%" }
  - { id: c, type: http, url: "http://127.0.0.1/", quorum: some }
  - { id: d, type: http, url: "http://127.0.0.1/", regions: [] }
`);
    const byPath = new Map(errors.map((e) => [e.path, e.message]));
    expect(byPath.get("monitors[0].regions[0]")).toMatch(/no region has the id "eu-wst".*did you mean "eu-west"/);
    expect(byPath.get("monitors[0].regions[2]")).toMatch(/listed twice/);
    expect([...byPath.keys()].some((p) => p.startsWith("regions[1]"))).toBe(true);
    expect(byPath.get("monitors[1].quorum")).toBeDefined();
    expect(byPath.get("monitors[2].quorum")).toBeDefined();
    expect(byPath.get("monitors[3].regions")).toBeDefined();
  });
});

describe("assignmentsFor", () => {
  it("gives a region the monitors it checks, never a push monitor, with what a probe needs", () => {
    const config = load(yaml);
    const eu = assignmentsFor(config, "eu-west");
    expect(eu.region).toEqual({ id: "eu-west", name: "Europe West", declared: true });
    expect(eu.monitors.map((m) => m.id)).toEqual(["everywhere", "eu-only", "not-local"]);
    expect(eu.monitors[0]).toMatchObject({ type: "http", interval_ms: 30_000, timeout_ms: 10_000, recheck_ms: 1_000, confirm: 2, recover: 2, settings: { url: "http://127.0.0.1:9000/" }, assert: [] });
    expect(assignmentsFor(config, "us-east").monitors.map((m) => m.id)).toEqual(["everywhere", "not-local"]);
  });

  it("gives each monitor its hang suspicion (null: off), which an agent watches its checks by", () => {
    const config = load(yaml.replace("quorum: any }", "quorum: any, suspect: false }").replace("interval: 30s }", "interval: 30s, suspect_factor: 20, suspect_floor: 2s }"));
    expect(assignmentsFor(config, "eu-west").monitors.map((m) => [m.id, m.suspect])).toEqual([
      ["everywhere", { factor: 20, floor_ms: 2_000 }],
      ["eu-only", null],
      ["not-local", { factor: 10, floor_ms: 1_000 }],
    ]);
  });

  it("gives an undeclared region, and the server's own, nothing", () => {
    const config = load(yaml);
    expect(assignmentsFor(config, "ap-south")).toMatchObject({ region: { id: "ap-south", name: null, declared: false }, monitors: [] });
    expect(assignmentsFor(config, "local")).toMatchObject({ region: { declared: false }, monitors: [] });
  });

  it("changes its ETag exactly when something the region's agents run changes", () => {
    const config = load(yaml);
    const before = assignmentsFor(config, "us-east").etag;
    expect(assignmentsFor(load(yaml), "us-east").etag).toBe(before);
    // A monitor us-east does not check changed: same ETag there, another in eu-west.
    const euChanged = load(yaml.replace("port: 5432", "port: 5433"));
    expect(assignmentsFor(euChanged, "us-east").etag).toBe(before);
    expect(assignmentsFor(euChanged, "eu-west").etag).not.toBe(assignmentsFor(config, "eu-west").etag);
    expect(assignmentsFor(load(yaml.replace("interval: 30s", "interval: 20s")), "us-east").etag).not.toBe(before);
  });
});

describe("planBatch", () => {
  const now = new Date("2026-12-07T12:00:00Z");
  const batch = (results: Partial<ResultBatch["results"][number]>[]): ResultBatch =>
    resultBatch.parse({
      agent: { id: "agt_1", version: "1.0.0", started_at: "2026-12-07T11:00:00Z", buffer: { results: 0, dropped: 0 }, checks_per_second: 1 },
      results: results.map((r, i) => ({ seq: i + 1, monitor: "everywhere", at: "2026-12-07T11:59:59Z", status: "up", latency_ms: 3, facts: {}, ...r })),
    });

  it("stores what the region checks and refuses, with a reason, a removed monitor, another region's, a clock far ahead and a time past retention", () => {
    const config = load(yaml);
    const plan = planBatch(
      batch([
        {},
        { monitor: "gone" },
        { monitor: "eu-only" },
        { at: "2026-12-07T12:05:00Z" },
        { at: "2026-12-07T12:00:30Z", status: "down", error: { kind: "connect", message: "refused" } },
        { at: "2026-11-01T00:00:00Z" },
      ]),
      "us-east",
      config,
      now,
    );
    expect(plan.rows.map((r) => r.seq)).toEqual([1, 5]);
    expect(plan.rows[1]).toMatchObject({ agent: "agt_1", region: "us-east", monitorId: "everywhere", status: "down", error: { kind: "connect", message: "refused" } });
    expect(plan.rejected).toEqual([
      { seq: 2, reason: 'no monitor has the id "gone" (removed from the configuration?)' },
      { seq: 3, reason: 'monitor "eu-only" is not checked from region us-east' },
      { seq: 4, reason: expect.stringMatching(/^checked at 2026-12-07T12:05:00Z, 5m ahead of this node's clock: is the agent's clock right\?$/) },
      { seq: 6, reason: expect.stringMatching(/older than raw results are kept/) },
    ]);
  });

  it("passes on the running checks of monitors the region checks, in order, and leaves out the others", () => {
    const config = load(yaml);
    const running = [
      { monitor: "everywhere", at: "2026-12-07T11:59:58Z", after_seq: 1, kind: "suspected", unanswered_ms: 1_200, confirming_check: true },
      { monitor: "everywhere", at: "2026-12-07T11:59:59.200Z", after_seq: 1, kind: "confirming" },
      { monitor: "eu-only", at: "2026-12-07T11:59:58Z", after_seq: 1, kind: "confirming" },
      { monitor: "gone", at: "2026-12-07T11:59:58Z", after_seq: 1, kind: "confirming" },
      { monitor: "everywhere", at: "2026-12-07T12:05:00Z", after_seq: 1, kind: "confirming" },
    ];
    const plan = planBatch(resultBatch.parse({ ...batch([{}]), running }), "us-east", config, now);
    expect(plan.rows.map((r) => r.seq)).toEqual([1]);
    expect(plan.running).toEqual([
      { agent: "agt_1", region: "us-east", monitorId: "everywhere", at: new Date("2026-12-07T11:59:58Z"), afterSeq: 1, kind: "suspected", unansweredMs: 1_200, confirmingCheck: true },
      { agent: "agt_1", region: "us-east", monitorId: "everywhere", at: new Date("2026-12-07T11:59:59.200Z"), afterSeq: 1, kind: "confirming" },
    ]);
    // A suspicion says how long the check has gone unanswered; anything else is refused with the batch, naming where.
    const issues = (check: object) => resultBatch.safeParse({ ...batch([]), running: [check] }).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(issues({ monitor: "everywhere", at: "2026-12-07T11:59:58Z", after_seq: 0, kind: "suspected" })).toEqual(["running.0.unanswered_ms: a suspected check needs unanswered_ms"]);
    expect(issues({ monitor: "everywhere", at: "2026-12-07T11:59:58Z", after_seq: -1, kind: "hung" })?.map((i) => i.split(":")[0])).toEqual(["running.0.after_seq", "running.0.kind"]);
  });

  it("is refused whole by its schema when a field is garbage or the numbers go backwards, naming where", () => {
    const good = { agent: { id: "agt_1", version: "1", started_at: "2026-12-07T11:00:00Z", buffer: { results: 0, dropped: 0 }, checks_per_second: 0 }, results: [] as unknown[] };
    const issues = (results: unknown[]) => resultBatch.safeParse({ ...good, results }).error?.issues.map((i) => i.path.join("."));
    const r = { seq: 1, monitor: "a", at: "2026-12-07T11:00:00Z", status: "up", latency_ms: 1, facts: {} };
    expect(issues([{ ...r, status: "sideways" }])).toEqual(["results.0.status"]);
    expect(issues([{ ...r, at: "yesterday" }])).toEqual(["results.0.at"]);
    expect(issues([{ ...r, extra: 1 }])).toEqual(["results.0"]);
    expect(issues([r, { ...r, seq: 1 }])).toEqual(["results.1.seq"]);
    expect(issues([{ ...r, facts: { nested: { a: 1 } } }])).toEqual(["results.0.facts.nested"]);
    expect(issues([r])).toBeUndefined();
  });
});
