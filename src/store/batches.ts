import type { SQL } from "drizzle-orm";
import type { Db } from "./db.ts";
import { rowsOf } from "./raw.ts";

/** Rows deleted per statement by `prune`: each batch is a short transaction of its own. */
export const pruneBatch = 1_000;

/**
 * Runs `statement` (a delete of at most `batch` rows, returning them) until it deletes fewer, and returns how many went.
 * Each run is a short transaction of its own, with the rest of the process let run between them: other writers wait
 * for the embedded store's one session only that long. What a run keeps is read again by the next: only for what few
 * rows are kept.
 */
export async function deleteInBatches(db: Db, statement: SQL, batch: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = rowsOf<unknown>(await db.execute(statement));
    deleted += rows.length;
    if (rows.length < batch) return deleted;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
