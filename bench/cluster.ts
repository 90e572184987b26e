// Vigil as a cluster on one PostgreSQL server. Usage: npm run bench:cluster
//   BENCH_RUNS=10 (failovers of each kind)  BENCH_MONITORS=600  BENCH_SECONDS=20 (check-rate window per size)
// 1. Failover: three `vigil serve` nodes; the leader is killed with SIGKILL (or stopped with SIGTERM), and the time
//    until another node holds the lease (as GET /api/v1/cluster on a survivor says) is measured, over BENCH_RUNS
//    runs each. Just before each kill an incident is opened through the API, so its notification is in flight:
//    repeats (the same idempotency key twice) are counted per failover, losses fail the run.
//    Baseline: the lease itself (6 s): after SIGKILL nothing can be faster than its expiry plus one try (1 s).
// 2. Check capacity: BENCH_MONITORS http monitors at a 1 s interval against a local target, on 1, 2 and 3 nodes;
//    the cluster's checks per second and each node's CPU per check. Baseline: the one-node figures of the same run.
// Uses VIGIL_TEST_POSTGRES_URL (a server where it may create databases), else starts a throwaway PostgreSQL.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createToken as mintToken } from "../src/auth/create-token.ts";
import { systemClock } from "../src/core/clock.ts";
import { openStore } from "../src/store/open.ts";
import { cpuSeconds, vigilBin } from "./lib.ts";
import { benchPostgres } from "./postgres.ts";

const runs = Number(process.env.BENCH_RUNS ?? 10);
const monitorCount = Number(process.env.BENCH_MONITORS ?? 600);
const windowS = Number(process.env.BENCH_SECONDS ?? 20);

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const postgres = await benchPostgres({ maxConnections: 200 });
const freshDatabase = () => postgres.freshDatabase();

interface Node {
  id: string;
  child: ChildProcess;
  url: string;
}

async function startNode(id: string, configFile: string, databaseUrl: string, dir: string): Promise<Node> {
  const child = spawn(process.execPath, [vigilBin, "serve", "--config", configFile, "--port", "0", "--node-id", id, "--data", path.join(dir, id), "--log-level", "warn"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return await new Promise<Node>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${id} did not start:\n${out}`)), 30_000);
    child.stderr!.on("data", (c: Buffer) => (out += c));
    child.stdout!.on("data", (c: Buffer) => {
      out += c;
      const match = /Vigil is running at (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ id, child, url: match[1]! });
      }
    });
  });
}

async function clusterOf(node: Node, token: string): Promise<{ leader: { node: string; term: number } | null; nodes: { node: string; checks_per_second: number }[] } | undefined> {
  try {
    const res = await fetch(`${node.url}/api/v1/cluster`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(1_000) });
    return res.ok ? ((await res.json()) as never) : undefined;
  } catch {
    return undefined;
  }
}

async function prepare(config: string): Promise<{ dir: string; configFile: string; databaseUrl: string; token: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-cluster-"));
  const configFile = path.join(dir, "vigil.yaml");
  await writeFile(configFile, config);
  const databaseUrl = await freshDatabase();
  const store = await openStore({ url: databaseUrl, dataDir: path.join(dir, "unused") });
  const token = (await mintToken({ store, clock: systemClock }, { name: "bench", scope: "admin", actor: "bench" })).token;
  await store.close();
  return { dir, configFile, databaseUrl, token };
}

// ---- 1. Failover ----
const hooks: { key: string }[] = [];
const receiver: Server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    hooks.push({ key: String(req.headers["idempotency-key"]) });
    res.writeHead(200).end("ok");
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;

const failoverConfig = `
components:
  - { id: api, name: Production API }
notifications:
  grouping: { group_wait: 0s }
  channels:
    - { id: oncall, type: webhook, url: "${hookUrl}" }
`;

async function failovers(signal: "SIGKILL" | "SIGTERM"): Promise<{ ms: number[]; repeats: number[]; lost: number }> {
  const { dir, configFile, databaseUrl, token } = await prepare(failoverConfig);
  const nodes = new Map<string, Node>();
  for (const id of ["n1", "n2", "n3"]) nodes.set(id, await startNode(id, configFile, databaseUrl, dir));
  const ms: number[] = [];
  const repeats: number[] = [];
  let lost = 0;
  try {
    for (let run = 0; run < runs; run++) {
      const any = [...nodes.values()];
      let view = await clusterOf(any[0]!, token);
      for (let i = 0; (view?.leader === null || view?.nodes.length !== 3) && i < 200; i++) {
        await sleep(100);
        view = await clusterOf(any[0]!, token);
      }
      const leaderId = view!.leader!.node;
      const leader = nodes.get(leaderId)!;
      const survivor = any.find((n) => n.id !== leaderId)!;
      // An incident opened just before the kill: its notification is in flight across the failover.
      const before = hooks.length;
      const created = await fetch(`${leader.url}/api/v1/incidents`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: `Failover ${signal} ${run}`, body: "Benchmark.", components: { api: "major_outage" } }),
      });
      if (!created.ok) throw new Error(`opening an incident failed: ${created.status} ${await created.text()}`);
      const exited = new Promise((resolve) => leader.child.once("exit", resolve));
      const killedAt = performance.now();
      leader.child.kill(signal);
      let took = Number.NaN;
      for (;;) {
        const now = await clusterOf(survivor, token);
        if (now?.leader && now.leader.node !== leaderId) {
          took = performance.now() - killedAt;
          break;
        }
        if (performance.now() - killedAt > 30_000) break;
        await sleep(10);
      }
      ms.push(took);
      await exited;
      // The incident's notification arrives (from the old leader before it died, or the new one after).
      const deadline = performance.now() + 30_000;
      while (hooks.length === before && performance.now() < deadline) await sleep(50);
      await sleep(1_500);
      const keys = hooks.slice(before).map((h) => h.key);
      if (keys.length === 0) lost++;
      repeats.push(keys.length - new Set(keys).size);
      // The killed node comes back as a follower for the next run.
      nodes.set(leaderId, await startNode(leaderId, configFile, databaseUrl, dir));
      // Let the survivors' membership see it again, so each run starts from three nodes.
      await sleep(1_500);
    }
  } finally {
    for (const node of nodes.values()) node.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
  return { ms, repeats, lost };
}

console.log(`vigil cluster benchmark: ${runs} failovers of each kind, then ${monitorCount} monitors at 1 s on 1, 2 and 3 nodes`);
const results: Record<string, unknown> = {};
for (const signal of ["SIGKILL", "SIGTERM"] as const) {
  const { ms, repeats, lost } = await failovers(signal);
  const p50 = quantile(ms, 0.5);
  const max = Math.max(...ms);
  const target = signal === "SIGKILL" ? 10_000 : 1_000;
  console.log(
    `failover after ${signal}: p50 ${Math.round(p50)} ms, max ${Math.round(max)} ms (target ≤ ${target} ms: ${max <= target ? "met" : "MISSED"}; ratio to the 6 s lease: p50 ${(p50 / 6_000).toFixed(2)}, max ${(max / 6_000).toFixed(2)}); repeats per failover: ${(repeats.reduce((a, b) => a + b, 0) / repeats.length).toFixed(2)} (max ${Math.max(...repeats)}); lost: ${lost}`,
  );
  results[signal] = { p50, max, repeats, lost, runs: ms };
}

// ---- 2. Check capacity ----
const target = fork(new URL("./target.mjs", import.meta.url).pathname, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const targetPort = await new Promise<number>((resolve) => target.on("message", (m: { ready?: number }) => m.ready && resolve(m.ready)));
const capacityConfig = `
monitors:
${Array.from({ length: monitorCount }, (_, i) => `  - { id: m${i}, type: http, url: "http://127.0.0.1:${targetPort}/m${i}", interval: 1s, timeout: 2s }`).join("\n")}
`;
let baseline: { rate: number; cpuMs: number } | undefined;
for (const size of [1, 2, 3]) {
  const { dir, configFile, databaseUrl, token } = await prepare(capacityConfig);
  const nodes: Node[] = [];
  try {
    for (let i = 1; i <= size; i++) nodes.push(await startNode(`c${i}`, configFile, databaseUrl, dir));
    // Warm-up: the membership settles and every node has run its share for a while.
    await sleep(8_000);
    const cpu0 = nodes.map((n) => cpuSeconds(n.child.pid!) ?? 0);
    await sleep(windowS * 1_000);
    const cpu1 = nodes.map((n) => cpuSeconds(n.child.pid!) ?? 0);
    const view = await clusterOf(nodes[0]!, token);
    const rates = nodes.map((n) => view?.nodes.find((v) => v.node === n.id)?.checks_per_second ?? 0);
    const total = rates.reduce((a, b) => a + b, 0);
    const cpuMsPerCheck = nodes.map((_, i) => (rates[i]! > 0 ? ((cpu1[i]! - cpu0[i]!) * 1000) / (rates[i]! * windowS) : Number.NaN));
    const meanCpu = cpuMsPerCheck.reduce((a, b) => a + b, 0) / cpuMsPerCheck.length;
    baseline ??= { rate: total, cpuMs: meanCpu };
    console.log(
      `${size} node${size > 1 ? "s" : ""}: ${total.toFixed(0)} checks/s in all (${rates.map((r) => r.toFixed(0)).join(" + ")}), CPU per check ${cpuMsPerCheck.map((c) => c.toFixed(2)).join(" / ")} ms; vs 1 node: checks/s ${(total / baseline.rate).toFixed(2)}x, CPU per check ${(meanCpu / baseline.cpuMs).toFixed(2)}x`,
    );
    results[`nodes_${size}`] = { rates, cpuMsPerCheck };
  } finally {
    for (const node of nodes) node.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
}
target.kill();
receiver.close();
await postgres.dispose();
console.log(JSON.stringify(results));
process.exit(0);
