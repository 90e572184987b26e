/**
 * The story's clock: story time runs `speed` times faster than real time, from `start()`. Vigil itself is not
 * accelerated (it checks every second, in real time); only the story around it is: when the database crashes, when
 * the provider posts, when things recover. A step that Vigil must be able to watch (a crash, a moment of being up)
 * is never shorter than a real floor, whatever the speed.
 */
import { sleep } from "./net.ts";

export class StoryClock {
  readonly speed: number;
  readonly #signal: AbortSignal | undefined;
  #startedAt: number | undefined;

  constructor(speed: number, signal?: AbortSignal) {
    if (!(Number.isFinite(speed) && speed > 0)) throw new RangeError(`speed must be a positive number, got ${speed}`);
    this.speed = speed;
    this.#signal = signal;
  }

  /** Starts the story at story time 0. */
  start(): void {
    this.#startedAt ??= performance.now();
  }

  get started(): boolean {
    return this.#startedAt !== undefined;
  }

  /** Story milliseconds since start (0 before). */
  now(): number {
    return this.#startedAt === undefined ? 0 : (performance.now() - this.#startedAt) * this.speed;
  }

  /** Real milliseconds that `storyMs` of story take. */
  real(storyMs: number): number {
    return storyMs / this.speed;
  }

  /** Waits `storyMs` of story time, but at least `minRealMs` of real time. */
  sleep(storyMs: number, minRealMs = 0): Promise<void> {
    return sleep(Math.max(this.real(storyMs), minRealMs), this.#signal);
  }

  /** Waits until the story clock reads `storyMs` (at once if it has). */
  until(storyMs: number): Promise<void> {
    return sleep(this.real(storyMs - this.now()), this.#signal);
  }
}
