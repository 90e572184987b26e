import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { Logger } from "../../observability/logger.ts";
import { nextAttempt, defaultRetryPolicy, type RetryPolicy } from "../../notify/backoff.ts";
import { channelRegistry } from "../../notify/channels/registry.ts";
import type { SendResult } from "../../notify/types.ts";
import type { DeliveryRow, Store } from "../../store/types.ts";
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
 * API) when the channel says it is not worth retrying or attempts or age run out. Each outcome is a
 * timeline event (`notification.delivered`, `notification.failed`, `notification.dead`).
 */
export class Deliverer {
  readonly #deps: DelivererDeps;
  #timer: unknown;
  #running: Promise<void> | undefined;
  #again = false;
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
   * Keeps up to `deliveryConcurrency` attempts in flight, taking more due deliveries as slots free up (a slow receiver holds
   * one slot, not a round), and records finished attempts together, one transaction for all that finished meanwhile.
   * A delivery stays reserved from its attempt until its outcome is committed, so it is never attempted twice at once.
   */
  async #drain(): Promise<void> {
    const running = new Map<string, Promise<void>>();
    const reserved = new Set<string>();
    const finished: Outcome[] = [];
    let exhausted = false;
    for (;;) {
      if (!this.#stopped && !exhausted && running.size < deliveryConcurrency) {
        const due = await this.#deps.store.outbox.due(this.#deps.clock.now(), deliveryConcurrency + reserved.size);
        const fresh = due.filter((d) => !reserved.has(d.id)).slice(0, deliveryConcurrency - running.size);
        // Nothing new until an attempt finishes or a timer wakes the deliverer.
        exhausted = fresh.length === 0;
        for (const delivery of fresh) {
          reserved.add(delivery.id);
          running.set(
            delivery.id,
            this.#attempt(delivery).then((outcome) => {
              finished.push(outcome);
              running.delete(delivery.id);
            }),
          );
        }
      }
      if (running.size === 0 && finished.length === 0) return;
      if (running.size > 0 && (exhausted || running.size >= deliveryConcurrency)) await Promise.race(running.values());
      if (finished.length > 0) {
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

  /** Writes the outcomes and their timeline events in one transaction; logs the deliveries given up. */
  async #record(outcomes: readonly Outcome[]): Promise<void> {
    const given: { delivery: DeliveryRow; reason: string }[] = [];
    await this.#deps.store.transaction(async (tx) => {
      for (const { delivery, result, at: now } of outcomes) {
        const attempts = delivery.attempts + 1;
        const subject = delivery.eventId;
        const base = { destination: delivery.destination, delivery: delivery.id, attempts };
        if (result.ok) {
          await tx.outbox.update(delivery.id, { status: "delivered", attempts, deliveredAt: now, updatedAt: now, lastError: null });
          await tx.events.append({ at: now, kind: "notification.delivered", subject, actor: "system", data: { ...base, ...(result.detail ? { detail: result.detail } : {}) } });
          continue;
        }
        const decision = nextAttempt(result, attempts, delivery.createdAt.getTime(), now.getTime(), this.#deps.retry ?? defaultRetryPolicy, this.#deps.random);
        if (decision.retry) {
          await tx.outbox.update(delivery.id, { attempts, nextAttemptAt: new Date(decision.atMs), lastError: result.error, updatedAt: now });
          await tx.events.append({ at: now, kind: "notification.failed", subject, actor: "system", data: { ...base, error: result.error, next_attempt_at: new Date(decision.atMs).toISOString() } });
        } else {
          await tx.outbox.update(delivery.id, { status: "dead", attempts, lastError: decision.reason, updatedAt: now });
          await tx.events.append({ at: now, kind: "notification.dead", subject, actor: "system", data: { ...base, error: decision.reason } });
          given.push({ delivery, reason: decision.reason });
        }
      }
    });
    for (const { delivery, reason } of given) this.#deps.logger.warn({ destination: delivery.destination, delivery: delivery.id, reason }, "notification given up");
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.timers.setTimeout(() => void this.kick().then(() => this.#schedule()), pollMs);
  }
}
