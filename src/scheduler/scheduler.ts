import type { Clock } from "../core/clock.ts";
import type { Timers } from "../core/timers.ts";
import { MinHeap } from "./heap.ts";
import { nextOnGrid } from "./phase.ts";

/** What the scheduler needs to know of a monitor. */
export interface ScheduledMonitor {
  id: string;
  intervalMs: number;
  timeoutMs: number;
  /** Delay before a quick re-check after a first failure. */
  recheckMs: number;
  /**
   * Staggered regions (phase.ts): checks on the grid `phaseMs + k × intervalMs` of wall-clock time, the first one and
   * every one after a quick or early check included. Absent: the first check at a random moment of the interval, the
   * next ones an interval after each other.
   */
  phaseMs?: number;
}

/**
 * Runs one check; resolves to whether a quick re-check is wanted. Must not throw (errors are results).
 * `alongside`: a confirming check started by `checkAlongside`, beside the monitor's running one.
 */
export type CheckRunner = (monitor: ScheduledMonitor, signal: AbortSignal, lagMs: number, alongside: boolean) => Promise<{ recheck: boolean }>;

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

/**
 * One scheduled check of a monitor. It moves from the heap (not yet due) to the waiting queue (due, waiting
 * for a slot) to running; it counts only while its generation is its entry's generation, else it is stale
 * and dropped wherever it is met.
 */
interface Token {
  id: string;
  generation: number;
  due: number;
  /** A confirming check beside the running one (`checkAlongside`): live while its monitor is configured, whatever the generation. */
  alongside?: true;
}

/** A monitor, from when it is first configured until it is removed and its last check has returned. */
interface Entry {
  /** The current settings, replaced in place on a reload. */
  monitor: ScheduledMonitor;
  /** The generation of the monitor's one live token; a fresh number whenever the monitor is (re)scheduled or removed. */
  generation: number;
  /** A check of this monitor is running, whatever its generation: no other may start until it returns. */
  running: boolean;
  /** No longer configured: kept only while its last check runs, so that a re-add still waits for it. */
  removed: boolean;
  /** A confirming check (`checkAlongside`) waits for a slot or runs: there is at most one. */
  alongside: "waiting" | "running" | null;
}

/**
 * Runs each monitor every interval, spread with jitter, never two checks of one monitor at once,
 * at most `concurrency` at a time (the rest wait in due order), with a quick re-check when the
 * runner asks for one. Every check gets an AbortSignal that fires at its timeout or at stop().
 *
 * Each monitor has at most one future check (a token, see above) at any time. A reload that changes
 * a monitor's schedule gives it a new token and makes the old one stale, wherever it is. A check
 * that is running when its monitor is replaced or removed is not aborted: it runs to its end (or its
 * own timeout) with the settings it started with, and what the runner does with its result stands
 * (Vigil's runner records it); only its own follow-up (next interval, or quick re-check) is dropped,
 * since the reload set the monitor's schedule anew. The next check, with the new settings, waits for
 * it to return.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #due = new MinHeap<Token>();
  /** Due tokens in due order, waiting for a slot (or for their monitor's previous check to return). */
  #waiting: Token[] = [];
  readonly #inFlight = new Set<AbortController>();
  /** Class-wide, so that a monitor removed and re-added never reuses a generation its old tokens carry. */
  #generation = 0;
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

  /**
   * Makes the schedule match `monitors`: new ones start within one interval, ones whose interval,
   * timeout or re-check delay changed are rescheduled the same way, others keep their schedule and
   * get the new settings at their next check; missing ones stop.
   */
  set(monitors: readonly ScheduledMonitor[]): void {
    const now = this.#now();
    const wanted = new Map(monitors.map((m) => [m.id, m]));
    for (const [id, entry] of this.#entries) {
      if (wanted.has(id) || entry.removed) continue;
      entry.removed = true;
      entry.generation = ++this.#generation;
      if (!entry.running) this.#entries.delete(id);
    }
    const random = this.#options.random ?? Math.random;
    for (const monitor of wanted.values()) {
      let entry = this.#entries.get(monitor.id);
      if (entry && !entry.removed && sameSchedule(entry.monitor, monitor)) {
        entry.monitor = monitor;
        continue;
      }
      if (entry) {
        // One entry per id: a changed or re-added monitor keeps it, and with it whether a check still runs.
        entry.monitor = monitor;
        entry.removed = false;
      } else {
        entry = { monitor, generation: 0, running: false, removed: false, alongside: null };
        this.#entries.set(monitor.id, entry);
      }
      // Jitter, or the monitor's place on its grid: a thousand monitors loaded at once must not all fire in the same millisecond.
      this.#schedule(entry, monitor.phaseMs === undefined ? now + Math.floor(random() * monitor.intervalMs) : nextOnGrid(now, monitor.phaseMs, monitor.intervalMs));
    }
    // Stale waits go now, so that the queue holds only live tokens while all slots are busy.
    this.#waiting = this.#waiting.filter((token) => this.#keep(token));
    this.#arm();
  }

  /**
   * Brings the next check of each of `ids` forward to now, within the concurrency limit like any other: one whose
   * check is running or already due is left as it is (its result comes anyway), an unknown or removed one is ignored.
   * Its checks then follow every interval from this one. Returns the ids brought forward.
   */
  checkSoon(ids: readonly string[]): string[] {
    if (this.#stopped) return [];
    const now = this.#now();
    const moved: string[] = [];
    for (const id of new Set(ids)) {
      const entry = this.#entries.get(id);
      if (!entry || entry.removed || entry.running) continue;
      if (this.#waiting.some((token) => token.id === id && this.#live(token))) continue;
      this.#schedule(entry, now);
      moved.push(id);
    }
    if (moved.length > 0) this.#tick();
    return moved;
  }

  /**
   * Starts a second check of a monitor whose check is running, beside it, as soon as a slot is free (within the
   * concurrency limit, ahead of nothing: it waits in due order like any due check): the confirming check of a check
   * suspected of hanging. The monitor's schedule stays as it is; the runner gets `alongside` true, and a re-check it
   * asks for is made unless the monitor's own check is still running (whose return decides what follows). One at a
   * time per monitor; none for a monitor not running, unknown or removed. Returns whether it was started or queued.
   */
  checkAlongside(id: string): boolean {
    const entry = this.#entries.get(id);
    if (this.#stopped || !entry || entry.removed || !entry.running || entry.alongside !== null) return false;
    entry.alongside = "waiting";
    this.#waiting.push({ id, generation: entry.generation, due: this.#now(), alongside: true });
    this.#drain();
    return true;
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

  /** Gives the monitor a new token, due at `due`; any token it had is stale from now on. */
  #schedule(entry: Entry, due: number): void {
    const token = { id: entry.monitor.id, generation: ++this.#generation, due };
    entry.generation = token.generation;
    this.#due.push(due, token);
  }

  /** The token's entry if the token is live. */
  #live(token: Token): Entry | undefined {
    const entry = this.#entries.get(token.id);
    if (token.alongside) return entry && !entry.removed ? entry : undefined;
    return entry && entry.generation === token.generation ? entry : undefined;
  }

  /** Whether a waiting token is live; a confirming check dropped frees its monitor's place for another. */
  #keep(token: Token): boolean {
    if (this.#live(token)) return true;
    const entry = this.#entries.get(token.id);
    if (token.alongside && entry?.alongside === "waiting") entry.alongside = null;
    return false;
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
      const token = this.#due.pop()!.value;
      if (this.#live(token)) this.#waiting.push(token);
    }
    this.#drain();
    this.#arm();
  }

  /** Starts waiting checks, oldest due first, up to the concurrency limit. */
  #drain(): void {
    let i = 0;
    while (!this.#stopped && this.#running < this.#options.concurrency && i < this.#waiting.length) {
      const token = this.#waiting[i]!;
      const entry = this.#live(token);
      if (!entry) {
        this.#keep(token);
        this.#waiting.splice(i, 1);
      }
      // Its previous check, from before a reload, is still running: this one starts when that returns.
      else if (entry.running && !token.alongside) i++;
      else {
        this.#waiting.splice(i, 1);
        this.#start(entry, token);
      }
    }
  }

  #start(entry: Entry, token: Token): void {
    const { monitor } = entry;
    const lagMs = Math.max(0, this.#now() - token.due);
    this.#options.onLag?.(lagMs);
    const alongside = token.alongside === true;
    if (alongside) entry.alongside = "running";
    else entry.running = true;
    if (this.#running++ === 0) this.#idle = new Promise((resolve) => (this.#settle = resolve));
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const timeout = this.#options.timers.setTimeout(() => controller.abort(new Error(`timeout after ${monitor.timeoutMs} ms`)), monitor.timeoutMs);
    const finish = (recheck: boolean) => {
      this.#options.timers.clearTimeout(timeout);
      this.#inFlight.delete(controller);
      if (alongside) entry.alongside = null;
      else entry.running = false;
      if (--this.#running === 0) this.#settle?.();
      if (entry.removed) {
        if (!entry.running && this.#entries.get(monitor.id) === entry) this.#entries.delete(monitor.id);
      } else if (alongside) {
        // The monitor's own check, if it still runs, decides what follows when it returns.
        if (recheck && !entry.running && !this.#stopped) this.#schedule(entry, this.#now() + monitor.recheckMs);
      } else if (entry.generation === token.generation && !this.#stopped) {
        // Not reloaded while it ran: its follow-up is a quick re-check, else the next slot on the
        // monitor's own grid (late checks are not made up).
        const now = this.#now();
        this.#schedule(entry, recheck ? now + monitor.recheckMs : followUp(monitor, token.due, now));
      }
      // Otherwise it was reloaded while it ran: the new schedule's token is in the heap or waiting for this return.
      this.#drain();
      this.#arm();
    };
    this.#options.run(monitor, controller.signal, lagMs, alongside).then(
      (outcome) => finish(outcome.recheck),
      () => finish(false),
    );
  }
}

/**
 * The check after one due at `due` that asked for no re-check: the next slot on the monitor's grid, or an interval
 * after it (late checks are not made up: a slot already past is skipped).
 */
function followUp(monitor: ScheduledMonitor, due: number, now: number): number {
  if (monitor.phaseMs !== undefined) return nextOnGrid(Math.max(due + 1, now), monitor.phaseMs, monitor.intervalMs);
  const next = due + monitor.intervalMs;
  return next > now ? next : due + Math.ceil((now - due) / monitor.intervalMs) * monitor.intervalMs;
}

function sameSchedule(a: ScheduledMonitor, b: ScheduledMonitor): boolean {
  return a.intervalMs === b.intervalMs && a.timeoutMs === b.timeoutMs && a.recheckMs === b.recheckMs && a.phaseMs === b.phaseMs;
}
