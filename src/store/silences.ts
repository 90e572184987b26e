import { and, asc, eq, gt } from "drizzle-orm";
import type { Db } from "./db.ts";
import { silences } from "./schema.ts";
import type { Store } from "./types.ts";

/** Silence queries over `db`. */
export function silenceQueries(db: Db): Store["silences"] {
  return {
    async create(row) {
      await db.insert(silences).values(row);
    },
    async get(id) {
      const rows = await db.select().from(silences).where(eq(silences.id, id));
      return rows[0];
    },
    async list(options = {}) {
      return db
        .select()
        .from(silences)
        .where(options.endingAfter ? gt(silences.endsAt, options.endingAfter) : undefined)
        .orderBy(asc(silences.startsAt), asc(silences.id))
        .limit(options.limit ?? 1000);
    },
    async expire(id, at) {
      const rows = await db
        .update(silences)
        .set({ endsAt: at })
        .where(and(eq(silences.id, id), gt(silences.endsAt, at)))
        .returning();
      return rows[0];
    },
  };
}

