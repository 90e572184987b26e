import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store } from "../store/types.ts";
import { parseToken, scopeAllows, secretMatches, type TokenScope } from "./token-format.ts";

/** Who is making a request: a token's id, name and scope. */
export interface Principal {
  tokenId: string;
  name: string;
  scope: TokenScope;
  /** The region an agent token reports for. */
  region?: string;
}

/** The timeline actor string for a principal. */
export function actorOf(principal: Principal | undefined): string {
  return principal ? `token:${principal.tokenId}` : "system";
}

/**
 * What the one behind a command may do beyond writing: reach the public (the status page, its feeds, subscribers).
 * An API token of scope `write` may not; `publish` and `admin` may; Vigil's own callers may.
 */
export interface Rights {
  publish: boolean;
}

/** A principal's rights (scope publish or admin may publish). No principal: Vigil itself, which may. */
export function rightsOf(principal: Principal | undefined): Rights {
  return { publish: principal === undefined || scopeAllows(principal.scope, "publish") };
}

/**
 * Checks an Authorization header for a bearer token with at least `need` scope.
 * The messages never repeat what was presented.
 */
export async function authenticate(
  deps: { store: Pick<Store, "tokens">; clock: Clock },
  header: string | undefined,
  need: TokenScope,
): Promise<Principal> {
  if (!header) throw new AppError("unauthorized", "this endpoint needs a bearer token (Authorization: Bearer vgl_…)");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError("unauthorized", "the Authorization header must be 'Bearer <token>'");
  const parsed = parseToken(match[1] as string);
  const row = parsed ? await deps.store.tokens.get(parsed.id) : undefined;
  // One message for every kind of bad token, so that a caller learns nothing about which ids exist.
  if (!parsed || !row || row.revokedAt !== null || !secretMatches(parsed.secret, row.secretHash)) {
    throw new AppError("unauthorized", "the bearer token is not valid");
  }
  const now = deps.clock.now();
  // Told apart from a bad token only once the secret matched: the holder learns when their own token ran out.
  if (row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime()) {
    throw new AppError("unauthorized", `the bearer token expired at ${row.expiresAt.toISOString()}`);
  }
  if (!scopeAllows(row.scope, need)) {
    throw new AppError("forbidden", `this endpoint needs a token with scope ${need}; this token has scope ${row.scope}`);
  }
  // last_used_at is for humans auditing tokens: minute precision spares a write per request.
  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() >= 60_000) await deps.store.tokens.touch(row.id, now);
  return { tokenId: row.id, name: row.name, scope: row.scope, ...(row.region === null ? {} : { region: row.region }) };
}
