import { and, asc, desc, eq, gt, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { deleteInBatches } from "./batches.ts";
import { rowsOf } from "./raw.ts";
import { checkResults, checkRollups, monitorStates } from "./schema.ts";
import type { CheckRollupRow, NewCheckResult, StoredCheckResult, Store } from "./types.ts";

/** Rollup bucket widths, as PostgreSQL's date_trunc names them. */
export const rollupBuckets = ["minute", "hour", "day"] as const;

/** Rows deleted per statement when results and rollups are pruned (narrow rows: more per statement than the timeline's). */
export const resultPruneBatch = 5_000;

/** Monitors named per rollup statement when only some are computed. */
const rollupMonitorChunk = 1_000;

/** Result rows per insert statement: well under PostgreSQL's 65,535 parameters at 8 a row. */
export const resultChunk = 2_000;

/** Check results, rollups, retention and detection state over `db`. */
export function resultQueries(db: Db): Pick<Store, "results" | "rollups" | "monitorStates"> {
  const rollups: Store["rollups"] = {
      async compute(bucket, from, to, monitorIds) {
        // Aggregated from raw results, so re-running over the same window gives the same rows.
        if (!rollupBuckets.includes(bucket)) throw new Error(`unknown rollup bucket ${String(bucket)}`);
        // Many monitors go in statements of a bounded list each.
        if (monitorIds !== undefined && monitorIds.length > rollupMonitorChunk) {
          let rows = 0;
          for (let i = 0; i < monitorIds.length; i += rollupMonitorChunk) rows += await rollups.compute(bucket, from, to, monitorIds.slice(i, i + rollupMonitorChunk));
          return rows;
        }
        // Inlined rather than bound: GROUP BY must see the same expression as the select list.
        const unit = sql.raw(`'${bucket}'`);
        const result = await db.execute(sql`
          INSERT INTO check_rollups (monitor_id, bucket, start, checks, failures, degraded, latency_p50, latency_p95)
          SELECT monitor_id, ${unit}, date_trunc(${unit}, at, 'UTC') AS start, count(*)::int,
                 count(*) FILTER (WHERE status = 'down')::int, count(*) FILTER (WHERE status = 'degraded')::int,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
          FROM check_results
          WHERE at >= ${from.toISOString()}::timestamptz AND at < ${to.toISOString()}::timestamptz
            AND ${monitorIds === undefined ? sql`true` : monitorIds.length === 0 ? sql`false` : sql`monitor_id IN (${sql.join(monitorIds.map((id) => sql`${id}`), sql`, `)})`}
          GROUP BY monitor_id, date_trunc(${unit}, at, 'UTC')
          ON CONFLICT (monitor_id, bucket, start) DO UPDATE SET checks = excluded.checks, failures = excluded.failures,
            degraded = excluded.degraded, latency_p50 = excluded.latency_p50, latency_p95 = excluded.latency_p95`);
        return affected(result);
      },
      async list(monitorId, bucket, from, to) {
        const rows = await db
          .select()
          .from(checkRollups)
          .where(and(eq(checkRollups.monitorId, monitorId), eq(checkRollups.bucket, bucket), gte(checkRollups.start, from), lt(checkRollups.start, to)))
          .orderBy(asc(checkRollups.start));
        return rows.map(toRollup);
      },
      async prune(before, batch = resultPruneBatch) {
        let deleted = 0;
        // Per bucket, so that each statement finds its rows through (bucket, start).
        for (const bucket of rollupBuckets) {
          const cutoff = before instanceof Date ? before : before[bucket];
          deleted += await deleteInBatches(
            db,
            sql`DELETE FROM check_rollups WHERE ctid IN (SELECT ctid FROM check_rollups WHERE bucket = ${bucket} AND start < ${cutoff.toISOString()}::timestamptz LIMIT ${batch}) RETURNING 1`,
            batch,
          );
        }
        return deleted;
      },
    };
  return {
    results: {
      async insertMany(rows) {
        // A statement takes at most 65,535 parameters (8 a row): larger batches go in chunks.
        for (let i = 0; i < rows.length; i += resultChunk) {
          await db.insert(checkResults).values(rows.slice(i, i + resultChunk).map(resultValues));
        }
      },
      async list(monitorId, options) {
        const where = [eq(checkResults.monitorId, monitorId)];
        if (options.from) where.push(gte(checkResults.at, options.from));
        if (options.to) where.push(lt(checkResults.at, options.to));
        const rows = await db
          .select()
          .from(checkResults)
          .where(and(...where))
          .orderBy(desc(checkResults.at), desc(checkResults.id))
          .limit(options.limit);
        return rows.map(toResult);
      },
      async lateSince(afterId, before) {
        const after = /^\d{1,19}$/.test(afterId) ? afterId : "0";
        const [top] = rowsOf<{ id: string | null }>(await db.execute(sql`SELECT max(id)::text AS id FROM check_results`));
        const upToId = top?.id ?? "0";
        if (BigInt(upToId) <= BigInt(after)) return { upToId, buckets: [] };
        const rows = rowsOf<{ monitor_id: string; minute: Date | string }>(
          await db.execute(sql`
            SELECT DISTINCT monitor_id, date_trunc('minute', at, 'UTC') AS minute FROM check_results
            WHERE id > ${after}::bigint AND id <= ${upToId}::bigint AND at < ${before.toISOString()}::timestamptz
            ORDER BY minute, monitor_id`),
        );
        return { upToId, buckets: rows.map((r) => ({ monitorId: r.monitor_id, minute: r.minute instanceof Date ? r.minute : new Date(r.minute) })) };
      },
      async prune(before, batch = resultPruneBatch) {
        // In bounded statements, each a short transaction (one DELETE of millions of rows would hold the embedded store): an hour of
        // 20,000 monitors is over two million rows.
        return deleteInBatches(db, sql`DELETE FROM check_results WHERE id IN (SELECT id FROM check_results WHERE at < ${before.toISOString()}::timestamptz LIMIT ${batch}) RETURNING 1`, batch);
      },
    },
    rollups,
    monitorStates: {
      async load(options = {}) {
        const rows = await db
          .select()
          .from(monitorStates)
          .where(
            and(
              options.updatedSince === undefined ? undefined : gt(monitorStates.updatedAt, options.updatedSince),
              options.monitorIds === undefined ? undefined : inArray(monitorStates.monitorId, [...options.monitorIds]),
            ),
          );
        return rows.map((r) => ({ monitorId: r.monitorId, status: r.status, state: r.state, updatedAt: r.updatedAt }));
      },
      async save(rows) {
        if (rows.length === 0) return;
        // Few statements for the whole batch (a flush at shutdown carries every monitor's state), each under the parameter limit.
        for (let i = 0; i < rows.length; i += resultChunk) {
          await db
            .insert(monitorStates)
            .values(rows.slice(i, i + resultChunk))
            .onConflictDoUpdate({
              target: monitorStates.monitorId,
              set: { status: sql`excluded.status`, state: sql`excluded.state`, updatedAt: sql`excluded.updated_at` },
            });
        }
      },
    },
  };
}

/** The rows a statement changed: node-postgres says `rowCount`, PGlite `affectedRows`. */
function affected(result: unknown): number {
  const r = result as { rowCount?: number | null; affectedRows?: number };
  return Number(r.rowCount ?? r.affectedRows ?? 0);
}

/** A result's columns, as every writer of `check_results` stores them. */
export function resultValues(r: NewCheckResult): Omit<typeof checkResults.$inferInsert, "id"> {
  return {
    monitorId: r.monitorId,
    region: r.region,
    at: r.at,
    status: r.status,
    latencyMs: r.latencyMs,
    facts: r.facts,
    errorKind: r.error?.kind ?? null,
    errorMessage: r.error?.message ?? null,
  };
}

/** A stored result as read back, whoever wrote it. */
export function toResult(row: typeof checkResults.$inferSelect): StoredCheckResult {
  return {
    id: row.id.toString(),
    monitorId: row.monitorId,
    region: row.region,
    at: row.at,
    status: row.status,
    latencyMs: row.latencyMs,
    facts: row.facts,
    error: row.errorKind === null ? null : { kind: row.errorKind, message: row.errorMessage ?? "" },
  };
}

function toRollup(row: typeof checkRollups.$inferSelect): CheckRollupRow {
  return { ...row };
}
