/** The random secrets of the console: session cookies and set-password links. Only their SHA-256 is stored. */
import { randomBytes } from "node:crypto";
import { hashSecret } from "./token-format.ts";

/** A fresh 256-bit secret as base64url (43 characters), and the hash the store keeps. */
export function mintSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString("base64url");
  return { secret, hash: hashSecret(secret) };
}

/** The hash of a presented secret, or undefined when it is not shaped like one (so nothing odd reaches the store). */
export function hashOfPresented(presented: string | undefined): string | undefined {
  return presented !== undefined && /^[A-Za-z0-9_-]{43}$/.test(presented) ? hashSecret(presented) : undefined;
}
