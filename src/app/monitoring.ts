import type { Clock } from "../core/clock.ts";
import type { Timers } from "../core/timers.ts";
import type { MonitorConfig, VigilConfig } from "../config/index.ts";
import { currentStatus, detect, initialState, reconsider } from "../detection/detect.ts";
import { restoreState } from "../detection/state.ts";
import { awaitCheck, suspect, suspicionDelay } from "../detection/suspect.ts";
import { resolvePolicy } from "../detection/policy.ts";
import type { CheckResult, DetectionEvent, DetectionPolicy, MonitorState, RegionState } from "../detection/types.ts";
import { regionChange, regionsToAsk } from "../detection/cross-region.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import { applyAssertions } from "../probes/assertions.ts";
import { probeRegistry } from "../probes/registry.ts";
import type { ProbeOutcome } from "../probes/types.ts";
import { Scheduler, type ScheduledMonitor } from "../scheduler/scheduler.ts";
import { graphRechecks } from "../incidents/graph-recheck.ts";
import { graphOf } from "./graph-of.ts";
import type { MonitorStateRow, NewEvent, Store } from "../store/types.ts";
import { ResultWriter } from "./result-writer.ts";
import { checksFrom, phaseFor, regionsOf } from "../config/regions.ts";
import { awaitsIsolationLook, defaultIsolationRule, isolatedRegions, type IsolatedRegion } from "../detection/isolation.ts";
import { foldJudgement, type IsolationRecord } from "../detection/isolation-episodes.ts";
import type { PublicationGate } from "../detection/vantage.ts";
import { VantageWatch } from "./vantage.ts";
import type { AgentRunningCheck } from "../agents/ingest.ts";

const stateSaveEveryMs = 30_000;
/** Agent results read from the store at a time. */
const agentPullLimit = 2_000;
/** An agent's result stored this long after its check ended is late: history only, never detection. */
export const agentLateMs = 5_000;
/** How often the regions are looked at for isolation. */
const isolationEveryMs = 2_000;
/** Where the nodes of a cluster share which regions each finds isolated (detection/isolation-episodes.ts). */
const isolationRecordName = "regions.isolation";
/** How often agents' results are read without a notification. */
const agentPollMs = 1_000;
/** Agents' running checks kept waiting for their place among the results, at most (the oldest go first). */
const maxRunningQueued = 10_000;

/** What the monitoring service needs from the rest of Vigil. */
export interface MonitoringDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  metrics: Metrics;
  /** Told when detection events were appended to the timeline (the incident engine reads them from there). */
  onDetected?: () => void;
  /** Asks the agents of `regions` to check a monitor at once (cross-region confirmation); absent: agents are not asked. */
  askRegions?: (monitorId: string, regions: readonly string[]) => void;
  /**
   * This node in a cluster (absent: alone): a region's isolation is then told once across the nodes, and the vantage
   * point's events name the node and whether it leads.
   */
  cluster?: { node: () => string; liveMs: number; leading: () => boolean };
}

/** A monitor's confirmed status as the API shows it. */
export type MonitorView = ReturnType<typeof currentStatus>;

/**
 * Runs every monitor of the configuration: the scheduler starts checks, the probe runs them,
 * assertions judge them, detection turns results into confirmed states and events, and the
 * results, states and events are written to the store.
 */
export class MonitoringService {
  readonly #deps: MonitoringDeps;
  readonly #writer: ResultWriter;
  readonly #scheduler: Scheduler;
  readonly #states = new Map<string, MonitorState>();
  /** States of the monitors other nodes check, as they last saved them (read incrementally). */
  readonly #remote = new Map<string, MonitorState>();
  #remoteReadAt: Date | null = null;
  #remoteFullAt = 0;
  /** The monitors this node checks; null: all of them (one node). */
  #owned: ReadonlySet<string> | null = null;
  /** Checks finished in the last minute, for the check rate a node reports. */
  readonly #recentChecks: number[] = [];
  /** When each monitor's state was last handed to the writer. */
  readonly #savedAt = new Map<string, number>();
  /** The check time of the latest result taken per monitor and region (a suspicion is no result). */
  readonly #answeredAt = new Map<string, Map<string, number>>();
  #monitors = new Map<string, { config: MonitorConfig; policy: DetectionPolicy }>();
  #config: VigilConfig | undefined;
  #region = "local";
  /** The id of the last agent result read (null until the first read). */
  #agentCursor: string | null = null;
  /** The read of agents' results in progress. */
  #pulling: Promise<void> | undefined;
  #pullAgain = false;
  /** Running checks agents reported, waiting for their place among the agents' results; `n` numbers them as they came. */
  #agentRunning: { check: AgentRunningCheck; receivedAt: number; n: number }[] = [];
  #agentRunningN = 0;
  #agentTimer: unknown;
  #isolationTimer: unknown;
  /** Late agents' results read since the last warning, and when it was given. */
  #late = 0;
  #lateSaidAt = Number.NEGATIVE_INFINITY;
  #isolated: ReadonlySet<string> = new Set();
  /** Monitors whose down or degraded rests on one contradicted region, held until the next look (see `#decide`), with that region. */
  #held = new Map<string, string>();
  /** Whether the cluster's record of isolated regions, as last read, names any. */
  #sharedIsolation = false;
  readonly #vantage: VantageWatch;
  #stopped = false;
  readonly #startedAt: Date;

  readonly #startedMono = performance.now();

  constructor(deps: MonitoringDeps, concurrency: number) {
    this.#deps = deps;
    this.#startedAt = deps.clock.now();
    this.#writer = new ResultWriter({
      store: deps.store,
      timers: deps.timers,
      flushEveryMs: 1_000,
      maxBatch: 500,
      onError: (error) => deps.logger.error({ err: error }, "writing check results failed; they are kept for the next attempt"),
      onDropped: (count) => {
        deps.metrics.resultsDropped.inc(count);
        deps.logger.warn({ count }, "check results dropped: the store stayed unreachable past the in-memory bound");
      },
    });
    this.#scheduler = new Scheduler({
      clock: deps.clock,
      timers: deps.timers,
      concurrency,
      run: (monitor, signal, _lagMs, alongside) => this.#check(monitor.id, signal, alongside),
      onLag: (ms) => deps.metrics.scheduleLag.observe(ms / 1000),
    });
    this.#vantage = new VantageWatch({ store: deps.store, clock: deps.clock, timers: deps.timers, logger: deps.logger, metrics: deps.metrics, failures: () => this.#localFailures(), ...(deps.onDetected ? { onEvent: deps.onDetected } : {}), ...(deps.cluster ? { cluster: deps.cluster } : {}) });
  }

  /** Loads saved detection states, then schedules the configuration's monitors (only `owned` ones, when given). */
  async start(config: VigilConfig, owned: ReadonlySet<string> | null = null): Promise<void> {
    this.#owned = owned;
    for (const row of await this.#deps.store.monitorStates.load()) {
      // A state saved by another version of detection is dropped: the monitor starts from unknown.
      const state = restoreState(row.state, row.monitorId);
      if (state) this.#states.set(row.monitorId, state);
    }
    this.apply(config);
    this.#pollAgents();
    this.#watchIsolation();
    this.#vantage.start();
  }

  /** The canaries and the vantage point's suspicion (only the local region; see vantage.ts). */
  get vantage(): Pick<VantageWatch, "checkCanaries" | "look" | "suspect"> {
    return this.#vantage;
  }

  /** Whether automation may publish an incident whose failure began at `since`, as the server's vantage point allows. */
  publicationGate(since: Date): PublicationGate {
    return this.#vantage.gate(since);
  }

  /** The monitors this node checks from its own region (heartbeats, which wait for pings, aside), and those failing now. */
  #localFailures(): { monitors: number; failing: { monitorId: string; since: number }[] } {
    const config = this.#config;
    if (config === undefined) return { monitors: 0, failing: [] };
    let monitors = 0;
    const failing: { monitorId: string; since: number }[] = [];
    for (const m of config.monitors) {
      if (!this.owns(m.id) || probeRegistry[m.type].push === true || !checksFrom(config, m, this.#region)) continue;
      monitors++;
      const since = this.#states.get(m.id)?.regions[this.#region]?.failingSince ?? null;
      if (since !== null) failing.push({ monitorId: m.id, since });
    }
    return { monitors, failing };
  }

  /** Regions found isolated now: their votes do not count. */
  isolatedRegions(): ReadonlySet<string> {
    return this.#isolated;
  }

  /**
   * Every 2 s: a region that sees many of this node's monitors failing while other regions see them up is isolated (its
   * network is at fault, not the targets): its votes stop counting, and responders hear it (`region.isolated`), and
   * again when it agrees with the others (`region.reconnected`). Each node judges from the monitors it checks, a
   * sample of all of them.
   */
  #watchIsolation(): void {
    if (this.#stopped) return;
    this.#isolationTimer = this.#deps.timers.setTimeout(() => {
      void this.checkIsolation()
        .catch((error: unknown) => this.#deps.logger.error({ err: error }, "recording a region's isolation failed"))
        .finally(() => this.#watchIsolation());
    }, isolationEveryMs);
  }

  /**
   * Looks for isolated regions now (tests; the watch does it every 2 s), on the current states, those held for this
   * look included. Then the verdicts it changes are told, after `region.isolated` or `region.reconnected`: a down held
   * for it (told now, unless its region was found isolated), and, when a region was found isolated or counts again,
   * every monitor whose regions now say otherwise (one down on an isolated region's vote is up at once).
   */
  async checkIsolation(): Promise<void> {
    const now = this.#deps.clock.now();
    const owned = [...this.#states.values()].filter((s) => this.owns(s.monitorId));
    const found = isolatedRegions(owned, (id) => this.#monitors.get(id)?.policy, now, defaultIsolationRule, this.#isolated);
    const next = new Set(found.map((r) => r.region));
    const judged = [
      ...found.filter((r) => !this.#isolated.has(r.region)).map((r) => isolatedEvent(r, now)),
      ...[...this.#isolated].filter((region) => !next.has(region)).map((region) => reconnectedEvent(region, now)),
    ];
    this.#isolated = next;
    const held = this.#held;
    this.#held = new Map();
    for (const event of judged) this.#deps.logger.warn({ region: event.subject, event: event.kind }, event.kind === "region.isolated" ? "a region sees many monitors fail that the others see up: its votes no longer count" : "an isolated region agrees with the others again");
    const events = this.#deps.cluster === undefined ? judged : await this.#shareIsolation(found, judged.length > 0, now);
    if (this.#deps.cluster === undefined && events.length > 0) await this.#deps.store.events.appendMany(events);
    let told = events.length > 0;
    for (const { monitorId } of owned) {
      if (judged.length === 0 && !held.has(monitorId)) continue;
      const state = this.#states.get(monitorId);
      const policy = this.#monitors.get(monitorId)?.policy;
      if (state === undefined || policy === undefined || !this.owns(monitorId)) continue;
      const out = reconsider(state, policy, now, this.#isolated);
      this.#states.set(monitorId, out.state);
      if (out.events.length === 0) continue;
      await this.#recordReconsidered(monitorId, out.state, out.events, now, held.get(monitorId));
      told = true;
    }
    if (told) this.#deps.onDetected?.();
  }

  /**
   * In a cluster, each node judges from its own monitors, and a region's isolation is told once per episode across the
   * nodes: this node's judgement joins the others' in the store (a row locked while it is read and written), and the
   * events returned, appended in that transaction, are those of the episodes that begin (no node found the region
   * isolated before) or end (none does now, the nodes no longer live included) with it. Nothing is read or written
   * while this node's judgement is unchanged and no node finds any region isolated.
   */
  async #shareIsolation(found: readonly IsolatedRegion[], changed: boolean, now: Date): Promise<NewEvent[]> {
    const cluster = this.#deps.cluster!;
    const { store } = this.#deps;
    if (!changed && !this.#sharedIsolation) {
      const record = (await store.state.get(isolationRecordName)) as IsolationRecord | undefined;
      if (record === undefined || Object.keys(record).length === 0) return [];
    }
    const node = cluster.node();
    const isolated = this.#isolated;
    return store.transaction(async (tx) => {
      const record = (await tx.state.getForUpdate(isolationRecordName, {}, now)) as IsolationRecord;
      const live = new Set((await tx.cluster.nodes(cluster.liveMs)).filter((n) => n.live).map((n) => n.node));
      const folded = foldJudgement(record, node, isolated, live, now.getTime());
      this.#sharedIsolation = Object.keys(folded.record).length > 0;
      const events = [...found.filter((r) => folded.began.includes(r.region)).map((r) => isolatedEvent(r, now)), ...folded.ended.map((region) => reconnectedEvent(region, now))];
      if (JSON.stringify(folded.record) !== JSON.stringify(record)) await tx.state.put(isolationRecordName, folded.record, now);
      if (events.length > 0) await tx.events.appendMany(events);
      return events;
    });
  }

  /** Records the events of a verdict taken again by a look (`checkIsolation`), in one transaction with their state. */
  async #recordReconsidered(monitorId: string, state: MonitorState, events: readonly DetectionEvent[], now: Date, region: string | undefined): Promise<void> {
    const { logger, store } = this.#deps;
    this.#savedAt.set(monitorId, now.getTime());
    this.#writer.forgetState(monitorId);
    const row = this.#stateRow(state, now);
    await store
      .transaction(async (tx) => {
        await tx.monitorStates.save([row]);
        await tx.events.appendMany(events.map((event) => ({ at: event.at, kind: event.kind, subject: monitorId, actor: "system", data: { ...(region === undefined ? {} : { region }), ...event.data } })));
      })
      .catch((error: unknown) => {
        logger.error({ err: error, events: events.map((e) => e.kind), monitor: monitorId }, "recording detection events failed");
        this.#writer.saveState(row);
      });
    for (const event of events) logger.info({ monitor: monitorId, event: event.kind }, "monitor event");
    if (events.some((e) => e.kind === "monitor.down" || e.kind === "monitor.degraded")) await this.#checkRelated(monitorId, now);
  }

  /**
   * Runs a step of detection (`step`, given the regions not to count) as of `now`. A step that would tell responders the
   * monitor is down or degraded on one region's vote alone, contradicted by every other counted region, is not told
   * yet: that region may be isolated, and the look that judges it has not seen this state. The step is taken with that
   * region not counted, and the monitor waits for the next look (at most 2 s), which tells it then unless the region
   * is found isolated.
   */
  #decide<T extends { state: MonitorState }>(monitorId: string, before: MonitorState | undefined, policy: DetectionPolicy, now: Date, step: (ignored: ReadonlySet<string>) => T | undefined): T | undefined {
    const outcome = step(this.#isolated);
    const region = outcome === undefined ? undefined : awaitsIsolationLook(before, outcome.state, policy, now, this.#isolated);
    if (region === undefined) return outcome;
    this.#held.set(monitorId, region);
    return step(new Set([...this.#isolated, region]));
  }

  /** Reads agents' results now (a node stored some: this one, or another that notified). */
  agentResultsStored(): void {
    if (this.#stopped) return;
    void this.pullAgentResults().catch((error: unknown) => this.#deps.logger.error({ err: error }, "reading agents' results failed; retrying in a second"));
  }

  /**
   * Agents reported checks still running: suspected of hanging, or confirming beside one. Detection takes each after the
   * agent's results it followed and before the later ones, as this node's runner takes its own (see `#suspectHang`).
   */
  agentChecksRunning(checks: readonly AgentRunningCheck[]): void {
    if (this.#stopped || checks.length === 0) return;
    const receivedAt = this.#deps.clock.now().getTime();
    for (const check of checks) this.#agentRunning.push({ check, receivedAt, n: ++this.#agentRunningN });
    if (this.#agentRunning.length > maxRunningQueued) this.#agentRunning.splice(0, this.#agentRunning.length - maxRunningQueued);
    this.agentResultsStored();
  }

  /** Reads agents' results every second too: a notification can be lost (a connection dropped), the store keeps them. */
  #pollAgents(): void {
    if (this.#stopped) return;
    this.#agentTimer = this.#deps.timers.setTimeout(() => {
      this.agentResultsStored();
      this.#pollAgents();
    }, agentPollMs);
  }

  /** Follows a (re)loaded configuration: new monitors start, removed ones stop, changed ones are rescheduled. */
  apply(config: VigilConfig): void {
    this.#config = config;
    this.#region = config.probe.region;
    this.#vantage.apply(config);
    this.#monitors = new Map(
      config.monitors.map((m) => [
        m.id,
        { config: m, policy: resolvePolicy(m.interval, {
          confirm: m.confirm,
          recover: m.recover,
          quorum: m.quorum,
          flap: { windowMs: m.flap_window, maxChanges: m.flap_changes },
          evidence: { saturation: m.saturation, maxReplicationLagMs: m.max_replication_lag ?? null, longTransactionMs: m.max_transaction_age, lockWaits: m.max_lock_waits },
          suspect: m.suspect ? { factor: m.suspect_factor, floorMs: m.suspect_floor } : null,
        }) },
      ]),
    );
    this.#reschedule();
  }

  /**
   * Checks only these monitors from now on (null: all of them), as the cluster assigns them. A monitor taken over
   * resumes from the state its last checker saved; one handed over has its state saved now for its next checker.
   */
  async assign(ids: ReadonlySet<string> | null): Promise<void> {
    const before = this.#owned;
    const owns = (set: ReadonlySet<string> | null, id: string) => set === null || set.has(id);
    const all = [...this.#monitors.keys()];
    const gained = all.filter((id) => !owns(before, id) && owns(ids, id));
    const lost = all.filter((id) => owns(before, id) && !owns(ids, id));
    this.#owned = ids;
    if (gained.length > 0) {
      // Only the states taken over are read: a membership change moves about 1/n of the monitors, not all of them.
      for (const row of await this.#deps.store.monitorStates.load({ monitorIds: gained })) {
        const state = restoreState(row.state, row.monitorId);
        if (state) this.#states.set(row.monitorId, state);
      }
    }
    const now = this.#deps.clock.now();
    for (const id of lost) {
      const state = this.#states.get(id);
      if (state) this.#writer.saveState(this.#stateRow(state, now));
      this.#states.delete(id);
      this.#answeredAt.delete(id);
    }
    this.#reschedule();
    if (lost.length > 0) await this.#writer.flush();
    this.#deps.logger.info({ checking: this.#owned === null ? all.length : all.filter((id) => owns(this.#owned, id)).length, of: all.length, gained: gained.length, lost: lost.length }, "monitors assigned to this node");
  }

  /** Whether this node checks the monitor. */
  owns(monitorId: string): boolean {
    return this.#owned === null || this.#owned.has(monitorId);
  }

  /** Checks per second over the last minute. */
  checksPerSecond(): number {
    const since = performance.now() - 60_000;
    while (this.#recentChecks.length > 0 && this.#recentChecks[0]! < since) this.#recentChecks.shift();
    const elapsed = Math.min(60_000, performance.now() - this.#startedMono);
    return elapsed <= 0 ? 0 : this.#recentChecks.length / (elapsed / 1000);
  }

  /**
   * Reads the states other nodes saved, so that `status` answers for the monitors they check: those saved since the
   * last read (with 5 s of overlap, for nodes whose clocks differ a little), and all of them every 30 s.
   */
  async refreshRemote(): Promise<void> {
    const full = this.#remoteFullAt === 0 || performance.now() - this.#remoteFullAt >= 30_000;
    if (full) this.#remoteFullAt = performance.now();
    const since = full ? null : this.#remoteReadAt;
    const rows = await this.#deps.store.monitorStates.load(since === null ? {} : { updatedSince: since });
    let newest = since;
    for (const row of rows) {
      if (newest === null || row.updatedAt > newest) newest = row.updatedAt;
      if (this.owns(row.monitorId)) continue;
      const state = restoreState(row.state, row.monitorId);
      if (state) this.#remote.set(row.monitorId, state);
    }
    this.#remoteReadAt = newest === null ? null : new Date(newest.getTime() - 5_000);
  }

  /** Records a heartbeat ping in the store, so that whichever node checks the monitor sees it; false when it is not a heartbeat monitor. */
  async heartbeat(monitorId: string, at: Date): Promise<boolean> {
    const monitor = this.#monitors.get(monitorId)?.config;
    if (!monitor || !probeRegistry[monitor.type].push) return false;
    await this.#deps.store.heartbeats.record(monitorId, at);
    return true;
  }

  #reschedule(): void {
    const config = this.#config;
    if (!config) return;
    // A monitor whose regions leave out this runner's is checked by agents only (a push monitor is always here: pings come here).
    const scheduled: ScheduledMonitor[] = config.monitors.filter((m) => this.owns(m.id) && (probeRegistry[m.type].push === true || checksFrom(config, m, this.#region))).map((m) => {
      const phaseMs = phaseFor(config, m, this.#region);
      return { id: m.id, intervalMs: m.interval, timeoutMs: m.timeout, recheckMs: m.recheck, ...(phaseMs === undefined ? {} : { phaseMs }) };
    });
    this.#scheduler.set(scheduled);
  }

  /** The heartbeat secret a monitor expects, if it is a heartbeat monitor. */
  heartbeatSecret(monitorId: string): string | undefined {
    const monitor = this.#monitors.get(monitorId)?.config;
    return monitor && probeRegistry[monitor.type].push ? String(monitor.settings["secret"]) : undefined;
  }

  /** The confirmed status of a monitor, per region and overall; undefined for an unknown id. */
  status(monitorId: string): MonitorView | undefined {
    const monitor = this.#monitors.get(monitorId);
    if (!monitor) return undefined;
    const state = this.owns(monitorId) ? this.#states.get(monitorId) : this.#remote.get(monitorId);
    // A down held for the next look is not shown before it is told.
    const held = this.#held.get(monitorId);
    return currentStatus(state ?? initialState(monitorId), monitor.policy, this.#deps.clock.now(), held === undefined ? this.#isolated : new Set([...this.#isolated, held]));
  }

  /** Stops checking, then writes what is buffered. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#deps.timers.clearTimeout(this.#agentTimer);
    this.#deps.timers.clearTimeout(this.#isolationTimer);
    await this.#vantage.stop();
    await this.#pulling?.catch(() => undefined);
    await this.#scheduler.stop();
    // The latest states, whatever their age, so that a restart resumes exactly.
    const now = this.#deps.clock.now();
    for (const [monitorId, state] of this.#states) if (this.#monitors.has(monitorId) && this.owns(monitorId)) this.#writer.saveState(this.#stateRow(state, now));
    await this.#writer.flush();
  }

  /** Writes buffered results now (tests, shutdown). */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  async #check(monitorId: string, signal: AbortSignal, alongside = false): Promise<{ recheck: boolean }> {
    const monitor = this.#monitors.get(monitorId);
    if (!monitor) return { recheck: false };
    const { config, policy } = monitor;
    const { clock, metrics } = this.#deps;
    const at = clock.now();
    const stopWatching = this.#watchForHang(config, policy, at, alongside);
    const outcome = applyAssertions(await this.#runProbe(config, signal), config.assert);
    stopWatching();
    metrics.checks.inc({ type: config.type, status: outcome.status });
    const result: CheckResult = {
      monitorId,
      region: this.#region,
      at,
      status: outcome.status,
      latencyMs: outcome.latencyMs,
      facts: outcome.facts,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.warning ? { warning: outcome.warning } : {}),
    };
    // The monitor moved to another node while this check ran: its result is that node's to make.
    if (!this.owns(monitorId)) return { recheck: false };
    this.#recentChecks.push(performance.now());
    return this.#record(result, policy, false);
  }

  /**
   * Reads the results remote agents sent (to any node) for the monitors this node checks, and runs detection on them
   * as on its own. A result that reached a node more than 5 s after its check ended (an agent's buffer, sent after a
   * network outage) fills history only: it never opens or resolves anything in the past.
   */
  pullAgentResults(): Promise<void> {
    if (this.#pulling !== undefined) {
      this.#pullAgain = true;
      return this.#pulling;
    }
    this.#pulling = this.#pullAgentResults().finally(() => (this.#pulling = undefined));
    return this.#pulling;
  }

  async #pullAgentResults(): Promise<void> {
    {
      do {
        this.#pullAgain = false;
        // Running checks reported before this read began follow results it reads (those they came after are committed).
        const reported = this.#agentRunningN;
        const { store, clock } = this.#deps;
        this.#agentCursor ??= await store.agents.cursorSince(new Date(clock.now().getTime() - 60_000));
        let rows;
        do {
          rows = await store.agents.resultsAfter(this.#agentCursor, agentPullLimit);
          for (const row of rows) {
            this.#agentCursor = row.id;
            await this.#takeRunning((r) => r.check.agent === row.agent && r.check.afterSeq < row.seq);
            const monitor = this.#monitors.get(row.monitorId);
            if (monitor === undefined || !this.owns(row.monitorId) || this.#config === undefined || !checksFrom(this.#config, monitor.config, row.region)) continue;
            // Late: it reached a node well after its check ended (an agent's buffer, sent after a network outage).
            if (row.receivedAt.getTime() - (row.at.getTime() + row.latencyMs) > agentLateMs) {
              this.#deps.metrics.agentLate.inc({ region: row.region });
              this.#late++;
              continue;
            }
            const result: CheckResult = {
              monitorId: row.monitorId,
              region: row.region,
              at: row.at,
              status: row.status,
              latencyMs: row.latencyMs,
              facts: row.facts as CheckResult["facts"],
              ...(row.error ? { error: row.error as NonNullable<CheckResult["error"]> } : {}),
              ...(row.warning ? { warning: row.warning } : {}),
            };
            await this.#record(result, monitor.policy, true);
          }
        } while (rows.length === agentPullLimit);
        await this.#takeRunning((r) => r.n <= reported);
        // Said at most once a minute: a drained buffer is thousands of late results.
        if (this.#late > 0 && performance.now() - this.#lateSaidAt >= 60_000) {
          this.#deps.logger.warn({ late: this.#late }, "agents' results arrived more than 5 s after their checks: kept in history, not used to detect (an agent's buffer after an outage, or this node falling behind)");
          this.#late = 0;
          this.#lateSaidAt = performance.now();
        }
      } while (this.#pullAgain && !this.#stopped);
    }
  }

  /** Takes the agents' running checks that `due` picks, in the order they came. */
  async #takeRunning(due: (r: { check: AgentRunningCheck; n: number }) => boolean): Promise<void> {
    if (this.#agentRunning.length === 0) return;
    const taken = this.#agentRunning.filter(due);
    if (taken.length === 0) return;
    this.#agentRunning = this.#agentRunning.filter((r) => !taken.includes(r));
    for (const { check, receivedAt } of taken) await this.#takeAgentCheck(check, receivedAt);
  }

  /**
   * An agent's check still running: a confirming one is awaited whenever its result comes; one suspected of hanging is
   * suspected here by the same rule as this node's own (unless the news came more than 5 s after it: late, ignored).
   */
  async #takeAgentCheck(check: AgentRunningCheck, receivedAt: number): Promise<void> {
    const { monitorId, region } = check;
    const monitor = this.#monitors.get(monitorId);
    if (monitor === undefined || !this.owns(monitorId) || this.#config === undefined || !checksFrom(this.#config, monitor.config, region)) return;
    if (check.kind === "confirming") {
      const state = awaitCheck(this.#states.get(monitorId), { monitorId, region, startedAt: check.at });
      if (state) this.#states.set(monitorId, state);
      return;
    }
    const now = new Date(check.at.getTime() + (check.unansweredMs ?? 0));
    if (receivedAt - now.getTime() > agentLateMs) return;
    // The check has answered already: its result (or a later one) was taken first, as it can be when the news of
    // running checks reaches this node after a read of the results (two channels, no order between them). Counting
    // the suspicion now would count the same check's failure twice; it is recorded as evidence only, which leaves the
    // state as taking it first would have (the result takes its suspicion's place).
    // (The region's `lastAt` will not do: a suspicion moves it too, past the start of the confirming check.)
    const answeredAt = this.#answeredAt.get(monitorId)?.get(region);
    const answered = answeredAt !== undefined && answeredAt >= check.at.getTime();
    await this.#suspectHang(monitorId, monitor.policy, region, check.at, now, () => check.confirmingCheck === true, !answered);
  }

  /** Runs detection on a result and records it (the result itself too, unless a node `stored` it already). */
  async #record(result: CheckResult, policy: DetectionPolicy, stored: boolean): Promise<{ recheck: boolean }> {
    const { monitorId, at } = result;
    const { clock, logger, store } = this.#deps;
    const region = result.region;
    const previous = this.#states.get(monitorId)?.regions[region];
    const answered = this.#answeredAt.get(monitorId) ?? new Map<string, number>();
    answered.set(region, Math.max(answered.get(region) ?? 0, at.getTime()));
    this.#answeredAt.set(monitorId, answered);
    const before = this.#states.get(monitorId);
    const now = clock.now();
    const detected = this.#decide(monitorId, before, policy, now, (ignored) => detect(before, result, policy, now, ignored))!;
    this.#states.set(monitorId, detected.state);
    this.#askOtherRegions(monitorId, region, previous, detected.state, at);
    if (detected.events.length > 0) {
      // Events are the record: written at once with the state they come from, in one transaction, so a crash loses
      // no transition and whoever reads the event (the incident engine, on any node) finds the monitor's state with it.
      this.#savedAt.set(monitorId, at.getTime());
      if (!stored) this.#writer.add(result);
      this.#writer.forgetState(monitorId);
      const row = this.#stateRow(detected.state, at);
      await store
        .transaction(async (tx) => {
          await tx.monitorStates.save([row]);
          await tx.events.appendMany(detected.events.map((event) => ({ at: event.at, kind: event.kind, subject: monitorId, actor: "system", data: { region, ...event.data } })));
        })
        .catch((error: unknown) => {
          logger.error({ err: error, events: detected.events.map((e) => e.kind), monitor: monitorId }, "recording detection events failed");
          this.#writer.saveState(row);
        });
      for (const event of detected.events) logger.info({ monitor: monitorId, event: event.kind }, "monitor event");
      if (detected.events.some((e) => e.kind === "monitor.down" || e.kind === "monitor.degraded")) await this.#checkRelated(monitorId, at);
      this.#deps.onDetected?.();
    } else {
      // Otherwise states are saved at most every 30 s: a restart (or the next node to check it) resumes with counters
      // at most 30 s old, and a busy node does not rewrite thousands of states a second.
      const saveState = at.getTime() - (this.#savedAt.get(monitorId) ?? 0) >= stateSaveEveryMs;
      if (saveState) this.#savedAt.set(monitorId, at.getTime());
      if (!stored) this.#writer.add(result, saveState ? this.#stateRow(detected.state, at) : undefined);
      else if (saveState) this.#writer.saveState(this.#stateRow(detected.state, at));
    }
    return { recheck: detected.recheck };
  }

  /**
   * A monitor confirmed a failure: the monitors related to it through the dependency graph (what it depends on, what
   * depends on it) that this node checks and that are not failing already are checked now rather than at their next
   * interval, so the incident's root and impact are confirmed within seconds. On the timeline as `monitor.graph_recheck`.
   */
  async #checkRelated(monitorId: string, at: Date): Promise<void> {
    const config = this.#config;
    if (config === undefined) return;
    const failing = (id: string): boolean => {
      const status = this.#states.get(id)?.status;
      return status === "down" || status === "degraded";
    };
    const related = graphRechecks(graphOf(config), config.components, monitorId, (id) => !this.owns(id) || failing(id));
    const moved = this.#scheduler.checkSoon(related);
    if (moved.length === 0) return;
    this.#deps.metrics.earlyChecks.inc({ reason: "graph" }, moved.length);
    await this.#deps.store.events
      .append({ at, kind: "monitor.graph_recheck", subject: monitorId, actor: "system", data: { region: this.#region, monitors: moved } })
      .catch((error: unknown) => this.#deps.logger.warn({ err: error, monitor: monitorId }, "recording the graph re-check failed"));
  }

  /**
   * Cross-region confirmation (detection/cross-region.ts): a region's results just turned (its first failure, or its
   * first good result after failing), so the monitor's other regions check it at once rather than at their next turn:
   * this node's runner through its scheduler, agents through the hub. On the timeline as `monitor.region_recheck`,
   * counted in `vigil_probe_early_checks_total{reason="region"}`.
   */
  #askOtherRegions(monitorId: string, region: string, previous: RegionState | undefined, state: MonitorState, at: Date): void {
    const config = this.#config;
    const monitor = this.#monitors.get(monitorId)?.config;
    const next = state.regions[region];
    if (config === undefined || monitor === undefined || next === undefined || probeRegistry[monitor.type].push) return;
    const change = regionChange(previous, next);
    if (change === undefined) return;
    const regions = regionsOf(config, monitor);
    if (regions.length < 2) return;
    const asked = regionsToAsk(state, region, change, regions, this.#isolated);
    const agents = this.#deps.askRegions === undefined ? [] : asked.filter((r) => r !== this.#region);
    const local = asked.includes(this.#region) && this.#scheduler.checkSoon([monitorId]).length > 0;
    if (agents.length > 0) this.#deps.askRegions?.(monitorId, agents);
    const regionsAsked = local ? [this.#region, ...agents] : agents;
    if (regionsAsked.length === 0) return;
    this.#deps.metrics.earlyChecks.inc({ reason: "region" }, regionsAsked.length);
    void this.#deps.store.events
      .append({ at, kind: "monitor.region_recheck", subject: monitorId, actor: "system", data: { region, change, regions: regionsAsked } })
      .catch((error: unknown) => this.#deps.logger.warn({ err: error, monitor: monitorId }, "recording the cross-region re-check failed"));
  }

  /**
   * Hang suspicion (detection/suspect.ts): a check still unanswered at its monitor's suspicion deadline (factor × the
   * usual p99, at least the floor, and before the timeout) is suspected then. A confirming check's result is awaited
   * whenever it comes. Returns what stops watching once the check has its answer.
   */
  #watchForHang(config: MonitorConfig, policy: DetectionPolicy, startedAt: Date, alongside: boolean): () => void {
    const monitorId = config.id;
    if (alongside) {
      const state = awaitCheck(this.#states.get(monitorId), { monitorId, region: this.#region, startedAt });
      if (state) this.#states.set(monitorId, state);
    }
    // A heartbeat's check reads the store: there is no target to hang.
    const delay = probeRegistry[config.type].push ? undefined : suspicionDelay(this.#states.get(monitorId), this.#region, policy);
    if (delay === undefined || delay >= config.timeout) return () => {};
    const { timers } = this.#deps;
    const timer = timers.setTimeout(() => {
      // Timers may fire a millisecond early by the wall clock: the deadline has come all the same.
      const now = new Date(Math.max(this.#deps.clock.now().getTime(), startedAt.getTime() + delay));
      void this.#suspectHang(monitorId, policy, this.#region, startedAt, now, () => !alongside && this.#scheduler.checkAlongside(monitorId));
    }, delay);
    return () => timers.clearTimeout(timer);
  }

  /**
   * A check of `region` is still unanswered at `now`, its suspicion deadline: detection takes that as a degraded result
   * ("no answer after 1.2 s, usually 3 ms"), and a confirming check starts at once beside it (not beside a confirming
   * check; `startConfirming`: this node's scheduler, or the agent that runs it, did), so that a hang is confirmed
   * degraded at the confirming check's own deadline, and down when the first check times out.
   * On the timeline as `monitor.hang_suspected`, counted in `vigil_probe_early_checks_total{reason="hang"}`.
   */
  async #suspectHang(monitorId: string, policy: DetectionPolicy, region: string, startedAt: Date, now: Date, startConfirming: () => boolean, counted = true): Promise<void> {
    if (!this.owns(monitorId) || !this.#monitors.has(monitorId)) return;
    const { logger, metrics, store } = this.#deps;
    const before = this.#states.get(monitorId);
    const previous = before?.regions[region];
    const outcome = this.#decide(monitorId, before, policy, now, (ignored) => suspect(before, { monitorId, region, startedAt }, policy, now, ignored));
    if (outcome === undefined) return;
    const confirming = startConfirming();
    if (confirming) metrics.earlyChecks.inc({ reason: "hang" });
    const { evidence } = outcome;
    const suspected = {
      at: now,
      kind: "monitor.hang_suspected",
      subject: monitorId,
      actor: "system" as const,
      data: {
        region,
        check_started_at: startedAt.toISOString(),
        elapsed_ms: evidence.elapsedMs,
        usual_ms: evidence.usualMs,
        p99_ms: evidence.p99Ms,
        suspect_after_ms: evidence.afterMs,
        warning: evidence.warning,
        confirming_check: confirming,
        ...(counted ? {} : { counted: false }),
      },
    };
    if (!counted) {
      // Evidence only: the state stays as the check's own result left it.
      await store.events.append(suspected).catch((error: unknown) => logger.error({ err: error, monitor: monitorId }, "recording a hang suspicion failed"));
      return;
    }
    this.#states.set(monitorId, outcome.state);
    this.#askOtherRegions(monitorId, region, previous, outcome.state, now);
    this.#savedAt.set(monitorId, now.getTime());
    this.#writer.forgetState(monitorId);
    const row = this.#stateRow(outcome.state, now);
    const events = outcome.events.map((event) => ({ at: event.at, kind: event.kind, subject: monitorId, actor: "system" as const, data: { region, ...event.data } }));
    await store
      .transaction(async (tx) => {
        await tx.monitorStates.save([row]);
        await tx.events.appendMany([suspected, ...events]);
      })
      .catch((error: unknown) => {
        logger.error({ err: error, monitor: monitorId }, "recording a hang suspicion failed");
        this.#writer.saveState(row);
      });
    logger.info({ monitor: monitorId, region, warning: evidence.warning, confirming }, "check suspected of hanging");
    for (const event of outcome.events) logger.info({ monitor: monitorId, event: event.kind }, "monitor event");
    if (outcome.events.some((e) => e.kind === "monitor.down" || e.kind === "monitor.degraded")) await this.#checkRelated(monitorId, now);
    if (outcome.events.length > 0) this.#deps.onDetected?.();
  }

  #stateRow(state: MonitorState, at: Date): MonitorStateRow {
    return { monitorId: state.monitorId, status: state.status, state: state as unknown as Record<string, unknown>, updatedAt: at };
  }

  async #runProbe(config: MonitorConfig, signal: AbortSignal): Promise<ProbeOutcome> {
    const probe = probeRegistry[config.type];
    try {
      // Pings may reach any node: the latest is in the store.
      const lastPing = probe.push ? await this.#deps.store.heartbeats.last(config.id) : null;
      return await probe.run(config.settings, {
        signal,
        clock: this.#deps.clock,
        region: this.#region,
        timeoutMs: config.timeout,
        intervalMs: config.interval,
        monitorId: config.id,
        // A heartbeat monitor gets its first interval + grace from the start before it counts as missing.
        lastHeartbeat: () => lastPing ?? this.#startedAt,
      });
    } catch (error) {
      // A probe throws only on a bug: report it as this check's failure, and log it for us.
      this.#deps.logger.error({ err: error, monitor: config.id }, "probe failed unexpectedly");
      return { status: "down", latencyMs: 0, facts: {}, error: { kind: "protocol", message: "internal probe error (see the server log)" } };
    }
  }
}

/** `region.isolated`, with the evidence of the node that found it. */
function isolatedEvent(found: IsolatedRegion, now: Date): NewEvent {
  return { at: now, kind: "region.isolated", subject: found.region, actor: "system", data: { failing: found.failing.length, of: found.comparable, monitors: found.failing.slice(0, 10) } };
}

/** `region.reconnected`: no node finds the region isolated any longer. */
function reconnectedEvent(region: string, now: Date): NewEvent {
  return { at: now, kind: "region.reconnected", subject: region, actor: "system", data: {} };
}
