import { and, asc, eq, inArray } from "drizzle-orm";
import { AppError } from "../core/errors.ts";
import type { Db } from "./db.ts";
import { maintenances } from "./schema.ts";
import type { Store } from "./types.ts";

/** Scheduled-maintenance queries over `db`. */
export function maintenanceQueries(db: Db): Store["maintenances"] {
  return {
    async create(row) {
      await db.insert(maintenances).values(row);
    },
    async get(id) {
      const rows = await db.select().from(maintenances).where(eq(maintenances.id, id));
      return rows[0];
    },
    async list(options = {}) {
      const filters = [options.statuses ? inArray(maintenances.status, [...options.statuses]) : undefined, options.source ? eq(maintenances.source, options.source) : undefined];
      return db
        .select()
        .from(maintenances)
        .where(and(...filters))
        .orderBy(asc(maintenances.scheduledFor), asc(maintenances.id))
        .limit(options.limit ?? 1000);
    },
    async update(id, patch) {
      const rows = await db.update(maintenances).set(patch).where(eq(maintenances.id, id)).returning();
      const row = rows[0];
      if (!row) throw new AppError("not_found", `no maintenance with id ${id}`);
      return row;
    },
  };
}
