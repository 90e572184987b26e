import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { Logger } from "../../observability/logger.ts";
import { nextAttempt, defaultRetryPolicy, type RetryPolicy } from "../../notify/backoff.ts";
import { channelRegistry } from "../../notify/channels/registry.ts";
import type { NotificationMessage, SendResult } from "../../notify/types.ts";
import type { DeliveryRow, Store } from "../../store/types.ts";

/** What the deliverer needs. */
export interface DelivererDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  config(): VigilConfig;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  random?: () => number;
}

/** Deliveries attempted at once. */
const concurrency = 16;
/** One attempt's deadline. */
const attemptTimeoutMs = 10_000;
/** How often due retries are looked for when nothing else wakes the deliverer. */
const pollMs = 1_000;

/** A stored message back as a NotificationMessage: its dates were written as ISO strings. */
export function reviveMessage(json: Record<string, unknown>): NotificationMessage {
  const message = json as unknown as NotificationMessage & { at: string | Date };
  const incident = message.incident as (NotificationMessage["incident"] & { startedAt: string | Date; resolvedAt: string | Date | null }) | null;
  return {
    ...message,
    at: new Date(message.at),
    incident: incident === null ? null : { ...incident, startedAt: new Date(incident.startedAt), resolvedAt: incident.resolvedAt === null ? null : new Date(incident.resolvedAt) },
  };
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

  async #drain(): Promise<void> {
    for (;;) {
      if (this.#stopped) return;
      const due = await this.#deps.store.outbox.due(this.#deps.clock.now(), concurrency);
      if (due.length === 0) return;
      await Promise.all(due.map((delivery) => this.#attempt(delivery)));
    }
  }

  async #attempt(delivery: DeliveryRow): Promise<void> {
    const { store, clock } = this.#deps;
    const channel = this.#deps.config().notifications.channels.find((c) => c.id === delivery.destination);
    const attempts = delivery.attempts + 1;
    let result: SendResult;
    if (channel === undefined) {
      result = { ok: false, retryable: false, error: `channel ${delivery.destination} is no longer configured` };
    } else {
      const plugin = channelRegistry[channel.type as keyof typeof channelRegistry];
      if (!plugin) {
        result = { ok: false, retryable: false, error: `channel type ${channel.type} is not supported` };
      } else {
        const { id: _id, type: _type, ...settings } = channel;
        const parsed = plugin.configSchema.safeParse(settings);
        if (!parsed.success) {
          result = { ok: false, retryable: false, error: `channel ${channel.id} is misconfigured: ${parsed.error.issues[0]?.message ?? "invalid"}` };
        } else {
          try {
            const payload = plugin.render(reviveMessage(delivery.message), parsed.data);
            result = await plugin.send(payload, parsed.data, {
              signal: AbortSignal.timeout(attemptTimeoutMs),
              idempotencyKey: delivery.idempotencyKey,
              fetch: this.#deps.fetch ?? fetch,
              now: () => clock.now(),
            });
          } catch (error) {
            result = { ok: false, retryable: true, error: `internal error: ${error instanceof Error ? error.message : String(error)}` };
          }
        }
      }
    }
    const now = clock.now();
    const subject = delivery.eventId;
    if (result.ok) {
      await store.transaction(async (tx) => {
        await tx.outbox.update(delivery.id, { status: "delivered", attempts, deliveredAt: now, updatedAt: now, lastError: null });
        await tx.events.append({ at: now, kind: "notification.delivered", subject, actor: "system", data: { destination: delivery.destination, delivery: delivery.id, attempts, ...(result.ok && result.detail ? { detail: result.detail } : {}) } });
      });
      return;
    }
    const decision = nextAttempt(result, attempts, delivery.createdAt.getTime(), now.getTime(), this.#deps.retry ?? defaultRetryPolicy, this.#deps.random);
    await store.transaction(async (tx) => {
      if (decision.retry) {
        await tx.outbox.update(delivery.id, { attempts, nextAttemptAt: new Date(decision.atMs), lastError: result.error, updatedAt: now });
        await tx.events.append({ at: now, kind: "notification.failed", subject, actor: "system", data: { destination: delivery.destination, delivery: delivery.id, attempts, error: result.error, next_attempt_at: new Date(decision.atMs).toISOString() } });
      } else {
        await tx.outbox.update(delivery.id, { status: "dead", attempts, lastError: decision.reason, updatedAt: now });
        await tx.events.append({ at: now, kind: "notification.dead", subject, actor: "system", data: { destination: delivery.destination, delivery: delivery.id, attempts, error: decision.reason } });
      }
    });
    if (!decision.retry) this.#deps.logger.warn({ destination: delivery.destination, delivery: delivery.id, reason: decision.reason }, "notification given up");
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.timers.setTimeout(() => void this.kick().then(() => this.#schedule()), pollMs);
  }
}
