import { describe, expect, it } from "vitest";
import { jsonNestsDeeperThan } from "./json-depth.ts";

describe("jsonNestsDeeperThan", () => {
  it.each([
    ["{}", 1, false],
    ['{"a":[1,{"b":2}]}', 3, false],
    ['{"a":[1,{"b":2}]}', 2, true],
    ["[[[]]]", 3, false],
    ["[[[[]]]]", 3, true],
    // Brackets inside strings, escaped quotes included, do not count.
    ['{"a":"[[[[{{{{"}', 1, false],
    ['{"a":"\\"[[[[","b":1}', 1, false],
    ['["\\\\",[[1]]]', 2, true],
    // Not JSON at all: the parser says so; this only counts.
    ["]]]][", 1, false],
    ["", 1, false],
  ])("%s deeper than %i: %s", (text, limit, deeper) => {
    expect(jsonNestsDeeperThan(text, limit)).toBe(deeper);
  });

  it("reads a megabyte of nesting in one pass (JSON.parse would take a third of a second)", () => {
    const deep = `{"a":${"[".repeat(500_000)}${"]".repeat(500_000)}}`;
    expect(jsonNestsDeeperThan(deep, 64)).toBe(true);
    expect(jsonNestsDeeperThan(`{"a":"${"[".repeat(1_000_000)}"}`, 64)).toBe(false);
  });
});
