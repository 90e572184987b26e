import { z } from "zod";
import { httpStatusOf } from "./errors.ts";
import type { AnyRoute } from "./route.ts";

const errorSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(httpStatusOf) as [string, ...string[]]),
    message: z.string(),
    details: z.array(z.object({ path: z.string().optional(), message: z.string(), file: z.string().optional(), line: z.number().int().optional(), column: z.number().int().optional() })),
    request_id: z.string().optional(),
  }),
});

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

function parameters(schema: z.ZodType | undefined, where: "path" | "query"): unknown[] {
  if (!schema) return [];
  const js = jsonSchema(schema, "input") as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || (js.required ?? []).includes(name),
    schema: s,
  }));
}

/** Builds the OpenAPI 3.1 document from the same schemas that validate requests. */
export function buildOpenApi(routes: readonly AnyRoute[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const secured = route.auth !== "public";
    const responses: Record<string, unknown> = {
      [String(route.status ?? 200)]: { description: "Success", content: { "application/json": { schema: jsonSchema(route.response, "output") } } },
      "400": { $ref: "#/components/responses/Error" },
    };
    if (secured) {
      responses["401"] = { $ref: "#/components/responses/Error" };
      responses["403"] = { $ref: "#/components/responses/Error" };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(secured ? { security: [{ bearer: [] }], "x-vigil-scope": route.auth } : { security: [] }),
      parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query")],
      ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.body, "input") } } } } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Vigil API", version: info.version, description: "Vigil's native API. Writes need a bearer token with the right scope (read < write < admin)." },
    servers: [{ url: "/" }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token made with `vigil token create`." } },
      responses: { Error: { description: "An error", content: { "application/json": { schema: jsonSchema(errorSchema, "output") } } } },
    },
  };
}
