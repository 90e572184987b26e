import { assignmentsFor } from "../../agents/assignments.ts";
import { planBatch, type AgentRunningCheck } from "../../agents/ingest.ts";
import type { Assignments, BatchAnswer, ResultBatch } from "../../agents/protocol.ts";
import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Metrics } from "../../observability/metrics.ts";
import { staleRollups } from "../../results/late-buckets.ts";
import type { Store } from "../../store/types.ts";
import { CheckRequests, type CheckRequestsAnswer } from "./check-requests.ts";

/** The channel a node notifies when it stored agents' results, so the nodes that check those monitors read them at once. */
export const agentResultsChannel = "vigil_agent_results";
/** The channel a node notifies when it asks agents for early checks, so that every node tells the agents it holds. */
export const agentChecksChannel = "vigil_agent_checks";
/** The channel a node notifies with the running checks agents told it of (suspected of hanging, or confirming), for the node that checks those monitors. */
export const agentRunningChannel = "vigil_agent_running";
/** Running checks per notification: each is about 250 bytes, and a payload must stay under 8,000. */
const runningPerNotify = 20;

/** Raw results older than this when they arrive are late: the rollups over their time are computed again. */
const lateAfterMs = 4 * 60_000;

interface Waiter {
  region: string;
  etag: string;
  resolve: (assignments: Assignments) => void;
  timer: unknown;
}

/** What the hub needs from the rest of Vigil. */
export interface AgentHubDeps {
  store: Pick<Store, "transaction" | "agents" | "rollups" | "cluster">;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  metrics: Metrics;
  config: () => VigilConfig;
  /** Told when results were stored, so that this node's monitoring reads them at once. */
  onStored: () => void;
  /** Told of the running checks agents reported (or another node heard), for this node's monitoring. */
  onRunning?: (checks: AgentRunningCheck[]) => void;
  /** Whether other nodes may run detection for these results (they are then notified). */
  clustered: boolean;
}

/**
 * Where remote probe agents meet a node: their region's assignments (with long-polling for a change) and their
 * batches of results, stored once each whatever the number of times they are sent. Any node can take any agent:
 * detection reads the results from the store on the node that checks the monitor.
 */
export class AgentHub {
  readonly #deps: AgentHubDeps;
  readonly #waiters = new Set<Waiter>();
  #cache: { config: VigilConfig; byRegion: Map<string, Assignments> } | undefined;
  #stopped = false;
  readonly #checks: CheckRequests;

  constructor(deps: AgentHubDeps) {
    this.#deps = deps;
    this.#checks = new CheckRequests(deps.clock, deps.timers);
  }

  /**
   * Asks the agents of `regions` to check `monitorId` at once (another region saw it change). With several nodes the
   * request goes through the store's notifications, so the agents of every node hear it; on one node, straight away.
   */
  requestChecks(monitorId: string, regions: readonly string[]): void {
    if (regions.length === 0 || this.#stopped) return;
    if (!this.#deps.clustered) return this.#checks.add(monitorId, regions);
    const payload = JSON.stringify({ m: monitorId, r: regions });
    void this.#deps.store.cluster.notify(agentChecksChannel, payload).catch((error: unknown) => {
      this.#deps.logger.warn({ err: error, monitor: monitorId }, "asking agents for early checks failed; they check at their next turn");
    });
  }

  /** Another node (or this one, through the store) asked agents for early checks. */
  heardChecks(payload: string): void {
    try {
      const { m, r } = JSON.parse(payload) as { m?: unknown; r?: unknown };
      if (typeof m === "string" && Array.isArray(r)) this.#checks.add(m, r.filter((x): x is string => typeof x === "string"));
    } catch {
      // Not ours: ignored.
    }
  }

  /** The monitors the agents of `region` should check at once, after `cursor`, waiting up to `waitMs` for some. */
  waitForChecks(region: string, cursor: string | undefined, waitMs: number): Promise<CheckRequestsAnswer> {
    return this.#checks.wait(region, cursor, this.#stopped ? 0 : waitMs);
  }

  /** The region's assignments under the running configuration. */
  assignments(region: string): Assignments {
    const config = this.#deps.config();
    if (this.#cache?.config !== config) this.#cache = { config, byRegion: new Map() };
    let found = this.#cache.byRegion.get(region);
    if (found === undefined) {
      found = assignmentsFor(config, region);
      this.#cache.byRegion.set(region, found);
    }
    return found;
  }

  /** The region's assignments as soon as their ETag differs from `etag`, or after `waitMs` whatever they are. */
  waitForChange(region: string, etag: string, waitMs: number): Promise<Assignments> {
    const current = this.assignments(region);
    if (current.etag !== etag || waitMs <= 0 || this.#stopped) return Promise.resolve(current);
    return new Promise((resolve) => {
      const waiter: Waiter = { region, etag, resolve, timer: undefined };
      waiter.timer = this.#deps.timers.setTimeout(() => this.#release(waiter), waitMs);
      this.#waiters.add(waiter);
    });
  }

  /** The configuration changed: agents waiting for their region's assignments to change get them now. */
  changed(): void {
    for (const waiter of [...this.#waiters]) if (this.assignments(waiter.region).etag !== waiter.etag) this.#release(waiter);
  }

  /** Answers every waiting request now (shutdown: the server waits for requests in progress). */
  stop(): void {
    this.#stopped = true;
    this.#checks.stop();
    for (const waiter of [...this.#waiters]) this.#release(waiter);
  }

  /** The longest an assignments request is held: 5 s short of the server's request timeout, which would cut it. */
  maxWaitMs(): number {
    return Math.max(0, this.#deps.config().server.request_timeout - 5_000);
  }

  /** Records that an agent asked for its assignments. */
  async seen(agentId: string | undefined, tokenId: string): Promise<void> {
    if (agentId !== undefined) await this.#deps.store.agents.seen(agentId, tokenId);
  }

  /** Stores a batch from an agent of `region` (its token's) and says what became of each result. */
  async ingest(batch: ResultBatch, region: string, tokenId: string): Promise<BatchAnswer> {
    const { store, clock, metrics } = this.#deps;
    const now = clock.now();
    const plan = planBatch(batch, region, this.#deps.config(), now);
    const { agent } = batch;
    const report = {
      id: agent.id,
      region,
      tokenId,
      version: agent.version,
      hostname: agent.hostname ?? null,
      startedAt: new Date(agent.started_at),
      bufferResults: agent.buffer.results,
      bufferDropped: agent.buffer.dropped,
      checksPerSecond: agent.checks_per_second,
    };
    // In a transaction: results are then committed in the order of their ids, which detection reads them by.
    const stored = await store.transaction((tx) => tx.agents.ingest(plan.rows, report));
    const duplicates = plan.rows.length - stored;
    metrics.agentResults.inc({ region, outcome: "stored" }, stored);
    if (duplicates > 0) metrics.agentResults.inc({ region, outcome: "duplicate" }, duplicates);
    if (plan.rejected.length > 0) {
      metrics.agentResults.inc({ region, outcome: "rejected" }, plan.rejected.length);
      this.#deps.logger.warn({ agent: agent.id, region, rejected: plan.rejected.length, first: plan.rejected[0]?.reason }, "results from an agent refused");
    }
    // After the results before them are committed: detection takes each in its place among them.
    if (plan.running.length > 0) this.#tellRunning(plan.running);
    if (stored > 0) {
      this.#deps.onStored();
      if (this.#deps.clustered) void store.cluster.notify(agentResultsChannel).catch(() => undefined);
      await this.#rollUpLate(plan.rows, now);
    }
    const last = batch.results.at(-1)?.seq ?? 0;
    return { stored, duplicates, rejected: plan.rejected, acknowledged: last };
  }

  /** Hands running checks to this node's monitoring, or with several nodes to every node through the store's notifications. */
  #tellRunning(checks: AgentRunningCheck[]): void {
    if (!this.#deps.clustered) return this.#deps.onRunning?.(checks);
    for (const payload of encodeRunning(checks)) {
      void this.#deps.store.cluster.notify(agentRunningChannel, payload).catch((error: unknown) => {
        this.#deps.logger.warn({ err: error }, "passing on agents' running checks failed; their results count when they come");
      });
    }
  }

  /** Another node (or this one, through the store) passed on agents' running checks. */
  heardRunning(payload: string): void {
    const checks = decodeRunning(payload);
    if (checks.length > 0) this.#deps.onRunning?.(checks);
  }

  /**
   * Results from a buffer that held them for minutes land in rollups already computed: those of their monitors' minutes,
   * hours and days are computed again at once (housekeeping would in its next round; see `Housekeeping`).
   */
  async #rollUpLate(rows: readonly { monitorId: string; at: Date }[], now: Date): Promise<void> {
    const minute = 60_000;
    const late = rows.filter((r) => now.getTime() - r.at.getTime() > lateAfterMs).map((r) => ({ monitorId: r.monitorId, minute: new Date(r.at.getTime() - (r.at.getTime() % minute)) }));
    for (const range of staleRollups(late)) await this.#deps.store.rollups.compute(range.unit, range.from, range.to, range.monitorIds);
  }

  #release(waiter: Waiter): void {
    if (!this.#waiters.delete(waiter)) return;
    this.#deps.timers.clearTimeout(waiter.timer);
    waiter.resolve(this.assignments(waiter.region));
  }
}

/** Running checks as notification payloads, each under PostgreSQL's 8,000 bytes. */
export function encodeRunning(checks: readonly AgentRunningCheck[]): string[] {
  const payloads: string[] = [];
  for (let i = 0; i < checks.length; i += runningPerNotify) {
    payloads.push(JSON.stringify(checks.slice(i, i + runningPerNotify).map((c) => ({ ...c, at: c.at.getTime() }))));
  }
  return payloads;
}

/** The running checks of a payload made by `encodeRunning`; what is not one (another sender's) is left out. */
export function decodeRunning(payload: string): AgentRunningCheck[] {
  let list: unknown;
  try {
    list = JSON.parse(payload);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list
    .filter((c): c is AgentRunningCheck & { at: number } => typeof c === "object" && c !== null && typeof c.monitorId === "string" && typeof c.region === "string" && typeof c.agent === "string" && typeof c.at === "number" && typeof c.afterSeq === "number" && (c.kind === "suspected" || c.kind === "confirming"))
    .map((c) => ({ ...c, at: new Date(c.at) }));
}
