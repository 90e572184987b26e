import type { Holders } from "../probes/db/holders.ts";
import type { Fact, ProbeError } from "../probes/types.ts";

/** What a single check can say about the target. */
export type CheckStatus = "up" | "degraded" | "down";

/** One check result as detection sees it: a probe outcome tagged with monitor, region and time. */
export interface CheckResult {
  monitorId: string;
  region: string;
  at: Date;
  status: CheckStatus;
  latencyMs: number;
  facts: Record<string, Fact>;
  error?: ProbeError;
  warning?: string;
}

/** A confirmed status; `unknown` until enough results have been seen (or every region is stale). */
export type MonitorStatus = "up" | "degraded" | "down" | "unknown";

/** How many regions must agree; see `quorumOf`. */
export type Quorum = number | "majority" | "any" | `${number}%`;

/** How results become confirmed statuses; see policy.ts for the defaults and why. */
export interface DetectionPolicy {
  /** The monitor's interval. */
  intervalMs: number;
  /** Consecutive non-up results in a region to confirm it (counting the quick re-check). */
  confirm: number;
  /** Consecutive up results in a region to confirm its recovery. */
  recover: number;
  /**
   * Regions that must agree for the monitor to be down/degraded, out of the fresh regions with a confirmed status:
   * a number (capped at how many count), a share such as "50%" (rounded up), "any" (one), or "majority".
   */
  quorum: Quorum;
  /** A region with no result for this long no longer counts. */
  staleAfterMs: number;
  flap: { windowMs: number; maxChanges: number };
  evidence: {
    saturation: number;
    crashLoopRestarts: number;
    crashLoopWindowMs: number;
    /** A replica further behind than this (or with replication stopped) is degraded (db-role.ts); unset: never. */
    maxReplicationLagMs?: number | null;
    /** The age of the oldest open transaction that is reported as long; unset: db-role.ts's default. */
    longTransactionMs?: number;
    /** Sessions waiting for a lock that are reported as a pile-up; unset: db-role.ts's default. */
    lockWaits?: number;
  };
  /**
   * Hang suspicion: a check still unanswered `factor` × the region's usual p99 latency (at least `floorMs`)
   * after it started is suspect (see suspect.ts); null: never.
   */
  suspect: { factor: number; floorMs: number } | null;
}

/** The kinds of event detection emits. */
export type DetectionEventKind =
  | "monitor.down"
  | "monitor.degraded"
  | "monitor.up"
  | "monitor.flapping"
  | "monitor.restart"
  | "monitor.crash_loop"
  | "monitor.connection_saturation"
  | "monitor.role_change"
  | "monitor.server_change"
  | "monitor.replication_lag"
  | "monitor.long_transaction"
  | "monitor.lock_waits";

/** Every kind detection emits, for readers of the timeline. */
export const detectionEventKinds: readonly DetectionEventKind[] = [
  "monitor.down",
  "monitor.degraded",
  "monitor.up",
  "monitor.flapping",
  "monitor.restart",
  "monitor.crash_loop",
  "monitor.connection_saturation",
  "monitor.role_change",
  "monitor.server_change",
  "monitor.replication_lag",
  "monitor.long_transaction",
  "monitor.lock_waits",
];

/** Something worth telling a human (or the timeline) about a monitor. */
export interface DetectionEvent {
  kind: DetectionEventKind;
  monitorId: string;
  at: Date;
  data: Record<string, unknown>;
}

/** The last classified error a region reported, with when (ms since the epoch). */
export interface LastError extends ProbeError {
  at: number;
}

/** The last warning (why a result was degraded) a region reported, with when (ms since the epoch). */
export interface LastWarning {
  message: string;
  at: number;
}

/** Last-seen database facts of one region; kept across failed checks so a restart is still noticed after an outage. */
export interface DbEvidence {
  /** Server uptime at `uptimeAt` (ms since the epoch). */
  uptimeS: number | null;
  uptimeAt: number | null;
  role: string | null;
  /** Whether a saturation event was emitted and not yet re-armed. */
  saturated: boolean;
  /** Estimated restart times (ms) inside the crash-loop window. */
  restarts: number[];
  /** Whether a crash-loop event was emitted for the current episode. */
  crashLoop: boolean;
  /**
   * Connection use seen by the last result that answered (status up or degraded), with who held the connections
   * (absent: not reported; null: the probe could not look).
   */
  lastGood: { connections: number; maxConnections: number; at: number; holders?: Holders | null } | null;
  /** Which server answers, and its replication and transaction episodes (db-role.ts); absent in older saved states. */
  server?: ServerEvidence;
}

/** Which server answered the last time one said who it is: its ids, as database evidence compares them. */
export interface ServerIdentity {
  /** MySQL @@server_id, or PostgreSQL's system identifier (shared by a primary and its physical standbys). */
  server_id: string;
  /** MySQL @@server_uuid (null on MariaDB, which has none). */
  server_uuid: string | null;
  /** MySQL @@hostname. */
  hostname: string | null;
  /** PostgreSQL's timeline: a promoted standby starts a new one. */
  timeline: number | null;
}

/** What one region remembers about the server behind a database monitor's address, across checks. */
export interface ServerEvidence {
  identity: ServerIdentity | null;
  /** Whether a lag event was emitted and the lag has not come back under the limit since. */
  lagging: boolean;
  longTransaction: boolean;
  lockPileUp: boolean;
}

/** One region's view of a monitor. Times are ms since the epoch so the state survives JSON. */
export interface RegionState {
  /** Time of the latest accepted result; older results are ignored (clock jumps). */
  lastAt: number;
  /** The confirmed status of this region. */
  status: MonitorStatus;
  /** Consecutive results of the latest result's class (up vs non-up). */
  streak: number;
  /** The latest results' statuses, newest last, at most `confirm` of them. */
  recent: CheckStatus[];
  /** First non-up result of the current failing episode; null while healthy. */
  failingSince: number | null;
  /** Last up result before `failingSince`: the earliest possible start of the episode. */
  lastUpBeforeFailing: number | null;
  lastUpAt: number | null;
  /** First up result of the region's current up streak; null while not up (absent in states saved before it existed). */
  upSince?: number | null;
  lastError: LastError | null;
  lastWarning: LastWarning | null;
  db: DbEvidence;
  /** Latencies (ms) of the latest up results, oldest first, at most `latencySampleSize` (latency.ts); absent in older saved states. */
  latency?: number[];
  /** The two slowest good latencies of the last 6 hours (latency.ts), with when they were seen; absent in older saved states. */
  slowest?: { ms: number; at: number }[];
  /**
   * Checks whose own result counts whenever it comes, after results fed meanwhile (suspect.ts): those suspected of
   * hanging, and confirming checks started beside them. Absent when there are none.
   */
  pending?: PendingCheck[];
}

/** A check whose result is awaited out of order: one suspected of hanging, or a confirming check. */
export interface PendingCheck {
  /** The check's start, which its result carries. */
  start: number;
  /** Its suspicion was fed. */
  suspected: boolean;
  /** Its suspicion is part of the current non-up streak (an up result ends that), so its result takes its place. */
  counted: boolean;
}

/** A monitor-level episode of trouble, kept until its recovery is announced. */
export interface Episode {
  since: number;
  lastUpAt: number | null;
}

/** Everything detection remembers about a monitor; JSON-serialisable so it can be persisted and restored. */
export interface MonitorState {
  version: 1;
  monitorId: string;
  /** The monitor-level status computed from the regions (never reset to unknown once known). */
  status: MonitorStatus;
  /** The status last announced by an event (or silently adopted at start-up when it was up). */
  announced: MonitorStatus;
  flapping: boolean;
  /** Times (ms) of monitor-level status changes inside the flap window. */
  changes: number[];
  lastChangeAt: number | null;
  episode: Episode | null;
  regions: Record<string, RegionState>;
}

/** What `currentStatus` reports about one region. */
export interface RegionStatusView {
  status: MonitorStatus;
  lastAt: string;
  consecutive: number;
  stale: boolean;
}

/** What `detect` returns: the next state, the events to record, and whether to re-check soon. */
export interface DetectOutcome {
  state: MonitorState;
  events: DetectionEvent[];
  recheck: boolean;
}
