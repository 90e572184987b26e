import type { Permission } from "../auth/authenticate.ts";
import { leastRoleFor, leastScopeFor } from "../auth/roles.ts";
import { z } from "zod";
import type { ErrorCode } from "../core/errors.ts";
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

/** Vigil's license, as package.json says (a test holds them equal). */
export const apiLicense = { name: "MIT", identifier: "MIT" } as const;

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

/**
 * The error codes a route can answer, from its shape and its declared `errors`:
 * - input (path, query or body) is validated: `validation_failed` (400);
 * - a method other than GET may carry a body, which may be malformed, too large or not JSON: 400, 413, 415;
 * - a token is needed unless it is public: 401, 403;
 * - an id in the path may name nothing: 404;
 * - every route needs the store, and on a cluster's follower the leader it forwards to: 503;
 * - plus what the route's verb declares (`conflict`, `not_found` for an id in the body, `rate_limited`…).
 */
export function errorCodesOf(route: AnyRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  if (route.params || route.query || route.body) codes.add("validation_failed");
  if (route.method !== "GET") for (const code of ["bad_request", "payload_too_large", "unsupported_media_type"] as const) codes.add(code);
  if (route.auth !== "public") for (const code of ["unauthorized", "forbidden"] as const) codes.add(code);
  if (route.params) codes.add("not_found");
  for (const code of route.errors ?? []) codes.add(code);
  codes.add("store_unavailable");
  return [...codes];
}

/** One shared response per error status, named for $ref. */
const errorResponses: Record<number, { name: string; description: string; retryAfter?: true }> = {
  400: { name: "BadRequest", description: "The request is malformed or invalid (`bad_request`, `validation_failed`, `config_invalid`); `details` name each problem and where" },
  401: { name: "Unauthorized", description: "No token, or an unknown, expired or revoked one (`unauthorized`)" },
  403: { name: "Forbidden", description: "The token's role may not do the route's action; the message names both (`forbidden`)" },
  404: { name: "NotFound", description: "Nothing has the id given (`not_found`)" },
  409: { name: "Conflict", description: "The request is refused in the current state, e.g. a move the incident lifecycle forbids (`conflict`); the message says why" },
  413: { name: "PayloadTooLarge", description: "The request body is larger than the server's body limit (`payload_too_large`)" },
  415: { name: "UnsupportedMediaType", description: "The request body is not JSON (`unsupported_media_type`)" },
  429: { name: "TooManyRequests", description: "Too many requests from this caller (`rate_limited`); Retry-After says when to try again", retryAfter: true },
  503: { name: "Unavailable", description: "The store cannot be reached (`store_unavailable`), or a cluster has no leader right now (`leader_unavailable`, with Retry-After)", retryAfter: true },
};

function responseRef(status: number): { $ref: string } {
  const known = errorResponses[status];
  if (!known) throw new Error(`no OpenAPI response is described for HTTP status ${status}`);
  return { $ref: `#/components/responses/${known.name}` };
}

/** A secured route's access extensions: its action, the least role and the least legacy scope that may do it. */
function accessOf(auth: Permission): Record<string, string> {
  if (auth === "agent") return { "x-vigil-scope": "agent" };
  return { "x-vigil-action": auth, "x-vigil-role": leastRoleFor(auth), "x-vigil-scope": leastScopeFor(auth) };
}

/** Builds the OpenAPI 3.1 document from the same schemas that validate requests. */
export function buildOpenApi(routes: readonly AnyRoute[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const secured = route.auth !== "public";
    const success = route.status ?? 200;
    const responses: Record<string, unknown> = {
      [String(success)]:
        success === 204 ? { description: "Success, no content" } : { description: "Success", content: { "application/json": { schema: jsonSchema(route.response, "output") } } },
    };
    const statuses = [...new Set(errorCodesOf(route).map((code) => httpStatusOf[code]))].sort((a, b) => a - b);
    for (const status of statuses) responses[String(status)] = responseRef(status);
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(secured ? { security: [{ bearer: [] }], ...accessOf(route.auth as Permission) } : { security: [] }),
      parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query")],
      ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.body, "input") } } } } : {}),
      responses,
    };
  }
  const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
  const retryAfter = { "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 0 } } };
  return {
    openapi: "3.1.0",
    info: {
      title: "Vigil API",
      version: info.version,
      description: "Vigil's native API. Each route needs a bearer token whose role may do the route's action (x-vigil-action; x-vigil-role is the least role that may, x-vigil-scope the least legacy scope).",
      license: apiLicense,
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token made with `vigil token create`." } },
      schemas: { Error: jsonSchema(errorSchema, "output") },
      responses: Object.fromEntries(
        Object.values(errorResponses).map((r) => [r.name, { description: r.description, ...(r.retryAfter ? { headers: retryAfter } : {}), content: errorContent }]),
      ),
    },
  };
}
