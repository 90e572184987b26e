import { sql } from "drizzle-orm";
import { bigint, boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

// Every timestamp is an instant: timestamptz, surfaced as a JS Date.
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** A component's dependency on another component; a soft one only degrades, never takes it down. */
export interface DependencyJson {
  id: string;
  soft: boolean;
}

/** API tokens: only the SHA-256 of the secret is kept, hashed by the caller. */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** The legacy scope a token was made with (a ceiling on its role), or `agent`; null for a token made with a role. */
    scope: text("scope").$type<"read" | "write" | "publish" | "admin" | "agent">(),
    /** What the token may do (see src/auth/roles.ts); null only for `agent` tokens. */
    role: text("role").$type<"owner" | "admin" | "responder" | "viewer">(),
    /** The console user the token belongs to (it never acts above that user's role); null: a named service's token. */
    ownerUserId: text("owner_user_id"),
    secretHash: text("secret_hash").notNull(),
    createdAt: instant("created_at").notNull(),
    lastUsedAt: instant("last_used_at"),
    revokedAt: instant("revoked_at"),
    expiresAt: instant("expires_at"),
    /** The one region an `agent` token may report for; null for every other scope. */
    region: text("region"),
  },
  (t) => [
    check("api_tokens_scope_check", sql`${t.scope} in ('read', 'write', 'publish', 'admin', 'agent')`),
    check("api_tokens_agent_region_check", sql`(coalesce(${t.scope}, '') = 'agent') = (${t.region} is not null)`),
    check("api_tokens_role_check", sql`${t.role} in ('owner', 'admin', 'responder', 'viewer')`),
    check("api_tokens_agent_role_check", sql`(coalesce(${t.scope}, '') = 'agent') = (${t.role} is null)`),
  ],
);

/** Components of the status page; rows are marked removed, never deleted, so history keeps them. */
export const components = pgTable("components", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  groupName: text("group_name"),
  description: text("description"),
  position: integer("position").notNull(),
  dependsOn: jsonb("depends_on").notNull().$type<DependencyJson[]>(),
  monitorIds: jsonb("monitor_ids").notNull().$type<string[]>(),
  hidden: boolean("hidden").notNull(),
  createdAt: instant("created_at").notNull(),
  updatedAt: instant("updated_at").notNull(),
  removedAt: instant("removed_at"),
});

/** Monitors; the type-specific probe settings live in one validated JSON column. */
export const monitors = pgTable("monitors", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  name: text("name"),
  intervalMs: integer("interval_ms").notNull(),
  timeoutMs: integer("timeout_ms").notNull(),
  config: jsonb("config").notNull().$type<Record<string, unknown>>(),
  createdAt: instant("created_at").notNull(),
  updatedAt: instant("updated_at").notNull(),
  removedAt: instant("removed_at"),
});

/** The append-only timeline of everything that happened, as `entity.verb` kinds. */
export const events = pgTable(
  "events",
  {
    id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    at: instant("at").notNull(),
    kind: text("kind").notNull(),
    subject: text("subject"),
    actor: text("actor").notNull(),
    data: jsonb("data").notNull().$type<Record<string, unknown>>(),
  },
  // By time alone too: retention walks the events older than its cutoff (src/store/events.ts, `prune`).
  (t) => [index("events_kind_at_idx").on(t.kind, t.at), index("events_subject_at_idx").on(t.subject, t.at), index("events_at_idx").on(t.at, t.id)],
);

/** Raw check results, kept for a bounded time (probe.retention.results) and rolled up per minute, hour and day. */
export const checkResults = pgTable(
  "check_results",
  {
    id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    monitorId: text("monitor_id").notNull(),
    region: text("region").notNull(),
    at: instant("at").notNull(),
    status: text("status").notNull().$type<"up" | "degraded" | "down">(),
    latencyMs: real("latency_ms").notNull(),
    facts: jsonb("facts").notNull().$type<Record<string, unknown>>(),
    errorKind: text("error_kind"),
    errorMessage: text("error_message"),
    /** The agent that reported it, and its sequence number: a batch sent twice is stored once. Null for the server's own checks. */
    agent: text("agent"),
    seq: bigint("seq", { mode: "number" }),
    /** Why an agent's result was degraded (detection reads it back from here). */
    warning: text("warning"),
    /** When a node stored an agent's result (the database's clock): the order detection reads them in. */
    receivedAt: instant("received_at"),
  },
  (t) => [
    index("check_results_monitor_at_idx").on(t.monitorId, t.at),
    index("check_results_at_idx").on(t.at),
    uniqueIndex("check_results_agent_seq_idx").on(t.agent, t.seq),
    index("check_results_received_idx").on(t.receivedAt).where(sql`${t.agent} is not null`),
  ],
);

/** Per-monitor aggregates of check results for one minute, hour or day, across regions. */
export const checkRollups = pgTable(
  "check_rollups",
  {
    monitorId: text("monitor_id").notNull(),
    bucket: text("bucket").notNull().$type<"minute" | "hour" | "day">(),
    start: instant("start").notNull(),
    checks: integer("checks").notNull(),
    failures: integer("failures").notNull(),
    degraded: integer("degraded").notNull(),
    latencyP50: real("latency_p50"),
    latencyP95: real("latency_p95"),
  },
  (t) => [primaryKey({ columns: [t.monitorId, t.bucket, t.start] }), index("check_rollups_bucket_start_idx").on(t.bucket, t.start)],
);

/** Each monitor's detection state, so a restart continues where it left off. */
export const monitorStates = pgTable("monitor_states", {
  monitorId: text("monitor_id").primaryKey(),
  status: text("status").notNull(),
  state: jsonb("state").notNull().$type<Record<string, unknown>>(),
  updatedAt: instant("updated_at").notNull(),
});

/** An affected component as an incident update records it (Statuspage's affected_components). */
export interface AffectedComponentJson {
  code: string;
  name: string;
  old_status: string;
  new_status: string;
}

/** Incidents: one per root cause; their status is the latest update's, their history the timeline. */
export const incidents = pgTable(
  "incidents",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    status: text("status").notNull(),
    impact: text("impact").notNull(),
    /** A person's choice of impact, which derivation does not overwrite. */
    impactOverride: text("impact_override"),
    rootIds: jsonb("root_ids").notNull().$type<string[]>(),
    impactedIds: jsonb("impacted_ids").notNull().$type<string[]>(),
    /** The earliest signal. */
    startedAt: instant("started_at").notNull(),
    /** The last good result before it: the outage may have begun any time after this. */
    earliestPossibleStart: instant("earliest_possible_start"),
    monitoringAt: instant("monitoring_at"),
    resolvedAt: instant("resolved_at"),
    publishedAt: instant("published_at"),
    /** Opened by a person rather than by correlation. */
    manual: boolean("manual").notNull(),
    /** A person took over: automatic moves stop. */
    hold: boolean("hold").notNull(),
    /** When a delayed publication falls due (publish policy a delay); null when none is pending. */
    publishAt: instant("publish_at"),
    /** The postmortem (Markdown): drafted from the timeline at resolution, edited by people. */
    postmortemBody: text("postmortem_body"),
    postmortemPublishedAt: instant("postmortem_published_at"),
    createdAt: instant("created_at").notNull(),
    updatedAt: instant("updated_at").notNull(),
  },
  (t) => [index("incidents_status_idx").on(t.status), index("incidents_started_at_idx").on(t.startedAt)],
);

/** Scheduled maintenance (Statuspage's scheduled_maintenances): declared in the config or through the API. */
export const maintenances = pgTable(
  "maintenances",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** What the public is told (Markdown). */
    body: text("body").notNull(),
    componentIds: jsonb("component_ids").notNull().$type<string[]>(),
    scheduledFor: instant("scheduled_for").notNull(),
    scheduledUntil: instant("scheduled_until").notNull(),
    /** scheduled, in_progress, verifying, completed. */
    status: text("status").notNull(),
    /** Where it was declared: the configuration file or the API. */
    source: text("source").notNull().$type<"config" | "api">(),
    startedAt: instant("started_at"),
    completedAt: instant("completed_at"),
    cancelledAt: instant("cancelled_at"),
    createdAt: instant("created_at").notNull(),
    updatedAt: instant("updated_at").notNull(),
  },
  (t) => [index("maintenances_status_idx").on(t.status), index("maintenances_scheduled_for_idx").on(t.scheduledFor)],
);

/** The updates of an incident, as published (Statuspage's incident_updates). */
export const incidentUpdates = pgTable(
  "incident_updates",
  {
    id: text("id").primaryKey(),
    incidentId: text("incident_id")
      .notNull()
      .references(() => incidents.id),
    status: text("status").notNull(),
    body: text("body").notNull(),
    affectedComponents: jsonb("affected_components").notNull().$type<AffectedComponentJson[]>(),
    actor: text("actor").notNull(),
    deliverNotifications: boolean("deliver_notifications").notNull(),
    displayAt: instant("display_at").notNull(),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [index("incident_updates_incident_idx").on(t.incidentId, t.createdAt)],
);

/**
 * The notification outbox: one row per (timeline event, destination), created by the dispatcher in the
 * same transaction that moves its cursor past the event, delivered by workers with retries.
 */
export const deliveries = pgTable(
  "deliveries",
  {
    id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    /** The timeline event that caused it. */
    eventId: bigint("event_id", { mode: "bigint" }).notNull(),
    /** A channel id, or `subscriber:<id>`. */
    destination: text("destination").notNull(),
    /** `<event id>:<destination>`: sent with every attempt so that receivers can drop duplicates. */
    idempotencyKey: text("idempotency_key").notNull(),
    /** Deliveries with the same key go out in event order (an incident's alert before its resolution). */
    orderKey: text("order_key").notNull(),
    /** pending, delivered, dead (gave up), muted. */
    status: text("status").notNull().$type<"pending" | "delivered" | "dead" | "muted">(),
    attempts: integer("attempts").notNull(),
    nextAttemptAt: instant("next_attempt_at").notNull(),
    lastError: text("last_error"),
    /** The notification message, as built when the event was dispatched; null when it is shared (`message_id`). */
    message: jsonb("message").$type<Record<string, unknown>>(),
    /** A message shared by many deliveries (a fan-out to subscribers), stored once in `notification_messages`. */
    messageId: text("message_id"),
    createdAt: instant("created_at").notNull(),
    updatedAt: instant("updated_at").notNull(),
    deliveredAt: instant("delivered_at"),
  },
  (t) => [
    uniqueIndex("deliveries_idempotency_key_idx").on(t.idempotencyKey),
    // Pending rows only: the deliverer walks them by due time and checks each one's order key, and stops at its limit.
    index("deliveries_pending_due_idx").on(t.nextAttemptAt, t.id).where(sql`status = 'pending'`),
    index("deliveries_pending_order_idx").on(t.orderKey, t.eventId).where(sql`status = 'pending'`),
    index("deliveries_destination_idx").on(t.destination, t.id),
    // A fan-out's rows, counted once for its summary, and which deliveries still use a shared message (retention); and
    // those still waiting for a first attempt, looked for after every recorded batch of its outcomes (one index entry
    // each, gone at the first attempt).
    index("deliveries_message_idx").on(t.messageId).where(sql`message_id is not null`),
    index("deliveries_unattempted_idx").on(t.messageId).where(sql`status = 'pending' and attempts = 0 and message_id is not null`),
    // Retention: the finished rows by age.
    index("deliveries_finished_idx").on(t.updatedAt, t.id).where(sql`status <> 'pending'`),
  ],
);

/**
 * Messages shared by many deliveries: a fan-out to every subscriber stores its message once. Each is one fan-out,
 * recorded on the timeline as one summary (`notification.fanout_summary`) once all of its deliveries were attempted.
 */
export const notificationMessages = pgTable(
  "notification_messages",
  {
    id: text("id").primaryKey(),
    body: jsonb("body").notNull().$type<Record<string, unknown>>(),
    createdAt: instant("created_at").notNull(),
    /** When the fan-out's summary was recorded; null while it is in progress. */
    summarizedAt: instant("summarized_at"),
  },
  (t) => [index("notification_messages_open_idx").on(t.createdAt).where(sql`summarized_at is null`)],
);

/** Named positions in the timeline (the notifier's dispatch cursor): how far a reader has processed. */
export const cursors = pgTable("cursors", {
  name: text("name").primaryKey(),
  eventId: bigint("event_id", { mode: "bigint" }).notNull(),
  updatedAt: instant("updated_at").notNull(),
});

/** Public subscribers, stored only once confirmed (a pending subscription lives in its signed link). */
export const subscribers = pgTable(
  "subscribers",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull().$type<"email" | "webhook">(),
    /** The e-mail address or the webhook URL, normalised. */
    address: text("address").notNull(),
    /** The component ids chosen; null: every component. */
    componentIds: jsonb("component_ids").$type<string[] | null>(),
    /** For webhooks: `vigil` (Vigil's JSON) or `statuspage` (Statuspage's webhook envelope); null for e-mail. */
    format: text("format").$type<"vigil" | "statuspage" | null>(),
    confirmedAt: instant("confirmed_at").notNull(),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [uniqueIndex("subscribers_kind_address_idx").on(t.kind, t.address), check("subscribers_kind_check", sql`${t.kind} in ('email', 'webhook')`)],
);

/** Silences: no notification for the messages they match between their start and end (Alertmanager's silences). */
export const silences = pgTable(
  "silences",
  {
    id: text("id").primaryKey(),
    /** A routing matcher (component, group, severity, kind, labels). */
    matchers: jsonb("matchers").notNull().$type<Record<string, unknown>>(),
    startsAt: instant("starts_at").notNull(),
    endsAt: instant("ends_at").notNull(),
    createdBy: text("created_by").notNull(),
    comment: text("comment").notNull(),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [index("silences_ends_at_idx").on(t.endsAt)],
);

/**
 * Components and monitors kept in the database beside the configuration file, each as the file would write it (checked
 * by the file's schema); the effective configuration is the file's entries and these.
 */
export const catalogEntries = pgTable(
  "catalog_entries",
  {
    kind: text("kind").notNull().$type<"component" | "monitor">(),
    id: text("id").notNull(),
    /** The entry as the configuration file takes it (a component's or a monitor's mapping). */
    entry: jsonb("entry").notNull().$type<Record<string, unknown>>(),
    createdAt: instant("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: instant("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.id] }), check("catalog_entries_kind_check", sql`${t.kind} in ('component', 'monitor')`)],
);

/** What became of a run of a runbook action. */
export type ActionRunStatus = "waiting_approval" | "pending" | "running" | "succeeded" | "failed" | "timed_out" | "cancelled" | "rejected";
/** A value a ramp step gives its action (`with:` in the configuration). */
export type ActionStepValue = string | number | boolean;
/** What a run is asked with besides its incident (see `params` below). */
export interface ActionRunParams {
  /** A reconciliation's outage window: its component and start (ISO 8601), as `vigil windows` lists it. */
  window?: { component: string; start: string };
  /** A run a ramp asked for: the ramp's run and action, the step's number from 1 (null: the ramp's `on_abort`), how many steps, and the step's values. */
  step?: { ramp_run: string; ramp: string; number: number | null; of: number; with: Record<string, ActionStepValue> };
}

/**
 * Runs of runbook actions (`actions:` in the configuration): one row per run, attempted until it succeeds, fails for
 * good or reaches its deadline, with the same idempotency key on every attempt.
 */
export const actionRuns = pgTable(
  "action_runs",
  {
    id: text("id").primaryKey(),
    /** The configured action's id. */
    actionId: text("action_id").notNull(),
    /** Its type when the run was asked for (webhook, exec). */
    actionType: text("action_type").notNull(),
    /** The incident it runs for; null for a run outside incidents. */
    incidentId: text("incident_id"),
    /** Sent with every attempt (header or environment variable), so that the receiver can drop a repeat; unique. */
    idempotencyKey: text("idempotency_key").notNull(),
    status: text("status").notNull().$type<ActionRunStatus>(),
    /** Attempts made so far. */
    attempts: integer("attempts").notNull(),
    /** When a pending run is due; null once it is over. */
    nextAttemptAt: instant("next_attempt_at"),
    /** No attempt starts after it; a run still failing then is timed out. */
    deadlineAt: instant("deadline_at").notNull(),
    /** Who asked for it: `user:…`, `token:…`, or `system`. */
    requestedBy: text("requested_by").notNull(),
    /** The console user behind the request (a session, or a token of theirs); null for a service token or Vigil. */
    requestedByUser: text("requested_by_user"),
    /** Distinct approvals it needs before it runs (0: none; it is then never `waiting_approval`). */
    approvalsRequired: integer("approvals_required").notNull().default(0),
    /** When a run waiting for approval times out; null for a run that needs none. */
    approvalDeadlineAt: instant("approval_deadline_at"),
    /**
     * What the run is asked with besides its incident: `window` (a reconciliation's outage window, its component and
     * start) or `step` (a ramp's step: the ramp's run, the step's number and the values it gives its action); null for none.
     */
    params: jsonb("params").$type<ActionRunParams>(),
    /** What the last attempt said (an HTTP answer, a command's output), secrets redacted, size-capped. */
    output: text("output"),
    lastError: text("last_error"),
    createdAt: instant("created_at").notNull(),
    updatedAt: instant("updated_at").notNull(),
    startedAt: instant("started_at"),
    finishedAt: instant("finished_at"),
  },
  (t) => [
    uniqueIndex("action_runs_idempotency_key_idx").on(t.idempotencyKey),
    index("action_runs_pending_due_idx").on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index("action_runs_incident_idx").on(t.incidentId, t.createdAt),
    check("action_runs_status_check", sql`${t.status} in ('waiting_approval', 'pending', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'rejected')`),
    index("action_runs_waiting_idx").on(t.approvalDeadlineAt).where(sql`status = 'waiting_approval'`),
  ],
);

/** What an approver decided about a run waiting for approval. */
export type ActionApprovalDecision = "approve" | "reject";

/**
 * Approvals and rejections of runs that wait for approval: one row per run and person (a person counts once), kept
 * after the run is over as its record.
 */
export const actionApprovals = pgTable(
  "action_approvals",
  {
    runId: text("run_id")
      .notNull()
      .references(() => actionRuns.id, { onDelete: "cascade" }),
    /** The person: `user:<id>`, whether they used the console or a token of theirs. */
    approver: text("approver").notNull(),
    /** The timeline actor that sent it (`user:…` or `token:…`). */
    actor: text("actor").notNull(),
    decision: text("decision").notNull().$type<ActionApprovalDecision>(),
    comment: text("comment"),
    at: instant("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.approver] }), check("action_approvals_decision_check", sql`${t.decision} in ('approve', 'reject')`)],
);

/** Small named documents the services keep across restarts (the notifier's groups, the subscription signing key). */
export const appState = pgTable("app_state", {
  name: text("name").primaryKey(),
  value: jsonb("value").notNull().$type<unknown>(),
  updatedAt: instant("updated_at").notNull(),
});

/**
 * The cluster's leadership: one row, `leader`, held by one node until `expires_at` (the database's clock), with a
 * term that grows at every change of holder. Every write a leader makes checks its term here (fencing).
 */
export const clusterLease = pgTable("cluster_lease", {
  name: text("name").primaryKey(),
  node: text("node").notNull(),
  term: bigint("term", { mode: "number" }).notNull(),
  since: instant("since").notNull(),
  expiresAt: instant("expires_at").notNull(),
});

/** The nodes of the cluster as they report themselves every second. */
export const clusterNodes = pgTable("cluster_nodes", {
  node: text("node").primaryKey(),
  /** Where other nodes reach its HTTP API (requests are forwarded to the leader). */
  url: text("url").notNull(),
  startedAt: instant("started_at").notNull(),
  lastSeen: instant("last_seen").notNull(),
  checksPerSecond: doublePrecision("checks_per_second").notNull().default(0),
  /** Set by a clean stop: the node is gone, not late. */
  stoppedAt: instant("stopped_at"),
});

/** The last ping of each heartbeat monitor, whichever node took it. */
export const heartbeats = pgTable("heartbeats", {
  monitorId: text("monitor_id").primaryKey(),
  at: instant("at").notNull(),
});

/** Remote probe agents as they last reported themselves (every batch of results, every assignment request). */
export const agents = pgTable("agents", {
  /** The id the agent chose and keeps in its data directory. */
  id: text("id").primaryKey(),
  region: text("region").notNull(),
  /** The token it last used. */
  tokenId: text("token_id").notNull(),
  version: text("version").notNull(),
  hostname: text("hostname"),
  startedAt: instant("started_at").notNull(),
  lastSeen: instant("last_seen").notNull(),
  /** Results waiting in its buffer, and dropped from it (oldest first) since it started keeping count. */
  bufferResults: bigint("buffer_results", { mode: "number" }).notNull().default(0),
  bufferDropped: bigint("buffer_dropped", { mode: "number" }).notNull().default(0),
  /** Its checks per second over its last minute, as it reports it. */
  checksPerSecond: doublePrecision("checks_per_second").notNull().default(0),
  /** The last sequence number a node stored from it. */
  lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
});

/** Console users; the email is unique whatever its case, the password hash is null until one is set. */
export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    role: text("role").notNull().$type<"owner" | "admin" | "responder" | "viewer">(),
    /** An argon2id PHC string; null until the user follows their set-password link. */
    passwordHash: text("password_hash"),
    createdAt: instant("created_at").notNull(),
    updatedAt: instant("updated_at").notNull(),
    disabledAt: instant("disabled_at"),
  },
  (t) => [
    uniqueIndex("users_email_lower_idx").on(sql`lower(${t.email})`),
    check("users_role_check", sql`${t.role} in ('owner', 'admin', 'responder', 'viewer')`),
  ],
);

/** Console sessions: the id is the SHA-256 of the cookie's secret, as tokens keep theirs. */
export const userSessions = pgTable(
  "user_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: instant("created_at").notNull(),
    lastSeenAt: instant("last_seen_at").notNull(),
    /** The absolute end; the idle end is last_seen_at plus the configured idle time. */
    expiresAt: instant("expires_at").notNull(),
    address: text("address"),
    userAgent: text("user_agent"),
  },
  (t) => [index("user_sessions_user_idx").on(t.userId), index("user_sessions_expires_idx").on(t.expiresAt)],
);

/** One-time set-password links: only the SHA-256 of the link's secret is kept. */
export const passwordLinks = pgTable(
  "password_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: instant("created_at").notNull(),
    expiresAt: instant("expires_at").notNull(),
    usedAt: instant("used_at"),
    /** `password` (set or reset a password) or `invite` (an invitation: following it also signs the invitee in). */
    purpose: text("purpose").notNull().default("password").$type<"password" | "invite">(),
  },
  (t) => [index("password_links_user_idx").on(t.userId), check("password_links_purpose_check", sql`${t.purpose} in ('password', 'invite')`)],
);

/** A user's TOTP second factor: the pending secret while enrolling, then the secret and the last time step accepted. */
export const userTotp = pgTable("user_totp", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  /** Base32; readable by the server, which must compute codes from it. Never shown after enrolment. */
  secret: text("secret"),
  pendingSecret: text("pending_secret"),
  enabledAt: instant("enabled_at"),
  /** The last 30-second step a code was accepted for: a code is accepted only for a later step (no replay). */
  lastStep: bigint("last_step", { mode: "number" }),
});

/** One-time recovery codes of a user's second factor: only their SHA-256. */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: instant("used_at"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/** A sign-in waiting for its second factor: the password was right; the id is the SHA-256 of a short-lived cookie. */
export const loginChallenges = pgTable(
  "login_challenges",
  {
    idHash: text("id_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: instant("created_at").notNull(),
    expiresAt: instant("expires_at").notNull(),
  },
  (t) => [index("login_challenges_expires_idx").on(t.expiresAt)],
);

/**
 * The audit log: who changed what, when and from where. Rows are only ever inserted: a trigger refuses UPDATE and
 * DELETE (migration 0011).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: instant("at").notNull(),
    /** A user's email, a service token's name, or "cli". */
    actor: text("actor").notNull(),
    /** How the actor came: token, session (the console), socket (the local CLI socket) or cli (the CLI on the store). */
    via: text("via").notNull(),
    tokenId: text("token_id"),
    action: text("action").notNull(),
    operation: text("operation").notNull(),
    targetKind: text("target_kind").notNull(),
    targetId: text("target_id"),
    /** The answer's HTTP status (or 200/400-like outcome of a socket request). */
    status: integer("status").notNull(),
    /** The request's summary, secrets redacted. */
    summary: jsonb("summary").notNull().$type<Record<string, unknown>>(),
    clientAddress: text("client_address"),
  },
  (t) => [index("audit_log_at_idx").on(t.at), index("audit_log_actor_idx").on(t.actor), index("audit_log_action_idx").on(t.action)],
);

/** Applied migrations; the runner also creates it (IF NOT EXISTS) before the first one runs. */
export const schemaMigrations = pgTable("schema_migrations", {
  version: text("version").primaryKey(),
  name: text("name").notNull(),
  appliedAt: instant("applied_at").notNull().defaultNow(),
  checksum: text("checksum").notNull(),
});

/** All tables, as handed to drizzle. */
export const schema = { apiTokens, components, monitors, events, checkResults, checkRollups, monitorStates, incidents, incidentUpdates, maintenances, deliveries, notificationMessages, cursors, subscribers, silences, catalogEntries, actionRuns, actionApprovals, appState, clusterLease, clusterNodes, heartbeats, agents, users, userSessions, passwordLinks, auditLog, userTotp, recoveryCodes, loginChallenges, schemaMigrations };

export type Schema = typeof schema;
