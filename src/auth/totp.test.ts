import { describe, expect, it } from "vitest";
import { hashRecoveryCode, looksLikeRecoveryCode, matchTotp, mintRecoveryCodes, newTotpSecret, totpCode, totpUri } from "./totp.ts";

// RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" (base32 below) and its 8-digit codes; ours are the last 6.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

describe("TOTP", () => {
  it.each([
    ["1970-01-01T00:00:59Z", "287082"],
    ["2005-03-18T01:58:29Z", "081804"],
    ["2009-02-13T23:31:30Z", "005924"],
    ["2033-05-18T03:33:20Z", "279037"],
  ])("computes RFC 6238's code at %s", (at, code) => {
    expect(totpCode(rfcSecret, new Date(at))).toBe(code);
  });

  it("accepts a code for the step before and after, and not two steps away; it returns the step the code was for", () => {
    const secret = newTotpSecret();
    const at = new Date("2026-12-01T09:00:15Z");
    const step = Math.floor(at.getTime() / 30_000);
    const code = totpCode(secret, at);
    expect(matchTotp(secret, code, at)).toBe(step);
    expect(matchTotp(secret, code, new Date(at.getTime() + 30_000))).toBe(step);
    expect(matchTotp(secret, code, new Date(at.getTime() - 30_000))).toBe(step);
    expect(matchTotp(secret, code, new Date(at.getTime() + 60_000))).toBeUndefined();
    expect(matchTotp(secret, ` ${code.slice(0, 3)} ${code.slice(3)} `, at)).toBe(step);
  });

  it("refuses codes that are not six digits", () => {
    const secret = newTotpSecret();
    for (const code of ["", "12345", "1234567", "abcdef", "12345a"]) expect(matchTotp(secret, code, new Date())).toBeUndefined();
  });

  it("makes a 160-bit base32 secret and the URI authenticator apps read", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri({ secret, issuer: "Acme Status", account: "ada@example.com" }));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Acme Status:ada@example.com");
    expect(Object.fromEntries(uri.searchParams)).toEqual({ issuer: "Acme Status", secret, algorithm: "SHA1", digits: "6", period: "30" });
  });
});

describe("recovery codes", () => {
  it("mints ten distinct codes of 80 bits, hashed whatever their case and dashes", () => {
    const codes = mintRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const code = codes[0] as string;
    expect(hashRecoveryCode(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode(code.toUpperCase().replace(/-/g, " "))).toBe(hashRecoveryCode(code));
    expect(hashRecoveryCode(codes[1] as string)).not.toBe(hashRecoveryCode(code));
  });

  it("tells a recovery code from a TOTP code and from junk", () => {
    expect(looksLikeRecoveryCode("k7dq-mx2a-9fzn-e4wp")).toBe(true);
    expect(looksLikeRecoveryCode("123456")).toBe(false);
    expect(looksLikeRecoveryCode("k7dq-mx2a-9fzn-e4w")).toBe(false);
    expect(hashRecoveryCode("0000-0000-0000-0000")).toBeUndefined();
  });
});
