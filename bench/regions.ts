// Time to a confirmed status with one region, and with two regions at equal settings, staggered or not, with real
// processes. Usage: npm run bench:regions (also the last part of npm run bench:probes)
//   BENCH_FLIPS=3 (flips of each kind per setup)  BENCH_MONITORS=50
// One `vigil serve` (PGlite) and one `vigil agent` (region b), 50 http monitors on a local target in another process
// (bench/target.mjs), a 20 s interval and a 16 s timeout, defaults otherwise (confirm 2, recover 2, re-check after 1 s,
// quorum: majority, which is both of two regions). The target is flipped to 500 at a random moment and back: seconds
// from the flip to each monitor's monitor.down and monitor.up event. Three setups, each from a fresh start:
//   one region        `regions: [local]` on every monitor
//   two, unstaggered  local and b, `probe.stagger: false` (each region checks at a random moment of the interval)
//   two, staggered    local and b, the default (half an interval apart)
// Cross-region confirmation (a region whose results turn asks the other to check at once) works in both two-region
// setups. Targets: one region, mean ≤ interval / 2 + recheck (11 s); two staggered, mean ≤ 6 s. Flap damping is off
// (flap_changes: 1000): flips a minute apart would otherwise make the monitors "flapping", whose changes are not events.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startVigil, vigilBin } from "./lib.ts";

const flips = Number(process.env.BENCH_FLIPS ?? 3);
const count = Number(process.env.BENCH_MONITORS ?? 50);
const intervalMs = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const children = new Set<ChildProcess>();
const dirs: string[] = [];
async function cleanUp(): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

const target = fork(new URL("./target.mjs", import.meta.url).pathname, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
children.add(target);
const port = await new Promise<number>((resolve) => target.on("message", (m: { ready?: number }) => m.ready && resolve(m.ready)));
const setMode = (mode: string) =>
  new Promise<void>((resolve) => {
    const onAck = (m: { ack?: string }) => m.ack === mode && (target.off("message", onAck), resolve());
    target.on("message", onAck);
    target.send({ mode });
  });

type Setup = { name: string; regions: "one" | "two"; stagger: boolean };
const allSetups: Setup[] = [
  { name: "one region", regions: "one", stagger: true },
  { name: "two regions, unstaggered", regions: "two", stagger: false },
  { name: "two regions, staggered", regions: "two", stagger: true },
];
// BENCH_SETUPS=one runs the first setup alone.
const setups = process.env.BENCH_SETUPS === "one" ? allSetups.slice(0, 1) : allSetups;

function configFor(setup: Setup): string {
  const regions = setup.regions === "one" ? ", regions: [local]" : "";
  const monitors = Array.from({ length: count }, (_, i) => `  - { id: m${i}, type: http, url: "http://127.0.0.1:${port}/health", interval: 20s, timeout: 16s, flap_changes: 1000${regions} }`);
  return `site: { name: Bench }\nprobe: { concurrency: 500, stagger: ${setup.stagger} }\nregions:\n  - { id: b, name: B }\nmonitors:\n${monitors.join("\n")}\n`;
}

/** `vigil token create` on the stopped data dir; the secret. */
async function token(configFile: string, dataDir: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [vigilBin, "token", "create", "--name", `bench-${args.join("-")}`, "--json", "--config", configFile, "--data", dataDir, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout?.on("data", (c) => (text += c));
  child.stderr?.on("data", (c) => (text += c));
  await new Promise((r) => child.once("exit", r));
  const parsed = JSON.parse(text.trim().split("\n").at(-1) ?? "{}") as { token?: string };
  if (!parsed.token) throw new Error(`token create failed: ${text}`);
  return parsed.token;
}

interface Times {
  down: number[];
  up: number[];
  /** Seconds from each monitor's first failing result to its monitor.down. */
  confirm: number[];
}

async function run(setup: Setup): Promise<Times> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-regions-"));
  dirs.push(dir);
  const dataDir = path.join(dir, "data");
  const configFile = path.join(dir, "vigil.yaml");
  await writeFile(configFile, configFor(setup));
  const read = await token(configFile, dataDir, ["--scope", "read"]);
  const agentToken = await token(configFile, dataDir, ["--scope", "agent", "--region", "b"]);
  const server = await startVigil(configFile, dataDir);
  children.add(server.child);
  const agent = spawn(process.execPath, [vigilBin, "agent", "--server", server.base, "--data", path.join(dir, "agent"), "--log-level", "warn"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, VIGIL_AGENT_TOKEN: agentToken },
  });
  children.add(agent);
  let agentOut = "";
  agent.stdout?.on("data", (c) => (agentOut += c));
  agent.stderr?.on("data", (c) => (agentOut += c));
  const get = async <T>(url: string): Promise<T> => {
    const res = await fetch(`${server.base}${url}`, { headers: { authorization: `Bearer ${read}` } });
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}\nagent: ${agentOut.slice(-2000)}`);
    return (await res.json()) as T;
  };
  type Event = { id: string; at: string; subject: string | null; data: { since?: string | null } };
  /** The first event of `kind` for each monitor after `afterId` (its time, and its episode's first result's), once every monitor has one. */
  const firstOfEach = async (kind: string, afterId: string): Promise<Map<string, { at: number; since: number | null }>> => {
    const seen = new Map<string, { at: number; since: number | null }>();
    let cursor = afterId;
    const started = performance.now();
    while (seen.size < count) {
      if (performance.now() - started > 120_000) {
        const { monitors } = await get<{ monitors: { id: string; state: unknown }[] }>("/api/v1/monitors");
        throw new Error(`${kind}: ${seen.size} of ${count} monitors after 120 s\n${JSON.stringify(monitors[0])}\nagent: ${agentOut.slice(-2000)}\nserver: ${server.output().slice(-2000)}`);
      }
      const { events } = await get<{ events: Event[] }>(`/api/v1/events?kind=${kind}&after_id=${cursor}&limit=1000`);
      for (const event of events) {
        cursor = event.id;
        if (event.subject !== null && !seen.has(event.subject)) seen.set(event.subject, { at: Date.parse(event.at), since: typeof event.data.since === "string" ? Date.parse(event.data.since) : null });
      }
      if (events.length < 1000) await sleep(200);
    }
    return seen;
  };
  const lastId = async (): Promise<string> => {
    let cursor = "0";
    for (;;) {
      const { events } = await get<{ events: Event[] }>(`/api/v1/events?after_id=${cursor}&limit=1000`);
      if (events.length === 0) return cursor;
      cursor = events.at(-1)!.id;
    }
  };
  try {
    await setMode("ok");
    // Every monitor up, from every region of it.
    const want = setup.regions === "one" ? ["local"] : ["local", "b"];
    for (;;) {
      const { monitors } = await get<{ monitors: { id: string; state: { status: string; regions: Record<string, { status: string }> } }[] }>("/api/v1/monitors");
      if (monitors.length === count && monitors.every((m) => m.state.status === "up" && want.every((r) => m.state.regions[r]?.status === "up"))) break;
      await sleep(500);
    }
    const times: Times = { down: [], up: [], confirm: [] };
    for (let i = 0; i < flips; i++) {
      for (const [mode, kind, into] of [["error", "monitor.down", times.down], ["ok", "monitor.up", times.up]] as const) {
        await sleep(Math.random() * intervalMs);
        const before = await lastId();
        await setMode(mode);
        const flipped = Date.now();
        const seen = await firstOfEach(kind, before);
        for (const { at, since } of seen.values()) {
          into.push((at - flipped) / 1000);
          // A down's episode starts at its first failing result: from there on, confirmation's own time.
          if (kind === "monitor.down" && since !== null) times.confirm.push((at - since) / 1000);
        }
        // Let the re-checks settle before the next flip.
        await sleep(3_000);
      }
    }
    return times;
  } finally {
    agent.kill("SIGTERM");
    server.child.kill("SIGTERM");
    await Promise.all([agent, server.child].map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
    children.delete(agent);
    children.delete(server.child);
  }
}

const stats = (values: number[]) => ({ mean: values.reduce((a, b) => a + b, 0) / values.length, max: Math.max(...values) });
const f = (n: number) => n.toFixed(1);

try {
  console.log(`regions: ${count} monitors, 20 s interval, 16 s timeout, ${flips} flips each way per setup (flip to each monitor's event)`);
  const rows: { setup: Setup; down: ReturnType<typeof stats>; up: ReturnType<typeof stats> }[] = [];
  for (const setup of setups) {
    const times = await run(setup);
    rows.push({ setup, down: stats(times.down), up: stats(times.up) });
    const row = rows.at(-1)!;
    console.log(`  ${setup.name.padEnd(26)} 500 → down mean ${f(row.down.mean)} s, max ${f(row.down.max)} s; recovery → up mean ${f(row.up.mean)} s, max ${f(row.up.max)} s`);
    const confirm = stats(times.confirm);
    console.log(`  ${"".padEnd(26)} first failing check → down mean ${f(confirm.mean)} s, max ${f(confirm.max)} s (the rest is the wait for each monitor's next check)`);
  }
  const base = rows[0]!;
  for (const row of rows.slice(1)) {
    console.log(`  ${row.setup.name.padEnd(26)} ÷ one region: down mean ${(row.down.mean / base.down.mean).toFixed(2)}, up mean ${(row.up.mean / base.up.mean).toFixed(2)}`);
  }
} finally {
  await cleanUp();
}
