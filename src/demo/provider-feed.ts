/**
 * The cloud provider's status feed, stood in for: RSS in the shape of AWS Health's per-service feeds
 * ("Amazon Relational Database Service (Oregon) Service Status"), served at `/rss/rds-us-west-2.rss`, with a small
 * HTML page at `/` that the items link to. The script posts the incident, then its resolution; it also counts how
 * often the feed is read, so the demo can tell when Vigil has seen a post.
 */
import { createServer } from "node:http";
import { closeHttp, listen } from "./net.ts";

interface Item {
  title: string;
  description: string;
  at: Date;
  guid: string;
}

export interface ProviderFeed {
  port: number;
  /** The RSS feed's URL. */
  url: string;
  /** The provider's (stand-in) status page. */
  pageUrl: string;
  /** Posts "Service disruption: Database instances unavailable". */
  postIncident(): void;
  /** Posts "Service is operating normally: [RESOLVED] Database instances unavailable". */
  postResolved(): void;
  /** How many times the feed has been read. */
  reads(): number;
  close(): Promise<void>;
}

const channelTitle = "Amazon Relational Database Service (Oregon) Service Status";
const incidentTitle = "Database instances unavailable";

export async function startProviderFeed(): Promise<ProviderFeed> {
  const hour = 3_600_000;
  const earlier = Date.now() - 5 * hour;
  // A quiet morning's history: an earlier incident, already resolved.
  const items: Item[] = [
    {
      title: "Service is operating normally: [RESOLVED] Increased API Error Rates",
      description: "Between 5:02 AM and 6:24 AM PST we experienced increased error rates for the CreateDBInstance and ModifyDBInstance APIs in the US-WEST-2 Region. Existing database instances were not affected. The issue has been resolved and the service is operating normally.",
      at: new Date(earlier + hour),
      guid: `rds-us-west-2_${Math.floor((earlier + hour) / 1000)}`,
    },
    {
      title: "Informational message: Increased API Error Rates",
      description: "We are investigating increased error rates for the CreateDBInstance and ModifyDBInstance APIs in the US-WEST-2 Region.",
      at: new Date(earlier),
      guid: `rds-us-west-2_${Math.floor(earlier / 1000)}`,
    },
  ];
  let reads = 0;
  let port = 0;
  const pageUrl = () => `http://127.0.0.1:${port}/`;
  const rss = () => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title><![CDATA[${channelTitle}]]></title>
    <link>${pageUrl()}</link>
    <language>en-us</language>
    <generator>AWS Service Health Dashboard RSS Generator (Vigil demo stand-in)</generator>
    <description><![CDATA[${channelTitle}]]></description>
    <ttl>5</ttl>
${items
  .map(
    (i) => `    <item>
      <title><![CDATA[${i.title}]]></title>
      <link>${pageUrl()}</link>
      <pubDate>${i.at.toUTCString()}</pubDate>
      <guid isPermaLink="false">${i.guid}</guid>
      <description><![CDATA[${i.description}]]></description>
    </item>`,
  )
  .join("\n")}
  </channel>
</rss>
`;
  const page = () =>
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${channelTitle}</title></head><body>` +
    `<h1>${channelTitle}</h1><p>Demo stand-in for a cloud provider's status page. Feed: <a href="/rss/rds-us-west-2.rss">RSS</a></p>` +
    items.map((i) => `<h2>${i.title}</h2><p><time>${i.at.toUTCString()}</time></p><p>${i.description}</p>`).join("") +
    `</body></html>`;

  const server = createServer((req, res) => {
    if (req.url === "/rss/rds-us-west-2.rss") {
      reads += 1;
      res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8", "cache-control": "no-cache" }).end(rss());
    } else if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page());
    } else {
      res.writeHead(404).end();
    }
  });
  port = await listen(server);
  const post = (item: Omit<Item, "at" | "guid">) => {
    const at = new Date();
    items.unshift({ ...item, at, guid: `rds-us-west-2_${Math.floor(at.getTime() / 1000)}_${items.length}` });
  };
  return {
    port,
    url: `http://127.0.0.1:${port}/rss/rds-us-west-2.rss`,
    pageUrl: pageUrl(),
    postIncident: () =>
      post({
        title: `Service disruption: ${incidentTitle}`,
        description: "We are investigating connectivity issues affecting some RDS database instances in a single Availability Zone (usw2-az2) in the US-WEST-2 Region. Affected instances are restarting repeatedly and are unavailable.",
      }),
    postResolved: () =>
      post({
        title: `Service is operating normally: [RESOLVED] ${incidentTitle}`,
        description: "Database instances in the affected Availability Zone (usw2-az2) in the US-WEST-2 Region have recovered. The issue has been resolved and the service is operating normally.",
      }),
    reads: () => reads,
    close: () => closeHttp(server),
  };
}
