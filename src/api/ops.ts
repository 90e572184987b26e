import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "./deps.ts";

/** Operational endpoints: liveness, readiness and Prometheus metrics. */
export function opsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Liveness says only that the process answers: a restart would not fix anything else.
  app.get("/healthz", async (_request, reply) => reply.header("cache-control", "no-store").send({ status: "ok", version: deps.version }));

  app.get("/readyz", async (_request, reply) => {
    const checks = await deps.readiness();
    const ready = checks.every((c) => c.ok);
    deps.metrics.ready.set(ready ? 1 : 0);
    return reply
      .status(ready ? 200 : 503)
      .header("cache-control", "no-store")
      .send({ status: ready ? "ready" : "not_ready", checks });
  });

  app.get("/metrics", async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.header("content-type", deps.metrics.registry.contentType).header("cache-control", "no-store").send(text);
  });
}
