import type { Clock } from "../core/clock.ts";
import type { Store, UserRow } from "../store/types.ts";
import { hashOfPresented } from "./secrets.ts";
import type { SessionPolicy } from "./session-expiry.ts";
import { setPasswordWithLink } from "./set-password.ts";
import { startSession } from "./sign-in.ts";

/** Why an invitation link cannot be used: expired (worth saying: only the link's holder learns it), or anything else. */
export async function inviteLinkProblem(deps: { store: Pick<Store, "passwordLinks">; clock: Clock }, presented: string | undefined): Promise<{ expiredAt: Date } | undefined> {
  const hash = hashOfPresented(presented);
  const link = hash === undefined ? undefined : await deps.store.passwordLinks.get(hash);
  return link && link.purpose === "invite" && link.usedAt === null && link.expiresAt.getTime() <= deps.clock.now().getTime() ? { expiredAt: link.expiresAt } : undefined;
}

/** Accepts an invitation: sets the invitee's password through the link (once), then signs them in. */
export async function acceptInvite(
  deps: { store: Pick<Store, "passwordLinks" | "users" | "sessions" | "events" | "transaction">; clock: Clock; sessions: SessionPolicy },
  input: { token: string | undefined; password: string; address: string; userAgent: string | undefined },
): Promise<{ user: UserRow; sessionSecret: string }> {
  const set = await setPasswordWithLink(deps, { token: input.token, password: input.password, purpose: "invite" });
  const user = (await deps.store.users.get(set.userId)) as UserRow;
  return startSession(deps, user, input, deps.clock.now(), { via: "invite" });
}
