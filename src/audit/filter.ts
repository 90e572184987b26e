/** The audit log's filters, as the API and the console read them. */
import { z } from "zod";
import type { AuditFilter } from "../store/types.ts";

const instant = z.iso.datetime({ offset: true, message: "expected an ISO 8601 time with a zone, such as 2027-03-01T00:00:00Z" });

/** The audit log's filters, shared by the list and the CSV export. */
export const auditFilterQuery = z.strictObject({
  actor: z.string().trim().min(1).max(300).optional(),
  action: z.string().trim().min(1).max(100).optional(),
  since: instant.optional(),
  until: instant.optional(),
});

/** The store's filter for a parsed query. */
export function filterOf(query: z.infer<typeof auditFilterQuery>): AuditFilter {
  return {
    ...(query.actor !== undefined ? { actor: query.actor } : {}),
    ...(query.action !== undefined ? { action: query.action } : {}),
    ...(query.since !== undefined ? { since: new Date(query.since) } : {}),
    ...(query.until !== undefined ? { until: new Date(query.until) } : {}),
  };
}
