import { describe, expect, it } from "vitest";
import { actionsOf, consoleActions, isUserRole, leastRoleFor, leastScopeFor, lowerRole, roleAllows, roleOfScope, userRoles } from "./roles.ts";

// Every role against every action: the table the console and the API enforce (docs/console.md shows it). y = allowed.
const table: Record<string, string> = {
  //                    owner admin responder viewer
  "read":               "y y y y",
  "incidents.write":    "y y y n",
  "incidents.publish":  "y y y n",
  "notes.write":        "y y y n",
  "maintenances.write": "y y y n",
  "postmortems.write":  "y y y n",
  "silences.write":     "y y y n",
  "channels.test":      "y y y n",
  "upstreams.refresh":  "y y y n",
  "actions.run":        "y y y n",
  "actions.approve":    "y y y n",
  "subscribers.write":  "y y n n",
  "subscribers.export": "y y n n",
  "channels.write":     "y y n n",
  "config.reload":      "y y n n",
  "catalog.write":      "y y n n",
  "audit.read":         "y y n n",
  "tokens.manage":      "y n n n",
  "users.manage":       "y n n n",
};

describe("roles", () => {
  it("the table covers every action", () => {
    expect(Object.keys(table).sort()).toEqual([...consoleActions].sort());
  });

  const cases = consoleActions.flatMap((action) => userRoles.map((role, i) => [role, action, (table[action] ?? "").split(" ")[i] === "y"] as const));
  it.each(cases)("%s may %s: %s", (role, action, allowed) => {
    expect(roleAllows(role, action)).toBe(allowed);
  });

  it("knows its roles and nothing else", () => {
    expect(userRoles.every(isUserRole)).toBe(true);
    expect(isUserRole("root")).toBe(false);
    expect(isUserRole("Owner")).toBe(false);
  });

  it("takes the lower of two roles, whichever comes first", () => {
    expect(lowerRole("owner", "viewer")).toBe("viewer");
    expect(lowerRole("viewer", "owner")).toBe("viewer");
    expect(lowerRole("admin", "responder")).toBe("responder");
    expect(lowerRole("admin", "admin")).toBe("admin");
  });

  it("names the least role and the least legacy scope for an action", () => {
    expect(leastRoleFor("read")).toBe("viewer");
    expect(leastRoleFor("maintenances.write")).toBe("responder");
    expect(leastRoleFor("audit.read")).toBe("admin");
    expect(leastRoleFor("tokens.manage")).toBe("owner");
    expect(leastScopeFor("incidents.write")).toBe("write");
    expect(leastScopeFor("incidents.publish")).toBe("publish");
    expect(leastScopeFor("subscribers.export")).toBe("admin");
  });

  // The legacy scopes: each stands for a role, and scope write is a responder that never reaches the public.
  it.each([
    ["read", "viewer", ["read"]],
    ["write", "responder", ["read", "incidents.write", "notes.write", "postmortems.write", "silences.write", "channels.test", "upstreams.refresh"]],
    ["publish", "responder", ["read", "incidents.write", "incidents.publish", "notes.write", "maintenances.write", "postmortems.write", "silences.write", "channels.test", "upstreams.refresh"]],
    ["admin", "owner", [...consoleActions]],
  ] as const)("scope %s acts as %s and may do exactly its old actions", (scope, role, actions) => {
    expect(roleOfScope[scope]).toBe(role);
    expect([...actionsOf(role, scope)].sort()).toEqual([...actions].sort());
  });

  it("keeps a legacy scope's ceiling when its user's role is lower, and the role's own actions without a scope", () => {
    expect([...actionsOf("viewer", "admin")]).toEqual(["read"]);
    expect(actionsOf("responder", null).has("maintenances.write")).toBe(true);
    expect(actionsOf("responder", "write").has("maintenances.write")).toBe(false);
  });
});
