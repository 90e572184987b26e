import { describe, expect, it } from "vitest";
import { trimWhere, withoutTrailingSlashes } from "./text.ts";

describe("trimming without patterns", () => {
  it("removes trailing slashes only", () => {
    expect(withoutTrailingSlashes("https://example.com///")).toBe("https://example.com");
    expect(withoutTrailingSlashes("/a//b/")).toBe("/a//b");
    expect(withoutTrailingSlashes("////")).toBe("");
    expect(withoutTrailingSlashes("")).toBe("");
  });

  it("trims both ends by a predicate", () => {
    const control = (code: number) => code <= 0x20;
    expect(trimWhere("\u0000 \tjavascript:x \n", control)).toBe("javascript:x");
    expect(trimWhere("   ", control)).toBe("");
  });

  it("takes a long run that does not reach the end in one pass", () => {
    // With /\/+$/ this input costs time quadratic in its length; counted in steps here, not timed.
    let steps = 0;
    const hostile = `${"/".repeat(100_000)}x`;
    const out = trimWhere(hostile, (code) => {
      steps++;
      return code === 0x2f;
    });
    expect(out).toBe("x");
    expect(steps).toBeLessThanOrEqual(hostile.length + 2);
  });
});
