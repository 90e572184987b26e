import type { NotificationMessage } from "../types.ts";
import type { GroupByField, GroupPolicy } from "./config.ts";
import { resolutionKinds, triggerKinds } from "./inhibit.ts";

/** The messages of one channel that travel together, and where the group is in its cycle. */
export interface Group {
  /** The channel and the group_by values, as JSON: `{"channel":"oncall","incident":"inc-1"}`. */
  key: string;
  channelId: string;
  /** The timing of the route that created the group; later messages joining it keep it. */
  policy: GroupPolicy;
  createdAt: Date;
  /** When a batch of the group was last sent; null while its first message waits group_wait. */
  lastSentAt: Date | null;
  /** Received and not yet sent, in arrival order. */
  pending: readonly NotificationMessage[];
  /** What the sent messages say is still wrong: the latest firing message per dedup key, oldest first. */
  firing: readonly NotificationMessage[];
  /** Per dedup key, the condition the last sent message with one said (see {@link conditionOf}). */
  said: Readonly<Record<string, Condition>>;
}

/** What a message says of its cause: failing, or recovered. */
export type Condition = "failing" | "recovered";

/** Every live group by key. Plain data: the caller may keep it across restarts. */
export interface GroupState {
  groups: Readonly<Record<string, Group>>;
}

/** No groups. */
export const emptyGroupState: GroupState = { groups: {} };

/** A step of the grouping machine: a timer tick at `now`, or a message for `channelId` routed by `route` at `now`. */
export type GroupInput =
  | { now: Date; message?: undefined }
  | { now: Date; message: NotificationMessage; channelId: string; route: GroupPolicy };

/** What to send to one channel now. */
export interface Batch {
  channelId: string;
  groupKey: string;
  /**
   * `group_wait`: a new group's first send; `change`: a message saying the opposite of what was sent for its cause (a
   * recovery after a failure, a relapse after a recovery), sent at once with what was pending; `group_interval`: new
   * messages of a group; `repeat_interval`: a reminder.
   */
  reason: "group_wait" | "change" | "group_interval" | "repeat_interval";
  /** New messages in arrival order; for a reminder, the group's still-firing messages. */
  messages: NotificationMessage[];
  /** What still fires once this batch is delivered (latest message per dedup key): a receiver may show it as "still open". */
  firing: NotificationMessage[];
  /** Nothing of the group fires any more, so the group was deleted after this batch. */
  closed: boolean;
}

/**
 * Whether `message` says something is wrong right now: an incident or monitor trigger (`incident.created`,
 * `incident.updated`, `incident.update_due`, `monitor.down`) about no incident or an unresolved one.
 */
export function isFiring(message: NotificationMessage): boolean {
  return triggerKinds.has(message.kind) && (message.incident === null || message.incident.resolvedAt === null);
}

/**
 * What `message` says of its cause, or null when it says neither (a reminder, a maintenance, a window, a test):
 * `monitor.down` failing and `monitor.up` recovered; an incident's message recovered when the incident is resolved or
 * its status is monitoring, resolved or postmortem (every signal has recovered), failing otherwise (`incident.created`,
 * `incident.updated` investigating or identified); `incident.update_due` neither.
 */
export function conditionOf(message: NotificationMessage): Condition | null {
  switch (message.kind) {
    case "monitor.down":
      return "failing";
    case "monitor.up":
    case "incident.resolved":
      return "recovered";
    case "incident.created":
    case "incident.updated": {
      const incident = message.incident;
      if (incident === null) return null;
      return incident.resolvedAt !== null || recoveredStatuses.has(incident.status) ? "recovered" : "failing";
    }
    default:
      return null;
  }
}

const recoveredStatuses: ReadonlySet<string> = new Set(["monitoring", "resolved", "postmortem"]);

/** Whether `message` says the opposite of what `group` last sent for its dedup key (nothing sent for it yet: no). */
function changes(group: Group, message: NotificationMessage): boolean {
  const condition = conditionOf(message);
  const said = group.said[message.dedupKey];
  return condition !== null && said !== undefined && said !== condition;
}

/** Whether `message` ends what its dedup key was firing: a resolution, or anything about a resolved incident. */
function ends(message: NotificationMessage): boolean {
  return resolutionKinds.has(message.kind) || (message.incident !== null && message.incident.resolvedAt !== null);
}

/**
 * The value a message has for a group_by field: `incident` its incident's id (its dedup key outside incidents, so a
 * monitor's down and up stay together); `component` its sorted component ids joined by commas; `kind` the family of its
 * kind (`incident`, `monitor`, `maintenance`, `window`, `test`), so that a resolution shares its trigger's group.
 */
export function groupValue(message: NotificationMessage, field: GroupByField): string {
  switch (field) {
    case "incident":
      return message.incident?.id ?? message.dedupKey;
    case "component":
      return [...new Set(message.components.map((c) => c.id))].sort().join(",");
    case "kind":
      return message.kind.split(".")[0] ?? message.kind;
  }
}

/** The key of the group `message` belongs to on `channelId` under `groupBy` (fields in a fixed order, so their order in the file does not matter). */
export function groupKey(channelId: string, message: NotificationMessage, groupBy: readonly GroupByField[]): string {
  const fields = (["incident", "component", "kind"] as const).filter((field) => groupBy.includes(field));
  return JSON.stringify({ channel: channelId, ...Object.fromEntries(fields.map((field) => [field, groupValue(message, field)])) });
}

/**
 * When `group` next has something to send: its group_wait for a new group's pending messages; for a sent group's, at
 * once (its last send) when one of them changes what was said of its cause, else its group_interval; else its reminder.
 */
export function groupDueAt(group: Group): Date | null {
  const { policy } = group;
  if (group.pending.length > 0) {
    if (group.lastSentAt === null) return new Date(group.createdAt.getTime() + policy.groupWaitMs);
    if (group.pending.some((m) => changes(group, m))) return group.lastSentAt;
    return new Date(group.lastSentAt.getTime() + policy.groupIntervalMs);
  }
  if (group.firing.length > 0 && group.lastSentAt !== null) return new Date(group.lastSentAt.getTime() + policy.repeatIntervalMs);
  return null;
}

/**
 * One step of the grouping state machine at `input.now`: the message (if any) joins its group, then every group due at
 * `now` is sent, in order of due time then key. Groups are per channel and group_by values, except that a message
 * whose dedup key a live group of its channel already holds (pending or firing) joins that group, so all messages of an
 * incident stay in one group even when its components change, and a resolution is never sent before its trigger.
 *
 * - A new group waits `groupWaitMs` from its first message (0: sent in the same step), then sends everything pending.
 * - After a send, new messages of the group are batched and sent `groupIntervalMs` after the last send (at once when
 *   that has passed already), except that a message saying the opposite of what was sent for its dedup key (see
 *   {@link conditionOf}: a recovery after a failure, a relapse after a recovery) is sent at once, with everything
 *   pending. Detection has already confirmed that change and damps a flapping monitor, so a group changes its mind a
 *   bounded number of times; waiting group_interval would only delay the news a responder waits for.
 * - A group with nothing new whose sent messages still fire (an open incident, a monitor still down: see
 *   {@link isFiring}) re-sends them `repeatIntervalMs` after the last send.
 * - A send after which nothing fires (resolved, or only informational messages such as maintenance) is the group's
 *   last: the group is deleted, and a later message starts a new one.
 *
 * Within a batch messages keep their arrival order. Each group is sent at most once per step. Throws RangeError on an
 * invalid `now` or a policy with a negative or non-finite duration, or a zero group or repeat interval.
 */
export function groupStep(state: GroupState, input: GroupInput): { state: GroupState; flush: Batch[] } {
  const now = input.now.getTime();
  if (!Number.isFinite(now)) throw new RangeError("groupStep needs a valid now");
  const groups: Record<string, Group> = { ...state.groups };

  if (input.message !== undefined) {
    const { message, channelId, route } = input;
    checkPolicy(route);
    const holder = Object.values(groups).find(
      (g) => g.channelId === channelId && [...g.pending, ...g.firing].some((m) => m.dedupKey === message.dedupKey),
    );
    const key = holder?.key ?? groupKey(channelId, message, route.groupBy);
    const group = groups[key];
    groups[key] =
      group === undefined
        ? { key, channelId, policy: { groupBy: [...route.groupBy], groupWaitMs: route.groupWaitMs, groupIntervalMs: route.groupIntervalMs, repeatIntervalMs: route.repeatIntervalMs }, createdAt: input.now, lastSentAt: null, pending: [message], firing: [], said: {} }
        : { ...group, pending: [...group.pending, message] };
  }

  const due = Object.values(groups)
    .map((group) => ({ group, at: groupDueAt(group)?.getTime() }))
    .filter((d): d is { group: Group; at: number } => d.at !== undefined && d.at <= now)
    .sort((a, b) => a.at - b.at || (a.group.key < b.group.key ? -1 : 1));

  const flush: Batch[] = [];
  for (const { group } of due) {
    const reminder = group.pending.length === 0;
    const firing = reminder ? [...group.firing] : group.pending.reduce(applyToFiring, [...group.firing]);
    const closed = firing.length === 0;
    flush.push({
      channelId: group.channelId,
      groupKey: group.key,
      reason: reminder ? "repeat_interval" : group.lastSentAt === null ? "group_wait" : group.pending.some((m) => changes(group, m)) ? "change" : "group_interval",
      messages: reminder ? [...group.firing] : [...group.pending],
      firing,
      closed,
    });
    if (closed) delete groups[group.key];
    else groups[group.key] = { ...group, pending: [], firing, lastSentAt: input.now, said: reminder ? group.said : group.pending.reduce(applyToSaid, group.said) };
  }
  return { state: { groups }, flush };
}

/** When the caller should next call {@link groupStep} with a tick: the earliest time a group is due; null with no groups. */
export function nextWakeAt(state: GroupState): Date | null {
  let earliest: Date | null = null;
  for (const group of Object.values(state.groups)) {
    const at = groupDueAt(group);
    if (at !== null && (earliest === null || at.getTime() < earliest.getTime())) earliest = at;
  }
  return earliest;
}

/** The firing list after `message` is sent: a firing message replaces its dedup key's entry, an ending one removes it. */
function applyToFiring(firing: NotificationMessage[], message: NotificationMessage): NotificationMessage[] {
  if (isFiring(message)) return [...firing.filter((m) => m.dedupKey !== message.dedupKey), message];
  if (ends(message)) return firing.filter((m) => m.dedupKey !== message.dedupKey);
  return firing;
}

/** What was said per dedup key once `message` is sent: its condition, when it has one. */
function applyToSaid(said: Readonly<Record<string, Condition>>, message: NotificationMessage): Readonly<Record<string, Condition>> {
  const condition = conditionOf(message);
  return condition === null ? said : { ...said, [message.dedupKey]: condition };
}

function checkPolicy(policy: GroupPolicy): void {
  const durations: [string, number, boolean][] = [
    ["groupWaitMs", policy.groupWaitMs, false],
    ["groupIntervalMs", policy.groupIntervalMs, true],
    ["repeatIntervalMs", policy.repeatIntervalMs, true],
  ];
  for (const [name, ms, positive] of durations) {
    if (!Number.isFinite(ms) || ms < 0 || (positive && ms === 0)) {
      throw new RangeError(`group policy ${name} must be a finite number ${positive ? "> 0" : "≥ 0"}, got ${ms}`);
    }
  }
}
