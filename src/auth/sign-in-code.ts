import type { Clock } from "../core/clock.ts";
import type { Store } from "../store/types.ts";
import { limitKeys, recordSuccess, startAttempt, type LimiterState, type LoginLimits } from "./login-limiter.ts";
import { spendCode } from "./second-factor.ts";
import { hashOfPresented } from "./secrets.ts";
import type { SessionPolicy } from "./session-expiry.ts";
import { startSession, type SignInOutcome } from "./sign-in.ts";

/** What the second step came to: a session, a wrong code, a wait, or a challenge unknown or past its 5 minutes. */
export type SecondStepOutcome = Extract<SignInOutcome, { ok: true } | { reason: "refused" } | { reason: "rate_limited" }> | { ok: false; reason: "expired" };

/**
 * The second step of a sign-in: the challenge made when the password was right, and a TOTP code or a recovery code.
 * A wrong code counts as a failed sign-in of the account and the address, under the same limits as a wrong password.
 */
export async function signInWithCode(
  deps: { store: Pick<Store, "users" | "sessions" | "events" | "secondFactors" | "loginChallenges">; clock: Clock; limiter: LimiterState; limits: LoginLimits; sessions: SessionPolicy },
  input: { challenge: string | undefined; code: string; address: string; userAgent: string | undefined },
): Promise<SecondStepOutcome> {
  const hash = hashOfPresented(input.challenge);
  const challenge = hash === undefined ? undefined : await deps.store.loginChallenges.get(hash);
  const now = deps.clock.now();
  if (!challenge || challenge.expiresAt.getTime() <= now.getTime()) {
    if (challenge) await deps.store.loginChallenges.remove(challenge.idHash);
    return { ok: false, reason: "expired" };
  }
  const user = await deps.store.users.get(challenge.userId);
  if (!user || user.disabledAt !== null) return { ok: false, reason: "expired" };
  const keys = limitKeys(user.email, input.address);
  const limit = startAttempt(deps.limiter, deps.limits, keys, now.getTime());
  if (!limit.allowed) return { ok: false, reason: "rate_limited", retryAfterMs: limit.retryAfterMs };
  const spent = await spendCode(deps, { userId: user.id, code: input.code, recovery: true });
  if (spent === undefined) return { ok: false, reason: "refused" };
  // One challenge, one session: a second request with the same cookie finds it gone.
  if (!(await deps.store.loginChallenges.remove(challenge.idHash))) return { ok: false, reason: "expired" };
  recordSuccess(deps.limiter, keys, now.getTime());
  return startSession(deps, user, input, now, { second_factor: spent });
}
