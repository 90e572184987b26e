// Hostile requests, timed: for each public route of `vigil serve` (embedded store, a published incident,
// subscriptions on), the time of a plain request beside each hostile one that test/api/hostile-input.test.ts sends
// (a 2,048-character target, a run of slashes, a broken escape, 200 query parameters, a nested query, CR in a header;
// and for the POST routes a body at the default 1 MB limit and JSON nested 30,000 deep and as deep as the limit allows), and their ratio. Every request is on a
// new connection (the hostile ones are closed by the server), one at a time; a bare Node.js HTTP server answering
// "ok" is timed the same way in the same run as the floor.
// Usage: npm run bench:hostile   (BENCH_REQUESTS=200 per route and kind)
import { createServer } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createToken, startVigil } from "./lib.ts";

const requests = Number(process.env.BENCH_REQUESTS ?? 200);
// The default server.body_limit (1 MB): what a deployment that did not change it accepts.
const bodyLimit = 1024 * 1024;
// Requests per POST row: a body of a megabyte is slower to send and read.
const bodyRequests = Math.min(requests, 20);

/** Sends `data` on a new connection; resolves with the answer's status once the server closes it. */
function send(port: number, data: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(data));
    let head = "";
    socket.on("data", (c: Buffer) => {
      if (head.length < 16) head += c.toString("latin1", 0, 16);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error)));
    socket.on("close", () => resolve(Number(head.split(" ")[1] ?? 0)));
  });
}

const get = (target: string, extra = "") => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`;
const post = (target: string, body: string) => `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
const targetOfLength = (route: string, length: number) => `${route}?x=${"a".repeat(length - route.length - 3)}`;

/** Median and 99th percentile of `requests` sends of `data`, in ms; and the statuses seen. */
async function time(port: number, data: string, count = requests): Promise<{ p50: number; p99: number; statuses: Set<number> }> {
  const samples: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    statuses.add(await send(port, data));
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)] ?? 0, p99: samples[Math.floor(samples.length * 0.99)] ?? 0, statuses };
}

const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-hostile-"));
const baseline = createServer((_q, r) => r.end("ok"));
await new Promise<void>((r) => baseline.listen(0, "127.0.0.1", r));
let stop = () => {};
try {
  const configFile = path.join(dir, "vigil.yaml");
  await writeFile(
    configFile,
    `site: { name: Acme Status }
components:
  - { id: api, name: Production API }
  - { id: search, name: Search }
monitors:
  - { id: nightly, type: heartbeat, secret: "heartbeat-0123456789abcdef", interval: 1h, grace: 5m }
subscribers:
  email: { host: 127.0.0.1, port: 9, from: "Acme Status <status@example.com>" }
  rate_limit: { requests: 1000000, per: 1m, recipient: { requests: 1000000, per: 1m }, global: { requests: 1000000, per: 1m } }
`,
  );
  const dataDir = path.join(dir, "data");
  const token = await createToken(dataDir, configFile, "admin");
  const vigil = await startVigil(configFile, dataDir);
  stop = () => vigil.child.kill("SIGTERM");
  const port = Number(new URL(vigil.base).port);
  const opened = await fetch(`${vigil.base}/api/v1/incidents`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Search is slow", body: "Searches take seconds.", components: { search: "partial_outage" } }),
  });
  const incidentId = ((await opened.json()) as { id: string }).id;
  // The page is rendered in the background: wait for the incident's page.
  for (let i = 0; i < 100 && (await fetch(`${vigil.base}/incidents/${incidentId}`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));

  const floor = await time((baseline.address() as AddressInfo).port, get("/"));
  console.log(`${requests} requests per row, one at a time, each on a new connection; ratio: hostile p50 / the route's plain p50`);
  console.log(`floor: bare node http server, GET /: p50 ${floor.p50.toFixed(3)} ms, p99 ${floor.p99.toFixed(3)} ms\n`);
  console.log(`${"route".padEnd(30)} ${"request".padEnd(26)} ${"status".padEnd(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"ratio".padStart(7)}`);
  const getRoutes = ["/", "/history", `/incidents/${incidentId}`, "/history.rss", "/badge.svg", "/widget.js", "/embed", "/api/v2/summary.json", "/subscribe", "/subscriptions/confirm", "/healthz", "/readyz", "/metrics"];
  const kinds: Array<[string, (route: string) => string]> = [
    ["target of 2,048", (r) => get(targetOfLength(r, 2048))],
    ["target of 2,049", (r) => get(targetOfLength(r, 2049))],
    ["1,000 slashes", (r) => get(r + "/".repeat(1000))],
    ["broken escape", (r) => get(`${r}/%c0%ae%c0%ae`)],
    ["200 query parameters", (r) => get(`${r}?${Array.from({ length: 200 }, (_, i) => `p${i}=${i}`).join("&")}`)],
    ["nested query", (r) => get(`${r}?a${"[b]".repeat(500)}=1`)],
    ["CR in a header", (r) => `GET ${r} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\rX-B: 1\r\nConnection: close\r\n\r\n`],
  ];
  let worst = { ratio: 0, what: "" };
  const row = async (route: string, kind: string, data: string, plainP50: number | null, count = requests) => {
    const t = await time(port, data, count);
    const ratio = plainP50 === null ? null : t.p50 / plainP50;
    if (ratio !== null && ratio > worst.ratio) worst = { ratio, what: `${kind} on ${route}` };
    console.log(`${route.slice(0, 30).padEnd(30)} ${kind.padEnd(26)} ${[...t.statuses].join(",").padEnd(8)} ${t.p50.toFixed(3).padStart(8)} ${t.p99.toFixed(3).padStart(8)} ${ratio === null ? "".padStart(7) : `${ratio.toFixed(2)}x`.padStart(7)}`);
    return t.p50;
  };
  for (const route of getRoutes) {
    const plain = await row(route, "plain", get(route), null);
    for (const [kind, make] of kinds) await row(route, kind, make(route), plain);
  }
  for (const route of ["/api/v1/subscriptions", "/api/v1/heartbeat/nightly", "/subscribe"]) {
    const plain = await row(route, "plain: {}", post(route, "{}"), null);
    await row(route, "JSON at the body limit", post(route, JSON.stringify({ email: "a".repeat(bodyLimit - 12) })), plain, bodyRequests);
    await row(route, "JSON one byte over", post(route, JSON.stringify({ email: "a".repeat(bodyLimit - 11) })), plain, bodyRequests);
    const depth = (bodyLimit - 10) / 2 - 1;
    await row(route, "JSON nested to the limit", post(route, `{"email":${"[".repeat(depth)}${"]".repeat(depth)}}`), plain, bodyRequests);
    await row(route, "JSON nested 30,000 deep", post(route, `{"email":${"[".repeat(30_000)}${"]".repeat(30_000)}}`), plain, bodyRequests);
  }
  console.log(`\nworst ratio: ${worst.ratio.toFixed(2)}x (${worst.what})`);
} finally {
  stop();
  baseline.close();
  await rm(dir, { recursive: true, force: true });
}
