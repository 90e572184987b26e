import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import type { DeliveryRow } from "../../store/types.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const deliveryView = z.object({
  id: z.string(),
  event_id: z.string(),
  destination: z.string(),
  idempotency_key: z.string(),
  status: z.string(),
  attempts: z.number(),
  next_attempt_at: z.string(),
  last_error: z.string().nullable(),
  kind: z.string().nullable(),
  title: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  delivered_at: z.string().nullable(),
});

/** A delivery as the API shows it: its message by kind and title only. */
function viewOf(d: DeliveryRow): z.infer<typeof deliveryView> {
  return {
    id: d.id,
    event_id: d.eventId,
    destination: d.destination,
    idempotency_key: d.idempotencyKey,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt.toISOString(),
    last_error: d.lastError,
    kind: typeof d.message["kind"] === "string" ? d.message["kind"] : null,
    title: typeof d.message["title"] === "string" ? d.message["title"] : null,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
    delivered_at: d.deliveredAt?.toISOString() ?? null,
  };
}

/** Notification channels (listed without their settings, which hold secrets), test sends, and the outbox with its retries. */
export function notificationRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/channels",
      operationId: "listChannels",
      summary: "The configured notification channels: id and type only (their settings hold secrets)",
      tag: "notifications",
      auth: "read",
      response: z.object({ channels: z.array(z.object({ id: z.string(), type: z.string() })) }),
      handler: async () => ({ channels: deps.notifications.channels() }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/channels/:id/test",
      operationId: "testChannel",
      errors: ["conflict"],
      summary: "Send a test message through a channel now (not through the outbox) and say how it went",
      tag: "notifications",
      auth: "channels.test",
      params: z.object({ id: z.string().max(200) }),
      response: z.object({ channel: z.string(), ok: z.boolean(), retryable: z.boolean().nullable(), detail: z.string().nullable() }),
      handler: async ({ params, principal }) => deps.notifications.test(params.id, actorOf(principal)),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/deliveries",
      operationId: "listDeliveries",
      summary: "The notification outbox, newest first: pending, delivered, muted (with why) and dead (given up) deliveries",
      tag: "notifications",
      auth: "read",
      query: z.strictObject({ status: z.enum(["pending", "delivered", "dead", "muted"]).optional(), destination: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: z.object({ deliveries: z.array(deliveryView) }),
      handler: async ({ query }) => {
        const rows = await deps.store.outbox.list({ ...(query.status ? { status: query.status } : {}), ...(query.destination ? { destination: query.destination } : {}), limit: query.limit });
        return { deliveries: rows.map(viewOf) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/deliveries/:id/retry",
      operationId: "retryDelivery",
      errors: ["conflict"],
      summary: "Queue a dead (given up) delivery again: pending, due now, its attempts counted afresh; any other status is refused (409)",
      tag: "notifications",
      auth: "channels.write",
      params: z.object({ id: z.string().max(30) }),
      response: deliveryView,
      handler: async ({ params }) => viewOf(await deps.notifications.retry(params.id)),
    }),
  ];
}
