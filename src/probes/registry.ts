import { loadProbe, monitorTypeNames, type MonitorType } from "./load.ts";
import type { Probe } from "./types.ts";

export { monitorTypeNames, type MonitorType } from "./load.ts";

/**
 * Every probe by type, loaded when this module is: what the server uses (configuration schemas, push types, checks).
 * A remote agent does not import it; it loads the probes of the monitors it is assigned (load.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const probeRegistry: Record<MonitorType, Probe<any>> = Object.fromEntries(await Promise.all(monitorTypeNames.map(async (type) => [type, await loadProbe(type)] as const))) as Record<MonitorType, Probe<any>>;

/** The keys a probe's config schema knows (its schema is a zod object). */
export function probeKeys(probe: Probe<unknown>): string[] {
  const shape = (probe.configSchema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
