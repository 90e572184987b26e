import type { Fact } from "../probes/types.ts";
import { roleDetail } from "./db-role.ts";
import type { CheckResult, DbEvidence, DetectionEvent, DetectionPolicy, RegionState } from "./types.ts";

/** Facts database probes report that evidence reads. */
export const dbFactNames = ["uptimeS", "connections", "maxConnections", "role"] as const;

// Uptimes are whole seconds on most servers; two roundings plus timer granularity stay under 2 s.
const uptimeToleranceS = 2;
// Saturation re-arms only well below the threshold, so a pool hovering at it does not alert on every check.
const saturationRearmGap = 0.05;

/** Whether a result carries any database fact evidence reads. */
export function hasDbFacts(facts: Record<string, Fact>): boolean {
  return dbFactNames.some((name) => facts[name] !== undefined && facts[name] !== null);
}

/**
 * Compares a result's database facts with what the region saw last and returns the updated
 * evidence and the events it supports: restart, crash loop, connection saturation, role change.
 */
export function observeEvidence(
  previous: DbEvidence,
  result: CheckResult,
  policy: DetectionPolicy["evidence"],
): { db: DbEvidence; events: DetectionEvent[] } {
  const at = result.at.getTime();
  const events: DetectionEvent[] = [];
  const emit = (kind: DetectionEvent["kind"], data: Record<string, unknown>): void => {
    events.push({ kind, monitorId: result.monitorId, at: result.at, data: { region: result.region, ...data } });
  };
  const db: DbEvidence = { ...previous };
  let restarts = previous.restarts;

  const uptimeS = numberFact(result.facts, "uptimeS");
  if (uptimeS !== undefined) {
    if (previous.uptimeS !== null && previous.uptimeAt !== null) {
      // uptimeAt is the end of the previous check, so a slow previous check cannot look like a restart.
      const expected = previous.uptimeS + (at - previous.uptimeAt) / 1000;
      if (uptimeS < expected - uptimeToleranceS) {
        const restartedAt = at - uptimeS * 1000;
        restarts = [...restarts, restartedAt];
        emit("monitor.restart", { previous_uptime_s: previous.uptimeS, uptime_s: uptimeS, restarted_at: iso(restartedAt) });
      }
    }
    db.uptimeS = uptimeS;
    db.uptimeAt = at + result.latencyMs;
  }

  // One crash-loop event per episode; the episode ends when restarts drop out of the window.
  db.restarts = restarts.filter((t) => t > at - policy.crashLoopWindowMs);
  if (db.restarts.length >= policy.crashLoopRestarts) {
    if (!db.crashLoop) {
      emit("monitor.crash_loop", { restarts: db.restarts.length, window_ms: policy.crashLoopWindowMs, restart_times: db.restarts.map(iso) });
    }
    db.crashLoop = true;
  } else {
    db.crashLoop = false;
  }

  const connections = numberFact(result.facts, "connections");
  const maxConnections = numberFact(result.facts, "maxConnections");
  if (connections !== undefined && maxConnections !== undefined && maxConnections > 0) {
    const ratio = connections / maxConnections;
    if (!db.saturated && ratio >= policy.saturation) {
      db.saturated = true;
      emit("monitor.connection_saturation", { connections, max_connections: maxConnections, ratio: round3(ratio) });
    } else if (db.saturated && ratio < policy.saturation - saturationRearmGap) {
      db.saturated = false;
    }
    if (result.status !== "down") db.lastGood = { connections, maxConnections, at };
  }

  const role = result.facts["role"];
  if (typeof role === "string") {
    if (previous.role !== null && previous.role !== role) emit("monitor.role_change", { from: previous.role, to: role, ...roleDetail(result.facts) });
    db.role = role;
  }

  return { db, events };
}

/**
 * Evidence for a monitor.down event: when the last answering check of a confirming region showed
 * low connection use, the server is unreachable rather than out of connections, which changes who
 * should look at it first. Undefined when there is no such observation.
 */
export function downEvidence(
  regions: Record<string, RegionState>,
  confirming: readonly string[],
  policy: DetectionPolicy["evidence"],
): Record<string, unknown> | undefined {
  let seen: DbEvidence["lastGood"] = null;
  for (const name of confirming) {
    const good = regions[name]?.db.lastGood ?? null;
    if (good !== null && (seen === null || good.at > seen.at)) seen = good;
  }
  if (seen === null || seen.connections / seen.maxConnections >= policy.saturation) return undefined;
  return {
    last_seen_connections: seen.connections,
    max_connections: seen.maxConnections,
    last_seen_at: iso(seen.at),
    note: `unreachable; last seen ${seen.connections}/${seen.maxConnections} connections: not pool exhaustion`,
  };
}

function numberFact(facts: Record<string, Fact>, name: string): number | undefined {
  const value = facts[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
