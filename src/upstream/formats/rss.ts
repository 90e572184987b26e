/**
 * `rss`: an RSS 2.0 feed (RSS 1.0 / RDF too), such as AWS Health's per-service feeds
 * (`https://status.aws.amazon.com/rss/rds-us-west-2.rss`), read by the rules of `items.ts`.
 *
 * An item: `guid` (else `link`, else the title) identifies it; `title` is read as HTML-ish text (markup dropped, as
 * feeds put entities and tags in titles); `description` (else `content:encoded`) is HTML made plain; `link` (else a
 * permalink `guid`) must be http(s), relative links resolved against the feed's URL; the date is `pubDate` (else
 * `dc:date`), RFC 822 or ISO 8601; `<category>maintenance</category>` marks a maintenance.
 */
import type { FeedFormat, FeedSnapshot, ParseContext } from "../types.ts";
import { FeedParseError } from "../types.ts";
import { feedItem, ItemFeedConfig, itemsSnapshot, type FeedItem } from "./items.ts";
import { attr, child, isNode, list, readXml, textOf } from "./read.ts";
import { httpLink, maxTitle, plainText } from "./sanitize.ts";

/** The keys of an `rss` feed (see ItemFeedConfig). */
export const RssConfig = ItemFeedConfig;
/** A validated `rss` feed configuration. */
export type RssConfig = ItemFeedConfig;

function rssItem(item: unknown, ctx: ParseContext): FeedItem | undefined {
  if (!isNode(item)) return undefined;
  const link = httpLink(textOf(child(item, "link")), ctx.url);
  const guid = child(item, "guid");
  const guidText = textOf(guid);
  // A permalink guid must be an absolute URL itself (a relative "b1" is an id, not a link).
  const permalink = attr(guid, "isPermaLink") !== "false" ? httpLink(guidText) : null;
  const description = textOf(child(item, "description")) ?? textOf(child(item, "content:encoded"));
  const categories = list(item.category).map((c) => textOf(c)?.trim().toLowerCase());
  return feedItem(
    {
      key: guidText,
      title: plainText(textOf(child(item, "title")), maxTitle),
      text: plainText(description),
      url: link ?? permalink,
      published: [textOf(child(item, "pubDate")), textOf(child(item, "dc:date"))],
      updated: [textOf(child(item, "atom:updated")), textOf(child(item, "dc:date")), textOf(child(item, "pubDate"))],
      maintenance: categories.includes("maintenance"),
    },
    ctx.now,
  );
}

/** The snapshot of an RSS body. */
export function parseRss(body: string, config: RssConfig, ctx: ParseContext): FeedSnapshot {
  const { root, node } = readXml(body, "an RSS feed", ["rss", "rdf:RDF"]);
  const channel = child(node, "channel");
  if (!isNode(channel)) throw new FeedParseError(`expected an RSS feed, but <${root}> has no <channel>`);
  // RSS 2.0 puts items in the channel; RSS 1.0 (RDF) next to it.
  const items = list(root === "rss" ? channel.item : node.item);
  const title = plainText(textOf(child(channel, "title")), maxTitle);
  const read = items.map((i) => rssItem(i, ctx)).filter((i): i is FeedItem => i !== undefined);
  return itemsSnapshot({ title, items: read }, config, ctx);
}

/** Reads an RSS 2.0 (or 1.0) feed: one component for the feed, an incident per thread of items. */
export const rssFormat: FeedFormat<RssConfig> = {
  type: "rss",
  configSchema: RssConfig,
  url: (config) => config.url,
  accept: "application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1",
  parse: parseRss,
};
