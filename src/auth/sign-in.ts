import type { Clock } from "../core/clock.ts";
import type { Store, UserRow } from "../store/types.ts";
import { limitKeys, recordSuccess, startAttempt, withdrawAttempt, type LimiterState, type LoginLimits } from "./login-limiter.ts";
import { passwordMatches } from "./password-hash.ts";
import { hasSecondFactor } from "./second-factor.ts";
import { mintSecret } from "./secrets.ts";
import { sessionTimes, type SessionPolicy } from "./session-expiry.ts";

/** The one answer to a wrong e-mail, a wrong password, a user without a password yet and a disabled user. */
export const signInRefusedMessage = "the e-mail address or the password is not right";

/** What signing in came to: a session (its secret goes in the cookie, once), a refusal, or a wait. */
export type SignInOutcome =
  | { ok: true; user: UserRow; sessionSecret: string }
  | { ok: false; reason: "refused" }
  /** The password was right and the user has a second factor: the challenge's secret goes in a short-lived cookie. */
  | { ok: false; reason: "second_factor"; challengeSecret: string }
  | { ok: false; reason: "rate_limited"; retryAfterMs: number };

/** How long the second step of a sign-in may take. */
export const challengeTtlMs = 5 * 60_000;

/** Signs a user in with e-mail and password, counting failures per account and per address; a second factor makes it a challenge. */
export async function signIn(
  deps: { store: Pick<Store, "users" | "sessions" | "events" | "secondFactors" | "loginChallenges">; clock: Clock; limiter: LimiterState; limits: LoginLimits; sessions: SessionPolicy },
  input: { email: string; password: string; address: string; userAgent: string | undefined },
): Promise<SignInOutcome> {
  const keys = limitKeys(input.email, input.address);
  const startedAt = deps.clock.now().getTime();
  const limit = startAttempt(deps.limiter, deps.limits, keys, startedAt);
  if (!limit.allowed) return { ok: false, reason: "rate_limited", retryAfterMs: limit.retryAfterMs };
  const user = input.email.length <= 254 && input.password.length <= 1024 ? await deps.store.users.byEmail(input.email.trim()) : undefined;
  const usable = user !== undefined && user.disabledAt === null ? user.passwordHash : null;
  const matches = await passwordMatches(input.password.slice(0, 1024), usable);
  const now = deps.clock.now();
  if (!matches || user === undefined) return { ok: false, reason: "refused" };
  if (await hasSecondFactor(deps, user.id)) {
    // The right password is no failure, but the account's failures are forgotten only once the code is right too.
    withdrawAttempt(deps.limiter, keys, startedAt);
    const challenge = mintSecret();
    // Challenges never finished are cleared here, by the next sign-in that makes one.
    await deps.store.loginChallenges.prune(now);
    await deps.store.loginChallenges.create({ idHash: challenge.hash, userId: user.id, createdAt: now, expiresAt: new Date(now.getTime() + challengeTtlMs) });
    return { ok: false, reason: "second_factor", challengeSecret: challenge.secret };
  }
  recordSuccess(deps.limiter, keys, startedAt);
  return startSession(deps, user, input, now, {});
}

/** Creates a session for a user who proved who they are. */
export async function startSession(
  deps: { store: Pick<Store, "sessions" | "events">; sessions: SessionPolicy },
  user: UserRow,
  input: { address: string; userAgent: string | undefined },
  now: Date,
  data: Record<string, string>,
): Promise<{ ok: true; user: UserRow; sessionSecret: string }> {
  const secret = mintSecret();
  await deps.store.sessions.create({ idHash: secret.hash, userId: user.id, ...sessionTimes(deps.sessions, now), address: input.address, userAgent: input.userAgent?.slice(0, 300) ?? null });
  await deps.store.events.append({ at: now, kind: "user.signed_in", subject: user.id, actor: `user:${user.id}`, data: { address: input.address, ...data } });
  return { ok: true, user, sessionSecret: secret.secret };
}
