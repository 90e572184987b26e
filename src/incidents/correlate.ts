import type { DetectionEventKind } from "../detection/types.ts";
import { downstreamOf, rootsOf, sharePart, type Graph } from "./graph.ts";

/** The kinds of signal correlation reads: detection's events plus an upstream provider's degradation. */
export type SignalKind = DetectionEventKind | "upstream.degraded";

/** Something said about the components a monitor (or upstream) is attached to. */
export interface Signal {
  kind: SignalKind;
  /** The components the signal's monitor is attached to. */
  componentIds: readonly string[];
  at: Date;
  data: Record<string, unknown>;
}

/** An incident that has not been resolved, as correlation needs to see it. */
export interface OpenIncident {
  id: string;
  /** Components whose failure explains the incident. */
  rootIds: readonly string[];
  /** Everything else the incident affects: failing components explained by a root, and their dependents. */
  impactedIds: readonly string[];
  startedAt: Date;
  /** When the incident last joined a failure signal; the correlation window runs from it. */
  lastSignalAt: Date;
}

/** How correlation groups signals into incidents. */
export interface CorrelationPolicy {
  /** A failure this long (or less) after an incident's last signal, in the same connected part of the graph, joins it. */
  windowMs: number;
}

/** The default correlation policy: one minute, about the time a cascade takes to be confirmed by detection. */
export const defaultCorrelationPolicy: CorrelationPolicy = { windowMs: 60_000 };

/** What to do with a signal: open an incident, join one (with its new roots and impact), recover part of one, or nothing. */
export type Decision =
  | { action: "open"; rootIds: string[]; impactedIds: string[] }
  | { action: "join"; incidentId: string; rootIds: string[]; impactedIds: string[]; mergeIds?: string[] }
  | { action: "recover"; incidentId: string; componentIds: string[] }
  | { action: "ignore"; reason: string };

/** Signal kinds that say a component is failing. */
export const failureKinds: ReadonlySet<SignalKind> = new Set(["monitor.down", "monitor.degraded", "upstream.degraded"]);

/** Signal kinds that say a component recovered. */
export const recoveryKinds: ReadonlySet<SignalKind> = new Set(["monitor.up"]);

/**
 * Decides what a signal does to the open incidents. A failure of a component already in an open incident joins it;
 * one in the same connected part as an incident whose last signal is at most `windowMs` before `now` joins it too
 * (roots recomputed, so a late cause upstream becomes the root and the old root moves to the impact);
 * otherwise it opens an incident. When the incident joined gets roots that explain other open incidents whose last
 * signal is within the window too (their roots all lie downstream of the new roots, or are among them: a late cause
 * upstream of two incidents), those are merged into it (`mergeIds`) and their components join its impact. Outside the
 * window nothing is joined or merged (a failure long after another may have a cause of its own), except by a failure
 * whose dependents are already in an open incident: a cause confirmed late joins the incident holding its effects, and
 * merges the others it explains that hold them too, however long ago their last signal. A recovery of components of an incident recovers them; evidence
 * (restart, crash loop, …) joins an incident holding its component and is otherwise ignored.
 */
export function correlate(
  open: readonly OpenIncident[],
  signal: Signal,
  graph: Graph,
  policy: Partial<CorrelationPolicy>,
  now: Date,
): Decision {
  const windowMs = policy.windowMs ?? defaultCorrelationPolicy.windowMs;
  if (!Number.isFinite(windowMs) || windowMs < 0) throw new RangeError(`windowMs must be a non-negative number, got ${windowMs}`);
  const ids = [...new Set(signal.componentIds)].filter((id) => graph.part.has(id));
  if (ids.length === 0) return { action: "ignore", reason: "the signal is attached to no known component" };

  // Newest first, so that a signal touching several incidents goes to the one it most likely belongs to.
  const byRecency = [...open].sort((a, b) => b.lastSignalAt.getTime() - a.lastSignalAt.getTime() || a.id.localeCompare(b.id));
  const holding = byRecency.find((incident) => ids.some((id) => membersOf(incident).has(id)));

  if (recoveryKinds.has(signal.kind)) {
    if (holding === undefined) return { action: "ignore", reason: "recovery of components in no open incident" };
    const members = membersOf(holding);
    return { action: "recover", incidentId: holding.id, componentIds: ids.filter((id) => members.has(id)).sort() };
  }

  if (!failureKinds.has(signal.kind)) {
    // Evidence explains an incident; on its own (a restart that caused no failure) it is not one.
    if (holding === undefined) return { action: "ignore", reason: `${signal.kind} for components in no open incident` };
    return { action: "join", incidentId: holding.id, rootIds: [...holding.rootIds], impactedIds: [...holding.impactedIds] };
  }

  const nowMs = now.getTime();
  const signalRoots = rootsOf(graph, ids);
  const inWindow = (incident: OpenIncident) => nowMs - incident.lastSignalAt.getTime() <= windowMs;
  // A cause confirmed late, after its effects: whatever the window, it belongs with the incident already holding them.
  const effects = new Set(signalRoots.flatMap((root) => [...downstreamOf(graph, root).keys()]));
  const holdsEffects = (incident: OpenIncident) => [...membersOf(incident)].some((id) => effects.has(id));
  const target =
    holding ??
    byRecency.find((incident) => inWindow(incident) && sharePart(graph, ids, membersOf(incident))) ??
    byRecency.find(holdsEffects);
  if (target === undefined) {
    return { action: "open", rootIds: signalRoots, impactedIds: impactOfRoots(graph, signalRoots, ids) };
  }
  const rootIds = rootsOf(graph, [...target.rootIds, ...ids]);
  const covered = coveredBy(graph, rootIds);
  const merged = byRecency.filter((incident) => incident.id !== target.id && (inWindow(incident) || holdsEffects(incident)) && explains(covered, incident));
  const decision: Decision = {
    action: "join",
    incidentId: target.id,
    rootIds,
    impactedIds: impactOfRoots(graph, rootIds, [...target.rootIds, ...target.impactedIds, ...ids, ...merged.flatMap((m) => [...membersOf(m)])]),
  };
  if (merged.length > 0) decision.mergeIds = merged.map((m) => m.id).sort();
  return decision;
}

/** The roots and everything downstream of them. */
function coveredBy(graph: Graph, roots: readonly string[]): Set<string> {
  const covered = new Set(roots);
  for (const root of roots) for (const id of downstreamOf(graph, root).keys()) covered.add(id);
  return covered;
}

/** Whether every root of `incident` is among `covered` (some roots, and what lies downstream of them): those roots explain it. */
function explains(covered: ReadonlySet<string>, incident: OpenIncident): boolean {
  if (incident.rootIds.length === 0) return false;
  return incident.rootIds.every((id) => covered.has(id));
}

function membersOf(incident: OpenIncident): Set<string> {
  return new Set([...incident.rootIds, ...incident.impactedIds]);
}

// The impact is everything downstream of the roots (soft dependents are degraded, so they count too)
// plus whatever was already affected: joining never drops a component, only recovery does.
function impactOfRoots(graph: Graph, rootIds: readonly string[], affected: readonly string[]): string[] {
  const impacted = new Set(affected);
  for (const root of rootIds) for (const id of downstreamOf(graph, root).keys()) impacted.add(id);
  for (const root of rootIds) impacted.delete(root);
  return [...impacted].sort();
}
