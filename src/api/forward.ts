import type { FastifyInstance } from "fastify";
import { AppError } from "../core/errors.ts";

/** Where the leader is, as this node knows it; null while no node leads (or this one does: see `isLeader`). */
export interface LeaderPort {
  isLeader(): boolean;
  /** The leader's base URL, e.g. `http://10.0.0.2:8080`, or null while no node leads. */
  leaderUrl(): string | null;
}

/**
 * Paths every node answers itself: the cluster's view, heartbeat pings (stored), its own reload, the API's description,
 * and remote agents (their assignments from its configuration, their results stored; the agents' list is the store's).
 */
const local = [
  /^\/api\/v1\/cluster(\?|$)/,
  /^\/api\/v1\/heartbeat\//,
  /^\/api\/v1\/reload(\?|$)/,
  /^\/api\/v1\/openapi\.json(\?|$)/,
  /^\/api\/v1\/agent\/(assignments|results|checks)(\?|$)/,
  /^\/api\/v1\/agents(\?|$)/,
];
/** Marks a request one node has forwarded: the next node answers it or refuses it, never forwards it again. */
export const forwardedHeader = "x-vigil-forwarded-by";
const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer", "host", "content-length"]);
const forwardTimeoutMs = 30_000;

/**
 * On a node that does not lead, the native API (`/api/v1`) is the leader's: the incidents, the notifier and the
 * engine's state live there. Such requests are forwarded to the leader as they came (headers, body, the caller's
 * token, which the leader checks) and its answer is passed back; while no node leads they are refused with
 * `leader_unavailable` and `Retry-After`. The status page, the v2 API, feeds, heartbeat pings and ops endpoints are
 * every node's own.
 */
export function forwardToLeader(app: FastifyInstance, leader: LeaderPort, self: string): void {
  app.addHook("onRequest", async (request, reply) => {
    const url = request.raw.url ?? "";
    if (!url.startsWith("/api/v1/") || local.some((p) => p.test(url)) || leader.isLeader()) return;
    const base = leader.leaderUrl();
    if (base === null || request.headers[forwardedHeader] !== undefined) {
      void reply.header("retry-after", "2");
      throw new AppError("leader_unavailable", "no node of the cluster leads right now (a failover takes a few seconds); try again");
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || hopByHop.has(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    headers[forwardedHeader] = self;
    headers["x-forwarded-for"] = [request.headers["x-forwarded-for"], request.ip].filter(Boolean).join(", ");
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    let answer: Response;
    try {
      answer = await fetch(`${base}${url}`, {
        method: request.method,
        headers,
        ...(hasBody ? { body: request.raw as unknown as ReadableStream, duplex: "half" } : {}),
        redirect: "manual",
        signal: AbortSignal.timeout(forwardTimeoutMs),
      } as RequestInit);
    } catch (error) {
      void reply.header("retry-after", "2");
      throw new AppError("leader_unavailable", "the leader did not answer (a failover may be under way); try again", { cause: error });
    }
    const body = Buffer.from(await answer.arrayBuffer());
    void reply.code(answer.status);
    answer.headers.forEach((value, name) => {
      if (!hopByHop.has(name) && name !== "content-encoding") void reply.header(name, value);
    });
    void reply.header("x-vigil-served-by", answer.headers.get("x-vigil-served-by") ?? "leader");
    return reply.send(body);
  });
}
