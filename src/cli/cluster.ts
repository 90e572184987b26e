import type { CommandInstaller } from "./command.ts";
import { exitCodes } from "./exit-codes.ts";
import { remoteApi, remoteOptions, type RemoteFlags } from "./remote.ts";

/** The cluster as GET /api/v1/cluster answers it. */
export interface ClusterJson {
  leader: { node: string; term: number; since: string } | null;
  nodes: { node: string; role: "leader" | "follower"; last_seen: string; checks_per_second: number }[];
}

/** The cluster in words and a table: who leads since when in which term, then each live node. */
export function clusterText(cluster: ClusterJson): string {
  const head = cluster.leader === null ? "no leader right now (a failover takes a few seconds)" : `leader: ${cluster.leader.node} (term ${cluster.leader.term}, since ${cluster.leader.since})`;
  const header = ["NODE", "ROLE", "LAST SEEN", "CHECKS/S"];
  const rows = cluster.nodes.map((n) => [n.node, n.role, n.last_seen, n.checks_per_second.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join("  ").trimEnd();
  return `${head}\n${[header, ...rows].map(format).join("\n")}\n`;
}

/** `vigil cluster status`: the leader and the live nodes of a running Vigil's cluster, through any node's API. */
export const clusterCommand: CommandInstaller = (program, io, finish) => {
  const cluster = program.command("cluster").description("the nodes of a Vigil cluster on one PostgreSQL server");
  remoteOptions(cluster.command("status").description("which node leads (its term, since when) and the live nodes with their check rates (VIGIL_URL, VIGIL_TOKEN)"))
    .option("--json", "print JSON")
    .action(async (flags: RemoteFlags & { json?: boolean }) => {
      const answer = (await remoteApi(io, flags).get("/api/v1/cluster")) as ClusterJson;
      io.stdout(flags.json ? `${JSON.stringify(answer, null, 2)}\n` : clusterText(answer));
      finish(exitCodes.ok);
    });
};
