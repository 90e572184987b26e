/**
 * What an upstream provider's status feed says, whatever its format: the provider's components and their status, its
 * incidents and its maintenances, as read from one fetch. Statuses use Statuspage's words, so every format maps to one
 * vocabulary and the rest of Vigil never sees a format's own.
 */
import type * as z from "zod";

/** A provider component's status (Statuspage's words). */
export type UpstreamStatus = "operational" | "degraded_performance" | "partial_outage" | "major_outage" | "under_maintenance";

export interface UpstreamComponent {
  /** The provider's id when it has one, else the name. */
  id: string;
  name: string;
  /** The provider's group of the component ("Amazon RDS", a region…), when it has one. */
  group: string | null;
  status: UpstreamStatus;
}

/** The provider's incident (or a feed item that reports one). */
export interface UpstreamIncident {
  id: string;
  title: string;
  /** investigating, identified, monitoring, resolved, postmortem (Statuspage's words; RSS/Atom items are guessed from their text). */
  status: string;
  /** none, minor, major, critical. */
  impact: string;
  /** A link to the provider's page about it; only http(s). */
  url: string | null;
  startedAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  /** Plain text (HTML stripped): the latest update, or the item's description. */
  text: string;
  /** Names of the provider's components it names (Statuspage's incident.components); empty when the feed does not say. */
  components: string[];
}

export interface UpstreamMaintenance {
  id: string;
  title: string;
  status: string;
  url: string | null;
  scheduledFor: Date | null;
  scheduledUntil: Date | null;
  components: string[];
}

/** One reading of a feed. */
export interface FeedSnapshot {
  components: UpstreamComponent[];
  incidents: UpstreamIncident[];
  maintenances: UpstreamMaintenance[];
}

/** Why a body could not be read: a clear message for the feed's state, never the body itself. */
export class FeedParseError extends Error {
  override readonly name = "FeedParseError";
}

/** What parsing gets besides the body: the time (items without dates) and the feed's URL (relative links). */
export interface ParseContext {
  now: Date;
  url: string;
}

/**
 * One feed format: its config keys (checked with zod at load), the URL to fetch, and a pure parse of the body. Parse
 * throws FeedParseError for a body it cannot read, and never trusts the body: text is stripped of markup, links are
 * kept only when http(s), sizes are bounded.
 */
export interface FeedFormat<Cfg> {
  type: string;
  configSchema: z.ZodType<Cfg>;
  /** The URL to GET for `config`. */
  url(config: Cfg): string;
  /** The Accept header to send. */
  accept: string;
  parse(body: string, config: Cfg, ctx: ParseContext): FeedSnapshot;
}
