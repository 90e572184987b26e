import type { VigilConfig } from "../config/index.ts";
import type { CatalogInput } from "../store/types.ts";

/** Keys of a monitor's config that are common to every type and stored in their own columns. */
const commonMonitorKeys = new Set(["id", "type", "name", "interval", "timeout"]);

/** Maps a validated configuration onto the catalog rows the store keeps (pure). */
export function catalogFromConfig(config: VigilConfig): CatalogInput {
  return {
    components: config.components.map((c, position) => ({
      id: c.id,
      name: c.name,
      group: c.group ?? null,
      description: c.description ?? null,
      position,
      dependsOn: c.depends_on.map((d) => ({ id: d.id, soft: d.soft })),
      monitorIds: [...c.monitors],
      hidden: c.hidden,
    })),
    monitors: config.monitors.map((m) => ({
      id: m.id,
      type: m.type,
      name: m.name ?? null,
      intervalMs: m.interval,
      timeoutMs: m.timeout,
      config: Object.fromEntries(Object.entries(m).filter(([key]) => !commonMonitorKeys.has(key))),
    })),
  };
}
