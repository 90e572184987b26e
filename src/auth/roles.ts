/**
 * Console roles and what each may do: one table, read by the console today and by the HTTP API later. Roles are a
 * ladder (owner > admin > responder > viewer), except that what a role adds is listed here, action by action.
 */
import type { UserRole } from "../store/types.ts";

/** Every role, from the most to the least powerful. */
export const userRoles = ["owner", "admin", "responder", "viewer"] as const satisfies readonly UserRole[];

/** Everything a signed-in person may ask to do. */
export const consoleActions = [
  "read",
  "incidents.write",
  "notes.write",
  "maintenances.write",
  "postmortems.write",
  "silences.write",
  "subscribers.write",
  "channels.write",
  "config.reload",
  "tokens.manage",
  "users.manage",
] as const;
export type ConsoleAction = (typeof consoleActions)[number];

const responder: readonly ConsoleAction[] = ["read", "incidents.write", "notes.write", "maintenances.write", "postmortems.write", "silences.write"];
const admin: readonly ConsoleAction[] = [...responder, "subscribers.write", "channels.write", "config.reload"];

/** The role × action table. */
export const roleActions: Readonly<Record<UserRole, ReadonlySet<ConsoleAction>>> = {
  owner: new Set(consoleActions),
  admin: new Set(admin),
  responder: new Set(responder),
  viewer: new Set<ConsoleAction>(["read"]),
};

/** Whether a user of `role` may do `action`. */
export function roleAllows(role: UserRole, action: ConsoleAction): boolean {
  return roleActions[role].has(action);
}

/** Whether `text` is a role, for input read at the edges (CLI, forms). */
export function isUserRole(text: string): text is UserRole {
  return (userRoles as readonly string[]).includes(text);
}
