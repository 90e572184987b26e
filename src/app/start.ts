import type { FastifyInstance } from "fastify";
import type { ReadinessCheck, ReloadOutcome } from "../api/deps.ts";
import { buildServer } from "../api/server.ts";
import { catalogFromConfig } from "../catalog/from-config.ts";
import { systemClock, type Clock } from "../core/clock.ts";
import type { VigilConfig } from "../config/index.ts";
import type { Logger } from "../observability/logger.ts";
import { createMetrics } from "../observability/metrics.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import { systemTimers, type Timers } from "../core/timers.ts";
import { Housekeeping } from "./housekeeping.ts";
import { IncidentEngine } from "./incidents/engine.ts";
import { MonitoringService } from "./monitoring.ts";
import { Notifier } from "./notifier/notifier.ts";
import { UpstreamWatcher } from "./upstream/watcher.ts";
import { SubscriptionService } from "./subscriptions/service.ts";
import { signingKey } from "./subscriptions/signing-key.ts";
import { publicUrlOf } from "./statuspage/gather.ts";
import { StatusPagePublisher } from "./statuspage/publisher.ts";
import { ConfigHolder } from "./reloader.ts";

/** Everything `vigil serve` needs to start, already resolved by the CLI. */
export interface StartOptions {
  config: VigilConfig;
  configFile: string;
  env: Record<string, string | undefined>;
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  logger: Logger;
  version: string;
  clock?: Clock;
  timers?: Timers;
  /** Leave monitors unchecked (tests of the HTTP shell). */
  monitoring?: boolean;
  /** How long shutdown waits for in-flight requests before closing their connections. */
  shutdownGraceMs?: number;
}

/** A running Vigil. */
export interface RunningVigil {
  url: string;
  port: number;
  store: Store;
  server: FastifyInstance;
  monitoring: MonitoringService;
  incidents: IncidentEngine;
  statusPage: StatusPagePublisher;
  notifier: Notifier;
  upstreams: UpstreamWatcher;
  config(): VigilConfig;
  reload(actor: string): Promise<ReloadOutcome>;
  /** Stops accepting, drains in-flight requests, closes the store. Safe to call twice. */
  stop(reason: string): Promise<void>;
}

/** Starts Vigil: store (migrated), catalog synced from the config, HTTP server listening. */
export async function startVigil(options: StartOptions): Promise<RunningVigil> {
  const { logger, version } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = performance.now();
  const metrics = createMetrics(version);
  const store = await openStore({ url: options.databaseUrl, dataDir: options.dataDir, logger });
  let stopping: Promise<void> | undefined;
  try {
    const diff = await store.catalog.sync(catalogFromConfig(options.config), clock.now(), "system");
    await store.events.append({ at: clock.now(), kind: "config.loaded", subject: null, actor: "system", data: { file: options.configFile, ...diff } });
    const timers = options.timers ?? systemTimers;
    // Built in this order and bound late: detection events feed incidents, incidents read monitor statuses.
    const incidents = new IncidentEngine({
      store,
      clock,
      timers,
      logger,
      monitorStatus: (id) => monitoring.status(id)?.status ?? "unknown",
      onChange: () => {
        publisher.changed();
        notifier.changed();
      },
      upstreams: () => upstreams.states(),
      // An incident just opened: read its providers' feeds now, even one read a moment ago (it may have just posted).
      refreshUpstreams: (ids) => void upstreams.refresh(ids, { force: true }).catch((error: unknown) => logger.error({ err: error }, "reading upstream feeds failed")),
    });
    // Providers' status feeds: a change is on the timeline (notified), and may explain an open incident.
    const upstreams: UpstreamWatcher = new UpstreamWatcher({
      store,
      clock,
      timers,
      logger,
      config: () => holder.current,
      onChange: () => {
        incidents.upstreamsChanged();
        publisher.changed();
        notifier.changed();
      },
    });
    const monitoring: MonitoringService = new MonitoringService({ store, clock, timers, logger, metrics, onDetected: () => void incidents.detected() }, options.config.probe.concurrency);
    const running = monitoring;
    const monitor = options.monitoring ?? true;
    const retentionOf = (c: VigilConfig) => ({ resultsMs: c.probe.results_retention, rollupsMs: c.probe.rollups_retention });
    const housekeeping = new Housekeeping({ store, clock, timers, logger }, retentionOf(options.config));
    const holder = new ConfigHolder(options.config, {
      file: options.configFile,
      env: options.env,
      store,
      clock,
      logger,
      metrics,
      onApplied: (config) => {
        housekeeping.setRetention(retentionOf(config));
        incidents.apply(config);
        upstreams.apply(config);
        publisher.changed();
        if (monitor) running.apply(config);
      },
    });

    let listening = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${options.port}`;
    // What the status page and the notifier both read of the running Vigil.
    const shared = {
      store,
      clock,
      timers,
      logger,
      config: () => holder.current,
      publicUrl: () => publicUrlOf(holder.current, listening),
      statuses: () => incidents.componentStatuses().statuses,
      upstreams: () => upstreams.views(),
    };
    const publisher: StatusPagePublisher = new StatusPagePublisher(shared);
    const subscriptionKey = signingKey(store, clock);
    const notifier: Notifier = new Notifier({ ...shared, maintenanceComponents: () => incidents.maintenanceComponents(), signingKey: subscriptionKey });
    const subscriptions = new SubscriptionService({ ...shared, signingKey: subscriptionKey });
    const readiness = async (): Promise<ReadinessCheck[]> => {
      const checks: ReadinessCheck[] = [];
      try {
        await store.ping();
        checks.push({ name: "store", ok: true });
        const status = await store.migrationStatus();
        checks.push(status.pending.length === 0 ? { name: "migrations", ok: true } : { name: "migrations", ok: false, message: `pending: ${status.pending.join(", ")}` });
      } catch (error) {
        checks.push({ name: "store", ok: false, message: error instanceof Error ? error.message : "unreachable" });
      }
      if (stopping) checks.push({ name: "shutdown", ok: false, message: "shutting down" });
      return checks;
    };

    const server = buildServer({ store, clock, metrics, version, reload: (actor) => holder.reload(actor), readiness, monitoring: running, incidents, notifications: notifier, upstreams, site: { files: () => publisher.snapshot?.files }, subscriptions, settings: () => ({ windowMarginMs: holder.current.incidents.window_margin, timeZone: holder.current.site.time_zone }) }, logger, {
      bodyLimitBytes: options.config.server.body_limit,
      requestTimeoutMs: options.config.server.request_timeout,
    });
    await server.listen({ host: options.host, port: options.port });
    const address = server.server.address();
    const port = typeof address === "object" && address ? address.port : options.port;
    const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
    listening = url;
    await incidents.start(options.config);
    await publisher.start();
    await notifier.start();
    await upstreams.start();
    if (monitor) await running.start(options.config);
    housekeeping.start();
    logger.info({ url, store: store.description, ms: Math.round(performance.now() - startedAt) }, "vigil is ready");

    const stop = (reason: string): Promise<void> => {
      stopping ??= (async () => {
        logger.info({ reason }, "shutting down: no new connections, draining requests");
        const grace = setTimeout(() => server.server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
        try {
          await server.close();
        } finally {
          clearTimeout(grace);
          await running.stop().catch((error: unknown) => logger.error({ err: error }, "stopping the checks failed"));
          await subscriptions.stop();
          await upstreams.stop();
          await incidents.stop();
          await publisher.stop();
          await notifier.stop();
          await housekeeping.stop();
          await store.close();
          logger.info("stopped");
        }
      })();
      return stopping;
    };
    return { url, port, store, server, monitoring: running, incidents, statusPage: publisher, notifier, upstreams, config: () => holder.current, reload: (actor) => holder.reload(actor), stop };
  } catch (error) {
    await store.close();
    throw error;
  }
}
