import { detect } from "./detect.ts";
import type { CheckResult, DetectionEvent, DetectionPolicy, MonitorState } from "./types.ts";

/** One step of a replay: a result, and when detection runs (the result's time unless given). */
export interface ReplayStep {
  result: CheckResult;
  now?: Date;
}

/** What a replay produced: the final state, every event in order, and each step's recheck flag. */
export interface ReplayOutcome {
  state: MonitorState | undefined;
  events: DetectionEvent[];
  rechecks: boolean[];
}

/**
 * Feeds results through `detect` in order, e.g. stored history after a policy change or a test's
 * scenario; `state` continues an earlier replay or a restored state.
 */
export function replay(steps: readonly ReplayStep[], policy: DetectionPolicy, state?: MonitorState): ReplayOutcome {
  let current = state;
  const events: DetectionEvent[] = [];
  const rechecks: boolean[] = [];
  for (const step of steps) {
    const outcome = detect(current, step.result, policy, step.now ?? step.result.at);
    current = outcome.state;
    events.push(...outcome.events);
    rechecks.push(outcome.recheck);
  }
  return { state: current, events, rechecks };
}
