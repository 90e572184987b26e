import { z } from "zod";
import { assignments, assignmentsQuery, batchAnswer, checkRequests, checkRequestsQuery, resultBatch } from "../../agents/protocol.ts";
import { AppError } from "../../core/errors.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

/** An agent is live while it reported within this long (it reports at least every 5 s). */
export const agentLiveMs = 15_000;

const agentView = z.object({
  id: z.string(),
  region: z.string(),
  version: z.string(),
  hostname: z.string().nullable(),
  started_at: z.string(),
  last_seen: z.string(),
  /** Live: reported within the last 15 s; silent: not since. */
  state: z.enum(["live", "silent"]),
  /** Results waiting on its disk for a node to take them, and dropped from it because it was full. */
  buffer: z.object({ results: z.number().int(), dropped: z.number().int() }),
  checks_per_second: z.number(),
  last_seq: z.number().int(),
});

/** The region an agent token reports for; AppError forbidden when another is asked for. */
function regionOf(tokenRegion: string | undefined, asked: string | undefined): string {
  if (tokenRegion === undefined) throw new AppError("forbidden", "this endpoint needs a token with scope agent");
  if (asked !== undefined && asked !== tokenRegion) {
    throw new AppError("forbidden", `this agent token reports for region ${tokenRegion}, not ${asked.slice(0, 63)}: make one for that region with vigil token create --scope agent --region ID`);
  }
  return tokenRegion;
}

function hub(deps: ApiDeps): NonNullable<ApiDeps["agents"]> {
  if (deps.agents === undefined) throw new AppError("not_found", "this node does not take remote agents");
  return deps.agents;
}

/** Remote probe agents: their assignments and results (agent tokens), and their health (read). */
export function agentRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/agent/assignments",
      operationId: "agentAssignments",
      summary:
        "The monitors the calling agent's region checks, with an ETag. With If-None-Match and wait (ms), the answer waits until they change (or wait runs out: 304 Not Modified)",
      tag: "agents",
      auth: "agent",
      query: assignmentsQuery,
      response: assignments,
      errors: ["forbidden"],
      handler: async ({ query, principal, request, reply }) => {
        const region = regionOf(principal?.region, query.region);
        const agents = hub(deps);
        await agents.seen(query.agent, principal?.tokenId ?? "");
        const known = request.headers["if-none-match"];
        const wait = Math.min(query.wait ?? 0, agents.maxWaitMs());
        const answer = typeof known === "string" ? await agents.waitForChange(region, known, wait) : agents.assignments(region);
        void reply.header("etag", answer.etag).header("cache-control", "no-store");
        if (typeof known === "string" && known === answer.etag) {
          await reply.status(304).send();
          return answer;
        }
        return answer;
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/agent/checks",
      operationId: "agentChecks",
      summary:
        "Monitors the calling agent's region should check at once because another region just saw them fail or recover (cross-region confirmation). Long-polled: with wait (ms), the answer waits until there is one; give the last answer's cursor as after",
      tag: "agents",
      auth: "agent",
      query: checkRequestsQuery,
      response: checkRequests,
      errors: ["forbidden"],
      handler: async ({ query, principal, reply }) => {
        const region = regionOf(principal?.region, query.region);
        const agents = hub(deps);
        void reply.header("cache-control", "no-store");
        return agents.waitForChecks(region, query.after, Math.min(query.wait ?? 0, agents.maxWaitMs()));
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/agent/results",
      operationId: "agentResults",
      summary:
        "A batch of the calling agent's results, numbered by the agent: a result already stored (same agent and seq) is not stored again; results for monitors its region does not check, or from a clock far ahead, are rejected with a reason",
      tag: "agents",
      auth: "agent",
      body: resultBatch,
      response: batchAnswer,
      errors: ["forbidden"],
      handler: async ({ body, principal }) => hub(deps).ingest(body, regionOf(principal?.region, undefined), principal?.tokenId ?? ""),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/agents",
      operationId: "listAgents",
      summary: "Remote probe agents as they last reported: region, version, last seen, buffer depth, check rate",
      tag: "agents",
      auth: "read",
      response: z.object({ agents: z.array(agentView) }),
      handler: async () => {
        const now = deps.clock.now().getTime();
        const rows = await deps.store.agents.list();
        return {
          agents: rows.map((r) => ({
            id: r.id,
            region: r.region,
            version: r.version,
            hostname: r.hostname,
            started_at: r.startedAt.toISOString(),
            last_seen: r.lastSeen.toISOString(),
            state: now - r.lastSeen.getTime() <= agentLiveMs ? ("live" as const) : ("silent" as const),
            buffer: { results: r.bufferResults, dropped: r.bufferDropped },
            checks_per_second: Math.round(r.checksPerSecond * 100) / 100,
            last_seq: r.lastSeq,
          })),
        };
      },
    }),
  ];
}
