/**
 * TOTP (RFC 6238) as authenticator apps read it: SHA-1, 6 digits, 30-second steps, a 160-bit secret in base32. A code
 * is accepted for the current step or one either side (a phone's clock a little off); the step it matched is returned
 * so that the caller can refuse it a second time. Recovery codes are 80 random bits each, stored as SHA-256.
 */
import { randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import { hashSecret } from "./token-format.ts";

/** The seconds a code lasts. */
export const totpPeriodSeconds = 30;
/** How many recovery codes a user gets at enrolment. */
export const recoveryCodeCount = 10;

/** A fresh 160-bit TOTP secret in base32 (32 characters), as RFC 4226 recommends. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app reads (as a QR code or pasted). */
export function totpUri(input: { secret: string; issuer: string; account: string }): string {
  return totp(input.secret, input.issuer, input.account).toString();
}

function totp(secret: string, issuer = "Vigil", label = "console"): TOTP {
  return new TOTP({ issuer, label, algorithm: "SHA1", digits: 6, period: totpPeriodSeconds, secret: Secret.fromBase32(secret) });
}

/** The step (30-second period since the epoch) a 6-digit code matches at `now`, within one step either side; undefined when none. */
export function matchTotp(secret: string, code: string, now: Date): number | undefined {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return undefined;
  const timestamp = now.getTime();
  const delta = totp(secret).validate({ token, timestamp, window: 1 });
  return delta === null ? undefined : TOTP.counter({ period: totpPeriodSeconds, timestamp }) + delta;
}

/** The code of `secret` at `at` (tests, and nothing else in Vigil, generate codes). */
export function totpCode(secret: string, at: Date): string {
  return totp(secret).generate({ timestamp: at.getTime() });
}

const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"; // 32 symbols, without 0/o and 1/l

/** Fresh recovery codes, shown once: four groups of four (80 bits), e.g. `k7dq-mx2a-9fzn-e4wp`. */
export function mintRecoveryCodes(count = recoveryCodeCount): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(16);
    const chars = Array.from(bytes, (b) => alphabet[b & 31]).join("");
    return chars.match(/.{4}/g)!.join("-");
  });
}

/** Whether a presented code is shaped like a recovery code (spaces, dashes and case do not matter). */
export function looksLikeRecoveryCode(code: string): boolean {
  return normalizedRecovery(code) !== undefined;
}

function normalizedRecovery(code: string): string | undefined {
  const bare = code.toLowerCase().replace(/[\s-]/g, "");
  return new RegExp(`^[${alphabet}]{16}$`).test(bare) ? bare : undefined;
}

/** The SHA-256 the store keeps of a recovery code; undefined when it is not shaped like one. */
export function hashRecoveryCode(code: string): string | undefined {
  const bare = normalizedRecovery(code);
  return bare === undefined ? undefined : hashSecret(`vigil recovery\0${bare}`);
}
