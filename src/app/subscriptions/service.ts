/**
 * Public subscriptions: a request sends a confirmation (an e-mail, or a POST to the webhook) carrying a signed link
 * that holds the whole pending subscription, so nothing is stored until the link is used (double opt-in); using it
 * stores the subscriber; an unsubscribe link removes it.
 *
 * Nothing tells whether an address is subscribed already: a request never reads the store, answers the same, and
 * sends its confirmation in the background (so the time taken says nothing either); confirming a subscribed
 * address again just takes the new choice of components.
 */
import { randomBytes } from "node:crypto";
import type {
  LinkFailure,
  SubscriptionRequest,
  SubscriptionRequestOutcome,
  SubscriptionsPort,
  WebhookFormat,
} from "../../api/public/subscriptions.ts";
import type { Clock } from "../../core/clock.ts";
import type { VigilConfig } from "../../config/index.ts";
import { catalogFromConfig } from "../../catalog/from-config.ts";
import { postJson } from "../../notify/channels/http-send.ts";
import { sendOneOffMail } from "../../notify/one-off-mail.ts";
import { createPublicFetch, type PublicFetch } from "../../notify/public-fetch.ts";
import type { Logger } from "../../observability/logger.ts";
import type { PendingSubscription } from "../../statuspage/render/html/subscribe.ts";
import { buildPageView } from "../../statuspage/view/build.ts";
import type { PageView, SubscribeView } from "../../statuspage/view/types.ts";
import { privateAddressProblem, type Lookup } from "./public-address.ts";
import type { Store } from "../../store/types.ts";
import { normalizeEmail, normalizeWebhookUrl } from "../../subscribers/address.ts";
import { signatureHeaders } from "../../notify/signature.ts";
import { SubscribeLimiter } from "../../subscribers/rate-limit.ts";
import { rateKeyOf } from "../../api/client-address.ts";
import { renderConfirmationEmail, renderWebhookConfirmation } from "../../subscribers/render.ts";
import { subscriberWebhookSecret } from "../../subscribers/webhook-secret.ts";
import { signToken, verifyToken, type TokenClaim } from "../../subscribers/token.ts";
import { pageIdOf, subscribeOf } from "../statuspage/gather.ts";

/** What the service needs. */
export interface SubscriptionServiceDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  config(): VigilConfig;
  /** The public address, no trailing slash: confirmation links point there. */
  publicUrl(): string;
  signingKey(): Promise<Uint8Array>;
  /** The fetch for webhooks when `allow_private_webhooks` is on (otherwise every ping goes through a public-only fetch). */
  fetch?: typeof fetch;
  /** Resolves webhook hosts, for the check and for the connection (the system resolver by default). */
  lookup?: Lookup;
}

type Settings = NonNullable<VigilConfig["subscribers"]>;
type EmailSettings = NonNullable<Settings["email"]>;

/** A confirmation's deadline: the SMTP server's answer, or the webhook's. */
const sendTimeoutMs = 10_000;

/** Whom a confirmation goes to, for the per-recipient limit: the e-mail address, or the webhook's host (whatever its path). */
function recipientOf(kind: "email" | "webhook", address: string): string {
  return kind === "email" ? `email:${address.toLowerCase()}` : `webhook:${URL.canParse(address) ? new URL(address).host : address}`;
}

/** A new subscriber id, in the form of the other ids Vigil makes (`inc_…`, `sil_…`). */
export function newSubscriberId(): string {
  return `sub_${randomBytes(8).toString("hex")}`;
}

/** The public subscriptions of the status page (see the file's comment). */
export class SubscriptionService implements SubscriptionsPort {
  readonly #deps: SubscriptionServiceDeps;
  #limiter: { settings: string; limiter: SubscribeLimiter } | undefined;
  #view: { config: VigilConfig; url: string; view: PageView } | undefined;
  readonly #sending = new Set<Promise<void>>();
  #public: PublicFetch | undefined;

  constructor(deps: SubscriptionServiceDeps) {
    this.#deps = deps;
  }

  offer(): SubscribeView | null {
    return subscribeOf(this.#deps.config());
  }

  /** The site's page from the configuration alone (no statuses or incidents: the subscription pages show none), kept until the configuration changes. */
  view(): PageView {
    const config = this.#deps.config();
    const url = this.#deps.publicUrl();
    if (this.#view?.config === config && this.#view.url === url) return this.#view.view;
    const now = this.#deps.clock.now();
    const view = buildPageView({
      pageId: pageIdOf(url),
      site: {
        name: config.site.name,
        url,
        timeZone: config.site.time_zone,
        description: config.site.description ?? null,
        logoUrl: config.site.logo_url ?? null,
        accentColor: config.site.accent_color ?? null,
        links: config.site.links.map((l) => ({ label: l.label, url: l.url })),
      },
      components: catalogFromConfig(config).components.map((c) => ({ ...c, createdAt: now, updatedAt: now })),
      statuses: {},
      incidents: [],
      maintenances: [],
      changes: [],
      now,
      subscribe: subscribeOf(config),
    });
    this.#view = { config, url, view };
    return view;
  }

  async request(input: SubscriptionRequest): Promise<SubscriptionRequestOutcome> {
    const config = this.#deps.config();
    const settings = config.subscribers;
    if (settings === undefined || subscribeOf(config) === null) return { ok: false, reason: "off" };
    const addressField = input.kind === "email" ? "email" : "webhook_url";
    if (input.kind === "email" && settings.email === undefined) return { ok: false, reason: "invalid", field: "email", message: "this page does not offer e-mail subscriptions" };
    if (input.kind === "webhook" && !settings.webhooks) return { ok: false, reason: "invalid", field: "webhook_url", message: "this page does not offer webhook subscriptions" };
    const normalized = input.kind === "email" ? normalizeEmail(input.address) : normalizeWebhookUrl(input.address);
    if (!normalized.ok) return { ok: false, reason: "invalid", field: addressField, message: normalized.error };
    const components = chosenComponents(config, input.components);
    if (!components.ok) return { ok: false, reason: "invalid", field: "components", message: components.error };

    const now = this.#deps.clock.now();
    const decision = this.#rateLimiter(settings).take(rateKeyOf(input.ip), recipientOf(input.kind, normalized.address), now);
    if (!decision.allowed) return { ok: false, reason: "rate_limited", retryAfterMs: decision.retryAfterMs };
    if (input.kind === "webhook" && !settings.allow_private_webhooks) {
      const problem = await privateAddressProblem(normalized.address, this.#deps.lookup);
      if (problem !== null) return { ok: false, reason: "invalid", field: "webhook_url", message: `must be reachable on the public internet: ${problem}` };
    }

    const expiresAt = new Date(now.getTime() + settings.confirm_within);
    const claim: TokenClaim = { action: "confirm", kind: input.kind, address: normalized.address, components: components.ids, expiresAt };
    let token: string;
    try {
      token = signToken(claim, await this.#deps.signingKey());
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return { ok: false, reason: "invalid", field: "components", message: "too many components for one confirmation link: choose fewer, or none for all of them" };
    }
    const format: WebhookFormat = input.format === "statuspage" ? "statuspage" : "vigil";
    const confirmUrl = `${this.#deps.publicUrl()}/subscriptions/confirm?token=${encodeURIComponent(token)}${input.kind === "webhook" && format === "statuspage" ? "&format=statuspage" : ""}`;
    // In the background: the answer (and its timing) is the same whatever happens to the confirmation.
    const sending =
      input.kind === "email"
        ? this.#sendEmail(settings.email!, normalized.address, confirmUrl, componentNames(config, components.ids), expiresAt)
        : this.#ping(normalized.address, confirmUrl, expiresAt);
    this.#track(sending);
    return { ok: true, kind: input.kind, address: normalized.address, expiresAt, expiresInMs: settings.confirm_within };
  }

  async inspect(token: string): Promise<{ ok: true; pending: PendingSubscription } | LinkFailure> {
    const checked = await this.#confirmClaim(token);
    if (!checked.ok) return checked;
    return { ok: true, pending: pendingOf(this.#deps.config(), checked.claim) };
  }

  async confirm(token: string, format: WebhookFormat | null) {
    const checked = await this.#confirmClaim(token);
    if (!checked.ok) return checked;
    const { claim } = checked;
    const now = this.#deps.clock.now();
    // A subscriber already there keeps its id and first confirmation, and takes the new components (the store's upsert).
    const row = await this.#deps.store.transaction(async (tx) => {
      const stored = await tx.subscribers.confirm({
        id: newSubscriberId(),
        kind: claim.kind,
        address: claim.address,
        componentIds: claim.components,
        format: claim.kind === "webhook" ? (format ?? "vigil") : null,
        confirmedAt: now,
        createdAt: now,
      });
      // The timeline says who and what, never the address.
      await tx.events.append({ at: now, kind: "subscriber.confirmed", subject: stored.id, actor: "public", data: { kind: stored.kind, components: stored.componentIds === null ? null : stored.componentIds.length } });
      return stored;
    });
    const unsubscribeToken = signToken({ action: "unsubscribe", subscriberId: row.id }, await this.#deps.signingKey());
    return { ok: true as const, pending: pendingOf(this.#deps.config(), claim), subscriberId: row.id, unsubscribeToken };
  }

  async checkUnsubscribe(token: string): Promise<boolean> {
    return (await this.#unsubscribeClaim(token)) !== null;
  }

  async unsubscribe(token: string): Promise<{ ok: true; removed: boolean } | { ok: false; reason: "invalid" }> {
    const subscriberId = await this.#unsubscribeClaim(token);
    if (subscriberId === null) return { ok: false, reason: "invalid" };
    const now = this.#deps.clock.now();
    const removed = await this.#deps.store.transaction(async (tx) => {
      const row = await tx.subscribers.get(subscriberId);
      if (row === undefined || !(await tx.subscribers.remove(subscriberId))) return false;
      await tx.events.append({ at: now, kind: "subscriber.removed", subject: subscriberId, actor: "public", data: { kind: row.kind } });
      return true;
    });
    return { ok: true, removed };
  }

  /** Resolves once every confirmation sent so far has been sent or has failed. */
  async idle(): Promise<void> {
    while (this.#sending.size > 0) await Promise.allSettled([...this.#sending]);
  }

  /** Waits for the confirmations on their way (each gives up after 10 s). */
  async stop(): Promise<void> {
    await this.idle();
    await this.#public?.close();
    this.#public = undefined;
  }

  #track(sending: Promise<void>): void {
    const tracked = sending.catch((error: unknown) => this.#deps.logger.error({ err: error }, "sending a subscription confirmation failed"));
    this.#sending.add(tracked);
    void tracked.finally(() => this.#sending.delete(tracked));
  }

  /** One limiter per rate-limit setting: a reload that changes it starts counting afresh. */
  #rateLimiter(settings: Settings): SubscribeLimiter {
    const { requests, per, recipient, global } = settings.rate_limit;
    const key = JSON.stringify([requests, per, recipient, global]);
    if (this.#limiter?.settings !== key) {
      const limits = { client: { requests, perMs: per }, recipient: { requests: recipient.requests, perMs: recipient.per }, global: { requests: global.requests, perMs: global.per } };
      this.#limiter = { settings: key, limiter: new SubscribeLimiter(limits) };
    }
    return this.#limiter.limiter;
  }

  async #confirmClaim(token: string): Promise<{ ok: true; claim: Extract<TokenClaim, { action: "confirm" }> } | LinkFailure> {
    const config = this.#deps.config();
    const confirmWithinMs = config.subscribers?.confirm_within ?? 86_400_000;
    if (subscribeOf(config) === null) return { ok: false, reason: "off", confirmWithinMs };
    const verified = verifyToken(token, await this.#deps.signingKey(), this.#deps.clock.now());
    if (!verified.ok) return { ok: false, reason: verified.reason === "expired" ? "expired" : "invalid", confirmWithinMs };
    const { claim } = verified;
    if (claim.action !== "confirm") return { ok: false, reason: "invalid", confirmWithinMs };
    // A kind no longer offered (its settings removed since the link was sent) cannot be confirmed.
    const offered = claim.kind === "email" ? config.subscribers?.email !== undefined : config.subscribers?.webhooks === true;
    return offered ? { ok: true, claim } : { ok: false, reason: "invalid", confirmWithinMs };
  }

  /** The subscriber id of an unsubscribe link, or null when it is not one Vigil made. */
  async #unsubscribeClaim(token: string): Promise<string | null> {
    const verified = verifyToken(token, await this.#deps.signingKey(), this.#deps.clock.now());
    return verified.ok && verified.claim.action === "unsubscribe" ? verified.claim.subscriberId : null;
  }

  async #sendEmail(settings: EmailSettings, to: string, confirmUrl: string, names: string[] | null, expiresAt: Date): Promise<void> {
    const config = this.#deps.config();
    const email = renderConfirmationEmail({ siteName: config.site.name, siteUrl: this.#deps.publicUrl(), from: settings.from, to, confirmUrl, componentNames: names, expiresAt });
    // Neither the SMTP password nor the address (nor the link, which would confirm it) reaches the log.
    const sent = await sendOneOffMail(settings, { from: email.from, to: email.to, subject: email.subject, text: email.text, html: email.html, headers: email.headers }, [to, confirmUrl]);
    if (!sent.sent) {
      this.#deps.logger.warn({ kind: "email", domain: to.slice(to.lastIndexOf("@") + 1), smtp: settings.host, error: sent.reason }, "a subscription confirmation e-mail could not be sent");
    }
  }

  async #ping(url: string, confirmUrl: string, expiresAt: Date): Promise<void> {
    const config = this.#deps.config();
    // The webhook's signing secret, given once, here: only the URL's owner receives this request.
    const signingSecret = subscriberWebhookSecret(await this.#deps.signingKey(), url);
    const body = JSON.stringify(renderWebhookConfirmation({ siteName: config.site.name, siteUrl: this.#deps.publicUrl(), confirmUrl, expiresAt, signingSecret }));
    const headers = signatureHeaders(body, this.#deps.clock.now(), [signingSecret]);
    // Public input: connect only to the addresses checked as the connection is made (not resolved a second time).
    const send = config.subscribers?.allow_private_webhooks ? (this.#deps.fetch ?? fetch) : (this.#public ??= createPublicFetch({ lookup: this.#deps.lookup })).fetch;
    const result = await postJson(
      { url, body, headers, secrets: [signingSecret], idempotencyKey: false },
      { signal: AbortSignal.timeout(sendTimeoutMs), idempotencyKey: "", fetch: send, now: () => this.#deps.clock.now() },
    );
    // The error names the host only: a webhook URL's path and query are its secret.
    if (!result.ok) this.#deps.logger.warn({ kind: "webhook", host: new URL(url).host, error: result.error }, "a subscription confirmation webhook could not be sent");
  }
}

/** The public components' ids and names, in page order. */
function publicComponents(config: VigilConfig): Map<string, string> {
  return new Map(config.components.filter((c) => !c.hidden).map((c) => [c.id, c.name]));
}

/** The chosen component ids, once each in the order given; null (all) for none; an error naming an unknown one. */
function chosenComponents(config: VigilConfig, given: readonly string[] | null): { ok: true; ids: string[] | null } | { ok: false; error: string } {
  if (given === null || given.length === 0) return { ok: true, ids: null };
  const known = publicComponents(config);
  const ids = [...new Set(given)];
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) return { ok: false, error: `no component on this page has the id ${unknown.slice(0, 3).map((id) => `"${id.slice(0, 100)}"`).join(", ")}` };
  return { ok: true, ids };
}

function componentNames(config: VigilConfig, ids: readonly string[] | null): string[] | null {
  if (ids === null) return null;
  const names = publicComponents(config);
  return ids.map((id) => names.get(id) ?? id);
}

function pendingOf(config: VigilConfig, claim: Extract<TokenClaim, { action: "confirm" }>): PendingSubscription {
  return { kind: claim.kind, address: claim.address, componentNames: componentNames(config, claim.components) };
}
