import { Gauge, type Registry } from "prom-client";
import { lastRead } from "../observability/last-read.ts";
import type { TableStats } from "../store/types.ts";

/**
 * Per-table gauges on `/metrics`, read from the database's catalog (no table is scanned): each table's size on disk
 * with its indexes, and its estimated rows, to see what grows and what retention keeps. Read as the agents' gauges are:
 * a scrape never waits more than half a second for the store.
 */
export function registerStoreGauges(registry: Registry, tables: () => Promise<TableStats[]>): void {
  const read = lastRead(tables, [] as TableStats[]);
  const gauge = (name: string, help: string, value: (row: TableStats) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ["table"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await read()) {
          const v = value(row);
          if (v !== null) this.set({ table: row.name }, v);
        }
      },
    });
  gauge("vigil_store_table_bytes", "Each table of the store on disk, with its indexes and TOAST (pg_total_relation_size).", (r) => r.bytes);
  gauge("vigil_store_table_rows", "Each table's rows as the database's statistics estimate them (live rows; not counted).", (r) => r.rows);
}
