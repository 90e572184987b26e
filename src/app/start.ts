import { defaultLoginLimits } from "../auth/login-limiter.ts";
import type { FastifyInstance } from "fastify";
import type { ReadinessCheck, ReloadOutcome } from "../api/deps.ts";
import { buildServer, serverLimitsOf } from "../api/server.ts";
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
import { AgentHub, agentChecksChannel, agentResultsChannel, agentRunningChannel } from "./agents/hub.ts";
import { RegionWatch } from "./agents/region-watch.ts";
import { registerAgentGauges } from "./agents/metrics.ts";
import { registerStoreGauges } from "./store-metrics.ts";
import { Notifier } from "./notifier/notifier.ts";
import { ActionRunner } from "./actions/runner.ts";
import { TriggerFollower } from "./actions/triggers.ts";
import { cancelRun, requestRun, type RunRequest } from "./actions/request.ts";
import { decideRun, type RunDecision } from "./actions/approve.ts";
import { runFacts } from "./actions/facts.ts";
import { UpstreamWatcher } from "./upstream/watcher.ts";
import { SubscriptionService } from "./subscriptions/service.ts";
import { signingKey } from "./subscriptions/signing-key.ts";
import { publicUrlOf } from "./statuspage/gather.ts";
import { StatusPagePublisher } from "./statuspage/publisher.ts";
import { catalogChannel, ConfigHolder, startingConfig } from "./reloader.ts";
import { hostname } from "node:os";
import { monitorsOf } from "../cluster/assign.ts";
import { FollowerView, changedChannel, detectedChannel } from "./cluster/follower-view.ts";
import { LeaderWork, ofLeader, type TermServices } from "./cluster/leader-work.ts";
import { ClusterNode, defaultClusterTiming, type ClusterTiming } from "./cluster/node.ts";
import { runShutdown } from "./shutdown.ts";
import { consoleInviter } from "./console-inviter.ts";
import { consoleOidc } from "./console-oidc.ts";
import { openLocalSocket, type LocalSocket } from "./local-socket.ts";
import { writePidFile, type PidFile } from "./pid-file.ts";
import { LiveChanges } from "./console/live-changes.ts";

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
  /** How long the whole shutdown may take before it gives up naming the step that hung (default: the grace + 20 s). */
  shutdownDeadlineMs?: number;
  /** This node's id in a cluster (default: server.node_id, else the host name and port). */
  nodeId?: string;
  /** The cluster's lease timing (tests). */
  clusterTiming?: Partial<ClusterTiming>;
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
  /** This node in the cluster (one node, always leading, on the embedded store). */
  cluster: ClusterNode;
  config(): VigilConfig;
  reload(actor: string): Promise<ReloadOutcome>;
  /** Stops accepting, drains in-flight requests, closes the store. Safe to call twice. */
  stop(reason: string): Promise<void>;
}

/** The leader's singletons for one term. */
interface LeaderServices extends TermServices {
  incidents: IncidentEngine;
  notifier: Notifier;
  actions: ActionRunner;
  upstreams: UpstreamWatcher;
  housekeeping: Housekeeping;
}

/**
 * Starts Vigil: store (migrated), catalog synced from the config, HTTP server listening, this node in the cluster
 * (leading at once when it is alone), and its share of the checks. On a PostgreSQL server several nodes may run on one
 * database: each serves the pages and the API and checks its share of the monitors; one at a time, the leader, runs
 * the incident engine, the notifier, the upstream watchers and housekeeping (see docs/cluster.md).
 */
export async function startVigil(options: StartOptions): Promise<RunningVigil> {
  const { logger, version } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = performance.now();
  const metrics = createMetrics(version);
  const store = await openStore({ url: options.databaseUrl, dataDir: options.dataDir, logger });
  registerAgentGauges(metrics.registry, () => store.agents.list());
  registerStoreGauges(metrics.registry, () => store.stats.tables());
  let stopping: Promise<void> | undefined;
  // The embedded store's data dir is this process's alone (its lock): the pid file and the local socket live there.
  let pidFile: PidFile | undefined;
  let local: LocalSocket | undefined;
  try {
    // The file's components and monitors, and those the database keeps beside them.
    const effective = await startingConfig(options.config, options.configFile, options.env, store);
    const diff = await store.catalog.sync(catalogFromConfig(effective.config), clock.now(), "system");
    await store.events.append({ at: clock.now(), kind: "config.loaded", subject: null, actor: "system", data: { file: options.configFile, ...diff } });
    const timers = options.timers ?? systemTimers;
    const clustered = store.kind === "postgres";
    const timing = { ...defaultClusterTiming, ...options.clusterTiming };
    const monitoring: MonitoringService = new MonitoringService({ store, clock, timers, logger, metrics, onDetected: () => {
      // The leader's engine reads detection events from the timeline; one appended here is announced to it at once.
      if (leader.current) void leader.current.incidents.detected();
      else if (clustered) void store.cluster.notify(detectedChannel).catch(() => undefined);
    }, askRegions: (monitorId, regions) => agentHub.requestChecks(monitorId, regions), ...(clustered ? { cluster: { node: () => nodeId, liveMs: timing.liveMs, leading: () => leader.current !== undefined } } : {}) }, options.config.probe.concurrency);
    const running = monitoring;
    // Remote agents' assignments and results; detection reads the results from the store (here or on another node).
    const agentHub = new AgentHub({ store, clock, timers, logger, metrics, clustered, config: () => holder.current, onStored: () => running.agentResultsStored(), onRunning: (checks) => running.agentChecksRunning(checks) });
    const monitor = options.monitoring ?? true;
    const retentionOf = (c: VigilConfig) => ({ resultsMs: c.probe.results_retention, rollupsMs: c.probe.rollups_retention, minuteRollupsMs: c.probe.minute_rollups_retention, hourRollupsMs: c.probe.hour_rollups_retention, eventsMs: c.probe.events_retention, deliveriesMs: c.probe.deliveries_retention, sessionIdleMs: c.console.session.idle });
    // This node's share of the monitors: all of them when it is alone (or on the embedded store).
    const ownedOf = (config: VigilConfig, members: readonly string[]): ReadonlySet<string> | null => (clustered ? new Set(monitorsOf(nodeId, config.monitors.map((m) => m.id), members)) : null);
    const holder = new ConfigHolder(effective, {
      file: options.configFile,
      env: options.env,
      store,
      clock,
      logger,
      metrics,
      // The other nodes read the database's entries again when this one changed them.
      onEntriesWritten: () => {
        if (clustered) void store.cluster.notify(catalogChannel).catch(() => undefined);
      },
      onApplied: (config) => {
        const services = leader.current;
        services?.housekeeping.setRetention(retentionOf(config));
        services?.incidents.apply(config);
        services?.upstreams.apply(config);
        publisher.changed();
        live.emit();
        agentHub.changed();
        if (monitor) {
          running.apply(config);
          void running.assign(ownedOf(config, late.cluster?.members ?? [nodeId])).catch((error: unknown) => logger.error({ err: error }, "assigning monitors failed"));
        }
      },
    });

    let listening = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${options.port}`;
    let nodeId = options.nodeId ?? options.config.server.node_id ?? "";
    // What the status page, the notifier and the subscriptions read of the running Vigil: the leader's view while this
    // node leads, else the leader's as recorded in the store.
    const shared = {
      store,
      clock,
      timers,
      logger,
      config: () => holder.current,
      publicUrl: () => publicUrlOf(holder.current, listening),
      statuses: () => leader.current?.incidents.componentStatuses().statuses ?? follower.statuses(),
      upstreams: () => leader.current?.upstreams.views() ?? follower.upstreamViews(),
    };
    // Region detail (statuspage.show_regions) is what this node's monitoring knows of each region.
    const publisher: StatusPagePublisher = new StatusPagePublisher({ ...shared, regionStatus: (id) => monitoring.status(id) });
    // The console's live overview is told of the same changes as the status page.
    const live = new LiveChanges({ store, clustered, logger });
    const inviter = consoleInviter(shared);
    const subscriptionKey = signingKey(store, clock);
    const subscriptions = new SubscriptionService({ ...shared, signingKey: subscriptionKey });

    const leader: LeaderWork<LeaderServices> = new LeaderWork<LeaderServices>({
      store,
      node: () => nodeId,
      logger,
      build: (term, fenced) => {
        const incidents: IncidentEngine = new IncidentEngine({
          store: fenced,
          clock,
          timers,
          logger,
          monitorStatus: (id) => monitoring.status(id)?.status ?? "unknown",
          publicationGate: (since) => monitoring.publicationGate(since),
          ...(clustered ? { refreshStatuses: () => monitoring.refreshRemote() } : {}),
          onChange: () => {
            publisher.changed();
            notifier.changed();
            void triggers.changed();
            live.emit();
            if (clustered) void store.cluster.notify(changedChannel).catch(() => undefined);
          },
          upstreams: () => upstreams.states(),
          // An incident just opened: read its providers' feeds now, even one read a moment ago (it may have just posted).
          refreshUpstreams: (ids) => void upstreams.refresh(ids, { force: true }).catch((error: unknown) => logger.error({ err: error }, "reading upstream feeds failed")),
        });
        // Providers' status feeds: a change is on the timeline (notified), and may explain an open incident.
        const upstreams: UpstreamWatcher = new UpstreamWatcher({
          store: fenced,
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
        const notifier: Notifier = new Notifier({ ...shared, store: fenced, statuses: () => incidents.componentStatuses().statuses, maintenanceComponents: () => incidents.maintenanceComponents(), signingKey: subscriptionKey });
        // Unfenced: rollups are recomputed idempotently (two nodes doing it at once write the same rows) and can take
        // seconds, and a fenced transaction holds the lease row, which the leader's own renewal must update.
        const housekeeping = new Housekeeping({ store, clock, timers, logger }, retentionOf(holder.current));
        // Agents' regions gone silent, for responders.
        const regionWatch = new RegionWatch({ store: fenced, clock, timers, logger, config: () => holder.current, onEvents: () => {
            notifier.changed();
            // region.isolated may trigger actions: read it now rather than at the next poll.
            void triggers.changed();
          },
        });
        // Runbook actions: runs asked for by the API (on any node) are attempted here.
        const actions = new ActionRunner({
          ...shared,
          store: fenced,
          facts: (run, attempt) => runFacts({ store: fenced, windows: (query) => incidents.windows(query), statuses: () => incidents.componentStatuses().statuses, publicUrl: shared.publicUrl }, run, attempt),
          statuses: () => incidents.componentStatuses().statuses,
          // A run that ends after its incident resolved (a reconciliation of the window the resolution closed) joins
          // the postmortem's draft, if nobody edited it yet.
          onOutcome: (run) => {
            if (run.incidentId !== null) void incidents.redraftPostmortem(run.incidentId).catch((error: unknown) => logger.error({ err: error, incident: run.incidentId }, "drafting the postmortem again failed"));
          },
        });
        // Actions' triggers: incident events on the timeline ask for runs here.
        const triggers = new TriggerFollower({ ...shared, store: fenced, onRequested: () => void actions.kick() });
        let unlisten: (() => Promise<void>) | undefined;
        return {
          term,
          incidents,
          notifier,
          actions,
          upstreams,
          housekeeping,
          async start() {
            await incidents.start(holder.current);
            unlisten = await store.listen(detectedChannel, () => void incidents.detected());
            await notifier.start();
            await upstreams.start();
            housekeeping.start();
            await regionWatch.start();
            await actions.start();
            await triggers.start();
            publisher.changed();
          },
          async stop() {
            await unlisten?.();
            await triggers.stop();
            await actions.stop();
            await upstreams.stop();
            await incidents.stop();
            await notifier.stop();
            await housekeeping.stop();
            await regionWatch.stop();
          },
        };
      },
    });
    const follower = new FollowerView({
      store,
      timers,
      logger,
      upstreams: new UpstreamWatcher({ store, clock, timers, logger, config: () => holder.current }),
      active: () => leader.current === undefined,
      onChange: () => {
        publisher.changed();
        live.emit();
      },
    });

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

    const incidentsPort = ofLeader(() => leader.current?.incidents);
    const upstreamsPort = {
      views: () => shared.upstreams(),
      refresh: (ids?: readonly string[], o?: { force?: boolean }) => leader.require().upstreams.refresh(ids, o),
    };
    const notificationsPort = {
      channels: () => holder.current.notifications.channels.map((c) => ({ id: c.id, type: c.type })),
      test: (channelId: string, actor: string) => leader.require().notifier.test(channelId, actor),
      retry: (deliveryId: string) => leader.require().notifier.retry(deliveryId),
    };
    const actionsPort = {
      definitions: () => holder.current.actions.definitions.map((d) => ({ id: d.id, type: d.type })),
      request: async (request: RunRequest) => {
        const run = await requestRun({ store, clock, config: () => holder.current }, request);
        // The leader starts on it at once; another node's leader finds it within a second.
        void leader.current?.actions.kick();
        return run;
      },
      cancel: (runId: string, actor: string) => cancelRun({ store, clock }, runId, actor),
      decide: async (decision: RunDecision) => {
        const run = await decideRun({ store, clock, config: () => holder.current }, decision);
        if (run.status === "pending") void leader.current?.actions.kick();
        return run;
      },
    };
    // The node is made once the server listens (its id and address may come from the port): the API reads it late.
    const late: { cluster?: ClusterNode } = {};
    const leaderPort = {
      isLeader: () => leader.current !== undefined,
      leaderUrl: () => late.cluster?.leaderUrl ?? null,
    };
    const server = buildServer(
      {
        store,
        clock,
        metrics,
        version,
        reload: (actor) => holder.reload(actor),
        catalog: { sourceOf: (kind, id) => holder.sourceOf(kind, id), change: (change, actor) => holder.change(change, actor) },
        readiness,
        monitoring: running,
        incidents: incidentsPort,
        notifications: notificationsPort,
        actions: actionsPort,
        upstreams: upstreamsPort,
        agents: agentHub,
        site: { files: () => publisher.snapshot?.files },
        subscriptions,
        settings: () => ({ windowMarginMs: holder.current.incidents.window_margin, timeZone: holder.current.site.time_zone, updateTemplates: holder.current.incidents.update_templates }),
        console: { sessions: { idleMs: options.config.console.session.idle, absoluteMs: options.config.console.session.absolute }, login: defaultLoginLimits, issuer: options.config.site.name, inviter, timers, oidc: consoleOidc(options.config, shared) },
        live: { componentStatuses: () => shared.statuses(), subscribe: (fn) => live.subscribe(fn), changed: () => live.changed() },
        cluster: {
          liveMs: timing.liveMs,
          ...(clustered ? { leader: leaderPort } : {}),
          get node() {
            return nodeId;
          },
        },
      },
      logger,
      serverLimitsOf(options.config.server),
    );
    await server.listen({ host: options.host, port: options.port });
    const address = server.server.address();
    const port = typeof address === "object" && address ? address.port : options.port;
    const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
    listening = url;
    if (nodeId === "") nodeId = `${hostname()}:${port}`;
    // Where the other nodes reach this one: the configured address, else the host it listens on (its name when that is a wildcard).
    const wildcard = options.host === "0.0.0.0" || options.host === "::";
    const advertised = options.config.server.advertise_url ?? (wildcard ? `http://${hostname()}:${port}` : url);

    const cluster = new ClusterNode({
      store,
      timers,
      logger,
      node: nodeId,
      url: () => advertised,
      checksPerSecond: () => running.checksPerSecond(),
      timing,
      solo: !clustered,
      onElected: async (term) => {
        metrics.clusterLeader.set(1);
        metrics.clusterTerm.set(term);
        await leader.start(term);
      },
      onDeposed: async (term) => {
        metrics.clusterLeader.set(0);
        await leader.stop(term);
        void follower.refresh();
      },
      onMembers: (members) => {
        if (monitor) void running.assign(ownedOf(holder.current, members)).catch((error: unknown) => logger.error({ err: error }, "assigning monitors failed"));
      },
    });
    late.cluster = cluster;
    await publisher.start();
    await cluster.start();
    await follower.start();
    if (monitor) await running.start(holder.current, ownedOf(holder.current, cluster.members));
    const unlistenCatalog = clustered ? await store.listen(catalogChannel, () => void holder.entriesChanged().catch((error: unknown) => logger.error({ err: error }, "reading the catalog entries failed"))) : undefined;
    // Another node stored agents' results: the monitors this node checks may be among them.
    const unlistenAgents = clustered && monitor ? await store.listen(agentResultsChannel, () => running.agentResultsStored()) : undefined;
    const unlistenRunning = clustered && monitor ? await store.listen(agentRunningChannel, (payload) => agentHub.heardRunning(payload)) : undefined;
    // A node asked agents for early checks: those this node holds hear it too.
    const unlistenChecks = clustered ? await store.listen(agentChecksChannel, (payload) => agentHub.heardChecks(payload)) : undefined;
    if (store.kind === "pglite") {
      pidFile = writePidFile(options.dataDir);
      local = await openLocalSocket(options.dataDir, { store, clock, logger, reload: (actor) => holder.reload(actor), inviter });
    }
    logger.info({ url, pid: process.pid, socket: local?.path, node: nodeId, leader: cluster.isLeader, store: store.description, ms: Math.round(performance.now() - startedAt) }, "vigil is ready");

    const stop = (reason: string): Promise<void> => {
      stopping ??= (async () => {
        logger.info({ reason }, "shutting down: handing over the leadership, no new connections, draining requests");
        const graceMs = options.shutdownGraceMs ?? 10_000;
        await runShutdown(
          [
            // The leadership goes first: another node takes it within a second, while this one drains.
            { name: "handing over the leadership", run: () => cluster.stop() },
            {
              name: "draining requests",
              run: async () => {
                // Agents waiting for their assignments to change are answered now: the server waits for every request.
                agentHub.stop();
                const grace = setTimeout(() => server.server.closeAllConnections(), graceMs);
                try {
                  await server.close();
                } finally {
                  clearTimeout(grace);
                }
              },
            },
            { name: "closing the local socket", run: async () => local?.close() },
            { name: "stopping the checks", run: async () => {
              await unlistenAgents?.();
              await unlistenRunning?.();
              await unlistenChecks?.();
              await unlistenCatalog?.();
              await running.stop();
            } },
            { name: "stopping subscriptions", run: () => subscriptions.stop() },
            { name: "stopping the follower's view", run: () => follower.stop() },
            { name: "stopping the status page", run: () => publisher.stop() },
            { name: "removing the pid file", run: async () => pidFile?.remove() },
            { name: "closing the store", run: () => store.close() },
          ],
          { deadlineMs: options.shutdownDeadlineMs ?? graceMs + 20_000, timers, logger },
        );
        logger.info("stopped");
      })();
      return stopping;
    };
    return {
      url,
      port,
      store,
      server,
      monitoring: running,
      get incidents() {
        return leader.require().incidents;
      },
      statusPage: publisher,
      get notifier() {
        return leader.require().notifier;
      },
      get upstreams() {
        return leader.require().upstreams;
      },
      cluster,
      config: () => holder.current,
      reload: (actor) => holder.reload(actor),
      stop,
    };
  } catch (error) {
    await local?.close().catch(() => undefined);
    pidFile?.remove();
    await store.close();
    throw error;
  }
}
