import { describe, expect, it } from "vitest";
import { consoleActions, isUserRole, roleAllows, userRoles } from "./roles.ts";

// Every role against every action: the table the console (and later the API) enforces. y = allowed.
const table: Record<string, string> = {
  //                    owner admin responder viewer
  "read":               "y y y y",
  "incidents.write":    "y y y n",
  "notes.write":        "y y y n",
  "maintenances.write": "y y y n",
  "postmortems.write":  "y y y n",
  "silences.write":     "y y y n",
  "subscribers.write":  "y y n n",
  "channels.write":     "y y n n",
  "config.reload":      "y y n n",
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
});
