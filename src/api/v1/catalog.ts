import { z } from "zod";
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
      handler: async () => ({
        components: (await deps.store.catalog.components()).map((c) => ({
          id: c.id,
          name: c.name,
          group: c.group,
          description: c.description,
          position: c.position,
          depends_on: c.dependsOn,
          monitors: c.monitorIds,
          hidden: c.hidden,
          created_at: c.createdAt.toISOString(),
          updated_at: c.updatedAt.toISOString(),
        })),
      }),
    }),
  ];
}
