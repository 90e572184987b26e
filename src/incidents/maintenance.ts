/** Statuspage's scheduled maintenance statuses, in the order a maintenance passes through them. */
export const maintenanceStatuses = ["scheduled", "in_progress", "verifying", "completed"] as const;

/** Where a scheduled maintenance stands, in Statuspage's vocabulary. */
export type MaintenanceStatus = (typeof maintenanceStatuses)[number];

/** A scheduled maintenance as its lifecycle needs to see it. */
export interface Maintenance {
  id: string;
  /** The components the work is done on: under maintenance while it is in progress. */
  componentIds: readonly string[];
  /** When the work is planned to start. */
  scheduledFor: Date;
  /** When the work is planned to end; verification starts here. */
  scheduledUntil: Date;
  status: MaintenanceStatus;
  /** A person cancelled it (a separate act from any status move): automation never moves it again. */
  cancelled?: boolean;
}

/** How long automation waits for the components to prove healthy after the work. */
export interface MaintenancePolicy {
  /** After scheduledUntil, verifying lasts until every component is healthy, but at most this long. */
  verifyMaxMs: number;
}

/**
 * The default policy: verifying lasts at most fifteen minutes past the scheduled end, long enough for services to
 * come back and be checked, short enough that a maintenance does not stay open for a component that is simply down
 * (whose failure then opens an incident of its own).
 */
export const defaultMaintenancePolicy: MaintenancePolicy = { verifyMaxMs: 15 * 60_000 };

/** One automatic status move of a maintenance and why it is made. */
export interface MaintenanceStep {
  to: MaintenanceStatus;
  reason: string;
}

/**
 * The automatic move to make at `now`, or null: scheduled → in_progress once now ≥ scheduledFor; in_progress →
 * verifying once now ≥ scheduledUntil; verifying → completed when `componentsHealthy`, or once now ≥ scheduledUntil +
 * verifyMaxMs even if they are not (the reason says which). One step at a time: a maintenance whose whole window
 * passed while Vigil was not running (scheduled, now ≥ scheduledUntil) moves to in_progress first, and the following
 * steps carry it on to verifying and completed, so no status is skipped in its history. completed is final, and a
 * cancelled maintenance is never moved. A verifying maintenance a person moved there before scheduledUntil completes
 * as soon as its components are healthy. An invalid date never satisfies a time condition. Throws RangeError on a negative or
 * non-finite policy.
 */
export function maintenanceStep(
  m: Maintenance,
  now: Date,
  componentsHealthy: boolean,
  policy: MaintenancePolicy = defaultMaintenancePolicy,
): MaintenanceStep | null {
  if (!Number.isFinite(policy.verifyMaxMs) || policy.verifyMaxMs < 0) {
    throw new RangeError(`maintenance policy verifyMaxMs must be a finite number ≥ 0, got ${policy.verifyMaxMs}`);
  }
  if (m.cancelled === true) return null;
  const t = now.getTime();
  const start = m.scheduledFor.getTime();
  const end = m.scheduledUntil.getTime();

  switch (m.status) {
    case "scheduled": {
      if (!(t >= start)) return null;
      if (t >= end) return { to: "in_progress", reason: `the whole window (until ${iso(m.scheduledUntil)}) passed unseen; starting it to catch up` };
      return { to: "in_progress", reason: `scheduled start ${iso(m.scheduledFor)} reached` };
    }
    case "in_progress": {
      if (!(t >= end)) return null;
      return { to: "verifying", reason: `scheduled end ${iso(m.scheduledUntil)} reached` };
    }
    case "verifying": {
      if (componentsHealthy) return { to: "completed", reason: "every component is healthy" };
      const deadline = end + policy.verifyMaxMs;
      if (!(t >= deadline)) return null;
      return { to: "completed", reason: `verification time ran out (verifyMaxMs ${policy.verifyMaxMs} past the scheduled end) with components still unhealthy` };
    }
    case "completed":
      return null;
  }
}

/**
 * The ids of the components under maintenance: those of every maintenance whose status is in_progress and which is
 * not cancelled. The status alone decides, not the clock: a scheduled maintenance past its start is not yet under
 * way (the next `maintenanceStep` starts it), verifying is no longer maintenance (failures then count again), and a
 * person may start one early. `now` does not change the answer; it is taken so callers pass the clock they step with.
 */
export function underMaintenance(list: readonly Maintenance[], _now: Date): Set<string> {
  const ids = new Set<string>();
  for (const m of list) {
    if (m.status !== "in_progress" || m.cancelled === true) continue;
    for (const id of m.componentIds) ids.add(id);
  }
  return ids;
}

/** Why a maintenance window is unusable, or null: either end is an invalid date, or the end is not after the start. */
export function validateWindow(scheduledFor: Date, scheduledUntil: Date): string | null {
  if (Number.isNaN(scheduledFor.getTime())) return "the start is not a valid date";
  if (Number.isNaN(scheduledUntil.getTime())) return "the end is not a valid date";
  if (scheduledUntil.getTime() <= scheduledFor.getTime()) {
    return `the end (${iso(scheduledUntil)}) must be after the start (${iso(scheduledFor)})`;
  }
  return null;
}

// The moves a person may make, each forward; everything else is refused with the most specific reason below.
const allowedMoves: ReadonlySet<string> = new Set(["scheduled→in_progress", "in_progress→verifying", "in_progress→completed", "verifying→completed"]);

/**
 * Why a person may not move a maintenance from `from` to `to`, or null when they may. Allowed are the forward moves
 * scheduled → in_progress (start early), in_progress → verifying, in_progress → completed (skip verification) and
 * verifying → completed. Refused, with a reason naming both statuses: staying put; moving backwards; anything out of
 * completed (final); scheduled → verifying (it has not started); and scheduled → completed, since ending a maintenance
 * that never started is a cancellation, which is a separate act.
 */
export function manualMaintenanceMove(from: MaintenanceStatus, to: MaintenanceStatus): string | null {
  if (allowedMoves.has(`${from}→${to}`)) return null;
  return `${from} → ${to}: ${refusal(from, to)}`;
}

function refusal(from: MaintenanceStatus, to: MaintenanceStatus): string {
  if (from === to) return "the maintenance is already in that status";
  if (from === "completed") return "a completed maintenance is final";
  if (maintenanceStatuses.indexOf(to) < maintenanceStatuses.indexOf(from)) return "a maintenance never moves backwards";
  if (to === "completed") return "a maintenance that has not started is cancelled, not completed";
  return "a maintenance must be in progress before it is verified";
}

function iso(date: Date): string {
  return Number.isNaN(date.getTime()) ? "an invalid date" : date.toISOString();
}
