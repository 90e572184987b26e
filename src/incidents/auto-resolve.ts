import type { IncidentStatus } from "./lifecycle.ts";

/** An incident as the auto-resolution policy needs to see it. */
export interface AutoResolveIncident {
  status: IncidentStatus;
  /** Signals of the incident not yet recovered. */
  openSignals: number;
  /** When the last of the incident's signals recovered; null while one is failing or when it has none. */
  allRecoveredAt: Date | null;
  /** When the incident entered monitoring; null when it is not monitoring or the time is unknown. */
  monitoringSince: Date | null;
  /** A person took the incident over, so automation keeps its hands off. */
  manualHold: boolean;
}

/** How long automation waits before each automatic move. */
export interface AutoResolvePolicy {
  /** How long every signal must have recovered before the incident moves to monitoring. */
  monitorAfterMs: number;
  /** How long the incident must stay in monitoring with nothing failing before it is resolved. */
  resolveAfterMs: number;
}

/**
 * The default policy: monitoring as soon as everything has recovered, resolved after ten quiet minutes, which mirrors
 * common practice: long enough to see a relapse, short enough that the page does not linger.
 */
export const defaultAutoResolvePolicy: AutoResolvePolicy = { monitorAfterMs: 0, resolveAfterMs: 10 * 60_000 };

/** One automatic status move and why it is made. */
export interface AutoResolveStep {
  to: "monitoring" | "resolved" | "investigating";
  reason: string;
}

/**
 * The automatic move to make at `now`, or null: none under `manualHold` or once resolved (reopening is a person's);
 * investigating/identified → monitoring once every signal has recovered for `monitorAfterMs`; monitoring →
 * investigating when a signal is failing again; monitoring → resolved once nothing has failed for `resolveAfterMs`
 * since the later of entering monitoring and the last recovery. Throws RangeError on a negative or non-finite policy.
 */
export function autoResolveStep(incident: AutoResolveIncident, policy: AutoResolvePolicy, now: Date): AutoResolveStep | null {
  for (const [name, ms] of Object.entries(policy)) {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`auto-resolve policy ${name} must be a finite number ≥ 0, got ${ms}`);
  }
  if (incident.manualHold) return null;
  const failing = incident.openSignals > 0;

  switch (incident.status) {
    case "investigating":
    case "identified": {
      // No recovery time (a hand-opened incident without signals) gives nothing to judge by, so it is left alone.
      if (failing || incident.allRecoveredAt === null) return null;
      const quietMs = now.getTime() - incident.allRecoveredAt.getTime();
      if (quietMs < policy.monitorAfterMs) return null;
      return { to: "monitoring", reason: `every signal has recovered for ${quietMs} ms (monitorAfterMs ${policy.monitorAfterMs})` };
    }
    case "monitoring": {
      if (failing) {
        return { to: "investigating", reason: `${incident.openSignals} signal(s) failing again while monitoring` };
      }
      // A relapse and recovery between two steps moves allRecoveredAt past monitoringSince; the quiet time restarts there.
      const since = later(incident.monitoringSince, incident.allRecoveredAt);
      if (since === null) return null;
      const quietMs = now.getTime() - since.getTime();
      if (quietMs < policy.resolveAfterMs) return null;
      return { to: "resolved", reason: `nothing failing for ${quietMs} ms while monitoring (resolveAfterMs ${policy.resolveAfterMs})` };
    }
    case "resolved":
    case "postmortem":
      return null;
  }
}

function later(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
