import type { Clock } from "../core/clock.ts";
import type { Timers } from "../core/timers.ts";
import type { Logger } from "../observability/logger.ts";
import { staleRollups } from "../results/late-buckets.ts";
import type { Store } from "../store/types.ts";

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
/** The store's record of the newest result id whose lateness was looked at: see `#heal`. */
export const healCursorName = "housekeeping.rollups_healed";

/** What the housekeeping job keeps. */
export interface Retention {
  resultsMs: number;
  rollupsMs: number;
  /** Per-minute and per-hour rollups go sooner (each at most `rollupsMs`). */
  minuteRollupsMs?: number;
  hourRollupsMs?: number;
  /** Timeline events (`probe.events_retention`), but for what the timeline's readers still need (see `events.prune`). */
  eventsMs: number;
  /** Finished notification deliveries and the shared messages none uses (`probe.deliveries_retention`). */
  deliveriesMs: number;
  /** Console sessions idle this long are deleted (`console.session.idle`); those past their absolute end always are. */
  sessionIdleMs: number;
}

/**
 * Every minute: rolls up the last few minutes of results; every five minutes the last hours; every
 * hour the last days, and deletes raw results, rollups, timeline events and finished notification deliveries (with the
 * shared messages none uses) past their retention, and console sessions that ended (idle too long, or past their
 * absolute end: they could no longer sign anyone in, but their rows stayed). Rollups are recomputed from raw results, so
 * a missed run is corrected by the next one; results that arrive later than the rounds look back (an agent's buffer
 * sent after an outage, hours or days old) make their minutes, hours and days be recomputed in the next round,
 * whatever their age within the retention. The deletes go in bounded batches (see the store's `prune`).
 */
export class Housekeeping {
  #timer: unknown;
  #runs = 0;
  #stopped = false;
  #running: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { store: Pick<Store, "results" | "rollups" | "sessions" | "state" | "events" | "outbox" | "stats" | "kind">; clock: Clock; timers: Timers; logger: Logger },
    private retention: Retention,
  ) {}

  start(): void {
    this.#schedule(0);
  }

  setRetention(retention: Retention): void {
    this.retention = retention;
  }

  /** One round now; the rounds never overlap. */
  runOnce(): Promise<void> {
    this.#running = this.#running.then(() => this.#round()).catch((error: unknown) => this.deps.logger.error({ err: error }, "housekeeping failed"));
    return this.#running;
  }

  /** Resolves when no round is running (tests: a round started by the timer has finished). */
  idle(): Promise<void> {
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.deps.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = this.deps.timers.setTimeout(() => {
      void this.runOnce().then(() => this.#schedule(minute));
    }, ms);
  }

  /**
   * Recomputes the rollups that results stored since the last round make stale, for those checked before `lookedAt`
   * (what the regular rounds no longer recompute). It follows result ids, saved in the store so that a restart misses
   * nothing; each round reads again from the cursor of the round before, because a result committed a moment after a
   * newer id was read would otherwise be passed over. The first round of a store starts at its newest result.
   */
  async #heal(lookedAt: Date, now: number): Promise<void> {
    const { store } = this.deps;
    const saved = (await store.state.get(healCursorName)) as { id?: unknown; previous?: unknown } | undefined;
    if (typeof saved?.id !== "string") {
      const { upToId } = await store.results.lateSince(String(2n ** 63n - 1n), lookedAt);
      await store.state.put(healCursorName, { id: upToId, previous: upToId }, new Date(now));
      return;
    }
    const from = typeof saved.previous === "string" ? saved.previous : saved.id;
    const { upToId, buckets } = await store.results.lateSince(from, lookedAt);
    const oldest = now - this.retention.resultsMs;
    const ranges = staleRollups(buckets.filter((b) => b.minute.getTime() >= oldest - day));
    for (const range of ranges) await store.rollups.compute(range.unit, range.from, range.to, range.monitorIds);
    if (ranges.length > 0) this.deps.logger.info({ minutes: buckets.length, ranges: ranges.length }, "recomputed rollups of results that came late");
    if (upToId !== saved.id || from !== saved.id) await store.state.put(healCursorName, { id: upToId, previous: saved.id }, new Date(now));
  }

  async #round(): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now().getTime();
    const run = this.#runs++;
    const floor = (unit: number) => now - (now % unit);
    await store.rollups.compute("minute", new Date(floor(minute) - 5 * minute), new Date(floor(minute)));
    await this.#heal(new Date(floor(minute) - 5 * minute), now);
    if (run % 5 === 0) await store.rollups.compute("hour", new Date(floor(hour) - hour), new Date(now));
    if (run % 60 === 0) {
      await store.rollups.compute("day", new Date(floor(day) - day), new Date(now));
      const results = await store.results.prune(new Date(now - this.retention.resultsMs));
      const { rollupsMs, minuteRollupsMs = rollupsMs, hourRollupsMs = rollupsMs } = this.retention;
      const rollups = await store.rollups.prune({ minute: new Date(now - Math.min(minuteRollupsMs, rollupsMs)), hour: new Date(now - Math.min(hourRollupsMs, rollupsMs)), day: new Date(now - rollupsMs) });
      if (results + rollups > 0) this.deps.logger.info({ results, rollups }, "pruned old results and rollups");
      const events = await store.events.prune(new Date(now - this.retention.eventsMs));
      const { deliveries, messages } = await store.outbox.prune(new Date(now - this.retention.deliveriesMs));
      if (events + deliveries + messages > 0) this.deps.logger.info({ events, deliveries, messages }, "pruned old timeline events and notification deliveries");
      const sessions = await store.sessions.prune(new Date(now), new Date(now - this.retention.sessionIdleMs));
      if (sessions > 0) this.deps.logger.info({ sessions }, "deleted ended console sessions");
      // The embedded store has no autovacuum: without this, every recomputed rollup and pruned row stays as dead space,
      // and the data dir grows by what it churns, not by what it keeps.
      if (store.kind === "pglite") await store.stats.vacuum();
    }
  }
}
