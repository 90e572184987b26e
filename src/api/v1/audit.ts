import { Readable } from "node:stream";
import { z } from "zod";
import { auditCsvChunks } from "../../audit/csv.ts";
import { auditFilterQuery, filterOf } from "../../audit/filter.ts";
import type { AuditRow } from "../../store/types.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const entryView = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  via: z.enum(["token", "session", "socket", "cli"]),
  token_id: z.string().nullable(),
  action: z.string(),
  operation: z.string(),
  target: z.object({ kind: z.string(), id: z.string().nullable() }),
  status: z.number().int(),
  summary: z.record(z.string(), z.unknown()),
  client_address: z.string().nullable(),
});

function view(row: AuditRow): z.infer<typeof entryView> {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    via: row.via,
    token_id: row.tokenId,
    action: row.action,
    operation: row.operation,
    target: { kind: row.targetKind, id: row.targetId },
    status: row.status,
    summary: row.summary,
    client_address: row.clientAddress,
  };
}

/** The audit log: read and export only; nothing changes or removes an entry. */
export function auditRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/audit",
      operationId: "listAudit",
      summary: "The audit log, newest first: who wrote what, when and from where; filter by actor, action (or operation), since, until; page with before=next_before",
      tag: "audit",
      auth: "audit.read",
      query: auditFilterQuery.extend({
        before: z.coerce.number().int().min(1).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: z.object({ entries: z.array(entryView), next_before: z.number().int().nullable() }),
      handler: async ({ query }) => {
        const rows = await deps.store.audit.list(filterOf(query), query.limit, query.before);
        return { entries: rows.map(view), next_before: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/audit/export.csv",
      operationId: "exportAudit",
      summary: "The audit log as CSV (text/csv), newest first, with the same filters; streamed",
      tag: "audit",
      auth: "audit.read",
      query: auditFilterQuery,
      response: z.custom<Readable>().describe("text/csv"),
      handler: async ({ query, reply }) => {
        const day = deps.clock.now().toISOString().slice(0, 10);
        void reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="vigil-audit-${day}.csv"`).header("cache-control", "no-store");
        const filter = filterOf(query);
        return Readable.from(auditCsvChunks((before, limit) => deps.store.audit.list(filter, limit, before)));
      },
    }),
  ];
}
