import type { ActionFacts, ActionRunWindow, ActionWindow } from "../../actions/types.ts";
import { evidenceWithDiagnosis } from "../../incidents/diagnosis-lines.ts";
import { incidentJson } from "../../incidents/incident-json.ts";
import { windowAt, windowId, type OutageWindow, type WindowQuery } from "../../incidents/windows.ts";
import type { ActionRunRow, Store } from "../../store/types.ts";

/** What the facts of a run are read from. */
export interface FactsDeps {
  store: Pick<Store, "incidents" | "events" | "catalog">;
  /** The outage windows the incident engine knows. */
  windows(query: WindowQuery): Promise<OutageWindow[]>;
  /** Each component's current status. */
  statuses(): Record<string, string>;
  /** The public address of the status page, without a trailing slash. */
  publicUrl(): string;
}

/**
 * The facts an attempt of `run` is told: the run, the window it is asked for (`params.window`) as it is now, and its
 * incident as it is now (its components with their names and statuses, its outage windows per component, its
 * evidence in words). An incident that is gone reads as none, and so does a window the history no longer shows.
 */
export async function runFacts(deps: FactsDeps, run: ActionRunRow, attempt: number): Promise<ActionFacts> {
  const facts: ActionFacts = {
    run: { id: run.id, action: run.actionId, idempotency_key: run.idempotencyKey, attempt, requested_by: run.requestedBy },
    window: null,
    incident: null,
    components: [],
    windows: [],
    evidence: [],
    step: run.params?.step === undefined ? null : { ramp: run.params.step.ramp, ramp_run: run.params.step.ramp_run, number: run.params.step.number, of: run.params.step.of, with: run.params.step.with },
  };
  const asked = run.params?.window;
  if (asked !== undefined) {
    const start = new Date(asked.start);
    const window = Number.isFinite(start.getTime()) ? await windowAt(deps.windows, asked.component, start) : undefined;
    if (window !== undefined) facts.window = runWindowOf(window);
  }
  const incident = run.incidentId === null ? undefined : await deps.store.incidents.get(run.incidentId);
  if (incident === undefined) return facts;
  const [events, components, windows] = await Promise.all([
    deps.store.events.list({ subject: incident.id, limit: 10_000 }),
    deps.store.catalog.components({ includeRemoved: true }),
    deps.windows({ incidentId: incident.id, from: incident.earliestPossibleStart ?? incident.startedAt }),
  ]);
  const names = Object.fromEntries(components.map((c) => [c.id, c.name]));
  const statuses = deps.statuses();
  facts.incident = { ...incidentJson(incident), url: `${deps.publicUrl()}/incidents/${incident.id}` };
  facts.components = [...new Set([...incident.rootIds, ...incident.impactedIds])].map((id) => ({ id, name: names[id] ?? id, status: statuses[id] ?? "unknown" }));
  facts.windows = windows.map(actionWindowOf);
  facts.evidence = evidenceWithDiagnosis(events, names).map((line) => ({ component: line.componentId, kind: line.kind, text: line.text }));
  return facts;
}

/** An outage window as an action is told of it (ISO 8601 instants). */
function actionWindowOf(w: OutageWindow): ActionWindow {
  return {
    component: w.componentId,
    start: w.start.toISOString(),
    earliest_possible_start: w.earliestPossibleStart?.toISOString() ?? null,
    confirmed_start: w.confirmedStart.toISOString(),
    end: w.end?.toISOString() ?? null,
    worst: w.worst,
  };
}

/** The window a run is asked for, as an action is told of it (as in `windows`, with its id and incidents). */
function runWindowOf(w: OutageWindow): ActionRunWindow {
  return { id: windowId(w.componentId, w.start), ...actionWindowOf(w), incidents: [...w.incidentIds] };
}
