/**
 * The upstream feed formats Vigil reads, by type name: one plugin per file, registered here. The registry is checked
 * against `feedTypeNames` both ways, so a type without a format (or a format without a type) fails to compile.
 */
import type { FeedFormat } from "../types.ts";
import { atomFormat } from "./atom.ts";
import { jsonFormat } from "./json.ts";
import { rssFormat } from "./rss.ts";
import { statuspageFormat } from "./statuspage.ts";
import { vigilFormat } from "./vigil.ts";

/** The feed types Vigil knows, in the order the docs list them. */
export const feedTypeNames = ["statuspage", "vigil", "rss", "atom", "json"] as const;
export type FeedType = (typeof feedTypeNames)[number];

/** A format of any type, its config type erased: for code that picks one by a type name read at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFeedFormat = FeedFormat<any>;

/** Every format by type, each with its own config type; exhaustive both ways. */
export const typedFeedFormats = {
  statuspage: statuspageFormat,
  vigil: vigilFormat,
  rss: rssFormat,
  atom: atomFormat,
  json: jsonFormat,
} satisfies Record<FeedType, AnyFeedFormat>;

/**
 * The same formats, typed for dispatch by a configured type name: `feedFormats[type]` is an AnyFeedFormat, so
 * `parse(body, configSchema.parse(raw), ctx)` type-checks whichever it is.
 */
export const feedFormats: Readonly<Record<FeedType, AnyFeedFormat>> = typedFeedFormats;

/** True when `type` names a feed format Vigil knows. */
export function isFeedType(type: string): type is FeedType {
  return (feedTypeNames as readonly string[]).includes(type);
}

/** The format of a configured type name, or undefined for a type Vigil does not know. */
export function feedFormatFor(type: string): AnyFeedFormat | undefined {
  return isFeedType(type) ? feedFormats[type] : undefined;
}
