import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";

/** A request is worth acting on this long; an agent that asks later gets what is newer (its own schedule covers the rest). */
const keepMs = 10_000;

interface Request {
  seq: number;
  region: string;
  monitor: string;
  at: number;
}

interface Waiter {
  region: string;
  after: number;
  resolve: (answer: CheckRequestsAnswer) => void;
  timer: unknown;
}

/** What an agent gets: the monitors to check at once, and the cursor to ask from next time. */
export interface CheckRequestsAnswer {
  cursor: string;
  monitors: string[];
}

/**
 * Early checks asked of remote agents (cross-region confirmation): a region saw a monitor change, so the monitor's
 * other regions should check it now rather than at their next turn. Kept in memory for 10 s on every node (a node
 * hears the requests the others make through the store's notifications), and answered to long-polling agents by a
 * cursor: `<this node's boot id>.<sequence>`. A cursor from another node or an earlier boot starts from now: a
 * request missed so is a check that comes at the agent's next turn, as without it.
 */
export class CheckRequests {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #boot = randomBytes(6).toString("base64url");
  #seq = 0;
  #requests: Request[] = [];
  readonly #waiters = new Set<Waiter>();

  constructor(clock: Clock, timers: Timers) {
    this.#clock = clock;
    this.#timers = timers;
  }

  /** Asks the agents of each of `regions` to check `monitorId` at once. */
  add(monitorId: string, regions: readonly string[]): void {
    const now = this.#clock.now().getTime();
    this.#requests = this.#requests.filter((r) => now - r.at < keepMs);
    for (const region of regions) this.#requests.push({ seq: ++this.#seq, region, monitor: monitorId, at: now });
    for (const waiter of [...this.#waiters]) if (this.#requests.some((r) => r.region === waiter.region && r.seq > waiter.after)) this.#release(waiter);
  }

  /** The region's requests after `cursor` (none when it is absent or not this boot's), or when some come within `waitMs`. */
  wait(region: string, cursor: string | undefined, waitMs: number): Promise<CheckRequestsAnswer> {
    const after = this.#after(cursor);
    const answer = this.#answer(region, after);
    if (answer.monitors.length > 0 || waitMs <= 0) return Promise.resolve(answer);
    return new Promise((resolve) => {
      const waiter: Waiter = { region, after, resolve, timer: undefined };
      waiter.timer = this.#timers.setTimeout(() => this.#release(waiter), waitMs);
      this.#waiters.add(waiter);
    });
  }

  /** Answers every waiting agent now (shutdown). */
  stop(): void {
    for (const waiter of [...this.#waiters]) this.#release(waiter);
  }

  #after(cursor: string | undefined): number {
    const [boot, seq] = (cursor ?? "").split(".");
    const n = Number(seq);
    return boot === this.#boot && Number.isSafeInteger(n) && n >= 0 && n <= this.#seq ? n : this.#seq;
  }

  #answer(region: string, after: number): CheckRequestsAnswer {
    const now = this.#clock.now().getTime();
    const monitors = new Set(this.#requests.filter((r) => r.region === region && r.seq > after && now - r.at < keepMs).map((r) => r.monitor));
    return { cursor: `${this.#boot}.${this.#seq}`, monitors: [...monitors] };
  }

  #release(waiter: Waiter): void {
    if (!this.#waiters.delete(waiter)) return;
    this.#timers.clearTimeout(waiter.timer);
    waiter.resolve(this.#answer(waiter.region, waiter.after));
  }
}
