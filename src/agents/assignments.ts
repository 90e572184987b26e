import { createHash } from "node:crypto";
import { checksFrom, phaseFor } from "../config/regions.ts";
import type { VigilConfig } from "../config/schema.ts";
import { probeRegistry } from "../probes/registry.ts";
import type { AssignedMonitor, Assignments } from "./protocol.ts";

/**
 * What the agents of `region` check under `config`: every monitor that region checks, except push monitors
 * (heartbeats come to Vigil, there is nothing to check from afar). The ETag is a hash of the whole answer, so it
 * changes exactly when something an agent runs changes, whichever node computes it.
 */
export function assignmentsFor(config: Pick<VigilConfig, "regions" | "probe" | "monitors">, region: string): Assignments {
  const declared = config.regions.find((r) => r.id === region);
  const isOwn = region === config.probe.region;
  const monitors: AssignedMonitor[] = declared === undefined || isOwn
    ? []
    : config.monitors
        .filter((m) => !probeRegistry[m.type].push && checksFrom(config, m, region))
        .map((m) => {
          const phase = phaseFor(config, m, region);
          return {
            id: m.id,
            type: m.type,
            interval_ms: m.interval,
            timeout_ms: m.timeout,
            recheck_ms: m.recheck,
            confirm: m.confirm,
            recover: m.recover,
            settings: m.settings,
            assert: m.assert.map((a) => a.text),
            suspect: m.suspect ? { factor: m.suspect_factor, floor_ms: m.suspect_floor } : null,
            ...(phase === undefined ? {} : { phase_ms: phase }),
          };
        });
  const body = { region: { id: region, name: declared?.name ?? null, declared: declared !== undefined && !isOwn }, monitors };
  const etag = `"${createHash("sha256").update(JSON.stringify(body)).digest("base64url").slice(0, 27)}"`;
  return { region: body.region, etag, monitors };
}
