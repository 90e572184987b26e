import { describe, expect, it } from "vitest";
import { hashSecret, mintToken, parseToken, scopeAllows, secretMatches } from "./token-format.ts";

describe("token format", () => {
  it("mints tokens that parse back to their id and verify against their hash", () => {
    const minted = mintToken();
    const parsed = parseToken(minted.token);
    expect(parsed?.id).toBe(minted.id);
    expect(secretMatches(parsed!.secret, minted.secretHash)).toBe(true);
  });

  it("mints distinct tokens", () => {
    const a = mintToken();
    const b = mintToken();
    expect(a.token).not.toBe(b.token);
    expect(a.id).not.toBe(b.id);
  });

  it("never stores the secret itself", () => {
    const minted = mintToken();
    const secret = parseToken(minted.token)!.secret;
    expect(minted.secretHash).not.toContain(secret);
    expect(minted.secretHash).toBe(hashSecret(secret));
  });

  it.each([
    ["empty", ""],
    ["wrong prefix", "abc_abcdefghijkl_" + "a".repeat(43)],
    ["short secret", "vgl_abcdefghijkl_short"],
    ["uppercase id", "vgl_ABCDEFGHIJKL_" + "a".repeat(43)],
    ["trailing junk", "vgl_abcdefghijkl_" + "a".repeat(43) + " "],
  ])("rejects a malformed token (%s)", (_name, text) => {
    expect(parseToken(text)).toBeUndefined();
  });

  it("rejects a wrong secret", () => {
    const minted = mintToken();
    expect(secretMatches("b".repeat(43), minted.secretHash)).toBe(false);
    expect(secretMatches("anything", "not-hex")).toBe(false);
  });

  it.each([
    ["read", "read", true],
    ["read", "write", false],
    ["write", "read", true],
    ["write", "admin", false],
    ["admin", "write", true],
    ["admin", "admin", true],
  ] as const)("scope %s allows %s: %s", (have, need, allowed) => {
    expect(scopeAllows(have, need)).toBe(allowed);
  });
});
