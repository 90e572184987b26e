import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "./db.ts";
import { apiTokens } from "./schema.ts";
import type { Store, TokenRow } from "./types.ts";

/** The role a legacy scope stands for (src/auth/roles.ts says why; migration 0011 did the same to existing tokens). */
const roleOfScope = { read: "viewer", write: "responder", publish: "responder", admin: "owner" } as const;

/** API-token queries over `db`. */
export function tokenQueries(db: Db): Store["tokens"] {
  return {
    async create(row) {
      await db.insert(apiTokens).values({ ...row, role: row.role ?? (row.scope === null || row.scope === "agent" ? null : roleOfScope[row.scope]), expiresAt: row.expiresAt ?? null, region: row.region ?? null, ownerUserId: row.ownerUserId ?? null, lastUsedAt: null, revokedAt: null });
    },
    async get(id) {
      const rows = await db.select().from(apiTokens).where(eq(apiTokens.id, id));
      return rows[0] === undefined ? undefined : toRow(rows[0]);
    },
    async list() {
      const rows = await db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
      return rows.map(toRow);
    },
    async revoke(id, at) {
      const rows = await db
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return rows.length > 0;
    },
    async touch(id, at) {
      // Concurrent requests may finish out of order: only ever move forward, and skip no-op writes.
      await db
        .update(apiTokens)
        .set({ lastUsedAt: at })
        .where(and(eq(apiTokens.id, id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, at))));
    },
  };
}

function toRow(row: typeof apiTokens.$inferSelect): TokenRow {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    role: row.role,
    ownerUserId: row.ownerUserId,
    secretHash: row.secretHash,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    expiresAt: row.expiresAt,
    region: row.region,
  };
}
