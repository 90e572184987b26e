import { conditionsHold, matchTriggers, occasionOf, triggerSourceKinds, type TriggerIncident, type TriggerMatch, type TriggerOccasion, type TriggerSourceEvent } from "../../actions/triggers.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Store } from "../../store/types.ts";
import { requestRun } from "./request.ts";

/** What the trigger follower needs. */
export interface TriggerFollowerDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  config(): VigilConfig;
  /** Told when a run was asked for (the runner starts on it). */
  onRequested?: () => void;
}

/** The follower's cursor name in the store. */
export const triggersCursor = "actions.triggers";
/** Events read at once. */
const batch = 200;
/** How often the timeline is read when nothing tells the follower of a change (events written on another node). */
const pollMs = 1_000;

/** A run waiting for its trigger's delay to pass. */
interface Pending {
  match: TriggerMatch;
  occasion: TriggerOccasion;
  /** The cursor before its event: the stored cursor does not pass it while the run waits. */
  before: string;
  timer: unknown;
}

/**
 * Follows the timeline on the leader and asks for the runs that actions' triggers name (src/actions/triggers.ts): at
 * once without a `delay`, else when the delay is over and the conditions have kept holding (checked again at each
 * event of the incident meanwhile, and at the end, with the incident as it is then).
 * The stored cursor (`actions.triggers`) stays before the oldest event whose delay is still running, so a leader that
 * stops loses nothing: the next one reads those events again, and waits out what is left of each delay (from the
 * event's time) or, when it is over, checks the conditions at once. Reading an event twice asks for nothing twice:
 * the run's idempotency key is the trigger's, and a key that exists returns its run.
 */
export class TriggerFollower {
  readonly #deps: TriggerFollowerDeps;
  /** The last event read (the in-memory position, ahead of the stored cursor while delays run). */
  #readAfter = "0";
  #stored = "0";
  readonly #pending = new Map<string, Pending>();
  /** Everything the follower does runs one after the other. */
  #work: Promise<void> = Promise.resolve();
  /** A read is queued and not begun: another change needs none of its own (that read will see it). */
  #readQueued = false;
  #timer: unknown;
  #stopped = false;
  /** Told of changes before `start` (the incident engine starts first), it waits for the stored cursor. */
  #started = false;

  constructor(deps: TriggerFollowerDeps) {
    this.#deps = deps;
  }

  /** Starts after the newest event when it never ran (history triggers nothing), then follows the timeline. */
  async start(): Promise<void> {
    const { store, clock } = this.#deps;
    let cursor = await store.outbox.cursor(triggersCursor);
    if (cursor === null) {
      const [newest] = await store.events.list({ newestFirst: true, limit: 1 });
      cursor = newest?.id ?? "0";
      await store.outbox.setCursor(triggersCursor, cursor, clock.now());
    }
    this.#readAfter = cursor;
    this.#stored = cursor;
    this.#started = true;
    await this.changed();
    this.#schedule();
  }

  /** Something new is on the timeline: read it (after what is under way). */
  changed(): Promise<void> {
    if (!this.#started) return Promise.resolve();
    if (this.#readQueued) return this.#work;
    this.#readQueued = true;
    return this.#enqueue(() => {
      this.#readQueued = false;
      return this.#read();
    });
  }

  /** Runs waiting for their delay (tests). */
  get waiting(): number {
    return this.#pending.size;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.timers.clearTimeout(this.#timer);
    for (const pending of this.#pending.values()) if (pending.timer !== undefined) this.#deps.timers.clearTimeout(pending.timer);
    // A read under way ends by storing the cursor: the waiting runs must still hold it back then.
    await this.#work;
    this.#pending.clear();
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    this.#work = this.#work
      .then(() => (this.#stopped ? undefined : step()))
      .catch((error: unknown) => this.#deps.logger.error({ err: error }, "following the timeline for action triggers failed; retrying"));
    return this.#work;
  }

  async #read(): Promise<void> {
    const { store } = this.#deps;
    for (;;) {
      const events = await store.events.list({ afterId: this.#readAfter, kinds: triggerSourceKinds, limit: batch });
      for (const event of events) {
        // Both steps may want the event's incident: read once.
        const incidents = new Map<string, Promise<TriggerIncident | undefined>>();
        const incidentOf = (id: string) => incidents.get(id) ?? incidents.set(id, this.#deps.store.incidents.get(id)).get(id)!;
        await this.#recheck(event, incidentOf);
        await this.#consider(event, this.#readAfter, incidentOf);
        this.#readAfter = event.id;
      }
      // Delays already over (events read again after a restart) end once the events after them had their say.
      const now = this.#deps.clock.now().getTime();
      for (const [key, pending] of [...this.#pending.entries()]) if (pending.match.dueAt.getTime() <= now) await this.#due(key);
      await this.#saveCursor();
      if (events.length < batch) return;
    }
  }

  /** Asks for the runs an event's triggers name now, or waits out their delay. */
  async #consider(event: TriggerSourceEvent, before: string, incidentOf: (id: string) => Promise<TriggerIncident | undefined>): Promise<void> {
    const actions = this.#deps.config().actions.definitions;
    if (!actions.some((a) => (a.on ?? []).length > 0)) return;
    const occasions = occasionOf(event);
    if (occasions.length === 0) return;
    const incidentId = occasions[0]!.incidentId;
    const incident = incidentId === null ? undefined : await incidentOf(incidentId);
    for (const match of matchTriggers(actions, event, incident)) {
      const occasion = occasions.find((o) => o.event === match.reason.trigger)!;
      if (match.dueAt.getTime() === event.at.getTime()) {
        // No delay.
        await this.#request(match, incident !== undefined);
        continue;
      }
      if (this.#pending.has(match.idempotencyKey)) continue;
      // A delay already over waits for the end of the batch (see #read); the others for their timer. The time is read
      // here, where the timer is set: read before a request awaited above, the rest of the delay would come out longer.
      const left = match.dueAt.getTime() - this.#deps.clock.now().getTime();
      const timer = left <= 0 ? undefined : this.#deps.timers.setTimeout(() => void this.#enqueue(() => this.#due(match.idempotencyKey)), left);
      this.#pending.set(match.idempotencyKey, { match, occasion, before, timer });
    }
  }

  /**
   * An event of an incident with runs waiting for their delay: each whose conditions no longer hold (the incident
   * resolved, say) is dropped, so that they must keep holding through the delay, not only at its end.
   */
  async #recheck(event: TriggerSourceEvent, incidentOf: (id: string) => Promise<TriggerIncident | undefined>): Promise<void> {
    if (event.kind === "region.reconnected") {
      // The region agrees with the others again: its isolation's waiting runs are not asked for.
      for (const [key, pending] of [...this.#pending.entries()]) {
        if (pending.occasion.event !== "region.isolated" || pending.occasion.region !== event.subject) continue;
        if (pending.timer !== undefined) this.#deps.timers.clearTimeout(pending.timer);
        this.#pending.delete(key);
        this.#deps.logger.info({ action: pending.match.actionId, key, region: event.subject, by: event.id }, "a region reconnected during its isolation trigger's delay: no run");
      }
      return;
    }
    const incidentId = event.kind.startsWith("incident.") ? event.subject : null;
    if (incidentId === null) return;
    const waiting = [...this.#pending.entries()].filter(([, p]) => p.match.incidentId === incidentId);
    if (waiting.length === 0) return;
    const now = await incidentOf(incidentId);
    // The status the event moved it to (read late, the incident may have moved on: resolved, then reopened).
    const status = event.data["status"];
    const incident = now !== undefined && typeof status === "string" ? { ...now, status } : now;
    for (const [key, pending] of waiting) {
      if (this.#holds(pending, incident)) continue;
      if (pending.timer !== undefined) this.#deps.timers.clearTimeout(pending.timer);
      this.#pending.delete(key);
      this.#deps.logger.info({ action: pending.match.actionId, key, event: pending.match.reason.event, by: event.id }, "a trigger's conditions stopped holding during its delay: no run");
    }
  }

  /** Whether a waiting run's trigger (as configured now) still holds for the incident as it is now. */
  #holds(pending: Pending, incident: TriggerIncident | undefined): boolean {
    const trigger = this.#deps.config().actions.definitions.find((a) => a.id === pending.match.actionId)?.on?.[pending.match.trigger];
    return trigger !== undefined && trigger.event === pending.occasion.event && conditionsHold(trigger, pending.occasion, incident) !== null;
  }

  /** A delay is over: asks for the run if the trigger's conditions still hold, with the incident as it is now. */
  async #due(key: string): Promise<void> {
    const pending = this.#pending.get(key);
    if (pending === undefined) return;
    if (pending.timer !== undefined) this.#deps.timers.clearTimeout(pending.timer);
    const { match } = pending;
    const incident = match.incidentId === null ? undefined : await this.#incident(match.incidentId);
    if (this.#holds(pending, incident)) await this.#request(match, incident !== undefined);
    else this.#deps.logger.info({ action: match.actionId, key, event: match.reason.event }, "a trigger's conditions no longer hold after its delay: no run");
    this.#pending.delete(key);
    await this.#saveCursor();
  }

  async #request(match: TriggerMatch, withIncident: boolean): Promise<void> {
    const run = await requestRun(this.#deps, {
      actionId: match.actionId,
      incidentId: withIncident ? match.incidentId : null,
      actor: "system",
      idempotencyKey: match.idempotencyKey,
      reason: { ...match.reason, ...(match.componentIds.length > 0 ? { components: match.componentIds } : {}) },
      ...(match.window !== null ? { params: { window: match.window } } : {}),
    });
    this.#deps.logger.info({ action: match.actionId, run: run.id, key: match.idempotencyKey, event: match.reason.event }, "an action trigger asked for a run");
    this.#deps.onRequested?.();
  }

  async #incident(id: string): Promise<TriggerIncident | undefined> {
    return this.#deps.store.incidents.get(id);
  }

  /** Stores the cursor: the last event read, or before the oldest event whose delay still runs. */
  async #saveCursor(): Promise<void> {
    let cursor = this.#readAfter;
    for (const pending of this.#pending.values()) if (BigInt(pending.before) < BigInt(cursor)) cursor = pending.before;
    if (cursor === this.#stored) return;
    await this.#deps.store.outbox.setCursor(triggersCursor, cursor, this.#deps.clock.now());
    this.#stored = cursor;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.timers.setTimeout(() => void this.changed().then(() => this.#schedule()), pollMs);
  }
}
