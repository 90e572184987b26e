import type { Assignments, BatchAnswer, CheckRequestsBody, ResultBatch } from "../agents/protocol.ts";
import type { Rights } from "../auth/authenticate.ts";
import type { Clock } from "../core/clock.ts";
import type { ErrorDetail } from "../core/errors.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { ComponentStatus } from "../incidents/component-status.ts";
import type { Impact } from "../incidents/impact.ts";
import type { IncidentStatus } from "../incidents/lifecycle.ts";
import type { MaintenanceStatus } from "../incidents/maintenance.ts";
import type { OutageWindow, WindowQuery } from "../incidents/windows.ts";
import type { ActionRunRow, CatalogEntryRow, DeliveryRow, IncidentRow, MaintenanceRow, Store } from "../store/types.ts";
import type { ActionRunParams } from "../store/schema.ts";
import type { UpstreamView } from "../app/upstream/watcher.ts";
import type { RunDecision } from "../app/actions/approve.ts";
import type { LeaderPort } from "./forward.ts";
import type { SitePort } from "./public/site.ts";
import type { ConsoleSettings } from "./console/settings.ts";
import type { UpdateTemplate } from "../config/schema.ts";

/** The outcome of a configuration reload: applied with its catalog diff, or rejected with every error. */
export type ReloadOutcome =
  | { applied: true; file: string; added: string[]; changed: string[]; removed: string[] }
  | { applied: false; file: string; errors: ErrorDetail[] };

/** One readiness check and whether it passed. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  message?: string;
}

/** A monitor's confirmed status, overall and per region. */
export interface MonitorStatusView {
  status: "up" | "degraded" | "down" | "unknown";
  flapping: boolean;
  regions: Record<string, { status: string; lastAt: string; consecutive: number }>;
}

/** The running checks, as the API sees them. */
export interface MonitoringPort {
  status(monitorId: string): MonitorStatusView | undefined;
  /** Reads the states other nodes of a cluster saved, so that `status` is current for the monitors they check. */
  refreshRemote?(): Promise<void>;
  /** Records a heartbeat; false when the id is not a heartbeat monitor. */
  heartbeat(monitorId: string, at: Date): Promise<boolean>;
  heartbeatSecret(monitorId: string): string | undefined;
}

/** Incident, component-status and maintenance verbs that go through the engine, which holds the open incidents. */
export interface IncidentsPort {
  create(
    input: { name: string; body: string; status?: "investigating" | "identified" | "monitoring"; components?: Record<string, ComponentStatus>; impact?: Impact; publish?: boolean },
    actor: string,
    rights?: Rights,
  ): Promise<IncidentRow>;
  personUpdate(id: string, input: { status?: IncidentStatus; body: string; hold?: boolean; publish?: boolean; notify?: boolean }, actor: string, rights?: Rights): Promise<IncidentRow>;
  edit(id: string, input: { name?: string; impact?: Impact | null }, actor: string, rights?: Rights): Promise<IncidentRow>;
  publish(id: string, actor: string): Promise<IncidentRow>;
  savePostmortem(id: string, body: string, actor: string, rights?: Rights): Promise<IncidentRow>;
  publishPostmortem(id: string, actor: string, options?: { force?: boolean }): Promise<IncidentRow>;
  overrideComponent(id: string, status: ComponentStatus | null, actor: string): Promise<ComponentStatus>;
  componentStatuses(): { statuses: Record<string, ComponentStatus>; overridden: string[] };
  windows(query: WindowQuery): Promise<OutageWindow[]>;
  createMaintenance(input: { name: string; body?: string; componentIds: string[]; scheduledFor: Date; scheduledUntil: Date }, actor: string): Promise<MaintenanceRow>;
  editMaintenance(id: string, input: { name?: string; body?: string | null; componentIds?: string[]; scheduledFor?: Date; scheduledUntil?: Date }, actor: string): Promise<MaintenanceRow>;
  moveMaintenance(id: string, to: MaintenanceStatus, actor: string): Promise<MaintenanceRow>;
  cancelMaintenance(id: string, actor: string): Promise<MaintenanceRow>;
}

/** The notifier, as the API sees it. */
export interface NotificationsPort {
  channels(): { id: string; type: string }[];
  /** Sends a test message through a channel now; AppError not_found for an unknown channel. */
  test(channelId: string, actor: string): Promise<{ channel: string; ok: boolean; retryable: boolean | null; detail: string | null }>;
  /** Queues a dead delivery again, due now; AppError not_found for an unknown id, conflict for one that is not dead. */
  retry(deliveryId: string): Promise<DeliveryRow>;
}

/** What the HTTP adapters need from the running application. */
export interface ApiDeps {
  store: Store;
  clock: Clock;
  metrics: Metrics;
  version: string;
  reload(actor: string): Promise<ReloadOutcome>;
  readiness(): Promise<ReadinessCheck[]>;
  monitoring: MonitoringPort;
  incidents: IncidentsPort;
  notifications: NotificationsPort;
  /** The pre-rendered public status page; absent in tests of the API alone. */
  site?: SitePort;
  /** Settings the API reads from the running configuration. */
  settings(): { windowMarginMs: number; timeZone: string; updateTemplates?: readonly UpdateTemplate[] };
  /** The upstream providers' feeds and what they say; absent in tests of the API alone. */
  upstreams?: UpstreamsPort;
  /** Remote probe agents; absent in tests of the API alone. */
  agents?: AgentsPort;
  /** Console settings (session lifetimes, login limits); absent: the defaults. */
  console?: ConsoleSettings;
  /** What the console shows live; absent in tests of the API alone. */
  live?: LivePort;
  /** Runbook actions: the configured ones, and runs asked for; absent in tests of the API alone (no action is configured). */
  actions?: ActionsPort;
  /** The components and monitors kept in the database; absent in tests of the API alone (every entry is the file's). */
  catalog?: CatalogPort;
  /** The cluster: how long a silent node still counts as live; and, on a node that may not lead, where the leader is. */
  cluster?: { liveMs: number; leader?: LeaderPort; node?: string };
}

/** The console's live view: the component statuses this node knows, and a signal after each change it learns of. */
export interface LivePort {
  componentStatuses(): Record<string, ComponentStatus>;
  /** Calls `fn` after each change (this node's, or another node's once this node has caught up); returns a function that stops it. */
  subscribe(fn: () => void): () => void;
  /** Says that something changed outside the engine (a silence), on this node and the others. */
  changed(): void;
}

/** Where remote probe agents fetch their assignments and send their results. */
export interface AgentsPort {
  assignments(region: string): Assignments;
  /** The assignments once their ETag differs from `etag`, or after `waitMs` whatever they are. */
  waitForChange(region: string, etag: string, waitMs: number): Promise<Assignments>;
  seen(agentId: string | undefined, tokenId: string): Promise<void>;
  ingest(batch: ResultBatch, region: string, tokenId: string): Promise<BatchAnswer>;
  /** The monitors the region's agents should check at once, after `cursor`, waiting up to `waitMs` for some. */
  waitForChecks(region: string, cursor: string | undefined, waitMs: number): Promise<CheckRequestsBody>;
  /** The longest a request may be held (below the server's request timeout). */
  maxWaitMs(): number;
}

/** The upstream watcher, as the API sees it. */
export interface UpstreamsPort {
  views(): UpstreamView[];
  /** Reads these feeds now (all by default), unless read in the last few seconds (or `force`). */
  refresh(ids?: readonly string[], options?: { force?: boolean }): Promise<void>;
}

/** Where catalog entries come from, and changes to those kept in the database (validated with the whole configuration). */
export interface CatalogPort {
  sourceOf(kind: "component" | "monitor", id: string): CatalogSource | undefined;
  change(change: CatalogChange, actor: string): Promise<CatalogEntryRow | undefined>;
}

/** A change to a component or monitor kept in the database. */
export type CatalogChange =
  | { op: "create"; kind: "component" | "monitor"; entry: Record<string, unknown> }
  | { op: "replace"; kind: "component" | "monitor"; id: string; entry: Record<string, unknown> }
  | { op: "patch"; kind: "component" | "monitor"; id: string; patch: Record<string, unknown> }
  | { op: "remove"; kind: "component" | "monitor"; id: string };

/** Where a catalog entry is defined. */
export type CatalogSource = "file" | "database";

/** Runbook actions, as the API sees them. */
export interface ActionsPort {
  definitions(): { id: string; type: string }[];
  /** Records a pending run (the leader attempts it); AppError not_found for an unknown action or incident. */
  request(request: { actionId: string; incidentId: string | null; actor: string; user?: string | null; params?: ActionRunParams }): Promise<ActionRunRow>;
  /** Records an approval or a rejection of a run waiting for approval (src/app/actions/approve.ts). */
  decide(decision: RunDecision): Promise<ActionRunRow>;
  /** Cancels a run pending or waiting for approval (src/app/actions/request.ts). */
  cancel(runId: string, actor: string): Promise<ActionRunRow>;
}
