import { marked, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import type { TimelineEvent } from "./evidence-summary.ts";
import { draftPostmortem, formatDuration, postmortemMetrics, type PostmortemIncident, type PostmortemInput, type PostmortemUpdate } from "./postmortem.ts";

const t = (hhmmss: string): Date => new Date(`2024-05-01T${hhmmss}Z`);
const iso = (hhmmss: string): string => t(hhmmss).toISOString();

const baseIncident: PostmortemIncident = {
  id: "inc_1",
  name: "Orders database outage",
  impact: "major",
  rootIds: ["orders-db"],
  impactedIds: ["api", "checkout"],
  startedAt: t("10:00:00"),
  earliestPossibleStart: t("09:59:30"),
  createdAt: t("10:01:00"),
  publishedAt: t("10:05:00"),
  resolvedAt: t("11:42:00"),
};

const event = (at: string, kind: string, actor: string, data: Record<string, unknown> = {}): TimelineEvent => ({ at: t(at), kind, actor, data });
const update = (at: string, status: string, body: string, actor: string): PostmortemUpdate => ({ status, body, actor, createdAt: t(at) });
const signal = (at: string, kind: string, component: string, data: Record<string, unknown> = {}) => ({
  kind,
  components: [component],
  at: iso(at),
  monitor: `${component}-check`,
  ...data,
});

// A cascade: orders-db refuses connections, api follows, a person takes over, the status page is updated, all recovers.
const events: TimelineEvent[] = [
  event("10:01:00", "incident.created", "system", {
    root_ids: ["orders-db"],
    impacted_ids: ["api", "checkout"],
    signal: signal("10:01:00", "monitor.down", "orders-db", {
      since: iso("10:00:00"),
      last_up_at: iso("09:59:30"),
      error: { kind: "connect", message: "connection refused" },
      evidence: { cause: "unreachable", pool_exhausted: false, last_seen_connections: 12, max_connections: 1000, last_seen_at: iso("09:59:30"), note: "…" },
    }),
  }),
  event("10:01:40", "incident.signal_joined", "system", {
    root_ids: ["orders-db"],
    impacted_ids: ["api", "checkout"],
    signal: signal("10:01:40", "monitor.restart", "orders-db", { region: "eu", previous_uptime_s: 86_400, uptime_s: 10, restarted_at: iso("10:01:30") }),
  }),
  event("10:03:00", "incident.updated", "user:alice", { status: "identified", previous: "investigating", hold: true }),
  event("10:05:00", "incident.published", "system", { published_at: iso("10:05:00") }),
  event("11:30:00", "incident.signal_recovered", "system", { components: ["orders-db", "api"], monitor: "orders-db-check" }),
  event("11:32:00", "incident.updated", "system", { status: "monitoring", reason: "every signal has recovered" }),
  event("11:42:00", "incident.resolved", "system", { status: "resolved", reason: "nothing failing for 10 min" }),
];
const updates: PostmortemUpdate[] = [
  update("10:01:00", "investigating", "We are investigating errors.", "system"),
  update("10:03:00", "identified", "The orders database restarted.\nFailover in progress.", "user:alice"),
  update("11:32:00", "monitoring", "every signal has recovered", "system"),
  update("11:42:00", "resolved", "nothing failing for 10 min", "system"),
];

const input = (over: Partial<PostmortemInput> = {}): PostmortemInput => ({
  incident: baseIncident,
  updates,
  events,
  windows: [
    { componentId: "orders-db", start: t("10:00:00"), end: t("11:30:00"), worst: "major_outage", intervals: [{ status: "major_outage", from: t("10:00:00"), to: t("11:30:00") }] },
    { componentId: "api", start: t("10:00:30"), end: t("11:30:00"), worst: "partial_outage", intervals: [{ status: "partial_outage", from: t("10:00:30"), to: t("11:30:00") }] },
  ],
  names: { "orders-db": "Orders database", api: "Production API", checkout: "Checkout" },
  ...over,
});

describe("postmortemMetrics", () => {
  const minute = 60_000;
  it.each<[string, Partial<PostmortemIncident>, PostmortemUpdate[], TimelineEvent[], [number | null, number | null, number | null, number | null]]>([
    ["a whole response", {}, updates, events, [1 * minute, 2 * minute, 5 * minute, 102 * minute]],
    ["never published", { publishedAt: null }, updates, events, [1 * minute, 2 * minute, null, 102 * minute]],
    ["no human action", {}, [update("10:01:00", "investigating", "…", "system")], [event("10:01:00", "incident.created", "system")], [1 * minute, null, 5 * minute, 102 * minute]],
    ["still open", { resolvedAt: null }, updates, events, [1 * minute, 2 * minute, 5 * minute, null]],
    ["a person's event before the update counts", {}, updates, [event("10:02:00", "incident.note", "token:ci", { body: "seen" })], [1 * minute, 1 * minute, 5 * minute, 102 * minute]],
    ["a person acting when it was created", {}, [update("10:01:00", "identified", "…", "user:bob")], [], [1 * minute, 0, 5 * minute, 102 * minute]],
    ["a person acting before it was created does not count", {}, [update("10:00:30", "identified", "…", "user:bob")], [], [1 * minute, null, 5 * minute, 102 * minute]],
    [
      "clock skew clamps to zero",
      { createdAt: t("09:59:00"), publishedAt: t("09:59:30"), resolvedAt: t("09:59:45") },
      [],
      [],
      [0, null, 0, 0],
    ],
  ])("%s", (_name, over, ups, evs, [detect, acknowledge, publish, resolve]) => {
    expect(postmortemMetrics({ incident: { ...baseIncident, ...over }, updates: ups, events: evs })).toEqual({
      timeToDetectMs: detect,
      timeToAcknowledgeMs: acknowledge,
      timeToPublishMs: publish,
      timeToResolveMs: resolve,
    });
  });
});

describe("formatDuration", () => {
  it.each<[number, string]>([
    [0, "0 s"],
    [499, "0 s"],
    [45_000, "45 s"],
    [59_400, "59 s"],
    [59_600, "1 min"],
    [60_000, "1 min"],
    [200_000, "3 min 20 s"],
    [3_599_000, "59 min 59 s"],
    [3_599_600, "1 h"],
    [3_600_000, "1 h"],
    [6_120_000, "1 h 42 min"],
    [6_149_000, "1 h 42 min"],
    [86_399_000, "1 d"],
    [90_000_000, "1 d 1 h"],
    [183_600_000, "2 d 3 h"],
    [30 * 86_400_000, "30 d"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses %d", (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });
});

/** The lines of one `## ` section, without its heading and surrounding blank lines. */
function section(markdown: string, heading: string): string[] {
  const lines = markdown.split("\n");
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n").trim().split("\n");
}

function tables(markdown: string): Tokens.Table[] {
  return marked.lexer(markdown).filter((token): token is Tokens.Table => token.type === "table");
}

describe("draftPostmortem", () => {
  it("writes the sections in order", () => {
    const headings = draftPostmortem(input())
      .split("\n")
      .filter((line) => line.startsWith("#"));
    expect(headings).toEqual([
      "# Postmortem: Orders database outage",
      "## Summary",
      "## Impact",
      "## Metrics",
      "## Timeline",
      "## Evidence",
      "## Root cause",
      "## What went well",
      "## What went wrong",
      "## Lessons",
      "## Action items",
    ]);
  });

  it("writes the whole draft", () => {
    expect(draftPostmortem(input())).toBe(
      [
        "# Postmortem: Orders database outage",
        "",
        "## Summary",
        "",
        "Orders database failed at 2024-05-01 10:00:00 UTC and the incident was resolved at 2024-05-01 11:42:00 UTC, 1 h 42 min later. " +
          "The impact was major. It also affected Production API and Checkout. " +
          "The last successful check before it was at 2024-05-01 09:59:30 UTC, so the failure may have begun up to 30 s earlier.",
        "",
        "## Impact",
        "",
        "| Component | Worst status | Start | End | Duration |",
        "| --- | --- | --- | --- | --- |",
        "| Orders database (root) | major outage | 2024-05-01 10:00:00 UTC | 2024-05-01 11:30:00 UTC | 1 h 30 min |",
        "| Production API | partial outage | 2024-05-01 10:00:30 UTC | 2024-05-01 11:30:00 UTC | 1 h 30 min |",
        "| Checkout | no recorded impairment | — | — | — |",
        "",
        "## Metrics",
        "",
        "| Metric | Value | Measured |",
        "| --- | --- | --- |",
        "| Time to detect | 1 min | first failing check → incident confirmed |",
        "| Time to acknowledge | 2 min | incident confirmed → first action by a person |",
        "| Time to publish | 5 min | first failing check → published on the status page |",
        "| Time to resolve | 1 h 42 min | first failing check → resolved |",
        "",
        "## Timeline",
        "",
        "Times are in UTC.",
        "",
        "**2024-05-01**",
        "",
        "- `10:01:00` — Incident opened: Orders database down: connection refused",
        "- `10:01:00` — Update posted (investigating)",
        "  > We are investigating errors.",
        "- `10:01:40` — Signal joined: Orders database restarted",
        "- `10:03:00` — Status investigating → identified (by user:alice)",
        "  > The orders database restarted.",
        "  > Failover in progress.",
        "- `10:05:00` — Published on the status page",
        "- `11:30:00` — Orders database and Production API recovered",
        "- `11:32:00` — Status → monitoring",
        "  > every signal has recovered",
        "- `11:42:00` — Resolved",
        "  > nothing failing for 10 min",
        "",
        "## Evidence",
        "",
        "- Orders database: server restarted; connections were 12 of 1,000 before it",
        "- Orders database restarted once",
        "- Orders database unreachable; last seen 12 of 1000 connections: not pool exhaustion",
        "- Orders database failing: connection refused (connect)",
        "",
        "## Root cause",
        "",
        "<!-- What made it fail, and why then? Follow the evidence down to the cause, not just the trigger. -->",
        "",
        "## What went well",
        "",
        "<!-- Detection, response and communication that worked and should be kept. -->",
        "",
        "## What went wrong",
        "",
        "<!-- Where detection, response or communication was late, noisy or missing. -->",
        "",
        "## Lessons",
        "",
        "<!-- What this incident taught about the system and about how it is run. -->",
        "",
        "## Action items",
        "",
        "<!-- One per line, with an owner and a due date, e.g. - [ ] Alert on replica lag (owner: db team, due 2024-06-01). -->",
        "",
      ].join("\n"),
    );
  });

  it("names a likely upstream cause in the summary, the timeline (with the provider's link) and the evidence", () => {
    const attributed = event("10:02:00", "incident.upstream_attributed", "system", {
      upstream_id: "aws-rds-us-west-2",
      upstream_name: "Amazon RDS (Oregon)",
      via: "orders-db",
      title: "Increased error rates",
      url: "https://health.aws.example/rds-us-west-2",
      since: iso("09:58:00"),
      summary: "likely upstream: Amazon RDS (Oregon) — provider reports an incident since 09:58 UTC: Increased error rates",
    });
    const draft = draftPostmortem(input({ events: [...events, attributed] }));
    expect(draft).toContain("The likely cause is upstream: Amazon RDS (Oregon) reported an incident, Increased error rates from 2024-05-01 09:58:00 UTC (<https://health.aws.example/rds-us-west-2>).");
    expect(draft).toContain("- `10:02:00` — Likely upstream: Amazon RDS (Oregon) — provider reports an incident since 09:58 UTC: Increased error rates\n  > https://health.aws.example/rds-us-west-2");
    expect(draft).toMatch(/## Evidence[\s\S]*likely upstream: Amazon RDS \(Oregon\)/);
    expect(draftPostmortem(input())).not.toContain("likely cause is upstream");
  });

  it("tells restarts and the crash loop as one fact: the evidence from the same restarts, the timeline the moment of detection", () => {
    const restartsAt = ["10:01:30", "10:01:40", "10:01:50", "10:02:00", "10:02:10", "10:02:20", "10:02:29"];
    const joinedAt = (at: string) => iso(at).replace(/\.000Z$/, "Z");
    const crash: TimelineEvent[] = [
      ...restartsAt.map((at) => event(at, "incident.signal_joined", "system", { signal: signal(at, "monitor.restart", "orders-db", { restarted_at: joinedAt(at) }) })),
      event("10:01:41", "incident.signal_joined", "system", {
        signal: signal("10:01:41", "monitor.crash_loop", "orders-db", { restarts: 2, window_ms: 600_000, restart_times: [iso("10:01:30"), iso("10:01:40")] }),
      }),
    ];
    const markdown = draftPostmortem(input({ events: [...events.filter((e) => e.kind !== "incident.signal_joined"), ...crash] }));
    expect(section(markdown, "Evidence").filter((line) => /restart|crash/.test(line))).toEqual([
      "- Orders database: crash loop: 7 restarts in 1 min; connections were 12 of 1,000 before the first",
      "- Orders database restarted 7 times in 1 min",
      "- Orders database is crash-looping: 7 restarts in 1 min",
    ]);
    expect(section(markdown, "Timeline")).toContain("- `10:01:41` — Signal joined: Orders database crash loop detected (2 restarts within 10 min)");
  });

  it("tells runbook actions' runs in the timeline", () => {
    const runs = [
      event("10:03:00", "action.run_requested", "user:ada@example.com", { run: "run_1", action: "scale-down", type: "webhook" }),
      event("10:03:01", "action.run_started", "system", { run: "run_1", action: "scale-down", type: "webhook" }),
      event("10:03:02", "action.run_retrying", "system", { run: "run_1", action: "scale-down", attempts: 1, error: "ops.example.com answered 503" }),
      event("10:03:04", "action.run_succeeded", "system", { run: "run_1", action: "scale-down", attempts: 2, output: "ok" }),
      event("10:04:00", "action.run_failed", "system", { run: "run_2", action: "restart-db", attempts: 1, status: "failed", error: "kubectl exited with status 1" }),
      event("10:05:00", "action.run_failed", "system", { run: "run_3", action: "page-dba", attempts: 4, status: "timed_out", error: "deadline reached after 4 attempts: x" }),
      event("10:06:00", "action.approval_requested", "system", { run: "run_4", action: "scale-up", required: 2, roles: ["responder"] }),
      event("10:06:30", "action.approved", "user:rick", { run: "run_4", action: "scale-up", by: "user:rick", approvals: 1, required: 2, comment: null }),
      event("10:07:00", "action.rejected", "user:ada", { run: "run_4", action: "scale-up", by: "user:ada", comment: "replica behind" }),
      event("10:08:00", "action.approval_requested", "system", { run: "run_5", action: "failover", required: 1, roles: ["admin"] }),
      event("10:38:00", "action.approval_timed_out", "system", { run: "run_5", action: "failover", approvals: 0, required: 1, error: "approval timed out with 0 of 1 approval" }),
      event("10:05:30", "action.run_requested", "system", { run: "run_4", action: "page-dba", type: "webhook", reason: { trigger: "incident.impact_raised", event: "41", event_kind: "incident.signal_joined" } }),
    ];
    const draft = draftPostmortem(input({ events: [...events, ...runs] }));
    expect(draft).toContain("- `10:03:00` — Action `scale-down` asked for (by user:ada@example.com)\n");
    expect(draft).toContain("- `10:03:01` — Action `scale-down` started\n");
    expect(draft).toContain("- `10:03:02` — Action `scale-down` attempt 1 failed, trying again: ops.example.com answered 503\n");
    expect(draft).toContain("- `10:03:04` — Action `scale-down` succeeded after 2 attempts\n");
    expect(draft).toContain("- `10:04:00` — Action `restart-db` failed: kubectl exited with status 1\n");
    expect(draft).toContain("- `10:05:00` — Action `page-dba` timed out after 4 attempts: deadline reached after 4 attempts: x\n");
    expect(draft).toContain("- `10:06:00` — Action `scale-up` waits for 2 approvals\n");
    expect(draft).toContain("- `10:06:30` — Action `scale-up` approved (1 of 2) (by user:rick)\n");
    expect(draft).toContain("- `10:07:00` — Action `scale-up` rejected: replica behind (by user:ada)\n");
    expect(draft).toContain("- `10:08:00` — Action `failover` waits for 1 approval\n");
    expect(draft).toContain("- `10:38:00` — Action `failover` not approved in time: approval timed out with 0 of 1 approval\n");
    expect(draft).toContain("- `10:05:30` — Action `page-dba` asked for by its trigger on incident impact raised\n");
  });

  it("tells the records a reconciliation resynced, with its window's bounds when the window is the incident's", () => {
    const window = { component: "orders-db", start: iso("10:00:00") };
    const runs = [
      event("11:31:00", "action.run_succeeded", "system", { run: "run_1", action: "reconcile-orders", attempts: 1, output: "", resynced: 1234, window }),
      event("11:32:30", "action.run_succeeded", "system", { run: "run_2", action: "reconcile-orders", attempts: 2, output: "", resynced: 1, window }),
      // A window the incident does not have: no bounds; no window: no component.
      event("11:33:00", "action.run_succeeded", "system", { run: "run_3", action: "reconcile-orders", attempts: 1, resynced: 0, window: { component: "orders-db", start: iso("09:00:00") } }),
      event("11:34:00", "action.run_succeeded", "system", { run: "run_4", action: "reconcile-all", attempts: 1, resynced: 7 }),
      event("11:35:00", "action.run_succeeded", "system", { run: "run_5", action: "reconcile-all", attempts: 1, resynced: "7", window }),
    ];
    const draft = draftPostmortem(input({ events: [...events, ...runs] }));
    expect(draft).toContain("- `11:31:00` — Action `reconcile-orders` resynced 1,234 records for Orders database, 10:00:00–11:30:00 UTC\n");
    expect(draft).toContain("- `11:32:30` — Action `reconcile-orders` resynced 1 record for Orders database after 2 attempts, 10:00:00–11:30:00 UTC\n");
    expect(draft).toContain("- `11:33:00` — Action `reconcile-orders` resynced 0 records for Orders database\n");
    expect(draft).toContain("- `11:34:00` — Action `reconcile-all` resynced 7 records\n");
    expect(draft).toContain("- `11:35:00` — Action `reconcile-all` succeeded\n");
    expect(draftPostmortem(input({ events: [...events, runs[0]!], timeZone: "Europe/Paris" }))).toContain("- `13:31:00` — Action `reconcile-orders` resynced 1,234 records for Orders database, 12:00:00–13:30:00 UTC+02:00\n");
  });

  it("merges events and updates in time order whatever order they are given in", () => {
    const draft = draftPostmortem(
      input({
        events: [
          event("10:20:00", "component.status_changed", "system", { component: "api", from: "degraded_performance", to: "operational" }),
          event("10:00:30", "incident.note", "token:ci", { body: "deploy 42 went out at 09:58" }),
          event("10:10:00", "incident.update_due", "system"),
          event("10:15:00", "custom.thing", "system"),
        ],
        updates: [update("10:12:00", "identified", "Rolling back deploy 42.", "user:bob"), update("10:05:00", "investigating", "Looking.", "user:bob")],
      }),
    );
    expect(section(draft, "Timeline")).toEqual([
      "Times are in UTC.",
      "",
      "**2024-05-01**",
      "",
      "- `10:00:30` — Note (by token:ci)",
      "  > deploy 42 went out at 09:58",
      "- `10:05:00` — Update posted (investigating) (by user:bob)",
      "  > Looking.",
      "- `10:10:00` — A public update is due",
      "- `10:12:00` — Update posted (identified) (by user:bob)",
      "  > Rolling back deploy 42.",
      "- `10:15:00` — Event `custom.thing`",
      "- `10:20:00` — Production API: degraded performance → operational",
    ]);
  });

  it("keeps a status event and an update apart when another actor posted it", () => {
    const draft = draftPostmortem(
      input({
        events: [event("10:03:00", "incident.updated", "user:alice", { status: "identified", previous: "investigating" })],
        updates: [update("10:03:00", "identified", "By someone else.", "user:bob")],
      }),
    );
    expect(section(draft, "Timeline").filter((line) => line.startsWith("-"))).toEqual([
      "- `10:03:00` — Status investigating → identified (by user:alice)",
      "- `10:03:00` — Update posted (identified) (by user:bob)",
    ]);
  });

  it("keeps a pipe or a line break in a name from breaking the tables", () => {
    const draft = draftPostmortem(input({ names: { "orders-db": "Orders | database", api: "Production\nAPI", checkout: "Check|out" } }));
    const [impact, metrics] = tables(draft);
    expect(impact?.header.map((h) => h.text)).toEqual(["Component", "Worst status", "Start", "End", "Duration"]);
    expect(impact?.rows.map((row) => [row.length, row[0]?.text])).toEqual([
      [5, "Orders | database (root)"],
      [5, "Production API"],
      [5, "Check|out"],
    ]);
    expect(metrics?.rows.map((row) => row.length)).toEqual([3, 3, 3, 3]);
    expect(draft).toContain("| Orders \\| database (root) | major outage |");
  });

  it("shows times in the time zone, with its offset", () => {
    const draft = draftPostmortem(input({ timeZone: "America/New_York" }));
    expect(section(draft, "Summary")[0]).toMatch(/^Orders database failed at 2024-05-01 06:00:00 UTC-04:00 and the incident was resolved at 2024-05-01 07:42:00 UTC-04:00, /);
    expect(section(draft, "Impact")[2]).toBe(
      "| Orders database (root) | major outage | 2024-05-01 06:00:00 UTC-04:00 | 2024-05-01 07:30:00 UTC-04:00 | 1 h 30 min |",
    );
    expect(section(draft, "Timeline").slice(0, 5)).toEqual([
      "Times are in America/New_York.",
      "",
      "**2024-05-01**",
      "",
      "- `06:01:00` — Incident opened: Orders database down: connection refused",
    ]);
  });

  it("starts a new day in the time zone with a date line", () => {
    const draft = draftPostmortem(
      input({ events: [event("14:59:59", "incident.update_due", "system"), event("15:00:00", "incident.update_due", "system")], updates: [], timeZone: "Asia/Tokyo" }),
    );
    expect(section(draft, "Timeline")).toEqual([
      "Times are in Asia/Tokyo.",
      "",
      "**2024-05-01**",
      "",
      "- `23:59:59` — A public update is due",
      "",
      "**2024-05-02**",
      "",
      "- `00:00:00` — A public update is due",
    ]);
  });

  it("refuses an unknown time zone", () => {
    expect(() => draftPostmortem(input({ timeZone: "Mars/Olympus_Mons" }))).toThrow(RangeError);
  });

  it("drafts an open incident with nothing recorded", () => {
    const draft = draftPostmortem(
      input({
        incident: { ...baseIncident, rootIds: [], impactedIds: ["api"], earliestPossibleStart: null, publishedAt: null, resolvedAt: null },
        events: [],
        updates: [],
        windows: [{ componentId: "api", start: t("10:00:00"), end: null, worst: "degraded_performance", intervals: [] }],
      }),
    );
    expect(section(draft, "Summary")).toEqual([
      "Orders database outage began at 2024-05-01 10:00:00 UTC; the incident is not resolved yet. The impact was major. It also affected Production API.",
    ]);
    expect(section(draft, "Impact").slice(2)).toEqual(["| Production API | degraded performance | 2024-05-01 10:00:00 UTC | ongoing | ongoing |"]);
    expect(section(draft, "Metrics").slice(2)).toEqual([
      "| Time to detect | 1 min | first failing check → incident confirmed |",
      "| Time to acknowledge | — | incident confirmed → first action by a person |",
      "| Time to publish | — | first failing check → published on the status page |",
      "| Time to resolve | — | first failing check → resolved |",
    ]);
    expect(section(draft, "Timeline")).toEqual(["No events were recorded."]);
    expect(section(draft, "Evidence")).toEqual(["No evidence was recorded."]);
  });

  it("lists several roots and a multi-line name on one line", () => {
    const draft = draftPostmortem(
      input({ incident: { ...baseIncident, name: "Orders\ndatabase", rootIds: ["orders-db", "api"], impactedIds: ["checkout"] }, events: [], updates: [] }),
    );
    expect(draft.split("\n")[0]).toBe("# Postmortem: Orders database");
    expect(section(draft, "Summary")[0]).toMatch(/^Orders database and Production API failed at .* It also affected Checkout\. /);
  });
});
