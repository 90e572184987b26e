import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import { AppError } from "../../core/errors.ts";
import { maintenanceStatuses } from "../../incidents/maintenance.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";
import { maintenanceOf, maintenanceView } from "./incident-views.ts";

/** Scheduled maintenance: declared in the config or here; moved by the clock, or by hand. */
export function maintenanceRoutes(deps: ApiDeps) {
  const idParams = z.object({ id: z.string().max(200) });
  const isoTime = z.iso.datetime({ offset: true, message: "expected an ISO 8601 time with a zone, such as 2026-12-01T02:00:00Z" }).transform((s) => new Date(s));
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/maintenances",
      operationId: "listMaintenances",
      summary: "Scheduled maintenances by start; filter by status",
      tag: "maintenance",
      auth: "read",
      query: z.strictObject({ status: z.enum(maintenanceStatuses).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: z.object({ maintenances: z.array(maintenanceView) }),
      handler: async ({ query }) => ({
        maintenances: (await deps.store.maintenances.list({ ...(query.status ? { statuses: [query.status] } : {}), limit: query.limit })).map(maintenanceOf),
      }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/maintenances/:id",
      operationId: "getMaintenance",
      summary: "One maintenance",
      tag: "maintenance",
      auth: "read",
      params: idParams,
      response: maintenanceView,
      handler: async ({ params }) => {
        const row = await deps.store.maintenances.get(params.id);
        if (!row) throw new AppError("not_found", `no maintenance with id ${params.id}`);
        return maintenanceOf(row);
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/maintenances",
      operationId: "createMaintenance",
      errors: ["not_found"],
      summary: "Schedule maintenance for components; while in progress they are under maintenance and their failures open no incident",
      tag: "maintenance",
      auth: "maintenances.write",
      status: 201,
      body: z.strictObject({
        name: z.string().trim().min(1).max(200),
        body: z.string().trim().min(1).max(20_000).optional(),
        components: z.array(z.string().max(200)).min(1),
        scheduled_for: isoTime,
        scheduled_until: isoTime,
      }),
      response: maintenanceView,
      handler: async ({ body, principal }) =>
        maintenanceOf(
          await deps.incidents.createMaintenance(
            { name: body.name, ...(body.body ? { body: body.body } : {}), componentIds: body.components, scheduledFor: body.scheduled_for, scheduledUntil: body.scheduled_until },
            actorOf(principal),
          ),
        ),
    }),
    defineRoute({
      method: "PATCH",
      url: "/api/v1/maintenances/:id",
      operationId: "editMaintenance",
      errors: ["conflict"],
      summary: "Change a maintenance's name, body (null: the default text), components or times (checked as when scheduled); the clock follows the new times; a completed or cancelled one is final (409)",
      tag: "maintenance",
      auth: "maintenances.write",
      params: idParams,
      body: z.strictObject({
        name: z.string().trim().min(1).max(200).optional(),
        /** null: back to the default text, as when scheduled without one. */
        body: z.string().trim().min(1).max(20_000).nullable().optional(),
        components: z.array(z.string().max(200)).min(1).optional(),
        scheduled_for: isoTime.optional(),
        scheduled_until: isoTime.optional(),
      }),
      response: maintenanceView,
      handler: async ({ params, body, principal }) =>
        maintenanceOf(
          await deps.incidents.editMaintenance(
            params.id,
            {
              ...(body.name !== undefined ? { name: body.name } : {}),
              ...(body.body !== undefined ? { body: body.body } : {}),
              ...(body.components !== undefined ? { componentIds: body.components } : {}),
              ...(body.scheduled_for !== undefined ? { scheduledFor: body.scheduled_for } : {}),
              ...(body.scheduled_until !== undefined ? { scheduledUntil: body.scheduled_until } : {}),
            },
            actorOf(principal),
          ),
        ),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/maintenances/:id/status",
      operationId: "moveMaintenance",
      errors: ["conflict"],
      summary: "Move a maintenance forward by hand (start early, verify, complete)",
      tag: "maintenance",
      auth: "maintenances.write",
      params: idParams,
      body: z.strictObject({ status: z.enum(maintenanceStatuses) }),
      response: maintenanceView,
      handler: async ({ params, body, principal }) => maintenanceOf(await deps.incidents.moveMaintenance(params.id, body.status, actorOf(principal))),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/maintenances/:id/cancel",
      operationId: "cancelMaintenance",
      errors: ["conflict"],
      summary: "Cancel a maintenance that has not completed",
      tag: "maintenance",
      auth: "maintenances.write",
      params: idParams,
      response: maintenanceView,
      handler: async ({ params, principal }) => maintenanceOf(await deps.incidents.cancelMaintenance(params.id, actorOf(principal))),
    }),
  ];
}
