import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { maxTokenLength, signToken, verifyToken, type TokenClaim } from "./token.ts";

const secret = new TextEncoder().encode("0123456789abcdef0123456789abcdef");
const otherSecret = new TextEncoder().encode("fedcba9876543210fedcba9876543210");
const now = new Date("2026-03-14T09:00:00.000Z");
const later = new Date("2026-03-15T09:00:00.000Z");

const claims: TokenClaim[] = [
  { action: "confirm", kind: "email", address: "ada@example.com", components: ["orders-db", "api"], expiresAt: later },
  { action: "confirm", kind: "webhook", address: "https://hooks.example.com/vigil?x=1", components: null, expiresAt: later },
  { action: "unsubscribe", subscriberId: "sub_01HZX" },
  { action: "manage", subscriberId: "sub_01HZX", expiresAt: later },
];

/** `token` with the character at `index` replaced by another base64url character. */
function flip(token: string, index: number): string {
  const replacement = token[index] === "A" ? "B" : "A";
  return token.slice(0, index) + replacement + token.slice(index + 1);
}

describe("signed subscriber tokens", () => {
  it.each(claims)("round-trip a $action claim", (claim) => {
    const token = signToken(claim, secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyToken(token, secret, now)).toEqual({ ok: true, claim });
  });

  it("keep payload keys short", () => {
    const token = signToken(claims[0]!, secret);
    const json = Buffer.from(token.split(".")[0]!, "base64url").toString("utf8");
    expect(JSON.parse(json)).toEqual({ a: "c", k: "e", d: "ada@example.com", c: ["orders-db", "api"], x: later.getTime() / 1000 });
  });

  it("refuse a token signed with another secret", () => {
    for (const claim of claims) expect(verifyToken(signToken(claim, otherSecret), secret, now)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuse a token changed at any position", () => {
    const token = signToken(claims[0]!, secret);
    for (let i = 0; i < token.length; i++) {
      const tampered = flip(token, i);
      if (tampered === token) continue;
      const result = verifyToken(tampered, secret, now);
      expect(result.ok, `position ${i}`).toBe(false);
    }
  });

  it("refuse a re-signed payload with a changed address as a bad signature", () => {
    const token = signToken(claims[0]!, secret);
    const [, signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ a: "c", k: "e", d: "eve@example.com", c: null, x: later.getTime() / 1000 })).toString("base64url");
    expect(verifyToken(`${forged}.${signature}`, secret, now)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuse a swapped signature between two valid tokens", () => {
    const [p1] = signToken(claims[2]!, secret).split(".");
    const [, s2] = signToken({ action: "unsubscribe", subscriberId: "sub_other" }, secret).split(".");
    expect(verifyToken(`${p1}.${s2}`, secret, now)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("expire confirm and manage tokens at expiresAt, never unsubscribe tokens", () => {
    const confirm = signToken(claims[0]!, secret);
    const manage = signToken(claims[3]!, secret);
    const unsubscribe = signToken(claims[2]!, secret);
    expect(verifyToken(confirm, secret, new Date(later.getTime() - 1)).ok).toBe(true);
    expect(verifyToken(confirm, secret, later)).toEqual({ ok: false, reason: "expired" });
    expect(verifyToken(manage, secret, new Date(later.getTime() + 1))).toEqual({ ok: false, reason: "expired" });
    expect(verifyToken(unsubscribe, secret, new Date("2099-01-01T00:00:00Z")).ok).toBe(true);
    expect(verifyToken(confirm, secret, new Date(Number.NaN))).toEqual({ ok: false, reason: "expired" });
  });

  it("check the signature before the expiry", () => {
    const expired = signToken(claims[0]!, otherSecret);
    expect(verifyToken(expired, secret, new Date("2099-01-01T00:00:00Z"))).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("keep expiry to whole seconds, rounded down", () => {
    const token = signToken({ action: "manage", subscriberId: "s", expiresAt: new Date("2026-03-15T09:00:00.999Z") }, secret);
    expect(verifyToken(token, secret, now)).toEqual({ ok: true, claim: { action: "manage", subscriberId: "s", expiresAt: new Date("2026-03-15T09:00:00.000Z") } });
  });

  const sig = "A".repeat(43);
  const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
  it.each([
    ["empty", ""],
    ["a dot", "."],
    ["no signature", "eyJhIjoidSJ9"],
    ["three parts", `${b64({ a: "u", s: "x" })}.${sig}.${sig}`],
    ["not base64url", `${b64({ a: "u", s: "x" })}+/=.${sig}`],
    ["a padded signature", `${b64({ a: "u", s: "x" })}.${sig}=`],
    ["a short signature", `${b64({ a: "u", s: "x" })}.${sig.slice(1)}`],
    ["spaces", ` ${b64({ a: "u", s: "x" })}.${sig}`],
    ["huge", `${"A".repeat(maxTokenLength)}.${sig}`],
    ["not JSON", `${b64("not json{")}.${sig}`],
    ["JSON null", `${b64(null)}.${sig}`],
    ["a JSON array", `${b64([1, 2])}.${sig}`],
    ["an unknown action", `${b64({ a: "z", s: "x" })}.${sig}`],
    ["a missing field", `${b64({ a: "m", s: "x" })}.${sig}`],
    ["an extra field", `${b64({ a: "u", s: "x", admin: true })}.${sig}`],
    ["a string expiry", `${b64({ a: "m", s: "x", x: "2026" })}.${sig}`],
    ["a fractional expiry", `${b64({ a: "m", s: "x", x: 1.5 })}.${sig}`],
    ["a negative expiry", `${b64({ a: "m", s: "x", x: -1 })}.${sig}`],
    ["an unknown kind", `${b64({ a: "c", k: "sms", d: "x", c: null, x: 1 })}.${sig}`],
    ["components not an array", `${b64({ a: "c", k: "e", d: "x", c: "api", x: 1 })}.${sig}`],
    ["an empty subscriber id", `${b64({ a: "u", s: "" })}.${sig}`],
    ["__proto__", `${b64('{"a":"u","s":"x","__proto__":{"polluted":true}}')}.${sig}`],
  ])("call %s malformed without throwing", (_name, token) => {
    expect(verifyToken(token, secret, now)).toEqual({ ok: false, reason: "malformed" });
  });

  it("call a correctly signed payload of the wrong shape malformed", () => {
    // The real HMAC of a payload, computed as signToken does (the same computation accepts a payload of the right shape).
    const hmac = (encoded: string) => createHmac("sha256", secret).update("vigil.subscriber-token.v1.").update(encoded).digest("base64url");
    const good = b64({ a: "u", s: "x" });
    expect(verifyToken(`${good}.${hmac(good)}`, secret, now)).toEqual({ ok: true, claim: { action: "unsubscribe", subscriberId: "x" } });
    for (const wrong of [{ a: "u" }, { a: "u", s: 7 }, { a: "m", s: "x", x: 1.5 }, "[]"]) {
      const encoded = b64(wrong);
      expect(verifyToken(`${encoded}.${hmac(encoded)}`, secret, now)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("never throw for inputs that are not even strings", () => {
    for (const input of [undefined, null, 42, ["a.b"], { token: "x" }]) {
      expect(verifyToken(input as unknown as string, secret, now)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("refuse to sign with a short secret, an invalid claim or a token too long", () => {
    expect(() => signToken(claims[2]!, new Uint8Array(8))).toThrow(RangeError);
    expect(() => signToken({ action: "unsubscribe", subscriberId: "" }, secret)).toThrow(/subscriber|s:/);
    expect(() => signToken({ action: "manage", subscriberId: "s", expiresAt: new Date(Number.NaN) }, secret)).toThrow(RangeError);
    const many = Array.from({ length: 400 }, (_, i) => `component-${i}`);
    expect(() => signToken({ action: "confirm", kind: "email", address: "a@b.co", components: many, expiresAt: later }, secret)).toThrow(/more than 4096/);
  });

  it("refuse every token when verifying with a short secret", () => {
    expect(verifyToken(signToken(claims[2]!, secret), new Uint8Array(0), now)).toEqual({ ok: false, reason: "bad-signature" });
  });
});
