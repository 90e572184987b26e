import type { FastifyInstance, FastifyRequest } from "fastify";
import { authenticate } from "../auth/authenticate.ts";
import { hashSecret, secretMatches } from "../auth/token-format.ts";
import { AppError } from "../core/errors.ts";
import type { ApiDeps, ReadinessCheck } from "./deps.ts";

/** Who may read /metrics (config `server.metrics`): everyone, or a caller with the scrape token or an API token of scope read. */
export interface MetricsAccess {
  public: boolean;
  /** A bearer token for scrapers, checked without the store (so it works while the store is down). */
  token?: string;
}

/** Operational endpoints: liveness, readiness and Prometheus metrics. */
export function opsRoutes(app: FastifyInstance, deps: ApiDeps, access: MetricsAccess): void {
  const scrapeHash = access.token === undefined ? undefined : hashSecret(access.token);
  /** Whether `header` is `Bearer <scrape token>`, compared in constant time as API tokens are. */
  const presentsToken = (header: string | undefined): boolean => {
    const presented = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    return presented !== undefined && scrapeHash !== undefined && secretMatches(presented, scrapeHash);
  };
  /** Whether the caller is an operator: the scrape token, or an API token of scope read (never throws). */
  const operator = async (request: FastifyRequest): Promise<boolean> => {
    const header = request.headers.authorization;
    if (presentsToken(header)) return true;
    if (header === undefined) return false;
    return authenticate(deps, header, "read").then(
      () => true,
      () => false,
    );
  };
  let lastFailure = "";

  // Liveness says only that the process answers: a restart would not fix anything else.
  app.get("/healthz", async (_request, reply) => reply.header("cache-control", "no-store").send({ status: "ok", version: deps.version }));

  // The public answer names the failing checks only: a store's error names its user, host and address. The
  // messages go to the log (when they change) and to an operator's token.
  app.get("/readyz", async (request, reply) => {
    const checks = await deps.readiness();
    const ready = checks.every((c) => c.ok);
    deps.metrics.ready.set(ready ? 1 : 0);
    const failure = checks
      .filter((c) => !c.ok)
      .map((c) => `${c.name}: ${c.message ?? "failed"}`)
      .join("; ");
    if (failure !== lastFailure && failure !== "") request.log.warn({ checks: checks.filter((c) => !c.ok) }, `not ready: ${failure}`);
    lastFailure = failure;
    const detailed = !ready && (await operator(request));
    const shown: ReadinessCheck[] = detailed ? checks : checks.map((c) => ({ name: c.name, ok: c.ok }));
    return reply
      .status(ready ? 200 : 503)
      .header("cache-control", "no-store")
      .send({ status: ready ? "ready" : "not_ready", checks: shown });
  });

  app.get("/metrics", async (request, reply) => {
    if (!access.public && !presentsToken(request.headers.authorization)) {
      if (request.headers.authorization === undefined) throw new AppError("unauthorized", "/metrics needs a bearer token: server.metrics.token, or an API token of scope read (or set server.metrics.public: true)");
      await authenticate(deps, request.headers.authorization, "read");
    }
    const text = await deps.metrics.registry.metrics();
    return reply.header("content-type", deps.metrics.registry.contentType).header("cache-control", "no-store").send(text);
  });
}
