import type { DetectionEventKind } from "../detection/types.ts";
import { correlate, failureKinds, recoveryKinds, type CorrelationPolicy, type Decision, type OpenIncident, type Signal } from "./correlate.ts";
import type { Graph } from "./graph.ts";

/** A detection event as a batch reads it: the monitor it is about, its kind, time and data. */
export interface DetectionInput {
  monitorId: string | null;
  kind: DetectionEventKind;
  at: Date;
  data: Record<string, unknown>;
}

/**
 * A detection event of a batch, grouped: a signal for correlation, a failure suppressed because every component of its
 * monitor is under maintenance (recorded, opens nothing), or nothing (no monitor, or a monitor on no component).
 */
export type BatchEntry =
  | { kind: "signal"; monitorId: string; signal: Signal }
  | { kind: "suppressed"; monitorId: string; signal: Signal }
  | { kind: "none" };

/**
 * Groups a batch of detection events, in order, into signals for correlation and failures suppressed by maintenance
 * (`underMaintenance`: the components of maintenances in progress). A signal's data names its monitor.
 */
export function groupSignals(events: readonly DetectionInput[], componentsOf: ReadonlyMap<string, readonly string[]>, underMaintenance: ReadonlySet<string>): BatchEntry[] {
  return events.map((event): BatchEntry => {
    if (event.monitorId === null) return { kind: "none" };
    const componentIds = componentsOf.get(event.monitorId) ?? [];
    if (componentIds.length === 0) return { kind: "none" };
    const signal: Signal = { kind: event.kind, componentIds, at: event.at, data: { monitor: event.monitorId, ...event.data } };
    const suppressed = failureKinds.has(signal.kind) && componentIds.every((id) => underMaintenance.has(id));
    return { kind: suppressed ? "suppressed" : "signal", monitorId: event.monitorId, signal };
  });
}

/** What correlation decides for a signal of a batch; an incident it opens is named by a key (`new:0`, `new:1`, …) later decisions use as its id. */
export type BatchDecision = Exclude<Decision, { action: "open" }> | { action: "open"; key: string; rootIds: string[]; impactedIds: string[] };

/** The prefix of the keys naming the incidents a batch opens. */
export const newIncidentPrefix = "new:";

/**
 * Correlates a batch of signals in order, all at `now`, as if each were correlated after the ones before it had been
 * handled: an incident the batch opens is open for the signals after it (its last signal at `now`), a join moves the
 * incident's roots, impact and last signal, a merge closes the incidents merged. So a root's failure and its dependents'
 * make one incident, in either order, as they would one event at a time. Returns one decision per signal.
 */
export function correlateBatch(open: readonly OpenIncident[], signals: readonly Signal[], graph: Graph, policy: Partial<CorrelationPolicy>, now: Date): BatchDecision[] {
  const state = new Map<string, OpenIncident>(open.map((incident) => [incident.id, incident]));
  let opened = 0;
  return signals.map((signal): BatchDecision => {
    const decision = correlate([...state.values()], signal, graph, policy, now);
    if (decision.action === "open") {
      const key = `${newIncidentPrefix}${opened++}`;
      state.set(key, { id: key, rootIds: decision.rootIds, impactedIds: decision.impactedIds, startedAt: signal.at, lastSignalAt: now });
      return { action: "open", key, rootIds: decision.rootIds, impactedIds: decision.impactedIds };
    }
    if (decision.action === "join") {
      const target = state.get(decision.incidentId);
      if (target) state.set(target.id, { ...target, rootIds: decision.rootIds, impactedIds: decision.impactedIds, lastSignalAt: now });
      for (const id of decision.mergeIds ?? []) state.delete(id);
    }
    return decision;
  });
}

/** For one component, the signals of a batch about it that date its status change: its first failure and its last recovery. */
export interface ComponentSignals {
  firstFailure?: Signal;
  lastRecovery?: Signal;
}

/**
 * For each component the batch's signals name directly (suppressed ones too: a failure under maintenance still
 * changes the status), its first failure and last recovery: a status change to impaired is dated by the first, back
 * to operational by the last, each from its own events rather than from whichever event of the batch came first.
 */
export function signalsPerComponent(entries: readonly BatchEntry[]): Map<string, ComponentSignals> {
  const per = new Map<string, ComponentSignals>();
  for (const entry of entries) {
    if (entry.kind === "none") continue;
    const { signal } = entry;
    const failure = failureKinds.has(signal.kind);
    if (!failure && !recoveryKinds.has(signal.kind)) continue;
    for (const id of signal.componentIds) {
      const seen = per.get(id) ?? {};
      if (failure) seen.firstFailure ??= signal;
      else seen.lastRecovery = signal;
      per.set(id, seen);
    }
  }
  return per;
}
