// Remote probe agents under load, with real processes. Usage: npm run bench:agents
//   BENCH_MONITORS=5000 (per agent)  BENCH_SECONDS=60 (measured window)  BENCH_BUFFER_MINUTES=10 (the backlog drained)
// One `vigil serve` (PGlite: the database works inside the server's process, so its CPU is counted with the server's)
// and `vigil agent` processes, against a local HTTP target in another process (bench/target.mjs).
// 1. Baseline: BENCH_MONITORS http monitors at 30 s checked by the server itself (`regions: [local]`): server CPU per
//    check. Meanwhile three agents (regions a, b, c) run with nothing to check: their idle RSS.
// 2. Load: a reload moves the monitors to `regions: [a, b, c]`: each agent checks all of them (BENCH_MONITORS each),
//    the server checks none and stores 3 × BENCH_MONITORS results per 30 s. Server CPU per stored result (counted by
//    vigil_agent_results_total), each agent's CPU per check and RSS. Target: ingestion ≤ 1/4 of the CPU of checking.
// 3. Detection: the target answers 500; the time from that to each monitor's monitor.down (events API), through the
//    agents only (quorum: majority of a, b, c). Target: ≤ interval + 2 s.
// 4. Backlog: a fourth agent (region d) behind a TCP proxy that the bench holds (a partition) makes as many results as
//    one agent of the load makes in BENCH_BUFFER_MINUTES: its own BENCH_MONITORS monitors at 3 s instead of 30 s, for a
//    tenth of the time; a reload sets them back to 30 s, then the proxy lets everything through again. Measured: the
//    time until the agent's buffer is empty (GET /api/v1/agents), target < 30 s. Then every agent's results are read
//    from the store: each sequence number from 1 to the last stored is there exactly once.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { startTcpProxy, type TcpProxy } from "../test/helpers/tcp-proxy.ts";
import { BenchJanitor, cpuSeconds, createToken, rssMb, startTarget, startVigil, vigilBin } from "./lib.ts";

const perAgent = Number(process.env.BENCH_MONITORS ?? 5000);
const windowS = Number(process.env.BENCH_SECONDS ?? 60);
const bufferMinutes = Number(process.env.BENCH_BUFFER_MINUTES ?? 10);
const intervalS = 30;
const fillIntervalS = 3;
const regions = ["a", "b", "c"] as const;
/** Checks at once, the server's (probe.concurrency) and each agent's (--concurrency): the same. */
const concurrency = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

const janitor = new BenchJanitor();
let busyAnswers = 0;

const { child: target, port: targetPort } = await startTarget(janitor);
const setMode = (mode: "ok" | "error") =>
  new Promise<void>((resolve) => {
    const onAck = (m: { ack?: string }) => m.ack === mode && (target.off("message", onAck), resolve());
    target.on("message", onAck);
    target.send({ mode });
  });

type Phase = "local" | "agents" | "fill" | "drain";
function configFor(phase: Phase): string {
  const lines = [
    "site: { name: Bench }",
    `probe: { concurrency: ${concurrency} }`,
    "regions:",
    ...[...regions, "d"].map((r) => `  - { id: ${r}, name: Region ${r.toUpperCase()} }`),
    "monitors:",
  ];
  const where = phase === "local" ? "[local]" : `[${regions.join(", ")}]`;
  for (let i = 0; i < perAgent; i++) lines.push(`  - { id: m${i}, type: http, url: "http://127.0.0.1:${targetPort}/m${i}", interval: ${intervalS}s, timeout: 5s, regions: ${where} }`);
  if (phase === "fill" || phase === "drain") {
    const every = phase === "fill" ? fillIntervalS : intervalS;
    for (let i = 0; i < perAgent; i++) lines.push(`  - { id: d${i}, type: http, url: "http://127.0.0.1:${targetPort}/d${i}", interval: ${every}s, timeout: 5s, regions: [d] }`);
  }
  return `${lines.join("\n")}\n`;
}

interface Agent {
  region: string;
  child: ChildProcess;
  output: () => string;
}

try {
  const dir = (janitor.dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-agents-")));
  const dataDir = path.join(dir, "data");
  const configFile = path.join(dir, "vigil.yaml");
  await writeFile(configFile, configFor("local"));
  const admin = await createToken(dataDir, configFile, "admin");
  const server = await startVigil(configFile, dataDir);
  janitor.track(server.child);
  const serverPid = server.child.pid!;
  const api = async <T = unknown>(method: string, url: string, body?: unknown): Promise<T> => {
    const send = () =>
      fetch(`${server.base}${url}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    // A read is asked again, a few times, when the server is too busy to answer it (408, 5xx) or closed a kept-alive
    // connection just as it went out; those retries are counted and printed.
    for (let attempt = 1; ; attempt++) {
      const res = await send().catch((error: unknown) => {
        if (method !== "GET" || attempt >= 10) throw error;
        return undefined;
      });
      const text = res === undefined ? "" : await res.text();
      if (res?.ok) return (url === "/metrics" ? text : JSON.parse(text)) as T;
      if (method !== "GET" || attempt >= 10 || (res !== undefined && res.status !== 408 && res.status < 500)) throw new Error(`${method} ${url}: ${res?.status} ${text.slice(0, 500)}`);
      busyAnswers++;
      await sleep(1_000);
    }
  };
  const reload = async (phase: Phase) => {
    await writeFile(configFile, configFor(phase));
    await api("POST", "/api/v1/reload", {});
  };
  const metric = async () => {
    const text = await api<string>("GET", "/metrics");
    const stored: Record<string, number> = {};
    let duplicates = 0;
    let rejected = 0;
    let localChecks = 0;
    for (const line of text.split("\n")) {
      const agent = /^vigil_agent_results_total\{(.*)\} (\S+)$/.exec(line);
      if (agent) {
        const region = /region="([^"]+)"/.exec(agent[1]!)?.[1] ?? "?";
        const outcome = /outcome="([^"]+)"/.exec(agent[1]!)?.[1];
        if (outcome === "stored") stored[region] = Number(agent[2]);
        if (outcome === "duplicate") duplicates += Number(agent[2]);
        if (outcome === "rejected") rejected += Number(agent[2]);
      }
      const check = /^vigil_probe_checks_total\{.*\} (\S+)$/.exec(line);
      if (check) localChecks += Number(check[1]);
    }
    return { stored, duplicates, rejected, localChecks };
  };
  type AgentView = { id: string; region: string; last_seen: string; checks_per_second: number; buffer: { results: number; dropped: number }; last_seq: number };
  const agentsList = async () => (await api<{ agents: AgentView[] }>("GET", "/api/v1/agents")).agents;

  const startAgent = async (region: string, serverUrl: string): Promise<Agent> => {
    const { token } = await api<{ token: string }>("POST", "/api/v1/tokens", { name: `bench-${region}`, scope: "agent", region });
    const child = spawn(process.execPath, [vigilBin, "agent", "--server", serverUrl, "--data", path.join(dir, `agent-${region}`), "--concurrency", String(concurrency), "--log-format", "json", "--log-level", "info"], {
      env: { ...process.env, VIGIL_AGENT_TOKEN: token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    janitor.track(child);
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c));
    child.stderr!.on("data", (c: Buffer) => (out += c));
    return { region, child, output: () => out };
  };

  console.log(
    `vigil agents benchmark: ${perAgent} http monitors at ${intervalS} s per agent, ${regions.length} agents; PGlite; ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}`,
  );
  const results: Record<string, unknown> = {};

  // ---- 1. Baseline: the server checks the monitors itself; the agents idle ----
  const agents: Agent[] = [];
  for (const region of regions) agents.push(await startAgent(region, server.base));
  for (let i = 0; (await agentsList()).length < regions.length; i++) {
    if (i > 300) throw new Error(`agents did not report in 30 s:\n${agents.map((a) => a.output()).join("\n")}`);
    await sleep(100);
  }
  await sleep((intervalS + 5) * 1000); // warm-up: every monitor has run once
  let m0 = await metric();
  let cpu0 = cpuSeconds(serverPid)!;
  let t0 = performance.now();
  await sleep(windowS * 1000);
  let m1 = await metric();
  let cpu1 = cpuSeconds(serverPid)!;
  let wall = (performance.now() - t0) / 1000;
  const localChecks = m1.localChecks - m0.localChecks;
  const baselineMsPerCheck = ((cpu1 - cpu0) * 1000) / localChecks;
  const idleRss = agents.map((a) => rssMb(a.child.pid!));
  // Baseline: a bare Node.js process holding an HTTP connection open, as an idle agent does.
  const bare = spawn(process.execPath, ["-e", `fetch(${JSON.stringify(server.base + "/readyz")}).then(() => setInterval(() => undefined, 1000))`], { stdio: "ignore" });
  janitor.track(bare);
  await sleep(3_000);
  const bareRss = rssMb(bare.pid!);
  bare.kill();
  console.log(
    `baseline, the server checking ${perAgent} monitors itself: ${f(localChecks / wall, 0)} checks/s, server CPU ${f(baselineMsPerCheck, 3)} ms per check (${f(((cpu1 - cpu0) / wall) * 100, 1)}% of a core)`,
  );
  console.log(`agent RSS idle (no monitors): ${idleRss.map((r, i) => `${regions[i]} ${f(r, 0)} MB`).join(", ")} (target < 80 MB: ${Math.max(...idleRss) < 80 ? "met" : "MISSED"}); baseline, a bare Node.js process after one fetch: ${f(bareRss, 0)} MB (ratio ${idleRss.map((r) => f(r / bareRss, 1) + "x").join(" / ")})`);
  results.baseline = { checksPerS: localChecks / wall, serverMsPerCheck: baselineMsPerCheck, idleRssMb: idleRss, bareRssMb: bareRss };

  // ---- 2. Load: the agents check, the server stores ----
  await reload("agents");
  const agentPids = agents.map((a) => a.child.pid!);
  const peakRss = agents.map(() => 0);
  const sampler = setInterval(() => agentPids.forEach((pid, i) => (peakRss[i] = Math.max(peakRss[i]!, rssMb(pid)))), 1000);
  janitor.onCleanUp(async () => clearInterval(sampler));
  await sleep((intervalS + 5) * 1000);
  m0 = await metric();
  cpu0 = cpuSeconds(serverPid)!;
  const agentCpu0 = agentPids.map((pid) => cpuSeconds(pid)!);
  const phases = { steady: new Date(), broke: new Date() };
  peakRss.fill(0);
  t0 = performance.now();
  await sleep(windowS * 1000);
  m1 = await metric();
  cpu1 = cpuSeconds(serverPid)!;
  const agentCpu1 = agentPids.map((pid) => cpuSeconds(pid)!);
  wall = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const listed = await agentsList();
  const reportedRate = regions.map((r) => listed.find((a) => a.region === r)?.checks_per_second ?? Number.NaN);
  const backlog = regions.map((r) => listed.find((a) => a.region === r)?.buffer.results ?? Number.NaN);
  const storedPer = regions.map((r) => (m1.stored[r] ?? 0) - (m0.stored[r] ?? 0));
  const storedAll = storedPer.reduce((a, b) => a + b, 0);
  const ingestMs = ((cpu1 - cpu0) * 1000) / storedAll;
  const agentMs = regions.map((_, i) => ((agentCpu1[i]! - agentCpu0[i]!) * 1000) / storedPer[i]!);
  const agentMsMean = agentMs.reduce((a, b) => a + b, 0) / agentMs.length;
  const loadRss = agentPids.map((pid) => rssMb(pid));
  console.log(
    `load: ${f(storedAll / wall, 0)} results/s stored (${storedPer.map((s) => f(s / wall, 0)).join(" + ")}; expected ${f((perAgent * regions.length) / intervalS, 0)}; the agents' own checks/s over the last minute ${reportedRate.map((r) => f(r, 0)).join(" / ")}; waiting in their buffers at the end ${backlog.join(" / ")}), duplicates ${m1.duplicates - m0.duplicates}, rejected ${m1.rejected - m0.rejected}, server's own checks ${m1.localChecks - m0.localChecks}`,
  );
  console.log(
    `server CPU per stored result ${f(ingestMs, 3)} ms (${f(((cpu1 - cpu0) / wall) * 100, 1)}% of a core); agent CPU per check ${agentMs.map((c) => f(c, 3)).join(" / ")} ms (${regions.map((_, i) => f(((agentCpu1[i]! - agentCpu0[i]!) / wall) * 100, 1)).join(" / ")}% of a core)`,
  );
  console.log(
    `ingestion / checking: ${f(ingestMs / agentMsMean, 2)} (target ≤ 0.25: ${ingestMs / agentMsMean <= 0.25 ? "met" : "MISSED"}); ingestion / the server's own check (baseline): ${f(ingestMs / baselineMsPerCheck, 2)}; agent's check / server's own check: ${f(agentMsMean / baselineMsPerCheck, 2)}`,
  );
  console.log(
    `agent RSS under load: ${loadRss.map((r, i) => `${regions[i]} ${f(r, 0)} MB (peak ${f(peakRss[i]!, 0)})`).join(", ")}; vs idle ${loadRss.map((r, i) => f(r / idleRss[i]!, 2) + "x").join(" / ")}`,
  );
  results.load = { resultsPerS: storedAll / wall, serverMsPerResult: ingestMs, agentMsPerCheck: agentMs, ratio: ingestMs / agentMsMean, rssMb: loadRss, peakRssMb: peakRss };

  // ---- 3. Detection through the agents ----
  const eventsSince = async (kind: string, after: string): Promise<{ events: { id: string; at: string; subject: string }[]; last: string }> => {
    const events: { id: string; at: string; subject: string }[] = [];
    let cursor = after;
    for (;;) {
      const page = await api<{ events: { id: string; at: string; subject: string }[]; next_after_id?: string | null }>("GET", `/api/v1/events?kind=${kind}&limit=1000${cursor === "0" ? "" : `&after_id=${cursor}`}`);
      events.push(...page.events);
      if (page.events.length === 0 || !page.next_after_id) break;
      cursor = page.next_after_id;
      if (page.events.length < 1000) break;
    }
    return { events, last: events.at(-1)?.id ?? cursor };
  };
  const lastEvent = async () => (await eventsSince("monitor.down", "0")).last;
  const timeTo = async (kind: string, mode: "ok" | "error"): Promise<number[]> => {
    const after = await lastEvent().then(async (down) => {
      const up = (await eventsSince("monitor.up", "0")).last;
      return Number(down) > Number(up) ? down : up;
    });
    await sleep(Math.random() * 5_000);
    await setMode(mode);
    const changed = Date.now();
    const seen = new Map<string, number>();
    while (seen.size < perAgent && Date.now() - changed < (intervalS + 30) * 1000) {
      await sleep(500);
      for (const event of (await eventsSince(kind, after)).events) if (!seen.has(event.subject)) seen.set(event.subject, Date.parse(event.at) - changed);
    }
    return [...seen.values()];
  };
  phases.broke = new Date();
  const downs = await timeTo("monitor.down", "error");
  const ups = await timeTo("monitor.up", "ok");
  const report = (name: string, ms: number[]) => {
    const max = Math.max(...ms);
    const limit = (intervalS + 2) * 1000;
    console.log(
      `${name} through agents: ${ms.length} of ${perAgent} monitors, p50 ${f(quantile(ms, 0.5) / 1000, 1)} s, p99 ${f(quantile(ms, 0.99) / 1000, 1)} s, max ${f(max / 1000, 1)} s (target ≤ ${intervalS + 2} s: ${ms.length === perAgent && max <= limit ? "met" : "MISSED"}; ${ms.filter((t) => t > limit).length} later); max / interval ${f(max / (intervalS * 1000), 2)}`,
    );
    return { count: ms.length, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), max };
  };
  results.down = report("break → monitor.down", downs);
  results.up = report("repair → monitor.up", ups);

  // ---- 4. Backlog ----
  const proxy: TcpProxy = await startTcpProxy(Number(new URL(server.base).port));
  janitor.onCleanUp(() => proxy.close());
  await reload("fill");
  const backlogAgent = await startAgent("d", `http://127.0.0.1:${proxy.port}`);
  agents.push(backlogAgent);
  let dRow: Awaited<ReturnType<typeof agentsList>>[number] | undefined;
  for (let i = 0; !(dRow !== undefined && dRow.last_seq > 0); i++) {
    if (i > 600) throw new Error(`agent d did not report in 60 s:\n${backlogAgent.output()}`);
    await sleep(100);
    dRow = (await agentsList()).find((a) => a.region === "d");
  }
  proxy.cut();
  const cutAt = performance.now();
  const fillS = (bufferMinutes * 60 * fillIntervalS) / intervalS;
  await sleep(fillS * 1000);
  const made = Math.round(((performance.now() - cutAt) / 1000) * (perAgent / fillIntervalS));
  await reload("drain");
  const restoredAt = Date.now();
  proxy.restore();
  let drained: { ms: number; row: Awaited<ReturnType<typeof agentsList>>[number] } | undefined;
  for (;;) {
    const row = (await agentsList()).find((a) => a.region === "d")!;
    if (Date.parse(row.last_seen) > restoredAt && row.buffer.results === 0) {
      drained = { ms: Date.now() - restoredAt, row };
      break;
    }
    if (Date.now() - restoredAt > 300_000) break;
    await sleep(100);
  }
  const answered = backlogAgent
    .output()
    .split("\n")
    .filter((l) => l.includes("a node answers again"))
    .map((l) => Date.parse((JSON.parse(l) as { time: string }).time) - restoredAt)
    .find((t) => t >= 0);
  if (drained === undefined) console.log(`backlog: agent d's buffer was not empty 300 s after the restore: MISSED`);
  else {
    const sent = drained.row.last_seq - dRow!.last_seq;
    console.log(
      `backlog of ~${made} results (${bufferMinutes} min of one agent at ${intervalS} s, made in ${f(fillS, 0)} s at ${fillIntervalS} s): drained ${f(drained.ms / 1000, 1)} s after the restore (target < 30 s: ${drained.ms < 30_000 ? "met" : "MISSED"}), ${f(sent / (drained.ms / 1000), 0)} results/s; "a node answers again" logged at +${answered === undefined ? "?" : f(answered / 1000, 1)} s; dropped ${drained.row.buffer.dropped}`,
    );
  }
  results.backlog = { made, drainMs: drained?.ms, answeredMs: answered };

  // ---- Nothing lost: every agent's results, straight from the store (the server stopped first: PGlite is its own) ----
  const ids = new Map((await agentsList()).map((a) => [a.id, a.region]));
  for (const agent of agents) {
    agent.child.kill("SIGTERM");
    await new Promise((resolve) => (agent.child.exitCode === null ? agent.child.once("exit", resolve) : resolve(undefined)));
  }
  server.child.kill("SIGTERM");
  await new Promise((resolve) => server.child.once("exit", resolve));
  const db = await PGlite.create({ dataDir: path.join(dataDir, "pg") });
  let lost = 0;
  try {
    const rows = await db.query<{ agent: string; n: number; distinct_seqs: number; first: number; last: number }>(
      "SELECT agent, count(*)::int AS n, count(DISTINCT seq)::int AS distinct_seqs, min(seq)::int AS first, max(seq)::int AS last FROM check_results WHERE agent IS NOT NULL GROUP BY agent ORDER BY agent",
    );
    for (const row of rows.rows) {
      const whole = row.first === 1 && row.n === row.last && row.distinct_seqs === row.n;
      if (!whole) lost++;
      console.log(`agent ${ids.get(row.agent) ?? "?"} (${row.agent}): ${row.n} results stored, seq ${row.first}..${row.last}, each once: ${whole ? "yes" : "NO"}`);
    }
    results.store = rows.rows;
    // How long results took from the end of their check to the store: detection takes only those within 5 s.
    const transit = await db.query<{ phase: string; n: number; p50: number; p99: number; late: number }>(
      `SELECT CASE WHEN region = 'd' THEN 'backlog' WHEN at < $1 THEN 'load, the measured window' ELSE 'break and repair' END AS phase, count(*)::int AS n,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::float AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::float AS p99,
              count(*) FILTER (WHERE ms > 5000)::int AS late
         FROM (SELECT region, at, extract(epoch FROM received_at - at) * 1000 - latency_ms AS ms FROM check_results WHERE agent IS NOT NULL AND at >= $2) t
        GROUP BY 1 ORDER BY 1`,
      [phases.broke, phases.steady],
    );
    for (const row of transit.rows) {
      console.log(`transit, end of check → stored (${row.phase}): p50 ${f(row.p50 / 1000, 2)} s, p99 ${f(row.p99 / 1000, 2)} s; over 5 s (never seen by detection): ${row.late} of ${row.n} (${f((100 * row.late) / row.n, 1)}%)`);
    }
    results.transit = transit.rows;
  } finally {
    await db.close();
  }
  console.log(`reads the bench asked again because the server was too busy to answer (408, 5xx, connection reset): ${busyAnswers}`);
  const warnings = server.output().split("\n").filter((l) => l.includes('"level":40') || l.includes('"level":50'));
  console.log(`server warnings and errors logged: ${warnings.length}${warnings.length > 0 ? `; the first: ${warnings.slice(0, 3).map((l) => l.slice(0, 300)).join(" | ")}` : ""}`);
  console.log(JSON.stringify(results));
  if (lost > 0) throw new Error(`${lost} agent(s) have results missing or repeated in the store`);
} finally {
  await janitor.cleanUp();
}
process.exit(0);
