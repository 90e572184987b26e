/** The source of the current time; injected everywhere so that tests drive time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests: it stands still until told to move. */
export class ManualClock implements Clock {
  #ms: number;

  constructor(start: Date | string | number = "2026-01-01T00:00:00Z") {
    this.#ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(ms: number): void {
    this.#ms += ms;
  }

  set(at: Date | string | number): void {
    this.#ms = new Date(at).getTime();
  }
}
