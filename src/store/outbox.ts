import { and, asc, desc, eq, sql } from "drizzle-orm";
import { AppError } from "../core/errors.ts";
import type { Db } from "./db.ts";
import { cursors, deliveries } from "./schema.ts";
import type { DeliveryRow, NewDelivery, Store } from "./types.ts";

function toRow(row: typeof deliveries.$inferSelect): DeliveryRow {
  return { ...row, id: row.id.toString(), eventId: row.eventId.toString() };
}

/** Outbox queries over `db`: dispatch cursors and deliveries. */
export function outboxQueries(db: Db): Store["outbox"] {
  return {
    async cursor(name) {
      const rows = await db.select().from(cursors).where(eq(cursors.name, name));
      return rows[0]?.eventId.toString() ?? null;
    },
    async setCursor(name, eventId, at) {
      await db
        .insert(cursors)
        .values({ name, eventId: BigInt(eventId), updatedAt: at })
        .onConflictDoUpdate({ target: cursors.name, set: { eventId: BigInt(eventId), updatedAt: at } });
    },
    async enqueue(rows) {
      let added = 0;
      // In chunks: a statement carries at most 65,535 parameters, and a fan-out to every subscriber is many rows.
      for (let i = 0; i < rows.length; i += 1000) {
        const inserted = await db
          .insert(deliveries)
          .values(rows.slice(i, i + 1000).map((r: NewDelivery) => ({ ...r, eventId: BigInt(r.eventId), status: r.status ?? "pending", attempts: 0, updatedAt: r.createdAt })))
          .onConflictDoNothing({ target: deliveries.idempotencyKey })
          .returning({ id: deliveries.id });
        added += inserted.length;
      }
      // After a large fan-out the planner needs fresh statistics to walk the pending index instead of sorting the
      // whole table (PGlite has no autovacuum; on PostgreSQL it only comes sooner than autoanalyze would).
      if (added >= 500) await db.execute(sql`analyze deliveries`);
      return added;
    },
    async due(now, limit) {
      // Only the oldest pending delivery of each order key may go: a resolution never overtakes its alert.
      const rows = await db
        .select()
        .from(deliveries)
        .where(
          and(
            eq(deliveries.status, "pending"),
            sql`${deliveries.nextAttemptAt} <= ${now.toISOString()}::timestamptz`,
            sql`not exists (select 1 from deliveries earlier where earlier.order_key = ${deliveries.orderKey} and earlier.status = 'pending' and earlier.event_id < ${deliveries.eventId})`,
          ),
        )
        .orderBy(asc(deliveries.nextAttemptAt), asc(deliveries.id))
        .limit(limit);
      return rows.map(toRow);
    },
    async complete(outcomes) {
      for (let i = 0; i < outcomes.length; i += 1000) {
        const values = sql.join(
          outcomes
            .slice(i, i + 1000)
            .map(
              (o) =>
                sql`(${BigInt(o.id)}::bigint, ${o.status}::text, ${o.attempts}::int, ${o.nextAttemptAt?.toISOString() ?? null}::timestamptz, ${o.lastError}::text, ${o.updatedAt.toISOString()}::timestamptz, ${o.deliveredAt?.toISOString() ?? null}::timestamptz)`,
            ),
          sql`, `,
        );
        await db.execute(sql`
          update deliveries d
          set status = v.status, attempts = v.attempts, next_attempt_at = coalesce(v.next_attempt_at, d.next_attempt_at),
              last_error = v.last_error, updated_at = v.updated_at, delivered_at = v.delivered_at
          from (values ${values}) as v(id, status, attempts, next_attempt_at, last_error, updated_at, delivered_at)
          where d.id = v.id`);
      }
    },
    async update(id, patch) {
      const rows = await db.update(deliveries).set(patch).where(eq(deliveries.id, BigInt(id))).returning();
      const row = rows[0];
      if (!row) throw new AppError("not_found", `no delivery with id ${id}`);
      return toRow(row);
    },
    async list(options = {}) {
      const rows = await db
        .select()
        .from(deliveries)
        .where(and(options.status ? eq(deliveries.status, options.status) : undefined, options.destination ? eq(deliveries.destination, options.destination) : undefined))
        .orderBy(desc(deliveries.id))
        .limit(options.limit ?? 100);
      return rows.map(toRow);
    },
  };
}
