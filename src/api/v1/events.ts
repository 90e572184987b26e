import { z } from "zod";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

/** The timeline: every event appended, oldest first, paged by id. */
export function eventRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/events",
      operationId: "listEvents",
      summary: "Read the timeline, oldest first; page with after_id",
      tag: "timeline",
      auth: "read",
      query: z.strictObject({
        after_id: z.string().regex(/^\d+$/, "expected an event id (digits)").optional(),
        kind: z.string().regex(/^[a-z_]+\.[a-z_.]+$/, "expected an event kind such as config.reloaded").optional(),
        subject: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: z.object({
        events: z.array(z.object({ id: z.string(), at: z.string(), kind: z.string(), subject: z.string().nullable(), actor: z.string(), data: z.record(z.string(), z.unknown()) })),
        next_after_id: z.string().nullable(),
      }),
      handler: async ({ query }) => {
        const events = await deps.store.events.list({ afterId: query.after_id, kind: query.kind, subject: query.subject, limit: query.limit });
        return {
          events: events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, subject: e.subject, actor: e.actor, data: e.data })),
          next_after_id: events.length === query.limit ? (events.at(-1)?.id ?? null) : null,
        };
      },
    }),
  ];
}
