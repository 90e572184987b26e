import nodemailer, { type Transporter } from "nodemailer";
import type { VigilConfig } from "../../config/index.ts";
import { classifySmtpError } from "../../notify/channels/email.ts";
import { webhookChannel, type WebhookPayload } from "../../notify/channels/webhook.ts";
import { createPublicFetch, type PublicFetch } from "../../notify/public-fetch.ts";
import type { NotificationMessage, SendContext, SendResult } from "../../notify/types.ts";
import type { Store, SubscriberRow } from "../../store/types.ts";
import { renderSubscriberWebhook, subscriberEmailTemplate, type SubscriberEmail } from "../../subscribers/render.ts";
import { signToken } from "../../subscribers/token.ts";
import { subscriberWebhookSecret } from "../../subscribers/webhook-secret.ts";
import { privateAddressProblem, type Lookup } from "../subscriptions/public-address.ts";
import { subscriberPrefix } from "./subscriber-plan.ts";

/** What sending to subscribers needs. */
export interface SubscriberSenderDeps {
  store: Store;
  config(): VigilConfig;
  publicUrl(): string;
  signingKey(): Promise<Uint8Array>;
  /** Resolves webhook hosts, for the check and for the connection (the system resolver by default). */
  lookup?: Lookup;
}

type EmailSettings = NonNullable<NonNullable<VigilConfig["subscribers"]>["email"]>;

/**
 * Sends a delivery to a subscriber (`subscriber:<id>`): e-mail through the `subscribers.email` SMTP server over a pool
 * of connections, with an unsubscribe link and the List-Unsubscribe headers; a webhook in the format the subscriber
 * chose. A subscriber gone since the delivery was planned (unsubscribed) is skipped, not retried.
 */
export class SubscriberSender {
  readonly #deps: SubscriberSenderDeps;
  #pool: { settings: string; transport: Transporter } | undefined;
  /** Subscribers read ahead by {@link prefetch}, each taken once by the send that needs it. */
  readonly #ahead = new Map<string, SubscriberRow | null>();
  #key: Uint8Array | undefined;
  #public: PublicFetch | undefined;
  readonly #hosts = new Map<string, { problem: string | null; until: number }>();
  readonly #templates = new Map<string, (to: string, unsubscribeUrl: string) => SubscriberEmail>();

  constructor(deps: SubscriberSenderDeps) {
    this.#deps = deps;
  }

  static handles(destination: string): boolean {
    return destination.startsWith(subscriberPrefix);
  }

  /** Reads the subscribers of these destinations in one query, for the sends that follow. */
  async prefetch(destinations: readonly string[]): Promise<void> {
    const ids = destinations.filter((d) => SubscriberSender.handles(d)).map((d) => d.slice(subscriberPrefix.length));
    for (const id of ids) this.#ahead.set(id, null);
    for (const row of await this.#deps.store.subscribers.getMany(ids)) this.#ahead.set(row.id, row);
  }

  async send(destination: string, message: NotificationMessage, ctx: SendContext): Promise<SendResult> {
    const id = destination.slice(subscriberPrefix.length);
    const ahead = this.#ahead.get(id);
    this.#ahead.delete(id);
    const subscriber = ahead !== undefined ? (ahead ?? undefined) : await this.#deps.store.subscribers.get(id);
    if (subscriber === undefined) return { ok: true, detail: "skipped: the subscriber has unsubscribed" };
    // What comes back is recorded where a read token sees it (last_error, notification.failed): never the address.
    return withoutAddress(await this.#send(subscriber, message, ctx), subscriber);
  }

  async #send(subscriber: SubscriberRow, message: NotificationMessage, ctx: SendContext): Promise<SendResult> {
    const settings = this.#deps.config().subscribers;
    if (settings === undefined) return { ok: false, retryable: false, error: "subscriptions are turned off (no subscribers section)" };
    this.#key ??= await this.#deps.signingKey();
    const token = signToken({ action: "unsubscribe", subscriberId: subscriber.id }, this.#key);
    const unsubscribeUrl = `${this.#deps.publicUrl()}/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`;
    if (subscriber.kind === "webhook") {
      // Checked at every delivery too: a name may point somewhere else since the subscriber confirmed. The request
      // then connects only to addresses it checks itself, so a name answering differently the second time gains nothing.
      let send = ctx;
      if (!settings.allow_private_webhooks) {
        const problem = await this.#addressProblem(subscriber.address);
        if (problem !== null) return { ok: false, retryable: false, error: `refused: the webhook URL must be reachable on the public internet: ${problem}` };
        send = { ...ctx, fetch: (this.#public ??= createPublicFetch({ lookup: this.#deps.lookup })).fetch };
      }
      // Signed as team webhooks are, with this webhook's own secret (given once, in its confirmation ping).
      const secret = subscriberWebhookSecret(this.#key, subscriber.address);
      const config = webhookChannel.configSchema.parse({ url: subscriber.address, format: subscriber.format ?? "vigil", secret });
      // Statuspage's envelope as its consumers expect it; otherwise Vigil's public body (no internal ids or labels).
      const body = config.format === "statuspage" ? webhookChannel.render(message, config) : (renderSubscriberWebhook(message, { unsubscribeUrl }) as unknown as WebhookPayload);
      return webhookChannel.send(body, config, send);
    }
    if (settings.email === undefined) return { ok: false, retryable: false, error: "subscriber e-mail needs subscribers.email (an SMTP server)" };
    const email = this.#template(message, settings.email.from)(subscriber.address, unsubscribeUrl);
    const transport = this.#transport(settings.email);
    try {
      if (ctx.signal.aborted) return { ok: false, retryable: true, error: "SMTP: timed out before sending" };
      await transport.sendMail({ ...email, headers: { ...email.headers, "X-Vigil-Idempotency-Key": ctx.idempotencyKey } });
      return { ok: true };
    } catch (error) {
      const result = classifySmtpError(error);
      const password = settings.email.password;
      return result.ok || !password ? result : { ...result, error: result.error.split(password).join("[redacted]") };
    }
  }

  /** The e-mail of a fan-out, rendered once per message (the last few are kept: a fan-out's deliveries come together). */
  #template(message: NotificationMessage, from: string): (to: string, unsubscribeUrl: string) => SubscriberEmail {
    const key = `${message.eventId}\u0000${message.kind}\u0000${from}`;
    let template = this.#templates.get(key);
    if (template === undefined) {
      template = subscriberEmailTemplate(message, { from });
      this.#templates.set(key, template);
      if (this.#templates.size > 8) this.#templates.delete(this.#templates.keys().next().value!);
    }
    return template;
  }

  /** privateAddressProblem, remembered for a minute per host (a fan-out resolves each host once). */
  async #addressProblem(url: string): Promise<string | null> {
    const host = new URL(url).host;
    const now = Date.now();
    const known = this.#hosts.get(host);
    if (known !== undefined && known.until > now) return known.problem;
    const problem = await privateAddressProblem(url, this.#deps.lookup);
    this.#hosts.set(host, { problem, until: now + 60_000 });
    if (this.#hosts.size > 10_000) this.#hosts.clear();
    return problem;
  }

  /** Closes the SMTP and webhook connections. */
  close(): void {
    this.#pool?.transport.close();
    this.#pool = undefined;
    void this.#public?.close().catch(() => undefined);
    this.#public = undefined;
  }

  /** One pooled transport per SMTP settings (a reload that changes them starts a new pool). */
  #transport(settings: EmailSettings): Transporter {
    const key = JSON.stringify(settings);
    if (this.#pool?.settings === key) return this.#pool.transport;
    this.#pool?.transport.close();
    const transport = nodemailer.createTransport({
      pool: true,
      maxConnections: settings.connections,
      maxMessages: Infinity,
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      ...(settings.username ? { auth: { user: settings.username, pass: settings.password ?? "" } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 10_000,
    });
    this.#pool = { settings: key, transport };
    return transport;
  }
}

/**
 * `result` with the subscriber's address taken out of its error and detail: an SMTP server's refusal quotes the
 * recipient ("450 <ada@example.com>: Recipient address rejected"), a webhook's error names its host. Subscriber
 * addresses are for admins only; the delivery's destination (`subscriber:<id>`) says whose it was.
 */
export function withoutAddress(result: SendResult, subscriber: Pick<SubscriberRow, "kind" | "address">): SendResult {
  const hide = (text: string): string => {
    if (subscriber.kind === "email") {
      const at = subscriber.address.lastIndexOf("@");
      const local = subscriber.address.slice(0, at);
      let out = text.replace(new RegExp(escapeRegExp(subscriber.address), "gi"), "[recipient]");
      // A server may spell the domain differently (IDN, an alias): the local part with any domain is the address too.
      if (local.length >= 3) out = out.replace(new RegExp(`${escapeRegExp(local)}@[^\\s<>"',;:]*`, "gi"), "[recipient]");
      return out;
    }
    const { host, hostname } = new URL(subscriber.address);
    return text.split(subscriber.address).join("[webhook]").split(host).join("[webhook host]").split(hostname).join("[webhook host]");
  };
  if (result.ok) return result.detail === undefined ? result : { ...result, detail: hide(result.detail) };
  return { ...result, error: hide(result.error) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
