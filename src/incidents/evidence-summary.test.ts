import { describe, expect, it } from "vitest";
import {
  evidenceSentence,
  nameOf,
  signalOf,
  summariseEvidence,
  timelineSignals,
  type EvidenceLine,
  type TimelineEvent,
} from "./evidence-summary.ts";

const t = (hhmmss: string): Date => new Date(`2024-05-01T${hhmmss}Z`);
const iso = (hhmmss: string): string => t(hhmmss).toISOString();
const names = { "orders-db": "Orders database", api: "Production API" };

/** A signal joining the incident at `at`, said of `component`. */
const joined = (at: string, kind: string, component: string, data: Record<string, unknown> = {}): TimelineEvent => ({
  at: t(at),
  kind: "incident.signal_joined",
  actor: "system",
  data: { root_ids: [component], impacted_ids: [], signal: { kind, components: [component], at: iso(at), monitor: `${component}-check`, ...data } },
});
const restart = (at: string, restartedAt: string, component = "orders-db"): TimelineEvent =>
  joined(at, "monitor.restart", component, { region: "eu", previous_uptime_s: 3600, uptime_s: 5, restarted_at: iso(restartedAt) });
const down = (at: string, component: string, data: Record<string, unknown>): TimelineEvent =>
  joined(at, "monitor.down", component, { since: iso(at), last_up_at: null, error: null, ...data });

describe("summariseEvidence, one kind at a time", () => {
  it.each<[string, TimelineEvent[], string[]]>([
    ["nothing", [], []],
    ["a down signal without error or evidence", [down("10:00:00", "orders-db", {})], []],
    ["one restart", [restart("10:00:05", "10:00:00")], ["Orders database restarted once"]],
    [
      "three restarts over 4 min",
      [restart("10:00:05", "10:00:00"), restart("10:02:05", "10:02:00"), restart("10:04:05", "10:04:00")],
      ["Orders database restarted 3 times in 4 min"],
    ],
    ["span rounded down (3 min 29 s)", [restart("10:00:05", "10:00:00"), restart("10:03:35", "10:03:29")], ["Orders database restarted 2 times in 3 min"]],
    ["span rounded up (3 min 30 s)", [restart("10:00:05", "10:00:00"), restart("10:03:35", "10:03:30")], ["Orders database restarted 2 times in 4 min"]],
    ["span under 30 s", [restart("10:00:05", "10:00:00"), restart("10:00:25", "10:00:20")], ["Orders database restarted 2 times in under 1 min"]],
    [
      "the same restart seen by two regions counts once",
      [restart("10:00:05", "10:00:00"), restart("10:00:07", "10:00:02")],
      ["Orders database restarted once"],
    ],
    [
      "restarts counted by restarted_at, not by arrival order",
      [restart("10:10:05", "10:10:00"), restart("10:10:06", "10:01:00")],
      ["Orders database restarted 2 times in 9 min"],
    ],
    [
      "a restart without restarted_at counts at the signal's time",
      [joined("10:00:00", "monitor.restart", "orders-db", {}), restart("10:05:05", "10:05:00")],
      ["Orders database restarted 2 times in 5 min"],
    ],
    [
      "crash loop",
      [joined("10:00:00", "monitor.crash_loop", "orders-db", { restarts: 5, window_ms: 600_000, restart_times: [] })],
      ["Orders database is crash-looping: 5 restarts within 10 min"],
    ],
    [
      "the latest crash loop wins",
      [
        joined("10:00:00", "monitor.crash_loop", "orders-db", { restarts: 2, window_ms: 600_000 }),
        joined("10:30:00", "monitor.crash_loop", "orders-db", { restarts: 4, window_ms: 600_000 }),
      ],
      ["Orders database is crash-looping: 4 restarts within 10 min"],
    ],
    [
      "crash loop with a short window",
      [joined("10:00:00", "monitor.crash_loop", "orders-db", { restarts: 3, window_ms: 20_000 })],
      ["Orders database is crash-looping: 3 restarts within 20 s"],
    ],
    ["crash loop without a window", [joined("10:00:00", "monitor.crash_loop", "orders-db", { restarts: 3 })], ["Orders database is crash-looping: 3 restarts"]],
    ["crash loop without a count", [joined("10:00:00", "monitor.crash_loop", "orders-db", { window_ms: 600_000 })], []],
    [
      "saturation",
      [joined("10:00:00", "monitor.connection_saturation", "orders-db", { connections: 950, max_connections: 1000, ratio: 0.95 })],
      ["Orders database connections 950 of 1000 (95%)"],
    ],
    [
      "the latest saturation wins, percentage rounded",
      [
        joined("10:00:00", "monitor.connection_saturation", "orders-db", { connections: 900, max_connections: 1000, ratio: 0.9 }),
        joined("10:20:00", "monitor.connection_saturation", "orders-db", { connections: 998, max_connections: 1000, ratio: 0.998 }),
      ],
      ["Orders database connections 998 of 1000 (100%)"],
    ],
    [
      "unreachable with few connections",
      [down("10:00:00", "orders-db", { evidence: { cause: "unreachable", pool_exhausted: false, last_seen_connections: 12, max_connections: 1000, last_seen_at: iso("09:59:30"), note: "…" } })],
      ["Orders database unreachable; last seen 12 of 1000 connections: not pool exhaustion"],
    ],
    [
      "a full pool is pool exhaustion, never \"not pool exhaustion\"",
      [down("10:00:00", "orders-db", { evidence: { cause: "saturated", pool_exhausted: true, last_seen_connections: 120, max_connections: 1000 } })],
      ["Orders database refused connections: pool exhausted; last seen 120 of 1000 connections"],
    ],
    [
      "a timeout does not rule pool exhaustion out",
      [down("10:00:00", "orders-db", { evidence: { cause: "unreachable", pool_exhausted: null, last_seen_connections: 12, max_connections: 1000 } })],
      ["Orders database unreachable; last seen 12 of 1000 connections"],
    ],
    [
      "another error is failing, not unreachable",
      [down("10:00:00", "orders-db", { evidence: { cause: "failing", pool_exhausted: null, last_seen_connections: 12, max_connections: 1000 } })],
      ["Orders database failing; last seen 12 of 1000 connections before"],
    ],
    [
      "evidence recorded before its cause was: not pool exhaustion only after a failed connection",
      [down("10:00:00", "orders-db", { evidence: { last_seen_connections: 120, max_connections: 1000 }, error: { kind: "protocol", message: "Too many connections" } })],
      ["Orders database failing; last seen 120 of 1000 connections before", "Orders database failing: Too many connections (protocol)"],
    ],
    [
      "the first down evidence wins",
      [
        down("10:00:00", "orders-db", { evidence: { cause: "unreachable", pool_exhausted: false, last_seen_connections: 12, max_connections: 1000 } }),
        down("10:30:00", "orders-db", { evidence: { cause: "unreachable", pool_exhausted: false, last_seen_connections: 40, max_connections: 1000 } }),
      ],
      ["Orders database unreachable; last seen 12 of 1000 connections: not pool exhaustion"],
    ],
    [
      "role change",
      [joined("10:00:00", "monitor.role_change", "orders-db", { region: "eu", from: "primary", to: "replica" })],
      ["Orders database role changed primary → replica"],
    ],
    [
      "role change seen by two regions, then back",
      [
        joined("10:00:00", "monitor.role_change", "orders-db", { region: "eu", from: "primary", to: "replica" }),
        joined("10:00:01", "monitor.role_change", "orders-db", { region: "us", from: "primary", to: "replica" }),
        joined("10:10:00", "monitor.role_change", "orders-db", { region: "eu", from: "replica", to: "primary" }),
      ],
      ["Orders database role changed primary → replica → primary"],
    ],
    [
      "error of the first down signal",
      [
        down("10:00:00", "api", { error: { kind: "refused", message: "connection refused" } }),
        down("10:20:00", "api", { error: { kind: "timeout", message: "timed out after 10 s" } }),
      ],
      ["Production API failing: connection refused (refused)"],
    ],
    [
      "a down signal without error does not hide a later one's",
      [down("10:00:00", "api", {}), down("10:20:00", "api", { error: { kind: "timeout", message: "timed out after 10 s" } })],
      ["Production API failing: timed out after 10 s (timeout)"],
    ],
    ["an error without a message", [down("10:00:00", "api", { error: { kind: "tls" } })], ["Production API failing: tls"]],
    [
      "degraded without a down error gives its warning",
      [joined("10:00:00", "monitor.degraded", "api", { since: iso("10:00:00"), warning: "p95 latency 2400 ms over 1000 ms" })],
      ["Production API degraded: p95 latency 2400 ms over 1000 ms"],
    ],
    [
      "a down error wins over a degraded warning",
      [
        joined("10:00:00", "monitor.degraded", "api", { warning: "slow" }),
        down("10:05:00", "api", { error: { kind: "refused", message: "connection refused" } }),
      ],
      ["Production API failing: connection refused (refused)"],
    ],
    [
      "upstream",
      [joined("10:00:00", "upstream.degraded", "api", { provider: "aws", title: "Increased error rates in eu-west-1", url: "https://health.aws.example/1" })],
      ["Upstream: Increased error rates in eu-west-1 (https://health.aws.example/1)"],
    ],
    [
      "upstream repeated, and another without a url",
      [
        joined("10:00:00", "upstream.degraded", "api", { provider: "aws", title: "S3 errors", url: "https://s.example/1" }),
        joined("10:05:00", "upstream.degraded", "api", { provider: "aws", title: "S3 errors", url: "https://s.example/1" }),
        joined("10:06:00", "upstream.degraded", "api", { provider: "stripe" }),
      ],
      ["Upstream: S3 errors (https://s.example/1)", "Upstream: stripe"],
    ],
    ["a component without a name shows its id", [restart("10:00:05", "10:00:00", "cache")], ["cache restarted once"]],
    ["flapping and up say nothing", [joined("10:00:00", "monitor.flapping", "api"), joined("10:05:00", "monitor.up", "api", { down_for_ms: 300_000 })], []],
  ])("%s", (_name, events, texts) => {
    expect(summariseEvidence(events, names).map((line) => line.text)).toEqual(texts);
  });
});

describe("summariseEvidence, order", () => {
  it("lists components by first appearance, then kinds in their order", () => {
    const events: TimelineEvent[] = [
      {
        at: t("10:00:00"),
        kind: "incident.created",
        actor: "system",
        data: { root_ids: ["api"], impacted_ids: [], signal: { kind: "monitor.down", components: ["api"], at: iso("10:00:00"), monitor: "api-http", error: { kind: "refused", message: "connection refused" } } },
      },
      joined("10:01:00", "monitor.role_change", "orders-db", { from: "primary", to: "replica" }),
      joined("10:01:30", "monitor.connection_saturation", "orders-db", { connections: 950, max_connections: 1000, ratio: 0.95 }),
      joined("10:02:00", "upstream.degraded", "api", { title: "DNS issues", url: "https://status.example" }),
      restart("10:03:00", "10:02:58"),
      { at: t("10:04:00"), kind: "incident.updated", actor: "user:alice", data: { status: "identified", previous: "investigating" } },
      { at: t("10:05:00"), kind: "incident.signal_recovered", actor: "system", data: { components: ["api"], monitor: "api-http" } },
    ];
    expect(summariseEvidence(events, names)).toEqual<EvidenceLine[]>([
      { componentId: "api", kind: "error", text: "Production API failing: connection refused (refused)" },
      { componentId: "api", kind: "upstream", text: "Upstream: DNS issues (https://status.example)" },
      { componentId: "orders-db", kind: "restarts", text: "Orders database restarted once" },
      { componentId: "orders-db", kind: "connections", text: "Orders database connections 950 of 1000 (95%)" },
      { componentId: "orders-db", kind: "role_change", text: "Orders database role changed primary → replica" },
    ]);
  });

  it("adds each likely upstream cause to the component that depends on it, with the provider's link", () => {
    const attributed = (at: string, via: string, summary: string, url: string | null): TimelineEvent => ({
      at: t(at),
      kind: "incident.upstream_attributed",
      actor: "system",
      data: { upstream_id: "aws-rds", upstream_name: "Amazon RDS (Oregon)", via, title: "Increased error rates", url, since: iso("09:58:00"), summary },
    });
    const events = [
      down("10:00:00", "orders-db", { error: { kind: "refused", message: "connection refused" } }),
      attributed("10:00:20", "orders-db", "likely upstream: Amazon RDS (Oregon) — provider reports an incident since 09:58 UTC: Increased error rates", "https://health.aws.example/rds"),
      attributed("10:00:30", "orders-db", "likely upstream: DNS provider", null),
      attributed("10:00:40", "orders-db", "", null),
    ];
    expect(summariseEvidence(events, names).filter((l) => l.kind === "upstream")).toEqual<EvidenceLine[]>([
      { componentId: "orders-db", kind: "upstream", text: "likely upstream: Amazon RDS (Oregon) — provider reports an incident since 09:58 UTC: Increased error rates (https://health.aws.example/rds)" },
      { componentId: "orders-db", kind: "upstream", text: "likely upstream: DNS provider" },
    ]);
  });

  it("reads the events in time order whatever order they are given in", () => {
    const events = [restart("10:05:05", "10:05:00"), down("10:00:00", "api", { error: { kind: "refused", message: "refused" } })];
    expect(summariseEvidence(events, names).map((line) => line.componentId)).toEqual(["api", "orders-db"]);
  });

  it("lists saturation before the unreachable line", () => {
    const events = [
      down("10:10:00", "orders-db", { evidence: { cause: "unreachable", pool_exhausted: false, last_seen_connections: 12, max_connections: 1000 } }),
      joined("10:00:00", "monitor.connection_saturation", "orders-db", { connections: 950, max_connections: 1000, ratio: 0.95 }),
    ];
    expect(summariseEvidence(events, names).map((line) => line.text)).toEqual([
      "Orders database connections 950 of 1000 (95%)",
      "Orders database unreachable; last seen 12 of 1000 connections: not pool exhaustion",
    ]);
  });
});

describe("summariseEvidence, restarts and crash loop told from the same numbers", () => {
  // The crash loop is detected at the second restart (2 within 10 min); four more follow within the minute.
  const restarts = ["10:00:00", "10:00:10", "10:00:20", "10:00:30", "10:00:40", "10:00:50"];
  const events = [
    ...restarts.map((at) => restart(at.replace(/:(\d)0$/, ":$15"), at)),
    joined("10:00:16", "monitor.crash_loop", "orders-db", { restarts: 2, window_ms: 600_000, restart_times: [iso("10:00:00"), iso("10:00:10")] }),
  ];

  it("says the same count and span in both lines", () => {
    expect(summariseEvidence(events, names).map((line) => line.text)).toEqual([
      "Orders database restarted 6 times in 1 min",
      "Orders database is crash-looping: 6 restarts in 1 min",
    ]);
  });

  it("counts a restart known only from the crash loop's restart times", () => {
    const loop = joined("10:00:16", "monitor.crash_loop", "orders-db", { restarts: 3, window_ms: 600_000, restart_times: [iso("09:59:00"), iso("10:00:00"), iso("10:00:10")] });
    expect(summariseEvidence([restart("10:00:05", "10:00:00"), restart("10:00:15", "10:00:10"), loop], names).map((line) => line.text)).toEqual([
      "Orders database restarted 3 times in 1 min",
      "Orders database is crash-looping: 3 restarts in 1 min",
    ]);
  });
});

describe("summariseEvidence for the public", () => {
  const audience = { public: true, hosts: ["db.internal.acme.example", "orders-db-primary"] };
  const text = (events: TimelineEvent[]) => summariseEvidence(events, names, audience).map((line) => line.text);

  it.each<[string, Record<string, unknown>, string]>([
    ["a refused connection", { kind: "connect", message: "connect ECONNREFUSED 127.0.0.1:36269" }, "Orders database failing: connection refused"],
    ["a timeout", { kind: "timeout", message: "no response within 5000 ms" }, "Orders database failing: timed out after 5 s"],
    ["an HTTP status", { kind: "assertion", message: "status 503, expected 200-399" }, "Orders database failing: HTTP 503"],
    ["a DNS failure", { kind: "dns", message: "could not resolve db.internal.acme.example (ENOTFOUND)" }, "Orders database failing: name not found"],
    ["an authentication failure", { kind: "auth", message: "Access denied for user 'monitor'@'10.1.2.3' (using password: YES)" }, "Orders database failing: authentication failed"],
    ["a message without a kind", { message: "connect ECONNREFUSED [::1]:3306" }, "Orders database failing: connection refused"],
  ])("phrases %s generically", (_what, error, expected) => {
    expect(text([down("10:00:00", "orders-db", { error })])).toEqual([expected]);
  });

  it("phrases a warning generically and drops links", () => {
    const events = [
      joined("10:00:00", "monitor.degraded", "api", { warning: "slow response: 2400 ms, above 1000 ms" }),
      joined("10:00:01", "upstream.degraded", "orders-db", { title: "Database instances unavailable", url: "https://status.example.com/rds" }),
    ];
    expect(text(events)).toEqual(["Production API degraded: slow responses", "Upstream: Database instances unavailable"]);
  });

  it("scrubs what remains of addresses and host names, keeping the component names", () => {
    const events = [joined("10:00:00", "monitor.role_change", "orders-db", { from: "orders-db-primary", to: "10.0.0.7:3306" })];
    expect(text(events)).toEqual(["Orders database role changed [hidden] → [hidden]"]);
  });
});

describe("evidenceSentence", () => {
  it.each<[EvidenceLine[], string]>([
    [[], ""],
    [[{ componentId: "orders-db", kind: "restarts", text: "orders-db restarted 3 times in 4 min" }], "orders-db restarted 3 times in 4 min"],
    [
      [
        { componentId: "orders-db", kind: "restarts", text: "orders-db restarted 3 times in 4 min" },
        { componentId: "orders-db", kind: "connections", text: "connections 12 of 1000" },
      ],
      "orders-db restarted 3 times in 4 min; connections 12 of 1000",
    ],
  ])("%j", (lines, sentence) => {
    expect(evidenceSentence(lines)).toBe(sentence);
  });
});

describe("signalOf and timelineSignals", () => {
  it.each<[string, TimelineEvent, string | null]>([
    ["a joined signal", joined("10:00:00", "monitor.restart", "orders-db"), "monitor.restart orders-db"],
    ["a signal without components", { at: t("10:00:00"), kind: "incident.signal_joined", actor: "system", data: { signal: { kind: "monitor.down", components: [] } } }, null],
    ["no signal", { at: t("10:00:00"), kind: "incident.created", actor: "system", data: {} }, null],
    ["another kind", { at: t("10:00:00"), kind: "incident.note", actor: "user:bob", data: { signal: { kind: "monitor.down", components: ["api"] } } }, null],
  ])("%s", (_name, event, expected) => {
    const signal = signalOf(event);
    expect(signal === null ? null : `${signal.kind} ${signal.componentId}`).toBe(expected);
  });

  it("takes the signal's own time, or the event's when it has none", () => {
    const own = joined("10:00:05", "monitor.down", "api", { at: iso("10:00:00") });
    const none: TimelineEvent = { at: t("10:01:00"), kind: "incident.signal_joined", actor: "system", data: { signal: { kind: "monitor.down", components: ["api"] } } };
    expect(timelineSignals([none, own]).map((s) => [s.at.toISOString(), s.monitor])).toEqual([
      [iso("10:00:00"), "api-check"],
      [iso("10:01:00"), null],
    ]);
  });
});

describe("nameOf", () => {
  it.each<[string, string]>([
    ["orders-db", "Orders database"],
    ["cache", "cache"],
    ["constructor", "constructor"],
    ["toString", "toString"],
  ])("%s → %s", (id, name) => {
    expect(nameOf(names, id)).toBe(name);
  });
});
