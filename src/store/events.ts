import { and, asc, desc, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import { AppError } from "../core/errors.ts";
import type { Db } from "./db.ts";
import { pruneBatch } from "./batches.ts";
import { rowsOf } from "./raw.ts";
import { closedStatuses } from "./incidents.ts";
import { events } from "./schema.ts";
import type { EventListOptions, NewEvent, Store, StoredEvent } from "./types.ts";

/** The kind of the events outage windows are computed from. */
export const statusChangeKind = "component.status_changed";

/** An event row as a raw query returns it (ids and times as the driver gives them). */
interface RawEvent {
  id: string | bigint;
  at: Date | string;
  kind: string;
  subject: string | null;
  actor: string;
  data: Record<string, unknown>;
}

function fromRaw(r: RawEvent): StoredEvent {
  return { id: String(r.id), at: r.at instanceof Date ? r.at : new Date(r.at), kind: r.kind, subject: r.subject, actor: r.actor, data: r.data };
}


/** The page size when the caller gives none, and the largest one allowed: a timeline grows without bound. */
export const defaultEventLimit = 1000;
export const maxEventLimit = 10_000;

const maxBigint = 2n ** 63n - 1n;


/** The statuses in which a component is impaired: a status change to one of them opens (or continues) an outage window. */
const impairedStatuses = ["degraded_performance", "partial_outage", "major_outage"];

/**
 * Whether the event `e` may go, for a cutoff `before` (see `prune` in src/store/types.ts for the rules). Each rule keeps
 * what a reader of the timeline still needs:
 * - an incident's timeline goes as a whole, once the incident was resolved before the cutoff;
 * - the events of an action run that is not over stay (a ramp reads its steps back from them);
 * - a component's status changes stay from the last one before the cutoff that left it unimpaired: the outage window in
 *   progress at the cutoff keeps its opening, and `latestPerSubject` and `statusChanges` read what they read before;
 * - the newest event of each kind for each subject stays, however old (`latestPerSubject`, "the last monitor.up");
 * - nothing after a stored cursor's position goes (a reader that has not processed it yet).
 */
function prunable(before: Date): SQL {
  const cutoff = sql`${before.toISOString()}::timestamptz`;
  const closed = sql.join(closedStatuses.map((s) => sql`${s}`), sql`, `);
  const impaired = sql.join(impairedStatuses.map((s) => sql`${s}`), sql`, `);
  return sql`e.at < ${cutoff}
    and e.id <= coalesce((select min(c.event_id) from cursors c), ${maxBigint})
    and case
      when exists (select 1 from incidents i where i.id = e.subject)
        then exists (select 1 from incidents i where i.id = e.subject and i.status in (${closed}) and i.resolved_at < ${cutoff})
      when exists (select 1 from action_runs r where r.id = e.subject and r.status in ('waiting_approval', 'pending', 'running'))
        then false
      when e.kind = ${statusChangeKind}
        then exists (select 1 from events u where u.subject = e.subject and u.kind = e.kind and u.id > e.id and u.at < ${cutoff}
          and coalesce(u.data->>'to', '') not in (${impaired}))
      else e.subject is null or exists (select 1 from events n where n.subject = e.subject and n.at >= e.at and n.kind = e.kind and n.id > e.id)
    end`;
}

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
    async statusChanges(query) {
      // Per component: after the last change before `from` that left it unimpaired (so the first change read opens the
      // window in progress at `from`), up to the first change at or after `to` that leaves it unimpaired (so a window
      // in progress at `to` is read to its end). Without `from` from the beginning, without `to` to the end.
      const ids = query.componentIds === undefined ? null : [...query.componentIds];
      if (ids !== null && ids.length === 0) return [];
      const subjectFilter = ids === null ? sql`true` : sql`subject in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`;
      const unimpaired = sql`coalesce(data->>'to', '') not in ('degraded_performance', 'partial_outage', 'major_outage')`;
      const lower = query.from === undefined ? sql`select null::text as subject, null::bigint as id where false` : sql`select subject, max(id) as id from sc where at < ${query.from} and ${unimpaired} group by subject`;
      const upper = query.to === undefined ? sql`select null::text as subject, null::bigint as id where false` : sql`select subject, min(id) as id from sc where at >= ${query.to} and ${unimpaired} group by subject`;
      const rows = await db.execute(sql`
        with sc as (select id, at, kind, subject, actor, data from events where kind = ${statusChangeKind} and ${subjectFilter}),
        lo as (${lower}),
        hi as (${upper})
        select sc.id, sc.at, sc.kind, sc.subject, sc.actor, sc.data from sc
          left join lo on lo.subject = sc.subject
          left join hi on hi.subject = sc.subject
        where sc.id > coalesce(lo.id, 0)
          and (${query.to === undefined ? sql`true` : sql`sc.at < ${query.to} or sc.id <= hi.id`})
        order by sc.id`);
      return rowsOf<RawEvent>(rows).map(fromRaw);
    },
    async statusChangesSince(from, componentIds) {
      const ids = [...new Set(componentIds)];
      if (ids.length === 0) return [];
      // The change in force at `from`, one per component, each read backwards on (subject, at); then the changes since.
      const [inForce, since] = await Promise.all([
        db.execute(sql`
          select e.id, e.at, e.kind, e.subject, e.actor, e.data
          from (values ${sql.join(ids.map((id) => sql`(${id}::text)`), sql`, `)}) as c(id)
          cross join lateral (
            select id, at, kind, subject, actor, data from events
            where subject = c.id and kind = ${statusChangeKind} and at < ${from}
            order by at desc, id desc limit 1
          ) e`),
        db.execute(sql`select id, at, kind, subject, actor, data from events where kind = ${statusChangeKind} and at >= ${from} and subject in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`),
      ]);
      return [...rowsOf<RawEvent>(inForce), ...rowsOf<RawEvent>(since)].map(fromRaw).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    },
    async latestPerSubject(kind) {
      const rows = await db.execute(sql`select distinct on (subject) id, at, kind, subject, actor, data from events where kind = ${kind} and subject is not null order by subject, id desc`);
      return rowsOf<RawEvent>(rows).map(fromRaw).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    },
    async prune(before, batch = pruneBatch) {
      // Oldest first, `batch` rows looked at per statement (a short transaction each: the embedded store runs on the main
      // thread), each starting after the last one looked at, so that the work of a statement is bounded however many of
      // its rows are kept, and kept rows are not read again.
      const cutoff = sql`${before.toISOString()}::timestamptz`;
      let deleted = 0;
      let after: { at: string; id: string } | undefined;
      for (;;) {
        const from = after === undefined ? sql`` : sql`and (at, id) > (${after.at}::timestamptz, ${after.id}::bigint)`;
        const [row] = rowsOf<{ deleted: string | number; seen: string | number; last_at: Date | string | null; last_id: string | bigint | null }>(
          await db.execute(sql`
            with w as materialized (select id, at from events where at < ${cutoff} ${from} order by at, id limit ${batch}),
            d as (delete from events where id in (select e.id from events e join w on w.id = e.id where ${prunable(before)}) returning id),
            l as (select at, id from w order by at desc, id desc limit 1)
            select (select count(*) from d) as deleted, (select count(*) from w) as seen, (select to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') from l) as last_at, (select id from l) as last_id`),
        );
        deleted += Number(row?.deleted ?? 0);
        if (row === undefined || Number(row.seen) < batch || row.last_at === null || row.last_id === null) return deleted;
        after = { at: String(row.last_at), id: String(row.last_id) };
        // Let the rest of the process run between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
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
  if (options.exceptKindPrefix !== undefined) where.push(sql`not starts_with(${events.kind}, ${options.exceptKindPrefix})`);
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
