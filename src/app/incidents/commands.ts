import { randomBytes } from "node:crypto";
import type { Rights } from "../../auth/authenticate.ts";
import { AppError } from "../../core/errors.ts";
import type { ComponentStatus } from "../../incidents/component-status.ts";
import { downstreamOf } from "../../incidents/graph.ts";
import type { Impact } from "../../incidents/impact.ts";
import { nextStatus, type IncidentStatus } from "../../incidents/lifecycle.ts";
import { internalDetails } from "../../incidents/public-text.ts";
import type { IncidentRow } from "../../store/types.ts";
import { createdData } from "./automation.ts";
import { isOpenStatus } from "../../incidents/lifecycle.ts";
import type { EngineContext, Tracked } from "./context.ts";

/** A person's new incident. */
export interface NewIncidentInput {
  name: string;
  body: string;
  status?: "investigating" | "identified" | "monitoring";
  /** Components and the status each is set to while the incident is open. */
  components?: Record<string, ComponentStatus>;
  /** The impact, instead of the one derived from the components. */
  impact?: Impact;
  /** Publish at once (default) or keep as a draft. */
  publish?: boolean;
}

/** A person's update of an incident. */
export interface PersonUpdateInput {
  status?: IncidentStatus;
  body: string;
  /** Automation keeps its hands off (default true for a person's update). */
  hold?: boolean;
  /** Publishes a draft incident with this update (default true). */
  publish?: boolean;
  /** Tells subscribers of this update (default true); false: the status page shows it, no one is sent it. */
  notify?: boolean;
}

const allRights: Rights = { publish: true };

/** Throws forbidden when `rights` do not allow reaching the public, saying what would have. */
function mustPublish(rights: Rights, what: string): void {
  if (!rights.publish) throw new AppError("forbidden", `${what} reaches the public: it needs the action incidents.publish (role responder or above; a token of the old scope write may keep drafts, notes and overrides only)`);
}

/** Opens an incident by hand: its components (with their statuses) are its roots, their dependents its impact. */
export async function createIncident(ctx: EngineContext, input: NewIncidentInput, actor: string, rights: Rights = allRights): Promise<IncidentRow> {
  if (input.publish ?? true) mustPublish(rights, "opening a published incident (publish is not false)");
  const now = ctx.deps.clock.now();
  const components = input.components ?? {};
  for (const id of Object.keys(components)) if (!ctx.graph.part.has(id)) throw new AppError("not_found", `components.${id}: no component has the id "${id}"`);
  const rootIds = Object.keys(components).sort();
  const impacted = new Set<string>();
  for (const root of rootIds) for (const id of downstreamOf(ctx.graph, root).keys()) if (!rootIds.includes(id)) impacted.add(id);
  const row: IncidentRow = {
    id: `inc_${randomBytes(8).toString("hex")}`,
    name: input.name,
    status: input.status ?? "investigating",
    impact: "none",
    impactOverride: input.impact ?? null,
    rootIds,
    impactedIds: [...impacted].sort(),
    startedAt: now,
    earliestPossibleStart: null,
    monitoringAt: input.status === "monitoring" ? now : null,
    resolvedAt: null,
    publishedAt: null,
    publishAt: null,
    postmortemBody: null,
    postmortemPublishedAt: null,
    manual: true,
    hold: true,
    createdAt: now,
    updatedAt: now,
  };
  for (const [id, status] of Object.entries(components)) await ctx.override(id, status, row.id, actor, now);
  const statuses = ctx.statuses();
  row.impact = ctx.impactOf(row, statuses);
  const tracked: Tracked = { row, lastSignalAt: now, allRecoveredAt: null, lastPublicUpdateAt: null, lastReminderAt: null };
  await ctx.deps.store.transaction(async (tx) => {
    await tx.incidents.create(row);
    await tx.incidents.addUpdate(ctx.update(row, row.status, input.body, now, actor, statuses));
    await ctx.appendIncidentEvent(tx, { at: now, kind: "incident.created", subject: row.id, actor, data: { ...createdData(row), impact_override: row.impactOverride } });
    ctx.open.set(row.id, tracked);
    if (input.publish ?? true) await ctx.publish(tracked, actor, now, tx);
  });
  await ctx.recordStatusChanges(now, { since: now, lastUpAt: null }, statuses);
  return tracked.row;
}

/**
 * A person's update: an optional new status (checked against the lifecycle) and a message. It
 * puts the incident on hold (automation stops moving it) unless `hold: false` is given, and
 * publishes a draft incident unless `publish: false` is given; either way a pending delayed
 * publication is cancelled, since a responder acted first.
 */
export async function personUpdate(ctx: EngineContext, id: string, input: PersonUpdateInput, actor: string, rights: Rights = allRights): Promise<IncidentRow> {
  const tracked = await trackedOf(ctx, id);
  const current = tracked.row;
  if (current.publishedAt !== null) mustPublish(rights, `an update of incident ${id}, which is public,`);
  else if (input.publish ?? true) mustPublish(rights, `an update that publishes draft incident ${id} (publish is not false)`);
  const status = input.status ?? (current.status as IncidentStatus);
  if (status !== current.status) {
    const verdict = nextStatus(current.status as IncidentStatus, status, "person");
    if (!verdict.ok) throw new AppError("conflict", verdict.reason);
  }
  const now = ctx.deps.clock.now();
  if (current.publishedAt === null && (input.publish ?? true)) await ctx.publish(tracked, actor, now);
  else if (current.publishAt !== null) tracked.row = await ctx.deps.store.incidents.update(id, { publishAt: null });
  return ctx.changeStatus(tracked, status, input.body, actor, now, { hold: input.hold ?? true, ...(input.notify === false ? { notify: false } : {}) });
}

/** Renames an incident or overrides its impact (null returns to the derived impact). */
export async function editIncident(ctx: EngineContext, id: string, input: { name?: string; impact?: Impact | null }, actor: string, rights: Rights = allRights): Promise<IncidentRow> {
  const tracked = await trackedOf(ctx, id);
  if (tracked.row.publishedAt !== null) mustPublish(rights, `an edit of incident ${id}, which is public,`);
  const now = ctx.deps.clock.now();
  const patch: Partial<IncidentRow> = { updatedAt: now };
  if (input.name !== undefined) patch.name = input.name;
  if (input.impact !== undefined) patch.impactOverride = input.impact;
  const row = await ctx.deps.store.transaction(async (tx) => {
    const updated = await tx.incidents.update(id, patch);
    await tx.events.append({ at: now, kind: "incident.edited", subject: id, actor, data: { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.impact !== undefined ? { impact_override: input.impact } : {}) } });
    return updated;
  });
  tracked.row = row;
  return row;
}

/** Publishes a draft incident now. */
export async function publishIncident(ctx: EngineContext, id: string, actor: string): Promise<IncidentRow> {
  const tracked = await trackedOf(ctx, id);
  if (tracked.row.publishedAt !== null) throw new AppError("conflict", `incident ${id} was already published at ${tracked.row.publishedAt.toISOString()}`);
  return ctx.publish(tracked, actor, ctx.deps.clock.now());
}

/** Replaces the postmortem's Markdown; allowed once the incident is resolved. */
export async function savePostmortem(ctx: EngineContext, id: string, body: string, actor: string, rights: Rights = allRights): Promise<IncidentRow> {
  const tracked = await trackedOf(ctx, id);
  if (tracked.row.postmortemPublishedAt !== null) mustPublish(rights, `an edit of incident ${id}'s postmortem, which is public,`);
  if (isOpenStatus(tracked.row.status)) throw new AppError("conflict", `incident ${id} is ${tracked.row.status}: resolve it before writing its postmortem`);
  const now = ctx.deps.clock.now();
  return ctx.deps.store.transaction(async (tx) => {
    const row = await tx.incidents.update(id, { postmortemBody: body, updatedAt: now });
    await tx.events.append({ at: now, kind: "incident.postmortem_edited", subject: id, actor, data: { chars: body.length } });
    return row;
  });
}

/**
 * Publishes the postmortem: the incident moves to `postmortem` (Statuspage's status for it). The draft is written for
 * responders, with raw errors and real names: unless `force`, a postmortem that still names a hidden component or an
 * internal detail (a configured host, an address, a host:port, a file path) is refused, each finding named by line.
 */
export async function publishPostmortem(ctx: EngineContext, id: string, actor: string, options: { force?: boolean } = {}): Promise<IncidentRow> {
  const tracked = await trackedOf(ctx, id);
  const body = tracked.row.postmortemBody;
  if (body === null) throw new AppError("conflict", `incident ${id} has no postmortem to publish`);
  if (options.force !== true) {
    const details = [
      ...ctx.publicNames.hiddenNamesIn(body).map((name) => ({ path: "postmortem", message: `names hidden component "${name}"` })),
      ...internalDetails(body, ctx.hosts).map((d) => ({ path: `postmortem:${d.line}`, message: `internal detail "${d.found}"` })),
    ];
    if (details.length > 0) {
      throw new AppError("conflict", `the postmortem of incident ${id} still shows what the public should not read (${details.length} finding${details.length === 1 ? "" : "s"}): edit it, or publish with force`, { details });
    }
  }
  const verdict = nextStatus(tracked.row.status as IncidentStatus, "postmortem", "person");
  if (!verdict.ok) throw new AppError("conflict", verdict.reason);
  const now = ctx.deps.clock.now();
  tracked.row = await ctx.deps.store.incidents.update(id, { postmortemPublishedAt: now });
  return ctx.changeStatus(tracked, "postmortem", "The postmortem of this incident has been published.", actor, now);
}

/** Sets or clears (null) a component's status by hand, whatever its monitors say. */
export async function overrideComponent(ctx: EngineContext, componentId: string, status: ComponentStatus | null, actor: string): Promise<ComponentStatus> {
  if (!ctx.graph.part.has(componentId)) throw new AppError("not_found", `no component has the id "${componentId}"`);
  const now = ctx.deps.clock.now();
  await ctx.override(componentId, status, null, actor, now);
  const statuses = ctx.statuses();
  await ctx.recordStatusChanges(now, status === null ? null : { since: now, lastUpAt: null }, statuses);
  return statuses[componentId] ?? "operational";
}

async function trackedOf(ctx: EngineContext, id: string): Promise<Pick<Tracked, "row">> {
  const open = ctx.open.get(id);
  if (open) return open;
  const row = await ctx.deps.store.incidents.get(id);
  if (!row) throw new AppError("not_found", `no incident with id ${id}`);
  return { row };
}
