/** Statuspage's incident statuses: three open ones, then resolved, then postmortem. */
export const incidentStatuses = ["investigating", "identified", "monitoring", "resolved", "postmortem"] as const;

/** Where an incident stands, in Statuspage's vocabulary. */
export type IncidentStatus = (typeof incidentStatuses)[number];

/** Who asks for a status change: Vigil's own automation or a person on the status page. */
export type Actor = "system" | "person";

/** Whether a status change may happen, and why not when it may not. */
export type TransitionVerdict = { ok: true } | { ok: false; reason: string };

// One cell per (current, requested) pair, so every rule is visible at a glance and none is implied by code paths.
// "anyone": either actor; "person": a person only; { refused }: nobody, for that reason.
type Rule = "anyone" | "person" | { refused: string };

const same: Rule = { refused: "the incident is already in that status" };
const resolveFirst: Rule = { refused: "an open incident must be resolved before its postmortem" };
const reopenInstead: Rule = { refused: "a postmortem is final; reopen the incident instead" };

const table: Record<IncidentStatus, Record<IncidentStatus, Rule>> = {
  investigating: {
    investigating: same,
    identified: "anyone",
    monitoring: "anyone",
    resolved: "anyone",
    postmortem: resolveFirst,
  },
  identified: {
    // A person said the cause is known; the system has no evidence that can take that back.
    investigating: "person",
    identified: same,
    monitoring: "anyone",
    resolved: "anyone",
    postmortem: resolveFirst,
  },
  monitoring: {
    investigating: "anyone",
    identified: "anyone",
    monitoring: same,
    resolved: "anyone",
    postmortem: resolveFirst,
  },
  resolved: {
    // Reopening and writing a postmortem are judgements; the system never reopens what was resolved.
    investigating: "person",
    identified: "person",
    monitoring: "person",
    resolved: same,
    postmortem: "person",
  },
  postmortem: {
    investigating: "person",
    identified: "person",
    monitoring: "person",
    resolved: reopenInstead,
    postmortem: same,
  },
};

/**
 * Whether `actor` may move an incident from `current` to `requested`: an open status (investigating, identified,
 * monitoring) may move to another open status or to resolved, except that the system never moves identified back to
 * investigating; resolved may be reopened or moved to postmortem by a person only; postmortem is final except for
 * reopening by a person; staying put and jumping from an open status to postmortem are refused.
 */
export function nextStatus(current: IncidentStatus, requested: IncidentStatus, actor: Actor): TransitionVerdict {
  const rule = table[current][requested];
  if (typeof rule === "object") return { ok: false, reason: `${current} → ${requested}: ${rule.refused}` };
  if (rule === "person" && actor !== "person") {
    return { ok: false, reason: `${current} → ${requested}: only a person may make this change` };
  }
  return { ok: true };
}

/** The open statuses: an incident in one of them is not over. */
export function isOpenStatus(status: string): boolean {
  return status === "investigating" || status === "identified" || status === "monitoring";
}

/** What a status change does to an incident's times; a field left out keeps its value. */
export interface StatusTimes {
  monitoringAt?: Date | null;
  resolvedAt?: Date | null;
  postmortemPublishedAt?: Date;
}

/**
 * The times a move from `from` to `to` at `at` sets or clears: entering monitoring sets monitoring_at,
 * leaving it for another open status clears it; resolving sets resolved_at, reopening clears it; entering
 * postmortem dates the postmortem's publication. The engine applies it; the timeline projection replays it.
 */
export function statusTimes(from: string, to: string, at: Date): StatusTimes {
  const times: StatusTimes = {};
  if (to === "monitoring" && from !== "monitoring") times.monitoringAt = at;
  if (from === "monitoring" && (to === "investigating" || to === "identified")) times.monitoringAt = null;
  if (to === "resolved" && from !== "resolved") times.resolvedAt = at;
  if (!isOpenStatus(from) && isOpenStatus(to)) times.resolvedAt = null;
  if (to === "postmortem" && from !== "postmortem") times.postmortemPublishedAt = at;
  return times;
}
