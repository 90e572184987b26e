import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { Permission, Principal } from "../auth/authenticate.ts";
import { summarize } from "../audit/summary.ts";
import { AppError, type ErrorCode, type ErrorDetail } from "../core/errors.ts";
import type { AuditRow } from "../store/types.ts";
import { httpStatusOf, toAppError } from "./errors.ts";

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
  /** The action (see src/auth/roles.ts) a token's role needs, `agent` for probe agents, or `public`. */
  auth: Permission | "public";
  /**
   * A GET whose answer hands out personal data (the subscriber list and its export) is written to the audit log
   * like a write; every other route with a token is written to it when it is not a GET (agents' reports excepted).
   */
  audit?: "export";
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

/** Whether a call of `route` goes to the audit log: writes by a person or a service, and exports of personal data. */
export function audited(route: AnyRoute): boolean {
  if (route.auth === "public" || route.auth === "agent") return false;
  return route.method !== "GET" || route.audit === "export";
}

/** Where registerRoutes writes the audit log, and how it reads a request's client address. */
export interface AuditPort {
  record(entry: Omit<AuditRow, "id">): Promise<void>;
  clientAddress(request: FastifyRequest): string;
  now(): Date;
}

/**
 * Registers routes on a Fastify instance, wiring authentication, validation and the audit log the same way for each:
 * this is the one place every API write is recorded, whatever its route.
 */
export function registerRoutes(
  app: FastifyInstance,
  routes: readonly AnyRoute[],
  authenticate: (header: string | undefined, need: Permission) => Promise<Principal>,
  audit?: AuditPort,
): void {
  for (const route of routes) {
    const record = audit !== undefined && audited(route);
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const principal = route.auth === "public" ? undefined : await authenticate(request.headers.authorization, route.auth);
        let result: unknown;
        let status = route.status ?? 200;
        try {
          const params = parsePart(route.params, request.params, "params");
          const query = parsePart(route.query, request.query, "query");
          const body = parsePart(route.body, request.body, "body");
          result = await route.handler({ body, query, params, principal, request, reply });
          if (reply.sent) status = reply.statusCode;
        } catch (error) {
          status = httpStatusOf[toAppError(error).code];
          throw error;
        } finally {
          if (record && principal !== undefined) await writeAudit(audit, route, request, principal, status, result);
        }
        // A handler that answered itself (304 Not Modified) has nothing more to send.
        if (reply.sent) return reply;
        return reply.status(route.status ?? 200).send(result);
      },
    });
  }
}

async function writeAudit(audit: AuditPort, route: AnyRoute, request: FastifyRequest, principal: Principal, status: number, result: unknown): Promise<void> {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const made = result !== null && typeof result === "object" && typeof (result as { id?: unknown }).id === "string" ? (result as { id: string }).id : undefined;
  const targetId = typeof params.id === "string" ? params.id : made;
  try {
    await audit.record({
      at: audit.now(),
      // A service token's name is the holder's to choose: marked, so that it can never pass for a user's e-mail.
      actor: principal.user?.email ?? `token:${principal.name}`,
      via: principal.tokenId === null ? "session" : "token",
      tokenId: principal.tokenId,
      action: route.auth,
      operation: route.operationId,
      targetKind: route.tag,
      targetId: targetId ?? null,
      status,
      summary: summarize({ method: route.method, path: request.url.split("?")[0] ?? route.url, query: request.query, body: request.body }),
      clientAddress: audit.clientAddress(request),
    });
  } catch (error) {
    // The write itself is done: its answer stands, and the missing entry is an error for the operator to see.
    request.log.error({ err: error, operation: route.operationId }, "could not write the audit log");
  }
}
