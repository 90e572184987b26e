import { z } from "zod";
import { hashSecret, secretMatches } from "../../auth/token-format.ts";
import { AppError } from "../../core/errors.ts";
import { uptimeOf, uptimeWindows, windowRollups, type Uptime, type UptimeWindow } from "../../results/uptime.ts";
import type { MonitorRow, StoredCheckResult } from "../../store/types.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";
import { diagnosisEventKinds, monitorDiagnosis } from "../../detection/diagnosis.ts";
import { detectionEventKinds } from "../../detection/types.ts";

/**
 * Event kinds that are evidence about a monitor: its transitions, what the database said (all detection emits), checks
 * suspected of hanging, and regions asked to check it at once because another saw it change.
 */
export const evidenceKinds = [...detectionEventKinds, "monitor.hang_suspected", "monitor.region_recheck"];

const statusView = z.object({
  status: z.enum(["up", "degraded", "down", "unknown"]),
  flapping: z.boolean(),
  regions: z.record(z.string(), z.object({ status: z.string(), last_at: z.string(), consecutive: z.number().int() })),
});

const monitorView = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string().nullable(),
  interval_ms: z.number().int(),
  timeout_ms: z.number().int(),
  /** Where it is defined: the configuration file (read-only through the API) or the database. */
  source: z.enum(["file", "database"]),
  state: statusView,
  created_at: z.string(),
  updated_at: z.string(),
});

const resultView = z.object({
  at: z.string(),
  region: z.string(),
  status: z.enum(["up", "degraded", "down"]),
  latency_ms: z.number(),
  facts: z.record(z.string(), z.unknown()),
  error: z.object({ kind: z.string(), message: z.string() }).nullable(),
});

const idParams = z.object({ id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "expected a monitor id such as api-health") });
const isoTime = z.iso.datetime({ offset: true, message: "expected an ISO 8601 time such as 2026-11-25T12:00:00Z" });

/**
 * The events of the monitor's current episode that the diagnosis reads: those after its latest `monitor.up`, of the
 * diagnosis's kinds only, so that re-checks and hang suspicions of a flapping monitor never push a restart out.
 */
const episodeEventLimit = 1_000;

async function episodeEvidence(deps: ApiDeps, monitorId: string) {
  const [lastUp] = await deps.store.events.list({ subject: monitorId, kind: "monitor.up", newestFirst: true, limit: 1 });
  const kinds = diagnosisEventKinds.filter((kind) => kind !== "monitor.up");
  return deps.store.events.list({ subject: monitorId, kinds, newestFirst: true, limit: episodeEventLimit, ...(lastUp ? { afterId: lastUp.id } : {}) });
}

/** Monitors: their confirmed state per region, results, uptime and evidence; and heartbeats. */
export function monitorRoutes(deps: ApiDeps) {
  const find = async (id: string): Promise<MonitorRow> => {
    const monitor = await deps.store.catalog.monitor(id);
    if (!monitor) throw new AppError("not_found", `no monitor with id ${id}`);
    return monitor;
  };
  const view = (m: MonitorRow): z.infer<typeof monitorView> => ({
    id: m.id,
    type: m.type,
    name: m.name,
    interval_ms: m.intervalMs,
    timeout_ms: m.timeoutMs,
    source: deps.catalog?.sourceOf("monitor", m.id) ?? "file",
    state: stateOf(deps, m.id),
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
  });
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/monitors",
      operationId: "listMonitors",
      summary: "List monitors with their confirmed state (settings, which may hold secrets, are not shown)",
      tag: "monitors",
      auth: "read",
      response: z.object({ monitors: z.array(monitorView) }),
      handler: async () => ({ monitors: (await deps.store.catalog.monitors()).map(view) }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/monitors/:id",
      operationId: "getMonitor",
      summary: "A monitor: its state per region, its last results and the evidence recorded about it",
      tag: "monitors",
      auth: "read",
      params: idParams,
      response: monitorView.extend({
        last_results: z.array(resultView),
        /** One sentence saying what the evidence of the current episode shows (detection/diagnosis.ts), or null. */
        diagnosis: z.string().nullable(),
        evidence: z.array(z.object({ id: z.string(), at: z.string(), kind: z.string(), data: z.record(z.string(), z.unknown()) })),
      }),
      handler: async ({ params }) => {
        const monitor = await find(params.id);
        const results = await deps.store.results.list(monitor.id, { limit: 20 });
        const events = await deps.store.events.list({ subject: monitor.id, kinds: evidenceKinds, newestFirst: true, limit: 50 });
        return {
          ...view(monitor),
          last_results: results.map(resultOf),
          diagnosis: monitorDiagnosis(await episodeEvidence(deps, monitor.id), { public: false }),
          evidence: events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, data: e.data })),
        };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/monitors/:id/results",
      operationId: "listMonitorResults",
      summary: "A monitor's raw results, newest first, in [from, to)",
      tag: "monitors",
      auth: "read",
      params: idParams,
      query: z.strictObject({ from: isoTime.optional(), to: isoTime.optional(), limit: z.coerce.number().int().min(1).max(10_000).default(1000) }),
      response: z.object({ results: z.array(resultView) }),
      handler: async ({ params, query }) => {
        await find(params.id);
        const results = await deps.store.results.list(params.id, {
          ...(query.from ? { from: new Date(query.from) } : {}),
          ...(query.to ? { to: new Date(query.to) } : {}),
          limit: query.limit,
        });
        return { results: results.map(resultOf) };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/monitors/:id/uptime",
      operationId: "getMonitorUptime",
      summary: "A monitor's uptime over a window, from the rollups (the current minute is counted once it ends; hours and days not yet rolled up are counted by the minute)",
      tag: "monitors",
      auth: "read",
      params: idParams,
      query: z.strictObject({ window: z.enum(Object.keys(uptimeWindows) as [UptimeWindow, ...UptimeWindow[]]).default("24h") }),
      response: z.object({ window: z.string(), from: z.string(), to: z.string(), checks: z.number(), failures: z.number(), degraded: z.number(), uptime_percent: z.number().nullable() }),
      handler: async ({ params, query }) => {
        await find(params.id);
        const { from, to, uptime } = await uptimeOver(deps, params.id, query.window);
        return { window: query.window, from: from.toISOString(), to: to.toISOString(), checks: uptime.checks, failures: uptime.failures, degraded: uptime.degraded, uptime_percent: uptime.uptimePercent };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/heartbeat/:id",
      operationId: "pushHeartbeat",
      errors: ["unauthorized"],
      summary: "A heartbeat from a cron job or worker; authenticated by the monitor's own secret as a Bearer token (never in the URL, which is logged)",
      tag: "monitors",
      auth: "public",
      params: idParams,
      response: z.object({ ok: z.literal(true), monitor: z.string(), at: z.string() }),
      handler: async ({ params, request }) => {
        const expected = deps.monitoring.heartbeatSecret(params.id);
        const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1];
        // The same answer for an unknown monitor and a wrong secret: ids are not revealed.
        if (expected === undefined || presented === undefined || !secretMatches(presented, hashSecret(expected))) {
          throw new AppError("unauthorized", "unknown heartbeat monitor or wrong secret");
        }
        const at = deps.clock.now();
        await deps.monitoring.heartbeat(params.id, at);
        return { ok: true as const, monitor: params.id, at: at.toISOString() };
      },
    }),
  ];
}

/** A monitor's uptime over a window ending now, from the rollups (what /api/v1/monitors/:id/uptime answers). */
export async function uptimeOver(deps: Pick<ApiDeps, "store" | "clock">, id: string, window: UptimeWindow): Promise<{ from: Date; to: Date; uptime: Uptime }> {
  const spec = uptimeWindows[window];
  const to = deps.clock.now();
  const from = new Date(to.getTime() - spec.ms);
  return { from, to, uptime: uptimeOf(await windowRollups((bucket, f, t) => deps.store.rollups.list(id, bucket, f, t), spec.bucket, from, to)) };
}

/** A monitor's confirmed state, overall and per region, as the API shows it. */
export function stateOf(deps: Pick<ApiDeps, "monitoring">, id: string): z.infer<typeof statusView> {
  const state = deps.monitoring.status(id) ?? { status: "unknown" as const, flapping: false, regions: {} };
  return {
    status: state.status,
    flapping: state.flapping,
    regions: Object.fromEntries(Object.entries(state.regions).map(([r, v]) => [r, { status: v.status, last_at: v.lastAt, consecutive: v.consecutive }])),
  };
}

function resultOf(r: StoredCheckResult): z.infer<typeof resultView> {
  return { at: r.at.toISOString(), region: r.region, status: r.status, latency_ms: r.latencyMs, facts: r.facts, error: r.error };
}
