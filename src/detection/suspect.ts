import { detect } from "./detect.ts";
import { hangDeadline } from "./hang-deadline.ts";
import { hangWarning, usualLatency } from "./latency.ts";
import type { CheckResult, DetectOutcome, DetectionPolicy, MonitorState } from "./types.ts";

/** Pending checks remembered per region at most: more only come from checks that never returned (a restart). */
const maxPending = 4;

/** How long after its start a check of `region` becomes suspect of hanging, in ms (see `hangDeadline`); undefined: never. */
export function suspicionDelay(state: MonitorState | undefined, region: string, policy: Pick<DetectionPolicy, "suspect">): number | undefined {
  return hangDeadline(state?.regions[region], policy.suspect);
}

/** A check still unanswered: whose, where, and when it started (its result will carry that time). */
export interface RunningCheck {
  monitorId: string;
  region: string;
  startedAt: Date;
}

/** What a suspicion was based on, for the timeline. */
export interface SuspicionEvidence {
  elapsedMs: number;
  /** The median good latency: what the check usually takes. */
  usualMs: number;
  p99Ms: number;
  /** When the check became suspect, after its start. */
  afterMs: number;
  /** "no answer after 1.2 s, usually 3 ms" */
  warning: string;
}

/**
 * Feeds the suspicion that a still unanswered check hangs: a degraded result at `now` whose warning is the
 * evidence ("no answer after 1.2 s, usually 3 ms"). It counts like any non-up result, so the suspicions of the
 * check and of its confirming check (started beside it) confirm the region degraded, and the check's own result,
 * when it comes, takes its suspicion's place (a timeout then makes it down) rather than counting again.
 * Undefined when there is nothing to suspect: `suspicionDelay` says never, the check is not that late yet, it was
 * suspected already, or the clock went back past the region's latest result. `ignored` regions (found isolated) do not
 * count towards the monitor's status, as in `detect`.
 */
export function suspect(
  state: MonitorState | undefined,
  check: RunningCheck,
  policy: DetectionPolicy,
  now: Date,
  ignored?: ReadonlySet<string>,
): (DetectOutcome & { evidence: SuspicionEvidence }) | undefined {
  if (state === undefined || state.monitorId !== check.monitorId) return undefined;
  const region = state.regions[check.region];
  const afterMs = suspicionDelay(state, check.region, policy);
  const usual = usualLatency(region?.latency);
  const start = check.startedAt.getTime();
  const elapsedMs = now.getTime() - start;
  if (region === undefined || afterMs === undefined || usual === undefined || elapsedMs < afterMs) return undefined;
  if (now.getTime() < region.lastAt || region.pending?.some((p) => p.start === start && p.suspected)) return undefined;

  const warning = hangWarning(elapsedMs, usual.medianMs);
  const result: CheckResult = { monitorId: check.monitorId, region: check.region, at: now, status: "degraded", latencyMs: elapsedMs, facts: {}, warning };
  const outcome = detect(state, result, policy, now, ignored);
  const next = outcome.state.regions[check.region]!;
  const pending = [...(next.pending ?? []).filter((p) => p.start !== start), { start, suspected: true, counted: true }].slice(-maxPending);
  return {
    state: { ...outcome.state, regions: { ...outcome.state.regions, [check.region]: { ...next, pending } } },
    events: outcome.events,
    recheck: false,
    evidence: { elapsedMs, usualMs: usual.medianMs, p99Ms: usual.p99Ms, afterMs, warning },
  };
}

/**
 * Registers a confirming check started beside a suspected one: its result counts whenever it comes (results of the
 * suspected check may be fed meanwhile, with later times), at the time it comes. The state is returned unchanged
 * when the region has no results yet.
 */
export function awaitCheck(state: MonitorState | undefined, check: RunningCheck): MonitorState | undefined {
  const region = state?.regions[check.region];
  if (state === undefined || region === undefined) return state;
  const start = check.startedAt.getTime();
  if (region.pending?.some((p) => p.start === start)) return state;
  const pending = [...(region.pending ?? []), { start, suspected: false, counted: false }].slice(-maxPending);
  return { ...state, regions: { ...state.regions, [check.region]: { ...region, pending } } };
}
