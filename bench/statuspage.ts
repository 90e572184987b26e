// The public status page under a stampede: a page of 1,000 components and 100 incidents, served by
// `vigil serve` and, in the same run, by nginx (Debian) from the files Vigil exports; autocannon at 100
// connections against `/` and `/api/v2/summary.json`; then the same against Vigil while a component's
// status changes every two seconds (each change re-renders the whole site).
// Usage: npm run bench:statuspage   (BENCH_SECONDS=10 per run; needs nginx: apt-get install nginx-light)
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { createToken, freePort, vigilBin, waitFor } from "./lib.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const components = 1000;
const incidents = 100;
const nginxBin = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));

interface Result {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  mbPerSec: number;
}

async function load(url: string, headers: Record<string, string> = {}, during?: () => Promise<void>): Promise<Result> {
  const run = autocannon({ url, connections: 100, duration: seconds, headers });
  const side = during?.();
  const r = await run;
  await side;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, errors: r.errors + r.timeouts, non2xx: r.non2xx, mbPerSec: r.throughput.average / 1e6 };
}

const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-page-"));
// nginx's workers drop to an unprivileged user, who must be able to read the exported files.
await chmod(dir, 0o755);
const children: ChildProcess[] = [];
let lastOutput = () => "";
try {
  const exportDir = path.join(dir, "site");
  const configFile = path.join(dir, "vigil.yaml");
  const groups = 20;
  const lines = ["site: { name: Acme Status, url: 'https://status.example.com', time_zone: UTC }", `statuspage: { export_dir: '${exportDir}' }`, "components:"];
  for (let i = 0; i < components; i++) {
    const dep = i >= groups ? `, depends_on: [c${i % groups}]` : "";
    lines.push(`  - { id: c${i}, name: 'Component ${i}', group: 'Group ${i % groups}'${dep} }`);
  }
  await writeFile(configFile, lines.join("\n") + "\n");

  // A token first, while the embedded store is free; then the server.
  const token = await createToken(path.join(dir, "data"), configFile);
  const vigilPort = await freePort();
  let out = "";
  const vigil = spawn(process.execPath, [vigilBin, "serve", "--config", configFile, "--data", path.join(dir, "data"), "--port", String(vigilPort), "--log-format", "json", "--log-level", "info"], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(vigil);
  vigil.stdout?.on("data", (c) => (out += c));
  vigil.stderr?.on("data", (c) => (out += c));
  const base = `http://127.0.0.1:${vigilPort}`;
  lastOutput = () => out;
  await waitFor(`${base}/readyz`, vigil, () => out);
  const send = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ id: string }>;
  };
  const seedStarted = performance.now();
  for (let i = 0; i < incidents; i++) {
    const created = await send("POST", "/api/v1/incidents", { name: `Incident ${i}`, body: `Component ${i} is **failing**; we are on it.`, components: { [`c${(i * 7) % components}`]: i % 3 === 0 ? "major_outage" : "partial_outage" } });
    await send("POST", `/api/v1/incidents/${created.id}/updates`, { status: "identified", body: "Found it: a bad deploy. Rolling back." });
    // All but five are over.
    if (i >= 5) await send("POST", `/api/v1/incidents/${created.id}/resolve`, { body: "Resolved." });
  }
  const seedMs = performance.now() - seedStarted;
  // Let the last change render, then time a render with nothing new (the periodic one).
  await new Promise((r) => setTimeout(r, 2_000));
  const sizes = await Promise.all(["/", "/api/v2/summary.json"].map(async (p) => (await (await fetch(`${base}${p}`, { headers: { "accept-encoding": "identity" } })).arrayBuffer()).byteLength));

  let nginx: { base: string } | undefined;
  if (nginxBin) {
    const nginxPort = await freePort();
    const conf = path.join(dir, "nginx.conf");
    await writeFile(
      conf,
      `daemon off; worker_processes auto; pid ${dir}/nginx.pid; error_log ${dir}/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; include /etc/nginx/mime.types; default_type application/octet-stream; sendfile on; tcp_nopush on; keepalive_requests 100000; gzip_static on;
  client_body_temp_path ${dir}/nginx-body; proxy_temp_path ${dir}/nginx-proxy; fastcgi_temp_path ${dir}/nginx-fcgi; uwsgi_temp_path ${dir}/nginx-uwsgi; scgi_temp_path ${dir}/nginx-scgi;
  server { listen 127.0.0.1:${nginxPort}; root ${exportDir}; location / { try_files $uri $uri/index.html =404; } } }
`,
    );
    const proc = spawn(nginxBin, ["-c", conf, "-p", dir], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(proc);
    let nginxOut = "";
    proc.stderr?.on("data", (c) => (nginxOut += c));
    await waitFor(`http://127.0.0.1:${nginxPort}/api/v2/status.json`, proc, () => `${nginxOut}\n${existsSync(path.join(dir, "nginx-error.log")) ? readFileSync(path.join(dir, "nginx-error.log"), "utf8") : ""}\nexported: ${existsSync(path.join(exportDir, "index.html"))}`);
    nginx = { base: `http://127.0.0.1:${nginxPort}` };
  }

  // What browsers and CDNs send. nginx serves the exported .gz files (gzip_static); Vigil its brotli from memory.
  const browser = { "accept-encoding": "gzip, deflate, br" };
  const rows: [string, Result, Result | undefined][] = [];
  for (const p of ["/", "/api/v2/summary.json"]) {
    const n = nginx ? await load(`${nginx.base}${p}`, browser) : undefined;
    const v = await load(`${base}${p}`, browser);
    rows.push([p, v, n]);
  }
  const identity = await load(`${base}/`, { "accept-encoding": "identity" });
  const identityNginx = nginx ? await load(`${nginx.base}/`, { "accept-encoding": "identity" }) : undefined;
  let changes = 0;
  const churn = await load(`${base}/`, browser, async () => {
    const end = Date.now() + seconds * 1000 - 1000;
    while (Date.now() < end) {
      await send("PUT", `/api/v1/components/c${changes % components}/status`, { status: changes % 2 === 0 ? "degraded_performance" : null });
      changes++;
      await new Promise((r) => setTimeout(r, 2000));
    }
  });

  const f = (n: number, d = 0) => n.toFixed(d);
  console.log(`page: ${components} components, ${incidents} incidents; / is ${f(sizes[0]! / 1024)} KiB, summary.json ${f(sizes[1]! / 1024)} KiB; seeding through the API took ${f(seedMs / 1000, 1)} s`);
  console.log(`autocannon: 100 connections, ${seconds} s per run, accept-encoding "gzip, deflate, br" unless said`);
  console.log(`${"".padEnd(44)} ${"req/s".padStart(9)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"max ms".padStart(7)} ${"errors".padStart(7)}  ratio to nginx`);
  const line = (name: string, r: Result, ratio?: number) =>
    console.log(`${name.padEnd(44)} ${f(r.rps).padStart(9)} ${f(r.p50).padStart(7)} ${f(r.p99).padStart(7)} ${f(r.max).padStart(7)} ${f(r.errors + r.non2xx).padStart(7)}  ${ratio === undefined ? "" : `${ratio.toFixed(2)}x`}`);
  for (const [p, v, n] of rows) {
    if (n) line(`nginx (static export) ${p}`, n);
    line(`vigil ${p}`, v, n ? v.rps / n.rps : undefined);
  }
  if (identityNginx) line("nginx (static export) / uncompressed", identityNginx);
  line("vigil / uncompressed", identity, identityNginx ? identity.rps / identityNginx.rps : undefined);
  line(`vigil / while a status changes every 2 s (${changes} changes)`, churn);
  const summary = rows.find(([p]) => p === "/api/v2/summary.json");
  const home = rows.find(([p]) => p === "/");
  const met = (ok: boolean) => (ok ? "met" : "MISSED");
  if (home?.[2] && summary?.[2]) {
    console.log(`target: at least half of nginx's throughput: / ${met(home[1].rps / home[2].rps >= 0.5)}, summary.json ${met(summary[1].rps / summary[2].rps >= 0.5)}`);
  } else {
    console.log("nginx is not installed (apt-get install nginx-light): no ratio measured");
  }
  console.log(`target: p99 under 20 ms: / ${met((home?.[1].p99 ?? Infinity) < 20)}, summary.json ${met((summary?.[1].p99 ?? Infinity) < 20)}, during status changes ${met(churn.p99 < 20)}`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  const exited = await Promise.race([
    Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined))).then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 20_000).unref()),
  ]);
  if (!exited) {
    console.error(`a server did not stop within 20 s of SIGTERM; its last output:\n${lastOutput().slice(-3000)}`);
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  }
  await rm(dir, { recursive: true, force: true });
}

