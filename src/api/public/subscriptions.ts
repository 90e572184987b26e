/**
 * Public subscriptions over HTTP: the subscribe form's target, the confirmation and unsubscribe pages (HTML, no
 * script, never cached), and `POST /api/v1/subscriptions` for scripts. What they do is the SubscriptionsPort's
 * (src/app/subscriptions/service.ts); this file reads requests and writes pages.
 *
 * Forms are `application/x-www-form-urlencoded` (and RFC 8058 one-click unsubscribes may come as
 * `multipart/form-data`): both are read only in this file's own scope, so the JSON API keeps refusing them.
 */
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Permission, Principal } from "../../auth/authenticate.ts";
import { AppError } from "../../core/errors.ts";
import {
  renderConfirmedPage,
  renderConfirmPage,
  renderLinkProblemPage,
  renderRateLimitedPage,
  renderSubscribePage,
  renderSubscribeSentPage,
  renderUnsubscribedPage,
  renderUnsubscribePage,
  type PendingSubscription,
  type SubscribeField,
  type SubscribeFormState,
} from "../../statuspage/render/html/subscribe.ts";
import type { PageView, SubscribeView } from "../../statuspage/view/types.ts";
import { handleError, handleNotFound } from "../errors.ts";
import { defineRoute, registerRoutes, type AnyRoute } from "../route.ts";
import { htmlPolicy } from "./security-headers.ts";

/** A webhook subscriber's body format. */
export type WebhookFormat = "vigil" | "statuspage";

/** A subscription asked for (not yet checked). */
export interface SubscriptionRequest {
  kind: "email" | "webhook";
  address: string;
  /** Component ids; null or empty: all. */
  components: readonly string[] | null;
  /** Webhooks only; default `vigil`. */
  format?: WebhookFormat | null;
  /** The client's address (behind trusted proxies, from X-Forwarded-For), for the rate limit. */
  ip: string;
}

/** What became of a request: a confirmation on its way (the same answer whether or not the address was subscribed), or why not. */
export type SubscriptionRequestOutcome =
  | { ok: true; kind: "email" | "webhook"; address: string; expiresAt: Date; expiresInMs: number }
  | { ok: false; reason: "off" }
  | { ok: false; reason: "invalid"; field: SubscribeField; message: string }
  | { ok: false; reason: "rate_limited"; retryAfterMs: number };

/** Why a link cannot be used: subscriptions are off (404), it expired, or Vigil did not make it. */
export type LinkFailure = { ok: false; reason: "off" | "expired" | "invalid"; confirmWithinMs: number };

/** What the HTTP layer needs of public subscriptions. */
export interface SubscriptionsPort {
  /** What the form offers now; null when subscriptions are off. */
  offer(): SubscribeView | null;
  /** The page around the subscription pages: the site's header, footer, styles and components (for the form). */
  view(): PageView;
  request(input: SubscriptionRequest): Promise<SubscriptionRequestOutcome>;
  /** Checks a confirmation link and says what it asks for, storing nothing. */
  inspect(token: string): Promise<{ ok: true; pending: PendingSubscription } | LinkFailure>;
  /** Stores the subscription a confirmation link asks for; the subscriber's unsubscribe token with it. */
  confirm(token: string, format: WebhookFormat | null): Promise<{ ok: true; pending: PendingSubscription; subscriberId: string; unsubscribeToken: string } | LinkFailure>;
  /** Whether `token` is an unsubscribe link Vigil made. */
  checkUnsubscribe(token: string): Promise<boolean>;
  /** Removes the subscriber; `removed` is false when it was gone already (the same success to the reader). */
  unsubscribe(token: string): Promise<{ ok: true; removed: boolean } | { ok: false; reason: "invalid" }>;
}

/** A refused request for too many requests: 429 with Retry-After. */
class RateLimited extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super("too many subscription requests; try again later");
    this.retryAfterMs = retryAfterMs;
  }
}

const retryAfterSeconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

/** The one value of a form field: the first when repeated, "" when absent or not text. */
function field(body: unknown, name: string): string {
  const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? first : "";
}

/** Every value of a repeatable form field (checkboxes). */
function fields(body: unknown, name: string): string[] {
  const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string" && v !== "");
}

/** Which subscription an e-mail and a webhook URL given together mean, or which field is wrong. */
function kindOf(offer: SubscribeView, email: string, webhookUrl: string): { kind: "email" | "webhook"; address: string } | { field: SubscribeField; message: string } {
  const hasEmail = email.trim() !== "";
  const hasWebhook = webhookUrl.trim() !== "";
  if (hasEmail && hasWebhook) return { field: "email", message: "give an e-mail address or a webhook URL, not both" };
  if (hasWebhook) return { kind: "webhook", address: webhookUrl };
  if (hasEmail) return { kind: "email", address: email };
  // Neither: the service says what is missing, for the kind the form asks for first.
  return offer.email ? { kind: "email", address: email } : { kind: "webhook", address: webhookUrl };
}

/**
 * Sends an HTML page: never cached (a link's page is the reader's alone), no referrer (the URL holds a token), and a
 * Content-Security-Policy that allows no script at all.
 */
function page(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .header("x-content-type-options", "nosniff")
    .header("content-security-policy", htmlPolicy(html, { scripts: false, embeddable: false }))
    .header("x-frame-options", "DENY")
    .send(html);
}

const confirmAction = (token: string, format: WebhookFormat | null) => `/subscriptions/confirm?token=${encodeURIComponent(token)}${format === "statuspage" ? "&format=statuspage" : ""}`;
const unsubscribeAction = (token: string) => `/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`;
const formatOf = (value: string): WebhookFormat | null => (value === "statuspage" || value === "vigil" ? value : null);

/** The token of a link: in the query, or (a form that posts it) in the body. */
function tokenOf(request: FastifyRequest): string {
  return field(request.query, "token") || field(request.body, "token");
}

/** The JSON endpoint's spec (registered in its own scope, described in the OpenAPI document with the rest). */
export function subscriptionApiRoute(port: SubscriptionsPort, clientIp: (request: FastifyRequest) => string) {
  return defineRoute({
    method: "POST",
    url: "/api/v1/subscriptions",
    operationId: "requestSubscription",
    errors: ["not_found", "rate_limited"],
    summary:
      "Public, no token: ask for status updates by e-mail or webhook. A confirmation link is sent to the address (nothing is stored until it is used); the answer is the same whether or not the address is subscribed already. 404 when subscriptions are off, 429 (Retry-After) past a rate limit (per client, per recipient, or in all)",
    tag: "subscriptions",
    auth: "public",
    status: 202,
    body: z.strictObject({
      email: z.string().max(1024).optional(),
      webhook_url: z.string().max(4096).optional(),
      /** Component ids; absent, null or empty: all. */
      components: z.array(z.string().max(200)).max(1000).nullable().optional(),
      /** Webhooks only: Vigil's JSON (default) or Statuspage's webhook JSON. */
      format: z.enum(["vigil", "statuspage"]).optional(),
    }),
    response: z.object({ status: z.literal("pending"), message: z.string() }),
    handler: async ({ body, request, reply }) => {
      const offer = port.offer();
      if (offer === null) throw new AppError("not_found", `no route for POST ${request.url.split("?")[0]}`);
      const which = kindOf(offer, body.email ?? "", body.webhook_url ?? "");
      const invalid = (f: SubscribeField, message: string) => new AppError("validation_failed", `the request body is invalid: body.${f}: ${message}`, { details: [{ path: `body.${f}`, message }] });
      if ("field" in which) throw invalid(which.field, which.message);
      const outcome = await port.request({ kind: which.kind, address: which.address, components: body.components ?? null, format: body.format ?? null, ip: clientIp(request) });
      void reply.header("cache-control", "no-store");
      if (outcome.ok) {
        const where = outcome.kind === "email" ? "if the address can receive our e-mail" : "if the webhook accepts our POST";
        return { status: "pending" as const, message: `Confirmation requested: ${where}, a confirmation link is on its way; it expires at ${outcome.expiresAt.toISOString()}. Nothing is stored until it is used.` };
      }
      if (outcome.reason === "off") throw new AppError("not_found", `no route for POST ${request.url.split("?")[0]}`);
      if (outcome.reason === "rate_limited") throw new RateLimited(outcome.retryAfterMs);
      throw invalid(outcome.field, outcome.message);
    },
  });
}

/**
 * Registers the subscription pages and the JSON endpoint on `app`, each in a scope of its own; returns the JSON
 * routes, for the OpenAPI document.
 */
export function registerSubscriptionRoutes(
  app: FastifyInstance,
  port: SubscriptionsPort,
  authenticate: (header: string | undefined, need: Permission) => Promise<Principal>,
  clientIp: (request: FastifyRequest) => string,
): AnyRoute[] {
  const api = subscriptionApiRoute(port, clientIp);
  void app.register(async (scope) => {
    // Only the 429 is answered here; everything else goes to the one error handler.
    scope.setErrorHandler((error, request, reply) => {
      if (!(error instanceof RateLimited)) return handleError(error, request, reply);
      // Not one of the closed set of codes (core/errors.ts): only this endpoint limits its callers.
      const body = { error: { code: "rate_limited", message: error.message, details: [], request_id: request.id } };
      return reply.status(429).header("retry-after", retryAfterSeconds(error.retryAfterMs)).header("cache-control", "no-store").type("application/json; charset=utf-8").send(body);
    });
    registerRoutes(scope, [api], authenticate);
  });

  void app.register(async (scope) => {
    await scope.register(formbody);
    // RFC 8058 allows a one-click unsubscribe as multipart/form-data; its body says nothing the URL does not.
    scope.addContentTypeParser("multipart/form-data", { parseAs: "string" }, (_request, _body, done) => done(null, {}));

    const off = (request: FastifyRequest, reply: FastifyReply) => handleNotFound(request, reply);

    scope.get("/subscribe", async (request, reply) => {
      if (port.offer() === null) return off(request, reply);
      return page(reply, 200, renderSubscribePage(port.view()));
    });

    scope.post("/subscribe", async (request, reply) => {
      const offer = port.offer();
      if (offer === null) return off(request, reply);
      const values = { email: field(request.body, "email"), webhookUrl: field(request.body, "webhook_url"), components: fields(request.body, "components"), format: field(request.body, "format") };
      const refuse = (error: NonNullable<SubscribeFormState["error"]>) => page(reply, 400, renderSubscribePage(port.view(), { values, error }));
      const which = kindOf(offer, values.email, values.webhookUrl);
      if ("field" in which) return refuse(which);
      const format = values.format === "" ? null : formatOf(values.format);
      if (which.kind === "webhook" && values.format !== "" && format === null) return refuse({ field: "format", message: "choose Vigil's JSON or Statuspage's webhook JSON" });
      const outcome = await port.request({ kind: which.kind, address: which.address, components: values.components.length > 0 ? values.components : null, format, ip: clientIp(request) });
      if (outcome.ok) return page(reply, 200, renderSubscribeSentPage(port.view(), outcome));
      if (outcome.reason === "off") return off(request, reply);
      if (outcome.reason === "rate_limited") {
        void reply.header("retry-after", retryAfterSeconds(outcome.retryAfterMs));
        return page(reply, 429, renderRateLimitedPage(port.view(), outcome.retryAfterMs));
      }
      return refuse({ field: outcome.field, message: outcome.message });
    });

    // A link scanner may GET the link: only the button (a POST) confirms.
    scope.get("/subscriptions/confirm", async (request, reply) => {
      const token = tokenOf(request);
      const checked = await port.inspect(token);
      if (!checked.ok) return checked.reason === "off" ? off(request, reply) : page(reply, 400, renderLinkProblemPage(port.view(), { reason: checked.reason, action: "confirm", confirmWithinMs: checked.confirmWithinMs }));
      return page(reply, 200, renderConfirmPage(port.view(), checked.pending, confirmAction(token, formatOf(field(request.query, "format")))));
    });

    scope.post("/subscriptions/confirm", async (request, reply) => {
      const format = formatOf(field(request.query, "format") || field(request.body, "format"));
      const confirmed = await port.confirm(tokenOf(request), format);
      if (!confirmed.ok) return confirmed.reason === "off" ? off(request, reply) : page(reply, 400, renderLinkProblemPage(port.view(), { reason: confirmed.reason, action: "confirm", confirmWithinMs: confirmed.confirmWithinMs }));
      return page(reply, 200, renderConfirmedPage(port.view(), confirmed.pending, unsubscribeAction(confirmed.unsubscribeToken)));
    });

    // Unsubscribing works even with subscriptions turned off: nobody is kept on a list they cannot leave.
    scope.get("/subscriptions/unsubscribe", async (request, reply) => {
      const token = tokenOf(request);
      if (!(await port.checkUnsubscribe(token))) return page(reply, 400, renderLinkProblemPage(port.view(), { reason: "invalid", action: "unsubscribe" }));
      return page(reply, 200, renderUnsubscribePage(port.view(), unsubscribeAction(token)));
    });

    // The page's button, and RFC 8058's one-click POST (body List-Unsubscribe=One-Click) from a mail client.
    scope.post("/subscriptions/unsubscribe", async (request, reply) => {
      const outcome = await port.unsubscribe(tokenOf(request));
      if (!outcome.ok) return page(reply, 400, renderLinkProblemPage(port.view(), { reason: "invalid", action: "unsubscribe" }));
      return page(reply, 200, renderUnsubscribedPage(port.view()));
    });
  });
  return [api];
}
