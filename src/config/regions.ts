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

/** Whether `region` checks the monitor. */
export function checksFrom(config: Pick<VigilConfig, "regions" | "probe">, monitor: Pick<MonitorConfig, "regions">, region: string): boolean {
  return regionsOf(config, monitor).includes(region);
}
