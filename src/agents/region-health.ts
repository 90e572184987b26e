/** Whether a region's agents are heard: `live`, `stale` (all silent too long), or `waiting` (none has reported yet). */
export type RegionHealth = "live" | "stale" | "waiting";

/** A region whose agents are watched, and how long they may all be silent. */
export interface WatchedRegion {
  id: string;
  name: string;
  /** 3 intervals of its most frequent monitor, at least 15 s (agents report at least every 5 s). */
  staleAfterMs: number;
}

/** What is known of an agent: its region and when a node last heard it (ms). */
export interface HeardAgent {
  id: string;
  region: string;
  lastSeen: number;
}

/** An event about a region, for responders only. */
export interface RegionEvent {
  kind: "region.stale" | "region.recovered";
  region: string;
  data: Record<string, unknown>;
}

/** A region's staleness limit: 3 of its shortest monitor interval, at least 15 s. */
export function staleAfterOf(intervalsMs: readonly number[]): number {
  return Math.max(15_000, 3 * Math.min(...intervalsMs, Number.POSITIVE_INFINITY));
}

/**
 * Each region's health at `now`, and the events its changes make: `region.stale` when every agent of a region that
 * was live has been silent past its limit, `region.recovered` when one is heard again. A region no agent has
 * reported for yet is `waiting`, and says nothing. Its votes stop counting on their own (each monitor's stale rule);
 * these events tell responders why. Pure.
 */
export function regionHealth(
  regions: readonly WatchedRegion[],
  agents: readonly HeardAgent[],
  previous: Readonly<Record<string, RegionHealth>>,
  now: number,
): { health: Record<string, RegionHealth>; events: RegionEvent[] } {
  const health: Record<string, RegionHealth> = {};
  const events: RegionEvent[] = [];
  for (const region of regions) {
    const own = agents.filter((a) => a.region === region.id);
    const lastSeen = own.length === 0 ? null : Math.max(...own.map((a) => a.lastSeen));
    const state: RegionHealth = lastSeen === null ? "waiting" : now - lastSeen > region.staleAfterMs ? "stale" : "live";
    health[region.id] = state;
    const before = previous[region.id] ?? "waiting";
    const base = { name: region.name, agents: own.length, last_seen: lastSeen === null ? null : new Date(lastSeen).toISOString() };
    if (state === "stale" && before !== "stale") events.push({ kind: "region.stale", region: region.id, data: { ...base, silent_ms: now - (lastSeen ?? now), stale_after_ms: region.staleAfterMs } });
    if (state === "live" && before === "stale") events.push({ kind: "region.recovered", region: region.id, data: base });
  }
  return { health, events };
}
