import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { Logger } from "../../observability/logger.ts";
import { nextAttempt, defaultRetryPolicy, type RetryPolicy } from "../../notify/backoff.ts";
import { channelRegistry } from "../../notify/channels/registry.ts";
import type { SendResult } from "../../notify/types.ts";
import type { DeliveryOutcome, DeliveryRow, NewEvent, OpenFanout, Store } from "../../store/types.ts";
import { cursorName } from "./dispatcher.ts";
import { summarizeIfDone } from "./fanout-summary.ts";
import { reviveMessage } from "./message-json.ts";
import { SubscriberSender } from "./subscriber-sender.ts";

/** What the deliverer needs. */
export interface DelivererDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  config(): VigilConfig;
  /** Sends to `subscriber:<id>` destinations. */
  subscribers?: SubscriberSender;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  random?: () => number;
}

/** Deliveries in flight at once (across all destinations; one per destination and cause, see `outbox.due`). */
export const deliveryConcurrency = 64;
/** One attempt's deadline. */
const attemptTimeoutMs = 10_000;
/** Finished attempts wait at most this long to be recorded with others. */
const recordAfterMs = 50;
/** How often due retries are looked for when nothing else wakes the deliverer. */
const pollMs = 1_000;

/** One attempt's result, to be recorded. */
interface Outcome {
  delivery: DeliveryRow;
  result: SendResult;
  at: Date;
}

/**
 * Delivers the outbox: due deliveries (only the oldest pending one per destination and cause, so a
 * resolution never overtakes its alert), through their channel's render and send, with the delivery's
 * idempotency key; a failure is retried with backoff and full jitter, and given up (dead, visible in the
 * API) when the channel says it is not worth retrying or attempts or age run out. Each failure is a timeline event
 * (`notification.failed`, `notification.dead`), and so is each delivery to a team channel (`notification.delivered`);
 * a fan-out to subscribers is one `notification.fanout_summary` with its counts, once each of its deliveries was
 * attempted (see `summarizeIfDone`).
 */
export class Deliverer {
  readonly #deps: DelivererDeps;
  #timer: unknown;
  #running: Promise<void> | undefined;
  #again = false;
  /** Wakes a drain waiting for its attempts: something may be due (a new message, a retry). */
  #wake: (() => void) | undefined;
  #stopped = false;

  constructor(deps: DelivererDeps) {
    this.#deps = deps;
  }

  start(): void {
    void this.kick();
    this.#schedule();
  }

  /** Delivers what is due now. */
  kick(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      this.#wake?.();
      return this.#running;
    }
    this.#running = this.#drain()
      .catch((error: unknown) => this.#deps.logger.error({ err: error }, "delivering notifications failed; retrying"))
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          void this.kick();
        }
      });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.timers.clearTimeout(this.#timer);
    await this.#running;
  }

  /**
   * Keeps up to `deliveryConcurrency` attempts in flight, taking more due deliveries once half the slots are free (a
   * slow receiver holds one slot, not a round), and records finished attempts together: one transaction once half the
   * slots have finished, when nothing else runs, or after `recordAfterMs`. A delivery stays reserved from its attempt
   * until its outcome is committed, so it is never attempted twice at once.
   */
  async #drain(): Promise<void> {
    await this.#summarizeOpen();
    const running = new Map<string, Promise<void>>();
    const reserved = new Set<string>();
    const finished: Outcome[] = [];
    const queue: DeliveryRow[] = [];
    const half = Math.ceil(deliveryConcurrency / 2);
    let exhausted = false;
    let oldestFinishedAt = 0;
    for (;;) {
      if (!this.#stopped && deliveryConcurrency - running.size >= half) {
        // Due deliveries are read several slots' worth at a time; each read one is the oldest pending of its order
        // key, and stays so until its own outcome is recorded, so it may wait in `queue` until a slot frees.
        if (!exhausted && queue.length < half) {
          const due = await this.#deps.store.outbox.due(this.#deps.clock.now(), 4 * deliveryConcurrency + reserved.size);
          const fresh = due.filter((d) => !reserved.has(d.id));
          for (const d of fresh) reserved.add(d.id);
          queue.push(...fresh);
          // Nothing new until an outcome is recorded (it may unblock the next of its order key) or a timer wakes us.
          exhausted = fresh.length === 0;
        }
        const fresh = queue.splice(0, deliveryConcurrency - running.size);
        // Subscribers are read together, not one query per delivery.
        if (this.#deps.subscribers && fresh.some((d) => SubscriberSender.handles(d.destination))) await this.#deps.subscribers.prefetch(fresh.map((d) => d.destination));
        for (const delivery of fresh) {
          running.set(
            delivery.id,
            this.#attempt(delivery).then((outcome) => {
              if (finished.length === 0) oldestFinishedAt = performance.now();
              finished.push(outcome);
              running.delete(delivery.id);
            }),
          );
        }
      }
      if (running.size === 0 && finished.length === 0 && (queue.length === 0 || this.#stopped)) return;
      const recordNow = () => finished.length >= half || running.size === 0 || (finished.length > 0 && performance.now() - oldestFinishedAt >= recordAfterMs);
      // Nothing more to start (stopping, nothing due, or no free slots): wait for an attempt, never spin.
      // A kick meanwhile (a new message, a retry come due) wakes the wait: a slow receiver holds its own slot, not the
      // messages for the other destinations.
      if (running.size > 0 && !recordNow() && (this.#stopped || exhausted || deliveryConcurrency - running.size < half)) {
        const woken = new Promise<void>((resolve) => (this.#wake = resolve));
        await Promise.race([...running.values(), woken, ...(finished.length > 0 ? [this.#sleep(recordAfterMs)] : [])]);
        this.#wake = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          exhausted = false;
          // A kick (the dispatcher has written a fan-out to its end, or the poll) also looks for fan-outs now done.
          await this.#summarizeOpen();
        }
      }
      if (finished.length > 0 && recordNow()) {
        const outcomes = finished.splice(0);
        try {
          await this.#record(outcomes);
        } finally {
          for (const o of outcomes) reserved.delete(o.delivery.id);
        }
        exhausted = false;
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#deps.timers.setTimeout(resolve, ms));
  }

  async #attempt(delivery: DeliveryRow): Promise<Outcome> {
    let result: SendResult;
    try {
      result = await this.#send(delivery);
    } catch (error) {
      result = { ok: false, retryable: true, error: `internal error: ${error instanceof Error ? error.message : String(error)}` };
    }
    return { delivery, result, at: this.#deps.clock.now() };
  }

  async #send(delivery: DeliveryRow): Promise<SendResult> {
    const ctx = {
      signal: AbortSignal.timeout(attemptTimeoutMs),
      idempotencyKey: delivery.idempotencyKey,
      fetch: this.#deps.fetch ?? fetch,
      now: () => this.#deps.clock.now(),
    };
    if (SubscriberSender.handles(delivery.destination)) {
      if (!this.#deps.subscribers) return { ok: false, retryable: false, error: "subscriber deliveries are not enabled" };
      return this.#deps.subscribers.send(delivery.destination, reviveMessage(delivery.message), ctx);
    }
    const channel = this.#deps.config().notifications.channels.find((c) => c.id === delivery.destination);
    if (channel === undefined) return { ok: false, retryable: false, error: `channel ${delivery.destination} is no longer configured` };
    const plugin = channelRegistry[channel.type as keyof typeof channelRegistry];
    if (!plugin) return { ok: false, retryable: false, error: `channel type ${channel.type} is not supported` };
    const { id: _id, type: _type, ...settings } = channel;
    const parsed = plugin.configSchema.safeParse(settings);
    if (!parsed.success) return { ok: false, retryable: false, error: `channel ${channel.id} is misconfigured: ${parsed.error.issues[0]?.message ?? "invalid"}` };
    return plugin.send(plugin.render(reviveMessage(delivery.message), parsed.data), parsed.data, ctx);
  }

  /**
   * Writes the outcomes and their timeline events in one transaction, in two statements, then the summaries of the
   * fan-outs they complete; logs the deliveries given up. A fan-out's success has no event of its own until its
   * summary is recorded (the summary counts it); one after (a retry's, or a dead one retried by hand) has.
   */
  async #record(outcomes: readonly Outcome[]): Promise<void> {
    const rows: DeliveryOutcome[] = [];
    /** Each event, with the fan-out of a success that the fan-out's summary may count instead. */
    const events: { event: NewEvent; fanout: string | null }[] = [];
    const given: { delivery: DeliveryRow; reason: string }[] = [];
    const fanouts = new Map<string, OpenFanout>();
    for (const { delivery, result, at: now } of outcomes) {
      const attempts = delivery.attempts + 1;
      if (delivery.messageId !== null) fanouts.set(delivery.messageId, { messageId: delivery.messageId, eventId: delivery.eventId });
      const event = (kind: string, data: Record<string, unknown>, fanout: string | null = null) =>
        events.push({ event: { at: now, kind, subject: delivery.eventId, actor: "system", data: { destination: delivery.destination, delivery: delivery.id, attempts, ...data } }, fanout });
      if (result.ok) {
        rows.push({ id: delivery.id, status: "delivered", attempts, nextAttemptAt: null, lastError: null, updatedAt: now, deliveredAt: now });
        event("notification.delivered", result.detail ? { detail: result.detail } : {}, delivery.messageId);
        continue;
      }
      const decision = nextAttempt(result, attempts, delivery.createdAt.getTime(), now.getTime(), this.#deps.retry ?? defaultRetryPolicy, this.#deps.random);
      if (decision.retry) {
        rows.push({ id: delivery.id, status: "pending", attempts, nextAttemptAt: new Date(decision.atMs), lastError: result.error, updatedAt: now, deliveredAt: null });
        event("notification.failed", { error: result.error, next_attempt_at: new Date(decision.atMs).toISOString() });
      } else {
        rows.push({ id: delivery.id, status: "dead", attempts, nextAttemptAt: null, lastError: decision.reason, updatedAt: now, deliveredAt: null });
        event("notification.dead", { error: decision.reason });
        given.push({ delivery, reason: decision.reason });
      }
    }
    let summarized = new Set<string>();
    await this.#deps.store.transaction(async (tx) => {
      summarized = await tx.outbox.summarizedFanouts([...fanouts.keys()]);
      await tx.outbox.complete(rows);
      await tx.events.appendMany(events.filter((e) => e.fanout === null || summarized.has(e.fanout)).map((e) => e.event));
    });
    for (const { delivery, reason } of given) this.#deps.logger.warn({ destination: delivery.destination, delivery: delivery.id, reason }, "notification given up");
    const open = [...fanouts.values()].filter((f) => !summarized.has(f.messageId));
    if (open.length > 0) await this.#summarize(open);
  }

  /**
   * Records the summaries of the `fanouts` that are done, each checked again in the transaction that writes it. Its own
   * transaction, after the outcomes': a summary that cannot be written is logged and tried again at the next drain (see
   * #summarizeOpen), never holding back the outcomes (their deliveries would be sent again).
   */
  async #summarize(fanouts: readonly OpenFanout[]): Promise<void> {
    const { store, clock, logger } = this.#deps;
    try {
      // Read first without taking the timeline's lock: most outcomes are recorded while their fan-out is still going.
      const done: OpenFanout[] = [];
      for (const fanout of fanouts) if (!(await store.outbox.fanoutUnattempted(fanout.messageId))) done.push(fanout);
      if (done.length === 0) return;
      await store.transaction(async (tx) => {
        const summarized = await tx.outbox.summarizedFanouts(done.map((f) => f.messageId));
        const dispatched = await tx.outbox.cursor(cursorName);
        for (const fanout of done) if (!summarized.has(fanout.messageId)) await summarizeIfDone(tx, fanout, dispatched, clock.now());
      });
    } catch (error) {
      logger.error({ err: error, fanouts: fanouts.map((f) => f.messageId) }, "recording a fan-out's summary failed; trying again at the next drain");
    }
  }

  /**
   * Records the summaries of the fan-outs that are done but have none: one whose last outcome was recorded before the
   * dispatcher had written all of its deliveries (it kicks the deliverer when it has), or before a restart.
   */
  async #summarizeOpen(): Promise<void> {
    let open: OpenFanout[];
    try {
      open = await this.#deps.store.outbox.openFanouts();
    } catch (error) {
      this.#deps.logger.error({ err: error }, "reading the fan-outs without a summary failed; trying again at the next drain");
      return;
    }
    if (open.length > 0) await this.#summarize(open);
  }

  /** Looks for due deliveries every `pollMs`, also while a drain waits for a slow receiver (the kick wakes it). */
  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.timers.setTimeout(() => {
      void this.kick();
      this.#schedule();
    }, pollMs);
  }
}
