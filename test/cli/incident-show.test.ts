// `vigil incident show` as a responder runs it at 3 a.m.: the real CLI process against a running Vigil, on an
// incident opened for real (our database's health check fails while its provider's feed reports an incident):
// the root, the impact, the evidence, the likely upstream cause, the timeline in time order, the updates; and
// `--json`, the API's incident object with its timeline.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVigil } from "../helpers/cli.ts";
import { startFeedServer, type FeedServer } from "../helpers/feed-server.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const rss = (items: { title: string; at: Date; guid: string }[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Amazon RDS (Oregon) Service Status</title><link>https://status.aws.example/</link>
${items.map((i) => `<item><title>${i.title}</title><link>https://status.aws.example/rds-us-west-2</link><pubDate>${i.at.toUTCString()}</pubDate><guid isPermaLink="false">${i.guid}</guid><description>Connectivity issues in US-WEST-2.</description></item>`).join("\n")}
</channel></rss>`;

let healthy = true;
let target: Server;
let feed: FeedServer;
let test: TestVigil;

const config = (port: number) => `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database, monitors: [db-check], depends_on: [aws-rds] }
  - { id: api, name: Production API, depends_on: [orders-db] }
monitors:
  - { id: db-check, type: http, url: "http://127.0.0.1:${port}/db", interval: 1s, timeout: 500ms, recheck: 200ms }
upstreams:
  - id: aws-rds
    name: Amazon RDS (Oregon)
    feed: { type: rss, url: "${feed.urlOf("/rds.rss")}" }
incidents:
  attribution_window: 30m
`;

interface Detail {
  id: string;
  status: string;
  root_components: string[];
  impacted_components: string[];
  started_at: string;
  updates: { status: string; body: string }[];
  evidence: { component: string; kind: string; text: string }[];
  timeline: { at: string; kind: string; data: Record<string, unknown> }[];
}

beforeAll(async () => {
  target = createServer((_req, res) => res.writeHead(healthy ? 200 : 503).end());
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  feed = await startFeedServer();
  feed.set("/rds.rss", { body: rss([]), contentType: "application/rss+xml" });
  test = await startTestVigil(config((target.address() as { port: number }).port));
}, 120_000);

afterAll(async () => {
  await test?.dispose();
  await feed?.close();
  target?.close();
});

describe("vigil incident show", () => {
  let detail: Detail;
  const cli = (args: string[]) => runVigil(args, { env: { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.token } });

  beforeAll(async () => {
    for (let i = 0; i < 150 && (await test.get("/api/v1/monitors/db-check")).json.state?.status !== "up"; i++) await new Promise((r) => setTimeout(r, 100));
    feed.update("/rds.rss", { body: rss([{ title: "Service disruption: Database instances unavailable", at: new Date(Date.now() - 60_000), guid: "rds-1" }]) });
    await test.vigil.upstreams.refresh(["aws-rds"], { force: true });
    healthy = false;
    for (let i = 0; i < 300; i++) {
      const [incident] = (await test.get("/api/v1/incidents")).json.incidents as { id: string }[];
      if (incident) {
        detail = (await test.get(`/api/v1/incidents/${incident.id}`)).json as Detail;
        if (detail.timeline.some((e) => e.kind === "incident.upstream_attributed") && detail.evidence.some((e) => e.kind === "error")) break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(detail?.timeline.map((e) => e.kind)).toContain("incident.upstream_attributed");
  }, 120_000);

  it("prints the root, impact, evidence, attribution, the timeline in time order and the updates", async () => {
    const res = await cli(["incident", "show", detail.id]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const out = res.stdout;
    expect(out.split("\n")[0]).toMatch(new RegExp(`^${detail.id} {2}investigating {2}`));
    expect(out).toContain("\nRoot:         Orders database (orders-db)\n");
    expect(out).toMatch(/\nImpact: {7}\w+; also affects Production API \(api\)\n/);
    expect(out).toMatch(/\nStarted: {6}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(out).toContain("\nResolved:     not yet\n");
    const section = (title: string) => out.split(`\n${title}\n`)[1]?.split("\n\n")[0] ?? "";
    expect(section("Evidence:")).toContain("  - Orders database failing: ");
    expect(section("Attribution:")).toMatch(/^ {2}- likely upstream: Amazon RDS \(Oregon\) — provider reports an incident since \d\d:\d\d UTC: Service disruption: Database instances unavailable \(https:\/\/status\.aws\.example\/rds-us-west-2\)$/m);

    // The timeline: every event, in time order, each with its time and offset from the start.
    const timeline = section("Timeline (UTC, + from the start):").split("\n");
    expect(timeline).toHaveLength(detail.timeline.length);
    const times = timeline.map((l) => /^ {2}(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) {2}([+-]\S+(?: \S+)?) +\S/.exec(l)?.[1]);
    expect(times.every((t) => t !== undefined)).toBe(true);
    expect([...times].sort()).toEqual(times);
    expect(timeline[0]).toMatch(/ {2}Incident opened: Orders database down/);
    expect(timeline.some((l) => /Likely upstream: Amazon RDS \(Oregon\)/i.test(l))).toBe(true);

    expect(out).toMatch(/\nUpdates:\n\n\S+Z {2}investigating {2}\(system\)\n {2}\S/);
  }, 60_000);

  it("prints the API's incident object with its timeline as JSON", async () => {
    const res = await cli(["incident", "show", detail.id, "--json"]);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as Detail;
    const api = (await test.get(`/api/v1/incidents/${detail.id}`)).json as Detail;
    expect(json).toEqual(api);
    expect(json.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(["incident.created", "incident.upstream_attributed"]));
    expect(json.evidence.some((e) => e.kind === "upstream")).toBe(true);
  }, 60_000);
});
