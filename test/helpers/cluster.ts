import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { openStore } from "../../src/store/open.ts";
import { startServe, type ServeProcess } from "./cli.ts";
import { freshTarget, type StoreTarget } from "./stores.ts";

/** A local service whose health endpoint answers 200 or 503, as the test says. */
export interface Target {
  url: string;
  setUp(up: boolean): void;
  close(): Promise<void>;
}

export async function startTarget(): Promise<Target> {
  let up = true;
  const server: Server = createServer((_req, res) => res.writeHead(up ? 200 : 503).end(up ? "ok" : "down"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    setUp: (value) => (up = value),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Several `vigil serve` processes (real CLI) on one fresh PostgreSQL database, with an admin token. */
export interface TestCluster {
  target: StoreTarget;
  dir: string;
  token: string;
  nodes: Map<string, ServeProcess>;
  /** Starts `vigil serve --node-id ID` on the cluster's database (DATABASE_URL given, or the test's). */
  start(id: string, databaseUrl?: string): Promise<ServeProcess>;
  /** GET `url` on a node with the admin token; the status and the JSON body (undefined when the node does not answer). */
  get(id: string, url: string): Promise<{ status: number; json: any } | undefined>;
  /** The node leading as the cluster endpoint of any answering node says, with its term and since. */
  leader(): Promise<{ node: string; term: number; since: string } | null>;
  dispose(): Promise<void>;
}

export async function startCluster(config: string): Promise<TestCluster> {
  const target = await freshTarget("postgres");
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-cluster-"));
  await writeFile(path.join(dir, "vigil.yaml"), config);
  const store = await openStore({ url: target.url, dataDir: path.join(dir, "unused") });
  const token = (await createToken({ store, clock: systemClock }, { name: "cluster-test", scope: "admin", actor: "test" })).token;
  await store.close();
  const nodes = new Map<string, ServeProcess>();
  const get = async (id: string, url: string) => {
    const node = nodes.get(id);
    if (!node) return undefined;
    try {
      const res = await fetch(`${node.url}${url}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(3_000) });
      const text = await res.text();
      return { status: res.status, json: text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text };
    } catch {
      return undefined;
    }
  };
  return {
    target,
    dir,
    token,
    nodes,
    async start(id, databaseUrl) {
      const node = await startServe(["--config", path.join(dir, "vigil.yaml"), "--node-id", id, "--data", path.join(dir, `data-${id}`)], { cwd: dir, env: { DATABASE_URL: databaseUrl ?? target.url } });
      nodes.set(id, node);
      return node;
    },
    get,
    async leader() {
      for (const id of nodes.keys()) {
        const answer = await get(id, "/api/v1/cluster");
        if (answer?.status === 200) return answer.json.leader;
      }
      return null;
    },
    async dispose() {
      for (const node of nodes.values()) if (node.child.exitCode === null && node.child.signalCode === null) await node.stop("SIGKILL");
      await target.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A small seeded generator (mulberry32), so that a failing run can be repeated. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
