/**
 * Roles and what each may do: one table, read by the console and by the HTTP API. Roles are a ladder
 * (owner > admin > responder > viewer), except that what a role adds is listed here, action by action.
 */
import type { UserRole } from "../store/types.ts";

/** Every role, from the most to the least powerful. */
export const userRoles = ["owner", "admin", "responder", "viewer"] as const satisfies readonly UserRole[];

/** Everything a person or a token may ask to do; each API route and console page needs one of these. */
export const consoleActions = [
  "read",
  "incidents.write",
  "incidents.publish",
  "notes.write",
  "maintenances.write",
  "postmortems.write",
  "silences.write",
  "channels.test",
  "upstreams.refresh",
  "subscribers.write",
  "subscribers.export",
  "channels.write",
  "config.reload",
  "audit.read",
  "tokens.manage",
  "users.manage",
] as const;
export type ConsoleAction = (typeof consoleActions)[number];

const responder: readonly ConsoleAction[] = [
  "read",
  "incidents.write",
  "incidents.publish",
  "notes.write",
  "maintenances.write",
  "postmortems.write",
  "silences.write",
  "channels.test",
  "upstreams.refresh",
];
const admin: readonly ConsoleAction[] = [...responder, "subscribers.write", "subscribers.export", "channels.write", "config.reload", "audit.read"];

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

/** The less powerful of two roles. */
export function lowerRole(a: UserRole, b: UserRole): UserRole {
  return userRoles.indexOf(a) >= userRoles.indexOf(b) ? a : b;
}

/** Whether `a` is at most as powerful as `b`. */
export function roleAtMost(a: UserRole, b: UserRole): boolean {
  return userRoles.indexOf(a) >= userRoles.indexOf(b);
}

/** The least powerful role that may do `action`. */
export function leastRoleFor(action: ConsoleAction): UserRole {
  return [...userRoles].reverse().find((role) => roleAllows(role, action)) as UserRole;
}

/** The scopes API tokens were made with before they carried roles (`agent` stands apart and is not one of them). */
export type LegacyScope = "read" | "write" | "publish" | "admin";

/** The actions that reach the public: what scope `write` never allowed and `publish` added. */
export const publicActions: ReadonlySet<ConsoleAction> = new Set(["incidents.publish", "maintenances.write"]);

/**
 * The role a token made with a legacy scope acts as. read → viewer, write → responder (without the public actions,
 * see `scopeCeiling`), publish → responder, admin → owner.
 */
export const roleOfScope: Readonly<Record<LegacyScope, UserRole>> = { read: "viewer", write: "responder", publish: "responder", admin: "owner" };

/**
 * What a token made with a legacy scope may do at most: exactly what that scope reached before roles. A scope-`write`
 * token is a responder that may not reach the public.
 */
export const scopeCeiling: Readonly<Record<LegacyScope, ReadonlySet<ConsoleAction>>> = {
  read: roleActions.viewer,
  write: new Set([...roleActions.responder].filter((action) => !publicActions.has(action))),
  publish: roleActions.responder,
  admin: roleActions.owner,
};

/** The smallest legacy scope that may do `action` (how the OpenAPI document still names it). */
export function leastScopeFor(action: ConsoleAction): LegacyScope {
  return (["read", "write", "publish", "admin"] as const).find((scope) => scopeCeiling[scope].has(action)) as LegacyScope;
}

/** What a role may do, within a legacy scope's ceiling when the token has one. */
export function actionsOf(role: UserRole, scope: LegacyScope | null): ReadonlySet<ConsoleAction> {
  if (scope === null) return roleActions[role];
  const ceiling = scopeCeiling[scope];
  return new Set([...roleActions[role]].filter((action) => ceiling.has(action)));
}
