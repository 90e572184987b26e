import { randomUUID } from "node:crypto";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { authenticate } from "../auth/authenticate.ts";
import type { ApiDeps } from "./deps.ts";
import type { VigilConfig } from "../config/index.ts";
import { handleError, handleNotFound, handleWrongMethod } from "./errors.ts";
import { buildOpenApi } from "./openapi.ts";
import { createServer } from "node:http";
import type { Duplex } from "node:stream";
import { serveSite, siteKeyOf, siteMethods } from "./public/site.ts";
import { registerSubscriptionRoutes, type SubscriptionsPort } from "./public/subscriptions.ts";
import { registerRoutes, type AnyRoute } from "./route.ts";
import { actionRoutes } from "./v1/actions.ts";
import { catalogRoutes } from "./v1/catalog.ts";
import { catalogEntryRoutes } from "./v1/catalog-entries.ts";
import { eventRoutes } from "./v1/events.ts";
import { incidentRoutes } from "./v1/incidents.ts";
import { maintenanceRoutes } from "./v1/maintenances.ts";
import { notificationRoutes } from "./v1/notifications.ts";
import { monitorRoutes } from "./v1/monitors.ts";
import { reloadRoutes } from "./v1/reload.ts";
import { silenceRoutes } from "./v1/silences.ts";
import { acceptSubscriberCsv, subscriberRoutes } from "./v1/subscribers.ts";
import { tokenRoutes } from "./v1/tokens.ts";
import { userRoutes } from "./v1/users.ts";
import { upstreamRoutes } from "./v1/upstreams.ts";
import { agentRoutes } from "./v1/agents.ts";
import { auditRoutes } from "./v1/audit.ts";
import { clusterRoutes } from "./v1/cluster.ts";
import { forwardToLeader } from "./forward.ts";
import { opsRoutes, type MetricsAccess } from "./ops.ts";
import { clientAddressReader } from "./client-address.ts";
import { defaultConsoleSettings, registerConsoleRoutes } from "./console/routes.ts";
import { commonSecurityHeaders, nonPagePolicy, type HstsSettings } from "./public/security-headers.ts";
import { AppError } from "../core/errors.ts";
import { jsonNestsDeeperThan } from "../core/json-depth.ts";
import { errorBody } from "./errors.ts";

/** Limits and security settings of the HTTP server (config `server`). */
export interface ServerLimits {
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  /** How long a client may take to send its request headers (at most `requestTimeoutMs`). */
  headersTimeoutMs: number;
  /** Strict-Transport-Security on every answer; absent: none. */
  hsts?: HstsSettings;
  /** Who may read /metrics and /readyz's details. */
  metrics: MetricsAccess;
  /** Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR blocks). */
  trustedProxies: readonly string[];
}

/** The server's limits from the configuration's `server` section. */
export function serverLimitsOf(server: VigilConfig["server"]): ServerLimits {
  return {
    bodyLimitBytes: server.body_limit,
    requestTimeoutMs: server.request_timeout,
    headersTimeoutMs: server.headers_timeout,
    ...(server.hsts ? { hsts: { maxAgeSeconds: server.hsts.max_age, includeSubdomains: server.hsts.include_subdomains } } : {}),
    metrics: { public: server.metrics.public, ...(server.metrics.token !== undefined ? { token: server.metrics.token } : {}) },
    trustedProxies: server.trusted_proxies,
  };
}

/** The deepest nesting of arrays and objects a JSON body may have (Vigil's own bodies nest a few levels). */
export const maxJsonDepth = 64;

/** The largest request head (request line and headers) Node reads; a larger one is answered 431. */
export const maxHeaderBytes = 16 * 1024;

const quietPaths = new Set(["/healthz", "/readyz", "/metrics"]);
const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** Every JSON route of /api/v1, in one list: registered and described from the same specs. */
export function v1Routes(deps: ApiDeps): AnyRoute[] {
  return [...catalogRoutes(deps), ...catalogEntryRoutes(deps), ...monitorRoutes(deps), ...incidentRoutes(deps), ...maintenanceRoutes(deps), ...notificationRoutes(deps), ...actionRoutes(deps), ...silenceRoutes(deps), ...eventRoutes(deps), ...subscriberRoutes(deps), ...tokenRoutes(deps), ...userRoutes(deps), ...upstreamRoutes(deps), ...reloadRoutes(deps), ...clusterRoutes(deps), ...agentRoutes(deps), ...auditRoutes(deps)];
}

/** Builds the HTTP server; it does not listen. With `subscriptions`, the public subscription pages and endpoint are served too. */
export function buildServer(deps: ApiDeps & { subscriptions?: SubscriptionsPort }, logger: Logger, limits: ServerLimits): FastifyInstance {
  const security = commonSecurityHeaders(limits.hsts);
  const headersTimeoutMs = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
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
      // Node checks the header and request deadlines every connectionsCheckingInterval (30 s by default): a
      // slow client would otherwise be cut off up to that much later than its deadline.
      const options = { maxHeaderSize: maxHeaderBytes, headersTimeout: headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs), keepAliveTimeout: 5_000 };
      const server = createServer(options, (request, response) => {
        const site = deps.site;
        if (site) {
          const started = performance.now();
          const outcome = serveSite(site, request, response, security);
          if (outcome.served) {
            deps.metrics.httpRequests.observe({ method: request.method ?? "GET", route: "site", status: String(outcome.status) }, (performance.now() - started) / 1000);
            return;
          }
        }
        handler(request, response);
      });
      // Fastify applies this only to servers it creates itself: a socket on which nothing moves for this long (a
      // client that stopped reading its answers) is destroyed.
      server.setTimeout(limits.requestTimeoutMs);
      return server;
    },
    // Node's own answers to a request it could not read, in Vigil's error body.
    clientErrorHandler: answerClientError,
    // Fastify's answers to a path it cannot decode (an escape that is not UTF-8) too.
    frameworkErrors: (error, request, reply) => {
      // Answered before routing: the hooks below do not run, so the headers are set here.
      void reply.header("x-request-id", request.id);
      for (const [name, value] of Object.entries(security)) if (value !== undefined) void reply.header(name, value);
      void reply.header("content-security-policy", nonPagePolicy);
      return handleError(error, request, reply);
    },
    // Only the API is logged per request.
    logController: new LogController({ requestIdLogLabel: "request_id", disableRequestLogging: (req) => quietPaths.has(req.url) || !(req.url ?? "").startsWith("/api/v1") }),
  }) as unknown as FastifyInstance;

  // JSON only: a text/plain body is refused with 415 rather than read as a string. The one exception is the
  // subscriber import's text/csv body, accepted on that route alone.
  app.removeContentTypeParser("text/plain");
  // JSON nested deeper than any of Vigil's bodies is refused before JSON.parse spends its superlinear time on it;
  // the rest goes to Fastify's own parser (which refuses __proto__ and constructor.prototype keys).
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (jsonNestsDeeperThan(body as string, maxJsonDepth)) return done(new AppError("bad_request", `the request body is nested deeper than ${maxJsonDepth} levels`), undefined);
    return parseJson(request, body as string, done);
  });
  acceptSubscriberCsv(app);
  app.addHook("onRequest", async (request, reply) => {
    void reply.header("x-request-id", request.id);
  });
  // Every answer of the API carries the security headers; an HTML page sets its own policy first.
  app.addHook("onSend", async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(security)) if (value !== undefined && !reply.hasHeader(name)) void reply.header(name, value);
    if (!reply.hasHeader("content-security-policy")) void reply.header("content-security-policy", nonPagePolicy);
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    deps.metrics.httpRequests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  if (deps.cluster?.leader) forwardToLeader(app, deps.cluster.leader, deps.cluster.node ?? "unknown");
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    // A file of the public site asked with a method it does not take (GET, HEAD and OPTIONS are served ahead of Fastify).
    if (deps.site?.files()?.has(siteKeyOf(request.url)) === true) return handleWrongMethod(request, reply, siteMethods);
    return handleNotFound(request, reply);
  });

  const routes = v1Routes(deps);
  const authDeps = { store: deps.store, clock: deps.clock, sessions: (deps.console ?? defaultConsoleSettings).sessions };
  const auth = (header: string | undefined, need: Parameters<typeof authenticate>[2]) => authenticate(authDeps, header, need);
  const clientAddress = clientAddressReader(limits.trustedProxies);
  registerRoutes(app, routes, auth, { record: (entry) => deps.store.audit.append(entry), clientAddress, now: () => deps.clock.now() });
  const publicRoutes = deps.subscriptions ? registerSubscriptionRoutes(app, deps.subscriptions, auth, clientAddressReader(limits.trustedProxies)) : [];
  const openapi = buildOpenApi([...routes, ...publicRoutes], { version: deps.version });
  app.get("/api/v1/openapi.json", async () => openapi);
  opsRoutes(app, deps, limits.metrics);
  registerConsoleRoutes(app, { store: deps.store, clock: deps.clock, settings: deps.console ?? defaultConsoleSettings, trustedProxies: limits.trustedProxies, clientAddress: clientAddressReader(limits.trustedProxies), overview: deps });
  return app;
}

const clientErrors: Record<string, { status: number; error: AppError }> = {
  HPE_HEADER_OVERFLOW: { status: 431, error: new AppError("headers_too_large", `the request line and headers are larger than ${maxHeaderBytes / 1024} KB`) },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, error: new AppError("timeout", "the request was not received in time") },
};

/** Answers a request Node could not read (headers too large, too slow, malformed) with Vigil's error body, then closes. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const known = clientErrors[error.code ?? ""] ?? { status: 400, error: new AppError("bad_request", "the request could not be read as HTTP/1.1") };
  const body = JSON.stringify(errorBody(known.error));
  if (socket.writable) {
    const reason = known.status === 431 ? "Request Header Fields Too Large" : known.status === 408 ? "Request Timeout" : "Bad Request";
    socket.write(`HTTP/1.1 ${known.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
