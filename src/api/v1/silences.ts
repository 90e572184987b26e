import { randomBytes } from "node:crypto";
import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import { parseDuration } from "../../core/duration.ts";
import { AppError } from "../../core/errors.ts";
import { MatcherSchema } from "../../notify/routing/config.ts";
import type { SilenceRow } from "../../store/types.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

/** Where a silence stands at a time: not started, in force, or over (ended, or expired by hand). */
export const silenceStates = ["pending", "active", "expired"] as const;
export type SilenceState = (typeof silenceStates)[number];

/** A stored matcher, keys as in the configuration file (lists always; `>=major` is stored as the severities it admits). */
const matcherView = z.object({
  component: z.array(z.string()).optional(),
  group: z.array(z.string()).optional(),
  severity: z.array(z.enum(["none", "minor", "major", "critical"])).optional(),
  kind: z.array(z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

const silenceView = z.object({
  id: z.string(),
  matchers: matcherView,
  starts_at: z.string(),
  ends_at: z.string(),
  created_by: z.string(),
  comment: z.string(),
  created_at: z.string(),
  state: z.enum(silenceStates),
});

/** Expired once it has ended (a pending silence expired by hand ends before it starts); else pending until it starts. */
export function silenceState(row: Pick<SilenceRow, "startsAt" | "endsAt">, now: Date): SilenceState {
  const t = now.getTime();
  if (row.endsAt.getTime() <= t) return "expired";
  return t < row.startsAt.getTime() ? "pending" : "active";
}

function view(row: SilenceRow, now: Date): z.infer<typeof silenceView> {
  return {
    id: row.id,
    matchers: row.matchers as z.infer<typeof matcherView>,
    starts_at: row.startsAt.toISOString(),
    ends_at: row.endsAt.toISOString(),
    created_by: row.createdBy,
    comment: row.comment,
    created_at: row.createdAt.toISOString(),
    state: silenceState(row, now),
  };
}

/** A validation error in the same shape as the schemas' own (path and message in `details`). */
function invalid(path: string, message: string): AppError {
  return new AppError("validation_failed", `the request body is invalid: ${path}: ${message}`, { details: [{ path, message }] });
}

/** What the timeline keeps of a silence. */
function eventData(row: SilenceRow): Record<string, unknown> {
  return { matchers: row.matchers, starts_at: row.startsAt.toISOString(), ends_at: row.endsAt.toISOString(), created_by: row.createdBy, comment: row.comment };
}

/** Silences (Alertmanager's): no notification for the messages they match between their start and end. */
export function silenceRoutes(deps: ApiDeps) {
  const isoTime = z.iso.datetime({ offset: true, message: "expected an ISO 8601 time with a zone, such as 2026-12-01T02:00:00Z" }).transform((s) => new Date(s));
  const duration = z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: "custom", message: "expected a duration greater than zero, such as 30m, 2h or 1d" });
      return z.NEVER;
    }
    return ms;
  });
  const idParams = z.object({ id: z.string().max(200) });
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/silences",
      operationId: "listSilences",
      summary: "Silences by start; by default the active and pending ones",
      tag: "silences",
      auth: "read",
      query: z.strictObject({ state: z.enum([...silenceStates, "all"]).optional() }),
      response: z.object({ silences: z.array(silenceView) }),
      handler: async ({ query }) => {
        const now = deps.clock.now();
        const wanted = query.state ?? "current";
        // Active and pending ones are those ending after now; expired ones need the whole list.
        const rows = wanted === "active" || wanted === "pending" || wanted === "current" ? await deps.store.silences.list({ endingAfter: now }) : await deps.store.silences.list();
        const views = rows.map((row) => view(row, now));
        return { silences: wanted === "current" || wanted === "all" ? views : views.filter((v) => v.state === wanted) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/silences",
      operationId: "createSilence",
      summary: "Silence the notifications that match, from starts_at (default now) until ends_at or for a duration",
      tag: "silences",
      auth: "silences.write",
      status: 201,
      body: z.strictObject({
        matchers: MatcherSchema.refine((m) => Object.keys(m).length > 0, {
          message: 'needs at least one matcher; kind: "*" silences everything',
          // Only when the matcher is otherwise valid: an unknown key alone is reason enough.
          when: (payload) => payload.issues.length === 0,
        }),
        starts_at: isoTime.optional(),
        ends_at: isoTime.optional(),
        duration: duration.optional(),
        comment: z.string().trim().min(1, "must not be empty: say why notifications are silenced").max(2_000),
        created_by: z.string().trim().min(1).max(200).optional(),
      }),
      response: silenceView,
      handler: async ({ body, principal }) => {
        const now = deps.clock.now();
        if (body.ends_at !== undefined && body.duration !== undefined) throw invalid("body.ends_at", "give ends_at or duration, not both");
        if (body.ends_at === undefined && body.duration === undefined) throw invalid("body.ends_at", "give ends_at, or a duration such as 2h");
        const startsAt = body.starts_at ?? now;
        const endsAt = body.ends_at ?? new Date(startsAt.getTime() + (body.duration ?? 0));
        if (endsAt.getTime() <= startsAt.getTime()) throw invalid("body.ends_at", "must be after starts_at");
        if (endsAt.getTime() <= now.getTime()) throw invalid("body.ends_at", `must be in the future (now is ${now.toISOString()})`);
        if (body.matchers.component) {
          const known = new Set((await deps.store.catalog.components()).map((c) => c.id));
          const unknown = body.matchers.component.find((id) => !known.has(id));
          if (unknown !== undefined) throw invalid("body.matchers.component", `no component has the id "${unknown}"`);
        }
        const actor = actorOf(principal);
        const row: SilenceRow = {
          id: `sil_${randomBytes(8).toString("hex")}`,
          matchers: { ...body.matchers },
          startsAt,
          endsAt,
          createdBy: body.created_by ?? actor,
          comment: body.comment,
          createdAt: now,
        };
        await deps.store.transaction(async (tx) => {
          await tx.silences.create(row);
          await tx.events.append({ at: now, kind: "silence.created", subject: row.id, actor, data: eventData(row) });
        });
        deps.live?.changed();
        return view(row, now);
      },
    }),
    defineRoute({
      method: "DELETE",
      url: "/api/v1/silences/:id",
      operationId: "expireSilence",
      errors: ["conflict"],
      summary: "Expire a silence now (a pending one never starts); it stays listed as expired",
      tag: "silences",
      auth: "silences.write",
      params: idParams,
      response: silenceView,
      handler: async ({ params, principal }) => {
        const now = deps.clock.now();
        const row = await deps.store.silences.get(params.id);
        if (!row) throw new AppError("not_found", `no silence with id ${params.id}`);
        if (row.endsAt.getTime() <= now.getTime()) throw new AppError("conflict", `silence ${params.id} already expired at ${row.endsAt.toISOString()}`);
        const actor = actorOf(principal);
        const expired = await deps.store.transaction(async (tx) => {
          const ended = await tx.silences.expire(row.id, now);
          // Someone else expired it between the read and this write.
          if (!ended) throw new AppError("conflict", `silence ${params.id} was expired meanwhile`);
          await tx.events.append({ at: now, kind: "silence.expired", subject: row.id, actor, data: { ...eventData(ended), previous_ends_at: row.endsAt.toISOString() } });
          return ended;
        });
        deps.live?.changed();
        return view(expired, now);
      },
    }),
  ];
}
