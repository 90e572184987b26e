import type { Clock } from "../core/clock.ts";
import type { ErrorDetail } from "../core/errors.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Store } from "../store/types.ts";

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
  /** Records a heartbeat; false when the id is not a heartbeat monitor. */
  heartbeat(monitorId: string, at: Date): boolean;
  heartbeatSecret(monitorId: string): string | undefined;
}

/** Incident verbs that must go through the engine, which holds the open incidents. */
export interface IncidentsPort {
  personUpdate(id: string, input: { status?: "investigating" | "identified" | "monitoring" | "resolved" | "postmortem"; body: string; hold?: boolean }, actor: string): Promise<unknown>;
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
}
