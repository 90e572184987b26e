import { z } from "zod";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const clusterView = z.object({
  /** The node holding the lease now, its fencing term and since when; null while none does (a failover). */
  leader: z.object({ node: z.string(), term: z.number().int(), since: z.string() }).nullable(),
  /** The live nodes, by id. */
  nodes: z.array(
    z.object({
      node: z.string(),
      role: z.enum(["leader", "follower"]),
      last_seen: z.string(),
      checks_per_second: z.number(),
    }),
  ),
});

/** The cluster as the store records it: the leader lease and the live nodes. Every node answers it itself. */
export function clusterRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/cluster",
      operationId: "clusterStatus",
      summary: "The cluster: which node leads (with its fencing term), and the live nodes with their check rates",
      tag: "cluster",
      auth: "read",
      response: clusterView,
      handler: async () => {
        const [lease, nodes] = await Promise.all([deps.store.cluster.leader(), deps.store.cluster.nodes(deps.cluster?.liveMs ?? 4_000)]);
        const leader = lease !== null && lease.valid ? lease : null;
        return {
          leader: leader === null ? null : { node: leader.node, term: leader.term, since: leader.since.toISOString() },
          nodes: nodes
            .filter((n) => n.live)
            .map((n) => ({ node: n.node, role: n.node === leader?.node ? ("leader" as const) : ("follower" as const), last_seen: n.lastSeen.toISOString(), checks_per_second: Math.round(n.checksPerSecond * 100) / 100 })),
        };
      },
    }),
  ];
}
