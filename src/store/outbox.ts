import { and, asc, desc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { AppError } from "../core/errors.ts";
import type { Db } from "./db.ts";
import { closedStatuses } from "./incidents.ts";
import { deleteInBatches, pruneBatch } from "./batches.ts";
import { rowsOf } from "./raw.ts";
import { cursors, deliveries, notificationMessages } from "./schema.ts";
import type { DeliveryRow, FanoutCount, NewDelivery, Store } from "./types.ts";

type Stored = typeof deliveries.$inferSelect;

/** The columns read back: a shared message comes from its table. */
const columns = {
  id: deliveries.id,
  eventId: deliveries.eventId,
  destination: deliveries.destination,
  idempotencyKey: deliveries.idempotencyKey,
  orderKey: deliveries.orderKey,
  status: deliveries.status,
  attempts: deliveries.attempts,
  nextAttemptAt: deliveries.nextAttemptAt,
  lastError: deliveries.lastError,
  message: sql<Record<string, unknown>>`coalesce(${deliveries.message}, ${notificationMessages.body})`,
  messageId: deliveries.messageId,
  createdAt: deliveries.createdAt,
  updatedAt: deliveries.updatedAt,
  deliveredAt: deliveries.deliveredAt,
};

function toRow(row: Omit<Stored, "message"> & { message: Record<string, unknown> }): DeliveryRow {
  return { ...row, id: row.id.toString(), eventId: row.eventId.toString() };
}

/** A delivery's own message, or the id of the shared one. */
function messageColumns(message: NewDelivery["message"]): { message: Record<string, unknown> | null; messageId: string | null } {
  return typeof message["shared"] === "string" && Object.keys(message).length === 1 ? { message: null, messageId: message["shared"] } : { message, messageId: null };
}

/** The destinations of subscriber deliveries are `subscriber:<id>`: a fan-out's rows are counted by the subscriber's kind. */
const subscriberPrefix = "subscriber:";

/** A fan-out's counted rows as the raw query returns them. */
interface RawFanoutCount {
  kind: string | null;
  status: FanoutCount["status"];
  failed: boolean;
  count: string | number;
  first_delivered_at: Date | string | null;
  last_delivered_at: Date | string | null;
}

const dateOf = (value: Date | string | null): Date | null => (value === null ? null : value instanceof Date ? value : new Date(value));

/** Whether `id` can name a delivery (a bigint): anything else names none. */
const isDeliveryId = (id: string) => /^\d{1,18}$/.test(id);

/** Outbox queries over `db`: dispatch cursors and deliveries. */
export function outboxQueries(db: Db): Store["outbox"] {
  const get = async (id: string): Promise<DeliveryRow | undefined> => {
    if (!isDeliveryId(id)) return undefined;
    const rows = await db.select(columns).from(deliveries).leftJoin(notificationMessages, eq(notificationMessages.id, deliveries.messageId)).where(eq(deliveries.id, BigInt(id)));
    return rows[0] ? toRow(rows[0]) : undefined;
  };
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
    async enqueue(rows, shared = []) {
      if (shared.length > 0) {
        await db
          .insert(notificationMessages)
          .values(shared.map((m) => ({ id: m.id, body: m.body, createdAt: new Date() })))
          .onConflictDoNothing({ target: notificationMessages.id });
      }
      let added = 0;
      // In chunks: a statement carries at most 65,535 parameters, and a fan-out to every subscriber is many rows.
      for (let i = 0; i < rows.length; i += 1000) {
        const inserted = await db
          .insert(deliveries)
          .values(rows.slice(i, i + 1000).map((r: NewDelivery) => ({ ...r, ...messageColumns(r.message), eventId: BigInt(r.eventId), status: r.status ?? "pending", attempts: 0, updatedAt: r.createdAt })))
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
        .select(columns)
        .from(deliveries)
        .leftJoin(notificationMessages, eq(notificationMessages.id, deliveries.messageId))
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
      const rows = await db.update(deliveries).set(patch).where(eq(deliveries.id, BigInt(id))).returning({ id: deliveries.id });
      const row = rows[0] ? await get(id) : undefined;
      if (!row) throw new AppError("not_found", `no delivery with id ${id}`);
      return row;
    },
    get,
    async retry(id, at) {
      // One conditional statement: of two retries at once, one moves the row and the other finds it pending.
      const moved = isDeliveryId(id)
        ? await db
            .update(deliveries)
            .set({ status: "pending", attempts: 0, nextAttemptAt: at, updatedAt: at })
            .where(and(eq(deliveries.id, BigInt(id)), eq(deliveries.status, "dead")))
            .returning({ id: deliveries.id })
        : [];
      const row = await get(id);
      if (!row) throw new AppError("not_found", `no delivery with id ${id}`);
      if (moved.length === 0) throw new AppError("conflict", `delivery ${id} is ${row.status}: only a dead (given up) delivery can be retried`);
      return row;
    },
    async openFanouts() {
      const result = await db.execute(sql`
        select m.id, (select d.event_id from deliveries d where d.message_id = m.id limit 1) as event_id
        from notification_messages m
        where m.summarized_at is null
        order by m.created_at, m.id`);
      return rowsOf<{ id: string; event_id: string | bigint | number | null }>(result).flatMap((r) => (r.event_id === null ? [] : [{ messageId: r.id, eventId: String(r.event_id) }]));
    },
    async summarizedFanouts(messageIds) {
      if (messageIds.length === 0) return new Set();
      const rows = await db
        .select({ id: notificationMessages.id })
        .from(notificationMessages)
        .where(and(inArray(notificationMessages.id, [...messageIds]), isNotNull(notificationMessages.summarizedAt)));
      return new Set(rows.map((r) => r.id));
    },
    async fanoutUnattempted(messageId) {
      // Walks deliveries_unattempted_idx (one entry per row still waiting for its first attempt); each one found is
      // checked against the pending rows of its order key (deliveries_pending_order_idx).
      const result = await db.execute(sql`
        select 1 from deliveries d
        where d.message_id = ${messageId} and d.status = 'pending' and d.attempts = 0 and d.message_id is not null
          and not exists (select 1 from deliveries earlier where earlier.order_key = d.order_key and earlier.status = 'pending' and earlier.event_id < d.event_id and earlier.attempts > 0)
        limit 1`);
      return rowsOf(result).length > 0;
    },
    async fanoutCounts(messageId) {
      const result = await db.execute(sql`
        select s.kind, d.status,
               (case when d.status = 'delivered' then d.attempts > 1 else d.attempts > 0 end) as failed,
               count(*) as count, min(d.delivered_at) as first_delivered_at, max(d.delivered_at) as last_delivered_at
        from deliveries d
        left join subscribers s on s.id = substr(d.destination, ${subscriberPrefix.length + 1}) and starts_with(d.destination, ${subscriberPrefix})
        where d.message_id = ${messageId} and d.message_id is not null
        group by 1, 2, 3
        order by 1, 2, 3`);
      return rowsOf<RawFanoutCount>(result).map((r) => ({
        kind: r.kind,
        status: r.status,
        failed: r.failed,
        count: Number(r.count),
        firstDeliveredAt: dateOf(r.first_delivered_at),
        lastDeliveredAt: dateOf(r.last_delivered_at),
      }));
    },
    async markFanoutSummarized(messageId, at) {
      await db.update(notificationMessages).set({ summarizedAt: at }).where(eq(notificationMessages.id, messageId));
    },
    async prune(before, batch = pruneBatch) {
      const cutoff = sql`${before.toISOString()}::timestamptz`;
      const closed = sql.join(closedStatuses.map((s) => sql`${s}`), sql`, `);
      // Finished (delivered, dead, muted) and unchanged since the cutoff, except those about an incident still open:
      // after a restart the notifier reads the recent deliveries to know which alerts went out (inhibition).
      const finished = await deleteInBatches(
        db,
        sql`delete from deliveries where id in (
          select d.id from deliveries d
          where d.status <> 'pending' and d.updated_at < ${cutoff}
            and not exists (select 1 from incidents i where i.id = d.message->'incident'->>'id' and i.status not in (${closed}))
          limit ${batch}) returning id`,
        batch,
      );
      // Shared messages no delivery uses any more (one made just now may wait for its deliveries: only old ones go).
      const messages = await deleteInBatches(
        db,
        sql`delete from notification_messages where id in (
          select m.id from notification_messages m
          where m.created_at < ${cutoff} and not exists (select 1 from deliveries d where d.message_id = m.id)
          limit ${batch}) returning id`,
        batch,
      );
      return { deliveries: finished, messages };
    },
    async list(options = {}) {
      const rows = await db
        .select(columns)
        .from(deliveries)
        .leftJoin(notificationMessages, eq(notificationMessages.id, deliveries.messageId))
        .where(and(options.status ? eq(deliveries.status, options.status) : undefined, options.destination ? eq(deliveries.destination, options.destination) : undefined))
        .orderBy(desc(deliveries.id))
        .limit(options.limit ?? 100);
      return rows.map(toRow);
    },
  };
}
