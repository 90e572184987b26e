import { actionRegistry } from "../../actions/registry.ts";
import type { ActionFacts, ActionResult } from "../../actions/types.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import { nextAttempt } from "../../notify/backoff.ts";
import type { Logger } from "../../observability/logger.ts";
import type { ActionRunPatch, ActionRunRow, NewEvent, Store } from "../../store/types.ts";
import { expireApprovals } from "./approve.ts";
import { rampPort } from "./ramp-port.ts";
import { subjectOf } from "./request.ts";

/** How long retries of a run wait: up to 1 s, 2 s, 4 s … capped at 30 s, until the run's deadline. */
export interface ActionRetryPolicy {
  baseMs: number;
  capMs: number;
}

export const defaultActionRetry: ActionRetryPolicy = { baseMs: 1_000, capMs: 30_000 };

/** What the runner needs. */
export interface ActionRunnerDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  config(): VigilConfig;
  /** The facts an attempt is told (src/app/actions/facts.ts). */
  facts(run: ActionRunRow, attempt: number): Promise<ActionFacts>;
  /** Told when a run's outcome is recorded (a resolved incident's postmortem draft may be written again with it). */
  onOutcome?(run: ActionRunRow): void;
  /** Each component's status as detection confirmed it (a ramp's gate reads it). */
  statuses?(): Record<string, string>;
  fetch?: typeof fetch;
  retry?: ActionRetryPolicy;
  random?: () => number;
}

/** How often due runs are looked for when nothing wakes the runner (a run asked for on another node, a retry). */
const pollMs = 1_000;
/** Runs attempted at once: a slow one (a rollout that takes minutes) holds one slot, not the others. */
const concurrency = 8;

/**
 * Runs the pending runs on the leader: claims each due one (so that no two attempts of a run overlap), attempts it
 * through its type's plugin with its idempotency key, and records the outcome with its timeline event in one
 * transaction: `action.run_started` at the first attempt, `action.run_succeeded` (with `resynced` and the run's
 * `window` when the action said how many records it resynced), `action.run_retrying` (with the
 * next attempt's time), `action.run_failed` (status failed, or timed_out when the deadline came first). Runs left
 * running by a leader that stopped are attempted again at start, with the same key. Runs waiting for approval are not
 * attempted; each look times out those whose approval did not come in time (`action.approval_timed_out`).
 */
export class ActionRunner {
  readonly #deps: ActionRunnerDeps;
  readonly #stopping = new AbortController();
  /** Runs being attempted, by id: the attempt, and what aborts it when the run is cancelled. */
  readonly #inFlight = new Map<string, { done: Promise<void>; cancel: AbortController }>();
  #timer: unknown;
  /** The look for due runs under way (reading them and starting them, not their attempts). */
  #passing: Promise<void> | undefined;
  /** The look queued behind the one under way. */
  #queued: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: ActionRunnerDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    const requeued = await this.#deps.store.actionRuns.requeueRunning(this.#deps.clock.now());
    if (requeued.length > 0) this.#deps.logger.warn({ runs: requeued.map((r) => r.id) }, "action runs interrupted by a stop are attempted again");
    this.#schedule();
    void this.kick();
  }

  /**
   * Starts the due runs now, as many as there are free slots (after the look under way, if one is); resolves when the
   * runs it started are over.
   */
  kick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    // Kicks during a look share one look after it (it sees whatever they were told of).
    if (this.#passing)
      return (this.#queued ??= this.#passing.then(() => {
        this.#queued = undefined;
        return this.kick();
      }));
    const pass = this.#pass().catch((error: unknown) => {
      this.#deps.logger.error({ err: error }, "running actions failed; retrying");
      return [] as Promise<void>[];
    });
    this.#passing = pass
      .then(() => undefined)
      .finally(() => {
        this.#passing = undefined;
      });
    return pass.then((started) => Promise.all(started)).then(() => undefined);
  }

  /** Stops taking runs; attempts under way are aborted (an exec command is killed) and their runs attempted again by the next leader. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.timers.clearTimeout(this.#timer);
    this.#stopping.abort();
    await this.#passing;
    await Promise.all([...this.#inFlight.values()].map((f) => f.done));
  }

  /** Reads the due runs and starts those not under way, up to the free slots; each one over looks again. */
  async #pass(): Promise<Promise<void>[]> {
    // One instant for the whole look, read when it starts.
    const now = this.#deps.clock.now();
    const expired = await expireApprovals(this.#deps.store, now);
    if (expired.length > 0) this.#deps.logger.warn({ runs: expired.map((r) => r.id) }, "action runs timed out waiting for approval");
    await this.#abortCancelled();
    if (this.#inFlight.size >= concurrency) return [];
    const due = await this.#deps.store.actionRuns.due(now, concurrency + this.#inFlight.size);
    const started: Promise<void>[] = [];
    for (const run of due) {
      if (this.#stopped || this.#inFlight.size >= concurrency) break;
      if (this.#inFlight.has(run.id)) continue;
      const cancel = new AbortController();
      const attempt = this.#runOnce(run, cancel.signal)
        .catch((error: unknown) => this.#deps.logger.error({ err: error, run: run.id }, "running an action failed"))
        .finally(() => {
          this.#inFlight.delete(run.id);
          if (!this.#stopped) void this.kick();
        });
      this.#inFlight.set(run.id, { done: attempt, cancel });
      started.push(attempt);
    }
    return started;
  }

  /** Aborts the attempts under way of runs cancelled since (through the API, on any node). */
  async #abortCancelled(): Promise<void> {
    for (const [id, flight] of this.#inFlight) {
      if (flight.cancel.signal.aborted) continue;
      if ((await this.#deps.store.actionRuns.get(id))?.status !== "cancelled") continue;
      this.#deps.logger.warn({ run: id }, "action run cancelled during its attempt: the attempt is aborted");
      flight.cancel.abort(new Error("the run was cancelled"));
    }
  }

  async #runOnce(pending: ActionRunRow, cancelled: AbortSignal): Promise<void> {
    const { store, clock } = this.#deps;
    const run = await store.actionRuns.claim(pending.id, clock.now());
    if (run === undefined) return; // another pass took it
    if (run.deadlineAt.getTime() <= clock.now().getTime()) {
      // Due before its deadline, reached only after it (a busy or stopped leader): over, with its last attempt's error.
      await this.#expire(run, pending.attempts);
      return;
    }
    // The claim counted this attempt: one cut short by a crash counts too.
    const attempt = run.attempts;
    if (attempt === 1) await store.events.append({ at: clock.now(), kind: "action.run_started", subject: subjectOf(run), actor: "system", data: { run: run.id, action: run.actionId, type: run.actionType } });
    let result: ActionResult;
    try {
      result = await this.#attempt(run, attempt, cancelled);
    } catch (error) {
      result = { ok: false, retryable: true, error: `internal error: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (this.#stopped && !result.ok) {
      // Cut short by the stop: left running, so that the next leader attempts it again, with the same key.
      return;
    }
    await this.#record(run, attempt, result);
  }

  async #attempt(run: ActionRunRow, attempt: number, cancelled: AbortSignal): Promise<ActionResult> {
    const config = this.#deps.config();
    const definition = config.actions.definitions.find((d) => d.id === run.actionId);
    if (definition === undefined) return { ok: false, retryable: false, error: `action ${run.actionId} is no longer configured` };
    // The configuration checked the type's settings when it was loaded (and exec against actions.allow_exec).
    const plugin = actionRegistry[definition.type];
    // No attempt outlives the run's deadline; a ramp's lasts until it (its steps are runs of their own).
    const ramp = definition.type === "ramp";
    const timeoutMs = Math.max(1, Math.min(ramp ? Number.POSITIVE_INFINITY : definition.timeout, run.deadlineAt.getTime() - this.#deps.clock.now().getTime()));
    const facts = await this.#deps.facts(run, attempt);
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#stopping.signal, cancelled]);
    const port = ramp ? { ramp: rampPort({ ...this.#deps, statuses: () => this.#deps.statuses?.() ?? {}, kick: () => void this.kick() }, run) } : {};
    return plugin.run(definition.settings, facts, { signal, timeoutMs, now: () => this.#deps.clock.now(), fetch: this.#deps.fetch ?? fetch, ...port });
  }

  async #record(run: ActionRunRow, attempts: number, result: ActionResult): Promise<void> {
    const now = this.#deps.clock.now();
    const output = result.output === undefined || result.output === "" ? null : result.output;
    const base = { run: run.id, action: run.actionId, type: run.actionType, attempts };
    let patch: ActionRunPatch;
    let event: NewEvent;
    if (result.ok) {
      patch = { status: "succeeded", attempts, nextAttemptAt: null, output, lastError: null, finishedAt: now, updatedAt: now };
      // A reconciliation's count (see src/actions/resynced.ts) goes on the timeline with its window.
      const resynced = result.resynced === undefined ? {} : { resynced: result.resynced, ...(run.params?.window ? { window: run.params.window } : {}) };
      event = { at: now, kind: "action.run_succeeded", subject: subjectOf(run), actor: "system", data: { ...base, status: "succeeded", output, ...resynced } };
    } else {
      const policy = this.#deps.retry ?? defaultActionRetry;
      const decision = nextAttempt(result, attempts, run.createdAt.getTime(), now.getTime(), { ...policy, maxAgeMs: run.deadlineAt.getTime() - run.createdAt.getTime() }, this.#deps.random);
      if (decision.retry && decision.atMs < run.deadlineAt.getTime()) {
        const at = new Date(decision.atMs);
        patch = { status: "pending", attempts, nextAttemptAt: at, output, lastError: result.error, updatedAt: now };
        event = { at: now, kind: "action.run_retrying", subject: subjectOf(run), actor: "system", data: { ...base, error: result.error, output, next_attempt_at: at.toISOString() } };
      } else {
        // A failure worth retrying that met the deadline is a time-out; any other is final.
        const status = result.retryable ? "timed_out" : "failed";
        const error = status === "timed_out" ? `deadline reached after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${result.error}` : result.error;
        patch = { status, attempts, nextAttemptAt: null, output, lastError: error, finishedAt: now, updatedAt: now };
        event = { at: now, kind: "action.run_failed", subject: subjectOf(run), actor: "system", data: { ...base, status, error, output } };
      }
    }
    // Only a run still running: one cancelled during its attempt stays cancelled, its outcome unrecorded.
    const recorded = await this.#deps.store.transaction(async (tx) => {
      if ((await tx.actionRuns.update(run.id, patch, "running")) === undefined) return false;
      await tx.events.append(event);
      return true;
    });
    if (!recorded) return;
    if (patch.status === "failed" || patch.status === "timed_out") this.#deps.logger.warn({ run: run.id, action: run.actionId, status: patch.status }, "action run failed");
    if (patch.status !== "pending") this.#deps.onOutcome?.(run);
  }

  /** Times out a run whose deadline came before its next attempt. */
  async #expire(run: ActionRunRow, attempts: number): Promise<void> {
    const now = this.#deps.clock.now();
    const error = attempts === 0 ? "deadline reached before any attempt" : `deadline reached after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${run.lastError ?? "no error recorded"}`;
    await this.#deps.store.transaction(async (tx) => {
      if ((await tx.actionRuns.update(run.id, { status: "timed_out", attempts, nextAttemptAt: null, lastError: error, finishedAt: now, updatedAt: now }, "running")) === undefined) return;
      await tx.events.append({ at: now, kind: "action.run_failed", subject: subjectOf(run), actor: "system", data: { run: run.id, action: run.actionId, type: run.actionType, attempts, status: "timed_out", error, output: run.output } });
    });
    this.#deps.logger.warn({ run: run.id, action: run.actionId, status: "timed_out" }, "action run failed");
  }

  /** Looks for due runs every `pollMs`, whatever the runs a look started are doing (a slow one holds only its slot). */
  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.timers.setTimeout(() => {
      void this.kick();
      this.#schedule();
    }, pollMs);
  }
}
