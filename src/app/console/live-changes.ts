/**
 * The console's live updates: a signal raised on every node after each change it learns of. The leader raises it
 * when its engine records something; a follower when it has caught up with the leader's timeline (woken by the
 * leader's NOTIFY); and anything changed outside the engine (a silence) raises it here and, in a cluster, on the
 * other nodes through the same NOTIFY the status page uses.
 */
import type { Logger } from "../../observability/logger.ts";
import type { Store } from "../../store/types.ts";
import { changedChannel } from "../cluster/follower-view.ts";

/** Listeners told after each change; `changed` also tells the other nodes of a cluster. */
export class LiveChanges {
  readonly #listeners = new Set<() => void>();
  readonly #store: Store;
  readonly #clustered: boolean;
  readonly #logger: Logger;

  constructor(deps: { store: Store; clustered: boolean; logger: Logger }) {
    this.#store = deps.store;
    this.#clustered = deps.clustered;
    this.#logger = deps.logger;
  }

  /** Calls `fn` after each change; returns the function that stops it. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => void this.#listeners.delete(fn);
  }

  /** Tells this node's listeners. */
  emit(): void {
    for (const fn of this.#listeners) {
      try {
        fn();
      } catch (error) {
        this.#logger.error({ err: error }, "a live-update listener failed");
      }
    }
  }

  /** A change made outside the engine: this node's listeners now, the other nodes' once their follower view catches up. */
  changed(): void {
    this.emit();
    if (this.#clustered) void this.#store.cluster.notify(changedChannel).catch(() => undefined);
  }
}
