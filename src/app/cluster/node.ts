import type { Timers } from "../../core/timers.ts";
import type { Logger } from "../../observability/logger.ts";
import type { ClusterNodeRow, Store } from "../../store/types.ts";

/** How long a lease lasts, how often it is renewed (and tried by followers), how late a node counts as gone. */
export interface ClusterTiming {
  leaseMs: number;
  renewMs: number;
  /** A leader stops acting this long before its lease could have expired, for scheduling and clock-rate slack. */
  safetyMs: number;
  /** A node not seen for this long is not a member (its monitors move). */
  liveMs: number;
}

/** Failover within `leaseMs + renewMs` after a leader dies (7 s); a clean stop hands over at once. */
export const defaultClusterTiming: ClusterTiming = { leaseMs: 6_000, renewMs: 1_000, safetyMs: 1_500, liveMs: 4_000 };

/**
 * The lease of a node that is alone by construction (the embedded store, whose data directory one process holds): it
 * never runs out, so a node whose event loop stalled for seconds (a long query on the embedded database, a loaded
 * machine) keeps leading instead of stopping and restarting its leader's work, and refusing writes, for nothing.
 */
export const soloLeaseMs = 10 * 365 * 86_400_000;

/** The channel a leader notifies when it lets go, so that followers try at once rather than at their next tick. */
export const leaderChannel = "vigil_leader";

/** What a node needs. */
export interface ClusterNodeDeps {
  store: Store;
  timers: Timers;
  logger: Logger;
  node: string;
  url(): string;
  checksPerSecond(): number;
  timing?: Partial<ClusterTiming>;
  /** A monotonic clock in ms (performance.now by default): lease validity never trusts the wall clock. */
  monotonic?: () => number;
  /** This node became the leader in `term` (its lease is valid): start the leader's work. */
  onElected(term: number, since: Date): Promise<void>;
  /** This node is no longer the leader of `term`: stop the leader's work before anything else is written. */
  onDeposed(term: number, reason: string): Promise<void>;
  /** The live members changed (sorted ids, this node always among them). */
  onMembers?(members: string[]): void;
  /**
   * The only node there can be (the embedded store): it takes the lease at start whoever held it (a previous process,
   * perhaps under another id), for a lease that never runs out (`soloLeaseMs`).
   */
  solo?: boolean;
}

/**
 * One node of a cluster on a shared PostgreSQL: it reports itself every `renewMs`, follows the membership, and holds or
 * tries the leader lease. A leader whose renewal has not succeeded for `leaseMs - safetyMs` (measured from the start
 * of its last successful renewal, on a monotonic clock) steps down on its own, before any other node could take the
 * lease; the fencing term refuses its writes in any case. On PGlite there is one node, always the leader (`solo`).
 */
export class ClusterNode {
  readonly #deps: ClusterNodeDeps;
  readonly #timing: ClusterTiming;
  readonly #now: () => number;
  #term: number | null = null;
  #since: Date | null = null;
  #validUntil = 0;
  #members: string[] = [];
  #leaderUrl: string | null = null;
  #loop: unknown;
  #watchdog: unknown;
  #ticking: Promise<void> | undefined;
  #again = false;
  #transitions: Promise<void> = Promise.resolve();
  #stopped = false;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(deps: ClusterNodeDeps) {
    this.#deps = deps;
    this.#timing = { ...defaultClusterTiming, ...deps.timing, ...(deps.solo ? { leaseMs: soloLeaseMs } : {}) };
    this.#now = deps.monotonic ?? (() => performance.now());
    this.#members = [deps.node];
  }

  get node(): string {
    return this.#deps.node;
  }

  /** The term this node leads in, or null when it follows. */
  get term(): number | null {
    return this.#term;
  }

  get leaderSince(): Date | null {
    return this.#since;
  }

  get isLeader(): boolean {
    return this.#term !== null;
  }

  /** Where the leader's API is, as last read (this node's own while it leads); null while none leads. */
  get leaderUrl(): string | null {
    return this.#leaderUrl;
  }

  /** The live members as last read (sorted; this node among them). */
  get members(): readonly string[] {
    return this.#members;
  }

  /** Reports itself, tries the lease once (so a lone node leads before it returns), then keeps doing so. */
  async start(): Promise<void> {
    if (this.#deps.solo) {
      const held = await this.#deps.store.cluster.leader();
      if (held !== null && held.valid) await this.#deps.store.cluster.release(held.node, held.term);
    }
    this.#unlisten = await this.#deps.store.listen(leaderChannel, () => void this.tick());
    await this.tick();
    // A node that won the lease has its leader's work running before start returns.
    await this.#transitions;
    this.#schedule();
    this.#watch();
  }

  /** Renews or tries the lease and reads the membership now (also every `renewMs`). */
  tick(): Promise<void> {
    if (this.#ticking) {
      this.#again = true;
      return this.#ticking;
    }
    this.#ticking = this.#tickOnce()
      .catch((error: unknown) => this.#deps.logger.warn({ err: error }, "cluster: reporting this node or renewing the lease failed"))
      .finally(() => {
        this.#ticking = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          void this.tick();
        }
      });
    return this.#ticking;
  }

  /** Stops the leader's work, lets the lease go and tells the others (a handover in well under a second), leaves the membership. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#loop !== undefined) this.#deps.timers.clearTimeout(this.#loop);
    if (this.#watchdog !== undefined) this.#deps.timers.clearTimeout(this.#watchdog);
    await this.#ticking;
    const term = this.#term;
    if (term !== null) {
      await this.#depose(term, "stopping");
      const { store } = this.#deps;
      await store.cluster
        .release(this.#deps.node, term)
        .then(() => store.cluster.notify(leaderChannel))
        .catch((error: unknown) => this.#deps.logger.warn({ err: error }, "cluster: releasing the lease failed; it expires on its own"));
    }
    await this.#transitions;
    await this.#deps.store.cluster.stopped(this.#deps.node).catch(() => undefined);
    await this.#unlisten?.();
  }

  async #tickOnce(): Promise<void> {
    const { store, node } = this.#deps;
    const startedAt = this.#now();
    await store.cluster.seen({ node, url: this.#deps.url(), checksPerSecond: this.#deps.checksPerSecond() }).catch((error: unknown) => {
      this.#deps.logger.warn({ err: error }, "cluster: reporting this node failed");
    });
    if (this.#stopped) return;
    const lease = await store.cluster.acquire(node, this.#timing.leaseMs);
    if (this.#stopped) return;
    if (lease !== null && lease.node === node) {
      this.#validUntil = startedAt + this.#timing.leaseMs - this.#timing.safetyMs;
      if (this.#term !== lease.term) {
        // A new term: our lease lapsed and was taken again (by us). What ran in the old term stops first.
        if (this.#term !== null) await this.#depose(this.#term, "the lease lapsed and was taken again in a new term");
        this.#elect(lease.term, lease.since);
      }
    } else if (this.#term !== null) {
      await this.#depose(this.#term, `another node leads now${lease ? ` (${lease.node})` : ""}`);
    }
    const nodes: ClusterNodeRow[] = await store.cluster.nodes(this.#timing.liveMs);
    const holder = lease !== null ? lease : await store.cluster.leader();
    const leads = holder !== null && (!("valid" in holder) || holder.valid) ? holder.node : null;
    this.#leaderUrl = leads === null ? null : (nodes.find((n) => n.node === leads)?.url ?? null);
    const members = [...new Set([node, ...nodes.filter((n) => n.live).map((n) => n.node)])].sort();
    if (members.join("\u0000") !== this.#members.join("\u0000")) {
      this.#members = members;
      this.#deps.onMembers?.(members);
    }
  }

  #elect(term: number, since: Date): void {
    this.#term = term;
    this.#since = since;
    this.#deps.logger.warn({ node: this.#deps.node, term }, "cluster: this node leads");
    this.#transitions = this.#transitions.then(() =>
      this.#term === term
        ? this.#deps.onElected(term, since).catch((error: unknown) => {
            this.#deps.logger.error({ err: error, term }, "cluster: starting the leader's work failed; letting the lease go");
            void this.#depose(term, "the leader's work failed to start").then(() => this.#deps.store.cluster.release(this.#deps.node, term).catch(() => undefined));
          })
        : undefined,
    );
  }

  #depose(term: number, reason: string): Promise<void> {
    if (this.#term !== term) return this.#transitions;
    this.#term = null;
    this.#since = null;
    this.#deps.logger.warn({ node: this.#deps.node, term, reason }, "cluster: this node no longer leads");
    this.#transitions = this.#transitions.then(() => this.#deps.onDeposed(term, reason).catch((error: unknown) => this.#deps.logger.error({ err: error, term }, "cluster: stopping the leader's work failed")));
    return this.#transitions;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#loop = this.#deps.timers.setTimeout(() => void this.tick().then(() => this.#schedule()), this.#timing.renewMs);
  }

  /** Steps down on its own when the lease could not be renewed in time (the database is unreachable or slow). */
  #watch(): void {
    if (this.#stopped) return;
    this.#watchdog = this.#deps.timers.setTimeout(() => {
      if (this.#term !== null && this.#now() >= this.#validUntil) void this.#depose(this.#term, "the lease could not be renewed in time (is the database reachable?)");
      this.#watch();
    }, Math.min(250, this.#timing.renewMs));
  }
}
