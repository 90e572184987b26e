import { aggregate, isStale } from "./aggregate.ts";
import { hasDbFacts, observeEvidence } from "./evidence.ts";
import { hasServerFacts, limitReplicationLag, observeServer } from "./db-role.ts";
import { advanceRegion } from "./region.ts";
import { initialState } from "./state.ts";
import { transition } from "./transition.ts";
import type {
  CheckResult,
  DetectOutcome,
  DetectionEvent,
  DetectionPolicy,
  MonitorState,
  MonitorStatus,
  RegionStatusView,
} from "./types.ts";

export { initialState };

/**
 * Folds one check result into a monitor's detection state at `now`: returns the next state, the
 * events to record, and whether the scheduler should re-check soon (~1 s) instead of a whole interval.
 * `ignored` regions (found isolated) do not count towards the monitor's status. Pure: the given state is not modified.
 */
export function detect(state: MonitorState | undefined, given: CheckResult, policy: DetectionPolicy, now: Date, ignored?: ReadonlySet<string>): DetectOutcome {
  const current = state ?? initialState(given.monitorId);
  if (current.monitorId !== given.monitorId) {
    throw new RangeError(`result for monitor ${given.monitorId} given to the state of ${current.monitorId}`);
  }
  const previous = current.regions[given.region];
  // The own result of a check suspected of hanging (suspect.ts): it started before its suspicion was fed, so it
  // counts as of when it came (`now`), after the suspicion, and its events are stamped then.
  const replaces = previous?.pending?.find((p) => p.start === given.at.getTime());
  const timed = previous !== undefined && replaces !== undefined ? { ...given, at: new Date(Math.max(previous.lastAt, now.getTime())) } : given;
  const result = limitReplicationLag(timed, policy.evidence);
  // The clock went backwards (or a late result arrived): it cannot be ordered, so it is ignored.
  if (previous !== undefined && replaces === undefined && result.at.getTime() < previous.lastAt) return { state: current, events: [], recheck: false };

  const { region, recheck } = advanceRegion(previous, result, policy, replaces);
  let evidenceEvents: DetectionEvent[] = [];
  if (hasDbFacts(result.facts)) {
    const observed = observeEvidence(region.db, result, policy.evidence);
    region.db = observed.db;
    evidenceEvents = observed.events;
  }
  if (hasServerFacts(result.facts)) {
    const observed = observeServer(region.db.server, result, policy.evidence);
    region.db = { ...region.db, server: observed.server };
    evidenceEvents = [...evidenceEvents, ...observed.events];
  }
  const regions = { ...current.regions, [result.region]: region };
  const verdict = aggregate(regions, policy, now, ignored);
  const next = transition({ ...current, regions }, verdict, policy, result.at, now);
  return { state: next.state, events: [...next.events, ...evidenceEvents], recheck };
}

/**
 * The monitor's verdict taken again at `now` without a new result, when the regions that count have changed (one found
 * isolated, or counted again): the next state and the events to record, stamped `now`. Pure.
 */
export function reconsider(state: MonitorState, policy: DetectionPolicy, now: Date, ignored?: ReadonlySet<string>): { state: MonitorState; events: DetectionEvent[] } {
  return transition(state, aggregate(state.regions, policy, now, ignored), policy, now, now);
}

/** The monitor's status as of `now` (stale regions no longer count), whether it is flapping, and each region's view. */
export function currentStatus(
  state: MonitorState,
  policy: DetectionPolicy,
  now: Date,
  ignored?: ReadonlySet<string>,
): { status: MonitorStatus; flapping: boolean; regions: Record<string, RegionStatusView> } {
  const regions: Record<string, RegionStatusView> = {};
  for (const name of Object.keys(state.regions).sort()) {
    const region = state.regions[name];
    if (region === undefined) continue;
    const stale = isStale(region, policy, now);
    regions[name] = { status: stale ? "unknown" : region.status, lastAt: new Date(region.lastAt).toISOString(), consecutive: region.streak, stale };
  }
  // Flapping ends after a quiet window even if no result has arrived since to say so.
  const quiet = state.lastChangeAt !== null && now.getTime() - state.lastChangeAt >= policy.flap.windowMs;
  return { status: aggregate(state.regions, policy, now, ignored).status, flapping: state.flapping && !quiet, regions };
}
