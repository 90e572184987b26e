import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { ComponentStatus } from "../../incidents/component-status.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Store } from "../../store/types.ts";
import { writeSiteDir } from "./export.ts";
import type { UpstreamView } from "../upstream/watcher.ts";
import { gatherViewInput, shownUpstreams } from "./gather.ts";
import { regionsInputOf, type RegionStatusOf } from "./regions.ts";
import { SiteRenderer } from "./renderer.ts";
import type { Snapshot } from "./snapshot.ts";

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
  /** The upstream providers as their feeds report them (those with show_on_status_page are shown); none when absent. */
  upstreams?(): UpstreamView[];
  /** Each monitor's status per region (monitoring's `status`), for `statuspage.show_regions`; no region detail when absent. */
  regionStatus?: RegionStatusOf;
}

/** At most one render per this long, however many changes arrive. */
const debounceMs = 1_000;
/** Re-rendered this often anyway, so that today's uptime and relative times stay current. */
const refreshMs = 60_000;
/**
 * With `statuspage.show_regions`, how often the regions' statuses are compared with what the page shows. A region's
 * status changes without any event when the monitor's overall status stays put (one region of three down), or with
 * time alone (a region going stale), so nothing announces it: this looks, in memory, without reading the store, and
 * asks for a render only when something shown changed.
 */
export const regionsCheckMs = 5_000;

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
  #regionsTimer: unknown;
  /** The per-region detail the last render showed, as JSON ("" without any). */
  #renderedRegions = "";
  #running: Promise<void> | undefined;
  #pending: Promise<void> | undefined;
  #lastRenderAt = 0;
  /** What the last render saw: the newest timeline event and the minute, so an unchanged page is not rendered again. */
  #renderedKey = "";
  #stopped = false;

  readonly #renderer: SiteRenderer;

  constructor(deps: PublisherDeps) {
    this.#deps = deps;
    this.#renderer = new SiteRenderer(deps.logger, deps.config().statuspage.render_thread);
  }

  /** The current snapshot; undefined until the first render. */
  get snapshot(): Snapshot | undefined {
    return this.#snapshot;
  }

  /** Whether renders run in their own thread. */
  get threaded(): boolean {
    return this.#renderer.threaded;
  }

  /** Renders once, then every minute (and when a region's status changes, with `statuspage.show_regions`). */
  async start(): Promise<void> {
    await this.refresh();
    this.#schedulePeriodic();
    this.#scheduleRegionsCheck();
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
    if (this.#regionsTimer !== undefined) this.#deps.timers.clearTimeout(this.#regionsTimer);
    await this.#running;
    await this.#renderer.stop();
  }

  async #render(): Promise<void> {
    const { store, clock, logger } = this.#deps;
    const now = clock.now();
    this.#lastRenderAt = now.getTime();
    try {
      const config = this.#deps.config();
      // Everything the page shows is on the timeline (and the clock, for today's bar and "last updated"): when
      // neither the newest event nor the minute moved, nor the configuration, the page would come out the same.
      // The upstreams shown are read from their feeds, not the timeline: what they show is part of the key.
      // So are the regions' statuses (`statuspage.show_regions`), read from monitoring in memory.
      const upstreams = this.#deps.upstreams?.() ?? [];
      const regions = this.#regionsInput(config);
      const regionsKey = regions === undefined ? "" : JSON.stringify(regions.checks);
      const [newest] = await store.events.list({ newestFirst: true, limit: 1 });
      const key = `${newest?.id ?? 0}:${Math.floor(now.getTime() / 60_000)}:${this.#configVersion(config)}:${JSON.stringify(shownUpstreams(upstreams))}:${regionsKey}`;
      if (key === this.#renderedKey && this.#snapshot) return;
      const input = await gatherViewInput(store, config, { now, publicUrl: this.#deps.publicUrl(), statuses: this.#deps.statuses(), upstreams: () => upstreams, ...(regions === undefined ? {} : { regions }) });
      this.#snapshot = await this.#renderer.render(input, this.#snapshot);
      this.#renderedKey = key;
      this.#renderedRegions = regionsKey;
      const dir = config.statuspage.export_dir;
      if (dir !== undefined) await writeSiteDir(dir, this.#snapshot);
    } catch (error) {
      logger.error({ err: error }, this.#snapshot ? "status page not refreshed: the last snapshot is still served" : "status page could not be rendered");
    }
  }

  #configs = new WeakMap<VigilConfig, number>();
  #configCount = 0;

  /** A number per configuration object: a reload gives a new object, hence a new render. */
  #configVersion(config: VigilConfig): number {
    let version = this.#configs.get(config);
    if (version === undefined) this.#configs.set(config, (version = ++this.#configCount));
    return version;
  }

  #regionsInput(config: VigilConfig) {
    const statusOf = this.#deps.regionStatus;
    return statusOf === undefined ? undefined : regionsInputOf(config, statusOf);
  }

  /** Every `regionsCheckMs`: a render soon when the regions' statuses differ from the page's (nothing when the option is off). */
  #scheduleRegionsCheck(): void {
    if (this.#stopped || this.#deps.regionStatus === undefined) return;
    this.#regionsTimer = this.#deps.timers.setTimeout(() => {
      try {
        const regions = this.#regionsInput(this.#deps.config());
        const key = regions === undefined ? "" : JSON.stringify(regions.checks);
        if (key !== this.#renderedRegions) this.changed();
      } catch (error) {
        this.#deps.logger.error({ err: error }, "reading the regions' statuses for the status page failed");
      }
      this.#scheduleRegionsCheck();
    }, regionsCheckMs);
  }

  #schedulePeriodic(): void {
    if (this.#stopped) return;
    this.#periodic = this.#deps.timers.setTimeout(() => void this.refresh().then(() => this.#schedulePeriodic()), refreshMs);
  }
}
