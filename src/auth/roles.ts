/**
 * Roles and what each may do: one table, read by the console and by the HTTP API. Roles are a ladder
 * (owner > admin > responder > viewer), except that what a role adds is listed here, action by action.
 */
import type { UserRole } from "../store/types.ts";

/** Every role, from the most to the least powerful. */
export const userRoles = ["owner", "admin", "responder", "viewer"] as const satisfies readonly UserRole[];

/**
 * Everything a person or a token may ask to do, with the least powerful role that may do it: each API route and
 * console page needs one of these. A role may do what its own and every less powerful role may.
 */
const leastRoles = {
  read: "viewer",
  "incidents.write": "responder",
  "incidents.publish": "responder",
  "notes.write": "responder",
  "maintenances.write": "responder",
  "postmortems.write": "responder",
  "silences.write": "responder",
  "channels.test": "responder",
  "upstreams.refresh": "responder",
  "actions.run": "responder",
  "actions.approve": "responder",
  "subscribers.write": "admin",
  "subscribers.export": "admin",
  "channels.write": "admin",
  "config.reload": "admin",
  "catalog.write": "admin",
  "audit.read": "admin",
  "tokens.manage": "owner",
  "users.manage": "owner",
} as const satisfies Record<string, UserRole>;
export type ConsoleAction = keyof typeof leastRoles;

/** Every action, in the order of the table. */
export const consoleActions = Object.keys(leastRoles) as ConsoleAction[];

/** The role × action table. */
const upTo = (role: UserRole): ReadonlySet<ConsoleAction> => new Set(consoleActions.filter((action) => roleAtMost(leastRoles[action], role)));
export const roleActions: Readonly<Record<UserRole, ReadonlySet<ConsoleAction>>> = { owner: upTo("owner"), admin: upTo("admin"), responder: upTo("responder"), viewer: upTo("viewer") };

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
  return roleAtMost(a, b) ? a : b;
}

/** Whether `a` is at most as powerful as `b`. */
export function roleAtMost(a: UserRole, b: UserRole): boolean {
  return userRoles.indexOf(a) >= userRoles.indexOf(b);
}

/** The least powerful role that may do `action`. */
export function leastRoleFor(action: ConsoleAction): UserRole {
  return leastRoles[action];
}

/** The scopes API tokens were made with before they carried roles (`agent` stands apart and is not one of them). */
export type LegacyScope = "read" | "write" | "publish" | "admin";

/** The actions that reach the public: what scope `write` never allowed and `publish` added. */
export const publicActions: ReadonlySet<ConsoleAction> = new Set(["incidents.publish", "maintenances.write"]);

/**
 * Actions that did not exist when tokens had scopes: a token made with a scope never reached them, so only one of
 * scope admin (an owner) does; a token made with a role reaches them by its role.
 */
const laterActions: ReadonlySet<ConsoleAction> = new Set(["actions.run", "actions.approve"]);

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
  write: new Set([...roleActions.responder].filter((action) => !publicActions.has(action) && !laterActions.has(action))),
  publish: new Set([...roleActions.responder].filter((action) => !laterActions.has(action))),
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
