/**
 * `vigil demo`: replays the story Vigil is built from (see script.ts) against local stand-ins that a real, in-process
 * Vigil monitors, narrates what Vigil does, then prints the outage windows, the postmortem draft and the story's
 * times beside the measured ones. Everything it starts is stopped, and its temp dir removed, unless kept.
 */
import { startApiService } from "./api-service.ts";
import { StoryClock } from "./clock.ts";
import { demoConfig } from "./config.ts";
import { startDatabase } from "./start-database.ts";
import { canConnect } from "./net.ts";
import { mmss, Narrator } from "./narrator.ts";
import { runPoolDemo } from "./pool-run.ts";
import { startProviderFeed } from "./provider-feed.ts";
import { defaultSpeed, type DemoOptions, type DemoResult } from "./options.ts";
import { printTable, timingsOf } from "./report.ts";
import { playStory, story } from "./script.ts";
import { DemoStage } from "./stage.ts";

export type { DemoTimings, PoolTimings } from "./report.ts";

export { defaultSpeed, demoStories, type DemoOptions, type DemoResult, type DemoStory } from "./options.ts";

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const speed = options.speed ?? defaultSpeed;
  if (options.story === "pool") return runPoolDemo({ ...options, speed });
  const say = new Narrator(options.out);
  const clock = new StoryClock(speed, options.signal);
  const stage = new DemoStage(say);
  try {
    say.print("Vigil demo: a company's API went down because its managed MySQL cluster crash-looped. Their first alert");
    say.print("came 8 minutes late, their status page said \"Investigating\" after 30 minutes, they learned it was their cloud");
    say.print("provider's fault after 102 minutes, and they reconciled the data by hand. Replayed here against local");
    say.print(`stand-ins, ${speed}× faster, with Vigil (real, in this process) watching in real time.`);
    say.print();

    const { db, note } = await startDatabase(stage.dir, { mariadb: options.mariadb ?? true, required: options.requireMariadb, pathVariable: options.pathVariable });
    stage.onClose(() => db.dispose());
    if (note) say.say("demo", note);
    say.say("demo", `orders database: ${db.label}`);
    if (db.kind === "stand-in") say.say("demo", "(the stand-in says nothing about itself: Vigil sees it go down and up, but no restarts or crash loop, which it reads from a real MariaDB's uptime)");
    const api = await startApiService(() => canConnect(db.port, 500));
    stage.onClose(() => api.close());
    say.say("demo", `Production API: ${api.url}/health (200 while it can reach the database, else 503)`);
    const feed = await startProviderFeed();
    stage.onClose(() => feed.close());
    say.say("demo", `cloud provider's status feed (AWS-style RSS, "Amazon RDS (Oregon)"): ${feed.url}`);
    const { hooks, inbox } = await stage.startOnCall();

    const resolveAfterMs = Math.max(3_000, Math.round(clock.real(10 * 60_000) / 1000) * 1000);
    const text = demoConfig({ databaseMonitor: db.monitor, apiUrl: api.url, feed: { url: feed.url }, webhookUrl: hooks.url, smtpPort: inbox.port, resolveAfterMs });
    const vigil = await stage.startVigil(text, options);
    const watcher = await stage.watch(vigil, { diagnosis: /crash loop:/ });
    const up = (id: string) => vigil.monitoring.status(id)?.status === "up";
    await watcher.waitFor("the first checks", () => up("orders-db") && up("api-health"), 30_000, options.signal);
    await watcher.poll();

    say.storyTime = () => (clock.started ? storyLabel(clock.now() - story.firstCrashAt) : undefined);
    const startedAt = performance.now();
    const marks = await playStory({ clock, db, feed, say, signal: options.signal });
    const m = watcher.milestones;
    const replayMs = await stage.untilResolved(watcher, startedAt, resolveAfterMs, options.signal);

    const incidentId = m.incidentId ?? "";
    const timings = timingsOf(marks, m);
    await stage.printOutcome(vigil, incidentId, replayMs);
    const root = (m.roots ?? []).map((id) => vigil.config().components.find((c) => c.id === id)?.name ?? id).join(", ");
    printTable(say, timings, speed, root || "none");
    say.print();
    say.print("The other story, `vigil demo --story pool`: an analytics tool exhausts the same database's pool, and the");
    say.print("diagnosis says pool exhaustion and who holds the connections. Here it says crash loop, and the pool was not full.");
    stage.printLogged();

    if (options.keep) await stage.keepRunning(vigil, incidentId, options.signal);
    return {
      story: "crash-loop",
      database: db.kind,
      speed,
      timings,
      diagnosis: m.diagnosis ?? null,
      url: vigil.url,
      dir: stage.dir,
      ports: [vigil.port, api.port, db.port, feed.port, hooks.port, inbox.port],
      replayMs,
    };
  } finally {
    await stage.close();
  }
}

/** The story's clock relative to the first crash: "T-02:00", "T+14:00" (story minutes and seconds). */
function storyLabel(ms: number): string {
  const rounded = Math.round(ms / 1000) * 1000;
  return `T${rounded < 0 ? "-" : "+"}${mmss(Math.abs(rounded))}`;
}
