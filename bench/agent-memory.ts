// A remote agent's resident memory, with real processes. Usage: npm run bench:agent-memory
//   BENCH_SAMPLES=3 (idle agents per build)  BENCH_IDLE_SECONDS=30 (idle time before reading RSS)
//   BENCH_MONITORS=5000 (http monitors of the loaded agent, at 30 s)  BENCH_SECONDS=30 (its window, after one interval)
//   BENCH_COMPARE_BIN=/path/to/other/bin/vigil.js (another build's agents, started beside this one's, alternately)
// One `vigil serve` (PGlite) and `vigil agent` processes started through bin/vigil.js, as users start them:
// 1. Idle: BENCH_SAMPLES agents with nothing to check (and as many of BENCH_COMPARE_BIN's), beside a bare Node.js
//    process that has made one fetch; VmRSS once each has reported and idled BENCH_IDLE_SECONDS. Target: < 80 MB.
// 2. One monitor: an agent with one http monitor, and one with one mysql monitor (on a port where nothing listens):
//    what loading a probe and its driver adds.
// 3. Load: an agent with BENCH_MONITORS http monitors at 30 s against a local target (bench/target.mjs): its VmRSS
//    every second over BENCH_SECONDS after one interval of warm-up (median, peak), and its checks per second.
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { BenchJanitor, createToken, freePort, rssMb, startTarget, startVigil, vigilBin } from "./lib.ts";

const samples = Number(process.env.BENCH_SAMPLES ?? 3);
const idleS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const monitors = Number(process.env.BENCH_MONITORS ?? 5000);
const windowS = Number(process.env.BENCH_SECONDS ?? 30);
const compareBin = process.env.BENCH_COMPARE_BIN;
const intervalS = 30;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const mb = (n: number) => `${n.toFixed(1)} MB`;

const janitor = new BenchJanitor();

const { port: targetPort } = await startTarget(janitor);

function configFor(load: boolean, closedPort: number): string {
  const lines = [
    "site: { name: Bench }",
    "probe: { concurrency: 500 }",
    "regions:",
    ...["idle", "http", "mysql", "load"].map((r) => `  - { id: ${r}, name: Region ${r} }`),
    "monitors:",
    `  - { id: one-http, type: http, url: "http://127.0.0.1:${targetPort}/one", interval: ${intervalS}s, regions: [http] }`,
    `  - { id: one-mysql, type: mysql, url: "mysql://monitor@127.0.0.1:${closedPort}/", interval: ${intervalS}s, regions: [mysql] }`,
  ];
  if (load) for (let i = 0; i < monitors; i++) lines.push(`  - { id: m${i}, type: http, url: "http://127.0.0.1:${targetPort}/m${i}", interval: ${intervalS}s, timeout: 5s, regions: [load] }`);
  return `${lines.join("\n")}\n`;
}

try {
  const dir = (janitor.dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-agent-memory-")));
  const dataDir = path.join(dir, "data");
  const configFile = path.join(dir, "vigil.yaml");
  const closedPort = await freePort();
  await writeFile(configFile, configFor(false, closedPort));
  const admin = await createToken(dataDir, configFile, "admin");
  const server = await startVigil(configFile, dataDir);
  janitor.track(server.child);
  const api = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server.base}${url}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  type AgentView = { id: string; region: string; checks_per_second: number };
  const agentsList = async () => (await api<{ agents: AgentView[] }>("GET", "/api/v1/agents")).agents;

  let started = 0;
  const startAgent = async (region: string, bin: string) => {
    const { token } = await api<{ token: string }>("POST", "/api/v1/tokens", { name: `bench-${region}-${started}`, scope: "agent", region });
    const data = path.join(dir, `agent-${started++}`);
    const child = spawn(process.execPath, [bin, "agent", "--server", server.base, "--data", data, "--concurrency", "500", "--log-format", "json"], {
      env: { ...process.env, VIGIL_AGENT_TOKEN: token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    janitor.track(child);
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c));
    child.stderr!.on("data", (c: Buffer) => (out += c));
    const id = () => /"agent":"(agt_[a-z0-9]+)"/.exec(out)?.[1];
    for (let i = 0; !(await agentsList()).some((a) => a.id === id()); i++) {
      if (i > 600 || child.exitCode !== null) throw new Error(`an agent did not report in 60 s:\n${out}`);
      await sleep(100);
    }
    return { child, pid: child.pid!, id: id()!, output: () => out };
  };

  console.log(`vigil agent memory: ${samples} idle agents per build, RSS after ${idleS} s idle; ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}`);

  // ---- 1. Idle, alternately from each build ----
  const builds = compareBin ? [{ name: "compared", bin: compareBin }, { name: "this", bin: vigilBin }] : [{ name: "this", bin: vigilBin }];
  const idle = new Map<string, { pid: number }[]>(builds.map((b) => [b.name, []]));
  for (let i = 0; i < samples; i++) for (const build of builds) idle.get(build.name)!.push(await startAgent("idle", build.bin));
  const bare = spawn(process.execPath, ["-e", `fetch(${JSON.stringify(`${server.base}/readyz`)}).then(() => setInterval(() => undefined, 1000))`], { stdio: "ignore" });
  janitor.track(bare);
  await sleep(idleS * 1000);
  const bareRss = rssMb(bare.pid!);
  bare.kill();
  for (const build of builds) {
    const rss = idle.get(build.name)!.map((a) => rssMb(a.pid));
    console.log(`idle agent (${build.name === "this" ? vigilBin : build.bin}): ${rss.map(mb).join(", ")}; median ${mb(median(rss))} (target < 80 MB: ${Math.max(...rss) < 80 ? "met" : "MISSED"}; ${(median(rss) / bareRss).toFixed(2)}x the bare process)`);
    for (const agent of idle.get(build.name)!) process.kill(agent.pid, "SIGTERM");
  }
  console.log(`baseline, a bare Node.js process after one fetch: ${mb(bareRss)}`);

  // ---- 2. One monitor each: what a probe and its driver add ----
  const oneHttp = await startAgent("http", vigilBin);
  const oneMysql = await startAgent("mysql", vigilBin);
  await sleep(idleS * 1000);
  console.log(`agent with one http monitor: ${mb(rssMb(oneHttp.pid))}; with one mysql monitor (nothing listening): ${mb(rssMb(oneMysql.pid))}`);
  oneHttp.child.kill("SIGTERM");
  oneMysql.child.kill("SIGTERM");

  // ---- 3. Load ----
  const loaded = await startAgent("load", vigilBin);
  await writeFile(configFile, configFor(true, closedPort));
  await api("POST", "/api/v1/reload", {});
  await sleep((intervalS + 5) * 1000);
  const rss: number[] = [];
  for (let i = 0; i < windowS; i++) {
    rss.push(rssMb(loaded.pid));
    await sleep(1000);
  }
  const rate = (await agentsList()).find((a) => a.id === loaded.id)?.checks_per_second ?? Number.NaN;
  console.log(`agent with ${monitors} http monitors at ${intervalS} s: RSS median ${mb(median(rss))}, peak ${mb(Math.max(...rss))} over ${windowS} s; ${rate} checks/s (expected ${(monitors / intervalS).toFixed(0)})`);
} finally {
  await janitor.cleanUp();
}
