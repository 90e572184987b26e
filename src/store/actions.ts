import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { actionApprovals, actionRuns } from "./schema.ts";
import type { Store } from "./types.ts";

/** The largest page of runs read at once. */
const maxList = 1000;

/** Queries over the runs of runbook actions. */
export function actionRunQueries(db: Db): Store["actionRuns"] {
  const get: Store["actionRuns"]["get"] = async (id) => {
    const rows = await db.select().from(actionRuns).where(eq(actionRuns.id, id));
    return rows[0];
  };
  return {
    async create(row) {
      const inserted = await db.insert(actionRuns).values(row).onConflictDoNothing({ target: actionRuns.idempotencyKey }).returning();
      if (inserted[0]) return inserted[0];
      const existing = await db.select().from(actionRuns).where(eq(actionRuns.idempotencyKey, row.idempotencyKey));
      // The key is unique: a conflict on it means the row is there (an id taken twice throws, as it must).
      return existing[0]!;
    },
    get,
    async byKey(idempotencyKey) {
      const rows = await db.select().from(actionRuns).where(eq(actionRuns.idempotencyKey, idempotencyKey));
      return rows[0];
    },
    async list(options = {}) {
      return db
        .select()
        .from(actionRuns)
        .where(
          and(
            options.incidentId !== undefined ? eq(actionRuns.incidentId, options.incidentId) : undefined,
            options.actionId !== undefined ? eq(actionRuns.actionId, options.actionId) : undefined,
            options.status !== undefined ? eq(actionRuns.status, options.status) : undefined,
          ),
        )
        .orderBy(desc(actionRuns.createdAt), desc(actionRuns.id))
        .limit(Math.min(options.limit ?? 100, maxList));
    },
    async due(now, limit) {
      return db
        .select()
        .from(actionRuns)
        .where(and(eq(actionRuns.status, "pending"), sql`${actionRuns.nextAttemptAt} <= ${now.toISOString()}::timestamptz`))
        .orderBy(asc(actionRuns.nextAttemptAt), asc(actionRuns.id))
        .limit(limit);
    },
    async claim(id, at) {
      const rows = await db
        .update(actionRuns)
        .set({ status: "running", attempts: sql`${actionRuns.attempts} + 1`, updatedAt: at, startedAt: sql`coalesce(${actionRuns.startedAt}, ${at.toISOString()}::timestamptz)` })
        .where(and(eq(actionRuns.id, id), eq(actionRuns.status, "pending")))
        .returning();
      return rows[0];
    },
    async cancel(id, at) {
      const rows = await db
        .update(actionRuns)
        .set({ status: "cancelled", nextAttemptAt: null, finishedAt: at, updatedAt: at })
        .where(and(eq(actionRuns.id, id), inArray(actionRuns.status, ["pending", "waiting_approval", "running"])))
        .returning();
      return rows[0];
    },
    async update(id, patch, onlyIf) {
      const rows = await db
        .update(actionRuns)
        .set(patch)
        .where(and(eq(actionRuns.id, id), onlyIf === undefined ? undefined : eq(actionRuns.status, onlyIf)))
        .returning();
      return rows[0];
    },
    async requeueRunning(at) {
      return db.update(actionRuns).set({ status: "pending", nextAttemptAt: at, updatedAt: at }).where(eq(actionRuns.status, "running")).returning();
    },
    async holdWaiting(id, at) {
      const rows = await db
        .update(actionRuns)
        .set({ updatedAt: at })
        .where(and(eq(actionRuns.id, id), eq(actionRuns.status, "waiting_approval")))
        .returning();
      return rows[0];
    },
    async approvalsExpired(now, limit) {
      return db
        .select()
        .from(actionRuns)
        .where(and(eq(actionRuns.status, "waiting_approval"), sql`${actionRuns.approvalDeadlineAt} <= ${now.toISOString()}::timestamptz`))
        .orderBy(asc(actionRuns.approvalDeadlineAt), asc(actionRuns.id))
        .limit(limit);
    },
  };
}

/** Queries over the approvals and rejections of runs waiting for approval. */
export function actionApprovalQueries(db: Db): Store["actionApprovals"] {
  return {
    async add(row) {
      const rows = await db.insert(actionApprovals).values(row).onConflictDoNothing({ target: [actionApprovals.runId, actionApprovals.approver] }).returning();
      return rows[0];
    },
    async list(runId) {
      return db.select().from(actionApprovals).where(eq(actionApprovals.runId, runId)).orderBy(asc(actionApprovals.at), asc(actionApprovals.approver));
    },
  };
}
