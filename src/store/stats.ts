import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { rowsOf } from "./raw.ts";
import type { Store, TableStats } from "./types.ts";

/** Table sizes over `db`, read from the catalog (cheap: no table is scanned). */
export function statsQueries(db: Db): Store["stats"] {
  return {
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
