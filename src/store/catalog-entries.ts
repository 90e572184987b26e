import { and, asc, eq } from "drizzle-orm";
import type { Db } from "./db.ts";
import { catalogEntries } from "./schema.ts";
import type { Store } from "./types.ts";

/** Queries over the components and monitors kept in the database. */
export function catalogEntryQueries(db: Db): Store["catalogEntries"] {
  const key = (kind: "component" | "monitor", id: string) => and(eq(catalogEntries.kind, kind), eq(catalogEntries.id, id));
  return {
    list: () => db.select().from(catalogEntries).orderBy(asc(catalogEntries.kind), asc(catalogEntries.createdAt), asc(catalogEntries.id)),
    async get(kind, id) {
      const rows = await db.select().from(catalogEntries).where(key(kind, id));
      return rows[0];
    },
    async create(row) {
      await db.insert(catalogEntries).values(row);
    },
    async update(kind, id, entry, at, actor) {
      const rows = await db.update(catalogEntries).set({ entry, updatedAt: at, updatedBy: actor }).where(key(kind, id)).returning();
      return rows[0];
    },
    async remove(kind, id) {
      const rows = await db.delete(catalogEntries).where(key(kind, id)).returning({ id: catalogEntries.id });
      return rows.length > 0;
    },
  };
}
