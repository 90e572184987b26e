/**
 * With only the local region there is no other region to contradict the server's own checks: when most of its
 * monitors begin failing at once and its canaries (addresses outside the services, such as a public DNS resolver)
 * fail too, the server's own network is the likely fault, and nothing should go public on its word alone.
 */

/** When most local monitors failing at once says more about the server's network than about the targets. */
export interface VantageRule {
  /** At least this share of the monitors the local runner checks (more than 0, at most 1)… */
  share: number;
  /** …and at least this many of them… */
  minMonitors: number;
  /** …begin failing within this span (ms). */
  windowMs: number;
}

/** The default: half of the local monitors, at least 3, beginning to fail within 30 s (one default check interval). */
export const defaultVantageRule: VantageRule = { share: 0.5, minMonitors: 3, windowMs: 30_000 };

/** A local monitor failing now, and when its failure began (its first non-up result, ms since the epoch). */
export interface LocalFailure {
  monitorId: string;
  since: number;
}

/** A canary's latest check (ms since the epoch). */
export interface CanaryResult {
  canary: string;
  at: number;
  ok: boolean;
}

/** What the rule looks at. */
export interface VantageInput {
  /** How many monitors the local runner checks. */
  monitors: number;
  /** The monitors failing now. */
  failing: readonly LocalFailure[];
  /** Each configured canary's latest result, in configured order (undefined: not checked yet). */
  canaries: readonly (CanaryResult | undefined)[];
}

/** The rule's memory between two looks. */
export interface VantageState {
  /** When the vantage point became suspect; null while it is not. */
  suspectSince: number | null;
  /** When every canary was first seen failing together; null while one answers (or one is unchecked). */
  canariesDownSince: number | null;
  /** The evidence the suspicion began with. */
  evidence: VantageEvidence | null;
}

export const initialVantageState: VantageState = { suspectSince: null, canariesDownSince: null, evidence: null };

/** What made the vantage point suspect. */
export interface VantageEvidence {
  /** Monitors that began failing within the window. */
  failing: number;
  /** Monitors the local runner checks. */
  of: number;
  canariesFailed: number;
  canaries: number;
  windowMs: number;
  /** The first of those monitors, sorted, at most 10. */
  monitors: string[];
  /** "31 of 40 monitors and 2 of 2 canaries failed within 10 s". */
  summary: string;
}

/** A change worth recording. */
export type VantageEvent =
  | { kind: "vantage.suspect"; evidence: VantageEvidence }
  | { kind: "vantage.restored"; reason: string; suspectSince: number; evidence: VantageEvidence | null };

/** What a look decided. */
export interface VantageJudgement {
  state: VantageState;
  event?: VantageEvent;
  /** Most monitors fail and the canaries have not been checked since they began: check them now. */
  checkCanaries: boolean;
}

/** The largest set of failing monitors whose failures began within `windowMs` of each other (the earliest such). */
export function burstOf(failing: readonly LocalFailure[], windowMs: number): { start: number; monitors: string[] } | null {
  const sorted = [...failing].sort((a, b) => a.since - b.since || a.monitorId.localeCompare(b.monitorId));
  let best: { from: number; to: number } | null = null;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while (sorted[to]!.since - sorted[from]!.since > windowMs) from++;
    if (best === null || to - from > best.to - best.from) best = { from, to };
  }
  if (best === null) return null;
  return { start: sorted[best.from]!.since, monitors: sorted.slice(best.from, best.to + 1).map((f) => f.monitorId) };
}

/** How many failing monitors make "most": the share of them (rounded up), at least `minMonitors`. */
export function massThreshold(monitors: number, rule: VantageRule): number {
  return Math.max(rule.minMonitors, Math.ceil(rule.share * monitors - 1e-9));
}

/**
 * Looks at the local monitors' failures and the canaries' latest results at `now`: the vantage point becomes suspect
 * when at least the rule's share of the monitors (and its minimum) began failing within its window and every canary's
 * latest result, taken no earlier than a window before those failures began, failed. It stays suspect until a canary
 * answers, or fewer monitors than that fail. Pure.
 */
export function judgeVantage(state: VantageState, input: VantageInput, now: number, rule: VantageRule): VantageJudgement {
  const canaries = input.canaries;
  const allDown = canaries.length > 0 && canaries.every((c) => c !== undefined && !c.ok);
  const canariesDownSince = allDown ? (state.canariesDownSince ?? Math.max(...canaries.map((c) => c!.at))) : null;
  const threshold = massThreshold(input.monitors, rule);
  if (state.suspectSince !== null) {
    const answering = canaries.find((c) => c !== undefined && c.ok);
    const reason = answering ? `canary ${answering.canary} answers` : input.failing.length < threshold ? `${input.failing.length} of ${input.monitors} monitors fail now` : null;
    if (reason === null) return { state: { ...state, canariesDownSince }, checkCanaries: false };
    return { state: { suspectSince: null, canariesDownSince, evidence: null }, event: { kind: "vantage.restored", reason, suspectSince: state.suspectSince, evidence: state.evidence }, checkCanaries: false };
  }
  const burst = input.monitors > 0 ? burstOf(input.failing, rule.windowMs) : null;
  const mass = burst !== null && burst.monitors.length >= threshold;
  if (!mass || canaries.length === 0) return { state: { ...state, canariesDownSince }, checkCanaries: false };
  const failedSince = canaries.filter((c) => c !== undefined && !c.ok && c.at >= burst.start - rule.windowMs).length;
  if (failedSince < canaries.length) {
    // A canary answered since the failures began: the targets are down, not the network. Unchecked since: check now.
    const checkCanaries = canaries.some((c) => c === undefined || c.at < burst.start);
    return { state: { ...state, canariesDownSince }, checkCanaries };
  }
  const evidence: VantageEvidence = {
    failing: burst.monitors.length,
    of: input.monitors,
    canariesFailed: failedSince,
    canaries: canaries.length,
    windowMs: rule.windowMs,
    monitors: [...burst.monitors].sort().slice(0, 10),
    summary: `${burst.monitors.length} of ${input.monitors} monitors and ${failedSince} of ${canaries.length} ${canaries.length === 1 ? "canary" : "canaries"} failed within ${seconds(rule.windowMs)}`,
  };
  return { state: { suspectSince: now, canariesDownSince, evidence }, event: { kind: "vantage.suspect", evidence }, checkCanaries: false };
}

/** Whether automatic publication may go ahead for a failure that began at `since`. */
export type PublicationGate =
  | { gate: "clear" }
  /** Not yet known: the canaries have not been checked since, or they all fail and most monitors may follow. */
  | { gate: "pending"; reason: string; checkCanaries: boolean }
  | { gate: "suspect"; evidence: VantageEvidence | null };

/**
 * Whether an incident whose failure began at `since` may be published automatically at `now`: not while the vantage
 * point is suspect; not yet while the canaries have not answered since `since`, nor while they all fail and the
 * window has not passed to see whether most monitors follow (either wait ends a window after it began, so that a
 * canary that is never checked cannot hold publication forever). Pure.
 */
export function publicationGate(state: VantageState, input: VantageInput, since: number, now: number, rule: VantageRule): PublicationGate {
  const judged = judgeVantage(state, input, now, rule).state;
  if (judged.suspectSince !== null) return { gate: "suspect", evidence: judged.evidence };
  if (input.canaries.length === 0) return { gate: "clear" };
  const unchecked = input.canaries.some((c) => c === undefined || c.at < since);
  if (unchecked && now - since < rule.windowMs) return { gate: "pending", reason: "the canaries have not been checked since the failure began", checkCanaries: true };
  if (judged.canariesDownSince !== null && now - judged.canariesDownSince < rule.windowMs) return { gate: "pending", reason: "every canary fails: waiting to see whether most monitors fail too", checkCanaries: false };
  return { gate: "clear" };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
