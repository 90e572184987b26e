import type { Clock } from "../core/clock.ts";
import type { SessionRow, Store, UserRow } from "../store/types.ts";
import { hashOfPresented } from "./secrets.ts";
import { sessionStatus, type SessionPolicy } from "./session-expiry.ts";

/** The user behind a session cookie, while the session is alive and the user active; an ended session is deleted. */
export async function resolveSession(
  deps: { store: Pick<Store, "users" | "sessions">; clock: Clock; sessions: SessionPolicy },
  presented: string | undefined,
): Promise<{ user: UserRow; session: SessionRow } | undefined> {
  const hash = hashOfPresented(presented);
  const session = hash === undefined ? undefined : await deps.store.sessions.get(hash);
  if (!session) return undefined;
  const now = deps.clock.now();
  const status = sessionStatus(session, deps.sessions, now);
  const user = status.alive ? await deps.store.users.get(session.userId) : undefined;
  if (!status.alive || !user || user.disabledAt !== null) {
    await deps.store.sessions.remove(session.idHash);
    return undefined;
  }
  if (status.touch) await deps.store.sessions.touch(session.idHash, now);
  return { user, session };
}

/** Ends the session behind a cookie (sign out here). */
export async function endSession(deps: { store: Pick<Store, "sessions"> }, presented: string | undefined): Promise<void> {
  const hash = hashOfPresented(presented);
  if (hash !== undefined) await deps.store.sessions.remove(hash);
}
