import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import { componentStatuses } from "../../incidents/component-status.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const componentView = z.object({
  id: z.string(),
  name: z.string(),
  group: z.string().nullable(),
  description: z.string().nullable(),
  position: z.number().int(),
  depends_on: z.array(z.object({ id: z.string(), soft: z.boolean() })),
  monitors: z.array(z.string()),
  hidden: z.boolean(),
  /** Where it is defined: the configuration file (read-only through the API) or the database. */
  source: z.enum(["file", "database"]),
  /** The derived status now (monitors, dependencies, maintenance, override). */
  status: z.string(),
  /** A person set the status by hand. */
  overridden: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});


/** The catalog as the running configuration made it. */
export function catalogRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/components",
      operationId: "listComponents",
      summary: "List components with their dependencies and monitors",
      tag: "catalog",
      auth: "read",
      response: z.object({ components: z.array(componentView) }),
      handler: async () => {
        const { statuses, overridden } = deps.incidents.componentStatuses();
        // updated_at is the last status change (as on the status page and in /api/v2), else when it was first seen.
        const changedAt = new Map((await deps.store.events.latestPerSubject("component.status_changed")).map((e) => [e.subject, e.at]));
        return {
        components: (await deps.store.catalog.components()).map((c) => ({
          id: c.id,
          name: c.name,
          group: c.group,
          description: c.description,
          position: c.position,
          depends_on: c.dependsOn,
          monitors: c.monitorIds,
          hidden: c.hidden,
          source: deps.catalog?.sourceOf("component", c.id) ?? "file",
          status: statuses[c.id] ?? "operational",
          overridden: overridden.includes(c.id),
          created_at: c.createdAt.toISOString(),
          updated_at: (changedAt.get(c.id) ?? c.createdAt).toISOString(),
        })),
        };
      },
    }),
    defineRoute({
      method: "PUT",
      url: "/api/v1/components/:id/status",
      operationId: "overrideComponentStatus",
      summary: "Set a component's status by hand, whatever its monitors say; null hands it back to its monitors",
      tag: "catalog",
      auth: "incidents.write",
      params: z.object({ id: z.string().max(200) }),
      body: z.strictObject({ status: z.enum(componentStatuses).nullable() }),
      response: z.object({ id: z.string(), status: z.string(), overridden: z.boolean() }),
      handler: async ({ params, body, principal }) => {
        const status = await deps.incidents.overrideComponent(params.id, body.status, actorOf(principal));
        return { id: params.id, status, overridden: body.status !== null };
      },
    }),
  ];
}
