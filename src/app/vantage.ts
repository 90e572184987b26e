import type { Clock } from "../core/clock.ts";
import type { Timers } from "../core/timers.ts";
import type { VigilConfig } from "../config/index.ts";
import { initialVantageState, judgeVantage, publicationGate, type CanaryResult, type PublicationGate, type VantageEvent, type VantageInput, type VantageRule, type VantageState } from "../detection/vantage.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import { probeRegistry } from "../probes/registry.ts";
import type { NewEvent, Store } from "../store/types.ts";

/** How often the rule is looked at besides after each canary round. */
const lookEveryMs = 2_000;

/** What the vantage watch needs. */
export interface VantageWatchDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  metrics: Metrics;
  /** The local monitors' failures now (monitoring's states). */
  failures: () => Pick<VantageInput, "monitors" | "failing">;
  /** Told when an event was appended to the timeline. */
  onEvent?: () => void;
  /**
   * This node in a cluster (absent: alone). Each node's network is its own, so its events name it, and say whether it
   * leads: only the leader's suspicion holds publication.
   */
  cluster?: { node: () => string; leading: () => boolean };
}

type Canary = VigilConfig["probe"]["canaries"][number];

/**
 * The server's own vantage point, when it is the only region: checks the canaries (`probe.canaries`) every
 * `canary_interval`, and at once when most local monitors fail and they have not been checked since; records
 * `vantage.suspect` when most monitors and every canary failed at once, `vantage.restored` when it ends; and tells the
 * incident engine whether automatic publication may go ahead (`gate`).
 */
export class VantageWatch {
  readonly #deps: VantageWatchDeps;
  #canaries: Canary[] = [];
  #canaryKey = "";
  #intervalMs = 10_000;
  #rule: VantageRule = { share: 0.5, minMonitors: 3, windowMs: 30_000 };
  #results: (CanaryResult | undefined)[] = [];
  #region = "local";
  #state: VantageState = initialVantageState;
  #round: Promise<void> | undefined;
  #canaryTimer: unknown;
  #lookTimer: unknown;
  #looking: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(deps: VantageWatchDeps) {
    this.#deps = deps;
  }

  /** Follows the configuration: canaries changed are checked afresh (with regions declared there are none). */
  apply(config: VigilConfig): void {
    const { canaries, canary_interval, mass_failure } = config.probe;
    this.#intervalMs = canary_interval;
    this.#region = config.probe.region;
    this.#rule = { share: mass_failure.share, minMonitors: mass_failure.min_monitors, windowMs: mass_failure.window };
    const key = JSON.stringify(canaries);
    if (key !== this.#canaryKey) {
      this.#canaryKey = key;
      this.#canaries = [...canaries];
      this.#results = canaries.map(() => undefined);
    }
  }

  start(): void {
    this.#scheduleCanaries(0);
    this.#scheduleLook();
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.#deps.timers.clearTimeout(this.#canaryTimer);
    this.#deps.timers.clearTimeout(this.#lookTimer);
    return Promise.all([this.#round?.catch(() => undefined), this.#looking]).then(() => undefined);
  }

  /** Whether the vantage point is suspect now. */
  suspect(): boolean {
    return this.#state.suspectSince !== null;
  }

  /** Whether automation may publish an incident whose failure began at `since` (the canaries are checked now if it waits on them). */
  gate(since: Date): PublicationGate {
    const decision = publicationGate(this.#state, this.#input(), since.getTime(), this.#deps.clock.now().getTime(), this.#rule);
    if (decision.gate === "pending" && decision.checkCanaries) void this.checkCanaries();
    return decision;
  }

  /** Checks every canary now (one round at a time), then looks at the rule. */
  checkCanaries(): Promise<void> {
    if (this.#canaries.length === 0 || this.#stopped) return Promise.resolve();
    this.#round ??= this.#checkAll()
      .then(() => this.look())
      .finally(() => (this.#round = undefined));
    return this.#round;
  }

  /** Looks at the rule now (tests; the watch does it every 2 s and after each canary round), recording what changed. */
  look(): Promise<void> {
    this.#looking = this.#looking.then(() => this.#look()).catch((error: unknown) => this.#deps.logger.error({ err: error }, "recording the vantage point's state failed"));
    return this.#looking;
  }

  async #look(): Promise<void> {
    if (this.#canaries.length === 0 && this.#state.suspectSince === null) return;
    const now = this.#deps.clock.now();
    const judged = judgeVantage(this.#state, this.#input(), now.getTime(), this.#rule);
    this.#state = judged.state;
    this.#deps.metrics.vantageSuspect.set(judged.state.suspectSince === null ? 0 : 1);
    if (judged.checkCanaries) void this.checkCanaries();
    if (judged.event === undefined) return;
    const cluster = this.#deps.cluster;
    const event = eventOf(judged.event, this.#region, now, cluster === undefined ? {} : { node: cluster.node(), leading: cluster.leading() });
    if (judged.event.kind === "vantage.suspect") this.#deps.logger.warn({ evidence: judged.event.evidence.summary }, "most monitors and every canary failed at once: this server's network may be cut off; automatic publication is held");
    else this.#deps.logger.warn({ reason: judged.event.reason }, "the vantage point is no longer suspect: automatic publication resumes");
    await this.#deps.store.events.append(event);
    this.#deps.onEvent?.();
  }

  #input(): VantageInput {
    return { ...this.#deps.failures(), canaries: this.#results };
  }

  async #checkAll(): Promise<void> {
    const canaries = this.#canaries;
    const key = this.#canaryKey;
    const results = await Promise.all(canaries.map((canary, i) => this.#checkOne(canary, i)));
    // The canaries changed while they were checked: these results are not theirs.
    if (key === this.#canaryKey) this.#results = results;
  }

  async #checkOne(canary: Canary, index: number): Promise<CanaryResult> {
    const { clock, timers } = this.#deps;
    const at = clock.now().getTime();
    const controller = new AbortController();
    const timer = timers.setTimeout(() => controller.abort(), canary.timeout);
    const name = canaryName(canary, index);
    try {
      const outcome = await probeRegistry[canary.type].run(canary.settings, { signal: controller.signal, clock, region: this.#region, timeoutMs: canary.timeout });
      return { canary: name, at, ok: outcome.status === "up" };
    } catch (error) {
      this.#deps.logger.error({ err: error, canary: name }, "canary probe failed unexpectedly");
      return { canary: name, at, ok: false };
    } finally {
      timers.clearTimeout(timer);
    }
  }

  #scheduleCanaries(delayMs: number): void {
    if (this.#stopped) return;
    this.#canaryTimer = this.#deps.timers.setTimeout(() => {
      void this.checkCanaries().finally(() => this.#scheduleCanaries(this.#intervalMs));
    }, delayMs);
  }

  #scheduleLook(): void {
    if (this.#stopped) return;
    this.#lookTimer = this.#deps.timers.setTimeout(() => void this.look().finally(() => this.#scheduleLook()), lookEveryMs);
  }
}

/** A canary as responders read it: its name, else its type and place in the list ("tcp #1"), never its address (it may hold a secret). */
export function canaryName(canary: Canary, index: number): string {
  return canary.name ?? `${canary.type} #${index + 1}`;
}

function eventOf(event: VantageEvent, region: string, now: Date, node: { node?: string; leading?: boolean }): NewEvent {
  if (event.kind === "vantage.suspect") {
    const e = event.evidence;
    return { at: now, kind: event.kind, subject: region, actor: "system", data: { ...node, summary: e.summary, failing: e.failing, of: e.of, canaries_failed: e.canariesFailed, canaries: e.canaries, window_ms: e.windowMs, monitors: e.monitors } };
  }
  return { at: now, kind: event.kind, subject: region, actor: "system", data: { ...node, reason: event.reason, suspect_since: new Date(event.suspectSince).toISOString(), duration_ms: now.getTime() - event.suspectSince, ...(event.evidence ? { summary: event.evidence.summary } : {}) } };
}
