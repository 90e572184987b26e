import type { Timers } from "../core/timers.ts";
import type { MonitorStateRow, NewCheckResult, Store } from "../store/types.ts";

/** Results held in memory at most while the store cannot be written. */
export const maxBuffered = 100_000;

/** Options of the batching writer. */
export interface ResultWriterOptions {
  store: Pick<Store, "results" | "monitorStates" | "transaction">;
  timers: Timers;
  /** Flush at least this often. */
  flushEveryMs: number;
  /** Flush as soon as this many results wait. */
  maxBatch: number;
  onError(error: unknown): void;
  /** Told how many of the oldest buffered results were dropped because the store stayed unwritable. */
  onDropped?(count: number): void;
  /** The buffer's bound (default `maxBuffered`). */
  maxBuffered?: number;
}

/**
 * Buffers check results and detection states and writes them in batches: one multi-row insert per
 * flush instead of a round trip per check. A failed flush keeps its rows for the next one.
 */
export class ResultWriter {
  readonly #options: ResultWriterOptions;
  #results: NewCheckResult[] = [];
  #states = new Map<string, MonitorStateRow>();
  #timer: unknown;
  #flushing: Promise<void> = Promise.resolve();
  /** The last write failed: only the retry timer flushes until one succeeds, not every new result. */
  #failing = false;

  constructor(options: ResultWriterOptions) {
    this.#options = options;
  }

  /** Results waiting to be written. */
  get pending(): number {
    return this.#results.length;
  }

  add(result: NewCheckResult, state?: MonitorStateRow): void {
    this.#results.push(result);
    if (state) this.#states.set(state.monitorId, state);
    if (this.#results.length >= this.#options.maxBatch && !this.#failing) void this.flush();
    else this.#timer ??= this.#options.timers.setTimeout(() => void this.flush(), this.#options.flushEveryMs);
  }

  /** Drops a queued state of this monitor: a newer one was written another way. */
  forgetState(monitorId: string): void {
    this.#states.delete(monitorId);
  }

  /** Queues a state without a result (at shutdown). */
  saveState(state: MonitorStateRow): void {
    this.#states.set(state.monitorId, state);
  }

  /** Writes everything buffered; flushes run one after another. */
  flush(): Promise<void> {
    if (this.#timer !== undefined) this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    const results = this.#results.splice(0);
    const states = [...this.#states.values()];
    this.#states.clear();
    if (results.length === 0 && states.length === 0) return;
    try {
      // One transaction per flush: the embedded store syncs its files once per commit, not per statement.
      await this.#options.store.transaction(async (tx) => {
        await tx.results.insertMany(results);
        await tx.monitorStates.save(states);
      });
      this.#failing = false;
    } catch (error) {
      this.#failing = true;
      // Keep them: the store may be back for the next flush. Newer states win over these.
      // concat, not unshift(...rows): spreading 100k rows as arguments overflows the stack.
      this.#results = results.concat(this.#results);
      // Bounded: while the store is away, the oldest results go first (transitions are events, kept apart).
      const excess = this.#results.length - (this.#options.maxBuffered ?? maxBuffered);
      if (excess > 0) {
        this.#results.splice(0, excess);
        this.#options.onDropped?.(excess);
      }
      for (const s of states) if (!this.#states.has(s.monitorId)) this.#states.set(s.monitorId, s);
      this.#timer ??= this.#options.timers.setTimeout(() => void this.flush(), this.#options.flushEveryMs);
      this.#options.onError(error);
    }
  }
}
