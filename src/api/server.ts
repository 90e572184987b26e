import { randomUUID } from "node:crypto";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { authenticate } from "../auth/authenticate.ts";
import type { ApiDeps } from "./deps.ts";
import { handleError, handleNotFound } from "./errors.ts";
import { buildOpenApi } from "./openapi.ts";
import { createServer } from "node:http";
import { serveSite } from "./public/site.ts";
import { registerSubscriptionRoutes, type SubscriptionsPort } from "./public/subscriptions.ts";
import { registerRoutes, type AnyRoute } from "./route.ts";
import { catalogRoutes } from "./v1/catalog.ts";
import { eventRoutes } from "./v1/events.ts";
import { incidentRoutes } from "./v1/incidents.ts";
import { maintenanceRoutes } from "./v1/maintenances.ts";
import { notificationRoutes } from "./v1/notifications.ts";
import { monitorRoutes } from "./v1/monitors.ts";
import { reloadRoutes } from "./v1/reload.ts";
import { silenceRoutes } from "./v1/silences.ts";
import { acceptSubscriberCsv, subscriberRoutes } from "./v1/subscribers.ts";
import { tokenRoutes } from "./v1/tokens.ts";
import { upstreamRoutes } from "./v1/upstreams.ts";
import { clusterRoutes } from "./v1/cluster.ts";
import { forwardToLeader } from "./forward.ts";
import { opsRoutes } from "./ops.ts";

/** Limits of the HTTP server. */
export interface ServerLimits {
  bodyLimitBytes: number;
  requestTimeoutMs: number;
}

const quietPaths = new Set(["/healthz", "/readyz", "/metrics"]);
const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** Every JSON route of /api/v1, in one list: registered and described from the same specs. */
export function v1Routes(deps: ApiDeps): AnyRoute[] {
  return [...catalogRoutes(deps), ...monitorRoutes(deps), ...incidentRoutes(deps), ...maintenanceRoutes(deps), ...notificationRoutes(deps), ...silenceRoutes(deps), ...eventRoutes(deps), ...subscriberRoutes(deps), ...tokenRoutes(deps), ...upstreamRoutes(deps), ...reloadRoutes(deps), ...clusterRoutes(deps)];
}

/** Builds the HTTP server; it does not listen. With `subscriptions`, the public subscription pages and endpoint are served too. */
export function buildServer(deps: ApiDeps & { subscriptions?: SubscriptionsPort }, logger: Logger, limits: ServerLimits): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: limits.bodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // A caller's request id is kept when it is safe to log; otherwise we make one.
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && requestIdPattern.test(given) ? given : randomUUID();
    },
    // Probes and load balancers poll these every few seconds: their request lines would drown the log.
    // The public site is answered before Fastify sees the request (see serveSite); the rest goes through Fastify.
    serverFactory: (handler) => {
      const server = createServer((request, response) => {
        const site = deps.site;
        if (site) {
          const started = performance.now();
          const outcome = serveSite(site, request, response);
          if (outcome.served) {
            deps.metrics.httpRequests.observe({ method: request.method ?? "GET", route: "site", status: String(outcome.status) }, (performance.now() - started) / 1000);
            return;
          }
        }
        handler(request, response);
      });
      // Fastify applies these only to servers it creates itself.
      server.keepAliveTimeout = 5_000;
      server.requestTimeout = limits.requestTimeoutMs;
      server.setTimeout(limits.requestTimeoutMs);
      return server;
    },
    // Only the API is logged per request.
    logController: new LogController({ requestIdLogLabel: "request_id", disableRequestLogging: (req) => quietPaths.has(req.url) || !(req.url ?? "").startsWith("/api/v1") }),
  }) as unknown as FastifyInstance;

  // JSON only: a text/plain body is refused with 415 rather than read as a string. The one exception is the
  // subscriber import's text/csv body, accepted on that route alone.
  app.removeContentTypeParser("text/plain");
  acceptSubscriberCsv(app);
  app.addHook("onRequest", async (request, reply) => {
    void reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    deps.metrics.httpRequests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  if (deps.cluster?.leader) forwardToLeader(app, deps.cluster.leader, deps.cluster.node ?? "unknown");
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  const routes = v1Routes(deps);
  const auth = (header: string | undefined, need: Parameters<typeof authenticate>[2]) => authenticate(deps, header, need);
  registerRoutes(app, routes, auth);
  const publicRoutes = deps.subscriptions ? registerSubscriptionRoutes(app, deps.subscriptions, auth) : [];
  const openapi = buildOpenApi([...routes, ...publicRoutes], { version: deps.version });
  app.get("/api/v1/openapi.json", async () => openapi);
  opsRoutes(app, deps);
  return app;
}
