import type { DetectionEventKind } from "../../detection/types.ts";
import { correlateBatch, groupSignals, newIncidentPrefix, signalsPerComponent, type BatchDecision } from "../../incidents/correlate-batch.ts";
import { failureKinds, type OpenIncident, type Signal } from "../../incidents/correlate.ts";
import { isImpaired } from "../../incidents/windows.ts";
import type { ComponentStatus } from "../../incidents/component-status.ts";
import type { Impact } from "../../incidents/impact.ts";
import type { IncidentRow, NewEvent, StoredEvent } from "../../store/types.ts";
import { causeOf, earlier, joinedData, merge, nameOf, openIncident, signalData, worstImpact } from "./automation.ts";
import type { EngineContext } from "./context.ts";

/** What the engine tells a batch while it is handled. */
export interface BatchHooks {
  /** Whether the engine was stopped (this node no longer leads): the batch ends there, unfinished. */
  stopped(): boolean;
  /** An incident was opened (and written): the notifier sends it while the rest of the batch is handled. */
  opened(): void | Promise<void>;
}

/**
 * Takes a batch of detection events, in order, through one correlation pass (see `correlateBatch`): a failure opens an
 * incident (written at once, so the first page does not wait for the last event) or joins one (a late upstream cause
 * becomes its root, and may merge others), a recovery recovers part of one, evidence joins the incident holding its
 * component; a failure of components all under maintenance is recorded and opens nothing. The joins, recoveries and
 * suppressed failures are written together in one transaction (before a merge, and at the end), then the components'
 * status changes in one more. Returns false when the engine was stopped before the batch was done: nothing more is
 * written, and the next leader handles the batch again (an event handled twice joins the incident it opened).
 */
export async function onSignals(ctx: EngineContext, events: readonly StoredEvent[], hooks: BatchHooks): Promise<boolean> {
  const now = ctx.deps.clock.now();
  const entries = groupSignals(
    events.map((e) => ({ monitorId: e.subject, kind: e.kind as DetectionEventKind, at: e.at, data: e.data })),
    ctx.componentsOf,
    ctx.maintenanceComponents,
  );
  const signals = entries.flatMap((entry) => (entry.kind === "signal" ? [entry.signal] : []));
  const decisions = correlateBatch([...ctx.open.values()].map(openIncidentOf), signals, ctx.graph, { windowMs: ctx.config.incidents.correlation_window }, now);
  const writes = new PendingWrites(ctx, now);
  const statuses = ctx.statuses();
  // The ids of the incidents this batch opened, by the keys correlation gave them.
  const opened = new Map<string, string>();
  const idOf = (id: string) => (id.startsWith(newIncidentPrefix) ? opened.get(id) : id);
  let next = 0;
  for (const [index, entry] of entries.entries()) {
    if (hooks.stopped()) return false;
    if (entry.kind === "none") continue;
    const { signal, monitorId } = entry;
    if (entry.kind === "suppressed") {
      writes.events.push({ at: now, kind: "maintenance.signal_suppressed", subject: signal.componentIds[0] ?? null, actor: "system", data: { signal: signalData(signal) } });
      continue;
    }
    const decision = decisions[next++] as BatchDecision;
    if (decision.action === "open") {
      opened.set(decision.key, await openIncident(ctx, decision.rootIds, decision.impactedIds, signal, now, statuses));
      // Its components' status changes before it is sent: its messages carry when each component changed (a Statuspage
      // webhook's `updated_at`), as the status page does. Only changes still unrecorded are written (again at the end).
      await recordBatchStatusChanges(ctx, entries.slice(0, index + 1), now);
      await hooks.opened();
    } else if (decision.action === "join") {
      const id = idOf(decision.incidentId);
      if (id === undefined) continue;
      writes.join(id, decision.rootIds, decision.impactedIds, signal, statuses);
      if ((decision.mergeIds ?? []).length === 0) continue;
      // A merge resolves an incident: what the batch wrote of both comes first on their timelines.
      await writes.flush();
      for (const merged of decision.mergeIds ?? []) {
        const mergedId = idOf(merged);
        if (mergedId !== undefined) await merge(ctx, mergedId, id, now);
      }
    } else if (decision.action === "recover") {
      const id = idOf(decision.incidentId);
      if (id !== undefined && ctx.open.has(id)) {
        writes.events.push({ at: now, kind: "incident.signal_recovered", subject: id, actor: "system", data: { components: decision.componentIds, monitor: monitorId, signal: signalData(signal) } });
      }
    }
  }
  if (hooks.stopped()) return false;
  await writes.flush();
  if (entries.every((entry) => entry.kind === "none")) return true;
  await recordBatchStatusChanges(ctx, entries, now);
  return true;
}

/**
 * Records the components' status changes once for the batch. Each change is dated by detection (a signal handled late,
 * after a failover or a backlog, is dated by its event): a component now impaired by its own monitors' first failure in
 * the batch, one recovered by their last recovery; a component the batch does not name (a dependent whose status
 * follows its dependency's) by the batch's first event, as the change was when events were handled one at a time.
 */
async function recordBatchStatusChanges(ctx: EngineContext, entries: Parameters<typeof signalsPerComponent>[0], now: Date): Promise<void> {
  const first = entries.flatMap((entry) => (entry.kind === "none" ? [] : [entry.signal]))[0];
  if (first === undefined) return;
  const per = signalsPerComponent(entries);
  const dated = (signal: Signal) => ({ at: ctx.changeTime(signal.at, now), cause: causeOf(signal) });
  const fallback = dated(first);
  await ctx.recordStatusChanges(fallback.at, fallback.cause, undefined, (id: string, to: ComponentStatus) => {
    const own = per.get(id);
    const signal = isImpaired(to) ? own?.firstFailure : own?.lastRecovery;
    return signal ? dated(signal) : fallback;
  });
}

/** An open incident as correlation sees it. */
function openIncidentOf(tracked: { row: IncidentRow; lastSignalAt: Date }): OpenIncident {
  return { id: tracked.row.id, rootIds: tracked.row.rootIds, impactedIds: tracked.row.impactedIds, startedAt: tracked.row.startedAt, lastSignalAt: tracked.lastSignalAt };
}

/**
 * What a batch writes besides the incidents it opens: each joined incident's new state (the last of its joins) and the
 * timeline events (`incident.signal_joined` with the incident as that join left it, recoveries, suppressed failures),
 * in order, in one transaction. The engine's open incidents take the new rows once it committed.
 */
class PendingWrites {
  readonly events: NewEvent[] = [];
  readonly #rows = new Map<string, IncidentRow>();
  readonly #impacts = new Map<string, Impact>();
  readonly #ctx: EngineContext;
  readonly #now: Date;

  constructor(ctx: EngineContext, now: Date) {
    this.#ctx = ctx;
    this.#now = now;
  }

  /**
   * A signal joins incident `id` with these roots and impact: its impact is the worst it has had (evidence joining
   * after a recovery must not turn a critical outage into "no impact"), its name follows its roots, and a late-confirmed
   * cause may move its start earlier.
   */
  join(id: string, rootIds: string[], impactedIds: string[], signal: Signal, statuses: Record<string, ComponentStatus>): void {
    const current = this.#rows.get(id) ?? this.#ctx.open.get(id)?.row;
    if (current === undefined) return;
    // The statuses are the batch's: the same members have the same impact (thousands of joins, a few incidents).
    const members = `${rootIds.join()}|${impactedIds.join()}`;
    const impactNow = this.#impacts.get(members) ?? this.#ctx.impactOf({ rootIds, impactedIds }, statuses);
    this.#impacts.set(members, impactNow);
    const impact = worstImpact(current.impact as Impact, impactNow);
    const name = rootIds.join() !== current.rootIds.join() ? nameOf(this.#ctx, rootIds) : current.name;
    const cause = failureKinds.has(signal.kind) ? causeOf(signal) : { since: null, lastUpAt: null };
    const startedAt = cause.since !== null && cause.since < current.startedAt ? cause.since : current.startedAt;
    const row: IncidentRow = { ...current, rootIds, impactedIds, impact, name, startedAt, earliestPossibleStart: earlier(current.earliestPossibleStart, cause.lastUpAt), updatedAt: this.#now };
    this.#rows.set(id, row);
    this.events.push({ at: this.#now, kind: "incident.signal_joined", subject: id, actor: "system", data: { ...joinedData(row), signal: signalData(signal) } });
  }

  /** Writes what is pending in one transaction; the joined incidents' last signal is now. */
  async flush(): Promise<void> {
    if (this.events.length === 0 && this.#rows.size === 0) return;
    const rows = [...this.#rows.values()];
    const events = [...this.events];
    const written = await this.#ctx.deps.store.transaction(async (tx) => {
      const updated: IncidentRow[] = [];
      for (const row of rows) {
        updated.push(await tx.incidents.update(row.id, { rootIds: row.rootIds, impactedIds: row.impactedIds, impact: row.impact, name: row.name, startedAt: row.startedAt, earliestPossibleStart: row.earliestPossibleStart, updatedAt: row.updatedAt }));
      }
      await tx.events.appendMany(events);
      return updated;
    });
    for (const row of written) {
      const tracked = this.#ctx.open.get(row.id);
      if (tracked === undefined) continue;
      tracked.row = row;
      tracked.lastSignalAt = this.#now;
    }
    this.#rows.clear();
    this.events.length = 0;
  }
}
