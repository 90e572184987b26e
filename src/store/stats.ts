import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { rowsOf } from "./raw.ts";
import type { Store, TableStats } from "./types.ts";

/**
 * The tables whose rows are deleted or rewritten all the time: results and rollups (a rollup is recomputed every round of
 * its bucket, each time leaving its old row dead), and what retention deletes.
 */
export const churningTables = ["check_results", "check_rollups", "events", "deliveries", "notification_messages", "monitor_states"] as const;

/** Table sizes over `db`, read from the catalog (cheap: no table is scanned), and their upkeep. */
export function statsQueries(db: Db): Store["stats"] {
  return {
    async vacuum() {
      // One table a statement (VACUUM runs outside a transaction), with the rest of the process let run between them.
      for (const table of churningTables) {
        await db.execute(sql`VACUUM (ANALYZE) ${sql.identifier(table)}`);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
    async tables() {
      // pg_total_relation_size counts the table with its indexes and TOAST. Rows: the cumulative statistics' live rows,
      // kept by every insert and delete (PGlite too, which has no autovacuum to refresh reltuples), else the planner's.
      const rows = rowsOf<{ name: string; bytes: string | number | bigint; live: string | number | bigint | null; reltuples: number | string }>(
        await db.execute(sql`
          select c.relname as name, pg_total_relation_size(c.oid) as bytes, s.n_live_tup as live, c.reltuples
          from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
          left join pg_stat_user_tables s on s.relid = c.oid
          where c.relkind = 'r' and n.nspname = current_schema()
          order by c.relname`),
      );
      return rows.map((r): TableStats => {
        const estimate = r.live !== null ? Number(r.live) : Number(r.reltuples);
        return { name: r.name, bytes: Number(r.bytes), rows: estimate >= 0 ? estimate : null };
      });
    },
  };
}
