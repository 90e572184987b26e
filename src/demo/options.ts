/** What `vigil demo` takes and what a replay measured, for every story. */
import type { DemoTimings, PoolTimings } from "./report.ts";

/** A speed at which the whole replay takes a minute and a half or so. */
export const defaultSpeed = 60;

/** The stories `vigil demo` replays: the crash loop Vigil is built from, and an exhausted connection pool. */
export const demoStories = ["crash-loop", "pool"] as const;
export type DemoStory = (typeof demoStories)[number];

export interface DemoOptions {
  /** Which story (default: crash-loop). The pool story needs MariaDB. */
  story?: DemoStory;
  /** Where the narration and the report go. */
  out: NodeJS.WritableStream;
  /** Story time runs this many times faster than real time (default 60: a story minute a second). */
  speed?: number;
  /** Use a real MariaDB when it is installed (default); false: the TCP stand-in. */
  mariadb?: boolean;
  /** A missing MariaDB is an error rather than a reason to use the stand-in. */
  requireMariadb?: boolean;
  /** Vigil's port (default: a free one). */
  port?: number;
  /** After the replay, keep everything running until `signal` aborts (then clean up and return as usual). */
  keep?: boolean;
  /** Aborting stops the replay and cleans up. */
  signal?: AbortSignal;
  /** Vigil's version, for its /metrics and API. */
  version?: string;
  /** The PATH to look for MariaDB's binaries in (the system's directories are searched too). */
  pathVariable?: string;
}

interface DemoResultBase {
  database: "mariadb" | "stand-in";
  speed: number;
  /** The incident's diagnosis as last told: one sentence per component whose evidence shows something. */
  diagnosis: string | null;
  /** The status page's URL (no longer served once the demo returns, unless kept). */
  url: string;
  /** The temp dir (removed when the demo returns). */
  dir: string;
  /** Every port the demo listened on: Vigil, the API, the database, the feed (crash loop only), the webhook receiver, the inbox. */
  ports: number[];
  /** Real milliseconds the replay took, from the start of the story to the postmortem. */
  replayMs: number;
}

/** What a replay measured: seconds from the first crash (the pool story: from the pool filling up) to each milestone. */
export type DemoResult = (DemoResultBase & { story: "crash-loop"; timings: DemoTimings }) | (DemoResultBase & { story: "pool"; timings: PoolTimings });

