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

const monitorView = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string().nullable(),
  interval_ms: z.number().int(),
  timeout_ms: z.number().int(),
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
    defineRoute({
      method: "GET",
      url: "/api/v1/monitors",
      operationId: "listMonitors",
      summary: "List monitors (type-specific settings, which may hold secrets, are not shown)",
      tag: "catalog",
      auth: "read",
      response: z.object({ monitors: z.array(monitorView) }),
      handler: async () => ({
        monitors: (await deps.store.catalog.monitors()).map((m) => ({
          id: m.id,
          type: m.type,
          name: m.name,
          interval_ms: m.intervalMs,
          timeout_ms: m.timeoutMs,
          created_at: m.createdAt.toISOString(),
          updated_at: m.updatedAt.toISOString(),
        })),
      }),
    }),
  ];
}
