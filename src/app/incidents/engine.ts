import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { VigilConfig } from "../../config/index.ts";
import { detectionEventKinds } from "../../detection/types.ts";
import type { ComponentStatus } from "../../incidents/component-status.ts";
import type { Impact } from "../../incidents/impact.ts";
import type { MaintenanceStatus } from "../../incidents/maintenance.ts";
import type { OutageWindow, WindowQuery } from "../../incidents/windows.ts";
import type { IncidentRow, MaintenanceRow } from "../../store/types.ts";
import { step } from "./automation.ts";
import { onSignals } from "./batch.ts";
import { createIncident, editIncident, overrideComponent, personUpdate, publishIncident, publishPostmortem, savePostmortem, type NewIncidentInput, type PersonUpdateInput } from "./commands.ts";
import type { Rights } from "../../auth/authenticate.ts";
import { EngineContext, type IncidentEngineDeps } from "./context.ts";
import { MaintenanceRunner, type MaintenanceEdit, type NewMaintenanceInput } from "./maintenances.ts";
import { attributeUpstreams, loadAttributions } from "./upstream.ts";

export type { IncidentEngineDeps } from "./context.ts";

const tickMs = 5_000;
/** The engine's cursor on the timeline: the last detection event it has handled. */
export const engineCursor = "incidents";
/**
 * The most detection events handled as one batch (one correlation pass, one step, one cursor save): enough that a mass
 * failure is a few batches, few enough that a batch's writes are short and its status changes are recorded promptly.
 */
const consumeBatch = 200;

/**
 * The incident engine: detection events, read from the timeline after its own durable cursor (so an
 * event saved just before a crash is handled at the next start), go through correlation into incidents; a step every few
 * seconds runs maintenance transitions, auto-resolution, delayed publication and update reminders;
 * people's commands (open, update, publish, edit, postmortem, overrides, maintenance) go through
 * the same queue, so that every change is made one at a time, in order, against the same state.
 */
export class IncidentEngine {
  readonly #ctx: EngineContext;
  readonly #maintenance: MaintenanceRunner;
  #timer: unknown;
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;
  #cursor: string | undefined;

  constructor(deps: IncidentEngineDeps) {
    this.#ctx = new EngineContext(deps);
    this.#maintenance = new MaintenanceRunner(this.#ctx);
  }

  /** Loads the open incidents, maintenances, recorded statuses and overrides, then steps every few seconds. */
  async start(config: VigilConfig): Promise<void> {
    this.#ctx.apply(config);
    await this.#ctx.load();
    await loadAttributions(this.#ctx);
    await this.#maintenance.load();
    await this.#maintenance.sync(config.maintenances);
    await this.#maintenance.step();
    // Detection events saved while no engine ran (a crash after the monitor's state was saved) are handled now.
    await this.#run(() => this.#consume());
    this.#schedule();
  }

  /** Follows the configuration: the graph, which monitors belong to which components, the policies, declared maintenance. */
  apply(config: VigilConfig): void {
    this.#ctx.apply(config);
    void this.#run(() => this.#maintenance.sync(config.maintenances)).catch((error: unknown) => this.#ctx.deps.logger.error({ err: error }, "syncing maintenances failed"));
  }

  /** Detection events were appended to the timeline: handle them now (the periodic step reads them too). */
  detected(): Promise<void> {
    return this.#run(() => this.#consume()).catch((error: unknown) => this.#ctx.deps.logger.error({ err: error }, "incident engine failed on an event; it is read again"));
  }

  /** Runs the periodic step now (also done every 5 s). */
  step(): Promise<void> {
    return this.#run(async () => {
      await this.#consume();
      await this.#ctx.deps.refreshStatuses?.();
      await this.#maintenance.step();
      await step(this.#ctx);
      await attributeUpstreams(this.#ctx);
    }).catch((error: unknown) => this.#ctx.deps.logger.error({ err: error }, "incident step failed"));
  }

  /** An upstream's status changed: attribute open incidents to it now. */
  upstreamsChanged(): void {
    void this.#run(() => attributeUpstreams(this.#ctx)).catch((error: unknown) => this.#ctx.deps.logger.error({ err: error }, "attributing incidents to upstreams failed"));
  }

  create(input: NewIncidentInput, actor: string, rights?: Rights): Promise<IncidentRow> {
    return this.#run(() => createIncident(this.#ctx, input, actor, rights));
  }

  personUpdate(id: string, input: PersonUpdateInput, actor: string, rights?: Rights): Promise<IncidentRow> {
    return this.#run(() => personUpdate(this.#ctx, id, input, actor, rights));
  }

  edit(id: string, input: { name?: string; impact?: Impact | null }, actor: string, rights?: Rights): Promise<IncidentRow> {
    return this.#run(() => editIncident(this.#ctx, id, input, actor, rights));
  }

  publish(id: string, actor: string): Promise<IncidentRow> {
    return this.#run(() => publishIncident(this.#ctx, id, actor));
  }

  savePostmortem(id: string, body: string, actor: string, rights?: Rights): Promise<IncidentRow> {
    return this.#run(() => savePostmortem(this.#ctx, id, body, actor, rights));
  }

  /** Drafts again a resolved incident's postmortem that nobody edited or published, from its timeline as it is now. */
  redraftPostmortem(id: string): Promise<boolean> {
    return this.#run(() => this.#ctx.redraftPostmortem(id, this.#ctx.deps.clock.now()));
  }

  publishPostmortem(id: string, actor: string, options?: { force?: boolean }): Promise<IncidentRow> {
    return this.#run(() => publishPostmortem(this.#ctx, id, actor, options));
  }

  overrideComponent(id: string, status: ComponentStatus | null, actor: string): Promise<ComponentStatus> {
    return this.#run(() => overrideComponent(this.#ctx, id, status, actor));
  }

  createMaintenance(input: NewMaintenanceInput, actor: string): Promise<MaintenanceRow> {
    return this.#run(() => this.#maintenance.create(input, actor));
  }

  editMaintenance(id: string, input: MaintenanceEdit, actor: string): Promise<MaintenanceRow> {
    return this.#run(() => this.#maintenance.edit(id, input, actor));
  }

  moveMaintenance(id: string, to: MaintenanceStatus, actor: string): Promise<MaintenanceRow> {
    return this.#run(() => this.#maintenance.moveTo(id, to, actor));
  }

  cancelMaintenance(id: string, actor: string): Promise<MaintenanceRow> {
    return this.#run(() => this.#maintenance.cancel(id, actor));
  }

  /** Every component's status now, with the overrides in force. */
  componentStatuses(): { statuses: Record<string, ComponentStatus>; overridden: string[] } {
    return { statuses: this.#ctx.statuses(), overridden: Object.keys(this.#ctx.overrides) };
  }

  /** Components of maintenances in progress. */
  maintenanceComponents(): ReadonlySet<string> {
    return this.#ctx.maintenanceComponents;
  }

  /** Outage windows from the timeline. */
  windows(query: WindowQuery): Promise<OutageWindow[]> {
    return this.#ctx.windows(query);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#ctx.deps.timers.clearTimeout(this.#timer);
    await this.#queue;
  }

  /**
   * Handles the detection events after the cursor in batches of at most `consumeBatch`, in order: each batch goes
   * through one correlation pass (`onSignals`), then one step, then the cursor moves past it. The cursor is saved
   * after the batch's writes: a crash in between handles the batch again at the next start, and each event handled
   * again joins the incident it opened. The listener (`onChange`) is told as each incident opens, and after each batch.
   */
  async #consume(): Promise<void> {
    const { store, clock } = this.#ctx.deps;
    if (this.#cursor === undefined) {
      const saved = await store.outbox.cursor(engineCursor);
      if (saved === null) {
        // The first start (or the first since upgrading): history was handled, or is history.
        const [newest] = await store.events.list({ kinds: detectionEventKinds, newestFirst: true, limit: 1 });
        await store.outbox.setCursor(engineCursor, newest?.id ?? "0", clock.now());
        this.#cursor = newest?.id ?? "0";
      } else this.#cursor = saved;
    }
    for (;;) {
      const events = await store.events.list({ afterId: this.#cursor, kinds: detectionEventKinds, limit: consumeBatch });
      const last = events.at(-1);
      if (last === undefined) return;
      // The monitors' states were saved with their events: read them before correlating.
      await this.#ctx.deps.refreshStatuses?.();
      // Stopped (this node no longer leads): the rest is the next leader's; its writes would be refused anyway.
      const done = await onSignals(this.#ctx, events, {
        stopped: () => this.#stopped,
        // Told as each incident opens, not once the batch is done: the notifier sends it while the rest is handled
        // (fifty monitors failing together are fifty events, and the first page should not wait for the last). The
        // engine then lets the rest of the process run (on the embedded store every query completes without leaving
        // the thread): the notifier's sends, the status page's requests, timers.
        opened: async () => {
          this.#ctx.deps.onChange?.();
          await yieldToEventLoop();
        },
      });
      if (!done) return;
      await step(this.#ctx);
      await store.outbox.setCursor(engineCursor, last.id, clock.now());
      this.#cursor = last.id;
      this.#ctx.deps.onChange?.();
      if (events.length < consumeBatch) return;
      await yieldToEventLoop();
    }
  }

  /** Runs `fn` after everything queued before it; its failure goes to the caller, never to the queue. */
  #run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(fn).finally(() => this.#ctx.deps.onChange?.());
    this.#queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#ctx.deps.timers.setTimeout(() => void this.step().then(() => this.#schedule()), tickMs);
  }
}
