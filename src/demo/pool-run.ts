/**
 * `vigil demo --story pool`: an analytics tool exhausts the orders database's connection pool (pool-story.ts), on a
 * real MariaDB that a real, in-process Vigil monitors. It narrates what Vigil does, the diagnosis naming who holds the
 * connections, then prints the outage windows, the postmortem draft and the times from the pool filling up.
 */
import { startApiService } from "./api-service.ts";
import { StoryClock } from "./clock.ts";
import { demoConfig } from "./config.ts";
import { mariadbMissing, startMariadb } from "./mariadb.ts";
import { mmss, Narrator } from "./narrator.ts";
import { canLogIn, createPoolStoryUsers, playPoolStory, poolStory } from "./pool-story.ts";
import { poolTimingsOf, printPoolTable } from "./report.ts";
import type { DemoOptions, DemoResult } from "./options.ts";
import { DemoStage } from "./stage.ts";

export async function runPoolDemo(options: DemoOptions & { speed: number }): Promise<DemoResult> {
  const { speed } = options;
  // The pool is MariaDB's to refuse: a TCP stand-in has none.
  const missing = options.mariadb === false ? "--no-mariadb leaves none" : mariadbMissing(options.pathVariable);
  if (missing !== undefined) throw new Error(`the pool story needs a real MariaDB: ${missing}`);
  const say = new Narrator(options.out);
  const clock = new StoryClock(speed, options.signal);
  const stage = new DemoStage(say);
  try {
    say.print("Vigil demo, the pool story: an analytics tool's nightly export opens connections to the orders database and");
    say.print("never gives them back, until the pool is exhausted and the Production API cannot log in. In the crash-loop");
    say.print("story (`vigil demo`), responders blamed such a tool and lost half an hour; here the tool is the cause, and");
    say.print(`Vigil's evidence names it. Replayed ${speed}× faster on a real MariaDB, with Vigil (real, in this process) watching.`);
    say.print();

    const db = await startMariadb(stage.dir, options.pathVariable, { maxConnections: poolStory.maxConnections });
    stage.onClose(() => db.dispose());
    await createPoolStoryUsers(db);
    say.say("demo", `orders database: ${db.label}, max_connections ${db.maxConnections}`);
    const api = await startApiService(() => canLogIn(db));
    stage.onClose(() => api.close());
    say.say("demo", `Production API: ${api.url}/health (200 while it can log in to the database, else 503)`);
    const { hooks, inbox } = await stage.startOnCall();

    const resolveAfterMs = Math.max(3_000, Math.round(clock.real(10 * 60_000) / 1000) * 1000);
    const text = demoConfig({ databaseMonitor: db.monitor, apiUrl: api.url, webhookUrl: hooks.url, smtpPort: inbox.port, resolveAfterMs });
    const vigil = await stage.startVigil(text, options);
    const watcher = await stage.watch(vigil, { diagnosis: /pool exhausted:/ });
    const up = (id: string) => vigil.monitoring.status(id)?.status === "up";
    await watcher.waitFor("the first checks", () => up("orders-db") && up("api-health"), 30_000, options.signal);
    await watcher.poll();

    say.storyTime = () => (clock.started ? `T${clock.now() < poolStory.exportStartsAt ? "-" : "+"}${mmss(Math.abs(Math.round((clock.now() - poolStory.exportStartsAt) / 1000) * 1000))}` : undefined);
    const startedAt = performance.now();
    const m = watcher.milestones;
    const marks = await playPoolStory({ clock, db, say, diagnosed: () => m.diagnosedAt !== undefined, signal: options.signal });
    const replayMs = await stage.untilResolved(watcher, startedAt, resolveAfterMs, options.signal);

    const incidentId = m.incidentId ?? "";
    const timings = poolTimingsOf(marks, m);
    await stage.printOutcome(vigil, incidentId, replayMs);
    printPoolTable(say, timings, speed, m.diagnosis ?? null);
    say.print();
    say.print("The other story, `vigil demo`: the same database crash-loops with its pool nearly empty, and the diagnosis");
    say.print("says crash loop, with the connections in use before the first crash. Here it says pool exhaustion, and who holds it.");
    stage.printLogged();

    if (options.keep) await stage.keepRunning(vigil, incidentId, options.signal);
    return {
      story: "pool",
      database: "mariadb",
      speed,
      timings,
      diagnosis: m.diagnosis ?? null,
      url: vigil.url,
      dir: stage.dir,
      ports: [vigil.port, api.port, db.port, hooks.port, inbox.port],
      replayMs,
    };
  } finally {
    await stage.close();
  }
}
