import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store, TokenRow, UserRole } from "../store/types.ts";
import { parseDuration } from "../core/duration.ts";
import { isUserRole, roleAtMost, roleOfScope } from "./roles.ts";
import { mintToken, tokenScopes, type TokenScope } from "./token-format.ts";

/** A created token: the stored row (without its hash) and the secret, shown once. */
export interface CreatedToken {
  token: string;
  row: Omit<TokenRow, "secretHash">;
}

/**
 * When a token made at `now` expires, from what a person typed: a duration from now ("90d", "12h", "1d12h") or an
 * ISO 8601 time with a zone. AppError validation_failed, naming `path`, for anything else.
 */
export function expiryFrom(text: string, now: Date, path = "expires"): Date {
  const ms = parseDuration(text.trim());
  if (ms !== undefined && ms > 0) return new Date(now.getTime() + ms);
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i.test(text.trim()) ? new Date(text.trim()) : null;
  if (iso !== null && !Number.isNaN(iso.getTime())) return iso;
  const message = `expected a duration such as 90d or an ISO 8601 time with a zone such as 2027-03-01T00:00:00Z, got "${text.slice(0, 40)}"`;
  throw new AppError("validation_failed", `${path}: ${message}`, { details: [{ path, message }] });
}

function invalid(path: string, message: string): AppError {
  return new AppError("validation_failed", `${path}: ${message}`, { details: [{ path, message }] });
}

/**
 * Creates an API token; the secret is returned here and never again. It carries a `role`, or a legacy `scope` (which
 * stands for a role and stays its ceiling: see src/auth/roles.ts), or scope `agent`. With `user` (an email) it belongs
 * to that console user and may not have a role above theirs; without, it is a named service's token.
 */
export async function createToken(
  deps: { store: Pick<Store, "tokens" | "events" | "users">; clock: Clock },
  input: { name: string; role?: string; scope?: TokenScope; user?: string; actor: string; expiresAt?: Date | null; region?: string | null },
): Promise<CreatedToken> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) {
    throw new AppError("validation_failed", "token name must be 1 to 100 characters", { details: [{ path: "name", message: "must be 1 to 100 characters" }] });
  }
  if (input.role !== undefined && input.scope !== undefined) throw invalid("role", "give a role or a scope, not both (a scope stands for a role: read viewer, write and publish responder, admin owner)");
  if (input.role !== undefined && !isUserRole(input.role)) throw invalid("role", `expected one of owner, admin, responder, viewer, got "${input.role.slice(0, 40)}"`);
  if (input.scope !== undefined && !(tokenScopes as readonly string[]).includes(input.scope)) throw invalid("scope", `expected one of ${tokenScopes.join(", ")}`);
  // Neither: a viewer, as scope read was.
  const scope: TokenScope | null = input.scope ?? null;
  const role: UserRole | null = input.role !== undefined ? (input.role as UserRole) : scope === "agent" ? null : scope === null ? "viewer" : roleOfScope[scope];
  const createdAt = deps.clock.now();
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && !(expiresAt.getTime() > createdAt.getTime())) {
    const message = Number.isNaN(expiresAt.getTime()) ? "must be a valid time" : `must be later than now (${createdAt.toISOString()})`;
    throw new AppError("validation_failed", `token expiry ${message}`, { details: [{ path: "expires_at", message }] });
  }
  let ownerUserId: string | null = null;
  if (input.user !== undefined) {
    if (scope === "agent") throw invalid("user", "an agent token belongs to no user");
    const owner = await deps.store.users.byEmail(input.user.trim());
    if (owner === undefined) throw invalid("user", `no console user with the email ${input.user.trim().slice(0, 100)}`);
    if (owner.disabledAt !== null) throw invalid("user", `${owner.email} is disabled`);
    if (role !== null && !roleAtMost(role, owner.role)) throw invalid("role", `${owner.email} has role ${owner.role}: a token of theirs may not have role ${role}`);
    ownerUserId = owner.id;
  }
  const region = regionOf(scope, input.region ?? null);
  const minted = mintToken();
  await deps.store.tokens.create({ id: minted.id, name, scope, role, ownerUserId, secretHash: minted.secretHash, createdAt, expiresAt, region });
  await deps.store.events.append({
    at: createdAt,
    kind: "token.created",
    subject: minted.id,
    actor: input.actor,
    data: { name, scope, role, owner_user_id: ownerUserId, expires_at: expiresAt?.toISOString() ?? null, region },
  });
  return { token: minted.token, row: { id: minted.id, name, scope, role, ownerUserId, createdAt, lastUsedAt: null, revokedAt: null, expiresAt, region } };
}

/** An agent token needs the one region it reports for (an id, as in the config's `regions`); no other token takes one. */
function regionOf(scope: TokenScope | null, region: string | null): string | null {
  if (scope !== "agent") {
    if (region === null) return null;
    throw new AppError("validation_failed", `a region is given only to tokens of scope agent, not ${scope ?? "a token with a role"}`, { details: [{ path: "region", message: "only for scope agent" }] });
  }
  if (region === null) throw new AppError("validation_failed", "a token of scope agent needs the region it reports for (--region ID)", { details: [{ path: "region", message: "required for scope agent" }] });
  if (region.length > 63 || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(region)) {
    throw new AppError("validation_failed", `region "${region.slice(0, 70)}" is not a region id: lowercase letters, digits and hyphens`, { details: [{ path: "region", message: "expected a region id such as eu-west" }] });
  }
  return region;
}
