import type { VigilConfig } from "../../config/index.ts";
import { allRegions, regionsOf } from "../../config/regions.ts";
import { probeRegistry } from "../../probes/registry.ts";
import type { RegionCheckInput, RegionsInput } from "../../statuspage/view/build.ts";

/** A monitor's status per region, as monitoring reports it (`MonitoringService.status`). */
export type RegionStatusOf = (monitorId: string) => { regions: Readonly<Record<string, { status: RegionCheckInput["status"]; stale: boolean }>> } | undefined;

/**
 * The per-region detail the page shows (`statuspage.show_regions`), or undefined when it is off. Regions are named as
 * declared under `regions` (the server's own by its id unless declared too), in `allRegions`' order; only the monitors
 * of visible components are read, and for each only the regions that check it (a heartbeat monitor: the server's own,
 * where its pings arrive). A region that checks a monitor but has no result for it yet is unknown ("no data").
 */
export function regionsInputOf(config: VigilConfig, statusOf: RegionStatusOf): RegionsInput | undefined {
  if (!config.statuspage.show_regions) return undefined;
  const declared = new Map(config.regions.map((r) => [r.id, r.name]));
  const names = allRegions(config).map((id) => ({ id, name: declared.get(id) ?? id }));
  const monitors = new Map(config.monitors.map((m) => [m.id, m]));
  const monitorsOf: Record<string, string[]> = {};
  const checks: RegionCheckInput[] = [];
  const seen = new Set<string>();
  for (const component of config.components) {
    if (component.hidden || component.monitors.length === 0) continue;
    monitorsOf[component.id] = [...component.monitors];
    for (const monitorId of component.monitors) {
      const monitor = monitors.get(monitorId);
      if (monitor === undefined || seen.has(monitorId)) continue;
      seen.add(monitorId);
      const regions = probeRegistry[monitor.type].push ? [config.probe.region] : regionsOf(config, monitor);
      const view = statusOf(monitorId)?.regions ?? {};
      for (const region of regions) {
        const seenThere = view[region];
        checks.push({ monitorId, region, status: seenThere?.status ?? "unknown", stale: seenThere?.stale ?? false });
      }
    }
  }
  return { names, monitorsOf, checks };
}
