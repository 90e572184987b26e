import { and, asc, eq as eqId, isNull } from "drizzle-orm";
import type { Db } from "./db.ts";
import { components, events, monitors } from "./schema.ts";
import type { CatalogInput, CatalogSyncResult, ComponentRow, MonitorRow, Store } from "./types.ts";

type ComponentInput = CatalogInput["components"][number];
type MonitorInput = CatalogInput["monitors"][number];

/**
 * Catalog queries over `db`. `sync` must run inside a transaction (the store's `catalog.sync` wraps
 * it in one), so that a reload is applied whole or not at all.
 */
export function catalogQueries(db: Db): Store["catalog"] {
  return {
    sync: (input, at, actor) => syncCatalog(db, input, at, actor),
    async components(options = {}) {
      const rows = await db
        .select()
        .from(components)
        .where(options.includeRemoved ? undefined : isNull(components.removedAt))
        .orderBy(asc(components.position), asc(components.id));
      return rows.map(toComponent);
    },
    async monitors(options = {}) {
      const rows = await db
        .select()
        .from(monitors)
        .where(options.includeRemoved ? undefined : isNull(monitors.removedAt))
        .orderBy(asc(monitors.id));
      return rows.map(toMonitor);
    },
    async monitor(id) {
      const rows = await db.select().from(monitors).where(and(eqId(monitors.id, id), isNull(monitors.removedAt)));
      return rows[0] === undefined ? undefined : toMonitor(rows[0]);
    },
  };
}

/** Makes the stored catalog match `input`; removed entries are marked, never deleted, so history keeps their names. */
export async function syncCatalog(db: Db, input: CatalogInput, at: Date, actor: string): Promise<CatalogSyncResult> {
  const result: CatalogSyncResult = { added: [], changed: [], removed: [] };
  const storedComponents = (await db.select().from(components)).map(toComponent);
  await syncEntries(storedComponents, input.components, "component", result, {
    same: sameComponent,
    insert: (c) => db.insert(components).values({ ...componentValues(c), updatedAt: at, removedAt: null, createdAt: at }),
    update: (c) => db.update(components).set({ ...componentValues(c), updatedAt: at, removedAt: null }).where(eqId(components.id, c.id)),
    remove: (id) => db.update(components).set({ removedAt: at, updatedAt: at }).where(eqId(components.id, id)),
  });
  const storedMonitors = (await db.select().from(monitors)).map(toMonitor);
  await syncEntries(storedMonitors, input.monitors, "monitor", result, {
    same: sameMonitor,
    insert: (m) => db.insert(monitors).values({ ...monitorValues(m), updatedAt: at, removedAt: null, createdAt: at }),
    update: (m) => db.update(monitors).set({ ...monitorValues(m), updatedAt: at, removedAt: null }).where(eqId(monitors.id, m.id)),
    remove: (id) => db.update(monitors).set({ removedAt: at, updatedAt: at }).where(eqId(monitors.id, id)),
  });
  if (result.added.length + result.changed.length + result.removed.length > 0) {
    await db.insert(events).values({ at, kind: "catalog.synced", subject: null, actor, data: { ...result } });
  }
  return result;
}

interface EntryWriter<S, W> {
  same(stored: S, wanted: W): boolean;
  insert(wanted: W): PromiseLike<unknown>;
  update(wanted: W): PromiseLike<unknown>;
  remove(id: string): PromiseLike<unknown>;
}

/** One table's part of a sync: a returning entry counts as added, a missing one is marked removed. */
async function syncEntries<S extends { id: string; removedAt: Date | null }, W extends { id: string }>(
  stored: S[],
  wanted: W[],
  label: string,
  result: CatalogSyncResult,
  writer: EntryWriter<S, W>,
): Promise<void> {
  const byId = new Map(stored.map((s) => [s.id, s]));
  for (const entry of wanted) {
    const current = byId.get(entry.id);
    if (!current) {
      await writer.insert(entry);
      result.added.push(`${label}:${entry.id}`);
    } else if (current.removedAt !== null || !writer.same(current, entry)) {
      await writer.update(entry);
      result[current.removedAt !== null ? "added" : "changed"].push(`${label}:${entry.id}`);
    }
  }
  const wantedIds = new Set(wanted.map((w) => w.id));
  for (const current of stored) {
    if (current.removedAt === null && !wantedIds.has(current.id)) {
      await writer.remove(current.id);
      result.removed.push(`${label}:${current.id}`);
    }
  }
}

function componentValues(c: ComponentInput) {
  return {
    id: c.id,
    name: c.name,
    groupName: c.group,
    description: c.description,
    position: c.position,
    dependsOn: c.dependsOn,
    monitorIds: c.monitorIds,
    hidden: c.hidden,
  };
}

function monitorValues(m: MonitorInput) {
  return { id: m.id, type: m.type, name: m.name, intervalMs: m.intervalMs, timeoutMs: m.timeoutMs, config: m.config };
}

function sameComponent(stored: ComponentRow, wanted: ComponentInput): boolean {
  const { createdAt: _c, updatedAt: _u, removedAt: _r, ...rest } = stored;
  return canonical(rest) === canonical(wanted);
}

function sameMonitor(stored: MonitorRow, wanted: MonitorInput): boolean {
  const { createdAt: _c, updatedAt: _u, removedAt: _r, ...rest } = stored;
  return canonical(rest) === canonical(wanted);
}

/** JSON with sorted keys: jsonb does not keep key order, so compare content, not spelling. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function toComponent(row: typeof components.$inferSelect): ComponentRow {
  return {
    id: row.id,
    name: row.name,
    group: row.groupName,
    description: row.description,
    position: row.position,
    dependsOn: row.dependsOn,
    monitorIds: row.monitorIds,
    hidden: row.hidden,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    removedAt: row.removedAt,
  };
}

function toMonitor(row: typeof monitors.$inferSelect): MonitorRow {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    intervalMs: row.intervalMs,
    timeoutMs: row.timeoutMs,
    config: row.config,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    removedAt: row.removedAt,
  };
}
