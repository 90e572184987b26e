import { and, asc, eq, gt, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { passwordLinks, userSessions, users } from "./schema.ts";
import type { SessionRow, Store, UserRow } from "./types.ts";

/** Console users, their sessions and their set-password links over `db`. */
export function userQueries(db: Db): Pick<Store, "users" | "sessions" | "passwordLinks"> {
  return {
    users: {
      async create(row) {
        await db.insert(users).values({ ...row, updatedAt: row.createdAt, passwordHash: null, disabledAt: null });
      },
      async get(id) {
        const rows = await db.select().from(users).where(eq(users.id, id));
        return rows[0] === undefined ? undefined : toUser(rows[0]);
      },
      async byEmail(email) {
        const rows = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`);
        return rows[0] === undefined ? undefined : toUser(rows[0]);
      },
      async list() {
        const rows = await db.select().from(users).orderBy(asc(users.createdAt), asc(users.id));
        return rows.map(toUser);
      },
      async setPassword(id, passwordHash, at) {
        const rows = await db.update(users).set({ passwordHash, updatedAt: at }).where(eq(users.id, id)).returning({ id: users.id });
        return rows.length > 0;
      },
      async setRole(id, role, now) {
        const rows = await db.update(users).set({ role, updatedAt: now }).where(eq(users.id, id)).returning({ id: users.id });
        return rows.length > 0;
      },
      async setDisabled(id, at, now) {
        const rows = await db.update(users).set({ disabledAt: at, updatedAt: now }).where(eq(users.id, id)).returning({ id: users.id });
        return rows.length > 0;
      },
    },
    sessions: {
      async create(row) {
        await db.insert(userSessions).values(row);
      },
      async get(idHash) {
        const rows = await db.select().from(userSessions).where(eq(userSessions.idHash, idHash));
        return rows[0] === undefined ? undefined : toSession(rows[0]);
      },
      async touch(idHash, at) {
        await db.update(userSessions).set({ lastSeenAt: at }).where(and(eq(userSessions.idHash, idHash), lt(userSessions.lastSeenAt, at)));
      },
      async remove(idHash) {
        const rows = await db.delete(userSessions).where(eq(userSessions.idHash, idHash)).returning({ id: userSessions.idHash });
        return rows.length > 0;
      },
      async removeAllOf(userId) {
        const rows = await db.delete(userSessions).where(eq(userSessions.userId, userId)).returning({ id: userSessions.idHash });
        return rows.length;
      },
      async prune(before, idleBefore) {
        const rows = await db
          .delete(userSessions)
          .where(or(lte(userSessions.expiresAt, before), lte(userSessions.lastSeenAt, idleBefore)))
          .returning({ id: userSessions.idHash });
        return rows.length;
      },
    },
    passwordLinks: {
      async create(row) {
        await db.insert(passwordLinks).values({ ...row, usedAt: null });
      },
      async get(tokenHash) {
        const rows = await db.select().from(passwordLinks).where(eq(passwordLinks.tokenHash, tokenHash));
        const row = rows[0];
        return row === undefined ? undefined : { tokenHash: row.tokenHash, userId: row.userId, createdAt: row.createdAt, expiresAt: row.expiresAt, usedAt: row.usedAt };
      },
      async use(tokenHash, at) {
        // One UPDATE with the conditions in its WHERE: two concurrent uses cannot both succeed.
        const rows = await db
          .update(passwordLinks)
          .set({ usedAt: at })
          .where(and(eq(passwordLinks.tokenHash, tokenHash), isNull(passwordLinks.usedAt), gt(passwordLinks.expiresAt, at)))
          .returning({ userId: passwordLinks.userId });
        return rows[0]?.userId;
      },
    },
  };
}

function toUser(row: typeof users.$inferSelect): UserRow {
  return { id: row.id, email: row.email, role: row.role, passwordHash: row.passwordHash, createdAt: row.createdAt, updatedAt: row.updatedAt, disabledAt: row.disabledAt };
}

function toSession(row: typeof userSessions.$inferSelect): SessionRow {
  return { idHash: row.idHash, userId: row.userId, createdAt: row.createdAt, lastSeenAt: row.lastSeenAt, expiresAt: row.expiresAt, address: row.address, userAgent: row.userAgent };
}
