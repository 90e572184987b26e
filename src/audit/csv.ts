/** The audit log as CSV: pure, so the API's export and the console's download write the same file. */
import { stringify } from "csv-stringify/sync";
import { guardFormula } from "../subscribers/csv.ts";
import type { AuditRow } from "../store/types.ts";

/** The header line, in order. */
export const auditCsvColumns = ["id", "at", "actor", "via", "token_id", "action", "operation", "target_kind", "target_id", "status", "client_address", "summary"] as const;

/**
 * Rows as CSV, CRLF line ends, with the header when `header`; dates in ISO 8601 UTC, the summary as JSON; cells a
 * spreadsheet would run as formulas get a leading apostrophe.
 */
export function auditToCsv(rows: readonly AuditRow[], header = true): string {
  const records = rows.map((row) =>
    [String(row.id), row.at.toISOString(), row.actor, row.via, row.tokenId ?? "", row.action, row.operation, row.targetKind, row.targetId ?? "", String(row.status), row.clientAddress ?? "", JSON.stringify(row.summary)].map(guardFormula),
  );
  return stringify(header ? [[...auditCsvColumns], ...records] : records, { record_delimiter: "windows" });
}

/** Every matching entry as CSV, newest first, read a page at a time. */
export async function* auditCsvChunks(list: (before: number | undefined, limit: number) => Promise<AuditRow[]>, pageSize = 500): AsyncGenerator<string> {
  let before: number | undefined;
  for (let first = true; ; first = false) {
    const page = await list(before, pageSize);
    if (first || page.length > 0) yield auditToCsv(page, first);
    if (page.length < pageSize) return;
    before = page.at(-1)?.id;
  }
}
