import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { registerEventLoopDelay } from "./event-loop.ts";

/** Vigil's Prometheus metrics, on a registry of their own (no global state). */
export interface Metrics {
  registry: Registry;
  httpRequests: Histogram<"method" | "route" | "status">;
  configReloads: Counter<"result">;
  catalogSize: Gauge<"kind">;
  ready: Gauge;
  checks: Counter<"type" | "status">;
  earlyChecks: Counter<"reason">;
  scheduleLag: Histogram;
  resultsDropped: Counter;
  clusterLeader: Gauge;
  clusterTerm: Gauge;
  agentResults: Counter<"region" | "outcome">;
  agentLate: Counter<"region">;
  vantageSuspect: Gauge;
}

/** Default metrics that are gauges with a counter's `_total` suffix: dropped. */
const countersInName = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"];

export function createMetrics(version: string): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client's totals of active handles, requests and resources are gauges named like counters (promtool rejects
  // them); nodejs_active_handles, nodejs_active_requests and nodejs_active_resources carry the same, by type.
  for (const name of countersInName) registry.removeSingleMetric(name);
  const buildInfo = new Gauge({ name: "vigil_build_info", help: "Vigil's version; always 1.", labelNames: ["version"], registers: [registry] });
  buildInfo.set({ version }, 1);
  registerEventLoopDelay(registry);
  return {
    registry,
    httpRequests: new Histogram({
      name: "vigil_http_request_duration_seconds",
      help: "HTTP requests served, by route pattern and status.",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    configReloads: new Counter({ name: "vigil_config_reloads_total", help: "Configuration reloads, by result (applied, rejected).", labelNames: ["result"], registers: [registry] }),
    catalogSize: new Gauge({ name: "vigil_catalog_items", help: "Components and monitors in the running configuration.", labelNames: ["kind"], registers: [registry] }),
    ready: new Gauge({ name: "vigil_ready", help: "1 when the store is reachable and migrated, else 0.", registers: [registry] }),
    checks: new Counter({ name: "vigil_probe_checks_total", help: "Checks run, by monitor type and result status.", labelNames: ["type", "status"], registers: [registry] }),
    earlyChecks: new Counter({
      name: "vigil_probe_early_checks_total",
      help: "Checks brought forward before their interval, by reason (graph: a monitor they are related to through the dependency graph confirmed a failure; hang: a confirming check started beside one suspected of hanging).",
      labelNames: ["reason"],
      registers: [registry],
    }),
    scheduleLag: new Histogram({
      name: "vigil_probe_schedule_lag_seconds",
      help: "How late checks start against their due time.",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    clusterLeader: new Gauge({ name: "vigil_cluster_leader", help: "1 while this node leads the cluster (runs incidents, notifications, upstream feeds, housekeeping), else 0.", registers: [registry] }),
    agentResults: new Counter({
      name: "vigil_agent_results_total",
      help: "Results remote agents sent to this node, by region and outcome (stored; duplicate: sent again after a lost answer, stored once; rejected).",
      labelNames: ["region", "outcome"],
      registers: [registry],
    }),
    agentLate: new Counter({
      name: "vigil_agent_results_late_total",
      help: "Agents' results this node read more than 5 s after their check ended (a buffer sent after an outage, or a node falling behind): history only, never detection.",
      labelNames: ["region"],
      registers: [registry],
    }),
    vantageSuspect: new Gauge({ name: "vigil_vantage_suspect", help: "1 while most monitors and every canary failed at once: this node's network may be cut off and automatic publication is held, else 0.", registers: [registry] }),
    clusterTerm: new Gauge({ name: "vigil_cluster_term", help: "The fencing term of this node's latest leadership (0 before it ever led).", registers: [registry] }),
    resultsDropped: new Counter({
      name: "vigil_results_dropped_total",
      help: "Check results dropped unwritten because the store stayed unreachable past the in-memory bound (the oldest go first; transitions are events and are kept).",
      registers: [registry],
    }),
  };
}
