import { randomBytes } from "node:crypto";
import { detectionEventKinds } from "../../detection/types.ts";
import { autoResolveStep } from "../../incidents/auto-resolve.ts";
import { failureKinds, recoveryKinds, type Signal, type SignalKind } from "../../incidents/correlate.ts";
import { impacts, type Impact } from "../../incidents/impact.ts";
import { automaticIncidentName } from "../../incidents/public-names.ts";
import { effectivePolicy, publishDecision, updateDue, type PublishPolicy } from "../../incidents/publish.ts";
import type { IncidentRow, NewEvent } from "../../store/types.ts";
import type { PublicationGate } from "../../detection/vantage.ts";
import type { EngineContext, StatusCause, Tracked } from "./context.ts";
import { attributeUpstreams, upstreamsOfIncident } from "./upstream.ts";

/**
 * The periodic step: auto-resolution moves (monitoring, then resolved), delayed publication falling
 * due, and "update due" reminders for public incidents left without an update.
 */
export async function step(ctx: EngineContext): Promise<void> {
  const now = ctx.deps.clock.now();
  if (ctx.open.size === 0) return;
  const statuses = ctx.statuses();
  const policy = { monitorAfterMs: ctx.config.incidents.monitor_after, resolveAfterMs: ctx.config.incidents.resolve_after };
  // A component whose monitors are all unknown (just restarted, monitor removed) has not recovered:
  // its incidents wait rather than being moved to monitoring and resolved on no evidence.
  const unknown = new Set(ctx.config.components.filter((c) => c.monitors.length > 0 && c.monitors.every((m) => ctx.deps.monitorStatus(m) === "unknown")).map((c) => c.id));
  for (const tracked of [...ctx.open.values()]) {
    await publishIfDue(ctx, tracked, now);
    await remindIfDue(ctx, tracked, now);
    const members = [...tracked.row.rootIds, ...tracked.row.impactedIds];
    if (tracked.row.manual || members.some((id) => unknown.has(id))) continue;
    const failing = members.filter((id) => (statuses[id] ?? "operational") !== "operational" && statuses[id] !== "under_maintenance").length;
    if (failing > 0) tracked.allRecoveredAt = null;
    else tracked.allRecoveredAt ??= now;
    const move = autoResolveStep(
      { status: tracked.row.status as "investigating", openSignals: failing, allRecoveredAt: tracked.allRecoveredAt, monitoringSince: tracked.row.monitoringAt, manualHold: tracked.row.hold },
      policy,
      now,
    );
    if (!move) continue;
    const template = move.to === "investigating" ? "investigating" : move.to;
    const body = ctx.template(template, tracked.row, now, "");
    await ctx.changeStatus(tracked, move.to, body, "system", now, { reason: move.reason });
    ctx.deps.logger.info({ incident: tracked.row.id, status: move.to }, "incident status changed");
  }
}

/** The publish policy of an incident: the strictest of its components' (or the global one). */
export function policyOf(ctx: EngineContext, componentIds: readonly string[]): PublishPolicy {
  const perComponent = Object.fromEntries(ctx.config.components.map((c) => [c.id, c.publish]));
  return effectivePolicy(ctx.config.incidents.publish, perComponent, componentIds);
}

async function publishIfDue(ctx: EngineContext, tracked: Tracked, now: Date): Promise<void> {
  const { row } = tracked;
  if (row.publishedAt !== null || row.publishAt === null) return;
  if (row.hold) return;
  if (now.getTime() < row.publishAt.getTime()) return;
  const gate = ctx.deps.publicationGate?.(row.startedAt) ?? { gate: "clear" };
  if (gate.gate === "pending") return;
  if (gate.gate === "suspect") {
    await ctx.deps.store.transaction(async (tx) => {
      tracked.row = await tx.incidents.update(row.id, { publishAt: null });
      await ctx.appendIncidentEvent(tx, heldEvent(row.id, gate, now));
    });
    ctx.deps.logger.warn({ incident: row.id }, "automatic publication held: this server's network may be cut off");
    return;
  }
  await ctx.publish(tracked, "system", now);
  ctx.deps.logger.info({ incident: row.id }, "incident published after its delay");
}

/**
 * An incident automation would have published while the vantage point is suspect: it is left to responders (nothing
 * goes public on the word of a server that may be cut off), with the evidence on its timeline.
 */
function heldEvent(id: string, gate: Extract<PublicationGate, { gate: "suspect" }>, now: Date): NewEvent & { subject: string } {
  const summary = gate.evidence?.summary ?? "most monitors and every canary failed at once";
  return { at: now, kind: "incident.publication_held", subject: id, actor: "system", data: { reason: `this server's network may be cut off: ${summary}; a responder publishes it`, evidence: summary } };
}

async function remindIfDue(ctx: EngineContext, tracked: Tracked, now: Date): Promise<void> {
  if (tracked.row.publishedAt === null || tracked.lastPublicUpdateAt === null) return;
  if (!updateDue(tracked.lastPublicUpdateAt, tracked.lastReminderAt, now, ctx.config.incidents.update_due_after)) return;
  const lastPublic = tracked.lastPublicUpdateAt;
  await ctx.deps.store.transaction((tx) =>
    ctx.appendIncidentEvent(tx, {
      at: now,
      kind: "incident.update_due",
      subject: tracked.row.id,
      actor: "system",
      data: { last_public_update_at: lastPublic.toISOString(), due_after_ms: ctx.config.incidents.update_due_after },
    }),
  );
  tracked.lastReminderAt = now;
}

/**
 * Opens an incident for a failure correlation did not join to any: the incident, its first update, the evidence that
 * came just before and (by policy) its publication in one transaction. `statuses`: the components' statuses now (read
 * once for a batch). Returns the incident's id.
 */
export async function openIncident(ctx: EngineContext, rootIds: string[], impactedIds: string[], signal: Signal, now: Date, statuses = ctx.statuses()): Promise<string> {
  const affected = [...rootIds, ...impactedIds];
  const cause = causeOf(signal);
  const policy = policyOf(ctx, affected);
  const decision = publishDecision(policy, now, now, false);
  // Published at once only when the server's vantage point allows: pending, it waits for the next step; suspect, responders decide.
  const gate = decision.publish ? (ctx.deps.publicationGate?.(cause.since ?? signal.at) ?? { gate: "clear" }) : { gate: "clear" as const };
  const publishNow = decision.publish && gate.gate === "clear";
  const row: IncidentRow = {
    id: `inc_${randomBytes(8).toString("hex")}`,
    name: nameOf(ctx, rootIds),
    status: "investigating",
    impact: ctx.impactOf({ rootIds, impactedIds }, statuses),
    impactOverride: null,
    rootIds,
    impactedIds,
    startedAt: cause.since ?? signal.at,
    earliestPossibleStart: cause.lastUpAt,
    monitoringAt: null,
    resolvedAt: null,
    publishedAt: null,
    publishAt: gate.gate === "suspect" ? null : gate.gate === "pending" ? now : decision.publish ? null : decision.at,
    postmortemBody: null,
    postmortemPublishedAt: null,
    manual: false,
    hold: false,
    createdAt: now,
    updatedAt: now,
  };
  const tracked: Tracked = { row, lastSignalAt: now, allRecoveredAt: null, lastPublicUpdateAt: null, lastReminderAt: null };
  // The incident, its first update and its publication are one transaction: a crash leaves all of them or none.
  const created = { at: now, kind: "incident.created", subject: row.id, actor: "system", data: { ...createdData(row), publish_policy: policy, signal: signalData(signal) } };
  const joined = (await earlierEvidence(ctx, signal)).map((earlier) => ({ at: now, kind: "incident.signal_joined", subject: row.id, actor: "system", data: { ...joinedData(row), signal: signalData(earlier) } }));
  await ctx.deps.store.transaction(async (tx) => {
    await tx.incidents.create(row);
    // The first update's evidence is the opening signal's and what came just before it: all the timeline holds yet.
    const evidence = ctx.config.incidents.public_evidence ? await ctx.publicEvidence(row.id, tx, [created, ...joined].map((e, i) => ({ id: String(i), ...e }))) : "";
    const body = ctx.template("investigating", row, now, evidence ? ` ${evidence}.` : "");
    await tx.incidents.addUpdate(ctx.update(row, "investigating", body, now, "system", statuses));
    await ctx.appendIncidentEvent(tx, created);
    for (const event of joined) await tx.events.append(event);
    if (publishNow) await ctx.publish(tracked, "system", now, tx);
    if (gate.gate === "suspect") await ctx.appendIncidentEvent(tx, heldEvent(row.id, gate, now));
  });
  ctx.open.set(row.id, tracked);
  if (tracked.row.publishedAt !== null) tracked.lastPublicUpdateAt = now;
  ctx.deps.logger.warn({ incident: row.id, roots: rootIds, impacted: impactedIds }, "incident opened");
  // What do the providers it depends on say? Read their feeds now rather than at their next poll.
  const upstreams = upstreamsOfIncident(ctx, affected);
  if (upstreams.length > 0) ctx.deps.refreshUpstreams?.(upstreams);
  await attributeUpstreams(ctx);
  return row.id;
}

/** Evidence kinds: what explains an incident but neither opens nor recovers one (a restart, a lagging replica). */
const evidenceOnlyKinds = detectionEventKinds.filter((kind) => !failureKinds.has(kind) && !recoveryKinds.has(kind));

/**
 * The evidence about the failing monitor recorded before the failure that opens an incident, which joined nothing
 * because no incident was open yet: a replica falls behind, and only the re-checks that follow confirm its monitor
 * degraded. It explains the incident as much as evidence that comes after. Only the monitor's current episode
 * (after its latest recovery), within the correlation window before the failure, in time order.
 */
async function earlierEvidence(ctx: EngineContext, failure: Signal): Promise<Signal[]> {
  const monitorId = typeof failure.data["monitor"] === "string" ? failure.data["monitor"] : null;
  if (monitorId === null) return [];
  const from = failure.at.getTime() - ctx.config.incidents.correlation_window;
  const [lastUp] = await ctx.deps.store.events.list({ subject: monitorId, kind: "monitor.up", newestFirst: true, limit: 1 });
  const events = await ctx.deps.store.events.list({ subject: monitorId, kinds: evidenceOnlyKinds, newestFirst: true, limit: 50, ...(lastUp ? { afterId: lastUp.id } : {}) });
  return events
    .filter((e) => e.at.getTime() >= from && e.at.getTime() < failure.at.getTime())
    .reverse()
    .map((e) => ({ kind: e.kind as SignalKind, componentIds: failure.componentIds, at: e.at, data: { monitor: monitorId, ...e.data } }));
}

/** The incident's state as an `incident.signal_joined` event records it (enough to rebuild it). */
export function joinedData(row: IncidentRow): Record<string, unknown> {
  return {
    root_ids: row.rootIds,
    impacted_ids: row.impactedIds,
    impact: row.impact,
    name: row.name,
    started_at: row.startedAt.toISOString(),
    earliest_possible_start: row.earliestPossibleStart?.toISOString() ?? null,
  };
}

/**
 * Merges an open incident into another that a late cause showed to share its root: the survivor takes the earlier
 * start; the merged one is resolved with an update pointing at the survivor, and an
 * `incident.merged` event on both.
 */
export async function merge(ctx: EngineContext, mergedId: string, intoId: string, now: Date): Promise<void> {
  const merged = ctx.open.get(mergedId);
  const into = ctx.open.get(intoId);
  if (!merged || !into) return;
  const startedAt = merged.row.startedAt < into.row.startedAt ? merged.row.startedAt : into.row.startedAt;
  const earliest = earlier(into.row.earliestPossibleStart, merged.row.earliestPossibleStart);
  await ctx.deps.store.transaction(async (tx) => {
    into.row = await tx.incidents.update(intoId, { startedAt, earliestPossibleStart: earliest, updatedAt: now });
    await tx.events.append({ at: now, kind: "incident.merged", subject: intoId, actor: "system", data: { merged: mergedId, started_at: startedAt.toISOString(), earliest_possible_start: earliest?.toISOString() ?? null } });
    await tx.events.append({ at: now, kind: "incident.merged", subject: mergedId, actor: "system", data: { into: intoId } });
  });
  await ctx.changeStatus(merged, "resolved", `This incident has been merged into "${ctx.publicNames.incidentTitle(into.row.name, into.row.rootIds)}", which shares its cause.`, "system", now, { reason: `merged into ${intoId}`, merged: true });
  ctx.deps.logger.info({ incident: mergedId, into: intoId }, "incident merged");
}

/** The fields of a new incident as its `incident.created` event records them (enough to rebuild it). */
export function createdData(row: IncidentRow): Record<string, unknown> {
  return {
    name: row.name,
    status: row.status,
    impact: row.impact,
    root_ids: row.rootIds,
    impacted_ids: row.impactedIds,
    started_at: row.startedAt.toISOString(),
    earliest_possible_start: row.earliestPossibleStart?.toISOString() ?? null,
    manual: row.manual,
  };
}

/** The automatic name of an incident with these roots. */
export function nameOf(ctx: EngineContext, ids: readonly string[]): string {
  return automaticIncidentName(ids.map((id) => ctx.name(id)));
}

/** When a detection event says its failure began (`since`) and when its monitor was last seen up (`last_up_at`). */
export function causeOf(event: { at: Date; data: Record<string, unknown> }): StatusCause {
  const date = (value: unknown) => (typeof value === "string" && !Number.isNaN(Date.parse(value)) ? new Date(value) : null);
  return { since: date(event.data["since"]), lastUpAt: date(event.data["last_up_at"]) };
}

/** The earlier of two dates, either of which may be missing. */
export function earlier(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

/** A signal as timeline events record it. */
export function signalData(signal: Signal): Record<string, unknown> {
  return { kind: signal.kind, components: signal.componentIds, at: signal.at.toISOString(), ...signal.data };
}

/** The worse of two impacts. */
export function worstImpact(a: Impact, b: Impact): Impact {
  return impacts.indexOf(a) >= impacts.indexOf(b) ? a : b;
}
