import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { ComponentStatus } from "../../incidents/component-status.ts";
import type { Logger } from "../../observability/logger.ts";
import { renderSite } from "../../statuspage/render/site.ts";
import { buildPageView } from "../../statuspage/view/build.ts";
import type { Store } from "../../store/types.ts";
import { writeSiteDir } from "./export.ts";
import { gatherViewInput } from "./gather.ts";
import { buildSnapshot, type Snapshot } from "./snapshot.ts";

/** What the publisher needs. */
export interface PublisherDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  config(): VigilConfig;
  publicUrl(): string;
  /** The components' live statuses. */
  statuses(): Record<string, ComponentStatus>;
}

/** At most one render per this long, however many changes arrive. */
const debounceMs = 1_000;
/** Re-rendered this often anyway, so that today's uptime and relative times stay current. */
const refreshMs = 60_000;

/**
 * Keeps the public site rendered in memory: on every relevant change (debounced to once a second) and
 * every minute, it reads the store, builds the view and renders every file. If the store cannot be
 * read, the last snapshot keeps being served. With `statuspage.export_dir` the same files are written
 * to that directory, replaced atomically.
 */
export class StatusPagePublisher {
  readonly #deps: PublisherDeps;
  #snapshot: Snapshot | undefined;
  #timer: unknown;
  #periodic: unknown;
  #running: Promise<void> | undefined;
  #pending: Promise<void> | undefined;
  #lastRenderAt = 0;
  #stopped = false;

  constructor(deps: PublisherDeps) {
    this.#deps = deps;
  }

  /** The current snapshot; undefined until the first render. */
  get snapshot(): Snapshot | undefined {
    return this.#snapshot;
  }

  /** Renders once, then every minute. */
  async start(): Promise<void> {
    await this.refresh();
    this.#schedulePeriodic();
  }

  /** Asks for a render soon (at most once a second). */
  changed(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const wait = Math.max(0, this.#lastRenderAt + debounceMs - this.#deps.clock.now().getTime());
    this.#timer = this.#deps.timers.setTimeout(() => {
      this.#timer = undefined;
      void this.refresh();
    }, wait);
  }

  /**
   * Renders now, or once more right after a render in progress (callers meanwhile share that one), and
   * resolves when the render that saw the caller's change is done. Never throws: a failure keeps the last snapshot.
   */
  refresh(): Promise<void> {
    if (this.#running) {
      this.#pending ??= this.#running.then(() => {
        this.#pending = undefined;
        return this.refresh();
      });
      return this.#pending;
    }
    this.#running = this.#render().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.timers.clearTimeout(this.#timer);
    if (this.#periodic !== undefined) this.#deps.timers.clearTimeout(this.#periodic);
    await this.#running;
  }

  async #render(): Promise<void> {
    const { store, clock, logger } = this.#deps;
    const now = clock.now();
    this.#lastRenderAt = now.getTime();
    try {
      const config = this.#deps.config();
      const input = await gatherViewInput(store, config, { now, publicUrl: this.#deps.publicUrl(), statuses: this.#deps.statuses() });
      const view = buildPageView(input);
      this.#snapshot = buildSnapshot(renderSite(view), now, this.#snapshot);
      const dir = config.statuspage.export_dir;
      if (dir !== undefined) await writeSiteDir(dir, this.#snapshot);
    } catch (error) {
      logger.error({ err: error }, this.#snapshot ? "status page not refreshed: the last snapshot is still served" : "status page could not be rendered");
    }
  }

  #schedulePeriodic(): void {
    if (this.#stopped) return;
    this.#periodic = this.#deps.timers.setTimeout(() => void this.refresh().then(() => this.#schedulePeriodic()), refreshMs);
  }
}
