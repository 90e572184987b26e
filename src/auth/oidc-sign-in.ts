import type { Clock } from "../core/clock.ts";
import { isAppError } from "../core/errors.ts";
import type { Store, UserRow } from "../store/types.ts";
import { newUserId } from "./add-user.ts";
import { decideSignIn, type OidcIdentity, type OidcPolicy, type OidcRefusal } from "./oidc.ts";
import { startSession } from "./sign-in.ts";
import type { SessionPolicy } from "./session-expiry.ts";

/** What a single sign-on came to: a session for a user (created or given the provider's role), or a refusal. */
export type OidcSignInOutcome =
  | { ok: true; user: UserRow; sessionSecret: string; created: boolean; roleChanged: boolean }
  | { ok: false; reason: OidcRefusal; email: string | undefined; userId: string | undefined };

/**
 * Signs in the person the provider vouched for: the user with that e-mail (any case), whose role becomes the one the
 * provider gives when it gives one, or a new user without a password. No TOTP step: the provider did the sign-in.
 */
export async function signInWithOidc(
  deps: { store: Pick<Store, "users" | "sessions" | "events" | "transaction">; clock: Clock; sessions: SessionPolicy },
  input: { policy: OidcPolicy; identity: OidcIdentity; address: string; userAgent: string | undefined },
): Promise<OidcSignInOutcome> {
  const now = deps.clock.now();
  const lookup = input.identity.email === undefined ? undefined : await deps.store.users.byEmail(input.identity.email);
  const decision = decideSignIn(input.policy, input.identity, lookup && { role: lookup.role, disabled: lookup.disabledAt !== null });
  if (!decision.ok) return { ok: false, reason: decision.reason, email: decision.email, userId: lookup?.id };
  let user = lookup;
  let created = false;
  if (user === undefined) {
    const row = { id: newUserId(), email: decision.email, role: decision.role ?? "viewer", createdAt: now };
    try {
      await deps.store.transaction(async (tx) => {
        await tx.users.create(row);
        await tx.events.append({ at: now, kind: "user.created", subject: row.id, actor: `user:${row.id}`, data: { email: row.email, role: row.role, via: "oidc" } });
      });
      user = { ...row, passwordHash: null, updatedAt: now, disabledAt: null };
      created = true;
    } catch (error) {
      // Two first sign-ins at once: the other made the user; sign in as them.
      if (!isAppError(error) || error.code !== "conflict") throw error;
      user = await deps.store.users.byEmail(decision.email);
      if (user === undefined) throw error;
    }
  }
  const roleChanged = !created && decision.role !== undefined && decision.role !== user.role;
  if (roleChanged && decision.role !== undefined) {
    await deps.store.users.setRole(user.id, decision.role, now);
    await deps.store.events.append({ at: now, kind: "user.role_changed", subject: user.id, actor: `user:${user.id}`, data: { from: user.role, to: decision.role, via: "oidc" } });
    user = { ...user, role: decision.role, updatedAt: now };
  }
  const session = await startSession(deps, user, input, now, { method: "oidc" });
  return { ...session, created, roleChanged };
}
