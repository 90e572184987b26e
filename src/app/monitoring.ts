import type { Clock } from "../core/clock.ts";
import type { Timers } from "../core/timers.ts";
import type { MonitorConfig, VigilConfig } from "../config/index.ts";
import { currentStatus, detect, initialState } from "../detection/detect.ts";
import { restoreState } from "../detection/state.ts";
import { resolvePolicy } from "../detection/policy.ts";
import type { CheckResult, DetectionPolicy, MonitorState } from "../detection/types.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import { applyAssertions } from "../probes/assertions.ts";
import { probeRegistry } from "../probes/registry.ts";
import type { ProbeOutcome } from "../probes/types.ts";
import { Scheduler, type ScheduledMonitor } from "../scheduler/scheduler.ts";
import type { MonitorStateRow, Store } from "../store/types.ts";
import { ResultWriter } from "./result-writer.ts";

const stateSaveEveryMs = 30_000;

/** What the monitoring service needs from the rest of Vigil. */
export interface MonitoringDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  metrics: Metrics;
  /** Told when detection events were appended to the timeline (the incident engine reads them from there). */
  onDetected?: () => void;
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
  readonly #heartbeats = new Map<string, Date>();
  /** When each monitor's state was last handed to the writer. */
  readonly #savedAt = new Map<string, number>();
  #monitors = new Map<string, { config: MonitorConfig; policy: DetectionPolicy }>();
  #region = "local";
  readonly #startedAt: Date;

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
      run: (monitor, signal) => this.#check(monitor.id, signal),
      onLag: (ms) => deps.metrics.scheduleLag.observe(ms / 1000),
    });
  }

  /** Loads saved detection states, then schedules the configuration's monitors. */
  async start(config: VigilConfig): Promise<void> {
    for (const row of await this.#deps.store.monitorStates.load()) {
      // A state saved by another version of detection is dropped: the monitor starts from unknown.
      const state = restoreState(row.state, row.monitorId);
      if (state) this.#states.set(row.monitorId, state);
    }
    this.apply(config);
  }

  /** Follows a (re)loaded configuration: new monitors start, removed ones stop, changed ones are rescheduled. */
  apply(config: VigilConfig): void {
    this.#region = config.probe.region;
    this.#monitors = new Map(
      config.monitors.map((m) => [
        m.id,
        { config: m, policy: resolvePolicy(m.interval, {
          confirm: m.confirm,
          recover: m.recover,
          quorum: m.quorum,
          flap: { windowMs: m.flap_window, maxChanges: m.flap_changes },
          evidence: { saturation: m.saturation },
        }) },
      ]),
    );
    const scheduled: ScheduledMonitor[] = config.monitors.map((m) => ({ id: m.id, intervalMs: m.interval, timeoutMs: m.timeout, recheckMs: m.recheck }));
    this.#scheduler.set(scheduled);
  }

  /** Records a heartbeat ping; false when the monitor is not a heartbeat monitor. */
  heartbeat(monitorId: string, at: Date): boolean {
    const monitor = this.#monitors.get(monitorId)?.config;
    if (!monitor || !probeRegistry[monitor.type].push) return false;
    this.#heartbeats.set(monitorId, at);
    return true;
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
    return currentStatus(this.#states.get(monitorId) ?? initialState(monitorId), monitor.policy, this.#deps.clock.now());
  }

  /** Stops checking, then writes what is buffered. */
  async stop(): Promise<void> {
    await this.#scheduler.stop();
    // The latest states, whatever their age, so that a restart resumes exactly.
    const now = this.#deps.clock.now();
    for (const [monitorId, state] of this.#states) if (this.#monitors.has(monitorId)) this.#writer.saveState(this.#stateRow(state, now));
    await this.#writer.flush();
  }

  /** Writes buffered results now (tests, shutdown). */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  async #check(monitorId: string, signal: AbortSignal): Promise<{ recheck: boolean }> {
    const monitor = this.#monitors.get(monitorId);
    if (!monitor) return { recheck: false };
    const { config, policy } = monitor;
    const { clock, logger, metrics, store } = this.#deps;
    const at = clock.now();
    const outcome = applyAssertions(await this.#runProbe(config, signal), config.assert);
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
    const detected = detect(this.#states.get(monitorId), result, policy, clock.now());
    this.#states.set(monitorId, detected.state);
    // States are saved on every event and otherwise at most every 30 s: a restart then resumes with
    // counters at most 30 s old, and a busy instance does not rewrite thousands of states a second.
    const saveState = detected.events.length > 0 || at.getTime() - (this.#savedAt.get(monitorId) ?? 0) >= stateSaveEveryMs;
    if (saveState) this.#savedAt.set(monitorId, at.getTime());
    this.#writer.add(result, saveState ? this.#stateRow(detected.state, at) : undefined);
    for (const event of detected.events) {
      // Events are the record: written at once, not batched, so a crash loses no transition.
      await store.events.append({ at: event.at, kind: event.kind, subject: monitorId, actor: "system", data: { region: this.#region, ...event.data } }).catch((error: unknown) => {
        logger.error({ err: error, event: event.kind, monitor: monitorId }, "appending a detection event failed");
      });
      logger.info({ monitor: monitorId, event: event.kind }, "monitor event");
    }
    if (detected.events.length > 0) this.#deps.onDetected?.();
    return { recheck: detected.recheck };
  }

  #stateRow(state: MonitorState, at: Date): MonitorStateRow {
    return { monitorId: state.monitorId, status: state.status, state: state as unknown as Record<string, unknown>, updatedAt: at };
  }

  async #runProbe(config: MonitorConfig, signal: AbortSignal): Promise<ProbeOutcome> {
    const probe = probeRegistry[config.type];
    try {
      return await probe.run(config.settings, {
        signal,
        clock: this.#deps.clock,
        region: this.#region,
        timeoutMs: config.timeout,
        intervalMs: config.interval,
        monitorId: config.id,
        // A heartbeat monitor gets its first interval + grace from the start before it counts as missing.
        lastHeartbeat: () => this.#heartbeats.get(config.id) ?? this.#startedAt,
      });
    } catch (error) {
      // A probe throws only on a bug: report it as this check's failure, and log it for us.
      this.#deps.logger.error({ err: error, monitor: config.id }, "probe failed unexpectedly");
      return { status: "down", latencyMs: 0, facts: {}, error: { kind: "protocol", message: "internal probe error (see the server log)" } };
    }
  }
}
