import { addLatency, updateSlowest } from "./latency.ts";
import type { CheckResult, CheckStatus, DbEvidence, DetectionPolicy, MonitorStatus, PendingCheck, RegionState } from "./types.ts";

/** Evidence of a region that has seen no database facts yet. */
export function emptyDbEvidence(): DbEvidence {
  return { uptimeS: null, uptimeAt: null, role: null, saturated: false, restarts: [], crashLoop: false, lastGood: null };
}

/** Whether a status is a failing one (down or degraded). */
export function isBad(status: MonitorStatus): status is "down" | "degraded" {
  return status === "down" || status === "degraded";
}

/** The worse of the statuses: down beats degraded beats up. */
export function worst(statuses: readonly CheckStatus[]): CheckStatus {
  if (statuses.includes("down")) return "down";
  if (statuses.includes("degraded")) return "degraded";
  return "up";
}

/**
 * Folds one result into a region's state with hysteresis: `confirm` consecutive non-up results
 * confirm a failure, `recover` consecutive up results confirm a recovery. `recheck` asks the
 * scheduler to check again soon, because the result points at a change not yet confirmed.
 * The evidence (`db`) is carried over untouched; evidence.ts updates it.
 *
 * `replaces`: the result is the own result of a pending check (suspect.ts); a non-up one whose suspicion still
 * counts in the current streak takes the suspicion's place instead of counting again, so that one check is never
 * two of the `confirm` results.
 */
export function advanceRegion(
  previous: RegionState | undefined,
  result: CheckResult,
  policy: Pick<DetectionPolicy, "confirm" | "recover">,
  replaces?: PendingCheck,
): { region: RegionState; recheck: boolean } {
  const at = result.at.getTime();
  const up = result.status === "up";
  const lastStatus = previous?.recent.at(-1);
  const sameClass = lastStatus !== undefined && (lastStatus === "up") === up;
  const again = replaces?.counted === true && !up;
  const streak = sameClass && previous !== undefined ? previous.streak + (again ? 0 : 1) : 1;
  const recent = [...(previous?.recent ?? []), result.status].slice(-policy.confirm);
  const before: MonitorStatus = previous?.status ?? "unknown";

  let status = before;
  let failingSince = previous?.failingSince ?? null;
  let lastUpBeforeFailing = previous?.lastUpBeforeFailing ?? null;
  let recheck: boolean;

  if (up) {
    // From unknown there is nothing to recover from, so one up result is enough.
    if (!isBad(before) || streak >= policy.recover) status = "up";
    // Recovery is confirmed as quickly as failure: every good result short of `recover` asks for a quick re-check.
    recheck = isBad(status);
    if (status === "up") {
      failingSince = null;
      lastUpBeforeFailing = null;
    }
  } else {
    if (failingSince === null) {
      failingSince = at;
      lastUpBeforeFailing = previous?.lastUpAt ?? null;
    }
    // A mix of down and degraded counts as non-up; the confirmed status is the worst of the last `confirm`.
    if (streak >= policy.confirm) status = worst(recent);
    recheck = status !== result.status;
  }

  // An up result ends the streak the suspicions counted in; their checks' results count afresh when they come.
  const pending = (previous?.pending ?? []).filter((p) => p !== replaces).map((p) => (up ? { ...p, counted: false } : p));
  const latency = up ? addLatency(previous?.latency, result.latencyMs) : previous?.latency;
  const slowest = up ? updateSlowest(previous?.slowest, result.latencyMs, at) : previous?.slowest;
  return {
    region: {
      lastAt: at,
      status,
      streak,
      recent,
      failingSince,
      lastUpBeforeFailing,
      lastUpAt: up ? at : (previous?.lastUpAt ?? null),
      upSince: status === "up" ? (before === "up" ? (previous?.upSince ?? at) : at) : null,
      lastError: result.error === undefined ? (previous?.lastError ?? null) : { kind: result.error.kind, message: result.error.message, at },
      lastWarning: result.warning === undefined ? (previous?.lastWarning ?? null) : { message: result.warning, at },
      db: previous?.db ?? emptyDbEvidence(),
      ...(latency === undefined ? {} : { latency }),
      ...(slowest === undefined ? {} : { slowest }),
      ...(pending.length === 0 ? {} : { pending }),
    },
    recheck,
  };
}
