import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Schema } from "./schema.ts";

/** A drizzle handle over either driver, or a transaction on one: the queries are the same. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
