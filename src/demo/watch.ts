/**
 * Reads what Vigil does from Vigil itself: polls the store's timeline (events in id order) and narrates each event
 * worth telling, noting when the milestones of the story's table happened. What arrives at the on-call stand-ins
 * (webhooks, e-mails) is narrated here too.
 */
import type { RunningVigil } from "../app/start.ts";
import { diagnosisLines } from "../incidents/diagnosis-lines.ts";
import type { StoredEvent } from "../store/types.ts";
import type { Narrator } from "./narrator.ts";
import type { ReceivedMail } from "./smtp-inbox.ts";
import type { ReceivedHook } from "./webhook-receiver.ts";
import { sleep } from "./net.ts";

/** When things happened, as Vigil recorded them (events' times) or as the stand-ins received them. */
export interface Milestones {
  detectedAt?: Date;
  incidentId?: string;
  openedAt?: Date;
  roots?: string[];
  publishedAt?: Date;
  webhookAt?: Date;
  emailAt?: Date;
  attributedAt?: Date;
  monitoringAt?: Date;
  resolvedAt?: Date;
  /** The last outage window of the incident's components closed. */
  windowsAt?: Date;
  postmortemAt?: Date;
  /** The incident's diagnosis as last told (one sentence per component whose evidence shows something). */
  diagnosis?: string;
  /** When the diagnosis first named the story's cause (the watcher's `diagnosis` pattern). */
  diagnosedAt?: Date;
}

const failureKinds = new Set(["monitor.down", "monitor.degraded"]);

export class VigilWatcher {
  readonly milestones: Milestones = {};
  readonly #vigil: RunningVigil;
  readonly #say: Narrator;
  readonly #names: Map<string, string>;
  readonly #cause: RegExp | undefined;
  #cursor: string | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #reading: Promise<void> = Promise.resolve();
  #hooks: ReceivedHook[] = [];
  #hooksTimer: ReturnType<typeof setTimeout> | undefined;

  /** `diagnosis`: the words of a diagnosis that names the story's cause, for `milestones.diagnosedAt`. */
  constructor(vigil: RunningVigil, narrator: Narrator, options: { diagnosis?: RegExp } = {}) {
    this.#vigil = vigil;
    this.#say = narrator;
    this.#cause = options.diagnosis;
    const config = vigil.config();
    this.#names = new Map([...config.components.map((c) => [c.id, c.name] as const), ...config.upstreams.map((u) => [u.id, u.name] as const)]);
  }

  /** Starts reading the timeline from its end (what happened before is not narrated). */
  async start(): Promise<void> {
    const [last] = await this.#vigil.store.events.list({ newestFirst: true, limit: 1 });
    this.#cursor = last?.id;
    this.#running = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#flushHooks();
    await this.#running;
  }

  /** Reads what is new now (also done every 200 ms); one read at a time, so nothing is told twice. */
  poll(): Promise<void> {
    const next = this.#reading.then(() => this.#read());
    this.#reading = next.catch(() => undefined);
    return next;
  }

  async #read(): Promise<void> {
    for (;;) {
      const events = await this.#vigil.store.events.list({ ...(this.#cursor ? { afterId: this.#cursor } : {}), limit: 200 });
      for (let i = 0; i < events.length; i++) {
        const event = events[i]!;
        this.#cursor = event.id;
        if (event.kind === "window.closed") {
          // Windows closing together (a root and its dependents) are told in one line.
          const together = [event];
          while (events[i + 1]?.kind === "window.closed" && sameSpan(events[i + 1]!, event)) together.push(events[++i]!);
          this.#cursor = together.at(-1)!.id;
          this.#windowsClosed(together);
        } else {
          await this.#tell(event);
        }
      }
      if (events.length < 200) return;
    }
  }

  /** Waits until `done()` holds (checked every 100 ms), or fails after `timeoutMs`. */
  async waitFor(what: string, done: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`Vigil did not get there within ${Math.round(timeoutMs / 1000)} s: ${what}`);
      await sleep(100, signal);
    }
  }

  /** A webhook arrived; several of the same event arriving together (windows closing) are told in one line. */
  hook(hook: ReceivedHook): void {
    if (hook.event.startsWith("incident.")) this.milestones.webhookAt ??= hook.at;
    const last = this.#hooks.at(-1);
    if (last !== undefined && last.event !== hook.event) this.#flushHooks();
    this.#hooks.push(hook);
    clearTimeout(this.#hooksTimer);
    this.#hooksTimer = setTimeout(() => this.#flushHooks(), 150);
  }

  #flushHooks(): void {
    clearTimeout(this.#hooksTimer);
    const [first, ...more] = this.#hooks.splice(0);
    if (!first) return;
    this.#say.say("webhook", `received ${more.length > 0 ? `${more.length + 1}× ` : ""}${first.event}: ${first.title}${more.length > 0 ? ` (and ${more.length} more)` : ""}`);
  }

  mail(mail: ReceivedMail): void {
    this.milestones.emailAt ??= mail.at;
    this.#say.say("e-mail", `to ${mail.to.join(", ")}: ${mail.subject}`);
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.poll();
      } catch (error) {
        // The store closing under us at the end; anything else is worth a line.
        if (!this.#stopped) this.#say.say("demo", `reading Vigil's timeline failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      await sleep(200);
    }
  }

  #name(id: unknown): string {
    return typeof id === "string" ? (this.#names.get(id) ?? id) : String(id);
  }

  #list(ids: unknown): string {
    return Array.isArray(ids) && ids.length > 0 ? ids.map((id) => this.#name(id)).join(", ") : "none";
  }

  async #latestUpdate(incidentId: string): Promise<string | undefined> {
    const updates = await this.#vigil.store.incidents.updates(incidentId);
    return updates.at(-1)?.body;
  }

  /** Tells the incident's diagnosis when the evidence joining it changed it: what the incident API shows first. */
  async #diagnose(incidentId: string, at: Date): Promise<void> {
    const events = await this.#vigil.store.events.list({ subject: incidentId, limit: 10_000 });
    const text = diagnosisLines(events, Object.fromEntries(this.#names)).map((line) => line.text).join("\n");
    if (text === "" || text === this.milestones.diagnosis) return;
    this.milestones.diagnosis = text;
    if (this.#cause?.test(text)) this.milestones.diagnosedAt ??= at;
    this.#say.say("vigil", `DIAGNOSIS: ${text}`);
  }

  #windowsClosed(events: readonly StoredEvent[]): void {
    const [first] = events;
    if (!first) return;
    this.milestones.windowsAt = events.at(-1)!.at;
    const d = first.data;
    const names = events.map((e) => this.#name(e.subject)).join(", ");
    this.#say.say("vigil", `outage window${events.length > 1 ? "s" : ""} closed: ${names}: ${time(d["start"])} → ${time(d["end"])} (${String(d["worst_status"]).replace(/_/g, " ")})`);
  }

  async #tell(event: StoredEvent): Promise<void> {
    const m = this.milestones;
    const d = event.data;
    const say = (text: string) => this.#say.say("vigil", text);
    const subject = event.subject ?? "";
    switch (event.kind) {
      case "monitor.up":
        if (d["previous"] === "unknown") say(`monitor ${subject} is up`);
        else say(`monitor ${subject} is UP again${typeof d["down_for_ms"] === "number" ? `, after ${seconds(d["down_for_ms"])} down` : ""}`);
        break;
      case "monitor.down": {
        m.detectedAt ??= event.at;
        const error = (d["error"] as { message?: string } | null)?.message;
        const note = (d["evidence"] as { note?: string } | undefined)?.note;
        say(`monitor ${subject} is DOWN, confirmed by a re-check${error ? `: ${error}` : ""}${note ? `\n(${note})` : ""}`);
        break;
      }
      case "monitor.restart":
        say(`evidence: the database RESTARTED (uptime ${String(d["uptime_s"])} s; it was ${String(d["previous_uptime_s"])} s at the check before)`);
        break;
      case "monitor.connection_saturation":
        say(`evidence: the connection pool is nearly EXHAUSTED: ${String(d["connections"])} of ${String(d["max_connections"])} connections in use`);
        break;
      case "monitor.crash_loop":
        say(`evidence: the database is CRASH-LOOPING: ${String(d["restarts"])} restarts within ${Math.round(Number(d["window_ms"]) / 60_000)} min`);
        break;
      case "monitor.flapping":
        say(`monitor ${subject} is flapping: its ups and downs are held back`);
        break;
      case "incident.created": {
        if (m.incidentId === undefined) {
          m.incidentId = subject;
          m.openedAt = event.at;
          m.roots = d["root_ids"] as string[];
        }
        say(`INCIDENT OPENED: "${String(d["name"])}" (${subject})\nroot ${this.#list(d["root_ids"])} [${(d["root_ids"] as string[]).join(", ")}]; impact ${this.#list(d["impacted_ids"])}\n${this.#vigil.url}/incidents/${subject}`);
        await this.#diagnose(subject, event.at);
        break;
      }
      case "incident.signal_joined": {
        const signal = d["signal"] as { kind?: string; monitor?: string } | undefined;
        if (subject === m.incidentId) await this.#diagnose(subject, event.at);
        if (!failureKinds.has(signal?.kind ?? "")) break;
        const roots = d["root_ids"] as string[];
        if (subject === m.incidentId && roots.join() !== (m.roots ?? []).join()) {
          m.roots = roots;
          say(`incident: root is now ${this.#list(roots)} [${roots.join(", ")}] (a cause confirmed after its effects); impact ${this.#list(d["impacted_ids"])}`);
        } else {
          say(`incident: monitor ${signal?.monitor ?? "?"} failing joins the same incident (one incident for one cause)`);
        }
        break;
      }
      case "incident.published": {
        m.publishedAt ??= event.at;
        const body = await this.#latestUpdate(subject);
        say(`PUBLISHED on the status page, ${seconds(d["time_to_publish_ms"])} after the first failing check${body ? `:\n"${body}"` : ""}`);
        break;
      }
      case "incident.updated": {
        if (d["status"] === "monitoring") m.monitoringAt ??= event.at;
        const body = await this.#latestUpdate(subject);
        say(`incident is now ${String(d["status"])}${body ? `:\n"${body}"` : ""}`);
        break;
      }
      case "incident.signal_recovered":
        say(`incident: ${this.#list(d["components"])} recovered`);
        break;
      case "incident.upstream_attributed":
        m.attributedAt ??= event.at;
        say(`LIKELY UPSTREAM CAUSE: ${String(d["summary"]).replace(/^likely upstream: /, "")}${d["url"] ? `\n${String(d["url"])}` : ""}`);
        break;
      case "incident.resolved": {
        m.resolvedAt ??= event.at;
        const body = await this.#latestUpdate(subject);
        say(`RESOLVED${body ? `:\n"${body}"` : ""}`);
        break;
      }
      case "incident.postmortem_drafted":
        m.postmortemAt ??= event.at;
        say(`postmortem drafted from the timeline (${String(d["chars"])} characters)`);
        break;
      case "upstream.degraded":
        say(`read the provider's feed: ${String(d["name"])} is now ${String(d["status"]).replace(/_/g, " ")}: ${String(d["reason"])}`);
        break;
      case "upstream.recovered":
        say(`read the provider's feed: ${String(d["name"])} is ${String(d["status"]).replace(/_/g, " ")} again`);
        break;
      default:
        break;
    }
  }
}

function sameSpan(a: StoredEvent, b: StoredEvent): boolean {
  return a.data["start"] === b.data["start"] && a.data["end"] === b.data["end"];
}

function seconds(ms: unknown): string {
  return typeof ms === "number" ? `${(ms / 1000).toFixed(1)} s` : "?";
}

/** HH:MM:SS.mmm of an ISO time, in local time. */
function time(iso: unknown): string {
  if (typeof iso !== "string") return "?";
  const date = new Date(iso);
  return `${date.toTimeString().slice(0, 8)}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}
