/**
 * Subscribers to and from CSV (RFC 4180), for moving a list between Vigil instances or from another
 * status page. Columns: `kind` (email or webhook), `address`, `components` (component ids separated
 * by spaces; empty means every component) and `confirmed_at` (ISO 8601, UTC).
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { normalizeEmail, normalizeWebhookUrl } from "./address.ts";

/** A confirmed subscriber as stored. */
export interface SubscriberRecord {
  id: string;
  kind: "email" | "webhook";
  address: string;
  /** The components followed; null for all of them. */
  components: string[] | null;
  confirmedAt: Date;
  createdAt: Date;
}

/** A subscriber read from CSV: a normalised address, known component ids, a date when one was given. */
export interface ImportedSubscriber {
  kind: "email" | "webhook";
  address: string;
  components: string[] | null;
  confirmedAt: Date | null;
}

/** A problem with one line of an import (1-based, the line a record starts on). */
export interface CsvImportError {
  line: number;
  message: string;
}

/** The rows that can be imported, and the problems with the others. */
export interface CsvImport {
  rows: ImportedSubscriber[];
  errors: CsvImportError[];
}

/** The header line of an export, in order. */
export const csvColumns = ["kind", "address", "components", "confirmed_at"] as const;

// A cell a spreadsheet would run as a formula (OWASP's list; tab and CR cannot occur in these cells).
// Apostrophes already there are counted, so the guard is undone exactly on import.
const formula = /^'*[=+\-@\t\r]/;

/** `cell` as written to CSV: a leading apostrophe when a spreadsheet would read it as a formula. */
export function guardFormula(cell: string): string {
  return formula.test(cell) ? `'${cell}` : cell;
}

/** The inverse of `guardFormula`. */
export function unguardFormula(cell: string): string {
  return cell.startsWith("'") && formula.test(cell) ? cell.slice(1) : cell;
}

/**
 * Subscribers as CSV: the header `kind,address,components,confirmed_at`, one line per subscriber in
 * the order given, CRLF line ends, no BOM. Components are separated by spaces, empty for all (an
 * empty list is written as empty too, and so reads back as all); dates are ISO 8601 in UTC. Cells a
 * spreadsheet would take for a formula (starting with =, +, -, @) get a leading apostrophe, which
 * `parseSubscribersCsv` removes. Ids and creation dates are not exported: they belong to this instance.
 */
export function subscribersToCsv(rows: readonly SubscriberRecord[]): string {
  const records = rows.map((row) => [row.kind, row.address, (row.components ?? []).join(" "), row.confirmedAt.toISOString()].map(guardFormula));
  return stringify([[...csvColumns], ...records], { record_delimiter: "windows" });
}

const dateTime = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/i;

/** An ISO 8601 date or date-time (UTC when no zone is given), or null when it is not one or not a real date. */
export function parseIsoDate(text: string): Date | null {
  const m = dateTime.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", zone, zh = "0", zm = "0"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(zh) > 23 || Number(zm) > 59) return null;
  const iso = m[4] === undefined ? `${y}-${mo}-${d}T00:00:00Z` : text.replace(" ", "T") + (zone === undefined ? "Z" : "");
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

interface Columns {
  kind: number | null;
  address: number;
  components: number | null;
  confirmedAt: number | null;
}

const headerAliases: Record<string, keyof Columns> = {
  kind: "kind",
  address: "address",
  components: "components",
  confirmed_at: "confirmedAt",
};

/** The columns' positions from the header, or what is wrong with it. */
function readHeader(cells: string[]): Columns | string {
  const found: Partial<Record<keyof Columns, number>> = {};
  for (const [i, raw] of cells.entries()) {
    const key = headerAliases[raw.trim().toLowerCase().replace(/[\s-]+/g, "_")];
    if (key === undefined) continue; // other columns (an id, a name) are ignored
    if (found[key] !== undefined) return `the header has the column ${raw.trim()} twice`;
    found[key] = i;
  }
  if (found.address === undefined) return `the header has no address column; expected ${csvColumns.join(",")}`;
  return { kind: found.kind ?? null, address: found.address, components: found.components ?? null, confirmedAt: found.confirmedAt ?? null };
}

interface ParsedRecord {
  line: number;
  cells: string[];
}

/** The records of `text` with the line each starts on, and the lines that are not CSV at all. */
function records(text: string): { records: ParsedRecord[]; errors: CsvImportError[] } {
  const errors: CsvImportError[] = [];
  // Newlines are made uniform first, so line numbers count every kind of line end once.
  const uniform = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  // The raw text of a record starts with the blank lines skipped before it and ends with its line end.
  const startLine = (endLine: number, raw: string | undefined) => endLine - ((raw ?? "").replace(/^\n+/, "").replace(/\n$/, "").match(/\n/g)?.length ?? 0);
  const parsed = parse(uniform, {
    info: true,
    raw: true,
    record_delimiter: "\n",
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      const end = typeof error?.["lines"] === "number" ? error["lines"] : 1;
      errors.push({ line: startLine(end, raw), message: `not readable as CSV: ${error?.message ?? "unknown error"}` });
      return undefined;
    },
  }) as unknown as { record: string[]; raw: string; info: { lines: number } }[];
  return {
    records: parsed
      .map(({ record, raw, info }) => ({ line: startLine(info.lines, raw), cells: record }))
      .filter((r) => r.cells.some((cell) => cell.trim() !== "")),
    errors,
  };
}

/** The component ids of a cell: null for an empty cell (all components), else the ids in order, once each. */
function componentsOf(cell: string, known: ReadonlySet<string>): { ok: true; ids: string[] | null } | { ok: false; error: string } {
  const ids = [...new Set(cell.split(/[\s,]+/).filter((id) => id !== ""))];
  if (ids.length === 0) return { ok: true, ids: null };
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) return { ok: false, error: `unknown component id${unknown.length > 1 ? "s" : ""} ${unknown.map((id) => `"${id}"`).join(", ")}` };
  return { ok: true, ids };
}

/**
 * Reads subscribers from CSV. Tolerates a BOM, CRLF or LF line ends, blank lines, surrounding
 * spaces in cells, header names in any case and columns in any order (unknown columns ignored);
 * `address` is required, `kind` is `email` when the column is absent or the cell empty. A header
 * without an address column (or with a column twice) gives one error on line 1 and no rows.
 *
 * Each bad record is skipped with one error naming its line and everything wrong with it (unknown
 * kind, bad address, unknown component ids, bad date); the others are kept. An address repeated
 * (same kind, after normalisation) keeps its first good line and gives one error for all repeats.
 * Errors are in line order.
 */
export function parseSubscribersCsv(text: string, knownComponentIds: ReadonlySet<string>): CsvImport {
  const { records: all, errors } = records(text);
  const [header, ...body] = all;
  if (header === undefined) return { rows: [], errors: [{ line: 1, message: `the file is empty; expected the header ${csvColumns.join(",")}` }] };
  const columns = readHeader(header.cells);
  if (typeof columns === "string") return { rows: [], errors: [{ line: header.line, message: columns }] };

  const rows: ImportedSubscriber[] = [];
  const firstLine = new Map<string, number>();
  const repeats = new Map<string, number[]>();
  for (const { line, cells } of body) {
    const cell = (index: number | null) => (index === null ? "" : unguardFormula((cells[index] ?? "").trim()));
    const problems: string[] = [];
    const kindText = cell(columns.kind).toLowerCase();
    const kind = kindText === "" ? "email" : kindText === "email" || kindText === "webhook" ? kindText : null;
    if (kind === null) problems.push(`unknown kind "${cell(columns.kind)}", expected email or webhook`);
    const rawAddress = cell(columns.address);
    const address = kind === "webhook" ? normalizeWebhookUrl(rawAddress) : normalizeEmail(rawAddress);
    if (kind !== null && !address.ok) problems.push(address.error);
    const components = componentsOf(cell(columns.components), knownComponentIds);
    if (!components.ok) problems.push(components.error);
    const dateText = cell(columns.confirmedAt);
    const confirmedAt = dateText === "" ? null : parseIsoDate(dateText);
    if (dateText !== "" && confirmedAt === null) problems.push(`confirmed_at "${dateText}" is not a date such as 2026-03-14T09:25:00Z`);
    if (problems.length > 0 || kind === null || !address.ok || !components.ok) {
      errors.push({ line, message: problems.join("; ") });
      continue;
    }
    const key = `${kind} ${address.address}`;
    const first = firstLine.get(key);
    if (first !== undefined) {
      repeats.set(key, [...(repeats.get(key) ?? []), line]);
      continue;
    }
    firstLine.set(key, line);
    rows.push({ kind, address: address.address, components: components.ids, confirmedAt });
  }
  for (const [key, lines] of repeats) {
    const address = key.slice(key.indexOf(" ") + 1);
    const first = firstLine.get(key) ?? 0;
    errors.push({ line: lines[0] ?? first, message: `${address} appears again on line${lines.length > 1 ? "s" : ""} ${lines.join(", ")} (first on line ${first}); only line ${first} is kept` });
  }
  errors.sort((a, b) => a.line - b.line);
  return { rows, errors };
}
