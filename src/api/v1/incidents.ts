import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import { AppError } from "../../core/errors.ts";
import { incidentStatuses } from "../../incidents/lifecycle.ts";
import type { IncidentRow, IncidentUpdateRow } from "../../store/types.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const incidentView = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  impact: z.string(),
  root_components: z.array(z.string()),
  impacted_components: z.array(z.string()),
  started_at: z.string(),
  earliest_possible_start: z.string().nullable(),
  monitoring_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
  published_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const updateView = z.object({
  id: z.string(),
  status: z.string(),
  body: z.string(),
  affected_components: z.array(z.object({ code: z.string(), name: z.string(), old_status: z.string(), new_status: z.string() })),
  actor: z.string(),
  display_at: z.string(),
  created_at: z.string(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function view(row: IncidentRow): z.infer<typeof incidentView> {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    impact: row.impactOverride ?? row.impact,
    root_components: row.rootIds,
    impacted_components: row.impactedIds,
    started_at: row.startedAt.toISOString(),
    earliest_possible_start: iso(row.earliestPossibleStart),
    monitoring_at: iso(row.monitoringAt),
    resolved_at: iso(row.resolvedAt),
    published_at: iso(row.publishedAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function updateOf(row: IncidentUpdateRow): z.infer<typeof updateView> {
  return { id: row.id, status: row.status, body: row.body, affected_components: row.affectedComponents, actor: row.actor, display_at: row.displayAt.toISOString(), created_at: row.createdAt.toISOString() };
}

/** Incidents opened by correlation: their state, updates and timeline. */
export function incidentRoutes(deps: ApiDeps) {
  const idParams = z.object({ id: z.string().regex(/^inc_[0-9a-f]{16}$/, "expected an incident id such as inc_0123456789abcdef") });
  return [
    defineRoute({
      method: "POST",
      url: "/api/v1/incidents/:id/updates",
      operationId: "addIncidentUpdate",
      summary: "A responder's update: a message and optionally a new status; automation then leaves the incident alone (hold) unless hold is false",
      tag: "incidents",
      auth: "write",
      status: 201,
      params: idParams,
      body: z.strictObject({ status: z.enum(incidentStatuses).optional(), body: z.string().trim().min(1).max(20_000), hold: z.boolean().optional() }),
      response: incidentView,
      handler: async ({ params, body, principal }) => view((await deps.incidents.personUpdate(params.id, body, actorOf(principal))) as IncidentRow),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/incidents",
      operationId: "listIncidents",
      summary: "Incidents, newest first; open=true for unresolved ones only",
      tag: "incidents",
      auth: "read",
      query: z.strictObject({ open: z.enum(["true", "false"]).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
      response: z.object({ incidents: z.array(incidentView) }),
      handler: async ({ query }) => ({ incidents: (await deps.store.incidents.list({ openOnly: query.open === "true", limit: query.limit })).map(view) }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/incidents/:id",
      operationId: "getIncident",
      summary: "An incident with its updates and its timeline (signals joined and recovered, status changes)",
      tag: "incidents",
      auth: "read",
      params: idParams,
      response: incidentView.extend({
        updates: z.array(updateView),
        timeline: z.array(z.object({ id: z.string(), at: z.string(), kind: z.string(), actor: z.string(), data: z.record(z.string(), z.unknown()) })),
      }),
      handler: async ({ params }) => {
        const row = await deps.store.incidents.get(params.id);
        if (!row) throw new AppError("not_found", `no incident with id ${params.id}`);
        const events = await deps.store.events.list({ subject: row.id, limit: 10_000 });
        return {
          ...view(row),
          updates: (await deps.store.incidents.updates(row.id)).map(updateOf),
          timeline: events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, actor: e.actor, data: e.data })),
        };
      },
    }),
  ];
}
