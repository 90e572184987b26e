import { describe, expect, it } from "vitest";
import { resyncedOf, resyncedOfLastLine } from "./resynced.ts";

describe("a reconciliation's count of records resynced", () => {
  it.each<[string, string, number | undefined]>([
    ["a JSON object with resynced", '{"resynced": 42}', 42],
    ["with other keys and spaces around", '  {"ok": true, "resynced": 0, "skipped": 3}\n', 0],
    ["a count as a string", '{"resynced": "42"}', undefined],
    ["a negative count", '{"resynced": -1}', undefined],
    ["a fraction", '{"resynced": 4.5}', undefined],
    ["no resynced key", '{"synced": 42}', undefined],
    ["an array", "[42]", undefined],
    ["plain text", "resynced 42 records", undefined],
    ["JSON cut short", '{"resynced": 4', undefined],
    ["nothing", "", undefined],
  ])("%s: %j → %j", (_name, text, count) => {
    expect(resyncedOf(text)).toBe(count);
  });

  it("reads a command's last line that is not blank, not the lines before", () => {
    expect(resyncedOfLastLine('reading orders 10:02:10 to 10:31:40\n{"resynced": 1234}\n\n')).toBe(1234);
    expect(resyncedOfLastLine('{"resynced": 1234}\r\ndone\r\n')).toBeUndefined();
    expect(resyncedOfLastLine("")).toBeUndefined();
  });
});
