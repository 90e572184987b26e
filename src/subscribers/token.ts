/**
 * Stateless signed tokens for public subscribers: a confirmation link carries the whole pending
 * subscription, so nothing is stored until the subscriber clicks it; unsubscribe and manage links
 * carry the subscriber's id.
 *
 * Format: `base64url(JSON payload) "." base64url(HMAC-SHA256)`, the HMAC taken over a fixed context
 * string and the encoded payload (so a secret shared with another use cannot mint these). The
 * payload is signed, not encrypted: whoever holds a token can read it (their own address).
 * Expiry times are kept to whole seconds (rounded down).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod";

/** What a token stands for. Unsubscribe links never expire (RFC 8058 links live in old e-mails). */
export type TokenClaim =
  | { action: "confirm"; kind: "email" | "webhook"; address: string; components: string[] | null; expiresAt: Date }
  | { action: "unsubscribe"; subscriberId: string }
  | { action: "manage"; subscriberId: string; expiresAt: Date };

/** Why a token was refused. */
export type TokenFailure = "malformed" | "bad-signature" | "expired";

/** The longest token accepted or produced, in characters: room for a 2048-character webhook URL and a few components. */
export const maxTokenLength = 4096;

/** The shortest secret accepted, in bytes. */
export const minSecretBytes = 16;

const context = "vigil.subscriber-token.v1.";
const signatureLength = 43; // 32 bytes in unpadded base64url
const base64url = /^[A-Za-z0-9_-]+$/;
// Whole seconds up to the largest instant a Date holds.
const seconds = z.number().int().min(0).max(8_640_000_000);
const text = z.string().min(1).max(maxTokenLength);

// The payload, with one-letter keys to keep links short.
const Payload = z.discriminatedUnion("a", [
  z.strictObject({ a: z.literal("c"), k: z.enum(["e", "w"]), d: text, c: z.array(text).nullable(), x: seconds }),
  z.strictObject({ a: z.literal("u"), s: text }),
  z.strictObject({ a: z.literal("m"), s: text, x: seconds }),
]);
type Payload = z.output<typeof Payload>;

function toPayload(claim: TokenClaim): Payload {
  const x = (date: Date) => Math.floor(date.getTime() / 1000);
  switch (claim.action) {
    case "confirm":
      return { a: "c", k: claim.kind === "email" ? "e" : "w", d: claim.address, c: claim.components && [...claim.components], x: x(claim.expiresAt) };
    case "unsubscribe":
      return { a: "u", s: claim.subscriberId };
    case "manage":
      return { a: "m", s: claim.subscriberId, x: x(claim.expiresAt) };
  }
}

function toClaim(payload: Payload): TokenClaim {
  switch (payload.a) {
    case "c":
      return { action: "confirm", kind: payload.k === "e" ? "email" : "webhook", address: payload.d, components: payload.c, expiresAt: new Date(payload.x * 1000) };
    case "u":
      return { action: "unsubscribe", subscriberId: payload.s };
    case "m":
      return { action: "manage", subscriberId: payload.s, expiresAt: new Date(payload.x * 1000) };
  }
}

function sign(encodedPayload: string, secret: Uint8Array): string {
  return createHmac("sha256", secret).update(context).update(encodedPayload).digest("base64url");
}

/**
 * A token for `claim`, signed with `secret` (at least 16 bytes). Throws a RangeError for a shorter
 * secret, a claim verifyToken would call malformed (an empty address, an invalid date…), or a token
 * longer than `maxTokenLength` (too many components: the caller should refuse the subscription).
 */
export function signToken(claim: TokenClaim, secret: Uint8Array): string {
  if (secret.length < minSecretBytes) throw new RangeError(`the token secret must be at least ${minSecretBytes} bytes`);
  const parsed = Payload.safeParse(toPayload(claim));
  if (!parsed.success) throw new RangeError(`cannot sign this ${claim.action} claim: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const encoded = Buffer.from(JSON.stringify(parsed.data), "utf8").toString("base64url");
  const token = `${encoded}.${sign(encoded, secret)}`;
  if (token.length > maxTokenLength) throw new RangeError(`the token would be ${token.length} characters, more than ${maxTokenLength}`);
  return token;
}

/**
 * Checks a token and returns its claim. Anything that is not a token Vigil could have made (empty,
 * too long, not base64url, not JSON of the right shape) is `malformed`; a well-formed token not
 * signed with `secret`, or changed since, is `bad-signature` (compared in constant time); a signed
 * token past its expiry (`now >= expiresAt`) is `expired`. Never throws.
 */
export function verifyToken(token: string, secret: Uint8Array, now: Date): { ok: true; claim: TokenClaim } | { ok: false; reason: TokenFailure } {
  try {
    if (typeof token !== "string" || token.length === 0 || token.length > maxTokenLength) return { ok: false, reason: "malformed" };
    const parts = token.split(".");
    if (parts.length !== 2) return { ok: false, reason: "malformed" };
    const [encoded = "", signature = ""] = parts;
    if (!base64url.test(encoded) || !base64url.test(signature) || signature.length !== signatureLength) return { ok: false, reason: "malformed" };
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
    } catch {
      return { ok: false, reason: "malformed" };
    }
    const payload = Payload.safeParse(json);
    if (!payload.success) return { ok: false, reason: "malformed" };
    if (!(secret instanceof Uint8Array) || secret.length < minSecretBytes) return { ok: false, reason: "bad-signature" };
    // Comparing the encoded strings also refuses a signature whose last character differs only in unused bits.
    const expected = Buffer.from(sign(encoded, secret), "ascii");
    if (!timingSafeEqual(Buffer.from(signature, "ascii"), expected)) return { ok: false, reason: "bad-signature" };
    const claim = toClaim(payload.data);
    // Written so that an invalid `now` counts as expired.
    if ("expiresAt" in claim && !(now.getTime() < claim.expiresAt.getTime())) return { ok: false, reason: "expired" };
    return { ok: true, claim };
  } catch {
    return { ok: false, reason: "malformed" };
  }
}
