import { describe, expect, it } from "vitest";
import { canaryName } from "./vantage.ts";

describe("canaryName", () => {
  it("is the canary's name, else its type and place in the list, never its address", () => {
    expect(canaryName({ type: "tcp", name: "dns", timeout: 5_000, settings: { host: "1.1.1.1", port: 53 } }, 0)).toBe("dns");
    expect(canaryName({ type: "postgres", timeout: 5_000, settings: { url: "postgres://vigil:secret@db.example.com/vigil" } }, 1)).toBe("postgres #2");
  });
});
