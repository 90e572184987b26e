import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { MonitorStatus } from "../../detection/types.ts";
import { componentStatusFromMonitors, deriveStatuses, type ComponentStatus } from "../../incidents/component-status.ts";
import { evidenceSentence } from "../../incidents/evidence-summary.ts";
import { evidenceWithDiagnosis } from "../../incidents/diagnosis-lines.ts";
import { buildGraph, type Graph } from "../../incidents/graph.ts";
import { graphOf, publicNamesOf } from "../graph-of.ts";
import type { UpstreamState } from "../../upstream/attribution.ts";
import { impactOf, type Impact } from "../../incidents/impact.ts";
import { PublicNames } from "../../incidents/public-names.ts";
import { hostsIn } from "../../incidents/public-text.ts";
import { isOpenStatus, statusTimes, type IncidentStatus } from "../../incidents/lifecycle.ts";
import { draftPostmortem, formatDuration } from "../../incidents/postmortem.ts";
import { projectComponentStatuses } from "../../incidents/projection.ts";
import { componentList, defaultTemplates, impactPhrase, renderTemplate } from "../../incidents/publish.ts";
import { isImpaired, outageWindows, windowJson, type OutageWindow, type StatusChange, type WindowQuery } from "../../incidents/windows.ts";
import type { Logger } from "../../observability/logger.ts";
import type { PublicationGate } from "../../detection/vantage.ts";
import { statusChangeKind } from "../../store/events.ts";
import type { IncidentRow, IncidentUpdateRow, NewEvent, StoredEvent, Store } from "../../store/types.ts";

/** What the engine needs from the rest of Vigil. */
export interface IncidentEngineDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** A monitor's confirmed status now. */
  monitorStatus(monitorId: string): MonitorStatus;
  /** Brings `monitorStatus` up to date with what other nodes saved (in a cluster); called before each batch of work. */
  refreshStatuses?: () => Promise<void>;
  /** Told after each change has been handled (the status page re-renders, debounced). */
  onChange?: () => void;
  /** The upstream providers' states now (from their feeds), for attribution. */
  upstreams?: () => UpstreamState[];
  /** Asks for these upstreams' feeds to be read now (an incident depending on them just opened). */
  refreshUpstreams?: (ids: string[]) => void;
  /** Whether automatic publication of an incident whose failure began at `since` may go ahead (the server's vantage point, vantage.ts); absent: always. */
  publicationGate?: (since: Date) => PublicationGate;
}

/** An open incident as the engine follows it. */
export interface Tracked {
  row: IncidentRow;
  lastSignalAt: Date;
  /** When every component of the incident was last seen recovered; null while one fails. */
  allRecoveredAt: Date | null;
  /** The last update the public could see (null while unpublished). */
  lastPublicUpdateAt: Date | null;
  /** The last "update due" reminder. */
  lastReminderAt: Date | null;
}

/** Where a status change came from: the detection event's first failing check and last good one. */
export interface StatusCause {
  since: Date | null;
  lastUpAt: Date | null;
}

type Tx = Omit<Store, "close" | "transaction" | "listen">;

/** Event kinds that carry a component's status override (set or cleared). */
export const overrideKind = "component.status_overridden";
export { statusChangeKind } from "../../store/events.ts";

/**
 * The state the incident engine's automation and people's commands share: the configuration and
 * graph, the open incidents, the component statuses last recorded, overrides and maintenance; and
 * the writes every change is made of (an incident row patch, an update, timeline events, in one
 * transaction).
 */
export class EngineContext {
  readonly deps: IncidentEngineDeps;
  config!: VigilConfig;
  graph: Graph = buildGraph([]);
  /** The upstreams each open incident is attributed to. */
  readonly attributed = new Map<string, Set<string>>();
  componentsOf = new Map<string, string[]>();
  /** How the public names components (a hidden one never by its name). */
  publicNames = new PublicNames([]);
  /** The host names the configuration's monitors and feeds reach, never shown to the public. */
  hosts: string[] = [];
  readonly open = new Map<string, Tracked>();
  /** Each component's derived status as last recorded on the timeline. */
  recorded: Record<string, ComponentStatus> = {};
  /** A person's status per component, optionally for the life of an incident. */
  overrides: Record<string, { status: ComponentStatus; incidentId: string | null }> = {};
  /** Components of maintenances in progress. */
  maintenanceComponents = new Set<string>();
  /** When the last status change was recorded (ms): changes are recorded in time order. */
  #lastChangeAt = 0;
  /** Each component's name, by id. */
  #names = new Map<string, string>();

  constructor(deps: IncidentEngineDeps) {
    this.deps = deps;
  }

  apply(config: VigilConfig): void {
    this.config = config;
    this.#names = new Map(config.components.map((c) => [c.id, c.name]));
    this.graph = graphOf(config);
    this.publicNames = publicNamesOf(config);
    this.hosts = hostsIn([...config.monitors.map((m) => m.settings), ...config.upstreams.map((u) => u.feed)]);
    this.componentsOf = new Map();
    for (const c of config.components) for (const m of c.monitors) this.componentsOf.set(m, [...(this.componentsOf.get(m) ?? []), c.id]);
  }

  /**
   * When a status change caused by a detection event happened: at the event (a signal handled late, after a failover,
   * is dated by detection), but never before a change already recorded nor after `now`.
   */
  changeTime(eventAt: Date, now: Date): Date {
    return new Date(Math.min(now.getTime(), Math.max(eventAt.getTime(), this.#lastChangeAt)));
  }

  /** Loads the open incidents, the recorded component statuses and the overrides from the store. */
  async load(): Promise<void> {
    const { store } = this.deps;
    for (const row of await store.incidents.list({ openOnly: true, limit: 1000 })) {
      const updates = await store.incidents.updates(row.id);
      const reminders = await store.events.list({ subject: row.id, kind: "incident.update_due", newestFirst: true, limit: 1 });
      this.open.set(row.id, {
        row,
        lastSignalAt: row.updatedAt,
        allRecoveredAt: null,
        lastPublicUpdateAt: row.publishedAt === null ? null : latest([row.publishedAt, ...updates.map((u) => u.createdAt)]),
        lastReminderAt: reminders[0]?.at ?? null,
      });
    }
    const recorded = await recordedStatuses(store);
    this.recorded = recorded.statuses;
    this.#lastChangeAt = Math.max(this.#lastChangeAt, recorded.latestAt);
    for (const event of await store.events.latestPerSubject(overrideKind)) {
      if (event.subject === null) continue;
      const status = event.data["status"];
      if (typeof status === "string") {
        const incidentId = typeof event.data["incident"] === "string" ? event.data["incident"] : null;
        this.overrides[event.subject] = { status: status as ComponentStatus, incidentId };
      }
    }
  }

  name(id: string): string {
    return this.#names.get(id) ?? id;
  }

  names(): Record<string, string> {
    return Object.fromEntries(this.config.components.map((c) => [c.id, c.name]));
  }

  /** Every component's derived status: its monitors, maintenance in progress, then people's overrides, propagated through the graph. */
  statuses(): Record<string, ComponentStatus> {
    const own: Record<string, ComponentStatus> = {};
    for (const c of this.config.components) {
      own[c.id] = this.maintenanceComponents.has(c.id) ? "under_maintenance" : componentStatusFromMonitors(c.monitors.map((m) => this.deps.monitorStatus(m)));
    }
    const overrides = Object.fromEntries(Object.entries(this.overrides).map(([id, o]) => [id, o.status]));
    return deriveStatuses(this.graph, own, overrides);
  }

  impactOf(row: Pick<IncidentRow, "rootIds" | "impactedIds">, statuses: Record<string, ComponentStatus>): Impact {
    return impactOf(statuses, [...row.rootIds, ...row.impactedIds], this.config.components);
  }

  /**
   * Appends a `component.status_changed` event for every component whose derived status differs from the
   * one last recorded, naming the open incidents that hold it; `cause` dates the window's start. `dating`, when it
   * knows the change of a component (a batch of detection events naming it), gives that change its own time and cause
   * instead; the changes are recorded in time order.
   */
  async recordStatusChanges(now: Date, cause: StatusCause | null, statuses = this.statuses(), dating?: (componentId: string, to: ComponentStatus) => { at: Date; cause: StatusCause } | undefined): Promise<void> {
    const changes: (NewEvent & { subject: string })[] = [];
    for (const [id, to] of Object.entries(statuses)) {
      const from = this.recorded[id] ?? "operational";
      if (from === to) continue;
      const incidents = [...this.open.values()].filter((t) => t.row.rootIds.includes(id) || t.row.impactedIds.includes(id)).map((t) => t.row.id);
      const dated = dating?.(id, to);
      const why = dated ? dated.cause : cause;
      changes.push({
        at: dated?.at ?? now,
        kind: statusChangeKind,
        subject: id,
        actor: "system",
        data: { component: id, from, to, incidents, since: iso(why?.since ?? null), last_up_at: iso(why?.lastUpAt ?? null) },
      });
    }
    if (changes.length === 0) return;
    changes.sort((a, b) => a.at.getTime() - b.at.getTime());
    await this.deps.store.transaction((tx) => tx.events.appendMany(changes));
    for (const change of changes) this.recorded[change.subject] = change.data?.["to"] as ComponentStatus;
    this.#lastChangeAt = Math.max(this.#lastChangeAt, ...changes.map((c) => c.at.getTime()));
    // A window that just closed is announced whole, for reconciliation jobs that listen rather than poll.
    for (const change of changes) {
      if (!isImpaired(change.data?.["from"] as ComponentStatus) || isImpaired(change.data?.["to"] as ComponentStatus)) continue;
      const window = (await this.windows({ componentId: change.subject, from: new Date(change.at.getTime() - 1) })).filter((w) => w.end !== null).at(-1);
      if (window) await this.deps.store.events.append({ at: change.at, kind: "window.closed", subject: window.componentId, actor: "system", data: { ...windowJson(window, this.config.incidents.window_margin) } });
    }
  }

  /** A new incident update row for `row` at `now`. */
  update(row: IncidentRow, status: string, body: string, now: Date, actor: string, statuses = this.statuses()): IncidentUpdateRow {
    return {
      id: `upd_${randomBytes(8).toString("hex")}`,
      incidentId: row.id,
      status,
      body,
      affectedComponents: [...row.rootIds, ...row.impactedIds].map((id) => ({
        code: id,
        name: this.name(id),
        old_status: this.recorded[id] ?? "operational",
        new_status: statuses[id] ?? "operational",
      })),
      actor,
      deliverNotifications: true,
      displayAt: now,
      createdAt: now,
    };
  }

  /**
   * The public text for `status` from the configured or default template. Hidden components are not named: the
   * visible components that depend on them stand in (see PublicNames).
   */
  template(status: "investigating" | "identified" | "monitoring" | "resolved", row: IncidentRow, now: Date, evidence: string): string {
    const template = this.config.incidents.templates[status] ?? defaultTemplates[status];
    // Hidden components with no visible dependent have no public name: "an internal system", as in the other public text.
    const publicList = (ids: readonly string[]) => {
      const names = this.publicNames.publicIds(ids).map((id) => this.name(id));
      return names.length === 0 ? "an internal system" : componentList(names);
    };
    return renderTemplate(template, {
      components: publicList([...row.rootIds, ...row.impactedIds]),
      root: publicList(row.rootIds),
      impact: impactPhrase((row.impactOverride ?? row.impact) as Impact),
      started_at: row.startedAt.toISOString(),
      evidence,
      duration: formatDuration(Math.max(0, now.getTime() - row.startedAt.getTime())),
    }).trim();
  }

  /** The evidence sentence of an incident for the public, from its timeline (or from the events given). */
  async publicEvidence(incidentId: string, tx: Tx = this.deps.store, events?: readonly StoredEvent[]): Promise<string> {
    const timeline = events ?? (await tx.events.list({ subject: incidentId, limit: 10_000 }));
    const names = Object.fromEntries(this.config.components.map((c) => [c.id, this.publicNames.evidenceName(c.id)]));
    return evidenceSentence(evidenceWithDiagnosis(timeline, names, { public: true, hosts: this.hosts }));
  }

  /**
   * Appends an event about an incident with the incident as it is at that moment (`data.incident`, read in the same
   * transaction after its writes): a message built from the event later, or replayed, tells what was true then.
   */
  async appendIncidentEvent(tx: Tx, event: NewEvent & { subject: string }): Promise<void> {
    const row = await tx.incidents.get(event.subject);
    const latest = row ? (await tx.incidents.updates(row.id)).at(-1) : undefined;
    await tx.events.append(row ? { ...event, data: { ...event.data, incident: incidentSnapshot(row, latest?.body ?? null) } } : event);
  }

  /**
   * Moves an incident to `to` with an update and a timeline event in one transaction: monitoring_at is
   * set on entering monitoring and cleared on leaving it for another open status; resolved_at is set on
   * resolving and cleared on reopening. A resolution drafts the postmortem and ends the incident's overrides.
   */
  async changeStatus(tracked: Pick<Tracked, "row">, to: IncidentStatus, body: string, actor: string, now: Date, extra: { hold?: boolean; reason?: string; merged?: boolean; notify?: false } = {}): Promise<IncidentRow> {
    const current = tracked.row;
    const from = current.status as IncidentStatus;
    // Postmortem publication is dated by the command that publishes it, not by the status change.
    const { postmortemPublishedAt: _published, ...times } = statusTimes(from, to, now);
    const patch: Partial<IncidentRow> = { status: to, updatedAt: now, ...times };
    if (extra.hold !== undefined) patch.hold = extra.hold;
    const kind = to === "resolved" && from !== "resolved" ? "incident.resolved" : (from === "resolved" || from === "postmortem") && isOpenStatus(to) ? "incident.reopened" : "incident.updated";
    const statuses = this.statuses();
    const row = await this.deps.store.transaction(async (tx) => {
      const updated = await tx.incidents.update(current.id, patch);
      await tx.incidents.addUpdate({ ...this.update(updated, to, body, now, actor, statuses), deliverNotifications: extra.notify !== false });
      await this.appendIncidentEvent(tx, { at: now, kind, subject: current.id, actor, data: { status: to, previous: from, ...(extra.reason ? { reason: extra.reason } : {}), ...(patch.hold !== undefined ? { hold: patch.hold } : {}), ...(extra.notify === false ? { notify: false } : {}) } });
      return updated;
    });
    tracked.row = row;
    const open = this.open.get(row.id);
    if (open && row.publishedAt !== null) open.lastPublicUpdateAt = now;
    if (isOpenStatus(to)) {
      if (!open) this.open.set(row.id, { row, lastSignalAt: now, allRecoveredAt: null, lastPublicUpdateAt: row.publishedAt === null ? null : now, lastReminderAt: null });
      else open.row = row;
    } else {
      this.open.delete(row.id);
    }
    if (to === "resolved" && from !== "resolved") {
      await this.endOverrides(row.id, now);
      await this.recordStatusChanges(now, null);
      // A merged incident's story is told by the incident it was merged into.
      if (!extra.merged) await this.draftPostmortem(row, now);
    }
    return row;
  }

  /** Makes an incident public now: published_at and an `incident.published` event with the time it took. */
  async publish(tracked: Pick<Tracked, "row">, actor: string, now: Date, tx?: Tx): Promise<IncidentRow> {
    const write = async (t: Tx) => {
      const row = await t.incidents.update(tracked.row.id, { publishedAt: now, publishAt: null, updatedAt: now });
      await this.appendIncidentEvent(t, { at: now, kind: "incident.published", subject: row.id, actor, data: { published_at: now.toISOString(), time_to_publish_ms: Math.max(0, now.getTime() - row.startedAt.getTime()) } });
      return row;
    };
    const row = tx ? await write(tx) : await this.deps.store.transaction(write);
    tracked.row = row;
    const open = this.open.get(row.id);
    if (open) {
      open.row = row;
      open.lastPublicUpdateAt = now;
    }
    return row;
  }

  /** Sets (or with null clears) a person's status for a component, recorded on the timeline. */
  async override(componentId: string, status: ComponentStatus | null, incidentId: string | null, actor: string, now: Date): Promise<void> {
    await this.deps.store.events.append({ at: now, kind: overrideKind, subject: componentId, actor, data: { component: componentId, status, incident: incidentId } });
    if (status === null) delete this.overrides[componentId];
    else this.overrides[componentId] = { status, incidentId };
  }

  async endOverrides(incidentId: string, now: Date): Promise<void> {
    for (const [id, o] of Object.entries(this.overrides)) if (o.incidentId === incidentId) await this.override(id, null, incidentId, "system", now);
  }

  /** Outage windows from the recorded status changes of the matching components. */
  async windows(query: WindowQuery & { componentIds?: readonly string[] }): Promise<OutageWindow[]> {
    const ids = query.componentIds ?? (query.componentId !== undefined ? [query.componentId] : undefined);
    // The store reads what the windows overlapping [from, to) are made of, however long the history.
    const events = await this.deps.store.events.statusChanges({ ...(ids !== undefined ? { componentIds: ids } : {}), ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) });
    return outageWindows(events.map(toStatusChange), query);
  }

  /** Writes the postmortem draft of a resolved incident from its timeline, unless people already wrote one. */
  async draftPostmortem(row: IncidentRow, now: Date): Promise<void> {
    if (row.postmortemBody !== null) return;
    await this.#writeDraft(row, now, false);
  }

  /**
   * Drafts again the postmortem of a resolved incident whose timeline grew after its draft (an action's run that ended
   * after the resolution: a reconciliation of the window the resolution closed), as long as the draft is as Vigil
   * wrote it: unedited (its digest is the one recorded when it was drafted) and unpublished. Returns whether it did.
   */
  async redraftPostmortem(id: string, now: Date): Promise<boolean> {
    const { store } = this.deps;
    const row = await store.incidents.get(id);
    if (row === undefined || row.status !== "resolved" || row.postmortemBody === null || row.postmortemPublishedAt !== null) return false;
    const [drafted] = await store.events.list({ subject: id, kinds: ["incident.postmortem_drafted"], newestFirst: true, limit: 1 });
    if (drafted === undefined || drafted.data["sha256"] !== digest(row.postmortemBody)) return false;
    return this.#writeDraft(row, now, true);
  }

  async #writeDraft(row: IncidentRow, now: Date, again: boolean): Promise<boolean> {
    const { store } = this.deps;
    const [updates, events, windows] = await Promise.all([
      store.incidents.updates(row.id),
      store.events.list({ subject: row.id, limit: 10_000 }),
      this.windows({ componentIds: [...row.rootIds, ...row.impactedIds], incidentId: row.id, from: row.earliestPossibleStart ?? row.startedAt }),
    ]);
    const body = draftPostmortem({ incident: row, updates, events, windows, names: this.names(), timeZone: this.config.site.time_zone });
    if (again && body === row.postmortemBody) return false;
    await store.transaction(async (tx) => {
      await tx.incidents.update(row.id, { postmortemBody: body });
      await tx.events.append({ at: now, kind: "incident.postmortem_drafted", subject: row.id, actor: "system", data: { chars: body.length, sha256: digest(body), ...(again ? { again: true } : {}) } });
    });
    return true;
  }
}

/**
 * Each component's status as last recorded on the timeline, however far back (a quiet component's last change may be
 * years old), and when the latest change was recorded (ms, 0 for none).
 */
export async function recordedStatuses(store: Pick<Store, "events">): Promise<{ statuses: Record<string, ComponentStatus>; latestAt: number }> {
  const latest = await store.events.latestPerSubject(statusChangeKind);
  return { statuses: projectComponentStatuses(latest), latestAt: latest.reduce((max, e) => Math.max(max, e.at.getTime()), 0) };
}

/** An incident as an event records it for its messages (see `appendIncidentEvent`; read back by the dispatcher). */
export function incidentSnapshot(row: IncidentRow, latestBody: string | null): Record<string, unknown> {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    impact: row.impactOverride ?? row.impact,
    started_at: row.startedAt.toISOString(),
    resolved_at: iso(row.resolvedAt),
    root_ids: row.rootIds,
    impacted_ids: row.impactedIds,
    published_at: iso(row.publishedAt),
    latest_body: latestBody,
  };
}

/** Reads a `component.status_changed` event back as a status change. */
export function toStatusChange(event: StoredEvent): StatusChange {
  const date = (value: unknown) => (typeof value === "string" ? new Date(value) : null);
  const incidents = event.data["incidents"];
  return {
    componentId: event.subject ?? String(event.data["component"]),
    at: event.at,
    from: event.data["from"] as ComponentStatus,
    to: event.data["to"] as ComponentStatus,
    since: date(event.data["since"]),
    lastUpAt: date(event.data["last_up_at"]),
    incidentIds: Array.isArray(incidents) ? incidents.filter((i): i is string => typeof i === "string") : [],
  };
}



function latest(dates: Date[]): Date {
  return dates.reduce((a, b) => (b.getTime() > a.getTime() ? b : a));
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** A postmortem's SHA-256, hex: the draft's is recorded, so a draft nobody edited can be told from one people wrote. */
function digest(body: string): string {
  return createHash("sha256").update(body).digest("hex");
}
