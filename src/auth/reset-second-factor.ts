import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store } from "../store/types.ts";

/**
 * Removes another user's second factor (a lost phone), by e-mail, and ends their sessions (the phone may be in other
 * hands, signed in); they sign in with their password alone until they enrol again.
 */
export async function resetSecondFactor(
  deps: { store: Pick<Store, "users" | "secondFactors" | "events" | "sessions">; clock: Clock },
  input: { email: string; actor: string },
): Promise<{ id: string; email: string; wasOn: boolean }> {
  const user = await deps.store.users.byEmail(input.email.trim());
  if (!user) throw new AppError("not_found", `no user has the e-mail ${input.email.trim().slice(0, 254)}`);
  const wasOn = await deps.store.secondFactors.remove(user.id);
  await deps.store.sessions.removeAllOf(user.id);
  await deps.store.events.append({ at: deps.clock.now(), kind: "user.second_factor_reset", subject: user.id, actor: input.actor, data: { was_on: wasOn } });
  return { id: user.id, email: user.email, wasOn };
}
