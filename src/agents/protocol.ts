import { z } from "zod";
import { errorKinds } from "../probes/types.ts";
import { monitorTypeNames } from "../probes/load.ts";

/**
 * What a remote probe agent and a Vigil node say to each other, over HTTPS and JSON: the agent asks for its region's
 * assignments (long-polled, with an ETag) and pushes its results in batches, each result numbered by the agent.
 * The same schemas validate both ends and describe the endpoints in the OpenAPI document.
 */

/** Results in one batch, at most. */
export const maxBatchResults = 2_000;
/** How far in the future (by the node's clock) a result's time may be: clocks differ a little; more is a wrong clock. */
export const maxFutureSkewMs = 60_000;
/** The longest a node holds an assignments request open waiting for a change. */
export const maxWaitMs = 60_000;

/** One monitor as an agent runs it: the probe's settings as validated by the server, and the re-check policy. */
export const assignedMonitor = z.object({
  id: z.string(),
  type: z.enum(monitorTypeNames),
  interval_ms: z.number().int().positive(),
  timeout_ms: z.number().int().positive(),
  recheck_ms: z.number().int().positive(),
  confirm: z.number().int().positive(),
  recover: z.number().int().positive(),
  /** Staggered regions: the agent checks the monitor at this many ms after each multiple of its interval (epoch time). */
  phase_ms: z.number().int().min(0).optional(),
  /**
   * Hang suspicion: a check still unanswered `factor` × the region's usual p99 latency (at least `floor_ms`) after its
   * start is reported as running (`running` in a batch). Null: off; absent (from a node that predates it): off.
   */
  suspect: z.object({ factor: z.number().min(1), floor_ms: z.number().positive() }).nullable().optional(),
  /** The probe's settings, including any credentials it needs: an agent token can read them. */
  settings: z.record(z.string(), z.unknown()),
  /** The monitor's assertions, as written in the configuration. */
  assert: z.array(z.string()),
});
export type AssignedMonitor = z.infer<typeof assignedMonitor>;

/** The answer to an assignments request. */
export const assignments = z.object({
  region: z.object({
    id: z.string(),
    name: z.string().nullable(),
    /** False when the configuration does not declare the region (then it has no monitors). */
    declared: z.boolean(),
  }),
  /** Changes whenever the monitors or their settings change; sent back as If-None-Match to wait for a change. */
  etag: z.string(),
  monitors: z.array(assignedMonitor),
});
export type Assignments = z.infer<typeof assignments>;

/** The query of an assignments request. */
export const assignmentsQuery = z.strictObject({
  /** The region the agent was started for; it must be its token's (absent: the token's). */
  region: z.string().max(63).optional(),
  /** With If-None-Match: hold the request this long (ms, at most 60000) until the assignments change. */
  wait: z.coerce.number().int().min(0).max(maxWaitMs).optional(),
  agent: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected the agent's id: 1 to 64 letters, digits, _ or -").optional(),
});

/** The query of an early-checks request: the requests after `after` (a cursor from the last answer), waiting up to `wait` ms for one. */
export const checkRequestsQuery = z.strictObject({
  region: z.string().max(63).optional(),
  after: z.string().max(64).optional(),
  wait: z.coerce.number().int().min(0).max(maxWaitMs).optional(),
});

/** Monitors the agent should check at once (another region saw them change), and the cursor to ask from next. */
export const checkRequests = z.object({
  cursor: z.string(),
  monitors: z.array(z.string()),
});
export type CheckRequestsBody = z.infer<typeof checkRequests>;

/** A fact a probe reports. */
const fact = z.union([z.number(), z.string().max(2_000), z.boolean(), z.null()]);

/** One check result as an agent reports it. */
export const agentResult = z.strictObject({
  /** The agent's own sequence number: strictly increasing, never reused, within the batch and across batches. */
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  monitor: z.string().min(1).max(100),
  /** When the check started, by the agent's clock. */
  at: z.iso.datetime({ offset: true, message: "expected an ISO 8601 time with a zone, such as 2026-12-07T13:17:04.120Z" }),
  status: z.enum(["up", "degraded", "down"]),
  latency_ms: z.number().min(0).max(86_400_000),
  facts: z.record(z.string().max(100), fact).refine((f) => Object.keys(f).length <= 100, { message: "at most 100 facts" }),
  error: z.strictObject({ kind: z.enum(errorKinds), message: z.string().max(2_000) }).optional(),
  warning: z.string().max(2_000).optional(),
});
export type AgentResult = z.infer<typeof agentResult>;

/**
 * A check still running that detection hears of before its result, in the order of the agent's results: one suspected
 * of hanging (still unanswered `unanswered_ms` after its start, past its monitor's hang deadline), or a confirming check
 * started beside one. Not stored, and not sent again: it only matters while the check runs.
 */
export const runningCheck = z
  .strictObject({
    monitor: z.string().min(1).max(100),
    /** When the check started, by the agent's clock: its result will carry the same time. */
    at: z.iso.datetime({ offset: true, message: "expected an ISO 8601 time with a zone, such as 2026-12-07T13:17:04.120Z" }),
    /** The sequence number of the last result the agent numbered before this (0: none): the node takes them in that order. */
    after_seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    kind: z.enum(["suspected", "confirming"]),
    /** Suspected: how long after its start the check was still unanswered. */
    unanswered_ms: z.number().min(0).max(86_400_000).optional(),
    /** Suspected: whether the agent started a confirming check beside it. */
    confirming_check: z.boolean().optional(),
  })
  .superRefine((check, ctx) => {
    if (check.kind === "suspected" && check.unanswered_ms === undefined) ctx.addIssue({ code: "custom", path: ["unanswered_ms"], message: "a suspected check needs unanswered_ms" });
  });
export type RunningCheck = z.infer<typeof runningCheck>;

/** What an agent says about itself with every batch. */
export const agentInfo = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected 1 to 64 letters, digits, _ or -"),
  version: z.string().min(1).max(40),
  hostname: z.string().max(255).optional(),
  started_at: z.iso.datetime({ offset: true }),
  /** Results waiting on its disk behind this batch, and dropped from it (oldest first) because it was full or too old. */
  buffer: z.strictObject({ results: z.number().int().min(0), dropped: z.number().int().min(0) }),
  checks_per_second: z.number().min(0).max(1_000_000),
});
export type AgentInfo = z.infer<typeof agentInfo>;

/** One batch of results. */
export const resultBatch = z
  .strictObject({
    agent: agentInfo,
    results: z.array(agentResult).max(maxBatchResults),
    /** Checks still running that detection hears of now (absent: none). */
    running: z.array(runningCheck).max(maxBatchResults).optional(),
  })
  .superRefine((batch, ctx) => {
    for (let i = 1; i < batch.results.length; i++) {
      if (batch.results[i]!.seq <= batch.results[i - 1]!.seq) ctx.addIssue({ code: "custom", path: ["results", i, "seq"], message: `must be greater than the previous result's (${batch.results[i - 1]!.seq})` });
    }
  });
export type ResultBatch = z.infer<typeof resultBatch>;

/** A result a node refused to store, and why: the agent drops it (sending it again would not help). */
export const rejectedResult = z.object({ seq: z.number().int(), reason: z.string() });

/** The answer to a batch. */
export const batchAnswer = z.object({
  /** Results stored now. */
  stored: z.number().int(),
  /** Results a node had already stored (the batch was sent again after a lost answer): not stored twice. */
  duplicates: z.number().int(),
  rejected: z.array(rejectedResult),
  /** Every result of the batch up to this sequence number is taken care of: the agent may forget them. */
  acknowledged: z.number().int(),
});
export type BatchAnswer = z.infer<typeof batchAnswer>;
