/**
 * `vigil demo`: replays the story Vigil is built from (see script.ts) against local stand-ins that a real, in-process
 * Vigil monitors, narrates what Vigil does, then prints the outage windows, the postmortem draft and the story's
 * times beside the measured ones. Everything it starts is stopped, and its temp dir removed, unless kept.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { startVigil, type RunningVigil } from "../app/start.ts";
import { createToken } from "../auth/create-token.ts";
import { formatConfigIssues, parseConfigText } from "../config/index.ts";
import { systemClock } from "../core/clock.ts";
import { formatDuration } from "../core/duration.ts";
import { createLogger } from "../observability/logger.ts";
import { startApiService } from "./api-service.ts";
import { StoryClock } from "./clock.ts";
import { demoConfig } from "./config.ts";
import { startDatabase } from "./start-database.ts";
import { sleep } from "./net.ts";
import { mmss, Narrator } from "./narrator.ts";
import { startProviderFeed } from "./provider-feed.ts";
import { printPostmortem, printTable, printWindows, timingsOf, type DemoTimings } from "./report.ts";
import { playStory, story } from "./script.ts";
import { startSmtpInbox } from "./smtp-inbox.ts";
import { VigilWatcher } from "./watch.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

export type { DemoTimings } from "./report.ts";

/** A speed at which the whole replay takes a minute and a half or so. */
export const defaultSpeed = 60;

export interface DemoOptions {
  /** Where the narration and the report go. */
  out: NodeJS.WritableStream;
  /** Story time runs this many times faster than real time (default 60: a story minute a second). */
  speed?: number;
  /** Use a real MariaDB when it is installed (default); false: the TCP stand-in. */
  mariadb?: boolean;
  /** A missing MariaDB is an error rather than a reason to use the stand-in. */
  requireMariadb?: boolean;
  /** Vigil's port (default: a free one). */
  port?: number;
  /** After the replay, keep everything running until `signal` aborts (then clean up and return as usual). */
  keep?: boolean;
  /** Aborting stops the replay and cleans up. */
  signal?: AbortSignal;
  /** Vigil's version, for its /metrics and API. */
  version?: string;
  /** The PATH to look for MariaDB's binaries in (the system's directories are searched too). */
  pathVariable?: string;
}

export interface DemoResult {
  database: "mariadb" | "stand-in";
  speed: number;
  /** Seconds from the first crash to each milestone. */
  timings: DemoTimings;
  /** The status page's URL (no longer served once the demo returns, unless kept). */
  url: string;
  /** The temp dir (removed when the demo returns). */
  dir: string;
  /** Every port the demo listened on: Vigil, the API, the database, the feed, the webhook receiver, the inbox. */
  ports: number[];
  /** Real milliseconds the replay took, from the start of the story to the postmortem. */
  replayMs: number;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const speed = options.speed ?? defaultSpeed;
  const say = new Narrator(options.out);
  const clock = new StoryClock(speed, options.signal);
  const dir = mkdtempSync(path.join(tmpdir(), "vigil-demo-"));
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const logged: string[] = [];
  try {
    say.print("Vigil demo: a company's API went down because its managed MySQL cluster crash-looped. Their first alert");
    say.print("came 8 minutes late, their status page said \"Investigating\" after 30 minutes, they learned it was their cloud");
    say.print("provider's fault after 102 minutes, and they reconciled the data by hand. Replayed here against local");
    say.print(`stand-ins, ${speed}× faster, with Vigil (real, in this process) watching in real time.`);
    say.print();

    const { db, note } = await startDatabase(dir, { mariadb: options.mariadb ?? true, required: options.requireMariadb, pathVariable: options.pathVariable });
    cleanups.push(() => db.dispose());
    if (note) say.say("demo", note);
    say.say("demo", `orders database: ${db.label}`);
    if (db.kind === "stand-in") say.say("demo", "(the stand-in says nothing about itself: Vigil sees it go down and up, but no restarts or crash loop, which it reads from a real MariaDB's uptime)");
    const api = await startApiService(db.port);
    cleanups.push(() => api.close());
    say.say("demo", `Production API: ${api.url}/health (200 while it can reach the database, else 503)`);
    const feed = await startProviderFeed();
    cleanups.push(() => feed.close());
    say.say("demo", `cloud provider's status feed (AWS-style RSS, "Amazon RDS (Oregon)"): ${feed.url}`);
    // What arrives is told by the watcher of Vigil's timeline, once there is one.
    const arrivals: { watcher?: VigilWatcher } = {};
    const hooks = await startWebhookReceiver((hook) => arrivals.watcher?.hook(hook));
    cleanups.push(() => hooks.close());
    const inbox = await startSmtpInbox((mail) => arrivals.watcher?.mail(mail));
    cleanups.push(() => inbox.close());
    say.say("demo", `on-call webhook receiver: ${hooks.url}; on-call mailbox (SMTP): 127.0.0.1:${inbox.port}`);

    const resolveAfterMs = Math.max(3_000, Math.round(clock.real(10 * 60_000) / 1000) * 1000);
    const configFile = path.join(dir, "vigil.yaml");
    const text = demoConfig({ databaseMonitor: db.monitor, apiUrl: api.url, feedUrl: feed.url, webhookUrl: hooks.url, smtpPort: inbox.port, resolveAfterMs });
    writeFileSync(configFile, text);
    const parsed = parseConfigText(text, configFile, {});
    if (!parsed.ok) throw new Error(`the demo's configuration is invalid:\n${formatConfigIssues(parsed.errors)}`);
    const vigil: RunningVigil = await startVigil({
      config: parsed.config,
      configFile,
      env: {},
      host: "127.0.0.1",
      port: options.port ?? 0,
      dataDir: path.join(dir, "data"),
      databaseUrl: undefined,
      logger: createLogger({ level: "error", destination: new Writable({ write: (chunk, _e, cb) => void (logged.push(String(chunk)), cb()) }) }),
      version: options.version ?? "demo",
    });
    cleanups.push(() => vigil.stop("demo over"));
    say.say("demo", `Vigil is running with ${configFile} (embedded store in ${path.join(dir, "data")})`);
    say.print();
    say.print(`  Status page:  ${vigil.url}/        (open it in a browser and watch it change)`);
    say.print(`  Summary API:  ${vigil.url}/api/v2/summary.json`);
    say.print();

    const watcher = new VigilWatcher(vigil, say);
    arrivals.watcher = watcher;
    cleanups.push(() => watcher.stop());
    await watcher.start();
    const up = (id: string) => vigil.monitoring.status(id)?.status === "up";
    await watcher.waitFor("the first checks", () => up("orders-db") && up("api-health"), 30_000, options.signal);
    await watcher.poll();

    say.storyTime = () => (clock.started ? storyLabel(clock.now() - story.firstCrashAt) : undefined);
    const startedAt = performance.now();
    const marks = await playStory({ clock, db, feed, say, signal: options.signal });
    const m = watcher.milestones;
    await watcher.waitFor("the incident in monitoring", () => m.monitoringAt !== undefined, 60_000, options.signal);
    await watcher.waitFor("the incident resolved", () => m.resolvedAt !== undefined && m.postmortemAt !== undefined, resolveAfterMs + 30_000, options.signal);
    await sleep(300, options.signal);
    await watcher.poll();
    const replayMs = performance.now() - startedAt;
    // The report is not interrupted by what still arrives (the provider's recovery, late deliveries).
    await watcher.stop();
    arrivals.watcher = undefined;

    const incidentId = m.incidentId ?? "";
    const timings = timingsOf(marks, m);
    say.print();
    say.print(`Replay over in ${formatDuration(Math.round(replayMs / 1000) * 1000)}. ${hooks.received.length} webhooks and ${inbox.received.length} e-mails reached the on-call stand-ins.`);
    say.print();
    await printWindows(say, vigil, incidentId);
    say.print();
    await printPostmortem(say, vigil, incidentId);
    say.print();
    const root = (m.roots ?? []).map((id) => vigil.config().components.find((c) => c.id === id)?.name ?? id).join(", ");
    printTable(say, timings, speed, root || "none");
    if (logged.length > 0) say.print(`\nVigil logged ${logged.length} error(s):\n${logged.join("")}`);

    if (options.keep) {
      const token = (await createToken({ store: vigil.store, clock: systemClock }, { name: "demo", scope: "read", actor: "demo" })).token;
      say.print();
      say.print(`Vigil and the stand-ins keep running (--keep) until Ctrl-C. Status page: ${vigil.url}/`);
      say.print(`  VIGIL_URL=${vigil.url} VIGIL_TOKEN=${token} npx vigil windows --incident ${incidentId}`);
      say.print();
      const after = new VigilWatcher(vigil, say);
      arrivals.watcher = after;
      cleanups.push(() => after.stop());
      await after.start();
      const signal = options.signal;
      await new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener("abort", () => resolve(), { once: true })));
      say.print(`\nStopping Vigil and the stand-ins; removing ${dir}.`);
    }
    return {
      database: db.kind,
      speed,
      timings,
      url: vigil.url,
      dir,
      ports: [vigil.port, api.port, db.port, feed.port, hooks.port, inbox.port],
      replayMs,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: the rest must be cleaned up too.
      }
    }
  }
}

/** The story's clock relative to the first crash: "T-02:00", "T+14:00" (story minutes and seconds). */
function storyLabel(ms: number): string {
  const rounded = Math.round(ms / 1000) * 1000;
  return `T${rounded < 0 ? "-" : "+"}${mmss(Math.abs(rounded))}`;
}
