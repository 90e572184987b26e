import { and, asc, desc, eq, gte, inArray, isNull, lt, notInArray, or, sql, type SQL } from "drizzle-orm";
import { AppError } from "../core/errors.ts";
import type { Db } from "./db.ts";
import { incidents, incidentUpdates } from "./schema.ts";
import type { IncidentListOptions, Store } from "./types.ts";

/** Statuses after which an incident is no longer open. */
export const closedStatuses = ["resolved", "postmortem"];

function incidentFilters(options: IncidentListOptions): (SQL | undefined)[] {
  return [
    options.openOnly ? notInArray(incidents.status, closedStatuses) : undefined,
    options.statuses ? inArray(incidents.status, [...options.statuses]) : undefined,
    options.componentId === undefined
      ? undefined
      : sql`(${incidents.rootIds} @> ${JSON.stringify([options.componentId])}::jsonb or ${incidents.impactedIds} @> ${JSON.stringify([options.componentId])}::jsonb)`,
    options.to === undefined ? undefined : lt(incidents.startedAt, options.to),
    options.from === undefined ? undefined : or(isNull(incidents.resolvedAt), gte(incidents.resolvedAt, options.from)),
  ];
}

/** Incident and incident-update queries over `db`. */
export function incidentQueries(db: Db): Store["incidents"] {
  return {
    async create(row) {
      await db.insert(incidents).values(row);
    },
    async get(id) {
      const rows = await db.select().from(incidents).where(eq(incidents.id, id));
      return rows[0];
    },
    async list(options) {
      const rows = await db
        .select()
        .from(incidents)
        .where(and(...incidentFilters(options)))
        .orderBy(desc(incidents.startedAt), desc(incidents.id))
        .limit(options.limit);
      return rows;
    },
    async update(id, patch) {
      const rows = await db.update(incidents).set(patch).where(eq(incidents.id, id)).returning();
      const row = rows[0];
      if (!row) throw new AppError("not_found", `no incident with id ${id}`);
      return row;
    },
    async addUpdate(row) {
      await db.insert(incidentUpdates).values(row);
    },
    async updatesOf(incidentIds) {
      if (incidentIds.length === 0) return [];
      return db.select().from(incidentUpdates).where(inArray(incidentUpdates.incidentId, [...incidentIds])).orderBy(asc(incidentUpdates.createdAt), asc(incidentUpdates.id));
    },
    async updates(incidentId) {
      return db.select().from(incidentUpdates).where(and(eq(incidentUpdates.incidentId, incidentId))).orderBy(asc(incidentUpdates.createdAt), asc(incidentUpdates.id));
    },
  };
}
