import { decodeHolders, holdersData } from "../probes/db/holders.ts";
import type { ErrorKind, Fact } from "../probes/types.ts";
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
        // What connection use was before it, so a diagnosis can tell a crash under load from one without.
        const before = previous.lastGood === null ? {} : { last_seen_connections: previous.lastGood.connections, max_connections: previous.lastGood.maxConnections };
        emit("monitor.restart", { previous_uptime_s: previous.uptimeS, uptime_s: uptimeS, restarted_at: iso(restartedAt), ...before });
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
  // Who holds the connections: absent when the probe does not report it, null when it could not look.
  const holders = "holders" in result.facts ? decodeHolders(result.facts["holders"]) : undefined;
  if (connections !== undefined && maxConnections !== undefined && maxConnections > 0) {
    const ratio = connections / maxConnections;
    if (!db.saturated && ratio >= policy.saturation) {
      db.saturated = true;
      const held = holders === undefined ? {} : { holders: holders === null ? null : holdersData(holders) };
      emit("monitor.connection_saturation", { connections, max_connections: maxConnections, ratio: round3(ratio), ...(uptimeS === undefined ? {} : { uptime_s: uptimeS }), ...held });
    } else if (db.saturated && ratio < policy.saturation - saturationRearmGap) {
      db.saturated = false;
    }
    if (result.status !== "down") db.lastGood = { connections, maxConnections, at, ...(holders === undefined ? {} : { holders }) };
  }

  const role = result.facts["role"];
  if (typeof role === "string") {
    if (previous.role !== null && previous.role !== role) emit("monitor.role_change", { from: previous.role, to: role, ...roleDetail(result.facts) });
    db.role = role;
  }

  return { db, events };
}

/** Error kinds that mean Vigil could not reach the server at all; a full pool answers with an error instead. */
const unreachableKinds: readonly string[] = ["connect", "dns", "timeout", "tls"];
/** Of those, the ones a full pool never causes: it accepts the connection and refuses it in words. */
const notPoolKinds: readonly string[] = ["connect", "dns"];

/**
 * Evidence for a monitor.down event, from the error of the outage and the last answering check of a confirming
 * region (connection use, who held the connections, uptime). `cause` says what the error shows, `pool_exhausted`
 * whether the pool was exhausted (true), ruled out (false) or not known (null):
 * - `saturated`: the server refused a connection because all are taken: pool exhaustion, whatever was last seen;
 * - `unreachable`: no answer (connect, dns, timeout, tls); only a refused or unresolved connection with low
 *   connection use last seen says "not pool exhaustion" (a timeout may be a server too busy to accept);
 * - `failing`: the server answered with another error (auth, protocol, assertion): no claim about reachability.
 * Undefined when there is neither a saturation error nor an observation.
 */
export function downEvidence(
  regions: Record<string, RegionState>,
  confirming: readonly string[],
  policy: DetectionPolicy["evidence"],
  errorKind: ErrorKind | string | null = null,
): Record<string, unknown> | undefined {
  let seen: DbEvidence["lastGood"] = null;
  let uptimeS: number | null = null;
  for (const name of confirming) {
    const region = regions[name]?.db;
    const good = region?.lastGood ?? null;
    if (good !== null && (seen === null || good.at > seen.at)) {
      seen = good;
      uptimeS = region?.uptimeS ?? null;
    }
  }
  const cause = errorKind === "saturated" ? "saturated" : errorKind !== null && unreachableKinds.includes(errorKind) ? "unreachable" : "failing";
  if (seen === null) {
    return cause === "saturated" ? { cause, pool_exhausted: true, note: "pool exhausted: the server refuses new connections; connection use before unknown" } : undefined;
  }
  const { connections, maxConnections } = seen;
  const lastSeen = `last seen ${connections}/${maxConnections} connections`;
  const low = connections / maxConnections < policy.saturation;
  // True: the server said so; false: ruled out (no connection at all, and few in use before); null: not known.
  const poolExhausted = cause === "saturated" ? true : cause === "unreachable" && low && notPoolKinds.includes(errorKind ?? "") ? false : null;
  const note =
    cause === "saturated"
      ? `pool exhausted: the server refuses new connections; ${lastSeen}`
      : cause === "unreachable"
        ? `unreachable; ${lastSeen}${poolExhausted === false ? ": not pool exhaustion" : low ? "" : ", near the limit"}`
        : `failing (${errorKind ?? "unknown error"}); ${lastSeen}`;
  return {
    cause,
    pool_exhausted: poolExhausted,
    last_seen_connections: connections,
    max_connections: maxConnections,
    last_seen_at: iso(seen.at),
    ...(uptimeS === null ? {} : { uptime_s: uptimeS }),
    ...(seen.holders === undefined ? {} : { holders: seen.holders === null ? null : holdersData(seen.holders) }),
    note,
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
