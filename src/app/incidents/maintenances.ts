import { randomBytes } from "node:crypto";
import { AppError } from "../../core/errors.ts";
import type { MaintenanceConfig } from "../../config/index.ts";
import { maintenanceStep, manualMaintenanceMove, validateWindow, type MaintenanceStatus } from "../../incidents/maintenance.ts";
import type { MaintenanceRow } from "../../store/types.ts";
import type { EngineContext } from "./context.ts";

/** A new maintenance from the API. */
export interface NewMaintenanceInput {
  name: string;
  body?: string;
  componentIds: string[];
  scheduledFor: Date;
  scheduledUntil: Date;
}

/** A maintenance's text when it is given none. */
const defaultMaintenanceBody = "Scheduled maintenance is in progress.";

/** A person's edit of a maintenance: the fields given change, the others stay. */
export interface MaintenanceEdit {
  name?: string;
  /** null: back to the default text. */
  body?: string | null;
  componentIds?: string[];
  scheduledFor?: Date;
  scheduledUntil?: Date;
}

/**
 * Scheduled maintenance: declared in the config (synced on start and reload) or through the API,
 * moved scheduled → in_progress → verifying → completed by the clock and the components' health.
 * While one is in progress its components are under maintenance and their failures open no incident.
 */
export class MaintenanceRunner {
  readonly #ctx: EngineContext;
  /** Maintenances not yet completed or cancelled. */
  readonly #live = new Map<string, MaintenanceRow>();

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  async load(): Promise<void> {
    for (const row of await this.#ctx.deps.store.maintenances.list({ statuses: ["scheduled", "in_progress", "verifying"] })) {
      if (row.cancelledAt === null) this.#live.set(row.id, row);
    }
    this.#refresh();
  }

  /** Makes the stored config-declared maintenances match the file: new ones created, not-yet-started ones updated, removed ones cancelled. */
  async sync(declared: readonly MaintenanceConfig[]): Promise<void> {
    const { store } = this.#ctx.deps;
    const now = this.#ctx.deps.clock.now();
    const ids = new Set(declared.map((m) => m.id));
    for (const m of declared) {
      const fields = { name: m.name, body: m.body, componentIds: [...m.components], scheduledFor: m.starts_at, scheduledUntil: m.ends_at };
      const existing = await store.maintenances.get(m.id);
      if (existing === undefined) {
        const row: MaintenanceRow = { id: m.id, ...fields, status: "scheduled", source: "config", startedAt: null, completedAt: null, cancelledAt: null, createdAt: now, updatedAt: now };
        await store.transaction(async (tx) => {
          await tx.maintenances.create(row);
          await tx.events.append({ at: now, kind: "maintenance.scheduled", subject: row.id, actor: "system", data: eventData(row) });
        });
        this.#live.set(row.id, row);
      } else if (existing.source === "config" && existing.status === "scheduled" && changed(existing, fields)) {
        const row = await store.maintenances.update(m.id, { ...fields, cancelledAt: null, updatedAt: now });
        await store.events.append({ at: now, kind: "maintenance.rescheduled", subject: row.id, actor: "system", data: eventData(row) });
        this.#live.set(row.id, row);
      }
    }
    for (const row of [...this.#live.values()]) {
      if (row.source === "config" && !ids.has(row.id) && row.status === "scheduled") await this.cancel(row.id, "system");
    }
  }

  /** Moves every live maintenance as far as the clock and health allow. */
  async step(): Promise<void> {
    const now = this.#ctx.deps.clock.now();
    let moved = false;
    for (const row of [...this.#live.values()]) {
      const statuses = this.#ctx.statuses();
      const healthy = row.componentIds.every((id) => (statuses[id] ?? "operational") === "operational");
      const move = maintenanceStep({ ...row, status: row.status as MaintenanceStatus }, now, healthy);
      if (!move) continue;
      await this.#move(row, move.to, "system", now, move.reason);
      moved = true;
    }
    if (moved) await this.#ctx.recordStatusChanges(now, null);
  }

  async create(input: NewMaintenanceInput, actor: string): Promise<MaintenanceRow> {
    const problem = validateWindow(input.scheduledFor, input.scheduledUntil);
    if (problem) throw new AppError("validation_failed", `scheduled_until: ${problem}`);
    this.#checkComponents(input.componentIds);
    const now = this.#ctx.deps.clock.now();
    const row: MaintenanceRow = {
      id: `mnt_${randomBytes(8).toString("hex")}`,
      name: input.name,
      body: input.body ?? defaultMaintenanceBody,
      componentIds: [...input.componentIds],
      scheduledFor: input.scheduledFor,
      scheduledUntil: input.scheduledUntil,
      status: "scheduled",
      source: "api",
      startedAt: null,
      completedAt: null,
      cancelledAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.#ctx.deps.store.transaction(async (tx) => {
      await tx.maintenances.create(row);
      await tx.events.append({ at: now, kind: "maintenance.scheduled", subject: row.id, actor, data: eventData(row) });
    });
    this.#live.set(row.id, row);
    await this.step();
    return this.#live.get(row.id) ?? row;
  }

  /** AppError not_found naming the first of `ids` that is no component. */
  #checkComponents(ids: readonly string[]): void {
    for (const id of ids) if (!this.#ctx.graph.part.has(id)) throw new AppError("not_found", `components: no component has the id "${id}"`);
  }

  /**
   * A person's edit of a maintenance not yet completed or cancelled: any of its name, body, components and times, checked
   * as at creation. The clock then moves it by its new times at once (moved earlier than now, it starts now), and its
   * components' statuses follow the new list while it is in progress. A maintenance declared in the configuration is
   * edited there (the file would undo an edit made here).
   */
  async edit(id: string, input: MaintenanceEdit, actor: string): Promise<MaintenanceRow> {
    const row = await this.#get(id);
    if (row.cancelledAt !== null || row.status === "completed") {
      throw new AppError("conflict", `maintenance ${id} is ${row.cancelledAt ? "cancelled" : "completed"}: a completed or cancelled maintenance cannot be edited`);
    }
    if (row.source === "config") throw new AppError("conflict", `maintenance ${id} is declared in the configuration file: edit it there`);
    const fields = {
      name: input.name ?? row.name,
      body: input.body === null ? defaultMaintenanceBody : (input.body ?? row.body),
      componentIds: input.componentIds ? [...input.componentIds] : row.componentIds,
      scheduledFor: input.scheduledFor ?? row.scheduledFor,
      scheduledUntil: input.scheduledUntil ?? row.scheduledUntil,
    };
    const problem = validateWindow(fields.scheduledFor, fields.scheduledUntil);
    if (problem) throw new AppError("validation_failed", `${input.scheduledUntil ? "scheduled_until" : "scheduled_for"}: ${problem}`);
    this.#checkComponents(input.componentIds ?? []);
    if (!changed(row, fields)) return row;
    const now = this.#ctx.deps.clock.now();
    const updated = await this.#ctx.deps.store.transaction(async (tx) => {
      const next = await tx.maintenances.update(id, { ...fields, updatedAt: now });
      await tx.events.append({ at: now, kind: "maintenance.rescheduled", subject: id, actor, data: eventData(next) });
      return next;
    });
    this.#live.set(id, updated);
    this.#refresh();
    await this.#ctx.recordStatusChanges(now, null);
    await this.step();
    return this.#get(id);
  }

  /** A person's move (start early, verify, complete); refused moves are a conflict naming both statuses. */
  async moveTo(id: string, to: MaintenanceStatus, actor: string): Promise<MaintenanceRow> {
    const row = await this.#get(id);
    const problem = manualMaintenanceMove(row.status as MaintenanceStatus, to);
    if (problem) throw new AppError("conflict", problem);
    const now = this.#ctx.deps.clock.now();
    const updated = await this.#move(row, to, actor, now, "moved by hand");
    await this.#ctx.recordStatusChanges(now, null);
    return updated;
  }

  /** Cancels a maintenance that has not completed; it stops affecting its components at once. */
  async cancel(id: string, actor: string): Promise<MaintenanceRow> {
    const row = await this.#get(id);
    if (row.cancelledAt !== null || row.status === "completed") throw new AppError("conflict", `maintenance ${id} is already ${row.cancelledAt ? "cancelled" : "completed"}`);
    const now = this.#ctx.deps.clock.now();
    const updated = await this.#ctx.deps.store.transaction(async (tx) => {
      const next = await tx.maintenances.update(id, { cancelledAt: now, updatedAt: now });
      await tx.events.append({ at: now, kind: "maintenance.cancelled", subject: id, actor, data: eventData(next) });
      return next;
    });
    this.#live.delete(id);
    this.#refresh();
    await this.#ctx.recordStatusChanges(now, null);
    return updated;
  }

  async #get(id: string): Promise<MaintenanceRow> {
    const row = this.#live.get(id) ?? (await this.#ctx.deps.store.maintenances.get(id));
    if (!row) throw new AppError("not_found", `no maintenance with id ${id}`);
    return row;
  }

  async #move(row: MaintenanceRow, to: MaintenanceStatus, actor: string, now: Date, reason: string): Promise<MaintenanceRow> {
    const patch: Partial<MaintenanceRow> = { status: to, updatedAt: now };
    if (to === "in_progress") patch.startedAt = now;
    if (to === "completed") patch.completedAt = now;
    const updated = await this.#ctx.deps.store.transaction(async (tx) => {
      const next = await tx.maintenances.update(row.id, patch);
      await tx.events.append({ at: now, kind: `maintenance.${to}`, subject: row.id, actor, data: { ...eventData(next), previous: row.status, reason } });
      return next;
    });
    if (to === "completed") this.#live.delete(row.id);
    else this.#live.set(row.id, updated);
    this.#refresh();
    return updated;
  }

  #refresh(): void {
    this.#ctx.maintenanceComponents = new Set([...this.#live.values()].filter((m) => m.status === "in_progress").flatMap((m) => m.componentIds));
  }
}

function changed(row: MaintenanceRow, fields: Pick<MaintenanceRow, "name" | "body" | "componentIds" | "scheduledFor" | "scheduledUntil">): boolean {
  return (
    row.name !== fields.name ||
    row.body !== fields.body ||
    row.componentIds.join() !== fields.componentIds.join() ||
    row.scheduledFor.getTime() !== fields.scheduledFor.getTime() ||
    row.scheduledUntil.getTime() !== fields.scheduledUntil.getTime()
  );
}

function eventData(row: MaintenanceRow): Record<string, unknown> {
  return { name: row.name, components: row.componentIds, scheduled_for: row.scheduledFor.toISOString(), scheduled_until: row.scheduledUntil.toISOString(), status: row.status };
}
