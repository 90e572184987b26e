import { asc, eq as eqId, isNull } from "drizzle-orm";
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
  };
}

/** Makes the stored catalog match `input`; removed entries are marked, never deleted, so history keeps their names. */
export async function syncCatalog(db: Db, input: CatalogInput, at: Date, actor: string): Promise<CatalogSyncResult> {
  const result: CatalogSyncResult = { added: [], changed: [], removed: [] };
  const storedComponents = new Map((await db.select().from(components)).map((r) => [r.id, toComponent(r)]));
  for (const wanted of input.components) {
    const stored = storedComponents.get(wanted.id);
    const values = { ...componentValues(wanted), updatedAt: at, removedAt: null };
    if (!stored) {
      await db.insert(components).values({ ...values, createdAt: at });
      result.added.push(`component:${wanted.id}`);
    } else if (stored.removedAt !== null || !sameComponent(stored, wanted)) {
      await db.update(components).set(values).where(eqId(components.id, wanted.id));
      result[stored.removedAt !== null ? "added" : "changed"].push(`component:${wanted.id}`);
    }
  }
  const wantedComponents = new Set(input.components.map((c) => c.id));
  for (const stored of storedComponents.values()) {
    if (stored.removedAt === null && !wantedComponents.has(stored.id)) {
      await db.update(components).set({ removedAt: at, updatedAt: at }).where(eqId(components.id, stored.id));
      result.removed.push(`component:${stored.id}`);
    }
  }

  const storedMonitors = new Map((await db.select().from(monitors)).map((r) => [r.id, toMonitor(r)]));
  for (const wanted of input.monitors) {
    const stored = storedMonitors.get(wanted.id);
    const values = { ...monitorValues(wanted), updatedAt: at, removedAt: null };
    if (!stored) {
      await db.insert(monitors).values({ ...values, createdAt: at });
      result.added.push(`monitor:${wanted.id}`);
    } else if (stored.removedAt !== null || !sameMonitor(stored, wanted)) {
      await db.update(monitors).set(values).where(eqId(monitors.id, wanted.id));
      result[stored.removedAt !== null ? "added" : "changed"].push(`monitor:${wanted.id}`);
    }
  }
  const wantedMonitors = new Set(input.monitors.map((m) => m.id));
  for (const stored of storedMonitors.values()) {
    if (stored.removedAt === null && !wantedMonitors.has(stored.id)) {
      await db.update(monitors).set({ removedAt: at, updatedAt: at }).where(eqId(monitors.id, stored.id));
      result.removed.push(`monitor:${stored.id}`);
    }
  }

  if (result.added.length + result.changed.length + result.removed.length > 0) {
    await db.insert(events).values({ at, kind: "catalog.synced", subject: null, actor, data: { ...result } });
  }
  return result;
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
