import type { VigilConfig } from "../config/index.ts";
import type { CatalogInput } from "../store/types.ts";
import { redactSettings } from "./redact-settings.ts";

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
      // The probe's settings (secrets redacted: the checks use the configuration in memory) and the
      // detection policy, as validated; assertions as written.
      config: {
        settings: redactSettings(m.settings) as Record<string, unknown>,
        recheck_ms: m.recheck,
        confirm: m.confirm,
        recover: m.recover,
        quorum: m.quorum,
        saturation: m.saturation,
        flap_window_ms: m.flap_window,
        flap_changes: m.flap_changes,
        assert: m.assert.map((a) => a.text),
      },
    })),
  };
}
