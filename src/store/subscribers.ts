import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { subscribers } from "./schema.ts";
import type { Store } from "./types.ts";

/** Subscriber queries over `db`. */
export function subscriberQueries(db: Db): Store["subscribers"] {
  return {
    async confirm(row) {
      // Confirming again (a second click, a new choice of components) keeps the id and the first confirmation.
      const rows = await db
        .insert(subscribers)
        .values(row)
        .onConflictDoUpdate({ target: [subscribers.kind, subscribers.address], set: { componentIds: row.componentIds } })
        .returning();
      return rows[0]!;
    },
    async get(id) {
      const rows = await db.select().from(subscribers).where(eq(subscribers.id, id));
      return rows[0];
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      return db.select().from(subscribers).where(inArray(subscribers.id, [...ids]));
    },
    async find(kind, address) {
      const rows = await db
        .select()
        .from(subscribers)
        .where(and(eq(subscribers.kind, kind), eq(subscribers.address, address)));
      return rows[0];
    },
    async list(options = {}) {
      return db
        .select()
        .from(subscribers)
        .where(and(options.kind ? eq(subscribers.kind, options.kind) : undefined, options.afterId ? gt(subscribers.id, options.afterId) : undefined))
        .orderBy(asc(subscribers.id))
        .limit(options.limit ?? 100_000);
    },
    async count() {
      const rows = await db.select({ n: sql<number>`count(*)::int` }).from(subscribers);
      return Number(rows[0]?.n ?? 0);
    },
    async remove(id) {
      const rows = await db.delete(subscribers).where(eq(subscribers.id, id)).returning({ id: subscribers.id });
      return rows.length > 0;
    },
    async importMany(rows) {
      if (rows.length === 0) return { added: 0, updated: 0 };
      let added = 0;
      for (let i = 0; i < rows.length; i += 1000) {
        const chunk = rows.slice(i, i + 1000);
        const inserted = await db
          .insert(subscribers)
          .values(chunk)
          .onConflictDoUpdate({ target: [subscribers.kind, subscribers.address], set: { componentIds: sql`excluded.component_ids` } })
          .returning({ id: subscribers.id, createdAt: subscribers.createdAt });
        // A row that already existed keeps its id, so its returned id differs from the one offered.
        const offered = new Set(chunk.map((r) => r.id));
        added += inserted.filter((r) => offered.has(r.id)).length;
      }
      return { added, updated: rows.length - added };
    },
  };
}

