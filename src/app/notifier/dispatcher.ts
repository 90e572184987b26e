import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { VigilConfig } from "../../config/index.ts";
import { downstreamOf, type Graph } from "../../incidents/graph.ts";
import { graphOf, publicNamesOf } from "../graph-of.ts";
import type { PublicNames } from "../../incidents/public-names.ts";
import type { Logger } from "../../observability/logger.ts";
import { actionMessageKinds } from "../../notify/action-message.ts";
import { incidentOfEvent, messageFromEvent, statusBefore, type ComponentChange, type DispatchEvent, type IncidentContext, type MessageContext } from "../../notify/message.ts";
import { batchMessage } from "../../notify/routing/batch.ts";
import { catchAllRoute, SilenceSchema, type Route, type Silence } from "../../notify/routing/config.ts";
import { groupStep, type Batch, type GroupState } from "../../notify/routing/group.ts";
import type { SentNotification } from "../../notify/routing/inhibit.ts";
import { planDeliveries } from "../../notify/routing/pipeline.ts";
import type { MessageKind, NotificationMessage } from "../../notify/types.ts";
import type { NewDelivery, SharedMessage, Store, SubscriberRow } from "../../store/types.ts";
import { v2WebhookObjects } from "../../statuspage/render/v2.ts";
import { buildPageView } from "../../statuspage/view/build.ts";
import type { PageView } from "../../statuspage/view/types.ts";
import type { ComponentStatus } from "../../incidents/component-status.ts";
import { statusChangeKind, toStatusChange } from "../incidents/context.ts";
import { gatherViewInput } from "../statuspage/gather.ts";
import { loadGroupState, saveGroupState } from "./group-state.ts";
import { messageJson } from "./message-json.ts";
import { mayReachSubscribers, subscriberDeliveries, subscriberEvent } from "./subscriber-plan.ts";

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
  /** How messages to the public name components (never a hidden one). */
  publicNames: PublicNames;
  maintenance: ReadonlySet<string>;
  components: MessageContext["components"];
  silences: Silence[];
  /** Confirmed subscribers, read when the batch has an event the public hears about. */
  subscribers: () => Promise<SubscriberRow[]>;
  /** The components' status changes around the batch's events (see `statusBefore`). */
  changes: ComponentChange[];
  /** The status page as it is now, when a Statuspage-format webhook may be sent (its /api/v2 objects go with the messages). */
  view: PageView | undefined;
}

/** The dispatcher's cursor name in the store. */
export const cursorName = "notifier";
const batch = 200;
/** Subscriber deliveries are written this many per transaction. */
const publicChunk = 1_000;
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
  #groups: GroupState = { groups: {} };

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
    this.#groups = await loadGroupState(store);
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
    const { store, clock } = this.#deps;
    // Groups due by the clock alone (a group_interval or a reminder that came due) go first.
    const tick = groupStep(this.#groups, { now: clock.now() });
    if (tick.flush.length > 0) {
      const rows = tick.flush.map((b) => this.#batchRow(b, clock.now()));
      await store.transaction(async (tx) => {
        await tx.outbox.enqueue(rows);
        await saveGroupState(tx, tick.state, clock.now());
      });
      this.#groups = tick.state;
      this.#deps.onEnqueued?.();
    }
    for (;;) {
      const after = (await store.outbox.cursor(cursorName)) ?? "0";
      // Its own outcomes (`notification.*`: a delivery's failures, a fan-out's summary) make no message: never read.
      const events = await store.events.list({ afterId: after, exceptKindPrefix: "notification.", limit: batch });
      if (events.length === 0) return;
      // The configuration, graph, statuses, silences and subscribers are read once per batch, not once per event.
      const batchContext = await this.#batchContext(events);
      const before = this.#groups;
      const rows: NewDelivery[] = [];
      let added = 0;
      try {
        for (const event of events) {
          const plan = await this.#plan(event, batchContext);
          rows.push(...plan.team);
          // A fan-out to the public goes out in chunks, each committed and handed to the deliverer at once, so the
          // first subscribers hear before the last rows are written. Safe to repeat: a replay after a crash skips
          // the idempotency keys already stored.
          for (let i = 0; i < plan.public.rows.length; i += publicChunk) {
            const chunk = plan.public.rows.slice(i, i + publicChunk);
            const n = await store.outbox.enqueue(chunk, i === 0 ? plan.public.shared : []);
            added += n;
            if (n > 0) this.#deps.onEnqueued?.();
          }
        }
      } catch (error) {
        this.#groups = before;
        throw error;
      }
      const last = events.at(-1)!.id;
      try {
        await store.transaction(async (tx) => {
          added += await tx.outbox.enqueue(rows);
          if (this.#groups !== before) await saveGroupState(tx, this.#groups, clock.now());
          await tx.outbox.setCursor(cursorName, last, clock.now());
        });
      } catch (error) {
        // Not committed: the events are planned again, from the groups as they were.
        this.#groups = before;
        throw error;
      }
      if (added > 0) this.#deps.onEnqueued?.();
      if (events.length < batch) return;
    }
  }

  async #batchContext(events: readonly DispatchEvent[]): Promise<BatchContext> {
    const config = this.#deps.config();
    const statuses = this.#deps.statuses();
    const now = this.#deps.clock.now();
    const channels = config.notifications.channels.map((c) => c.id);
    const routes = config.notifications.routes as unknown as Route[];
    const grouping = config.notifications.grouping;
    const silences: Silence[] = [];
    for (const row of await this.#deps.store.silences.list({ endingAfter: now })) {
      const parsed = SilenceSchema.safeParse({ id: row.id, matchers: row.matchers, starts_at: row.startsAt, ends_at: row.endsAt, created_by: row.createdBy, comment: row.comment });
      if (parsed.success) silences.push(parsed.data);
      else this.#deps.logger.warn({ silence: row.id }, "a stored silence is unreadable; it is ignored");
    }
    let subscribers: Promise<SubscriberRow[]> | undefined;
    const subscribersOf = () => (subscribers ??= config.subscribers === undefined ? Promise.resolve([]) : this.#deps.store.subscribers.list());
    // The status changes and the status page are read only for a batch with an event that may make a message (not
    // one of signals and status changes alone), the page only when a message may be sent in Statuspage's format.
    const notifying = events.filter((e) => notifiable.test(e.kind));
    const [changes, view] =
      notifying.length === 0
        ? [[], undefined]
        : await Promise.all([
            this.#changesFrom(events[0]?.at ?? now),
            sendsStatuspageFormat(config, notifying, subscribersOf).then((yes) => (yes ? this.#view(config, statuses) : undefined)),
          ]);
    return {
      config,
      channels,
      routes:
        routes.length > 0
          ? routes
          : [{ ...catchAllRoute(channels), groupBy: [...grouping.group_by], groupWaitMs: grouping.group_wait, groupIntervalMs: grouping.group_interval, repeatIntervalMs: grouping.repeat_interval }],
      graph: graphOf(config),
      publicNames: publicNamesOf(config),
      maintenance: this.#deps.maintenanceComponents(),
      components: new Map(config.components.map((c) => [c.id, { name: c.name, group: c.group ?? null, status: statuses[c.id] ?? "operational" }])),
      silences,
      subscribers: subscribersOf,
      changes,
      view,
    };
  }

  /**
   * Every component's status changes from its last one before `from` on, oldest first: enough to tell the status each
   * had just before any event of the batch.
   */
  async #changesFrom(from: Date): Promise<ComponentChange[]> {
    const { events } = this.#deps.store;
    const [latest, since] = await Promise.all([events.latestPerSubject(statusChangeKind), events.statusChanges({ from })]);
    const byId = new Map([...latest, ...since].map((e) => [e.id, e]));
    return [...byId.values()]
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      .map(toStatusChange)
      .map((c) => ({ componentId: c.componentId, at: c.at, from: c.from, to: c.to }));
  }

  /** The status page's view now, as the publisher builds it (upstreams aside: a webhook names our components only). */
  async #view(config: VigilConfig, statuses: Record<string, string>): Promise<PageView> {
    const input = await gatherViewInput(this.#deps.store, config, { now: this.#deps.clock.now(), publicUrl: this.#deps.publicUrl(), statuses: statuses as Record<string, ComponentStatus> });
    return buildPageView(input);
  }

  /** The team channels' deliveries of an event, and the public's (subscribers). */
  async #plan(event: DispatchEvent, batch: BatchContext): Promise<{ team: NewDelivery[]; public: { rows: NewDelivery[]; shared: SharedMessage[] } }> {
    const context = await this.#context(event, batch);
    const team = batch.channels.length === 0 ? [] : this.#planChannels(event, context, batch);
    const publicEvent = subscriberEvent(event, context.incident?.publishedAt ?? null);
    const none = { rows: [], shared: [] };
    if (publicEvent === null || batch.config.subscribers === undefined) return { team, public: none };
    const message = messageFromEvent(publicEvent, { ...context, publicNames: batch.publicNames });
    return { team, public: message === null ? none : subscriberDeliveries(message, await batch.subscribers(), this.#deps.clock.now()) };
  }

  /** The team channels' deliveries: routed, muted, inhibited, then grouped (see `sentAtOnce` for those never held back). */
  #planChannels(event: DispatchEvent, context: MessageContext, batch: BatchContext): NewDelivery[] {
    const { channels } = batch;
    const message = messageFromEvent(event, context);
    if (message === null) return [];
    const now = this.#deps.clock.now();
    const plan = planDeliveries(message, {
      routes: batch.routes,
      allChannels: channels,
      silences: batch.silences,
      maintenanceComponentIds: batch.maintenance,
      now,
      alreadyNotified: this.#planned,
      graph: batch.graph,
    });
    const json = messageJson(message);
    const muted = (destination: string, reason: string): NewDelivery => ({
      eventId: event.id,
      destination,
      idempotencyKey: `${event.id}:${destination}`,
      orderKey: `${destination}:${message.dedupKey}`,
      status: "muted",
      nextAttemptAt: now,
      message: json,
      lastError: reason,
      createdAt: now,
    });
    const rows: NewDelivery[] = [];
    for (const d of plan.deliveries) {
      this.#planned.push({ incidentId: message.incident?.id ?? null, componentIds: message.components.map((c) => c.id), kind: message.kind, channelId: d.channelId, at: now });
      if (sentAtOnce.has(message.kind)) {
        rows.push({ ...muted(d.channelId, ""), status: "pending", lastError: null });
        continue;
      }
      const step = groupStep(this.#groups, { now, message, channelId: d.channelId, route: d.route });
      this.#groups = step.state;
      rows.push(...step.flush.map((b) => this.#batchRow(b, now)));
    }
    if (this.#planned.length > rememberMax) this.#planned.splice(0, this.#planned.length - rememberMax);
    // Muted and inhibited ones are recorded too, so that "why was nobody paged?" has an answer.
    if (plan.muted !== null) for (const id of channels) rows.push(muted(id, `muted: ${plan.muted}`));
    for (const i of plan.inhibited) rows.push(muted(i.channelId, `inhibited: ${i.reason}`));
    return rows;
  }

  /** The outbox row of a group's batch: one message (see batchMessage), keyed by its latest event, in order per group. */
  #batchRow(b: Batch, now: Date): NewDelivery {
    const message = batchMessage(b);
    const key = `${message.eventId}:${b.channelId}`;
    return {
      eventId: message.eventId,
      destination: b.channelId,
      // A reminder repeats an event already delivered: its key says which reminder it is.
      idempotencyKey: b.reason === "repeat_interval" ? `${key}:reminder:${now.getTime()}` : key,
      orderKey: `${b.channelId}:${b.groupKey}`,
      status: "pending",
      nextAttemptAt: now,
      message: messageJson(message),
      lastError: null,
      createdAt: now,
    };
  }

  async #context(event: DispatchEvent, batch: BatchContext): Promise<MessageContext> {
    const { config, components, graph, changes, view } = batch;
    let incident: IncidentContext | undefined;
    // The incident as the event recorded it; the row as it is now only for events from before that was recorded.
    if (event.kind.startsWith("incident.")) incident = incidentOfEvent(event);
    if (incident === undefined && event.kind.startsWith("incident.") && event.subject !== null) {
      const row = await this.#deps.store.incidents.get(event.subject);
      if (row) {
        const updates = await this.#deps.store.incidents.updates(row.id);
        incident = { ...row, impact: row.impactOverride ?? row.impact, latestBody: updates.at(-1)?.body ?? null };
      }
    }
    // An action run's message names its incident (the event's subject, unless that is the run itself) as it is now.
    if (actionMessageKinds.has(event.kind) && event.subject !== null && event.subject !== event.data["run"]) {
      const row = await this.#deps.store.incidents.get(event.subject);
      if (row) incident = { ...row, impact: row.impactOverride ?? row.impact, latestBody: null };
    }
    return {
      site: { name: config.site.name, url: this.#deps.publicUrl() },
      components,
      incident,
      componentsOfMonitor: (monitorId: string) => config.components.filter((c) => c.monitors.includes(monitorId)).map((c) => c.id),
      dependentsOf: (upstreamId: string) => [...downstreamOf(graph, upstreamId).keys()].filter((id) => components.has(id)),
      statusBefore: (componentId: string, at: Date) => statusBefore(changes, componentId, at),
      statuspage: view === undefined ? undefined : (ref) => v2WebhookObjects(view, ref),
    };
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.timers.setTimeout(() => void this.dispatch().then(() => this.#schedule()), 1_000);
  }
}

/**
 * Messages a group never holds back, sent at once to every channel that routes them: an update reminder, and what
 * responders must act on about an action's run (an approval it waits for, with its link, would otherwise wait a
 * group's interval or be folded into another message's list of titles).
 */
const sentAtOnce: ReadonlySet<MessageKind> = new Set<MessageKind>(["incident.update_due", "action.approval_requested", "action.approval_timed_out", "action.ramp_aborted"]);

/**
 * The kinds of the events whose messages may name a component's previous status or go out in Statuspage's format (see
 * messageFromEvent): only then are the status changes and the status page read. An action run's message does neither.
 */
const notifiable = /^(incident|maintenance|monitor|window|upstream|region)\./;

/** Whether a message of `events` may go to a Statuspage-format channel, or to a subscriber who chose that format. */
async function sendsStatuspageFormat(config: VigilConfig, events: readonly DispatchEvent[], subscribers: () => Promise<SubscriberRow[]>): Promise<boolean> {
  if (config.notifications.channels.some((c) => c.type === "webhook" && (c as { format?: unknown }).format === "statuspage")) return true;
  if (config.subscribers?.webhooks !== true || !events.some((e) => mayReachSubscribers(e.kind))) return false;
  return (await subscribers()).some((s) => s.kind === "webhook" && s.format === "statuspage");
}
