import { and, asc, desc, eq, gt, inArray, type SQL } from "drizzle-orm";
import { AppError } from "../core/errors.ts";
import type { Db } from "./db.ts";
import { events } from "./schema.ts";
import type { EventListOptions, NewEvent, Store, StoredEvent } from "./types.ts";

/** The page size when the caller gives none, and the largest one allowed: a timeline grows without bound. */
export const defaultEventLimit = 1000;
export const maxEventLimit = 10_000;

const maxBigint = 2n ** 63n - 1n;

/** Event-timeline queries over `db`. */
export function eventQueries(db: Db): Store["events"] {
  return {
    async append(event) {
      const [row] = await db.insert(events).values(toInsert(event)).returning();
      if (row === undefined) throw new Error("insert into events returned no row");
      return toStored(row);
    },
    async appendMany(list) {
      for (let i = 0; i < list.length; i += 1000) await db.insert(events).values(list.slice(i, i + 1000).map(toInsert));
    },
    async list(options = {}) {
      const rows = await db
        .select()
        .from(events)
        .where(and(...filters(options)))
        .orderBy(options.newestFirst ? desc(events.id) : asc(events.id))
        .limit(limitOf(options.limit));
      return rows.map(toStored);
    },
  };
}

/** The row to insert for `event`, with the optional parts defaulted. */
export function toInsert(event: NewEvent): typeof events.$inferInsert {
  return { at: event.at, kind: event.kind, subject: event.subject ?? null, actor: event.actor, data: event.data ?? {} };
}

function filters(options: EventListOptions): SQL[] {
  const where: SQL[] = [];
  if (options.afterId !== undefined) {
    const after = /^\d{1,19}$/.test(options.afterId) ? BigInt(options.afterId) : -1n;
    if (after < 0n || after > maxBigint) throw new AppError("bad_request", `afterId must be an event id, got "${options.afterId}"`);
    where.push(gt(events.id, after));
  }
  if (options.kind !== undefined) where.push(eq(events.kind, options.kind));
  if (options.kinds !== undefined) where.push(inArray(events.kind, [...options.kinds]));
  if (options.subject !== undefined) where.push(eq(events.subject, options.subject));
  return where;
}

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return defaultEventLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxEventLimit) {
    throw new AppError("bad_request", `limit must be an integer from 1 to ${maxEventLimit}, got ${limit}`);
  }
  return limit;
}

function toStored(row: typeof events.$inferSelect): StoredEvent {
  return { id: row.id.toString(), at: row.at, kind: row.kind, subject: row.subject, actor: row.actor, data: row.data };
}
