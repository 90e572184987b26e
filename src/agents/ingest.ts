import { checksFrom } from "../config/regions.ts";
import type { VigilConfig } from "../config/schema.ts";
import { formatDuration } from "../core/duration.ts";
import type { CheckResult } from "../detection/types.ts";
import { maxFutureSkewMs, type AgentResult, type ResultBatch } from "./protocol.ts";

/** A result as a node stores it: a check result with the agent and sequence number it came with. */
export interface AgentResultRow extends CheckResult {
  agent: string;
  seq: number;
}

/** What to do with a batch: the results to store, and the ones refused with the reason the agent is told. */
export interface BatchPlan {
  rows: AgentResultRow[];
  rejected: { seq: number; reason: string }[];
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
  return { rows, rejected };
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
