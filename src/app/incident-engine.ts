import { randomBytes } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import type { Timers } from "../core/timers.ts";
import type { VigilConfig } from "../config/index.ts";
import type { DetectionEvent, MonitorStatus } from "../detection/types.ts";
import { autoResolveStep } from "../incidents/auto-resolve.ts";
import { componentStatusFromMonitors, deriveStatuses, type ComponentStatus } from "../incidents/component-status.ts";
import { correlate, type OpenIncident, type Signal } from "../incidents/correlate.ts";
import { buildGraph, type Graph } from "../incidents/graph.ts";
import { impactOf } from "../incidents/impact.ts";
import { nextStatus, type IncidentStatus } from "../incidents/lifecycle.ts";
import { AppError } from "../core/errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { IncidentRow, Store } from "../store/types.ts";

/** What the engine needs from the rest of Vigil. */
export interface IncidentEngineDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** A monitor's confirmed status now. */
  monitorStatus(monitorId: string): MonitorStatus;
}

interface Tracked {
  row: IncidentRow;
  lastSignalAt: Date;
  signals: Signal[];
  /** When every component of the incident was last seen recovered; null while one fails. */
  allRecoveredAt: Date | null;
}

const tickMs = 5_000;

/**
 * Turns detection events into incidents: correlation through the dependency graph decides whether
 * a signal opens an incident, joins one (a late upstream cause becomes its root) or recovers part
 * of one; a periodic step moves recovered incidents to monitoring and then resolved. Every change
 * is an incident update and a timeline event with the incident as subject.
 */
export class IncidentEngine {
  readonly #deps: IncidentEngineDeps;
  readonly #open = new Map<string, Tracked>();
  #config!: VigilConfig;
  #graph: Graph = buildGraph([]);
  #componentsOf = new Map<string, string[]>();
  #timer: unknown;
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(deps: IncidentEngineDeps) {
    this.#deps = deps;
  }

  /** Loads the open incidents, then steps them every few seconds. */
  async start(config: VigilConfig): Promise<void> {
    this.apply(config);
    for (const row of await this.#deps.store.incidents.list({ openOnly: true, limit: 1000 })) {
      this.#open.set(row.id, { row, lastSignalAt: row.updatedAt, signals: [], allRecoveredAt: null });
    }
    this.#schedule();
  }

  /** Follows the configuration: the graph, which monitors belong to which components, the policies. */
  apply(config: VigilConfig): void {
    this.#config = config;
    this.#graph = buildGraph(config.components.map((c) => ({ id: c.id, dependsOn: c.depends_on })));
    this.#componentsOf = new Map();
    for (const c of config.components) for (const m of c.monitors) this.#componentsOf.set(m, [...(this.#componentsOf.get(m) ?? []), c.id]);
  }

  /** Feeds a detection event; events are handled one at a time, in order. */
  signal(monitorId: string, event: DetectionEvent): Promise<void> {
    this.#queue = this.#queue.then(() => this.#onEvent(monitorId, event)).catch((error: unknown) => this.#deps.logger.error({ err: error }, "incident engine failed on an event"));
    return this.#queue;
  }

  /** Runs the automatic lifecycle step for every open incident now (also done every 5 s). */
  step(): Promise<void> {
    this.#queue = this.#queue.then(() => this.#step()).catch((error: unknown) => this.#deps.logger.error({ err: error }, "incident step failed"));
    return this.#queue;
  }

  /**
   * A person's update: an optional new status (checked against the lifecycle) and a message. It
   * puts the incident on hold (automation stops moving it) unless `hold: false` is given.
   */
  personUpdate(id: string, input: { status?: IncidentStatus; body: string; hold?: boolean }, actor: string): Promise<IncidentRow> {
    const run = this.#queue.then(() => this.#personUpdate(id, input, actor));
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #personUpdate(id: string, input: { status?: IncidentStatus; body: string; hold?: boolean }, actor: string): Promise<IncidentRow> {
    const current = this.#open.get(id)?.row ?? (await this.#deps.store.incidents.get(id));
    if (!current) throw new AppError("not_found", `no incident with id ${id}`);
    const status = input.status ?? (current.status as IncidentStatus);
    if (status !== current.status) {
      const verdict = nextStatus(current.status as IncidentStatus, status, "person");
      if (!verdict.ok) throw new AppError("conflict", verdict.reason);
    }
    const now = this.#deps.clock.now();
    const patch = {
      status,
      hold: input.hold ?? true,
      updatedAt: now,
      ...(status === "monitoring" && current.status !== "monitoring" ? { monitoringAt: now } : {}),
      ...(status === "resolved" && current.status !== "resolved" ? { resolvedAt: now } : {}),
      ...(current.status === "resolved" && status !== "resolved" && status !== "postmortem" ? { resolvedAt: null } : {}),
    };
    const statuses = this.#statuses();
    let row = current;
    await this.#deps.store.transaction(async (tx) => {
      row = await tx.incidents.update(id, patch);
      await tx.incidents.addUpdate({ ...this.#update(row, status, input.body, now, statuses), actor });
      await tx.events.append({ at: now, kind: status === "resolved" && current.status !== "resolved" ? "incident.resolved" : "incident.updated", subject: id, actor, data: { status, previous: current.status, hold: patch.hold } });
    });
    const open = status !== "resolved" && status !== "postmortem";
    const tracked = this.#open.get(id);
    if (open) this.#open.set(id, { row, lastSignalAt: tracked?.lastSignalAt ?? now, signals: tracked?.signals ?? [], allRecoveredAt: tracked?.allRecoveredAt ?? null });
    else this.#open.delete(id);
    return row;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.timers.clearTimeout(this.#timer);
    await this.#queue;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.timers.setTimeout(() => void this.step().then(() => this.#schedule()), tickMs);
  }

  async #onEvent(monitorId: string, event: DetectionEvent): Promise<void> {
    const componentIds = this.#componentsOf.get(monitorId) ?? [];
    if (componentIds.length === 0) return;
    const signal: Signal = { kind: event.kind, componentIds, at: event.at, data: { monitor: monitorId, ...event.data } };
    const open: OpenIncident[] = [...this.#open.values()].map((t) => ({
      id: t.row.id,
      rootIds: t.row.rootIds,
      impactedIds: t.row.impactedIds,
      startedAt: t.row.startedAt,
      lastSignalAt: t.lastSignalAt,
      signals: t.signals,
    }));
    const now = this.#deps.clock.now();
    const decision = correlate(open, signal, this.#graph, { windowMs: this.#config.incidents.correlation_window }, now);
    if (decision.action === "open") await this.#openIncident(decision.rootIds, decision.impactedIds, signal, now);
    else if (decision.action === "join") await this.#join(decision.incidentId, decision.rootIds, decision.impactedIds, signal, now);
    else if (decision.action === "recover") {
      const tracked = this.#open.get(decision.incidentId);
      if (tracked) await this.#record(tracked.row.id, "incident.signal_recovered", now, { components: decision.componentIds, monitor: monitorId });
    }
    await this.#step();
  }

  /** Derived statuses of every component, from the monitors' confirmed statuses. */
  #statuses(): Record<string, ComponentStatus> {
    const own: Record<string, ComponentStatus> = {};
    for (const c of this.#config.components) own[c.id] = componentStatusFromMonitors(c.monitors.map((m) => this.#deps.monitorStatus(m)));
    return deriveStatuses(this.#graph, own);
  }

  #nameOf(ids: readonly string[]): string {
    const names = ids.map((id) => this.#config.components.find((c) => c.id === id)?.name ?? id);
    return `${names.join(", ")} outage`;
  }

  async #openIncident(rootIds: string[], impactedIds: string[], signal: Signal, now: Date): Promise<void> {
    const statuses = this.#statuses();
    const affected = [...rootIds, ...impactedIds];
    const since = typeof signal.data["since"] === "string" ? new Date(signal.data["since"]) : signal.at;
    const lastUp = typeof signal.data["last_up_at"] === "string" ? new Date(signal.data["last_up_at"]) : null;
    const row: IncidentRow = {
      id: `inc_${randomBytes(8).toString("hex")}`,
      name: this.#nameOf(rootIds),
      status: "investigating",
      impact: impactOf(affected.map((id) => statuses[id] ?? "operational")),
      impactOverride: null,
      rootIds,
      impactedIds,
      startedAt: since,
      earliestPossibleStart: lastUp,
      monitoringAt: null,
      resolvedAt: null,
      publishedAt: this.#config.incidents.publish === "auto" ? now : null,
      manual: false,
      hold: false,
      createdAt: now,
      updatedAt: now,
    };
    const body = `Vigil detected a problem with ${this.#nameOf(rootIds).replace(/ outage$/, "")}; affected: ${affected.join(", ")}.`;
    await this.#deps.store.transaction(async (tx) => {
      await tx.incidents.create(row);
      await tx.incidents.addUpdate(this.#update(row, "investigating", body, now, statuses));
      await tx.events.append({ at: now, kind: "incident.created", subject: row.id, actor: "system", data: { root_ids: rootIds, impacted_ids: impactedIds, signal: signalData(signal) } });
    });
    this.#open.set(row.id, { row, lastSignalAt: now, signals: [signal], allRecoveredAt: null });
    this.#deps.logger.warn({ incident: row.id, roots: rootIds, impacted: impactedIds }, "incident opened");
  }

  async #join(id: string, rootIds: string[], impactedIds: string[], signal: Signal, now: Date): Promise<void> {
    const tracked = this.#open.get(id);
    if (!tracked) return;
    const statuses = this.#statuses();
    const impact = tracked.row.impactOverride ?? impactOf([...rootIds, ...impactedIds].map((c) => statuses[c] ?? "operational"));
    const rootsChanged = rootIds.join() !== tracked.row.rootIds.join();
    tracked.row = await this.#deps.store.incidents.update(id, { rootIds, impactedIds, impact, updatedAt: now, ...(rootsChanged ? { name: this.#nameOf(rootIds) } : {}) });
    tracked.lastSignalAt = now;
    tracked.signals.push(signal);
    await this.#record(id, "incident.signal_joined", now, { root_ids: rootIds, impacted_ids: impactedIds, signal: signalData(signal) });
  }

  async #step(): Promise<void> {
    const now = this.#deps.clock.now();
    const statuses = this.#statuses();
    const policy = { monitorAfterMs: this.#config.incidents.monitor_after, resolveAfterMs: this.#config.incidents.resolve_after };
    // A component whose monitors are all unknown (just restarted, monitor removed) has not recovered:
    // its incidents wait rather than being moved to monitoring and resolved on no evidence.
    const unknown = new Set(this.#config.components.filter((c) => c.monitors.length > 0 && c.monitors.every((m) => this.#deps.monitorStatus(m) === "unknown")).map((c) => c.id));
    for (const tracked of [...this.#open.values()]) {
      if ([...tracked.row.rootIds, ...tracked.row.impactedIds].some((id) => unknown.has(id))) continue;
      const failing = [...tracked.row.rootIds, ...tracked.row.impactedIds].filter((id) => (statuses[id] ?? "operational") !== "operational").length;
      if (failing > 0) tracked.allRecoveredAt = null;
      else tracked.allRecoveredAt ??= now;
      const move = autoResolveStep(
        {
          status: tracked.row.status as "investigating",
          openSignals: failing,
          allRecoveredAt: tracked.allRecoveredAt,
          monitoringSince: tracked.row.monitoringAt,
          manualHold: tracked.row.hold,
        },
        policy,
        now,
      );
      if (!move) continue;
      const patch = move.to === "monitoring" ? { monitoringAt: now } : move.to === "resolved" ? { resolvedAt: now } : { monitoringAt: null };
      const row = { ...tracked.row, status: move.to, updatedAt: now, ...patch };
      await this.#deps.store.transaction(async (tx) => {
        await tx.incidents.update(row.id, { status: move.to, updatedAt: now, ...patch });
        await tx.incidents.addUpdate(this.#update(row, move.to, move.reason, now, statuses));
        await tx.events.append({ at: now, kind: move.to === "resolved" ? "incident.resolved" : "incident.updated", subject: row.id, actor: "system", data: { status: move.to, reason: move.reason } });
      });
      tracked.row = row;
      if (move.to === "resolved") this.#open.delete(row.id);
      this.#deps.logger.info({ incident: row.id, status: move.to }, "incident status changed");
    }
  }

  #update(row: IncidentRow, status: string, body: string, now: Date, statuses: Record<string, ComponentStatus>) {
    return {
      id: `upd_${randomBytes(8).toString("hex")}`,
      incidentId: row.id,
      status,
      body,
      affectedComponents: [...row.rootIds, ...row.impactedIds].map((id) => ({
        code: id,
        name: this.#config.components.find((c) => c.id === id)?.name ?? id,
        old_status: "operational",
        new_status: statuses[id] ?? "operational",
      })),
      actor: "system",
      deliverNotifications: true,
      displayAt: now,
      createdAt: now,
    };
  }

  #record(id: string, kind: string, at: Date, data: Record<string, unknown>) {
    return this.#deps.store.events.append({ at, kind, subject: id, actor: "system", data });
  }
}

function signalData(signal: Signal): Record<string, unknown> {
  return { kind: signal.kind, components: signal.componentIds, at: signal.at.toISOString(), ...signal.data };
}
