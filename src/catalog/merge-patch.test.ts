import { describe, expect, it } from "vitest";
import { mergePatch } from "./merge-patch.ts";

describe("mergePatch", () => {
  it.each([
    [{ a: 1, b: 2 }, { b: null }, { a: 1 }],
    [{ a: 1, h: { x: "1", y: "2" } }, { h: { y: "3" } }, { a: 1, h: { x: "1", y: "3" } }],
    [{ list: [1, 2] }, { list: [3] }, { list: [3] }],
    [{ a: 1 }, { b: { c: null, d: 1 } }, { a: 1, b: { d: 1 } }],
  ])("%j patched by %j is %j", (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });
});
