import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { guardFormula, parseIsoDate, parseSubscribersCsv, subscribersToCsv, unguardFormula, type SubscriberRecord } from "./csv.ts";

const known = new Set(["orders-db", "api", "search"]);
const confirmedAt = new Date("2026-03-14T09:25:41.000Z");
const createdAt = new Date("2026-03-14T09:20:00.000Z");

const subscribers: SubscriberRecord[] = [
  { id: "s1", kind: "email", address: "ada@example.com", components: null, confirmedAt, createdAt },
  { id: "s2", kind: "email", address: "-ops@example.com", components: ["orders-db", "api"], confirmedAt, createdAt },
  { id: "s3", kind: "webhook", address: "https://hooks.example.com/status?a=1,2&b=%22x%22", components: ["search"], confirmedAt, createdAt },
  { id: "s4", kind: "email", address: "=cmd@example.com", components: null, confirmedAt, createdAt },
  { id: "s5", kind: "email", address: "'+x@example.com", components: null, confirmedAt, createdAt },
];

describe("subscribers to CSV", () => {
  it("write the header, the rows in order, components separated by spaces and UTC dates", () => {
    const csv = subscribersToCsv(subscribers.slice(0, 2));
    expect(csv).toBe("kind,address,components,confirmed_at\r\nemail,ada@example.com,,2026-03-14T09:25:41.000Z\r\nemail,'-ops@example.com,orders-db api,2026-03-14T09:25:41.000Z\r\n");
  });

  it("quote cells with commas and quotes", () => {
    const line = subscribersToCsv([{ ...subscribers[2]!, address: 'https://hooks.example.com/?a=1,2&b="x"' }]).split("\r\n")[1];
    expect(line).toBe('webhook,"https://hooks.example.com/?a=1,2&b=""x""",search,2026-03-14T09:25:41.000Z');
  });

  it("guard cells a spreadsheet would run as formulas, and only those", () => {
    const cells = parse(subscribersToCsv(subscribers)).slice(1).map((row) => row[1]);
    expect(cells).toEqual(["ada@example.com", "'-ops@example.com", "https://hooks.example.com/status?a=1,2&b=%22x%22", "'=cmd@example.com", "''+x@example.com"]);
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it.each([
    ["=1+1", "'=1+1"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1", "'\t=1"],
    ["'=1", "''=1"],
    ["'plain", "'plain"],
    ["plain", "plain"],
    ["a=1", "a=1"],
  ])("guard %j as %j and back", (cell, guarded) => {
    expect(guardFormula(cell)).toBe(guarded);
    expect(unguardFormula(guarded)).toBe(cell);
  });

  it("round-trip through the import, formula guard included", () => {
    const { rows, errors } = parseSubscribersCsv(subscribersToCsv(subscribers), known);
    expect(errors).toEqual([]);
    expect(rows).toEqual(subscribers.map((s) => ({ kind: s.kind, address: s.address, components: s.components, confirmedAt: s.confirmedAt })));
  });

  it("write only a header for no subscribers", () => {
    expect(subscribersToCsv([])).toBe("kind,address,components,confirmed_at\r\n");
    expect(parseSubscribersCsv(subscribersToCsv([]), known)).toEqual({ rows: [], errors: [] });
  });
});

describe("subscribers from CSV", () => {
  it("read a BOM, CRLF, columns in any order, blank lines and surrounding spaces", () => {
    const csv = "\uFEFFConfirmed_At, Address ,KIND,components,name\r\n\r\n2026-03-14T09:25:41Z, Ada@Example.COM ,email,orders-db api,Ada\r\n   \r\n,https://Hooks.example.com/x,Webhook,,\r\n";
    expect(parseSubscribersCsv(csv, known)).toEqual({
      rows: [
        { kind: "email", address: "Ada@example.com", components: ["orders-db", "api"], confirmedAt },
        { kind: "webhook", address: "https://hooks.example.com/x", components: null, confirmedAt: null },
      ],
      errors: [],
    });
  });

  it("default the kind to email when the column is absent or the cell empty", () => {
    const { rows, errors } = parseSubscribersCsv("address\na@example.com\nb@example.com\n", known);
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.kind, r.address, r.components, r.confirmedAt])).toEqual([
      ["email", "a@example.com", null, null],
      ["email", "b@example.com", null, null],
    ]);
    expect(parseSubscribersCsv("kind,address\n,c@example.com\n", known).rows[0]?.kind).toBe("email");
  });

  it("skip each bad row with an error naming its line and what is wrong, keeping the good ones", () => {
    const csv = [
      "kind,address,components,confirmed_at", // 1
      "email,good@example.com,api,", // 2
      "email,not-an-address,,", // 3
      "sms,+15551234,,", // 4
      "email,c@example.com,api billing,", // 5
      "", // 6
      "webhook,ftp://example.com/x,,", // 7
      "email,d@example.com,,yesterday", // 8
      "email,e@example.com,,2026-02-30T00:00:00Z", // 9
      "email,bad@,ghost,2026-13-01", // 10
      "webhook,https://ok.example.com/hook,search orders-db,2026-03-14", // 11
    ].join("\n");
    const { rows, errors } = parseSubscribersCsv(csv, known);
    expect(rows.map((r) => r.address)).toEqual(["good@example.com", "https://ok.example.com/hook"]);
    expect(rows[1]).toEqual({ kind: "webhook", address: "https://ok.example.com/hook", components: ["search", "orders-db"], confirmedAt: new Date("2026-03-14T00:00:00Z") });
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5, 7, 8, 9, 10]);
    expect(errors[0]!.message).toMatch(/no @/);
    expect(errors[1]!.message).toMatch(/unknown kind "sms"/);
    expect(errors[2]!.message).toBe('unknown component id "billing"');
    expect(errors[3]!.message).toMatch(/uses ftp:/);
    expect(errors[4]!.message).toMatch(/confirmed_at "yesterday" is not a date/);
    expect(errors[5]!.message).toMatch(/confirmed_at "2026-02-30T00:00:00Z" is not a date/);
    // Everything wrong with the line, in one error.
    expect(errors[6]!.message).toMatch(/no domain.*unknown component id "ghost".*2026-13-01/);
  });

  it("report a repeated address once, keeping its first line", () => {
    const csv = ["kind,address", "email,a@example.com", "email,a@EXAMPLE.com", "webhook,https://x.example.com", "email,A@example.com", "email, a@example.com ", "webhook,HTTPS://X.EXAMPLE.COM/"].join("\r\n");
    const { rows, errors } = parseSubscribersCsv(csv, known);
    expect(rows.map((r) => r.address)).toEqual(["a@example.com", "https://x.example.com/", "A@example.com"]);
    expect(errors).toEqual([
      { line: 3, message: "a@example.com appears again on lines 3, 6 (first on line 2); only line 2 is kept" },
      { line: 7, message: "https://x.example.com/ appears again on line 7 (first on line 4); only line 4 is kept" },
    ]);
  });

  it("tell an e-mail address and a webhook apart when looking for repeats", () => {
    const { rows, errors } = parseSubscribersCsv("kind,address\nemail,a@example.com\nwebhook,https://example.com/a@example.com\n", known);
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(2);
  });

  it("count the lines of a quoted cell spanning lines, and report what is not CSV", () => {
    const csv = 'kind,address,components\nemail,a@example.com,"api\nsearch"\nemail,b@example.com,nope\nemail,"c@example.com,api';
    const { rows, errors } = parseSubscribersCsv(csv, known);
    expect(rows).toEqual([{ kind: "email", address: "a@example.com", components: ["api", "search"], confirmedAt: null }]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toEqual({ line: 4, message: 'unknown component id "nope"' });
    expect(errors[1]!.line).toBe(5);
    expect(errors[1]!.message).toMatch(/^not readable as CSV: .*quote/i);
  });

  it("refuse an address that would inject a mail header", () => {
    const { rows, errors } = parseSubscribersCsv('address\n"a@example.com\r\nBcc: eve@evil.test"\n', known);
    expect(rows).toEqual([]);
    expect(errors).toEqual([{ line: 2, message: "the e-mail address contains a line break" }]);
  });

  it.each([
    ["kind,email\nemail,a@example.com\n", /no address column/],
    ["email,a@example.com\n", /no address column/],
    ["address,Address\na@example.com,b@example.com\n", /column Address twice/],
  ])("give one error on line 1 and no rows for a bad header: %j", (csv, message) => {
    const result = parseSubscribersCsv(csv, known);
    expect(result.rows).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.line).toBe(1);
    expect(result.errors[0]!.message).toMatch(message);
  });

  it.each(["", "\uFEFF", "\r\n\r\n"])("report an empty file: %j", (csv) => {
    expect(parseSubscribersCsv(csv, known)).toEqual({ rows: [], errors: [{ line: 1, message: "the file is empty; expected the header kind,address,components,confirmed_at" }] });
  });
});

describe("ISO 8601 dates", () => {
  it.each([
    ["2026-03-14T09:25:41Z", "2026-03-14T09:25:41.000Z"],
    ["2026-03-14T09:25:41.123Z", "2026-03-14T09:25:41.123Z"],
    ["2026-03-14T10:25:41+01:00", "2026-03-14T09:25:41.000Z"],
    ["2026-03-14 09:25", "2026-03-14T09:25:00.000Z"],
    ["2026-03-14", "2026-03-14T00:00:00.000Z"],
    ["2024-02-29", "2024-02-29T00:00:00.000Z"],
  ])("read %j as %j (UTC when no zone is given)", (text, iso) => {
    expect(parseIsoDate(text)?.toISOString()).toBe(iso);
  });

  it.each(["", "yesterday", "14/03/2026", "2026-3-14", "2025-02-29", "2026-04-31", "2026-01-01T24:00:00Z", "2026-01-01T23:60Z", "2026-01-01T00:00:00+25:00", "1710408341"])("refuse %j", (text) => {
    expect(parseIsoDate(text)).toBeNull();
  });
});
