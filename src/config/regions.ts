import { phaseOf } from "../scheduler/phase.ts";
import type { MonitorConfig, VigilConfig } from "./schema.ts";

/** Every region of a configuration: the server's own runner (`probe.region`) first, then the declared ones. */
export function allRegions(config: Pick<VigilConfig, "regions" | "probe">): string[] {
  const own = config.probe.region;
  return [own, ...config.regions.map((r) => r.id).filter((id) => id !== own)];
}

/** The regions that check a monitor: its own `regions`, or every region. */
export function regionsOf(config: Pick<VigilConfig, "regions" | "probe">, monitor: Pick<MonitorConfig, "regions">): string[] {
  return monitor.regions ?? allRegions(config);
}

/** Whether `region` checks the monitor (on every result read: it builds no list). */
export function checksFrom(config: Pick<VigilConfig, "regions" | "probe">, monitor: Pick<MonitorConfig, "regions">, region: string): boolean {
  if (monitor.regions !== undefined) return monitor.regions.includes(region);
  return region === config.probe.region || config.regions.some((r) => r.id === region);
}

/**
 * Where on its interval `region` checks the monitor when regions are staggered (`probe.stagger`, scheduler/phase.ts):
 * its regions, in the order `regionsOf` gives, an equal share of the interval apart. Undefined when staggering is off
 * or the monitor is checked from one region only (its first check then comes at a random moment, as without regions).
 */
export function phaseFor(config: Pick<VigilConfig, "regions" | "probe">, monitor: Pick<MonitorConfig, "id" | "regions" | "interval">, region: string): number | undefined {
  if (!config.probe.stagger) return undefined;
  const regions = regionsOf(config, monitor);
  const index = regions.indexOf(region);
  if (regions.length < 2 || index < 0) return undefined;
  return phaseOf(monitor.id, index, regions.length, monitor.interval);
}
