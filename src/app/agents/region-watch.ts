import { assignmentsFor } from "../../agents/assignments.ts";
import { regionHealth, staleAfterOf, type RegionHealth, type WatchedRegion } from "../../agents/region-health.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Store } from "../../store/types.ts";

/** Where the leader keeps each region's health between terms, so a new leader does not announce it again. */
const stateName = "agents.region_health";
const everyMs = 5_000;

/** What the watch needs; `store` is the leader's fenced store. */
export interface RegionWatchDeps {
  store: Pick<Store, "agents" | "events" | "state">;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  config: () => VigilConfig;
  /** Told when region events were appended (the notifier delivers them to responders). */
  onEvents: () => void;
}

/** The regions agents check from, each with its staleness limit; regions with nothing to check are not watched. */
export function watchedRegions(config: VigilConfig): WatchedRegion[] {
  const out: WatchedRegion[] = [];
  for (const region of config.regions) {
    const monitors = assignmentsFor(config, region.id).monitors;
    if (monitors.length > 0) out.push({ id: region.id, name: region.name, staleAfterMs: staleAfterOf(monitors.map((m) => m.interval_ms)) });
  }
  return out;
}

/**
 * The leader's watch over agents' regions: every 5 s, a region whose agents have all gone silent is announced to
 * responders (`region.stale`), and again when one is heard (`region.recovered`). Never a public incident: the
 * subscribers' and the status page's readers do not read these kinds.
 */
export class RegionWatch {
  readonly #deps: RegionWatchDeps;
  #health: Record<string, RegionHealth> = {};
  #timer: unknown;
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(deps: RegionWatchDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    const saved = await this.#deps.store.state.get(stateName);
    if (typeof saved === "object" && saved !== null) this.#health = saved as Record<string, RegionHealth>;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#deps.timers.clearTimeout(this.#timer);
    await this.#running;
  }

  /** Looks at the agents now. */
  async check(): Promise<void> {
    const { store, clock } = this.#deps;
    const now = clock.now();
    const agents = (await store.agents.list()).map((a) => ({ id: a.id, region: a.region, lastSeen: a.lastSeen.getTime() }));
    const out = regionHealth(watchedRegions(this.#deps.config()), agents, this.#health, now.getTime());
    if (out.events.length > 0) {
      for (const event of out.events) await store.events.append({ at: now, kind: event.kind, subject: event.region, actor: "system", data: event.data });
      for (const event of out.events) this.#deps.logger.warn({ region: event.region, event: event.kind }, event.kind === "region.stale" ? "every agent of a region is silent: its votes no longer count" : "a region's agents are heard again");
    }
    if (JSON.stringify(out.health) !== JSON.stringify(this.#health)) await store.state.put(stateName, out.health, now);
    this.#health = out.health;
    if (out.events.length > 0) this.#deps.onEvents();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.timers.setTimeout(() => {
      this.#running = this.check()
        .catch((error: unknown) => this.#deps.logger.error({ err: error }, "watching agents' regions failed; trying again in 5 s"))
        .finally(() => this.#schedule());
    }, everyMs);
  }
}
