import * as z from "zod";
import type { MessageKind, Severity } from "../types.ts";

/** Every message kind, in the order types.ts declares them (the `satisfies` keeps the list complete). */
const kindTable = {
  "incident.created": true,
  "incident.updated": true,
  "incident.resolved": true,
  "incident.update_due": true,
  "monitor.down": true,
  "monitor.up": true,
  "maintenance.scheduled": true,
  "maintenance.in_progress": true,
  "maintenance.completed": true,
  "window.closed": true,
  "upstream.degraded": true,
  "upstream.recovered": true,
  "region.stale": true,
  "region.recovered": true,
  "region.isolated": true,
  "region.reconnected": true,
  "vantage.suspect": true,
  "vantage.restored": true,
  "action.approval_requested": true,
  "action.approval_timed_out": true,
  "action.ramp_aborted": true,
  test: true,
} as const satisfies Record<MessageKind, true>;

/** Every message kind the notifier delivers. */
export const messageKinds = Object.keys(kindTable) as readonly MessageKind[];

/** Severities from least to most severe: `>=major` means major or critical. */
export const severities: readonly Severity[] = ["none", "minor", "major", "critical"];

/** What a route groups a channel's messages by: their incident, their set of components, or their kind's family. */
export type GroupByField = "incident" | "component" | "kind";

/**
 * Conditions on a message; all those given must hold (an empty matcher matches everything).
 * Lists are alternatives: `component: [a, b]` matches a message about `a` or `b`.
 */
export interface Matcher {
  /** Some component of the message has one of these ids. */
  component?: string[];
  /** Some component of the message is in one of these groups. */
  group?: string[];
  /** The message's severity is one of these (`>=major` in the file becomes `["major", "critical"]`). */
  severity?: Severity[];
  /** The message's kind equals one of these, where `*` stands for any run of characters (`incident.*`). */
  kind?: string[];
  /** Every one of these labels is on the message with exactly this value. */
  labels?: Record<string, string>;
}

/** How a route batches what it sends to one channel (Alertmanager's group_by, group_wait, group_interval, repeat_interval). */
export interface GroupPolicy {
  /** Messages agreeing on these belong to one group (per channel); `[]` puts all of a channel's messages in one group. */
  groupBy: GroupByField[];
  /** How long the first message of a new group waits for others before the group is first sent. */
  groupWaitMs: number;
  /** After a group was sent, new messages of it are sent together at most this often. */
  groupIntervalMs: number;
  /** A group with nothing new that is still firing is sent again this often. */
  repeatIntervalMs: number;
}

/** One routing rule: which messages it takes and which channels receive them. */
export interface Route extends GroupPolicy {
  channels: string[];
  match: Matcher;
  /** Keep evaluating the routes after this one matched (otherwise the first matching route is the last). */
  continue: boolean;
}

/** A silence: no notification for messages it matches while `startsAt ≤ now < endsAt`. */
export interface Silence {
  id: string;
  matchers: Matcher;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

/**
 * The default grouping: per incident; sent at once (group_wait 0 s: detection has already confirmed the failure and
 * correlation has already waited its window to gather a cascade into one incident, so waiting again only delays the
 * page); new messages of a group at most every minute (Alertmanager waits 5: Vigil's messages are already one per
 * incident, so the interval only bounds bursts; a recovery or a relapse does not wait for it, see `groupStep`); a
 * still-firing group again every 4 hours, as Alertmanager does.
 */
export const defaultGroupPolicy: GroupPolicy = {
  groupBy: ["incident"],
  groupWaitMs: 0,
  groupIntervalMs: 60_000,
  repeatIntervalMs: 4 * 3_600_000,
};

const nonEmpty = z.string().min(1);

/** One value or a non-empty list of them, always read as a list. */
function oneOrMany<T extends z.ZodType>(item: T, what: string) {
  return z.preprocess((value) => (typeof value === "string" ? [value] : value), z.array(item, { error: `expected ${what} or a list of them` }).min(1));
}

const severityPattern = /^>=(none|minor|major|critical)$/;

/** `[major, critical]`, or a minimum such as `>=major`; read as the list of severities it admits. */
const severityMatch = z.preprocess(
  (value) => (typeof value === "string" && severityPattern.test(value) ? severities.slice(severities.indexOf(value.slice(2) as Severity)) : value),
  z.array(z.enum(["none", "minor", "major", "critical"]), { error: 'expected a list of severities or a minimum such as ">=major"' }).min(1),
);

/** Whether `kind` matches the `pattern`, where `*` stands for any run of characters (possibly empty). */
export function kindMatches(pattern: string, kind: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(kind);
}

/** A kind or glob that matches at least one known kind, so that a typo is refused rather than silently matching nothing. */
const kindPattern = nonEmpty.refine((pattern) => messageKinds.some((kind) => kindMatches(pattern, kind)), {
  message: `matches no message kind; kinds are ${messageKinds.join(", ")} ("*" stands for any characters, as in "incident.*")`,
});

/**
 * A matcher as written in the file: `component`, `group` and `kind` take one value or a list, `severity` a list or a
 * minimum (`">=major"`), `labels` a map of exact values. Lists may not be empty (they would match nothing).
 */
export const MatcherSchema = z
  .strictObject({
    component: oneOrMany(nonEmpty, "a component id").optional(),
    group: oneOrMany(nonEmpty, "a group name").optional(),
    severity: severityMatch.optional(),
    kind: oneOrMany(kindPattern, "a kind such as incident.*").optional(),
    labels: z.record(nonEmpty, z.string()).optional(),
  })
  .transform((raw): Matcher => {
    const out: Matcher = {};
    if (raw.component !== undefined) out.component = raw.component;
    if (raw.group !== undefined) out.group = raw.group;
    if (raw.severity !== undefined) out.severity = raw.severity;
    if (raw.kind !== undefined) out.kind = raw.kind;
    if (raw.labels !== undefined) out.labels = raw.labels;
    return out;
  });

/** A duration, already in milliseconds (the configuration loader turns `30s` into 30000). */
const durationMs = z.number().int().nonnegative();
const positiveDurationMs = durationMs.positive({ message: "must be greater than zero" });

/**
 * One entry of `notifications.routes`, keys as in the file (`group_by`, `group_wait`, …), read into a {@link Route}:
 * `channels` a non-empty list of channel ids; `match` optional (absent: every message); `continue` false;
 * `group_by` `["incident"]`; `group_wait` 0, `group_interval` 1 min, `repeat_interval` 4 h (see {@link defaultGroupPolicy}).
 * `group_interval` and `repeat_interval` must be greater than zero.
 */
export const RouteSchema = z
  .strictObject({
    channels: z.array(nonEmpty).min(1),
    match: MatcherSchema.optional(),
    continue: z.boolean().default(false),
    group_by: z.array(z.enum(["incident", "component", "kind"])).default(defaultGroupPolicy.groupBy),
    group_wait: durationMs.default(defaultGroupPolicy.groupWaitMs),
    group_interval: positiveDurationMs.default(defaultGroupPolicy.groupIntervalMs),
    repeat_interval: positiveDurationMs.default(defaultGroupPolicy.repeatIntervalMs),
  })
  .transform(
    (raw): Route => ({
      channels: [...new Set(raw.channels)],
      match: raw.match ?? {},
      continue: raw.continue,
      groupBy: [...new Set(raw.group_by)],
      groupWaitMs: raw.group_wait,
      groupIntervalMs: raw.group_interval,
      repeatIntervalMs: raw.repeat_interval,
    }),
  );

/** The whole `notifications.routes` list, in order (order matters: the first matching route wins unless it continues). */
export const RoutesSchema = z.array(RouteSchema);

/**
 * A silence as stored or written (`starts_at`, `ends_at`, `created_by`), read into a {@link Silence}. It needs at least
 * one matcher (`kind: "*"` silences everything, on purpose) and must end after it starts.
 */
export const SilenceSchema = z
  .strictObject({
    id: nonEmpty,
    matchers: MatcherSchema,
    starts_at: z.date(),
    ends_at: z.date(),
    created_by: nonEmpty,
    comment: z.string(),
  })
  .superRefine((raw, ctx) => {
    if (Object.keys(raw.matchers).length === 0) {
      ctx.addIssue({ code: "custom", path: ["matchers"], message: 'needs at least one matcher (kind: "*" silences everything)' });
    }
    if (raw.ends_at.getTime() <= raw.starts_at.getTime()) {
      ctx.addIssue({ code: "custom", path: ["ends_at"], message: "must be after starts_at" });
    }
  })
  .transform(
    (raw): Silence => ({
      id: raw.id,
      matchers: raw.matchers,
      startsAt: raw.starts_at,
      endsAt: raw.ends_at,
      createdBy: raw.created_by,
      comment: raw.comment,
    }),
  );

/** A route with every default, sending to `channels`: what "no routes configured" means for the channels it is given. */
export function catchAllRoute(channels: readonly string[]): Route {
  return { channels: [...channels], match: {}, continue: false, ...defaultGroupPolicy, groupBy: [...defaultGroupPolicy.groupBy] };
}
