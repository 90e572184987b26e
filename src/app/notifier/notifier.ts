import { randomUUID } from "node:crypto";
import { AppError } from "../../core/errors.ts";
import { channelRegistry } from "../../notify/channels/registry.ts";
import type { NotificationMessage } from "../../notify/types.ts";
import type { DeliveryRow } from "../../store/types.ts";
import { Deliverer, type DelivererDeps } from "./deliverer.ts";
import { Dispatcher, type DispatcherDeps } from "./dispatcher.ts";
import { SubscriberSender } from "./subscriber-sender.ts";

/** What the notifier needs: the dispatcher's and the deliverer's needs together, and the subscription link key. */
export type NotifierDeps = DispatcherDeps & Omit<DelivererDeps, keyof DispatcherDeps | "subscribers"> & { fetch?: typeof fetch; signingKey: () => Promise<Uint8Array> };

/**
 * The notification pipeline: the dispatcher turns timeline events into outbox rows (routing, muting,
 * inhibition), the deliverer sends them with retries; `test` sends one message through a channel at once.
 */
export class Notifier {
  readonly #deps: NotifierDeps;
  readonly #dispatcher: Dispatcher;
  readonly #deliverer: Deliverer;
  readonly #subscribers: SubscriberSender;

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
    this.#subscribers = new SubscriberSender(deps);
    this.#deliverer = new Deliverer({ ...deps, subscribers: this.#subscribers });
    this.#dispatcher = new Dispatcher({ ...deps, onEnqueued: () => void this.#deliverer.kick() });
  }

  async start(): Promise<void> {
    await this.#dispatcher.start();
    this.#deliverer.start();
  }

  /** Something new is on the timeline: dispatch it soon. */
  changed(): void {
    void this.#dispatcher.dispatch();
  }

  /** Dispatches and delivers what is due now (tests, shutdown). */
  async flush(): Promise<void> {
    await this.#dispatcher.dispatch();
    await this.#deliverer.kick();
  }

  /** Moves a dead delivery back to pending, due now, and delivers it soon; see `outbox.retry` for the refusals. */
  async retry(deliveryId: string): Promise<DeliveryRow> {
    const row = await this.#deps.store.outbox.retry(deliveryId, this.#deps.clock.now());
    void this.#deliverer.kick();
    return row;
  }

  async stop(): Promise<void> {
    await this.#dispatcher.stop();
    await this.#deliverer.stop();
    this.#subscribers.close();
  }

  channels(): { id: string; type: string }[] {
    return this.#deps.config().notifications.channels.map((c) => ({ id: c.id, type: c.type }));
  }

  /** Sends a test message through `channelId` now, and records the attempt on the timeline. */
  async test(channelId: string, actor: string): Promise<{ channel: string; ok: boolean; retryable: boolean | null; detail: string | null }> {
    const config = this.#deps.config();
    const channel = config.notifications.channels.find((c) => c.id === channelId);
    if (!channel) throw new AppError("not_found", `no channel has the id "${channelId}"`);
    const plugin = channelRegistry[channel.type as keyof typeof channelRegistry];
    if (!plugin) throw new AppError("conflict", `channel type ${channel.type} is not supported`);
    const { id: _id, type: _type, ...settings } = channel;
    const parsed = plugin.configSchema.safeParse(settings);
    if (!parsed.success) throw new AppError("conflict", `channel ${channelId} is misconfigured: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    const now = this.#deps.clock.now();
    const url = this.#deps.publicUrl();
    const message: NotificationMessage = {
      kind: "test",
      eventId: `test-${randomUUID()}`,
      at: now,
      site: { name: config.site.name, url },
      severity: "none",
      title: `[Test] ${config.site.name}: a test from Vigil`,
      text: `This is a test message from Vigil for channel ${channelId}. Nothing is wrong.`,
      markdown: null,
      url,
      dedupKey: `test:${channelId}`,
      incident: null,
      components: [],
      labels: {},
    };
    const result = await plugin.send(plugin.render(message, parsed.data), parsed.data, {
      signal: AbortSignal.timeout(10_000),
      idempotencyKey: message.eventId,
      fetch: this.#deps.fetch ?? fetch,
      now: () => this.#deps.clock.now(),
    });
    const outcome = { channel: channelId, ok: result.ok, retryable: result.ok ? null : result.retryable, detail: result.ok ? (result.detail ?? null) : result.error };
    await this.#deps.store.events.append({ at: now, kind: "notification.test", subject: channelId, actor, data: outcome });
    return outcome;
  }
}
