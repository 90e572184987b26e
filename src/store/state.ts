import { eq } from "drizzle-orm";
import type { Db } from "./db.ts";
import { appState } from "./schema.ts";
import type { Store } from "./types.ts";

/** Named state documents over `db`. */
export function stateQueries(db: Db): Store["state"] {
  return {
    async get(name) {
      const rows = await db.select().from(appState).where(eq(appState.name, name));
      return rows[0]?.value;
    },
    async put(name, value, at) {
      await db
        .insert(appState)
        .values({ name, value, updatedAt: at })
        .onConflictDoUpdate({ target: appState.name, set: { value, updatedAt: at } });
    },
    async getForUpdate(name, empty, at) {
      await db.insert(appState).values({ name, value: empty, updatedAt: at }).onConflictDoNothing({ target: appState.name });
      const rows = await db.select().from(appState).where(eq(appState.name, name)).for("update");
      return rows[0]!.value;
    },
    async putIfAbsent(name, value, at) {
      await db.insert(appState).values({ name, value, updatedAt: at }).onConflictDoNothing({ target: appState.name });
      const rows = await db.select().from(appState).where(eq(appState.name, name));
      return rows[0]!.value;
    },
  };
}
