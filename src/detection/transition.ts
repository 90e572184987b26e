import { episodeOf, latestError, latestWarning, mergeEpisode, regionStatuses, regionSummary, type Verdict } from "./aggregate.ts";
import { downEvidence } from "./evidence.ts";
import { isBad } from "./region.ts";
import type { DetectionEvent, DetectionPolicy, MonitorState, MonitorStatus } from "./types.ts";

/**
 * Applies a monitor-level verdict to the state with flap damping and returns the status events.
 * `at` (the result's time) stamps events; `now` measures the flap window.
 */
export function transition(
  state: MonitorState,
  verdict: Verdict,
  policy: DetectionPolicy,
  at: Date,
  now: Date,
): { state: MonitorState; events: DetectionEvent[] } {
  const nowMs = now.getTime();
  const next: MonitorState = { ...state, changes: state.changes.filter((t) => t > nowMs - policy.flap.windowMs) };
  const events: DetectionEvent[] = [];
  const announce = (previous: MonitorStatus, afterFlapping: boolean): void => {
    events.push(statusEvent(next, verdict, policy, previous, afterFlapping, at, now));
    next.announced = next.status;
  };

  // Flapping ends after a whole quiet window; say where it settled if that is not what was last said.
  // Checked before this result's verdict, so a change arriving after the quiet window is reported.
  if (next.flapping && next.lastChangeAt !== null && nowMs - next.lastChangeAt >= policy.flap.windowMs) {
    next.flapping = false;
    next.changes = [];
    if (next.status !== next.announced && next.status !== "unknown") announce(next.announced, true);
    if (next.status === "up") next.episode = null;
  }

  // Unknown (no fresh confirmed region) says nothing: the last known status stands.
  if (verdict.status !== "unknown") {
    if (isBad(verdict.status)) next.episode = mergeEpisode(next.episode, episodeOf(next.regions, verdict.confirming, at.getTime()));
    const previous = next.status;
    if (previous === "unknown") {
      // No "monitor.up" at start-up: being up is only news after being down.
      next.status = verdict.status;
      if (isBad(next.status)) announce(previous, false);
      else next.announced = next.status;
    } else if (verdict.status !== previous) {
      next.status = verdict.status;
      next.changes = [...next.changes, nowMs];
      next.lastChangeAt = nowMs;
      if (next.flapping) {
        // Suppressed: the flapping event already told people not to trust each change.
      } else if (next.changes.length >= policy.flap.maxChanges) {
        next.flapping = true;
        events.push({
          kind: "monitor.flapping",
          monitorId: next.monitorId,
          at,
          data: { changes: next.changes.length, window_ms: policy.flap.windowMs, status: next.status, announced: next.announced },
        });
      } else {
        announce(previous, false);
      }
    }
  }

  // The episode outlives flapping so that the recovery after it reports the whole outage.
  if (!next.flapping && next.status === "up") next.episode = null;
  return { state: next, events };
}

function statusEvent(
  state: MonitorState,
  verdict: Verdict,
  policy: DetectionPolicy,
  previous: MonitorStatus,
  afterFlapping: boolean,
  at: Date,
  now: Date,
): DetectionEvent {
  const status = state.status as "up" | "down" | "degraded";
  const episode = state.episode;
  const since = episode?.since ?? at.getTime();
  const error = latestError(state.regions, since);
  const data: Record<string, unknown> = {
    previous,
    regions: regionStatuses(state.regions, policy, now),
    error: error === null ? null : { kind: error.kind, message: error.message },
    since: episode === null ? null : iso(episode.since),
    last_up_at: episode?.lastUpAt == null ? null : iso(episode.lastUpAt),
  };
  const summary = regionSummary(state.regions, verdict, policy, now);
  if (summary !== undefined && verdict.status === status) data["region_summary"] = summary;
  if (status === "degraded") data["warning"] = latestWarning(state.regions, since)?.message ?? null;
  if (status === "down") {
    const confirming = verdict.status === status ? verdict.confirming : [];
    const evidence = downEvidence(state.regions, confirming, policy.evidence, error?.kind ?? null);
    if (evidence !== undefined) data["evidence"] = evidence;
  }
  if (status === "up") data["down_for_ms"] = episode === null ? null : Math.max(0, at.getTime() - episode.since);
  if (afterFlapping) data["after_flapping"] = true;
  return { kind: `monitor.${status}`, monitorId: state.monitorId, at, data };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
