import { upstreamOf } from "../../incidents/graph.ts";
import { attribute, type Attribution, type OurIncident } from "../../upstream/attribution.ts";
import { upstreamUpdateBody } from "../../upstream/public-update.ts";
import type { EngineContext } from "./context.ts";

/** The timeline event that records a likely upstream cause. */
export const attributedKind = "incident.upstream_attributed";

/**
 * Reads which upstreams each open incident was already attributed to, so a restart does not attribute again: each open
 * incident's own attributions, however many other incidents were attributed since.
 */
export async function loadAttributions(ctx: EngineContext): Promise<void> {
  ctx.attributed.clear();
  const opened = await Promise.all([...ctx.open.keys()].map((id) => ctx.deps.store.events.list({ subject: id, kind: attributedKind, limit: 10_000 })));
  for (const event of opened.flat()) {
    const upstream = event.data["upstream_id"];
    if (event.subject === null || typeof upstream !== "string") continue;
    ctx.attributed.set(event.subject, new Set([...(ctx.attributed.get(event.subject) ?? []), upstream]));
  }
}

/**
 * Attributes open incidents to the degraded upstreams they depend on (see `attribute`): a timeline event per new
 * attribution with the provider's incident title, link and time, and, with `incidents.publish_upstream`, a public update
 * of a published incident naming the provider. Runs when an upstream changes and on every engine step.
 */
export async function attributeUpstreams(ctx: EngineContext): Promise<void> {
  const upstreams = ctx.deps.upstreams?.() ?? [];
  if (upstreams.length === 0 || ctx.open.size === 0) return;
  const now = ctx.deps.clock.now();
  const incidents: OurIncident[] = [...ctx.open.values()].map(({ row }) => ({
    id: row.id,
    startedAt: row.startedAt,
    resolvedAt: row.resolvedAt,
    rootIds: row.rootIds,
    impactedIds: row.impactedIds,
    attributedTo: [...(ctx.attributed.get(row.id) ?? [])],
  }));
  for (const attribution of attribute(incidents, upstreams, ctx.graph, ctx.config.incidents.attribution_window, now)) {
    await record(ctx, attribution, now);
  }
}

async function record(ctx: EngineContext, a: Attribution, now: Date): Promise<void> {
  const tracked = ctx.open.get(a.incidentId);
  if (!tracked) return;
  await ctx.deps.store.transaction((tx) =>
    ctx.appendIncidentEvent(tx, {
      at: now,
      kind: attributedKind,
      subject: a.incidentId,
      actor: "system",
      data: { upstream_id: a.upstreamId, upstream_name: a.upstreamName, via: a.via, title: a.title, url: a.url, since: a.since.toISOString(), summary: a.summary },
    }),
  );
  ctx.attributed.set(a.incidentId, new Set([...(ctx.attributed.get(a.incidentId) ?? []), a.upstreamId]));
  ctx.deps.logger.warn({ incident: a.incidentId, upstream: a.upstreamId }, "incident attributed to an upstream provider");
  if (ctx.config.incidents.publish_upstream && tracked.row.publishedAt !== null) {
    await ctx.changeStatus(tracked, tracked.row.status as "investigating", upstreamUpdateBody(a), "system", now, { reason: "upstream" });
  }
}

/** The upstreams the components of an incident depend on, directly or not: fetched at once when it opens. */
export function upstreamsOfIncident(ctx: EngineContext, componentIds: readonly string[]): string[] {
  const upstreamIds = new Set(ctx.config.upstreams.map((u) => u.id));
  const found = new Set<string>();
  for (const id of componentIds) for (const dep of upstreamOf(ctx.graph, id).keys()) if (upstreamIds.has(dep)) found.add(dep);
  return [...found];
}
