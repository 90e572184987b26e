import { embeddedRequestsInFlight } from "../../src/store/pglite-client.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { Timers } from "../../src/core/timers.ts";

/** Timers driven by the test: `advance` moves a ManualClock and fires what falls due, in time order. */
export class ManualTimers implements Timers {
  readonly clock: ManualClock;
  #pending: { id: number; at: number; fn: () => void }[] = [];
  #nextId = 1;

  constructor(clock: ManualClock = new ManualClock()) {
    this.clock = clock;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#pending.push({ id, at: this.clock.now().getTime() + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending = this.#pending.filter((t) => t.id !== handle);
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.#pending.length;
  }

  /** When the timers still waiting fall due (epoch ms), soonest first. */
  get due(): number[] {
    return this.#pending.map((t) => t.at).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing each due timer at its own time and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.clock.now().getTime() + ms;
    await settle();
    for (;;) {
      this.#pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#pending[0];
      if (!next || next.at > end) break;
      this.#pending.shift();
      this.clock.set(Math.max(next.at, this.clock.now().getTime()));
      next.fn();
      await settle();
    }
    this.clock.set(end);
  }
}

/**
 * Lets pending promise callbacks run (a few macrotask turns), without letting real time matter, and waits for the
 * embedded database's thread to answer what it was asked (three quiet turns in a row with nothing in flight).
 */
export async function settle(): Promise<void> {
  for (let quiet = 0; quiet < 3; ) {
    await new Promise((resolve) => setImmediate(resolve));
    if (embeddedRequestsInFlight() === 0) quiet++;
    else {
      quiet = 0;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}
