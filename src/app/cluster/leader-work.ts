import { AppError } from "../../core/errors.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Store } from "../../store/types.ts";
import { fencedStore } from "./fenced-store.ts";

/** The singletons one leader runs for one term, built on that term's fenced store. */
export interface TermServices {
  term: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The leader's work, started when the node is elected and stopped when it is not the leader any more: each term gets
 * new instances (nothing of a previous term's memory survives into the next) on a store that refuses their writes
 * once the term is over.
 */
export class LeaderWork<T extends TermServices> {
  readonly #build: (term: number, store: Store) => T;
  readonly #store: Store;
  readonly #node: () => string;
  readonly #logger: Logger;
  #current: T | undefined;

  constructor(options: { store: Store; node: () => string; logger: Logger; build: (term: number, store: Store) => T }) {
    this.#build = options.build;
    this.#store = options.store;
    this.#node = options.node;
    this.#logger = options.logger;
  }

  /** The running term's services, or undefined while this node does not lead. */
  get current(): T | undefined {
    return this.#current;
  }

  /** The running term's services; AppError leader_unavailable while this node does not lead. */
  require(): T {
    if (this.#current === undefined) throw new AppError("leader_unavailable", "this node does not lead the cluster right now; try again (or ask the leader)");
    return this.#current;
  }

  async start(term: number): Promise<void> {
    if (this.#current !== undefined) await this.stop(this.#current.term);
    const services = this.#build(term, fencedStore(this.#store, this.#node(), term));
    const started = performance.now();
    await services.start();
    this.#current = services;
    this.#logger.info({ term, ms: Math.round(performance.now() - started) }, "leader's work started");
  }

  async stop(term: number): Promise<void> {
    const services = this.#current;
    if (services === undefined || services.term !== term) return;
    this.#current = undefined;
    await services.stop();
    this.#logger.info({ term }, "leader's work stopped");
  }
}

/** An object whose methods are those of the current term's `T`, or fail with leader_unavailable between terms. */
export function ofLeader<T extends object>(get: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const target = get();
      if (target === undefined) {
        return () => {
          throw new AppError("leader_unavailable", "this node does not lead the cluster right now; try again");
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
