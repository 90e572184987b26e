import { and, desc, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { Db } from "./db.ts";
import { auditLog } from "./schema.ts";
import type { AuditRow, Store } from "./types.ts";

/** Audit-log queries over `db`: append and read, nothing else. */
export function auditQueries(db: Db): Store["audit"] {
  return {
    async append(row) {
      await db.insert(auditLog).values(row);
    },
    async list(filter, limit, before) {
      const where: SQL[] = [];
      if (filter.actor !== undefined) where.push(eq(auditLog.actor, filter.actor));
      if (filter.action !== undefined) where.push(or(eq(auditLog.action, filter.action), eq(auditLog.operation, filter.action)) as SQL);
      if (filter.since !== undefined) where.push(gte(auditLog.at, filter.since));
      if (filter.until !== undefined) where.push(lte(auditLog.at, filter.until));
      if (before !== undefined) where.push(lt(auditLog.id, before));
      const rows = await db
        .select()
        .from(auditLog)
        .where(where.length > 0 ? and(...where) : undefined)
        .orderBy(desc(auditLog.id))
        .limit(limit);
      return rows.map(toRow);
    },
  };
}

function toRow(row: typeof auditLog.$inferSelect): AuditRow {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    via: row.via as AuditRow["via"],
    tokenId: row.tokenId,
    action: row.action,
    operation: row.operation,
    targetKind: row.targetKind,
    targetId: row.targetId,
    status: row.status,
    summary: row.summary,
    clientAddress: row.clientAddress,
  };
}
