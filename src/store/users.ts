import { and, asc, eq, gt, isNotNull, isNull, lt, lte, ne, or, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { loginChallenges, passwordLinks, recoveryCodes, userSessions, userTotp, users } from "./schema.ts";
import type { SessionRow, Store, UserRow } from "./types.ts";

/** Console users, their sessions, their set-password links and their second factors over `db`. */
export function userQueries(db: Db): Pick<Store, "users" | "sessions" | "passwordLinks" | "secondFactors" | "loginChallenges"> {
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
      async removeAllOf(userId, keepIdHash) {
        const which = keepIdHash === undefined ? eq(userSessions.userId, userId) : and(eq(userSessions.userId, userId), ne(userSessions.idHash, keepIdHash));
        const rows = await db.delete(userSessions).where(which).returning({ id: userSessions.idHash });
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
        await db.insert(passwordLinks).values({ ...row, purpose: row.purpose ?? "password", usedAt: null });
      },
      async get(tokenHash) {
        const rows = await db.select().from(passwordLinks).where(eq(passwordLinks.tokenHash, tokenHash));
        const row = rows[0];
        return row === undefined ? undefined : { tokenHash: row.tokenHash, userId: row.userId, createdAt: row.createdAt, expiresAt: row.expiresAt, usedAt: row.usedAt, purpose: row.purpose };
      },
      async revokeAllOf(userId, at) {
        const rows = await db
          .update(passwordLinks)
          .set({ usedAt: at })
          .where(and(eq(passwordLinks.userId, userId), isNull(passwordLinks.usedAt)))
          .returning({ id: passwordLinks.tokenHash });
        return rows.length;
      },
      async openUntil(purpose) {
        const rows = await db
          .select({ userId: passwordLinks.userId, until: sql<Date | string>`max(${passwordLinks.expiresAt})` })
          .from(passwordLinks)
          .where(and(eq(passwordLinks.purpose, purpose), isNull(passwordLinks.usedAt)))
          .groupBy(passwordLinks.userId);
        return new Map(rows.map((r) => [r.userId, new Date(r.until)]));
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
    secondFactors: {
      async get(userId) {
        const rows = await db.select().from(userTotp).where(eq(userTotp.userId, userId));
        const row = rows[0];
        return row === undefined ? undefined : { userId: row.userId, secret: row.secret, pendingSecret: row.pendingSecret, enabledAt: row.enabledAt, lastStep: row.lastStep };
      },
      async begin(userId, pendingSecret) {
        const rows = await db
          .insert(userTotp)
          .values({ userId, pendingSecret })
          .onConflictDoUpdate({ target: userTotp.userId, set: { pendingSecret }, where: isNull(userTotp.enabledAt) })
          .returning({ id: userTotp.userId });
        return rows.length > 0;
      },
      async enable(userId, pendingSecret, at, step, recoveryHashes) {
        return db.transaction(async (tx) => {
          const rows = await tx
            .update(userTotp)
            .set({ secret: pendingSecret, pendingSecret: null, enabledAt: at, lastStep: step })
            .where(and(eq(userTotp.userId, userId), eq(userTotp.pendingSecret, pendingSecret), isNull(userTotp.enabledAt)))
            .returning({ id: userTotp.userId });
          if (rows.length === 0) return false;
          await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
          if (recoveryHashes.length > 0) await tx.insert(recoveryCodes).values(recoveryHashes.map((codeHash) => ({ userId, codeHash })));
          return true;
        });
      },
      async useStep(userId, step) {
        // One UPDATE with the condition in its WHERE: the same code presented twice at once is accepted once.
        const rows = await db
          .update(userTotp)
          .set({ lastStep: step })
          .where(and(eq(userTotp.userId, userId), isNotNull(userTotp.enabledAt), or(isNull(userTotp.lastStep), lt(userTotp.lastStep, step))))
          .returning({ id: userTotp.userId });
        return rows.length > 0;
      },
      async useRecoveryCode(userId, codeHash, at) {
        const rows = await db
          .update(recoveryCodes)
          .set({ usedAt: at })
          .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
          .returning({ id: recoveryCodes.userId });
        return rows.length > 0;
      },
      async recoveryCodesLeft(userId) {
        const rows = await db.select({ n: sql<number>`count(*)::int` }).from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
        return Number(rows[0]?.n ?? 0);
      },
      async remove(userId) {
        return db.transaction(async (tx) => {
          await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
          const rows = await tx.delete(userTotp).where(eq(userTotp.userId, userId)).returning({ on: userTotp.enabledAt });
          return rows.some((r) => r.on !== null);
        });
      },
      async enabledUserIds() {
        const rows = await db.select({ id: userTotp.userId }).from(userTotp).where(isNotNull(userTotp.enabledAt));
        return new Set(rows.map((r) => r.id));
      },
    },
    loginChallenges: {
      async create(row) {
        await db.insert(loginChallenges).values(row);
      },
      async get(idHash) {
        const rows = await db.select().from(loginChallenges).where(eq(loginChallenges.idHash, idHash));
        const row = rows[0];
        return row === undefined ? undefined : { idHash: row.idHash, userId: row.userId, createdAt: row.createdAt, expiresAt: row.expiresAt };
      },
      async remove(idHash) {
        const rows = await db.delete(loginChallenges).where(eq(loginChallenges.idHash, idHash)).returning({ id: loginChallenges.idHash });
        return rows.length > 0;
      },
      async prune(before) {
        const rows = await db.delete(loginChallenges).where(lte(loginChallenges.expiresAt, before)).returning({ id: loginChallenges.idHash });
        return rows.length;
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
