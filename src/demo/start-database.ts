/** Picks and starts the orders database: a real MariaDB when one is installed, else the TCP stand-in. */
import type { DemoDatabase } from "./database.ts";
import { mariadbMissing, startMariadb } from "./mariadb.ts";
import { startStandInDatabase } from "./standin-db.ts";

/**
 * Starts a real MariaDB under `dir` when `mariadb` is true and it is installed (`required`: a missing one is an
 * error), else the stand-in; `note` says why the stand-in was chosen.
 */
export async function startDatabase(dir: string, options: { mariadb: boolean; required?: boolean; pathVariable?: string }): Promise<{ db: DemoDatabase; note?: string }> {
  if (!options.mariadb) return { db: await startStandInDatabase(), note: "--no-mariadb: using the stand-in database" };
  const missing = mariadbMissing(options.pathVariable);
  if (missing === undefined) return { db: await startMariadb(dir, options.pathVariable) };
  if (options.required) throw new Error(missing);
  return { db: await startStandInDatabase(), note: `${missing}: using the stand-in database` };
}
