// An incident update fanned out to the public: 90,000 e-mail subscribers through a real local SMTP server and 10,000
// webhook subscribers on a local HTTP sink, by `vigil serve` (the real process), on the embedded store and on
// PostgreSQL (BENCH_STORES=pglite,postgres; the server is VIGIL_TEST_POSTGRES_URL, else a throwaway one). Measured: time from
// the API call that opens and publishes the incident until every message has arrived, deliveries per second, and the
// server's peak memory. Baseline in the same run: the same sends made directly (nodemailer over the same
// number of pooled SMTP connections, fetch with Vigil's concurrency), without outbox, rendering or records.
// Usage: npm run bench:notify   (EMAILS=90000 WEBHOOKS=10000 to change the sizes)
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { deliveryConcurrency } from "../src/app/notifier/deliverer.ts";
import { openStore } from "../src/store/open.ts";
import type { SubscriberRow } from "../src/store/types.ts";
import { cpuSeconds, createToken, peakRssMb, startVigil } from "./lib.ts";
import { benchPostgres, type BenchPostgres } from "./postgres.ts";

const emails = Number(process.env.EMAILS ?? 90_000);
const webhooks = Number(process.env.WEBHOOKS ?? 10_000);
const stores = (process.env.BENCH_STORES ?? "pglite,postgres").split(",") as ("pglite" | "postgres")[];
const smtpConnections = 10;
const targetMs = 60_000;

/** A real SMTP server that counts what it accepts. */
async function smtpSink(): Promise<{ port: number; count: () => number; reset: () => void; close: () => Promise<void> }> {
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    maxClients: 100,
    onData(stream, _session, callback) {
      stream.on("data", () => undefined);
      stream.on("end", () => {
        count++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.server.address() as { port: number }).port, count: () => count, reset: () => (count = 0), close: () => new Promise((r) => server.close(() => r())) };
}

/** An HTTP sink that answers 200 and counts. */
async function httpSink(): Promise<{ port: number; count: () => number; reset: () => void; server: Server }> {
  let count = 0;
  const server = createServer((req, res) => {
    req.on("data", () => undefined);
    req.on("end", () => {
      count++;
      res.writeHead(200).end("ok");
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, count: () => count, reset: () => (count = 0), server };
}

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Whether a node of the cluster leads (polled until `timeoutMs`). */
async function leads(base: string, token: string, timeoutMs: number): Promise<boolean> {
  for (const end = performance.now() + timeoutMs; performance.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const cluster = await fetch(`${base}/api/v1/cluster`, { headers: { authorization: `Bearer ${token}` } });
    if (cluster.ok && ((await cluster.json()) as { leader?: { node?: string } | null }).leader?.node) return true;
  }
  return false;
}

/** The same sends, made directly: the cost of the transports alone. */
async function baseline(smtpPort: number, webhookPort: number): Promise<number> {
  const transport = nodemailer.createTransport({ pool: true, maxConnections: smtpConnections, maxMessages: Infinity, host: "127.0.0.1", port: smtpPort, secure: false });
  const body = "We are investigating errors on the Production API.\n".repeat(20);
  const started = performance.now();
  const mails = Array.from({ length: emails }, (_, i) => transport.sendMail({ from: "status@example.com", to: `user${i}@example.com`, subject: "[Acme Status] Production API outage: investigating", text: body, html: `<p>${body}</p>` }));
  let next = 0;
  const worker = async () => {
    while (next < webhooks) {
      const i = next++;
      await fetch(`http://127.0.0.1:${webhookPort}/s/${i}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "incident.created", i, text: body }) }).then((r) => r.arrayBuffer());
    }
  };
  await Promise.all([...mails, ...Array.from({ length: deliveryConcurrency }, worker)]);
  const ms = performance.now() - started;
  transport.close();
  return ms;
}

const smtp = await smtpSink();
const sink = await httpSink();
let postgres: BenchPostgres | undefined;
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
let vigil: Awaited<ReturnType<typeof startVigil>> | undefined;

/** One fan-out through `vigil serve` on `kind`; prints its numbers and returns how long it took. */
async function fanOut(kind: "pglite" | "postgres"): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-bench-notify-"));
  try {
    const configFile = path.join(dir, "vigil.yaml");
    const dataDir = path.join(dir, "data");
    if (kind === "postgres") postgres ??= await benchPostgres();
    const url = kind === "postgres" ? await postgres!.freshDatabase() : undefined;
    await writeFile(
      configFile,
      `site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: api, name: Production API }
  - { id: orders-db, name: Orders database }
subscribers:
  email: { host: 127.0.0.1, port: ${smtp.port}, from: "Acme Status <status@example.com>", connections: ${smtpConnections} }
  webhooks: true
  allow_private_webhooks: true
`,
    );

    // Subscribers straight into the store, before the server holds it.
    const seedStarted = performance.now();
    const store = await openStore({ dataDir, ...(url ? { url } : {}) });
    const now = new Date();
    const rows: SubscriberRow[] = [];
    for (let i = 0; i < emails; i++) rows.push({ id: `sub_e${String(i).padStart(6, "0")}`, kind: "email", address: `user${i}@example.com`, componentIds: i % 2 === 0 ? null : ["api"], format: null, confirmedAt: now, createdAt: now });
    for (let i = 0; i < webhooks; i++) rows.push({ id: `sub_w${String(i).padStart(6, "0")}`, kind: "webhook", address: `http://127.0.0.1:${sink.port}/s/${i}`, componentIds: null, format: i % 2 === 0 ? "vigil" : "statuspage", confirmedAt: now, createdAt: now });
    await store.subscribers.importMany(rows);
    await store.close();
    const seedMs = performance.now() - seedStarted;
    const env: Record<string, string> = url ? { DATABASE_URL: url } : {};
    // Publishing an incident reaches the public: a write token may not.
    const token = await createToken(dataDir, configFile, "admin", env);
    smtp.reset();
    sink.reset();
    vigil = await startVigil(configFile, dataDir, env);
    const idleMb = peakRssMb(vigil.child.pid!);
    const cpuBefore = cpuSeconds(vigil.child.pid!);

    // On PostgreSQL the node leads (and may write incidents) a moment after it answers /readyz.
    const leading = await leads(vigil.base, token, 30_000);
    if (!leading) throw new Error(`no node leads after 30 s\n${vigil.output().slice(-2000)}`);
    const started = performance.now();
    const res = await fetch(`${vigil.base}/api/v1/incidents`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Production API outage", body: "We are investigating errors on the Production API.", components: { api: "major_outage" } }),
    });
    if (!res.ok) throw new Error(`creating the incident: ${res.status} ${await res.text()}`);
    const total = emails + webhooks;
    let firstMs: number | null = null;
    const all = await until(() => {
      if (firstMs === null && smtp.count() + sink.count() > 0) firstMs = performance.now() - started;
      return smtp.count() >= emails && sink.count() >= webhooks;
    }, 600_000);
    const vigilMs = performance.now() - started;
    const peakMb = peakRssMb(vigil.child.pid!);
    const cpuAfter = cpuSeconds(vigil.child.pid!);
    const cpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
    if (!all) throw new Error(`only ${smtp.count()} e-mails and ${sink.count()} webhooks arrived in 600 s\n${vigil.output().slice(-2000)}`);
    // What the fan-out left on the timeline: one summary with its counts, and no event per delivery.
    const events = async (eventKind: string) => {
      const page = await fetch(`${vigil!.base}/api/v1/events?kind=${eventKind}&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
      return ((await page.json()) as { events: { data: Record<string, unknown> }[] }).events;
    };
    let summary: Record<string, unknown> | undefined;
    const summaryEnd = performance.now() + 10_000;
    while (summary === undefined && performance.now() < summaryEnd) {
      summary = (await events("notification.fanout_summary"))[0]?.data;
      if (summary === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    const deliveredEvents = (await events("notification.delivered")).length;
    vigil.child.kill("SIGTERM");
    await new Promise((r) => vigil!.child.once("exit", r));
    vigil = undefined;

    console.log(`notification fan-out on ${kind}: ${emails} e-mail + ${webhooks} webhook subscribers (seeded in ${fmt(seedMs)})`);
    console.log(`  first delivery after      ${firstMs === null ? "-" : fmt(firstMs)}`);
    console.log(`  all ${total} delivered in  ${fmt(vigilMs)}   target ≤ ${fmt(targetMs)}: ${vigilMs <= targetMs ? "met" : "MISSED"}`);
    console.log(`  deliveries per second     ${Math.round(total / (vigilMs / 1000))}`);
    console.log(`  vigil CPU time            ${cpu === null ? "?" : `${cpu.toFixed(1)} s (${((cpu * 1000) / total).toFixed(2)} ms per delivery)`}`);
    console.log(`  vigil peak memory (RSS)   ${peakMb?.toFixed(0) ?? "?"} MB (idle before: ${idleMb?.toFixed(0) ?? "?"} MB)`);
    console.log(`  timeline                  ${summary === undefined ? "no summary within 10 s" : `one notification.fanout_summary: ${String(summary["delivered"])} of ${String(summary["total"])} delivered`}, ${deliveredEvents} notification.delivered`);
    return vigilMs;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

try {
  const took: number[] = [];
  for (const kind of stores) took.push(await fanOut(kind));
  smtp.reset();
  sink.reset();
  const baseMs = await baseline(smtp.port, sink.port);
  console.log(`baseline, direct sends      ${fmt(baseMs)}  (${Math.round((emails + webhooks) / (baseMs / 1000))}/s)`);
  stores.forEach((kind, i) => console.log(`  vigil on ${kind} / direct  ${(took[i]! / baseMs).toFixed(2)}x`));
} finally {
  vigil?.child.kill("SIGKILL");
  await smtp.close();
  sink.server.closeAllConnections();
  sink.server.close();
  await postgres?.dispose();
}
