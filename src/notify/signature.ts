/**
 * Vigil's request signatures (the format of Stripe's and Slack's): `Vigil-Timestamp: <unix seconds>` and
 * `Vigil-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, one `v1=` entry per secret while a secret is
 * rotated (PagerDuty's way). Used by webhook channels, subscriber webhooks and webhook actions; receivers check a
 * request with `verifyWebhookSignature`, which also rejects a timestamp outside a window (a replayed request).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Whole seconds since the epoch. */
export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** The value of `Vigil-Signature` for `body` sent at `timestamp` (unix seconds). */
export function webhookSignature(body: string | Uint8Array, timestamp: number, secret: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

/** Why a signature was refused. */
export type SignatureFailure = "missing" | "malformed" | "expired" | "mismatch";

/** Request headers as Node's IncomingMessage or fetch's Headers hold them. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * Checks a Vigil webhook request, for receivers: `body` must be the raw body exactly as received
 * (not re-serialised JSON). Accepts any `v1=` entry of a comma-separated list (so a sender may
 * sign with two secrets while rotating); compares in constant time; rejects a timestamp more than
 * `toleranceS` seconds from `now` either way, so a captured request cannot be replayed later.
 */
export function verifyWebhookSignature(
  body: string | Uint8Array,
  headers: HeaderSource,
  secret: string,
  now: Date,
  toleranceS = 300,
): { ok: true } | { ok: false; reason: SignatureFailure } {
  const timestampText = header(headers, "vigil-timestamp")?.trim();
  const signatureText = header(headers, "vigil-signature");
  if (timestampText === undefined || signatureText === undefined) return { ok: false, reason: "missing" };
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: "malformed" };
  const timestamp = Number(timestampText);
  const candidates = signatureText
    .split(/[,\s]+/)
    .filter((part) => part.startsWith("v1="))
    .map((part) => part.slice(3))
    .filter((hex) => /^[0-9a-fA-F]{64}$/.test(hex));
  if (candidates.length === 0) return { ok: false, reason: "malformed" };
  if (Math.abs(unixSeconds(now) - timestamp) > toleranceS) return { ok: false, reason: "expired" };
  const expected = Buffer.from(webhookSignature(body, timestamp, secret).slice(3), "hex");
  // Every candidate is compared, so the time taken does not say which one matched.
  let matched = false;
  for (const hex of candidates) matched = timingSafeEqual(Buffer.from(hex, "hex"), expected) || matched;
  return matched ? { ok: true } : { ok: false, reason: "mismatch" };
}

/**
 * The signature headers of `body` sent at `now`: one `v1=` entry per secret, in the order given (newest first while
 * rotating), so that a receiver that knows any one of them accepts the request.
 */
export function signatureHeaders(body: string | Uint8Array, now: Date, secrets: readonly string[]): { "vigil-timestamp": string; "vigil-signature": string } {
  const timestamp = unixSeconds(now);
  return { "vigil-timestamp": String(timestamp), "vigil-signature": secrets.map((secret) => webhookSignature(body, timestamp, secret)).join(",") };
}
