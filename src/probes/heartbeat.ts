import type * as z from "zod";
import { duration, scalar, strictMap } from "../config/fields.ts";
import type { Probe } from "./types.ts";

/** A heartbeat (push) monitor's settings: the secret its pinger presents, and how late a ping may be. */
export const HeartbeatConfig = strictMap({
  secret: scalar("expected a secret of at least 16 characters (put it in the environment: secret: ${HEARTBEAT_SECRET})", (value) =>
    typeof value === "string" && value.length >= 16 ? value : undefined,
  ),
  /** Added to the interval before a missing ping counts: a cron job's run time varies. */
  grace: duration.default(30_000),
});
export type HeartbeatConfig = z.output<typeof HeartbeatConfig>;

/**
 * A push monitor for cron jobs and batch workers: they POST /api/v1/heartbeat/:monitorId, and the
 * check, run every interval like any other, is down when no ping arrived within interval + grace.
 */
export const heartbeatProbe: Probe<HeartbeatConfig> = {
  type: "heartbeat",
  push: true,
  configSchema: HeartbeatConfig,
  facts: ["latencyMs", "sinceLastPingS"],
  async run(config, ctx) {
    const last = ctx.lastHeartbeat?.();
    const now = ctx.clock.now().getTime();
    const allowedMs = (ctx.intervalMs ?? 0) + config.grace;
    if (last === undefined) {
      return { status: "down", latencyMs: 0, facts: { sinceLastPingS: null }, error: { kind: "assertion", message: "no heartbeat received yet" } };
    }
    const sinceMs = now - last.getTime();
    const facts = { sinceLastPingS: Math.round(sinceMs / 100) / 10 };
    if (sinceMs > allowedMs) {
      return { status: "down", latencyMs: 0, facts, error: { kind: "assertion", message: `no heartbeat for ${Math.round(sinceMs / 1000)} s (allowed ${Math.round(allowedMs / 1000)} s)` } };
    }
    return { status: "up", latencyMs: 0, facts };
  },
};
