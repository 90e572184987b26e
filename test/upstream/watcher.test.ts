// The upstream watcher against local feed servers, on a PGlite store, time driven by a manual clock and timers:
// status changes become timeline events written with the persisted states, conditional requests, RSS matching by
// component and region, flapping, feeds that are down, broken or oversized (backed off, reported once, the
// provider's status untouched), refresh and reload.
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { backoffDelay, upstreamStatesName, UpstreamWatcher, type UpstreamView } from "../../src/app/upstream/watcher.ts";
import { formatConfigIssues, parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { StoredEvent, Store } from "../../src/store/types.ts";
import { rssFormat } from "../../src/upstream/formats/rss.ts";
import { statuspageFormat } from "../../src/upstream/formats/statuspage.ts";
import { startFeedServer, type FeedServer } from "../helpers/feed-server.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";
import { freshTarget, type StoreTarget } from "../helpers/stores.ts";

const start = "2026-11-27T18:00:00.000Z";
const minute = 60_000;
const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

let target: StoreTarget;
let store: Store;
let server: FeedServer;

beforeAll(async () => {
  target = await freshTarget("pglite");
  store = await openStore({ url: target.url, dataDir: target.dataDir });
  server = await startFeedServer();
}, 60_000);

afterAll(async () => {
  await server?.close();
  await store?.close();
  await target?.dispose();
});

const running: UpstreamWatcher[] = [];
afterEach(async () => {
  for (const w of running.splice(0)) await w.stop();
  vi.restoreAllMocks();
});

function configOf(upstreams: string): VigilConfig {
  const result = parseConfigText(`upstreams:\n${upstreams}`, "test.yaml", {});
  if (!result.ok) throw new Error(formatConfigIssues(result.errors));
  return result.config;
}

/** A watcher over `yaml`'s upstreams, with its clock, timers and a count of onChange calls. */
function harness(yaml: string, clock = new ManualClock(start)) {
  const timers = new ManualTimers(clock);
  let config = configOf(yaml);
  let changes = 0;
  const watcher = new UpstreamWatcher({ store, clock, timers, logger, config: () => config, onChange: () => void changes++ });
  running.push(watcher);
  return {
    clock,
    timers,
    watcher,
    changes: () => changes,
    /** Moves time on by `ms`, then waits for the polls that fell due. */
    async tick(ms: number) {
      await timers.advance(ms);
      await watcher.idle();
    },
    /** Moves time to the upstream's next attempt, then waits for it. */
    async toNext(id: string) {
      const view = this.view(id);
      if (view.feed.nextAttemptAt === null) throw new Error(`${id} has no next attempt`);
      await this.tick(view.feed.nextAttemptAt.getTime() - clock.now().getTime());
    },
    /** Ms until the upstream's next attempt. */
    wait(id: string): number | null {
      const next = this.view(id).feed.nextAttemptAt;
      return next === null ? null : next.getTime() - clock.now().getTime();
    },
    view(id: string): UpstreamView {
      const view = watcher.views().find((v) => v.upstreamId === id);
      if (!view) throw new Error(`no view of ${id}`);
      return view;
    },
    reload(yaml: string) {
      config = configOf(yaml);
      watcher.apply(config);
    },
  };
}

async function eventsOf(subject: string): Promise<StoredEvent[]> {
  return store.events.list({ subject });
}

const kindsOf = async (subject: string) => (await eventsOf(subject)).map((e) => e.kind);

// ---- Feed bodies ----

interface IncidentSpec {
  id: string;
  name: string;
  impact: string;
  status?: string;
  started_at: string;
  resolved_at?: string | null;
  components?: string[];
}

/** A Statuspage summary.json: an "API" group holding "REST API" (with `status`) and "Webhooks"; "Dashboard" alone. */
function summary(status: string, incidents: IncidentSpec[] = []): string {
  return JSON.stringify({
    page: { id: "acme", name: "Acme Cloud", url: "https://status.acme.example" },
    components: [
      { id: "g-api", name: "API", status: "operational", group: true, group_id: null },
      { id: "c-rest", name: "REST API", status, group: false, group_id: "g-api" },
      { id: "c-hooks", name: "Webhooks", status: "operational", group: false, group_id: "g-api" },
      { id: "c-dash", name: "Dashboard", status: "major_outage", group: false, group_id: null },
    ],
    incidents: incidents.map((i) => ({
      id: i.id,
      name: i.name,
      status: i.status ?? "investigating",
      impact: i.impact,
      shortlink: `https://stspg.example/${i.id}`,
      created_at: i.started_at,
      started_at: i.started_at,
      updated_at: i.started_at,
      resolved_at: i.resolved_at ?? null,
      incident_updates: [{ body: "We are <b>investigating</b> elevated error rates." }],
      components: (i.components ?? []).map((name) => ({ name })),
    })),
    scheduled_maintenances: [],
  });
}

const statuspageUpstream = (id: string, path: string, extra = "") => `
  - id: ${id}
    name: Acme REST API
    feed: { type: statuspage, url: "${server.urlOf(path)}" }
    match: { component: REST API }
    interval: 1m
${extra}`;

const summaryPath = (name: string) => `/${name}/api/v2/summary.json`;

// ---- Tests ----

describe("UpstreamWatcher", () => {
  it("turns a Statuspage component's outage into upstream.degraded, its end into upstream.recovered, and survives a restart without repeating them", async () => {
    const path = summaryPath("acme1");
    server.set(path, { body: summary("operational"), contentType: "application/json" });
    const h = harness(statuspageUpstream("acme-rest", "/acme1"));
    await h.watcher.start();
    await h.watcher.idle();
    expect(h.watcher.states()).toEqual([{ upstreamId: "acme-rest", name: "Acme REST API", status: "operational", degradedSince: null, incident: null }]);
    expect(h.view("acme-rest")).toMatchObject({
      reason: "REST API is operational",
      matched: ["REST API"],
      showOnStatusPage: false,
      feed: { state: "ok", failures: 0, lastError: null, lastSuccessAt: new Date(start), lastAttemptAt: new Date(start), nextAttemptAt: new Date(Date.parse(start) + minute) },
    });
    expect(await kindsOf("acme-rest")).toEqual([]);

    // The provider reports an incident that began two minutes before we look.
    const began = "2026-11-27T17:59:00.000Z";
    server.set(path, { body: summary("partial_outage", [{ id: "inc1", name: "Elevated error rates", impact: "major", started_at: began, components: ["REST API"] }]), contentType: "application/json" });
    await h.tick(minute);
    const degradedAt = h.clock.now();
    const [degraded] = await eventsOf("acme-rest");
    expect(degraded).toMatchObject({
      kind: "upstream.degraded",
      actor: "system",
      at: degradedAt,
      data: {
        name: "Acme REST API",
        status: "partial_outage",
        previous: "operational",
        reason: "provider reports an incident: Elevated error rates (since 17:59 UTC)",
        since: began,
        incident: { title: "Elevated error rates", url: "https://stspg.example/inc1", started_at: began },
        warn: true,
      },
    });
    expect(h.watcher.states()).toEqual([
      { upstreamId: "acme-rest", name: "Acme REST API", status: "partial_outage", degradedSince: new Date(began), incident: { title: "Elevated error rates", url: "https://stspg.example/inc1", startedAt: new Date(began) } },
    ]);
    expect(h.view("acme-rest").reason).toBe("provider reports an incident: Elevated error rates (since 17:59 UTC)");
    expect(h.changes()).toBeGreaterThanOrEqual(2);

    // Persisted with ISO dates, with the feed's health.
    const stored = (await store.state.get(upstreamStatesName)) as any;
    expect(stored.upstreams["acme-rest"]).toMatchObject({
      state: { status: "partial_outage", degraded_since: began, incident: { title: "Elevated error rates", url: "https://stspg.example/inc1", started_at: began } },
      feed: { state: "ok", failures: 0, last_success_at: degradedAt.toISOString() },
    });

    // A restart: a new watcher loads the states; the same degradation is not announced again.
    await h.watcher.stop();
    const again = harness(statuspageUpstream("acme-rest", "/acme1"), new ManualClock(Date.parse(start) + 5 * minute));
    await again.watcher.start();
    expect(again.watcher.states()[0]).toMatchObject({ status: "partial_outage", degradedSince: new Date(began) });
    await again.watcher.idle();
    expect(await kindsOf("acme-rest")).toEqual(["upstream.degraded"]);
    expect(again.watcher.states()[0]).toMatchObject({ status: "partial_outage", degradedSince: new Date(began) });

    // The provider resolves it.
    server.set(path, { body: summary("operational", [{ id: "inc1", name: "Elevated error rates", impact: "major", status: "resolved", started_at: began, resolved_at: "2026-11-27T18:05:30.000Z" }]), contentType: "application/json" });
    const changesBefore = again.changes();
    await again.tick(minute);
    const events = await eventsOf("acme-rest");
    expect(events.map((e) => e.kind)).toEqual(["upstream.degraded", "upstream.recovered"]);
    expect(events[1]!.data).toEqual({ name: "Acme REST API", status: "operational", previous: "partial_outage", reason: "REST API is operational", warn: true });
    expect(again.watcher.states()[0]).toEqual({ upstreamId: "acme-rest", name: "Acme REST API", status: "operational", degradedSince: null, incident: null });
    expect(again.changes()).toBe(changesBefore + 1);
  });

  it("sends the validators back: a 304 keeps the state and costs no parse; a new body is read again", async () => {
    const path = summaryPath("acme2");
    const lastModified = "Fri, 27 Nov 2026 17:50:00 GMT";
    server.set(path, { body: summary("degraded_performance"), etag: '"v1"', lastModified, contentType: "application/json" });
    const parse = vi.spyOn(statuspageFormat, "parse");
    const h = harness(statuspageUpstream("acme-cond", "/acme2"));
    await h.watcher.start();
    await h.watcher.idle();
    expect(parse).toHaveBeenCalledTimes(1);
    const first = h.watcher.states()[0]!;
    expect(first).toMatchObject({ status: "degraded_performance", degradedSince: new Date(start) });

    await h.tick(minute);
    const [r1, r2] = server.requestsTo(path);
    expect(r1).toMatchObject({ ifNoneMatch: null, ifModifiedSince: null, status: 200 });
    expect(r1!.accept).toContain("application/json");
    expect(r2).toMatchObject({ ifNoneMatch: '"v1"', ifModifiedSince: lastModified, status: 304 });
    expect(parse).toHaveBeenCalledTimes(1);
    expect(h.watcher.states()[0]).toEqual(first);
    expect(h.view("acme-cond").feed).toMatchObject({ state: "ok", failures: 0, lastSuccessAt: h.clock.now() });
    expect(await kindsOf("acme-cond")).toEqual(["upstream.degraded"]);

    // A Last-Modified alone is sent back as If-Modified-Since.
    server.set(path, { body: summary("major_outage"), lastModified: "Fri, 27 Nov 2026 18:01:00 GMT", contentType: "application/json" });
    await h.tick(minute);
    expect(server.requestsTo(path).at(-1)).toMatchObject({ ifNoneMatch: '"v1"', ifModifiedSince: lastModified, status: 200 });
    expect(parse).toHaveBeenCalledTimes(2);
    expect(h.watcher.states()[0]!.status).toBe("major_outage");
    await h.tick(minute);
    expect(server.requestsTo(path).at(-1)).toMatchObject({ ifNoneMatch: null, ifModifiedSince: "Fri, 27 Nov 2026 18:01:00 GMT", status: 304 });
    expect(parse).toHaveBeenCalledTimes(2);
    // Worse while degraded: announced, the degradation still dated from its start.
    const events = await eventsOf("acme-cond");
    expect(events.map((e) => [e.kind, e.data["status"], e.data["previous"], e.data["since"]])).toEqual([
      ["upstream.degraded", "degraded_performance", null, start],
      ["upstream.degraded", "major_outage", "degraded_performance", start],
    ]);
  });

  it("finds an AWS RSS item about Amazon RDS (Oregon) by component and region, with the incident's title and link", async () => {
    const path = "/aws/all.rss";
    const item = (title: string, description: string, link: string, at: string, guid: string) =>
      `<item><title><![CDATA[${title}]]></title><link>${link}</link><pubDate>${at}</pubDate><guid isPermaLink="false">${guid}</guid><description><![CDATA[${description}]]></description></item>`;
    const rss = (items: string[]) =>
      `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>AWS Service Health Dashboard</title><link>https://health.aws.example/</link>${items.join("")}</channel></rss>`;
    const rds = item(
      "Amazon RDS (Oregon): Service disruption",
      "Some database instances in a single Availability Zone are <i>unavailable</i>.",
      "https://health.aws.example/rds-us-west-2/1",
      "Fri, 27 Nov 2026 17:40:00 GMT",
      "rds-us-west-2_1",
    );
    const ec2 = item("Amazon EC2 (N. Virginia): Increased API error rates", "We are investigating.", "https://health.aws.example/ec2-us-east-1/1", "Fri, 27 Nov 2026 17:30:00 GMT", "ec2-us-east-1_1");
    server.set(path, { body: rss([ec2]), contentType: "application/rss+xml" });
    const h = harness(`
  - id: aws-rds-us-west-2
    name: Amazon RDS (Oregon)
    feed: { type: rss, url: "${server.urlOf(path)}" }
    match: { component: Amazon RDS, region: us-west-2 }
    interval: 5m
    warn: false
    show_on_status_page: true
`);
    await h.watcher.start();
    await h.watcher.idle();
    // Only EC2 in Virginia: nothing of ours.
    expect(h.watcher.states()[0]!.status).toBe("operational");
    expect(server.requestsTo(path)[0]!.accept).toContain("application/rss+xml");

    server.set(path, { body: rss([rds, ec2]), contentType: "application/rss+xml" });
    await h.tick(5 * minute);
    expect(h.watcher.states()[0]).toEqual({
      upstreamId: "aws-rds-us-west-2",
      name: "Amazon RDS (Oregon)",
      status: "partial_outage",
      degradedSince: new Date("2026-11-27T17:40:00Z"),
      incident: { title: "Amazon RDS (Oregon): Service disruption", url: "https://health.aws.example/rds-us-west-2/1", startedAt: new Date("2026-11-27T17:40:00Z") },
    });
    expect(h.view("aws-rds-us-west-2")).toMatchObject({ showOnStatusPage: true, reason: "provider reports an incident: Amazon RDS (Oregon): Service disruption (since 17:40 UTC)" });
    const [event] = await eventsOf("aws-rds-us-west-2");
    expect(event!.data).toMatchObject({
      status: "partial_outage",
      incident: { title: "Amazon RDS (Oregon): Service disruption", url: "https://health.aws.example/rds-us-west-2/1", started_at: "2026-11-27T17:40:00.000Z" },
      warn: false,
    });
  });

  it("announces each turn of a flapping feed, dating the degradation from the latest one", async () => {
    const path = summaryPath("acme3");
    const h = harness(statuspageUpstream("acme-flap", "/acme3"));
    server.set(path, { body: summary("degraded_performance") });
    await h.watcher.start();
    await h.watcher.idle();
    const firstTurn = h.clock.now();
    server.set(path, { body: summary("operational") });
    await h.tick(minute);
    server.set(path, { body: summary("degraded_performance") });
    await h.tick(minute);
    const secondTurn = h.clock.now();
    await h.tick(minute);
    expect(h.watcher.states()[0]).toMatchObject({ status: "degraded_performance", degradedSince: secondTurn });
    const events = await eventsOf("acme-flap");
    expect(events.map((e) => [e.kind, e.data["since"] ?? null])).toEqual([
      ["upstream.degraded", firstTurn.toISOString()],
      ["upstream.recovered", null],
      ["upstream.degraded", secondTurn.toISOString()],
    ]);
  });

  it("backs off a feed that is down or failing, reports it once, keeps the provider's status, and reports its recovery", async () => {
    const feeds = await startFeedServer();
    try {
      const path = summaryPath("acme4");
      feeds.set(path, { body: summary("partial_outage") });
      const h = harness(`
  - id: acme-down
    name: Acme REST API
    feed: { type: statuspage, url: "${feeds.urlOf("/acme4")}" }
    match: { component: REST API }
    interval: 1m
    timeout: 5s
`);
      await h.watcher.start();
      await h.watcher.idle();
      const read = h.watcher.states()[0]!;
      expect(read.status).toBe("partial_outage");
      const lastSuccess = h.clock.now();

      await feeds.down();
      await h.toNext("acme-down");
      expect(h.view("acme-down").feed).toMatchObject({ state: "ok", failures: 1, lastError: `connection refused by ${feeds.host}`, lastSuccessAt: lastSuccess });
      expect(h.wait("acme-down")).toBe(minute);
      await h.toNext("acme-down");
      expect(h.view("acme-down").feed).toMatchObject({ state: "ok", failures: 2 });
      expect(h.wait("acme-down")).toBe(2 * minute);
      expect(await kindsOf("acme-down")).toEqual(["upstream.degraded"]);

      // Back, but answering 500: the third failure in a row makes it failing.
      await feeds.up();
      feeds.set(path, { status: 500, body: "<html>oops</html>" });
      await h.toNext("acme-down");
      expect(h.view("acme-down").feed).toMatchObject({ state: "failing", failures: 3, lastError: `${feeds.host} answered HTTP 500` });
      expect(h.wait("acme-down")).toBe(4 * minute);
      const failing = (await eventsOf("acme-down")).filter((e) => e.kind === "upstream.feed_failing");
      expect(failing.map((e) => e.data)).toEqual([{ name: "Acme REST API", error: `${feeds.host} answered HTTP 500`, failures: 3, last_success_at: lastSuccess.toISOString() }]);

      const waits: (number | null)[] = [];
      for (let i = 0; i < 3; i++) {
        await h.toNext("acme-down");
        waits.push(h.wait("acme-down"));
      }
      expect(waits).toEqual([8 * minute, 15 * minute, 15 * minute]);
      expect(h.view("acme-down").feed).toMatchObject({ state: "failing", failures: 6 });
      // Reported once; the provider's status is what it last read.
      expect(await kindsOf("acme-down")).toEqual(["upstream.degraded", "upstream.feed_failing"]);
      expect(h.watcher.states()[0]).toEqual(read);
      expect(((await store.state.get(upstreamStatesName)) as any).upstreams["acme-down"].feed).toMatchObject({ state: "failing", failures: 6 });

      feeds.set(path, { body: summary("partial_outage") });
      await h.toNext("acme-down");
      expect(h.view("acme-down").feed).toMatchObject({ state: "ok", failures: 0, lastError: null, lastSuccessAt: h.clock.now() });
      expect(h.wait("acme-down")).toBe(minute);
      const events = await eventsOf("acme-down");
      expect(events.map((e) => e.kind)).toEqual(["upstream.degraded", "upstream.feed_failing", "upstream.feed_recovered"]);
      expect(events[2]!.data).toMatchObject({ name: "Acme REST API", failures: 6 });
      expect(h.watcher.states()[0]).toEqual(read);
      expect(feeds.requestsTo(path).map((r) => r.status)).toEqual([200, 500, 500, 500, 500, 200]);
    } finally {
      await feeds.close();
    }
  });

  it("reports a feed that never read as failing at its first failure, the upstream operational", async () => {
    const feeds = await startFeedServer();
    await feeds.down();
    const h = harness(`
  - id: acme-never
    name: Acme REST API
    feed: { type: statuspage, url: "${feeds.urlOf("/acme")}" }
`);
    await h.watcher.start();
    await h.watcher.idle();
    expect(h.view("acme-never")).toMatchObject({ status: "operational", degradedSince: null, reason: "the feed has not been read yet", feed: { state: "failing", failures: 1, lastSuccessAt: null } });
    const events = await eventsOf("acme-never");
    expect(events.map((e) => e.data)).toEqual([{ name: "Acme REST API", error: `connection refused by ${feeds.host}`, failures: 1, last_success_at: null }]);
    await feeds.close();
  });

  it("reports malformed XML and an oversized body on the feed's health, harms nothing else, and keeps polling", async () => {
    const rssPath = "/broken.rss";
    const bigPath = summaryPath("big");
    const goodPath = summaryPath("good");
    server.set(rssPath, { body: `<?xml version="1.0"?><rss version="2.0"><channel><title>Secret-ish</title><item><title>x</title></channel></rss>` });
    server.set(bigPath, { hugeBytes: 3 * 1024 * 1024 });
    server.set(goodPath, { body: summary("partial_outage") });
    const rssParse = vi.spyOn(rssFormat, "parse");
    const h = harness(`
  - id: broken-rss
    name: Broken RSS
    feed: { type: rss, url: "${server.urlOf(rssPath)}" }
  - id: big-feed
    name: Big feed
    feed: { type: statuspage, url: "${server.urlOf("/big")}" }
    match: { component: REST API }
    interval: 1m
  - id: good-feed
    name: Good feed
    feed: { type: statuspage, url: "${server.urlOf("/good")}" }
    match: { component: REST API }
`);
    await h.watcher.start();
    await h.watcher.idle();
    const broken = h.view("broken-rss").feed;
    expect(broken.state).toBe("failing");
    expect(broken.lastError).toMatch(/^the feed could not be read: expected an RSS feed, but the body is not well-formed XML: .*\(line 1, column \d+\)$/);
    expect(broken.lastError).not.toContain("Secret-ish");
    expect(rssParse).toHaveBeenCalledTimes(1);
    expect(h.view("big-feed").feed).toMatchObject({ state: "failing", lastError: `${server.host} sent more than 2 MiB; a feed may have at most that` });
    // Declared up front: refused without reading it.
    server.set(bigPath, { hugeBytes: 3 * 1024 * 1024, declareLength: true });
    await h.toNext("big-feed");
    expect(h.view("big-feed").feed).toMatchObject({ failures: 2, lastError: `${server.host} sent ${3 * 1024 * 1024} bytes; a feed may have at most 2 MiB` });
    expect(h.view("good-feed")).toMatchObject({ status: "partial_outage", feed: { state: "ok" } });
    expect(h.view("broken-rss")).toMatchObject({ status: "operational", degradedSince: null });
    expect(h.view("big-feed")).toMatchObject({ status: "operational", degradedSince: null });
    expect(await kindsOf("good-feed")).toEqual(["upstream.degraded"]);
    expect(await kindsOf("broken-rss")).toEqual(["upstream.feed_failing"]);
    expect(await kindsOf("big-feed")).toEqual(["upstream.feed_failing"]);

    // Fixed: read at the next attempt (the broken body's validators were not kept).
    server.set(rssPath, { body: `<?xml version="1.0"?><rss version="2.0"><channel><title>Fixed</title></channel></rss>` });
    server.set(bigPath, { body: summary("operational") });
    await h.toNext("broken-rss");
    await h.toNext("big-feed");
    expect(h.view("broken-rss").feed).toMatchObject({ state: "ok", failures: 0, lastError: null });
    expect(h.view("big-feed").feed).toMatchObject({ state: "ok", failures: 0 });
    expect(await kindsOf("broken-rss")).toEqual(["upstream.feed_failing", "upstream.feed_recovered"]);
    expect(await kindsOf("big-feed")).toEqual(["upstream.feed_failing", "upstream.feed_recovered"]);
  });

  it("refreshes at once on request, skipping an upstream attempted in the last 5 s, and shares a poll in flight", async () => {
    const a = summaryPath("refresh-a");
    const b = summaryPath("refresh-b");
    server.set(a, { body: summary("operational") });
    server.set(b, { body: summary("operational") });
    const h = harness(`${statuspageUpstream("refresh-a", "/refresh-a")}${statuspageUpstream("refresh-b", "/refresh-b")}`);
    await h.watcher.start();
    await h.watcher.idle();
    expect([server.requestsTo(a).length, server.requestsTo(b).length]).toEqual([1, 1]);

    await h.tick(4_000);
    await h.watcher.refresh(["refresh-a"]);
    expect(server.requestsTo(a).length).toBe(1);

    await h.tick(2_000);
    server.set(a, { body: summary("major_outage") });
    await h.watcher.refresh(["refresh-a", "unknown"]);
    expect([server.requestsTo(a).length, server.requestsTo(b).length]).toEqual([2, 1]);
    expect(h.watcher.states()[0]!.status).toBe("major_outage");
    // The next attempt counts from the refresh.
    expect(h.wait("refresh-a")).toBe(minute);
    expect(h.wait("refresh-b")).toBe(minute - 6_000);

    // Two refreshes while a slow poll is in flight: one request.
    await h.tick(10_000);
    server.update(b, { delayMs: 300 });
    const first = h.watcher.refresh();
    const second = h.watcher.refresh(["refresh-b"]);
    await Promise.all([first, second]);
    expect([server.requestsTo(a).length, server.requestsTo(b).length]).toEqual([3, 2]);
    expect(h.view("refresh-b").feed.lastAttemptAt).toEqual(h.clock.now());
  });

  it("restarts an upstream whose config changed, starts a new one, and stops and forgets a removed one", async () => {
    const one = summaryPath("apply-one");
    const two = summaryPath("apply-two");
    const moved = summaryPath("apply-moved");
    server.set(one, { body: summary("partial_outage"), etag: '"one"' });
    server.set(two, { body: summary("operational") });
    server.set(moved, { body: summary("partial_outage") });
    const upstreamTwo = statuspageUpstream("apply-two", "/apply-two");
    const h = harness(`${statuspageUpstream("apply-one", "/apply-one")}${upstreamTwo}`);
    await h.watcher.start();
    await h.watcher.idle();
    const changes = h.changes();

    // A longer interval: polled at once, then at the new interval; same config: untouched.
    await h.tick(10_000);
    h.reload(`${statuspageUpstream("apply-one", "/apply-one").replace("interval: 1m", "interval: 2m")}${upstreamTwo}`);
    await h.watcher.idle();
    expect([server.requestsTo(one).length, server.requestsTo(two).length]).toEqual([2, 1]);
    // Its cached reading and validators were dropped: an unconditional GET.
    expect(server.requestsTo(one).at(-1)!.ifNoneMatch).toBeNull();
    expect(h.wait("apply-one")).toBe(2 * minute);
    expect(h.wait("apply-two")).toBe(minute - 10_000);
    // Still degraded: not announced again.
    expect(await kindsOf("apply-one")).toEqual(["upstream.degraded"]);
    expect(h.changes()).toBeGreaterThan(changes);

    // A new URL: polled at once; the old one is not asked again.
    h.reload(`${statuspageUpstream("apply-one", "/apply-moved").replace("interval: 1m", "interval: 2m")}${upstreamTwo}`);
    await h.watcher.idle();
    expect(server.requestsTo(moved).length).toBe(1);
    await h.tick(5 * minute);
    expect(server.requestsTo(one).length).toBe(2);
    expect(server.requestsTo(moved).length).toBeGreaterThan(1);

    // Removed: no longer polled, shown or stored; a new one is polled at once.
    const polledTwo = server.requestsTo(two).length;
    h.reload(`${statuspageUpstream("apply-one", "/apply-moved").replace("interval: 1m", "interval: 2m")}${statuspageUpstream("apply-three", "/apply-two")}`);
    await h.watcher.idle();
    expect(server.requestsTo(two).length).toBe(polledTwo + 1);
    expect(h.watcher.states().map((s) => s.upstreamId)).toEqual(["apply-one", "apply-three"]);
    expect(h.watcher.views().map((v) => v.upstreamId)).toEqual(["apply-one", "apply-three"]);
    expect(Object.keys(((await store.state.get(upstreamStatesName)) as any).upstreams).sort()).toEqual(["apply-one", "apply-three"]);
    await h.tick(3 * minute);
    // Only apply-three asks /apply-two now: one request a minute.
    expect(server.requestsTo(two).length).toBe(polledTwo + 4);
  });

  it("writes the events and the states in one transaction: when it fails, nothing is taken and the next poll announces the change", async () => {
    const path = summaryPath("flaky");
    server.set(path, { body: summary("operational"), etag: '"a"' });
    let failNext = false;
    const flaky: Store = {
      ...store,
      transaction: (fn) => {
        if (!failNext) return store.transaction(fn);
        failNext = false;
        return Promise.reject(new Error("the database is unavailable"));
      },
    };
    const clock = new ManualClock(start);
    const timers = new ManualTimers(clock);
    let changes = 0;
    const config = configOf(statuspageUpstream("flaky-store", "/flaky"));
    const watcher = new UpstreamWatcher({ store: flaky, clock, timers, logger, config: () => config, onChange: () => void changes++ });
    running.push(watcher);
    await watcher.start();
    await watcher.idle();
    const changesBefore = changes;

    server.set(path, { body: summary("major_outage"), etag: '"b"' });
    failNext = true;
    await timers.advance(minute);
    await watcher.idle();
    expect(watcher.states()[0]!.status).toBe("operational");
    expect(await kindsOf("flaky-store")).toEqual([]);
    expect(((await store.state.get(upstreamStatesName)) as any).upstreams["flaky-store"].state.status).toBe("operational");
    expect(changes).toBe(changesBefore);

    // The next poll (a 304: the reading was kept) announces it, once.
    await timers.advance(minute);
    await watcher.idle();
    expect(server.requestsTo(path).at(-1)!.status).toBe(304);
    expect(watcher.states()[0]).toMatchObject({ status: "major_outage", degradedSince: clock.now() });
    expect(await kindsOf("flaky-store")).toEqual(["upstream.degraded"]);
    expect(((await store.state.get(upstreamStatesName)) as any).upstreams["flaky-store"].state.status).toBe("major_outage");
    expect(changes).toBe(changesBefore + 1);
  });

  it("restarts an upstream reconfigured while its poll is in flight: the old request is cancelled and its reading never taken", async () => {
    const slow = summaryPath("inflight-old");
    const fresh = summaryPath("inflight-new");
    server.set(slow, { body: summary("operational") });
    server.set(fresh, { body: summary("operational") });
    const h = harness(statuspageUpstream("inflight", "/inflight-old"));
    await h.watcher.start();
    await h.watcher.idle();

    server.set(slow, { body: summary("major_outage"), delayMs: 1_000 });
    await h.timers.advance(minute);
    await vi.waitFor(() => expect(server.requestsTo(slow)).toHaveLength(2));
    h.reload(statuspageUpstream("inflight", "/inflight-new"));
    await h.watcher.idle();
    expect(server.requestsTo(fresh)).toHaveLength(1);
    expect(h.watcher.states()[0]!.status).toBe("operational");
    expect(h.view("inflight").feed).toMatchObject({ state: "ok", failures: 0 });
    expect(await kindsOf("inflight")).toEqual([]);
    expect(h.wait("inflight")).toBe(minute);
  });

  it("stops: no timer left, the request in flight cancelled and not counted as a failure", async () => {
    const path = summaryPath("slow");
    server.set(path, { body: summary("operational"), delayMs: 2_000 });
    const h = harness(statuspageUpstream("slow-feed", "/slow"));
    await h.watcher.start();
    await vi.waitFor(() => expect(server.requestsTo(path)).toHaveLength(1));
    const began = Date.now();
    await h.watcher.stop();
    expect(Date.now() - began).toBeLessThan(1_500);
    expect(h.timers.pending).toBe(0);
    expect(h.view("slow-feed").feed).toMatchObject({ state: "pending", failures: 0, lastError: null, nextAttemptAt: null });
    expect(await kindsOf("slow-feed")).toEqual([]);
    await h.watcher.refresh();
    expect(server.requestsTo(path).length).toBe(1);
  });
});

describe("backoffDelay", () => {
  it("doubles from the interval after each failure, up to max(interval, 15 min)", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 40].map((n) => backoffDelay(minute, n))).toEqual([minute, minute, 2 * minute, 4 * minute, 8 * minute, 15 * minute, 15 * minute, 15 * minute]);
    expect([1, 2, 3].map((n) => backoffDelay(20 * minute, n))).toEqual([20 * minute, 20 * minute, 20 * minute]);
  });
});
