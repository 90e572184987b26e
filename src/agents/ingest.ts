import { checksFrom } from "../config/regions.ts";
import type { VigilConfig } from "../config/schema.ts";
import { formatDuration } from "../core/duration.ts";
import type { CheckResult } from "../detection/types.ts";
import { maxFutureSkewMs, type AgentResult, type ResultBatch, type RunningCheck } from "./protocol.ts";

/** A result as a node stores it: a check result with the agent and sequence number it came with. */
export interface AgentResultRow extends CheckResult {
  agent: string;
  seq: number;
}

/** A check an agent says is still running (protocol.ts `runningCheck`), as detection takes it. */
export interface AgentRunningCheck {
  agent: string;
  region: string;
  monitorId: string;
  /** The check's start: its result will carry the same time. */
  at: Date;
  /** Detection takes it after the agent's results up to this sequence number, before the later ones. */
  afterSeq: number;
  kind: RunningCheck["kind"];
  unansweredMs?: number;
  confirmingCheck?: boolean;
}

/**
 * What to do with a batch: the results to store, the ones refused with the reason the agent is told, and the running
 * checks detection hears of (those for a monitor the region does not check, or from a wrong clock, are left out).
 */
export interface BatchPlan {
  rows: AgentResultRow[];
  rejected: { seq: number; reason: string }[];
  running: AgentRunningCheck[];
}

/**
 * Sorts a (schema-valid) batch from an agent of `region` into results to store and results refused: a monitor the
 * configuration no longer has or does not check from that region, a time ahead of `now` by more than a minute (a
 * wrong clock), a time older than raw results are kept. Pure.
 */
export function planBatch(
  batch: ResultBatch,
  region: string,
  config: Pick<VigilConfig, "monitors" | "regions" | "probe">,
  now: Date,
): BatchPlan {
  const monitors = new Map(config.monitors.map((m) => [m.id, m]));
  const rows: AgentResultRow[] = [];
  const rejected: BatchPlan["rejected"] = [];
  const oldest = now.getTime() - config.probe.results_retention;
  for (const result of batch.results) {
    const at = new Date(result.at);
    const monitor = monitors.get(result.monitor);
    let reason: string | undefined;
    if (monitor === undefined) reason = `no monitor has the id "${result.monitor}" (removed from the configuration?)`;
    else if (!checksFrom(config, monitor, region)) reason = `monitor "${result.monitor}" is not checked from region ${region}`;
    else if (at.getTime() - now.getTime() > maxFutureSkewMs) reason = `checked at ${result.at}, ${formatDuration(at.getTime() - now.getTime())} ahead of this node's clock: is the agent's clock right?`;
    else if (at.getTime() < oldest) reason = `checked at ${result.at}, older than raw results are kept (probe.results_retention)`;
    if (reason !== undefined) rejected.push({ seq: result.seq, reason });
    else rows.push(toRow(result, batch.agent.id, region, at));
  }
  const running: AgentRunningCheck[] = [];
  for (const check of batch.running ?? []) {
    const at = new Date(check.at);
    const monitor = monitors.get(check.monitor);
    if (monitor === undefined || !checksFrom(config, monitor, region) || at.getTime() - now.getTime() > maxFutureSkewMs) continue;
    running.push({
      agent: batch.agent.id,
      region,
      monitorId: check.monitor,
      at,
      afterSeq: check.after_seq,
      kind: check.kind,
      ...(check.unanswered_ms === undefined ? {} : { unansweredMs: check.unanswered_ms }),
      ...(check.confirming_check === undefined ? {} : { confirmingCheck: check.confirming_check }),
    });
  }
  return { rows, rejected, running };
}

function toRow(result: AgentResult, agent: string, region: string, at: Date): AgentResultRow {
  return {
    agent,
    seq: result.seq,
    monitorId: result.monitor,
    region,
    at,
    status: result.status,
    latencyMs: result.latency_ms,
    facts: result.facts,
    ...(result.error === undefined ? {} : { error: result.error }),
    ...(result.warning === undefined ? {} : { warning: result.warning }),
  };
}
