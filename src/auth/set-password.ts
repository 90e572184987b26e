import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { PasswordLinkRow, Store } from "../store/types.ts";
import { hashPassword } from "./password-hash.ts";
import { passwordProblem } from "./password-policy.ts";
import { hashOfPresented } from "./secrets.ts";

/** The one message for a link that is unknown, used or expired: which of those it is helps nobody but a guesser. */
export const linkInvalidMessage = "this link is not valid: it was used already, has expired, or was never issued";

/** The user a link of `purpose` (a set-password link unless told) is for, while it is unused and unexpired. */
export async function userOfLink(
  deps: { store: Pick<Store, "passwordLinks" | "users">; clock: Clock },
  presented: string | undefined,
  purpose: PasswordLinkRow["purpose"] = "password",
): Promise<{ id: string; email: string } | undefined> {
  const hash = hashOfPresented(presented);
  const link = hash === undefined ? undefined : await deps.store.passwordLinks.get(hash);
  if (!link || link.purpose !== purpose || link.usedAt !== null || link.expiresAt.getTime() <= deps.clock.now().getTime()) return undefined;
  const user = await deps.store.users.get(link.userId);
  return user && user.disabledAt === null ? { id: user.id, email: user.email } : undefined;
}

/**
 * Sets a password through a one-time link: checked against the policy first (the link stays usable after a refused
 * password), then the link is spent, the hash stored and every session of the user ended, in one transaction.
 */
export async function setPasswordWithLink(
  deps: { store: Pick<Store, "passwordLinks" | "users" | "transaction">; clock: Clock },
  input: { token: string | undefined; password: string; actor?: string; purpose?: PasswordLinkRow["purpose"] },
): Promise<{ userId: string; email: string }> {
  const user = await userOfLink(deps, input.token, input.purpose);
  if (!user) throw new AppError("not_found", linkInvalidMessage);
  const problem = passwordProblem(input.password, user.email);
  if (problem) throw new AppError("validation_failed", problem, { details: [{ path: "password", message: problem }] });
  const passwordHash = await hashPassword(input.password);
  const hash = hashOfPresented(input.token) as string;
  await deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    if ((await tx.passwordLinks.use(hash, now)) !== user.id) throw new AppError("not_found", linkInvalidMessage);
    await tx.users.setPassword(user.id, passwordHash, now);
    await tx.sessions.removeAllOf(user.id);
    await tx.events.append({ at: now, kind: "user.password_set", subject: user.id, actor: input.actor ?? `user:${user.id}`, data: {} });
  });
  return { userId: user.id, email: user.email };
}
