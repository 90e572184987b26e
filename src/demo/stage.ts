/**
 * What every demo story plays on: a temp dir, the on-call stand-ins (a webhook receiver and an SMTP inbox), a real
 * Vigil started in this process with the story's configuration, and the watcher narrating Vigil's timeline. Everything
 * it starts is registered for clean-up, in reverse order.
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
import type { Narrator } from "./narrator.ts";
import { sleep } from "./net.ts";
import { printPostmortem, printWindows } from "./report.ts";
import { startSmtpInbox, type SmtpInbox } from "./smtp-inbox.ts";
import { VigilWatcher } from "./watch.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.ts";

export class DemoStage {
  readonly dir = mkdtempSync(path.join(tmpdir(), "vigil-demo-"));
  readonly say: Narrator;
  /** What Vigil logged at error level: printed at the end, since a demo should log nothing. */
  readonly logged: string[] = [];
  readonly #cleanups: (() => Promise<unknown> | unknown)[] = [() => rmSync(this.dir, { recursive: true, force: true })];
  #watcher: VigilWatcher | undefined;
  hooks: WebhookReceiver | undefined;
  inbox: SmtpInbox | undefined;

  constructor(say: Narrator) {
    this.say = say;
  }

  /** Registers `cleanup` to run when the stage closes, before everything registered earlier. */
  onClose(cleanup: () => Promise<unknown> | unknown): void {
    this.#cleanups.push(cleanup);
  }

  /** Starts the on-call stand-ins; what arrives is told by the watcher of Vigil's timeline, once there is one. */
  async startOnCall(): Promise<{ hooks: WebhookReceiver; inbox: SmtpInbox }> {
    const hooks = await startWebhookReceiver((hook) => this.#watcher?.hook(hook));
    this.onClose(() => hooks.close());
    const inbox = await startSmtpInbox((mail) => this.#watcher?.mail(mail));
    this.onClose(() => inbox.close());
    this.say.say("demo", `on-call webhook receiver: ${hooks.url}; on-call mailbox (SMTP): 127.0.0.1:${inbox.port}`);
    this.hooks = hooks;
    this.inbox = inbox;
    return { hooks, inbox };
  }

  /** Starts Vigil with `configText` on the embedded store in the stage's dir, and prints where to look. */
  async startVigil(configText: string, options: { port?: number; version?: string }): Promise<RunningVigil> {
    const configFile = path.join(this.dir, "vigil.yaml");
    writeFileSync(configFile, configText);
    const parsed = parseConfigText(configText, configFile, {});
    if (!parsed.ok) throw new Error(`the demo's configuration is invalid:\n${formatConfigIssues(parsed.errors)}`);
    const vigil = await startVigil({
      config: parsed.config,
      configFile,
      env: {},
      host: "127.0.0.1",
      port: options.port ?? 0,
      dataDir: path.join(this.dir, "data"),
      databaseUrl: undefined,
      logger: createLogger({ level: "error", destination: new Writable({ write: (chunk, _e, cb) => void (this.logged.push(String(chunk)), cb()) }) }),
      version: options.version ?? "demo",
    });
    this.onClose(() => vigil.stop("demo over"));
    this.say.say("demo", `Vigil is running with ${configFile} (embedded store in ${path.join(this.dir, "data")})`);
    this.say.print();
    this.say.print(`  Status page:  ${vigil.url}/        (open it in a browser and watch it change)`);
    this.say.print(`  Summary API:  ${vigil.url}/api/v2/summary.json`);
    this.say.print();
    return vigil;
  }

  /** Starts narrating Vigil's timeline from now on; what the stand-ins receive is told by this watcher. */
  async watch(vigil: RunningVigil, options: { diagnosis?: RegExp } = {}): Promise<VigilWatcher> {
    const watcher = new VigilWatcher(vigil, this.say, options);
    this.#watcher = watcher;
    this.onClose(() => watcher.stop());
    await watcher.start();
    return watcher;
  }

  /**
   * Waits for the incident to reach monitoring, then to be resolved with its postmortem drafted; reads the last of
   * the timeline and stops watching. Returns the real milliseconds since `startedAt` (performance.now()).
   */
  async untilResolved(watcher: VigilWatcher, startedAt: number, resolveAfterMs: number, signal?: AbortSignal): Promise<number> {
    const m = watcher.milestones;
    await watcher.waitFor("the incident in monitoring", () => m.monitoringAt !== undefined, 60_000, signal);
    await watcher.waitFor("the incident resolved", () => m.resolvedAt !== undefined && m.postmortemAt !== undefined, resolveAfterMs + 30_000, signal);
    await sleep(300, signal);
    await watcher.poll();
    const replayMs = performance.now() - startedAt;
    await this.stopWatching();
    return replayMs;
  }

  /** How long the replay took, what reached the on-call stand-ins, the outage windows and the postmortem draft. */
  async printOutcome(vigil: RunningVigil, incidentId: string, replayMs: number): Promise<void> {
    const say = this.say;
    say.print();
    say.print(`Replay over in ${formatDuration(Math.round(replayMs / 1000) * 1000)}. ${this.hooks?.received.length ?? 0} webhooks and ${this.inbox?.received.length ?? 0} e-mails reached the on-call stand-ins.`);
    say.print();
    await printWindows(say, vigil, incidentId);
    say.print();
    await printPostmortem(say, vigil, incidentId);
    say.print();
  }

  /** Stops the watcher: what still arrives (late deliveries, the provider's recovery) does not interrupt the report. */
  async stopWatching(): Promise<void> {
    const watcher = this.#watcher;
    this.#watcher = undefined;
    await watcher?.stop();
  }

  /** With --keep: prints how to reach Vigil, narrates what happens until `signal` aborts, then says what it removes. */
  async keepRunning(vigil: RunningVigil, incidentId: string, signal: AbortSignal | undefined): Promise<void> {
    const token = (await createToken({ store: vigil.store, clock: systemClock }, { name: "demo", scope: "read", actor: "demo" })).token;
    this.say.print();
    this.say.print(`Vigil and the stand-ins keep running (--keep) until Ctrl-C. Status page: ${vigil.url}/`);
    this.say.print(`  VIGIL_URL=${vigil.url} VIGIL_TOKEN=${token} npx vigil windows --incident ${incidentId}`);
    this.say.print();
    await this.watch(vigil);
    await new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener("abort", () => resolve(), { once: true })));
    this.say.print(`\nStopping Vigil and the stand-ins; removing ${this.dir}.`);
  }

  /** Prints what Vigil logged, if anything. */
  printLogged(): void {
    if (this.logged.length > 0) this.say.print(`\nVigil logged ${this.logged.length} error(s):\n${this.logged.join("")}`);
  }

  /** Stops everything the stage started, the last first; one failing does not keep the others running. */
  async close(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: the rest must be cleaned up too.
      }
    }
  }
}
