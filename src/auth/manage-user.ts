import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store, UserRole, UserRow } from "../store/types.ts";
import { isUserRole, userRoles } from "./roles.ts";

/** A change of a user's role or access; the fields not given stay. */
interface UserChange {
  /** The user, by id or by e-mail (compared without regard to case). */
  id?: string;
  email?: string;
  role?: string;
  disabled?: boolean;
  /** Who asks, for the timeline (`user:<id>`, `token:<id>`, `cli`). */
  actor: string;
  /** The console user who asks, if one does: they may not disable themself. */
  actorUserId?: string;
}

/**
 * Gives a user another role and/or disables or enables them, in one transaction, with a `user.role_changed`,
 * `user.disabled` or `user.enabled` event. Refused (conflict): disabling oneself, and demoting or disabling the last
 * enabled owner (nobody could manage users any more). Disabling ends every session of the user; their API tokens stop
 * at once (authentication checks their user). Returns the user as it is now and how many sessions ended.
 */
export async function manageUser(deps: { store: Pick<Store, "transaction">; clock: Clock }, change: UserChange): Promise<{ user: UserRow; sessionsEnded: number }> {
  let role: UserRole | undefined;
  if (change.role !== undefined) {
    if (!isUserRole(change.role)) {
      const message = `expected one of ${userRoles.join(", ")}, got "${change.role.slice(0, 40)}"`;
      throw new AppError("validation_failed", `role: ${message}`, { details: [{ path: "role", message }] });
    }
    role = change.role;
  }
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const user = change.id !== undefined ? await tx.users.get(change.id) : change.email !== undefined ? await tx.users.byEmail(change.email.trim()) : undefined;
    if (!user) throw new AppError("not_found", change.id !== undefined ? `no user has the id ${change.id.slice(0, 200)}` : `no user has the e-mail ${(change.email ?? "").trim().slice(0, 254)}`);
    const disabling = change.disabled === true && user.disabledAt === null;
    const enabling = change.disabled === false && user.disabledAt !== null;
    const newRole = role !== undefined && role !== user.role ? role : undefined;
    if (disabling && change.actorUserId === user.id) throw new AppError("conflict", `${user.email} is you: you may not disable yourself; another owner may`);
    if (user.role === "owner" && user.disabledAt === null && (disabling || newRole !== undefined)) {
      const owners = (await tx.users.list()).filter((u) => u.role === "owner" && u.disabledAt === null);
      if (owners.length <= 1) {
        throw new AppError("conflict", `${user.email} is the last enabled owner: make another user owner first, or nobody could manage users and tokens`);
      }
    }
    if (newRole !== undefined) {
      await tx.users.setRole(user.id, newRole, now);
      await tx.events.append({ at: now, kind: "user.role_changed", subject: user.id, actor: change.actor, data: { from: user.role, to: newRole } });
    }
    let sessionsEnded = 0;
    if (disabling) {
      await tx.users.setDisabled(user.id, now, now);
      sessionsEnded = await tx.sessions.removeAllOf(user.id);
      await tx.events.append({ at: now, kind: "user.disabled", subject: user.id, actor: change.actor, data: { sessions_ended: sessionsEnded } });
    } else if (enabling) {
      await tx.users.setDisabled(user.id, null, now);
      await tx.events.append({ at: now, kind: "user.enabled", subject: user.id, actor: change.actor, data: {} });
    }
    const changed = newRole !== undefined || disabling || enabling;
    const row: UserRow = { ...user, role: newRole ?? user.role, disabledAt: disabling ? now : enabling ? null : user.disabledAt, updatedAt: changed ? now : user.updatedAt };
    return { user: row, sessionsEnded };
  });
}
