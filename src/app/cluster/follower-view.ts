import type { Timers } from "../../core/timers.ts";
import type { ComponentStatus } from "../../incidents/component-status.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Store } from "../../store/types.ts";
import type { UpstreamView, UpstreamWatcher } from "../upstream/watcher.ts";
import { recordedStatuses } from "../incidents/context.ts";

/** The channel the leader notifies after each change it makes, so that other nodes re-render at once. */
export const changedChannel = "vigil_changed";
/** The channel a node notifies after appending detection events, so that the leader's engine reads them at once. */
export const detectedChannel = "vigil_detected";
const pollMs = 1_000;

/** What the follower's view needs. */
export interface FollowerViewDeps {
  store: Store;
  timers: Timers;
  logger: Logger;
  /** A watcher that is never started: it only reads what the leader's watcher saved. */
  upstreams: UpstreamWatcher;
  /** Whether to follow now (false while this node leads: its own services answer). */
  active(): boolean;
  onChange(): void;
}

/**
 * What a node that does not lead shows: each component's status as the leader last recorded it on the timeline, and
 * the upstreams as the leader's watcher saved them. It catches up when the timeline moves (a notification from the
 * leader, or a poll every second) and then asks for a re-render.
 */
export class FollowerView {
  readonly #deps: FollowerViewDeps;
  #statuses: Record<string, ComponentStatus> = {};
  #newest: string | undefined;
  #timer: unknown;
  #stopped = false;
  #running: Promise<void> | undefined;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(deps: FollowerViewDeps) {
    this.#deps = deps;
  }

  statuses(): Record<string, ComponentStatus> {
    return this.#statuses;
  }

  upstreamViews(): UpstreamView[] {
    return this.#deps.upstreams.views();
  }

  async start(): Promise<void> {
    this.#unlisten = await this.#deps.store.listen(changedChannel, () => void this.refresh());
    await this.refresh();
    this.#schedule();
  }

  /** Catches up now if the timeline moved (and this node does not lead). */
  refresh(): Promise<void> {
    this.#running ??= this.#refresh()
      .catch((error: unknown) => this.#deps.logger.warn({ err: error }, "reading the leader's view failed"))
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.timers.clearTimeout(this.#timer);
    await this.#running;
    await this.#unlisten?.();
  }

  async #refresh(): Promise<void> {
    if (!this.#deps.active()) {
      this.#newest = undefined;
      return;
    }
    const { store } = this.#deps;
    const [newest] = await store.events.list({ newestFirst: true, limit: 1 });
    if (newest?.id === this.#newest) return;
    const { statuses } = await recordedStatuses(store);
    await this.#deps.upstreams.follow();
    this.#statuses = statuses;
    this.#newest = newest?.id;
    this.#deps.onChange();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.timers.setTimeout(() => void this.refresh().then(() => this.#schedule()), pollMs);
  }
}
