import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { Principal } from "../auth/authenticate.ts";
import type { TokenScope } from "../auth/token-format.ts";
import { AppError, type ErrorCode, type ErrorDetail } from "../core/errors.ts";

/** What a route handler receives: validated input and the caller. */
export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  principal: Principal | undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** One JSON endpoint: its schemas validate requests and describe it in the OpenAPI document. */
export interface RouteSpec<B = unknown, Q = unknown, P = unknown, R = unknown> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  operationId: string;
  summary: string;
  tag: string;
  auth: TokenScope | "public";
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  response: z.ZodType<R>;
  /** HTTP status of a success; 200 unless said. */
  status?: number;
  /**
   * Errors the route's verb answers beyond those its shape implies (see `errorCodesOf` in openapi.ts), e.g. `conflict`
   * when the lifecycle refuses a move, `not_found` for an id in the body: they are documented in the OpenAPI document.
   */
  errors?: readonly ErrorCode[];
  handler(ctx: RouteContext<B, Q, P>): Promise<R>;
}

/** Identity function that lets TypeScript infer a route's types from its schemas. */
export function defineRoute<B = undefined, Q = undefined, P = undefined, R = unknown>(spec: RouteSpec<B, Q, P, R>): RouteSpec<B, Q, P, R> {
  return spec;
}

/** Any route, for lists of routes with different types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any, any>;

function parsePart<T>(schema: z.ZodType<T> | undefined, value: unknown, where: "body" | "query" | "params"): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? (where === "body" ? undefined : {}));
  if (result.success) return result.data;
  const details: ErrorDetail[] = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  const what = where === "params" ? "the request's path parameters are" : where === "query" ? "the request's query parameters are" : "the request body is";
  throw new AppError("validation_failed", `${what} invalid: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, { details });
}

/** Registers routes on a Fastify instance, wiring authentication and validation the same way for each. */
export function registerRoutes(
  app: FastifyInstance,
  routes: readonly AnyRoute[],
  authenticate: (header: string | undefined, need: TokenScope) => Promise<Principal>,
): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const principal = route.auth === "public" ? undefined : await authenticate(request.headers.authorization, route.auth);
        const params = parsePart(route.params, request.params, "params");
        const query = parsePart(route.query, request.query, "query");
        const body = parsePart(route.body, request.body, "body");
        const result = await route.handler({ body, query, params, principal, request, reply });
        // A handler that answered itself (304 Not Modified) has nothing more to send.
        if (reply.sent) return reply;
        return reply.status(route.status ?? 200).send(result);
      },
    });
  }
}
