import type { ReloadOutcome } from "../api/deps.ts";
import { catalogFromConfig } from "../catalog/from-config.ts";
import type { Clock } from "../core/clock.ts";
import { loadConfigFile, type VigilConfig } from "../config/index.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Store } from "../store/types.ts";

/** Settings that a reload cannot change in a running process. */
const restartOnly = ["server", "storage"] as const;

/** Holds the running configuration and swaps it only for a new one that is valid in full. */
export class ConfigHolder {
  #current: VigilConfig;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    initial: VigilConfig,
    private readonly deps: {
      file: string;
      env: Record<string, string | undefined>;
      store: Store;
      clock: Clock;
      logger: Logger;
      metrics: Metrics;
      /** Called with each configuration that was applied. */
      onApplied?: (config: VigilConfig) => void;
    },
  ) {
    this.#current = initial;
    this.#recordSize(initial);
  }

  get current(): VigilConfig {
    return this.#current;
  }

  /** Reloads the file; reloads run one at a time, in the order asked. */
  reload(actor: string): Promise<ReloadOutcome> {
    const next = this.#queue.then(() => this.#reload(actor));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #reload(actor: string): Promise<ReloadOutcome> {
    const { file, env, store, clock, logger, metrics } = this.deps;
    const loaded = await loadConfigFile(file, env);
    if (!loaded.ok) {
      const errors = loaded.errors.map((e) => ({ path: e.path, message: e.message, file: e.file, line: e.line, column: e.column }));
      metrics.configReloads.inc({ result: "rejected" });
      logger.warn({ file, errors: errors.length }, "configuration rejected; the running configuration stays");
      for (const e of errors) logger.warn(`${e.file}:${e.line ?? "?"}:${e.column ?? "?"} ${e.path}: ${e.message}`);
      await store.events.append({ at: clock.now(), kind: "config.rejected", subject: null, actor, data: { file, errors } });
      return { applied: false, file, errors };
    }
    for (const key of restartOnly) {
      if (JSON.stringify(loaded.config[key]) !== JSON.stringify(this.#current[key])) {
        logger.warn({ section: key }, `the ${key} section changed; it takes effect at the next restart`);
      }
    }
    const diff = await store.catalog.sync(catalogFromConfig(loaded.config), clock.now(), actor);
    this.#current = loaded.config;
    this.#recordSize(loaded.config);
    this.deps.onApplied?.(loaded.config);
    metrics.configReloads.inc({ result: "applied" });
    await store.events.append({ at: clock.now(), kind: "config.reloaded", subject: null, actor, data: { file, ...diff } });
    logger.info({ file, ...diff }, "configuration reloaded");
    return { applied: true, file, ...diff };
  }

  #recordSize(config: VigilConfig): void {
    this.deps.metrics.catalogSize.set({ kind: "component" }, config.components.length);
    this.deps.metrics.catalogSize.set({ kind: "monitor" }, config.monitors.length);
  }
}
