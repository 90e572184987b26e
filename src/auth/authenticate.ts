import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store, UserRole } from "../store/types.ts";
import { actionsOf, leastRoleFor, lowerRole, type ConsoleAction, type LegacyScope } from "./roles.ts";
import { parseToken, secretMatches, type TokenScope } from "./token-format.ts";
import { resolveSession } from "./session.ts";
import type { SessionPolicy } from "./session-expiry.ts";

/** What a route needs: one of the roles' actions, or an agent token (which stands apart from roles). */
export type Permission = ConsoleAction | "agent";

/** Who is making a request: a token or a console session, the role it acts as and what that role may do. */
export interface Principal {
  /** The token's id; null for a console session. */
  tokenId: string | null;
  name: string;
  /** The legacy scope the token was made with (a ceiling on its role), `agent`, or null. */
  scope: TokenScope | null;
  /** The role the token acts as: the lower of its own and its user's; null for an agent token. */
  role: UserRole | null;
  /** What it may do. */
  actions: ReadonlySet<ConsoleAction>;
  /** The console user the token belongs to. */
  user?: { id: string; email: string };
  /** The region an agent token reports for. */
  region?: string;
}

/** The timeline actor string for a principal: `token:<id>`, `user:<id>` for a console session, or `system`. */
export function actorOf(principal: Principal | undefined): string {
  if (principal === undefined) return "system";
  return principal.tokenId === null ? `user:${principal.user?.id ?? "unknown"}` : `token:${principal.tokenId}`;
}

/**
 * What the one behind a command may do beyond writing: reach the public (the status page, its feeds, subscribers).
 * A token whose role lacks incidents.publish may not (a legacy scope-`write` token); Vigil's own callers may.
 */
export interface Rights {
  publish: boolean;
}

/** A principal's rights. No principal: Vigil itself, which may publish. */
export function rightsOf(principal: Principal | undefined): Rights {
  return { publish: principal === undefined || principal.actions.has("incidents.publish") };
}

/** The 403 message for a role that lacks an action: it names the action and the role held. */
export function forbiddenMessage(need: ConsoleAction, held: { role: UserRole; scope?: TokenScope | null; what: string }): string {
  const limited = held.scope === "write" && held.role === "responder" ? " limited by its scope write, which never reaches the public" : "";
  return `this needs the action ${need} (role ${leastRoleFor(need)} or above); ${held.what} has role ${held.role}${limited}`;
}

/**
 * Checks an Authorization header for a bearer token allowed to do `need`.
 * The messages never repeat what was presented.
 */
export async function authenticate(
  deps: { store: Pick<Store, "tokens" | "users" | "sessions">; clock: Clock; sessions?: SessionPolicy },
  header: string | undefined,
  need: Permission,
): Promise<Principal> {
  if (!header) throw new AppError("unauthorized", "this endpoint needs a bearer token (Authorization: Bearer vgl_…)");
  const session = /^Session\s+(\S+)\s*$/i.exec(header);
  if (session && deps.sessions !== undefined) return sessionPrincipal({ ...deps, sessions: deps.sessions }, session[1] as string, need);
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
  let principal: Principal;
  if (row.scope === "agent" || row.role === null) {
    if (need !== "agent") throw new AppError("forbidden", `this endpoint needs the action ${need}; an agent token may only fetch assignments and report results`);
    principal = { tokenId: row.id, name: row.name, scope: row.scope, role: null, actions: new Set(), ...(row.region === null ? {} : { region: row.region }) };
  } else {
    let role = row.role;
    let user: Principal["user"];
    if (row.ownerUserId !== null) {
      // A user's token follows its user: disabled or gone, it stops; a lowered role lowers it.
      const owner = await deps.store.users.get(row.ownerUserId);
      if (owner === undefined || owner.disabledAt !== null) throw new AppError("unauthorized", "the bearer token's user is disabled or no longer exists");
      role = lowerRole(role, owner.role);
      user = { id: owner.id, email: owner.email };
    }
    const actions = actionsOf(role, row.scope as LegacyScope | null);
    if (need === "agent") throw new AppError("forbidden", `this endpoint is for probe agents: it needs a token of scope agent; this token has role ${role}`);
    if (!actions.has(need)) throw new AppError("forbidden", forbiddenMessage(need, { role, scope: row.scope, what: "this token" }));
    principal = { tokenId: row.id, name: row.name, scope: row.scope, role, actions, ...(user ? { user } : {}) };
  }
  // last_used_at is for humans auditing tokens: minute precision spares a write per request.
  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() >= 60_000) await deps.store.tokens.touch(row.id, now);
  return principal;
}

/**
 * A console session standing for its user (`Authorization: Session <the session cookie's value>`): how the console's
 * pages call this API for the signed-in user, with the user's role. A browser never sends such a header by itself, so
 * a page of another site cannot make one; the session's expiry applies, and each use counts as activity.
 */
async function sessionPrincipal(
  deps: { store: Pick<Store, "users" | "sessions">; clock: Clock; sessions: SessionPolicy },
  secret: string,
  need: Permission,
): Promise<Principal> {
  const signedIn = await resolveSession(deps, secret);
  if (!signedIn) throw new AppError("unauthorized", "the session has ended: sign in again");
  const { user } = signedIn;
  if (need === "agent") throw new AppError("forbidden", "this endpoint is for probe agents: it needs a token of scope agent");
  const actions = actionsOf(user.role, null);
  if (!actions.has(need)) throw new AppError("forbidden", forbiddenMessage(need, { role: user.role, what: "your account" }));
  return { tokenId: null, name: user.email, scope: null, role: user.role, actions, user: { id: user.id, email: user.email } };
}
