/**
 * Property tests of the subscriber CSV import: any text gives rows and errors, never a throw; each error names a line
 * of the file and the column (or the header, or CSV syntax) that is wrong; each row is a normalised, known subscriber.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSubscribersCsv } from "../../src/subscribers/csv.ts";

const known = new Set(["api", "orders-db"]);

/** What an error message names: the column at fault, the header, the CSV syntax, an empty file or a repeat. */
const namesItsColumn = /\bkind\b|e-mail address|webhook URL|the part before the @|the domain|component id|confirmed_at|header|not readable as CSV|the file is empty|appears again/;

const cell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("email", "webhook", "EMAIL", "sms", "", " ", "ops@acme.example", "a@b", "@acme.example", "ops@@acme.example", "https://hooks.acme.example/x", "ftp://x", "http://u:p@acme.example", "api", "api orders-db", "nope", "2026-03-14T09:25:00Z", "2026-02-30", "yesterday", "=cmd()", "'=1+1", "+1", "-1", "@SUM(A1)"),
);
const line = fc.array(fc.tuple(cell, fc.boolean()), { maxLength: 6 }).map((cells) => cells.map(([c, quoted]) => (quoted ? `"${c.replaceAll('"', '""')}"` : c)).join(","));
const csvish = fc
  .tuple(
    fc.constantFrom("kind,address,components,confirmed_at", "address", "Address,Kind", "kind,kind,address", "name,email", "", "\uFEFFkind,address"),
    fc.array(fc.oneof(line, fc.constantFrom('"unterminated', 'a,"b"c,d', '""",', "\r", "\r\n", "", "\u0000", ",,,,")), { maxLength: 30 }),
    fc.constantFrom("\n", "\r\n", "\r"),
  )
  .map(([header, lines, end]) => [header, ...lines].join(end));

describe("parseSubscribersCsv properties", () => {
  it("any text gives rows or errors naming a line of the file and what is wrong, never a throw", () => {
    fc.assert(
      fc.property(fc.oneof(csvish, fc.string({ maxLength: 300 }), fc.string({ maxLength: 200, unit: "binary" })), (text) => {
        const { rows, errors } = parseSubscribersCsv(text, known);
        const lineCount = text.split(/\r\n|\r|\n/).length;
        for (const error of errors) {
          expect(Number.isInteger(error.line)).toBe(true);
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.line).toBeLessThanOrEqual(lineCount);
          expect(error.message).toMatch(namesItsColumn);
        }
        expect(errors.map((e) => e.line)).toEqual([...errors.map((e) => e.line)].sort((a, b) => a - b));
        for (const row of rows) {
          expect(["email", "webhook"]).toContain(row.kind);
          expect(row.address).not.toBe("");
          if (row.components !== null) for (const id of row.components) expect(known.has(id)).toBe(true);
          if (row.confirmedAt !== null) expect(Number.isNaN(row.confirmedAt.getTime())).toBe(false);
        }
        // Each record line is a row or an error, at most.
        expect(rows.length).toBeLessThanOrEqual(lineCount);
        expect(new Set(rows.map((r) => `${r.kind} ${r.address}`)).size).toBe(rows.length);
      }),
      { seed: 5150, numRuns: 2000 },
    );
  });
});
