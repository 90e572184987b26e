import type { Clock } from "../core/clock.ts";
import type { Timers } from "../core/timers.ts";
import { MinHeap } from "./heap.ts";

/** What the scheduler needs to know of a monitor. */
export interface ScheduledMonitor {
  id: string;
  intervalMs: number;
  timeoutMs: number;
  /** Delay before a quick re-check after a first failure. */
  recheckMs: number;
}

/** Runs one check; resolves to whether a quick re-check is wanted. Must not throw (errors are results). */
export type CheckRunner = (monitor: ScheduledMonitor, signal: AbortSignal, lagMs: number) => Promise<{ recheck: boolean }>;

/** Scheduler settings. */
export interface SchedulerOptions {
  clock: Clock;
  timers: Timers;
  run: CheckRunner;
  /** Checks running at once, across all monitors. */
  concurrency: number;
  /** A number in [0, 1): spreads first checks over an interval. */
  random?: () => number;
  /** Called when a check starts, with how late it is against its due time. */
  onLag?: (lagMs: number) => void;
}

interface Entry {
  monitor: ScheduledMonitor;
  /** Bumped when the monitor is replaced or removed, so stale heap entries are skipped. */
  generation: number;
  running: boolean;
  /** A due time that arrived while the check was still running: run again right after. */
  pendingDue: number | undefined;
}

/**
 * Runs each monitor every interval, spread with jitter, never two checks of one monitor at once,
 * at most `concurrency` at a time (the rest wait in due order), with a quick re-check when the
 * runner asks for one. Every check gets an AbortSignal that fires at its timeout or at stop().
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #due = new MinHeap<{ id: string; generation: number }>();
  readonly #waiting: { id: string; due: number }[] = [];
  readonly #inFlight = new Set<AbortController>();
  #running = 0;
  #timer: unknown;
  #timerAt: number | undefined;
  #stopped = false;
  #idle: Promise<void> = Promise.resolve();
  #settle: (() => void) | undefined;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** Checks running now. */
  get running(): number {
    return this.#running;
  }

  /** Makes the schedule match `monitors`: new ones start within one interval, changed ones are rescheduled, missing ones stop. */
  set(monitors: readonly ScheduledMonitor[]): void {
    const now = this.#now();
    const wanted = new Map(monitors.map((m) => [m.id, m]));
    for (const [id, entry] of this.#entries) {
      if (!wanted.has(id)) {
        entry.generation++;
        this.#entries.delete(id);
      }
    }
    const random = this.#options.random ?? Math.random;
    for (const monitor of monitors) {
      const entry = this.#entries.get(monitor.id);
      if (entry && sameSchedule(entry.monitor, monitor)) continue;
      const next: Entry = { monitor, generation: (entry?.generation ?? 0) + 1, running: entry?.running ?? false, pendingDue: undefined };
      this.#entries.set(monitor.id, next);
      // Jitter: a thousand monitors loaded at once must not all fire in the same millisecond.
      this.#push(monitor.id, next.generation, now + Math.floor(random() * monitor.intervalMs));
    }
    this.#arm();
  }

  /** Stops scheduling and aborts checks in flight; resolves when they have all returned. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const controller of this.#inFlight) controller.abort(new Error("Vigil is stopping"));
    await this.#idle;
  }

  #now(): number {
    return this.#options.clock.now().getTime();
  }

  #push(id: string, generation: number, due: number): void {
    this.#due.push(due, { id, generation });
  }

  /** Sets one timer for the earliest due time. */
  #arm(): void {
    if (this.#stopped) return;
    const next = this.#due.peekKey();
    if (next === undefined || (this.#timerAt !== undefined && this.#timerAt <= next)) return;
    if (this.#timer !== undefined) this.#options.timers.clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = this.#options.timers.setTimeout(() => this.#tick(), Math.max(0, next - this.#now()));
  }

  #tick(): void {
    this.#timer = undefined;
    this.#timerAt = undefined;
    const now = this.#now();
    while ((this.#due.peekKey() ?? Number.POSITIVE_INFINITY) <= now) {
      const item = this.#due.pop()!;
      const entry = this.#entries.get(item.value.id);
      if (!entry || entry.generation !== item.value.generation) continue;
      if (entry.running) entry.pendingDue = item.key;
      else this.#waiting.push({ id: item.value.id, due: item.key });
    }
    this.#drain();
    this.#arm();
  }

  /** Starts waiting checks, oldest due first, up to the concurrency limit. */
  #drain(): void {
    while (!this.#stopped && this.#running < this.#options.concurrency && this.#waiting.length > 0) {
      const { id, due } = this.#waiting.shift()!;
      const entry = this.#entries.get(id);
      if (!entry || entry.running) continue;
      this.#start(entry, due);
    }
  }

  #start(entry: Entry, due: number): void {
    const { monitor } = entry;
    const generation = entry.generation;
    const lagMs = Math.max(0, this.#now() - due);
    this.#options.onLag?.(lagMs);
    entry.running = true;
    if (this.#running++ === 0) this.#idle = new Promise((resolve) => (this.#settle = resolve));
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const timeout = this.#options.timers.setTimeout(() => controller.abort(new Error(`timeout after ${monitor.timeoutMs} ms`)), monitor.timeoutMs);
    const finish = (recheck: boolean) => {
      this.#options.timers.clearTimeout(timeout);
      this.#inFlight.delete(controller);
      entry.running = false;
      if (--this.#running === 0) this.#settle?.();
      if (this.#stopped) return;
      const current = this.#entries.get(monitor.id);
      if (current && current.generation === generation) {
        const now = this.#now();
        // Next due: a quick re-check, else the next slot on the monitor's own grid (late checks are not made up).
        let next = recheck ? now + monitor.recheckMs : due + monitor.intervalMs;
        if (!recheck && next <= now) next = due + Math.ceil((now - due) / monitor.intervalMs) * monitor.intervalMs;
        if (current.pendingDue !== undefined && !recheck) next = Math.min(next, now);
        current.pendingDue = undefined;
        this.#push(monitor.id, generation, next);
      } else if (current) {
        // Replaced while running: its own schedule is in the heap; a due time it missed runs now.
        current.running = false;
        if (current.pendingDue !== undefined) this.#push(monitor.id, current.generation, this.#now());
        current.pendingDue = undefined;
      }
      this.#drain();
      this.#arm();
    };
    this.#options.run(monitor, controller.signal, lagMs).then(
      (outcome) => finish(outcome.recheck),
      () => finish(false),
    );
  }
}

function sameSchedule(a: ScheduledMonitor, b: ScheduledMonitor): boolean {
  return a.intervalMs === b.intervalMs && a.timeoutMs === b.timeoutMs && a.recheckMs === b.recheckMs;
}
