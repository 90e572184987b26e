import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The scopes of the API's ladder: each includes the ones before it. */
export const accessScopes = ["read", "write", "publish", "admin"] as const;
/**
 * Every scope a token can carry: the ladder, and `agent`, which stands apart: it may only fetch its region's
 * assignments and report results for that region, and no ladder scope may do what it does.
 */
export const tokenScopes = [...accessScopes, "agent"] as const;
export type TokenScope = (typeof tokenScopes)[number];

const PREFIX = "vgl";
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A freshly minted token: its public id and the secret string shown to the user exactly once. */
export interface MintedToken {
  id: string;
  token: string;
  secretHash: string;
}

/** Mints a token `vgl_<id>_<secret>`: 12 id characters and 256 random bits of secret. */
export function mintToken(random: (n: number) => Buffer = randomBytes): MintedToken {
  const idBytes = random(12);
  let idPart = "";
  for (const byte of idBytes) idPart += ID_ALPHABET[byte % ID_ALPHABET.length];
  const secret = random(32).toString("base64url");
  return { id: `tok_${idPart}`, token: `${PREFIX}_${idPart}_${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented token into its id and secret, or undefined when it is not shaped like one. */
export function parseToken(presented: string): { id: string; secret: string } | undefined {
  const match = /^vgl_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/.exec(presented);
  if (!match) return undefined;
  return { id: `tok_${match[1]}`, secret: match[2] as string };
}

/** Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Whether a token of scope `have` may do what needs scope `need`. */
export function scopeAllows(have: TokenScope, need: TokenScope): boolean {
  if (have === "agent" || need === "agent") return have === need;
  return accessScopes.indexOf(have) >= accessScopes.indexOf(need);
}
