// A provider's status feed and a real local outage, in a running Vigil: the provider posts an incident on its RSS
// feed before any probe of ours fails (responders are warned), then our database's health check fails; Vigil opens
// ONE incident rooted at the database and marks it "likely upstream" with the provider's incident title and link: on
// the timeline, in the evidence, to the responders, to the public (publish_upstream), and, once resolved, in the
// postmortem draft.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFeedServer, type FeedServer } from "../helpers/feed-server.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const rss = (items: { title: string; description: string; at: Date; guid: string }[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title><![CDATA[Amazon Relational Database Service (Oregon) Service Status]]></title>
<link>https://status.aws.example/</link>
${items
  .map(
    (i) => `<item><title><![CDATA[${i.title}]]></title><link>https://status.aws.example/rds-us-west-2</link><pubDate>${i.at.toUTCString()}</pubDate><guid isPermaLink="false">${i.guid}</guid><description><![CDATA[${i.description}]]></description></item>`,
  )
  .join("\n")}
</channel></rss>`;

let healthy = true;
let target: Server;
let feed: FeedServer;
let sink: HttpSink;
let test: TestVigil;

const config = (port: number) => `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database, monitors: [db-check], depends_on: [aws-rds-us-west-2] }
  - { id: api, name: Production API, depends_on: [orders-db] }
  - { id: mail, name: Mail }
monitors:
  - { id: db-check, type: http, url: "http://127.0.0.1:${port}/db", interval: 1s, timeout: 500ms, recheck: 200ms }
upstreams:
  - id: aws-rds-us-west-2
    name: Amazon RDS (Oregon)
    feed: { type: rss, url: "${feed.urlOf("/rss/rds-us-west-2.rss")}", component: "Amazon RDS (Oregon)" }
    match: { component: "Amazon RDS", region: us-west-2 }
  - id: mail-provider
    name: Mail provider
    feed: { type: rss, url: "${feed.urlOf("/rss/mail.rss")}" }
incidents:
  resolve_after: 1s
  attribution_window: 30m
  publish_upstream: true
notifications:
  grouping: { group_interval: 1s }
  channels:
    - { id: oncall, type: webhook, url: "${sink.url}/hook" }
`;

beforeAll(async () => {
  target = createServer((req, res) => res.writeHead(healthy ? 200 : 503).end());
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  feed = await startFeedServer();
  sink = await startHttpSink();
  feed.set("/rss/rds-us-west-2.rss", { body: rss([]), contentType: "application/rss+xml" });
  feed.set("/rss/mail.rss", { body: rss([]), contentType: "application/rss+xml" });
  test = await startTestVigil(config((target.address() as { port: number }).port));
}, 60_000);

afterAll(async () => {
  await test?.dispose();
  await feed?.close();
  await sink?.close();
  target?.close();
});

const hooks = () => sink.requests.filter((r) => r.path === "/hook").map((r) => r.body as { event: string; title: string; text: string });

describe("likely upstream", () => {
  it("warns of the provider's incident, then marks our incident likely upstream with the provider's title and link", async () => {
    await expect.poll(async () => (await test.get("/api/v1/monitors/db-check")).json.state.status, { timeout: 15_000, interval: 100 }).toBe("up");
    const posted = new Date(Date.now() - 2 * 60_000);
    feed.update("/rss/rds-us-west-2.rss", {
      body: rss([{ title: "Service disruption: Database instances unavailable", description: "We are investigating connectivity issues affecting RDS instances in the US-WEST-2 Region.", at: posted, guid: "rds-usw2-1" }]),
    });
    // As `POST /api/v1/upstreams/refresh` does: read it now, even if it was read a moment ago.
    await test.vigil.upstreams.refresh(["aws-rds-us-west-2"], { force: true });
    // Before any probe of ours fails, the responders hear from the provider.
    await expect.poll(() => hooks().map((h) => h.event), { timeout: 10_000, interval: 100 }).toContain("upstream.degraded");
    const warning = hooks().find((h) => h.event === "upstream.degraded")!;
    expect(warning.title).toBe("[Provider] Amazon RDS (Oregon): partial outage");
    expect(warning.text).toContain("Depending on it: Orders database, Production API.");

    healthy = false;
    await expect.poll(async () => (await test.get("/api/v1/incidents")).json.incidents.length, { timeout: 15_000, interval: 100 }).toBe(1);
    const [incident] = (await test.get("/api/v1/incidents")).json.incidents;
    expect(incident.root_components).toEqual(["orders-db"]);
    const detail = async () => (await test.get(`/api/v1/incidents/${incident.id}`)).json;
    await expect.poll(async () => (await detail()).timeline.map((e: { kind: string }) => e.kind), { timeout: 10_000, interval: 100 }).toContain("incident.upstream_attributed");
    const attributed = (await detail()).timeline.find((e: { kind: string }) => e.kind === "incident.upstream_attributed");
    expect(attributed.data).toMatchObject({ upstream_id: "aws-rds-us-west-2", upstream_name: "Amazon RDS (Oregon)", via: "orders-db", title: "Service disruption: Database instances unavailable", url: "https://status.aws.example/rds-us-west-2" });
    expect(attributed.data.summary).toMatch(/^likely upstream: Amazon RDS \(Oregon\) — provider reports an incident since \d\d:\d\d UTC: Service disruption: Database instances unavailable$/);
    expect((await detail()).evidence).toContainEqual({ component: "orders-db", kind: "upstream", text: `${attributed.data.summary} (https://status.aws.example/rds-us-west-2)` });
    // The mail provider's feed names nothing we depend on for this incident: never attributed.
    expect((await detail()).timeline.filter((e: { kind: string }) => e.kind === "incident.upstream_attributed")).toHaveLength(1);
    // On its own, or batched with the public update that follows it ("Also since the last notification").
    await expect.poll(() => hooks().some((h) => h.title.endsWith(": likely upstream cause") || h.text.includes(": likely upstream cause")), { timeout: 10_000, interval: 100 }).toBe(true);
    // publish_upstream: the public hears it too, in an update of the published incident.
    const updates = (await detail()).updates.map((u: { status: string; body: string }) => [u.status, u.body]);
    expect(updates).toContainEqual([
      "investigating",
      "Our provider Amazon RDS (Oregon) reports: Service disruption: Database instances unavailable. This is the likely cause; we are following their updates (https\\://status.aws.example/rds-us-west-2).",
    ]);

    // Recovery: the incident resolves by policy, and its postmortem draft names the provider.
    healthy = true;
    await expect.poll(async () => (await detail()).status, { timeout: 30_000, interval: 200 }).toBe("resolved");
    const postmortem = (await test.get(`/api/v1/incidents/${incident.id}/postmortem`)).json;
    expect(postmortem.body).toContain("The likely cause is upstream: Amazon RDS (Oregon) reported an incident, Service disruption: Database instances unavailable");
    expect(postmortem.body).toContain("<https://status.aws.example/rds-us-west-2>");
    expect((await test.get("/api/v1/incidents")).json.incidents).toHaveLength(1);
  }, 90_000);
});
