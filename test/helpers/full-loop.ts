/**
 * The parts of the full-loop test (test/e2e/full-loop.test.ts) that are not Vigil: a "Production API" whose health is
 * its database's, a provider's RSS feed in AWS Health's shape, the Vigil configuration tying them together, a
 * background poller that notes when each milestone is first seen, and the timings report.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import path from "node:path";

/** Whether something accepts connections on `port` of 127.0.0.1. */
export function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, timeout: 300 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

/** The "Production API": `/health` answers 200 when its database accepts connections, 503 otherwise. */
export async function startProductionApi(dbPort: number): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url !== "/health") return void res.writeHead(404).end();
    void reachable(dbPort).then((up) => res.writeHead(up ? 200 : 503, { "content-type": "text/plain" }).end(up ? "ok" : "database unreachable"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface FeedItemSpec {
  title: string;
  description: string;
  at: Date;
  guid: string;
}

/** An AWS Health RSS feed for Amazon RDS in us-west-2 (Oregon), as status.aws.amazon.com publishes it. */
export function rdsOregonRss(items: readonly FeedItemSpec[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title><![CDATA[Amazon Relational Database Service (Oregon) Service Status]]></title>
<link>https://status.aws.example/</link>
<language>en-us</language>
<generator>AWS Service Health Dashboard RSS Generator</generator>
${items
  .map(
    (i) =>
      `<item><title><![CDATA[${i.title}]]></title><link>https://status.aws.example/rds-us-west-2</link><pubDate>${i.at.toUTCString()}</pubDate><guid isPermaLink="false">${i.guid}</guid><description><![CDATA[${i.description}]]></description></item>`,
  )
  .join("\n")}
</channel></rss>`;
}

/** An incident that the provider closed hours ago: the feed as it is before the outage (nothing open). */
export function earlierResolvedThread(now: number): FeedItemSpec[] {
  return [
    {
      title: "Informational message: Increased API Error Rates",
      description: "We are investigating increased error rates for the CreateDBInstance and ModifyDBInstance APIs in the US-WEST-2 Region.",
      at: new Date(now - 5 * 3_600_000),
      guid: "https://status.aws.example/#rds-us-west-2_1",
    },
    {
      title: "Service is operating normally: [RESOLVED] Increased API Error Rates",
      description: "Between 5:02 AM and 6:24 AM PST we experienced increased error rates for the CreateDBInstance and ModifyDBInstance APIs in the US-WEST-2 Region. The issue has been resolved and the service is operating normally.",
      at: new Date(now - 4 * 3_600_000),
      guid: "https://status.aws.example/#rds-us-west-2_2",
    },
  ];
}

/** The provider's incident, posted when our database starts crashing. */
export const providerIncident = {
  title: "Service disruption: Database instances unavailable",
  description:
    "We are investigating connectivity issues affecting some RDS database instances in a single Availability Zone (usw2-az2) in the US-WEST-2 Region. Affected instances are unavailable.",
  url: "https://status.aws.example/rds-us-west-2",
};

export const intervalMs = 2_000;
export const recheckMs = 200;
export const oncallAddress = "oncall@example.com";
export const subscriberAddress = "customer@example.com";

/** The whole Vigil configuration of the scenario. */
export function fullLoopConfig(o: { dbUrl: string; apiUrl: string; feedUrl: string; hookUrl: string; smtpPort: number }): string {
  return `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database, group: Infrastructure, monitors: [orders-db-mysql], depends_on: [aws-rds-us-west-2] }
  - { id: api, name: Production API, depends_on: [orders-db], monitors: [api-health] }
  - { id: checkout, name: Checkout, depends_on: [api] }
  - { id: relay, name: Relay, depends_on: [api] }
  - { id: dashboards, name: Dashboards, depends_on: [api] }
  - { id: connect, name: Connect, depends_on: [api] }
monitors:
  - { id: orders-db-mysql, type: mysql, url: "${o.dbUrl}", interval: ${intervalMs / 1000}s, timeout: 1s, recheck: ${recheckMs}ms }
  - { id: api-health, type: http, url: "${o.apiUrl}/health", interval: ${intervalMs / 1000}s, timeout: 1s, recheck: ${recheckMs}ms }
upstreams:
  - id: aws-rds-us-west-2
    name: Amazon RDS (Oregon)
    feed: { type: rss, url: "${o.feedUrl}", component: "Amazon RDS (Oregon)" }
    match: { component: "Amazon RDS", region: us-west-2 }
    interval: 15s
incidents:
  resolve_after: 5s
  public_evidence: true
notifications:
  grouping: { group_interval: 1s }
  channels:
    - { id: oncall-hook, type: webhook, url: "${o.hookUrl}" }
    - { id: oncall-mail, type: email, host: 127.0.0.1, port: ${o.smtpPort}, from: "vigil@example.com", to: ["${oncallAddress}"], subject_prefix: "[Vigil]" }
subscribers:
  email: { host: 127.0.0.1, port: ${o.smtpPort}, from: "Acme Status <status@example.com>" }
  allow_private_webhooks: true
`;
}

/** One milestone: when it was first seen (ms since the epoch) and what was seen. */
export interface Seen<T> {
  at: number;
  value: T;
}

/**
 * Polls `probe` every `everyMs` in the background until it returns something other than undefined (noting the time),
 * until `deadline` (ms since the epoch; then it rejects), or until `stop()`. A probe that throws counts as "not yet".
 */
export function firstSeen<T>(probe: () => Promise<T | undefined> | T | undefined, options: { everyMs: number; deadline: number; what: string; stopped: () => boolean }): Promise<Seen<T>> {
  return (async () => {
    let lastError: unknown;
    for (;;) {
      if (options.stopped()) throw new Error(`stopped before ${options.what}`);
      try {
        const value = await probe();
        if (value !== undefined) return { at: Date.now(), value };
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > options.deadline) throw new Error(`${options.what} was not seen in time${lastError ? ` (last error: ${String(lastError)})` : ""}`);
      await new Promise((resolve) => setTimeout(resolve, options.everyMs));
    }
  })();
}

/** Seconds between two instants, to a tenth. */
export const secondsBetween = (from: number, to: number): number => Math.round((to - from) / 100) / 10;

/** Writes `test-artifacts/<name>.json`. */
export async function writeArtifact(name: string, data: unknown): Promise<string> {
  const dir = path.resolve("test-artifacts");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
