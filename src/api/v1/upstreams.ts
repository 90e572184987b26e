import { z } from "zod";
import type { UpstreamView } from "../../app/upstream/watcher.ts";
import { AppError } from "../../core/errors.ts";
import { upstreamStatuses } from "../../upstream/formats/statuspage.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const feedView = z.object({
  /** pending: never attempted; ok: read (perhaps with a few failures since); failing: cannot be read. */
  state: z.enum(["pending", "ok", "failing"]),
  last_success_at: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  /** The latest failure, naming the feed's host only; null after a success. */
  last_error: z.string().nullable(),
  /** Consecutive failures. */
  failures: z.number().int(),
  next_attempt_at: z.string().nullable(),
});

const upstreamView = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(upstreamStatuses),
  reason: z.string(),
  degraded_since: z.string().nullable(),
  incident: z.object({ title: z.string(), url: z.string().nullable(), started_at: z.string() }).nullable(),
  matched: z.array(z.string()),
  show_on_status_page: z.boolean(),
  feed: feedView,
});

const upstreamList = z.object({ upstreams: z.array(upstreamView) });

type UpstreamJson = z.infer<typeof upstreamView>;

/** The ISO form of a date; null for none or an invalid one. */
function iso(date: Date | null): string | null {
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An upstream as the API shows it (snake_case, dates as ISO strings). */
export function upstreamJson(view: UpstreamView): UpstreamJson {
  return {
    id: view.upstreamId,
    name: view.name,
    status: view.status,
    reason: view.reason,
    degraded_since: iso(view.degradedSince),
    incident: view.incident === null ? null : { title: view.incident.title, url: view.incident.url, started_at: iso(view.incident.startedAt) ?? "" },
    matched: [...view.matched],
    show_on_status_page: view.showOnStatusPage,
    feed: {
      state: view.feed.state,
      last_success_at: iso(view.feed.lastSuccessAt),
      last_attempt_at: iso(view.feed.lastAttemptAt),
      last_error: view.feed.lastError,
      failures: view.feed.failures,
      next_attempt_at: iso(view.feed.nextAttemptAt),
    },
  };
}

/** The upstream providers' status feeds: what each says now, and how its feed is doing. */
export function upstreamRoutes(deps: ApiDeps) {
  const list = (): { upstreams: UpstreamJson[] } => ({ upstreams: (deps.upstreams?.views() ?? []).map(upstreamJson) });
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/upstreams",
      operationId: "listUpstreams",
      summary: "The upstream providers, in configuration order: their status from their feeds, why, and their feeds' health",
      tag: "upstreams",
      auth: "read",
      response: upstreamList,
      handler: async () => list(),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/upstreams/refresh",
      operationId: "refreshUpstreams",
      errors: ["not_found"],
      summary: "Read the upstreams' feeds now (all, or those of `ids`; a read in progress is shared) and list them",
      tag: "upstreams",
      auth: "upstreams.refresh",
      body: z.strictObject({ ids: z.array(z.string().min(1).max(200)).min(1).max(1000).optional() }).optional(),
      response: upstreamList,
      handler: async ({ body }) => {
        const ids = body?.ids;
        if (ids !== undefined) {
          const known = new Set((deps.upstreams?.views() ?? []).map((v) => v.upstreamId));
          const unknown = [...new Set(ids)].filter((id) => !known.has(id));
          if (unknown.length > 0) {
            throw new AppError("not_found", `no upstream has the id ${unknown.map((id) => `"${id}"`).join(", ")}`, {
              details: unknown.map((id) => ({ path: `body.ids.${ids.indexOf(id)}`, message: `no upstream has the id "${id}"` })),
            });
          }
        }
        // An operator asked: read now, even a feed read a moment ago.
        await deps.upstreams?.refresh(ids, { force: true });
        return list();
      },
    }),
  ];
}
