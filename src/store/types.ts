import type { incidents as incidentsTable, incidentUpdates as incidentUpdatesTable, maintenances as maintenancesTable, silences as silencesTable, catalogEntries as catalogEntriesTable, actionRuns as actionRunsTable, actionApprovals as actionApprovalsTable, subscribers as subscribersTable, ActionRunStatus } from "./schema.ts";

/** What an API token may do; each scope includes the ones before it: read, write, publish, admin. */
export type TokenScope = "read" | "write" | "publish" | "admin" | "agent";

/** An API token as stored: the secret itself is never kept, only its hex SHA-256. */
export interface TokenRow {
  id: string;
  name: string;
  /** The legacy scope it was made with (a ceiling on its role), `agent`, or null for a token made with a role. */
  scope: TokenScope | null;
  /** What it may do; null only for agent tokens. */
  role: UserRole | null;
  /** The console user it belongs to, or null for a named service's token. */
  ownerUserId: string | null;
  secretHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** When it stops being valid; null: never. */
  expiresAt: Date | null;
  /** The region an agent token reports for; null for every other scope. */
  region: string | null;
}

/** A status-page component as stored; removed ones stay so that history can name them. */
export interface ComponentRow {
  id: string;
  name: string;
  group: string | null;
  description: string | null;
  position: number;
  dependsOn: { id: string; soft: boolean }[];
  monitorIds: string[];
  hidden: boolean;
  createdAt: Date;
  updatedAt: Date;
  removedAt: Date | null;
}

/** A monitor as stored, with its validated type-specific settings in `config`. */
export interface MonitorRow {
  id: string;
  type: string;
  name: string | null;
  intervalMs: number;
  timeoutMs: number;
  config: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  removedAt: Date | null;
}

/** An event to append to the timeline; `kind` is `entity.verb`, `actor` is `system`, `token:…` or `user:…`. */
export interface NewEvent {
  at: Date;
  kind: string;
  subject?: string | null;
  actor: string;
  data?: Record<string, unknown>;
}

/** An event as stored; the bigint id comes back as a decimal string. */
export interface StoredEvent extends Required<NewEvent> {
  id: string;
}

/** The catalog as the configuration declares it; sync makes the store match it. */
export interface CatalogInput {
  components: Omit<ComponentRow, "createdAt" | "updatedAt" | "removedAt">[];
  monitors: Omit<MonitorRow, "createdAt" | "updatedAt" | "removedAt">[];
}

/** What a catalog sync did, as ids prefixed `component:` or `monitor:`; a returning entity counts as added. */
export interface CatalogSyncResult {
  added: string[];
  changed: string[];
  removed: string[];
}

/** Filters for listing events; `afterId` is an exclusive cursor, `limit` defaults to 1000. */
export interface EventListOptions {
  afterId?: string;
  kind?: string;
  /** Any of these kinds. */
  kinds?: readonly string[];
  /** Leaves out the kinds that start with this (a follower that reads everything else, such as the dispatcher). */
  exceptKindPrefix?: string;
  subject?: string;
  limit?: number;
  /** Newest first (then `afterId` is not a forward cursor: leave it out). */
  newestFirst?: boolean;
}

/** A check result to store. */
export interface NewCheckResult {
  monitorId: string;
  region: string;
  at: Date;
  status: "up" | "degraded" | "down";
  latencyMs: number;
  facts: Record<string, unknown>;
  error?: { kind: string; message: string } | undefined;
}

/** A remote agent's check result: the agent and its sequence number make it unique. */
export interface NewAgentCheckResult extends NewCheckResult {
  agent: string;
  seq: number;
  warning?: string | undefined;
}

/** An agent's result as stored, with when a node stored it. */
export interface StoredAgentCheckResult extends NewAgentCheckResult {
  id: string;
  receivedAt: Date;
}

/** What an agent says about itself, as stored with each of its batches. */
export interface AgentReport {
  id: string;
  region: string;
  tokenId: string;
  version: string;
  hostname: string | null;
  startedAt: Date;
  bufferResults: number;
  bufferDropped: number;
  checksPerSecond: number;
}

/** An agent as last reported, with when (the database's clock) and the last sequence number stored from it. */
export interface AgentRow extends AgentReport {
  lastSeen: Date;
  lastSeq: number;
}

/** A stored check result; the bigint id comes back as a decimal string. */
export interface StoredCheckResult extends Omit<NewCheckResult, "error"> {
  id: string;
  error: { kind: string; message: string } | null;
}

/** One monitor's aggregate over a minute, hour or day. */
export interface CheckRollupRow {
  monitorId: string;
  bucket: "minute" | "hour" | "day";
  start: Date;
  checks: number;
  failures: number;
  degraded: number;
  latencyP50: number | null;
  latencyP95: number | null;
}

/** A monitor's persisted detection state. */
export interface MonitorStateRow {
  monitorId: string;
  status: string;
  state: Record<string, unknown>;
  updatedAt: Date;
}

/** An incident as stored; see schema.ts for the meaning of each field. */
export type IncidentRow = typeof incidentsTable.$inferSelect;
/** An incident update as stored. */
export type IncidentUpdateRow = typeof incidentUpdatesTable.$inferSelect;
/** A scheduled maintenance as stored. */
export type MaintenanceRow = typeof maintenancesTable.$inferSelect;
/** A confirmed public subscriber. */
export type SubscriberRow = typeof subscribersTable.$inferSelect;
/** A component or monitor kept in the database, as the configuration file would write it. */
export type CatalogEntryRow = typeof catalogEntriesTable.$inferSelect;
/** A run of a runbook action. */
export type ActionRunRow = typeof actionRunsTable.$inferSelect;
/** What an attempt changes in a run: its status, counts, schedule and what it said. */
export type ActionRunPatch = Partial<Pick<ActionRunRow, "status" | "attempts" | "nextAttemptAt" | "deadlineAt" | "output" | "lastError" | "startedAt" | "finishedAt">> & { updatedAt: Date };
/** An approval or rejection of a run waiting for approval. */
export type ActionApprovalRow = typeof actionApprovalsTable.$inferSelect;
/** A stored silence (its matchers as written, checked by the caller). */
export type SilenceRow = typeof silencesTable.$inferSelect;

/** A notification to deliver, as the dispatcher creates it. */
export interface NewDelivery {
  eventId: string;
  destination: string;
  idempotencyKey: string;
  orderKey: string;
  /** pending (the default), or muted (recorded, never sent). */
  status?: "pending" | "muted";
  nextAttemptAt: Date;
  /** The message itself, or the id of a shared one given to `enqueue` (or stored before). */
  message: Record<string, unknown> | { shared: string };
  lastError?: string | null;
  createdAt: Date;
}

/** A message many deliveries share, stored once. */
export interface SharedMessage {
  id: string;
  body: Record<string, unknown>;
}

/** An attempt's outcome, as the deliverer records it. */
export interface DeliveryOutcome {
  id: string;
  status: DeliveryRow["status"];
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  updatedAt: Date;
  deliveredAt: Date | null;
}

/** A delivery as stored; the bigint ids come back as decimal strings. */
export interface DeliveryRow {
  id: string;
  eventId: string;
  destination: string;
  idempotencyKey: string;
  orderKey: string;
  status: "pending" | "delivered" | "dead" | "muted";
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  message: Record<string, unknown>;
  /** The shared message's id when the delivery is part of a fan-out (see `outbox.openFanouts`); null otherwise. */
  messageId: string | null;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
}

/** A fan-out whose summary is not recorded yet: its shared message and the event that caused it. */
export interface OpenFanout {
  messageId: string;
  eventId: string;
}

/**
 * A fan-out's deliveries of one kind of receiver (a subscriber's `email` or `webhook`; null when the subscriber is
 * gone), status and past, counted.
 */
export interface FanoutCount {
  kind: string | null;
  status: DeliveryRow["status"];
  /** Whether these deliveries failed at least once (a delivered one after a retry, a pending one that is retrying, a dead one). */
  failed: boolean;
  count: number;
  /** The earliest and latest `deliveredAt` among them; null when none was delivered. */
  firstDeliveredAt: Date | null;
  lastDeliveredAt: Date | null;
}

/** The cluster's leadership as stored; times are the database's. */
export interface LeaseRow {
  node: string;
  term: number;
  since: Date;
  expiresAt: Date;
  /** The database's clock when this was read. */
  databaseNow: Date;
}

/** A node of the cluster as it last reported itself. */
export interface ClusterNodeRow {
  node: string;
  url: string;
  startedAt: Date;
  lastSeen: Date;
  checksPerSecond: number;
  stoppedAt: Date | null;
  /** Seen recently (by the database's clock) and not stopped. */
  live: boolean;
}

/** Filters for listing incidents; every one given must hold. */
export interface IncidentListOptions {
  openOnly?: boolean;
  /** Any of these statuses. */
  statuses?: readonly string[];
  /** Incidents whose roots or impact include this component. */
  componentId?: string;
  /** Incidents that were open at some time in [from, to): started before `to`, resolved (if at all) at or after `from`. */
  from?: Date;
  to?: Date;
  limit: number;
}

/** A console user's role; see src/auth/roles.ts for what each may do. */
export type UserRole = "owner" | "admin" | "responder" | "viewer";

/** A table's size as the database's catalog and statistics tell it (no table is scanned). */
export interface TableStats {
  name: string;
  /** On disk, with its indexes and TOAST. */
  bytes: number;
  /** An estimate (the statistics' live rows); null when the database has none yet. */
  rows: number | null;
}

/** One audit-log entry. */
export interface AuditRow {
  id: number;
  at: Date;
  /** A user's email, a service token's name, or "cli". */
  actor: string;
  /** How: an API token, a console session, the local socket, or the CLI writing the store itself. */
  via: "token" | "session" | "socket" | "cli";
  tokenId: string | null;
  /** The permission the write needed, e.g. incidents.write. */
  action: string;
  /** What was done, e.g. createIncident. */
  operation: string;
  targetKind: string;
  targetId: string | null;
  status: number;
  summary: Record<string, unknown>;
  clientAddress: string | null;
}

/** Which audit entries to read; `action` matches the action or the operation. */
export interface AuditFilter {
  actor?: string;
  action?: string;
  since?: Date;
  until?: Date;
}

/** A console user as stored; `passwordHash` is an argon2id PHC string, null until a password is set. */
export interface UserRow {
  id: string;
  email: string;
  role: UserRole;
  passwordHash: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Set when the user may no longer sign in; null: active. */
  disabledAt: Date | null;
}

/** A console session as stored: `idHash` is the SHA-256 of the cookie's secret, never the secret. */
export interface SessionRow {
  idHash: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** The absolute end of the session, however active it is. */
  expiresAt: Date;
  address: string | null;
  userAgent: string | null;
}

/** A one-time set-password link as stored: only the SHA-256 of its secret. */
export interface PasswordLinkRow {
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** `password`: set a password; `invite`: an invitation, which also signs the invitee in. */
  purpose: "password" | "invite";
}

/** A user's TOTP second factor as stored: `secret` once enrolled, `pendingSecret` while enrolling. */
export interface TotpRow {
  userId: string;
  secret: string | null;
  pendingSecret: string | null;
  enabledAt: Date | null;
  lastStep: number | null;
}

/** A sign-in waiting for its second factor: `idHash` is the SHA-256 of its cookie's secret. */
export interface LoginChallengeRow {
  idHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Vigil's persistence: PGlite in a data dir, or a PostgreSQL server. */
export interface Store {
  readonly kind: "pglite" | "postgres";
  /** Where the data lives, e.g. "PGlite at ./.vigil" or the URL with its password redacted. */
  readonly description: string;
  /** Checks the database answers; throws AppError store_unavailable otherwise. */
  ping(): Promise<void>;
  /** Migration file names (e.g. `0001_foundation`) applied to the database and not yet applied. */
  migrationStatus(): Promise<{ applied: string[]; pending: string[] }>;
  tokens: {
    /** Stores a new token; AppError conflict if the id exists. */
    /** Without a role, a legacy scope's (read: viewer, write and publish: responder, admin: owner). */
    create(row: Omit<TokenRow, "lastUsedAt" | "revokedAt" | "expiresAt" | "region" | "ownerUserId" | "role"> & { role?: UserRole | null; expiresAt?: Date | null; region?: string | null; ownerUserId?: string | null }): Promise<void>;
    get(id: string): Promise<TokenRow | undefined>;
    /** Newest first, revoked ones included. */
    list(): Promise<TokenRow[]>;
    /** False when the token is unknown or already revoked. */
    revoke(id: string, at: Date): Promise<boolean>;
    /** Records a use; never moves last_used_at backwards. */
    touch(id: string, at: Date): Promise<void>;
  };
  catalog: {
    /** Makes the catalog match `input` in one transaction, appending one `catalog.synced` event when anything changed. */
    sync(input: CatalogInput, at: Date, actor: string): Promise<CatalogSyncResult>;
    /** Ordered by position, then id. */
    components(options?: { includeRemoved?: boolean }): Promise<ComponentRow[]>;
    /** Ordered by id. */
    monitors(options?: { includeRemoved?: boolean }): Promise<MonitorRow[]>;
    /** One monitor that has not been removed. */
    monitor(id: string): Promise<MonitorRow | undefined>;
  };
  /** Components and monitors kept in the database (validated by the caller against the configuration's schema). */
  catalogEntries: {
    /** By kind, then creation time, then id. */
    list(): Promise<CatalogEntryRow[]>;
    get(kind: CatalogEntryRow["kind"], id: string): Promise<CatalogEntryRow | undefined>;
    /** AppError conflict when the kind and id exist. */
    create(row: CatalogEntryRow): Promise<void>;
    /** Replaces an entry's body; undefined when unknown. */
    update(kind: CatalogEntryRow["kind"], id: string, entry: Record<string, unknown>, at: Date, actor: string): Promise<CatalogEntryRow | undefined>;
    /** False when unknown. */
    remove(kind: CatalogEntryRow["kind"], id: string): Promise<boolean>;
  };
  events: {
    append(event: NewEvent): Promise<StoredEvent>;
    /** Appends many in order, in as few statements as it can. */
    appendMany(events: readonly NewEvent[]): Promise<void>;
    /** Ascending id. */
    list(options?: EventListOptions): Promise<StoredEvent[]>;
    /**
     * The `component.status_changed` events outage windows overlapping [from, to) are made of, for these components
     * (all when left out), ascending id: per component from the opening of the window in progress at `from` to the end
     * of the one in progress at `to`. Unbounded sides read to the timeline's start or end.
     */
    statusChanges(query: { componentIds?: readonly string[]; from?: Date; to?: Date }): Promise<StoredEvent[]>;
    /**
     * What a status page's bars need for these components: each one's `component.status_changed` event in force at
     * `from` (its last one before), and every one since, ascending id. Reads one event per component before `from`,
     * however long the history.
     */
    statusChangesSince(from: Date, componentIds: readonly string[]): Promise<StoredEvent[]>;
    /** The newest event of `kind` for each subject, however old, ascending id. */
    latestPerSubject(kind: string): Promise<StoredEvent[]>;
    /**
     * Deletes events older than `before`, oldest first, in statements of at most `batch` rows; returns how many. Kept
     * whatever their age: an incident's timeline until the incident was resolved before `before` (then all of it goes);
     * the events of an action run that is not over; each component's status changes from its last change before
     * `before` that left it unimpaired (the outage window in progress then keeps its opening); the newest event of
     * each kind for each subject; and every event after the position of a stored cursor.
     */
    prune(before: Date, batch?: number): Promise<number>;
  };
  results: {
    /** Writes a batch, in statements of at most a few thousand rows. */
    insertMany(rows: NewCheckResult[]): Promise<void>;
    /** Newest first, `from` inclusive, `to` exclusive. */
    list(monitorId: string, options: { from?: Date; to?: Date; limit: number }): Promise<StoredCheckResult[]>;
    /**
     * Which (monitor, minute) buckets the results stored after the result id `afterId` fall in, for those whose check
     * time is before `before` (results that came late: an agent's buffer sent after an outage), by minute; and the
     * newest result id now ("0" for none), the cursor for the next call.
     */
    lateSince(afterId: string, before: Date): Promise<{ upToId: string; buckets: { monitorId: string; minute: Date }[] }>;
    /** Deletes results older than `before`, in statements of at most `batch` rows; returns how many. */
    prune(before: Date, batch?: number): Promise<number>;
  };
  rollups: {
    /** (Re)computes the `bucket` rollups of results in [from, to) from the raw results, of every monitor or of `monitorIds` (any number); idempotent. */
    compute(bucket: "minute" | "hour" | "day", from: Date, to: Date, monitorIds?: readonly string[]): Promise<number>;
    /** Oldest first, `start` in [from, to). */
    list(monitorId: string, bucket: "minute" | "hour" | "day", from: Date, to: Date): Promise<CheckRollupRow[]>;
    /** Deletes rollups that start before `before` (one time for every bucket, or one per bucket), in statements of at most `batch` rows; returns how many. */
    prune(before: Date | Record<"minute" | "hour" | "day", Date>, batch?: number): Promise<number>;
  };
  monitorStates: {
    /** Every saved state, or only those saved after `updatedSince`, or only those of `monitorIds`. */
    load(options?: { updatedSince?: Date; monitorIds?: readonly string[] }): Promise<MonitorStateRow[]>;
    save(rows: MonitorStateRow[]): Promise<void>;
  };
  incidents: {
    /** AppError conflict when the id exists. */
    create(row: IncidentRow): Promise<void>;
    get(id: string): Promise<IncidentRow | undefined>;
    /** Newest first by start. */
    list(options: IncidentListOptions): Promise<IncidentRow[]>;
    /** AppError not_found for an unknown id. */
    update(id: string, patch: Partial<Omit<IncidentRow, "id" | "createdAt">>): Promise<IncidentRow>;
    /** AppError conflict for a duplicate id; the incident must exist. */
    addUpdate(row: IncidentUpdateRow): Promise<void>;
    /** Oldest first. */
    updates(incidentId: string): Promise<IncidentUpdateRow[]>;
    /** The updates of several incidents at once, oldest first. */
    updatesOf(incidentIds: readonly string[]): Promise<IncidentUpdateRow[]>;
  };
  maintenances: {
    /** AppError conflict when the id exists. */
    create(row: MaintenanceRow): Promise<void>;
    get(id: string): Promise<MaintenanceRow | undefined>;
    /** By scheduled start, then id; `limit` defaults to 1000. */
    list(options?: { statuses?: readonly string[]; source?: "config" | "api"; limit?: number }): Promise<MaintenanceRow[]>;
    /** AppError not_found for an unknown id. */
    update(id: string, patch: Partial<Omit<MaintenanceRow, "id" | "createdAt">>): Promise<MaintenanceRow>;
  };
  outbox: {
    /** The event id a named reader has processed up to; null when it never ran. */
    cursor(name: string): Promise<string | null>;
    setCursor(name: string, eventId: string, at: Date): Promise<void>;
    /** Inserts deliveries (and the shared messages they name), skipping any whose idempotency key exists; returns how many were new. */
    enqueue(rows: readonly NewDelivery[], shared?: readonly SharedMessage[]): Promise<number>;
    /** Pending deliveries due at `now`, only the oldest pending one of each order key, soonest first. */
    due(now: Date, limit: number): Promise<DeliveryRow[]>;
    /** AppError not_found for an unknown id. */
    update(id: string, patch: Partial<Pick<DeliveryRow, "status" | "attempts" | "nextAttemptAt" | "lastError" | "updatedAt" | "deliveredAt">>): Promise<DeliveryRow>;
    /** Records many attempts' outcomes at once (unknown ids are skipped); `nextAttemptAt` null keeps the row's. */
    complete(outcomes: readonly DeliveryOutcome[]): Promise<void>;
    /** Newest first; `limit` defaults to 100. */
    list(options?: { status?: DeliveryRow["status"]; destination?: string; limit?: number }): Promise<DeliveryRow[]>;
    get(id: string): Promise<DeliveryRow | undefined>;
    /**
     * Moves a dead delivery back to pending, due at `at` with its attempts counted afresh (its message, key and
     * creation time kept), in one conditional update. AppError not_found for an unknown id, conflict for a delivery
     * that is not dead (pending, delivered or muted).
     */
    retry(id: string, at: Date): Promise<DeliveryRow>;
    /**
     * The fan-outs (messages shared by many deliveries) whose summary is not recorded yet, oldest first, with their
     * event; one whose message was stored without any delivery yet (a crash between the two) is left out.
     */
    openFanouts(): Promise<OpenFanout[]>;
    /** Of these fan-outs, the ones whose summary is recorded. */
    summarizedFanouts(messageIds: readonly string[]): Promise<Set<string>>;
    /**
     * Whether a delivery of the fan-out still waits for its first attempt, other than one held behind an earlier
     * delivery of its order key that is being retried (a subscriber whose server refused the previous message).
     */
    fanoutUnattempted(messageId: string): Promise<boolean>;
    /** The fan-out's deliveries counted by receiver kind, status and past (see FanoutCount). */
    fanoutCounts(messageId: string): Promise<FanoutCount[]>;
    /** Records that the fan-out's summary is written, at `at`. */
    markFanoutSummarized(messageId: string, at: Date): Promise<void>;
    /**
     * Deletes finished deliveries (delivered, dead, muted) not updated since `before`, except those whose message is
     * about an incident still open, then the shared messages made before `before` that no delivery uses; in statements
     * of at most `batch` rows. Pending deliveries are never deleted. Returns how many of each went.
     */
    prune(before: Date, batch?: number): Promise<{ deliveries: number; messages: number }>;
  };
  stats: {
    /** Every table of the store with its size on disk (with indexes and TOAST) and its estimated rows, by name. */
    tables(): Promise<TableStats[]>;
    /**
     * Makes the space of the rows deleted or rewritten in the tables that churn reusable, and refreshes their statistics
     * (VACUUM ANALYZE, one table at a time). PostgreSQL's autovacuum does this by itself; the embedded store has none.
     */
    vacuum(): Promise<void>;
  };
  subscribers: {
    /** Stores a confirmed subscriber; one already there (same kind and address) keeps its id and takes the new components. */
    confirm(row: SubscriberRow): Promise<SubscriberRow>;
    get(id: string): Promise<SubscriberRow | undefined>;
    /** The ones of `ids` that exist, in no particular order. */
    getMany(ids: readonly string[]): Promise<SubscriberRow[]>;
    find(kind: SubscriberRow["kind"], address: string): Promise<SubscriberRow | undefined>;
    /** By id; `afterId` pages; `limit` defaults to 100,000. */
    list(options?: { kind?: SubscriberRow["kind"]; afterId?: string; limit?: number }): Promise<SubscriberRow[]>;
    count(): Promise<number>;
    /** False when there was no such subscriber. */
    remove(id: string): Promise<boolean>;
    /** Adds or updates (same kind and address: new components) many at once. */
    importMany(rows: readonly SubscriberRow[]): Promise<{ added: number; updated: number }>;
  };
  /** Runs of runbook actions. */
  actionRuns: {
    /** Adds a pending run; with an idempotency key already used, nothing is added and the run that has it is returned. */
    create(row: ActionRunRow): Promise<ActionRunRow>;
    get(id: string): Promise<ActionRunRow | undefined>;
    /** The run that has this idempotency key, if any. */
    byKey(idempotencyKey: string): Promise<ActionRunRow | undefined>;
    /** Newest first; filtered by incident, action and status. */
    list(options?: { incidentId?: string; actionId?: string; status?: ActionRunRow["status"]; limit?: number }): Promise<ActionRunRow[]>;
    /** Pending runs due at `now`, oldest due first. */
    due(now: Date, limit: number): Promise<ActionRunRow[]>;
    /** Moves a pending run to running and counts the attempt (one conditional statement: of two claims, one wins); undefined when it was not pending. */
    claim(id: string, at: Date): Promise<ActionRunRow | undefined>;
    /**
     * Cancels a run that is not over (pending, waiting for approval, or running: its attempt is then aborted by the
     * runner that holds it) in one conditional statement; undefined when it is over.
     */
    cancel(id: string, at: Date): Promise<ActionRunRow | undefined>;
    /** Records what an attempt changed in a running run; undefined when it is unknown (or, with `onlyIf`, not in that status: cancelled meanwhile). */
    update(id: string, patch: ActionRunPatch, onlyIf?: ActionRunStatus): Promise<ActionRunRow | undefined>;
    /** Runs left running by a leader that stopped, moved back to pending and due at `at`; returns them. */
    requeueRunning(at: Date): Promise<ActionRunRow[]>;
    /**
     * Takes a run waiting for approval for this transaction (a conditional update that locks its row, so that two
     * decisions about it are counted one after the other); undefined when it is unknown or not waiting.
     */
    holdWaiting(id: string, at: Date): Promise<ActionRunRow | undefined>;
    /** Runs waiting for approval whose approval timed out at `now`, the oldest first. */
    approvalsExpired(now: Date, limit: number): Promise<ActionRunRow[]>;
  };
  /** Approvals and rejections of runs waiting for approval: one per run and person. */
  actionApprovals: {
    /** Records a decision; undefined (nothing added) when this person already decided about this run. */
    add(row: ActionApprovalRow): Promise<ActionApprovalRow | undefined>;
    /** A run's decisions, in the order they were made. */
    list(runId: string): Promise<ActionApprovalRow[]>;
  };
  silences: {
    /** AppError conflict when the id exists. */
    create(row: SilenceRow): Promise<void>;
    get(id: string): Promise<SilenceRow | undefined>;
    /** By start, then id; `endingAfter` keeps those still active or to come at that time. */
    list(options?: { endingAfter?: Date; limit?: number }): Promise<SilenceRow[]>;
    /** Ends a silence at `at`; undefined when unknown or already ended by then. */
    expire(id: string, at: Date): Promise<SilenceRow | undefined>;
  };
  state: {
    get(name: string): Promise<unknown>;
    put(name: string, value: unknown, at: Date): Promise<void>;
    /** Stores `value` unless the name exists; returns what is stored (so concurrent callers agree). */
    putIfAbsent(name: string, value: unknown, at: Date): Promise<unknown>;
    /**
     * In a transaction: the stored value (`empty`, stored now, when the name is absent), its row locked until the commit,
     * so that read-modify-writes of one document by several nodes take turns.
     */
    getForUpdate(name: string, empty: unknown, at: Date): Promise<unknown>;
  };
  cluster: {
    /** Takes the leadership for `ttlMs` when it is free or expired (a new term), or renews it when `node` holds it; null when another node holds it. */
    acquire(node: string, ttlMs: number): Promise<LeaseRow | null>;
    /** Ends `node`'s leadership of `term` now (a clean stop); false when it did not hold it. */
    release(node: string, term: number): Promise<boolean>;
    /** The lease as stored, and whether it is still valid; null before any node led. */
    leader(): Promise<(LeaseRow & { valid: boolean }) | null>;
    /**
     * AppError conflict unless `node` holds a valid lease in `term`. In a transaction it holds the lease row until the
     * commit, so no other node can begin a new term before the transaction's writes are in (fencing).
     */
    fence(node: string, term: number): Promise<void>;
    /** Records that a node is alive now, with its URL and its check rate. */
    seen(node: { node: string; url: string; checksPerSecond: number }): Promise<void>;
    /** Marks a node stopped (a clean shutdown). */
    stopped(node: string): Promise<void>;
    /** Every node that reported itself, by id; `live` when seen within `liveMs` and not stopped. */
    nodes(liveMs: number): Promise<ClusterNodeRow[]>;
    forget(node: string): Promise<void>;
    /** Wakes the nodes listening on `channel` (PostgreSQL NOTIFY), with a short `payload` (under 8,000 bytes). */
    notify(channel: string, payload?: string): Promise<void>;
  };
  users: {
    /** Stores a new user; AppError conflict when the id or the email (whatever its case) exists. */
    create(row: Omit<UserRow, "passwordHash" | "disabledAt" | "updatedAt">): Promise<void>;
    get(id: string): Promise<UserRow | undefined>;
    /** The user with this email, compared without regard to case. */
    byEmail(email: string): Promise<UserRow | undefined>;
    /** Every user, oldest first. */
    list(): Promise<UserRow[]>;
    /** Replaces a user's password hash; false when there is no such user. */
    setPassword(id: string, passwordHash: string, at: Date): Promise<boolean>;
    /** Marks a user disabled (or active again with null); false when there is no such user. */
    setDisabled(id: string, at: Date | null, now: Date): Promise<boolean>;
    /** Gives a user another role (their tokens follow at once); false when there is no such user. */
    setRole(id: string, role: UserRole, now: Date): Promise<boolean>;
  };
  sessions: {
    create(row: SessionRow): Promise<void>;
    get(idHash: string): Promise<SessionRow | undefined>;
    /** Moves last_seen_at forward (never back). */
    touch(idHash: string, at: Date): Promise<void>;
    /** Ends one session; false when it did not exist. */
    remove(idHash: string): Promise<boolean>;
    /** Ends every session of a user ("sign out everywhere") but `keepIdHash`'s, if given; returns how many ended. */
    removeAllOf(userId: string, keepIdHash?: string): Promise<number>;
    /** Deletes sessions whose absolute end is at or before `before`, or idle since `idleBefore`; returns how many. */
    prune(before: Date, idleBefore: Date): Promise<number>;
  };
  passwordLinks: {
    create(row: Omit<PasswordLinkRow, "usedAt" | "purpose"> & { purpose?: PasswordLinkRow["purpose"] }): Promise<void>;
    /** Marks every unused link of a user used at `at` (a new invitation replaces the old one); returns how many. */
    revokeAllOf(userId: string, at: Date): Promise<number>;
    /** The latest expiry of each user's unused links of `purpose`, by user id (who has an invitation open, until when). */
    openUntil(purpose: PasswordLinkRow["purpose"]): Promise<Map<string, Date>>;
    get(tokenHash: string): Promise<PasswordLinkRow | undefined>;
    /**
     * Marks a link used if it is unused and not expired at `at`, and returns its user id; undefined otherwise.
     * Only one caller ever gets the user id for a link.
     */
    use(tokenHash: string, at: Date): Promise<string | undefined>;
  };
  audit: {
    /** Appends one entry; there is no way to change or remove one (the database refuses it too). */
    append(row: Omit<AuditRow, "id">): Promise<void>;
    /** Entries newest first, matching `filter`, at most `limit`, with ids below `before` when given. */
    list(filter: AuditFilter, limit: number, before?: number): Promise<AuditRow[]>;
  };
  /** TOTP second factors and their recovery codes. */
  secondFactors: {
    get(userId: string): Promise<TotpRow | undefined>;
    /** Stores a pending secret for a user whose second factor is not on (replacing an earlier pending one); false when it is on. */
    begin(userId: string, pendingSecret: string): Promise<boolean>;
    /**
     * Turns the second factor on with the pending secret, if it is still `pendingSecret`; records `step` as used and
     * replaces the recovery codes with `recoveryHashes`. False when the pending secret changed or it is on already.
     */
    enable(userId: string, pendingSecret: string, at: Date, step: number, recoveryHashes: readonly string[]): Promise<boolean>;
    /** Records a code's time step as used, only if it is later than the last one used; false: a replay or an older code. */
    useStep(userId: string, step: number): Promise<boolean>;
    /** Spends an unused recovery code; false when the user has no such unused code. */
    useRecoveryCode(userId: string, codeHash: string, at: Date): Promise<boolean>;
    /** How many unused recovery codes a user has. */
    recoveryCodesLeft(userId: string): Promise<number>;
    /** Removes a user's second factor and recovery codes; false when there was none on. */
    remove(userId: string): Promise<boolean>;
    /** The ids of the users whose second factor is on. */
    enabledUserIds(): Promise<Set<string>>;
  };
  loginChallenges: {
    create(row: LoginChallengeRow): Promise<void>;
    get(idHash: string): Promise<LoginChallengeRow | undefined>;
    /** Ends a challenge; false when it did not exist (so two uses cannot both go on). */
    remove(idHash: string): Promise<boolean>;
    /** Deletes challenges that ended at or before `before`; returns how many. */
    prune(before: Date): Promise<number>;
  };
  agents: {
    /**
     * Stores an agent's results, skipping any whose (agent, seq) is stored already, and its report (last seen: now,
     * the database's clock). Returns how many results were new. Call it in a transaction, so that results are
     * committed in the order of their ids (see `resultsAfter`).
     */
    ingest(rows: readonly NewAgentCheckResult[], report: AgentReport): Promise<number>;
    /** Records that an agent asked for its assignments (last seen: now), if it reported itself before. */
    seen(id: string, tokenId: string): Promise<void>;
    /** Every agent that reported itself, by id. */
    list(): Promise<AgentRow[]>;
    /** Agents' results with an id after `after` (a cursor, "0" for all), by id, at most `limit`. */
    resultsAfter(after: string, limit: number): Promise<StoredAgentCheckResult[]>;
    /** A cursor from which `resultsAfter` reads the results stored since `since`. */
    cursorSince(since: Date): Promise<string>;
  };
  heartbeats: {
    /** Records a heartbeat monitor's ping; never moves it backwards. */
    record(monitorId: string, at: Date): Promise<void>;
    last(monitorId: string): Promise<Date | null>;
  };
  /**
   * Calls `fn` when another connection notifies `channel` (PostgreSQL LISTEN on a connection of its own, re-opened when
   * lost); nothing on PGlite, which is one process. Returns a function that stops listening.
   */
  listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  /** Runs `fn` in one transaction, rolled back if it throws; serialised on PGlite, so never use the outer store inside `fn`. */
  transaction<T>(fn: (tx: Omit<Store, "close" | "transaction" | "listen">) => Promise<T>): Promise<T>;
  /** Closes connections and releases the data-dir lock; idempotent. */
  close(): Promise<void>;
}

/** The slice of a logger the store uses (pino's shape). */
export interface StoreLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}
