// The upstreams API of a running Vigil (PGlite, in-process), its providers' feeds served by local feed servers: a
// Statuspage-format feed whose matched component is degraded shows after a refresh, a feed that is down is its own
// state (failing, the error naming the host only), unknown ids are 404, scopes are checked; the upstream shown on the
// status page appears there as a third-party component; and without a watcher the API lists none.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiDeps } from "../../src/api/deps.ts";
import { upstreamRoutes } from "../../src/api/v1/upstreams.ts";
import { startFeedServer, type FeedServer } from "../helpers/feed-server.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

/** A Statuspage summary: a "Databases" group with two regions, `usWest2` the status of the one we use. */
function summary(usWest2: string, incidents: unknown[] = []): string {
  const row = (id: string, name: string, status: string, group: string | null) => ({
    id,
    name,
    status,
    created_at: "2021-03-04T15:05:12.207Z",
    updated_at: "2026-11-27T17:41:02.977Z",
    position: 1,
    description: null,
    showcase: group !== null,
    start_date: null,
    group_id: group,
    page_id: "acme",
    group: false,
    only_show_if_degraded: false,
  });
  return JSON.stringify({
    page: { id: "acme", name: "Acme Cloud", url: "https://status.acmecloud.example", time_zone: "Etc/UTC", updated_at: "2026-11-27T17:52:10.418Z" },
    components: [
      { ...row("grp1", "Databases", usWest2, null), group: true, components: ["db-usw2", "db-euw1"] },
      row("db-usw2", "us-west-2", usWest2, "grp1"),
      row("db-euw1", "eu-west-1", "operational", "grp1"),
      row("api", "REST API", "major_outage", null),
    ],
    incidents,
    scheduled_maintenances: [],
    status: { indicator: "minor", description: "Minor Service Outage" },
  });
}

describe("upstreams through the API", () => {
  let feeds: FeedServer;
  let gone: FeedServer;
  let test: TestVigil;
  const refresh = (body?: unknown) => test.send("POST", "/api/v1/upstreams/refresh", body);
  const byId = (list: any[], id: string) => list.find((u) => u.id === id);

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.set("/acme/api/v2/summary.json", { body: summary("operational"), contentType: "application/json" });
    // A provider whose feed is down from the start: its port closed, connections refused.
    gone = await startFeedServer();
    await gone.down();
    test = await startTestVigil(`
site: { name: Acme Status }
components:
  - id: orders-db
    name: Orders database
    depends_on: [acme-db]
upstreams:
  - id: acme-db
    name: Acme Cloud Databases
    feed: { type: statuspage, url: "${feeds.urlOf("/acme")}" }
    match: { component: Databases, region: Oregon }
    interval: 15m
    show_on_status_page: true
  - id: gone-cdn
    name: Gone CDN
    feed: { type: rss, url: "${gone.urlOf("/feeds/cdn.rss?api_key=s3cret-key")}" }
    interval: 15m
`);
    // The first poll starts with the watcher: wait for it, so each test starts from a read feed.
    await test.vigil.upstreams.idle();
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
    await feeds?.close();
    await gone?.close();
  });

  it("lists every upstream in configuration order, with its status, reason and feed health", async () => {
    const res = await test.get("/api/v1/upstreams");
    expect(res.status).toBe(200);
    expect(res.json.upstreams.map((u: any) => u.id)).toEqual(["acme-db", "gone-cdn"]);
    const acme = byId(res.json.upstreams, "acme-db");
    expect(acme).toMatchObject({
      name: "Acme Cloud Databases",
      status: "operational",
      reason: "Databases / us-west-2 is operational",
      degraded_since: null,
      incident: null,
      matched: ["Databases / us-west-2"],
      show_on_status_page: true,
      feed: { state: "ok", last_error: null, failures: 0 },
    });
    expect(Date.parse(acme.feed.last_success_at)).not.toBeNaN();
    expect(Date.parse(acme.feed.last_success_at)).toBeGreaterThanOrEqual(Date.parse(acme.feed.last_attempt_at));
    expect(Date.parse(acme.feed.next_attempt_at) - Date.parse(acme.feed.last_attempt_at)).toBeGreaterThanOrEqual(15 * 60_000 - 1_000);
  });

  it("shows the matched component degraded after a refresh, since the provider's incident began", async () => {
    // Providers post after the fact: the incident began 20 minutes ago.
    const began = new Date(Math.floor((Date.now() - 20 * 60_000) / 60_000) * 60_000);
    const at = (minutes: number) => new Date(began.getTime() + minutes * 60_000).toISOString();
    feeds.set("/acme/api/v2/summary.json", {
      contentType: "application/json",
      body: summary("degraded_performance", [
        {
          id: "inc1",
          name: "Elevated latency for databases in us-west-2",
          status: "investigating",
          impact: "minor",
          shortlink: "https://stspg.io/inc1",
          started_at: at(0),
          created_at: at(1),
          updated_at: at(10),
          resolved_at: null,
          incident_updates: [{ id: "u1", status: "investigating", body: "We are investigating <b>elevated</b> latency.", created_at: at(1) }],
          components: [{ id: "db-usw2", name: "us-west-2" }],
        },
      ]),
    });
    // The first poll was a moment ago: an operator's refresh reads it again anyway.
    const res = await refresh({ ids: ["acme-db"] });
    expect(res.status).toBe(200);
    const acme = byId(res.json.upstreams, "acme-db");
    expect(acme).toMatchObject({
      status: "degraded_performance",
      reason: `provider reports an incident: Elevated latency for databases in us-west-2 (since ${at(0).slice(11, 16)} UTC)`,
      degraded_since: at(0),
      incident: { title: "Elevated latency for databases in us-west-2", url: "https://stspg.io/inc1", started_at: at(0) },
      matched: ["Databases / us-west-2"],
      feed: { state: "ok", failures: 0 },
    });
    // The read API says the same afterwards.
    expect(byId((await test.get("/api/v1/upstreams")).json.upstreams, "acme-db")).toEqual(acme);
    // A conditional GET (validators are sent back) after the first answer; two reads of the feed in all.
    expect(feeds.requestsTo("/acme/api/v2/summary.json")).toHaveLength(2);
  }, 30_000);

  it("shows an upstream with show_on_status_page on the status page as a third-party component, never the others", async () => {
    await test.vigil.statusPage.refresh();
    const html = await (await fetch(`${test.vigil.url}/`)).text();
    expect(html).toContain("<h3>Third-party services</h3>");
    expect(html).toContain("<h4>Acme Cloud Databases</h4>");
    expect(html).toContain('<p class="component-description">Status reported by the provider</p><p class="bar-legend">Status from the provider</p>');
    expect(html).not.toContain("Gone CDN");
    // Our own component keeps its bar, and the page its status: the provider's trouble is not ours until our checks say so.
    expect(html).toContain('aria-label="Orders database: the last 90 days"');
    const summary = (await (await fetch(`${test.vigil.url}/api/v2/summary.json`)).json()) as any;
    expect(summary.status.indicator).toBe("none");
    expect(summary.components.map((c: any) => [c.id, c.group_id, c.status])).toEqual([
      ["orders-db", null, "operational"],
      ["group-third-party-services", null, "degraded_performance"],
      ["acme-db", "group-third-party-services", "degraded_performance"],
    ]);
    const components = (await (await fetch(`${test.vigil.url}/api/v2/components.json`)).json()) as any;
    expect(components.components).toEqual(summary.components);
    expect((await fetch(`${test.vigil.url}/badges/acme-db.svg`)).status).toBe(200);
    expect((await fetch(`${test.vigil.url}/badges/acme-db/uptime.svg`)).status).toBe(404);
  });

  it("reports a feed that is down as failing, the error naming the host only, the provider not degraded", async () => {
    const res = await test.get("/api/v1/upstreams");
    const down = byId(res.json.upstreams, "gone-cdn");
    expect(down).toMatchObject({
      name: "Gone CDN",
      status: "operational",
      degraded_since: null,
      incident: null,
      show_on_status_page: false,
      feed: { state: "failing", last_success_at: null, failures: 1, last_error: `connection refused by ${gone.host}` },
    });
    expect(JSON.stringify(down)).not.toContain("s3cret");
    expect(JSON.stringify(down)).not.toContain("/feeds/cdn.rss");
  });

  it("refreshes every upstream without a body", async () => {
    const before = byId((await test.get("/api/v1/upstreams")).json.upstreams, "gone-cdn").feed.last_attempt_at;
    const res = await refresh();
    expect(res.status).toBe(200);
    const down = byId(res.json.upstreams, "gone-cdn");
    expect(Date.parse(down.feed.last_attempt_at)).toBeGreaterThan(Date.parse(before));
    expect(down.feed).toMatchObject({ state: "failing", failures: 2 });
  }, 30_000);

  it("answers 404 for unknown ids, naming them, and reads nothing", async () => {
    const requests = feeds.requests.length;
    const res = await refresh({ ids: ["acme-db", "nope", "nada"] });
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: "not_found", message: 'no upstream has the id "nope", "nada"' });
    expect(res.json.error.details).toEqual([
      { path: "body.ids.1", message: 'no upstream has the id "nope"' },
      { path: "body.ids.2", message: 'no upstream has the id "nada"' },
    ]);
    expect(feeds.requests.length).toBe(requests);
  });

  it("refuses a bad body, a read token on refresh, and no token", async () => {
    expect((await refresh({ ids: [] })).status).toBe(400);
    expect((await refresh({ ids: ["acme-db"], extra: true })).status).toBe(400);
    const asReader = await fetch(`${test.vigil.url}/api/v1/upstreams/refresh`, { method: "POST", headers: { authorization: `Bearer ${test.token}` } });
    expect(asReader.status).toBe(403);
    expect((await fetch(`${test.vigil.url}/api/v1/upstreams`)).status).toBe(401);
  });

  it("is described in the OpenAPI document", async () => {
    const doc = (await test.get("/api/v1/openapi.json")).json;
    expect(doc.paths["/api/v1/upstreams"].get.operationId).toBe("listUpstreams");
    expect(doc.paths["/api/v1/upstreams/refresh"].post.operationId).toBe("refreshUpstreams");
  });
});

describe("upstreams through the API, without a watcher", () => {
  // Tests of the API alone build it without `upstreams`: the routes list none and refresh none.
  const [list, refresh] = upstreamRoutes({} as ApiDeps);
  const ctx = { body: undefined, query: undefined, params: undefined, principal: undefined } as any;

  it("lists none, refreshes none, and knows no id", async () => {
    expect(await list!.handler(ctx)).toEqual({ upstreams: [] });
    expect(await refresh!.handler(ctx)).toEqual({ upstreams: [] });
    await expect(refresh!.handler({ ...ctx, body: { ids: ["acme-db"] } })).rejects.toMatchObject({ code: "not_found" });
  });
});
