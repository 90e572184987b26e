/**
 * `atom`: an Atom 1.0 feed (RFC 4287), such as a Statuspage history feed (`https://www.githubstatus.com/history.atom`),
 * read by the rules of `items.ts`.
 *
 * An entry: `id` (else its link, else the title) identifies it; `title` and `content` (else `summary`) are text
 * constructs — `type="html"` and `type="xhtml"` have their markup dropped; `type="text"` (the default) is read the same
 * way, as feeds often send HTML without saying so, so markup never survives either way; the link is the `rel="alternate"`
 * (or rel-less) `link`'s href, http(s) only, resolved against the feed's URL; the dates are `published` and `updated`
 * (RFC 3339, each standing in for the other); `<category term="maintenance"/>` marks a maintenance.
 */
import type { FeedFormat, FeedSnapshot, ParseContext } from "../types.ts";
import { feedItem, ItemFeedConfig, itemsSnapshot, type FeedItem } from "./items.ts";
import { attr, child, deepText, isNode, list, readXml, textOf } from "./read.ts";
import { httpLink, maxText, maxTitle, plainText } from "./sanitize.ts";

/** The keys of an `atom` feed (see ItemFeedConfig). */
export const AtomConfig = ItemFeedConfig;
/** A validated `atom` feed configuration. */
export type AtomConfig = ItemFeedConfig;

/** A text construct (title, summary, content) as plain text, whatever its type. */
function textConstruct(value: unknown, max: number): string {
  if (value === undefined) return "";
  const type = attr(value, "type");
  const node = Array.isArray(value) ? value[0] : value;
  if (type === "xhtml" && isNode(node)) return plainText(deepText(node), max);
  return plainText(textOf(value), max);
}

/** The entry's alternate link: rel="alternate" or no rel, the first with an http(s) href. */
function alternateLink(entry: unknown, base: string): string | null {
  for (const link of list(isNode(entry) ? entry.link : undefined)) {
    const rel = attr(link, "rel") ?? "alternate";
    if (rel !== "alternate") continue;
    const href = httpLink(attr(link, "href"), base);
    if (href !== null) return href;
  }
  return null;
}

function atomEntry(entry: unknown, ctx: ParseContext): FeedItem | undefined {
  if (!isNode(entry)) return undefined;
  const content = child(entry, "content") ?? child(entry, "summary");
  const categories = list(entry.category).map((c) => (attr(c, "term") ?? textOf(c) ?? "").trim().toLowerCase());
  return feedItem(
    {
      key: textOf(child(entry, "id")),
      title: textConstruct(child(entry, "title"), maxTitle),
      text: textConstruct(content, maxText),
      url: alternateLink(entry, ctx.url),
      published: [textOf(child(entry, "published"))],
      updated: [textOf(child(entry, "updated"))],
      maintenance: categories.includes("maintenance"),
    },
    ctx.now,
  );
}

/** The snapshot of an Atom body. */
export function parseAtom(body: string, config: AtomConfig, ctx: ParseContext): FeedSnapshot {
  const { node } = readXml(body, "an Atom feed", ["feed"]);
  const title = textConstruct(child(node, "title"), maxTitle);
  const items = list(node.entry)
    .map((e) => atomEntry(e, ctx))
    .filter((i): i is FeedItem => i !== undefined);
  return itemsSnapshot({ title, items }, config, ctx);
}

/** Reads an Atom 1.0 feed: one component for the feed, an incident per thread of entries. */
export const atomFormat: FeedFormat<AtomConfig> = {
  type: "atom",
  configSchema: AtomConfig,
  url: (config) => config.url,
  accept: "application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1",
  parse: parseAtom,
};
