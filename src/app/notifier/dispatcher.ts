import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { VigilConfig } from "../../config/index.ts";
import { buildGraph, type Graph } from "../../incidents/graph.ts";
import type { Logger } from "../../observability/logger.ts";
import { messageFromEvent, type DispatchEvent, type IncidentContext, type MessageContext } from "../../notify/message.ts";
import { catchAllRoute, type Route } from "../../notify/routing/config.ts";
import type { SentNotification } from "../../notify/routing/inhibit.ts";
import { planDeliveries } from "../../notify/routing/pipeline.ts";
import type { NotificationMessage } from "../../notify/types.ts";
import type { NewDelivery, Store } from "../../store/types.ts";

/** What the dispatcher needs. */
export interface DispatcherDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  config(): VigilConfig;
  publicUrl(): string;
  /** Each component's status now. */
  statuses(): Record<string, string>;
  /** Components under maintenance now. */
  maintenanceComponents(): ReadonlySet<string>;
  /** Told when deliveries were enqueued. */
  onEnqueued?: () => void;
}

/** What planning reads, once per batch of events. */
interface BatchContext {
  config: VigilConfig;
  channels: string[];
  routes: Route[];
  graph: Graph;
  maintenance: ReadonlySet<string>;
  components: MessageContext["components"];
}

/** The dispatcher's cursor name in the store. */
export const cursorName = "notifier";
const batch = 200;
/** Planned deliveries remembered for inhibition (a root's page inhibits its dependents' for the incident). */
const rememberMax = 5_000;

/**
 * Reads the timeline after its cursor and turns each event into deliveries: the message it makes, routed,
 * muted and inhibited (`notify/routing`), one outbox row per channel. The rows and the cursor move in one
 * transaction, so an event is dispatched exactly once: a crash before the commit dispatches it again at
 * restart, one after it finds it done. The timeline itself is the outbox's source: every notification
 * follows from an event that was committed with the change that caused it.
 */
export class Dispatcher {
  readonly #deps: DispatcherDeps;
  #timer: unknown;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #planned: SentNotification[] = [];

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
  }

  /** Starts after the newest event when it never ran (history is not notified), then dispatches every second. */
  async start(): Promise<void> {
    const { store, clock } = this.#deps;
    if ((await store.outbox.cursor(cursorName)) === null) {
      const [newest] = await store.events.list({ newestFirst: true, limit: 1 });
      await store.outbox.setCursor(cursorName, newest?.id ?? "0", clock.now());
    }
    for (const row of await store.outbox.list({ limit: 1000 })) {
      if (row.status === "dead" || row.status === "muted") continue;
      const message = row.message as { kind?: NotificationMessage["kind"]; incident?: { id: string } | null; components?: { id: string }[] };
      if (message.kind) this.#planned.push({ incidentId: message.incident?.id ?? null, componentIds: (message.components ?? []).map((c) => c.id), kind: message.kind, channelId: row.destination, at: row.createdAt });
    }
    await this.dispatch();
    this.#schedule();
  }

  /** Dispatches what is new now (or right after a dispatch in progress). */
  dispatch(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop()
      .catch((error: unknown) => this.#deps.logger.error({ err: error }, "dispatching notifications failed; retrying"))
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          void this.dispatch();
        }
      });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.timers.clearTimeout(this.#timer);
    await this.#running;
  }

  async #loop(): Promise<void> {
    const { store } = this.#deps;
    for (;;) {
      const after = (await store.outbox.cursor(cursorName)) ?? "0";
      const events = await store.events.list({ afterId: after, limit: batch });
      if (events.length === 0) return;
      // The configuration, graph and statuses are read once per batch, not once per event.
      const batchContext = this.#batchContext();
      const rows: NewDelivery[] = [];
      for (const event of events) rows.push(...(await this.#plan(event, batchContext)));
      const last = events.at(-1)!.id;
      let added = 0;
      await store.transaction(async (tx) => {
        added = await tx.outbox.enqueue(rows);
        await tx.outbox.setCursor(cursorName, last, this.#deps.clock.now());
      });
      if (added > 0) this.#deps.onEnqueued?.();
      if (events.length < batch) return;
    }
  }

  #batchContext(): BatchContext {
    const config = this.#deps.config();
    const statuses = this.#deps.statuses();
    const channels = config.notifications.channels.map((c) => c.id);
    const routes = config.notifications.routes as unknown as Route[];
    return {
      config,
      channels,
      routes: routes.length > 0 ? routes : [catchAllRoute(channels)],
      graph: buildGraph(config.components.map((c) => ({ id: c.id, dependsOn: c.depends_on }))),
      maintenance: this.#deps.maintenanceComponents(),
      components: new Map(config.components.map((c) => [c.id, { name: c.name, group: c.group ?? null, status: statuses[c.id] ?? "operational" }])),
    };
  }

  async #plan(event: DispatchEvent, batch: BatchContext): Promise<NewDelivery[]> {
    const { config, channels } = batch;
    if (channels.length === 0) return [];
    const message = messageFromEvent(event, await this.#context(event, config, batch.components));
    if (message === null) return [];
    const now = this.#deps.clock.now();
    const plan = planDeliveries(message, {
      routes: batch.routes,
      allChannels: channels,
      silences: [],
      maintenanceComponentIds: batch.maintenance,
      now,
      alreadyNotified: this.#planned,
      graph: batch.graph,
    });
    const json = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
    const row = (destination: string, status: "pending" | "muted", reason: string | null): NewDelivery => ({
      eventId: event.id,
      destination,
      idempotencyKey: `${event.id}:${destination}`,
      orderKey: `${destination}:${message.dedupKey}`,
      status,
      nextAttemptAt: now,
      message: json,
      lastError: reason,
      createdAt: now,
    });
    const rows = plan.deliveries.map((d) => row(d.channelId, "pending", null));
    for (const d of plan.deliveries) this.#planned.push({ incidentId: message.incident?.id ?? null, componentIds: message.components.map((c) => c.id), kind: message.kind, channelId: d.channelId, at: now });
    if (this.#planned.length > rememberMax) this.#planned.splice(0, this.#planned.length - rememberMax);
    // Muted and inhibited ones are recorded too, so that "why was nobody paged?" has an answer.
    if (plan.muted !== null) for (const id of channels) rows.push(row(id, "muted", `muted: ${plan.muted}`));
    for (const i of plan.inhibited) rows.push(row(i.channelId, "muted", `inhibited: ${i.reason}`));
    return rows;
  }

  async #context(event: DispatchEvent, config: VigilConfig, components: MessageContext["components"]) {
    let incident: IncidentContext | undefined;
    if (event.kind.startsWith("incident.") && event.subject !== null) {
      const row = await this.#deps.store.incidents.get(event.subject);
      if (row) {
        const updates = await this.#deps.store.incidents.updates(row.id);
        incident = { ...row, impact: row.impactOverride ?? row.impact, latestBody: updates.at(-1)?.body ?? null };
      }
    }
    return {
      site: { name: config.site.name, url: this.#deps.publicUrl() },
      components,
      incident,
      componentsOfMonitor: (monitorId: string) => config.components.filter((c) => c.monitors.includes(monitorId)).map((c) => c.id),
    };
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.timers.setTimeout(() => void this.dispatch().then(() => this.#schedule()), 1_000);
  }
}
