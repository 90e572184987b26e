import { describe, expect, it } from "vitest";
import { automaticIncidentName, PublicNames, type NamedComponent } from "./public-names.ts";

const c = (id: string, name: string, dependsOn: string[] = [], hidden = false): NamedComponent => ({ id, name, hidden, dependsOn: dependsOn.map((d) => ({ id: d })) });

// orders-db (hidden) ← pool (hidden) ← api, checkout; metrics-db (hidden) has no visible dependent; cache is visible.
const catalog = new PublicNames([
  c("orders-db", "Orders database", [], true),
  c("pool", "Connection pool", ["orders-db"], true),
  c("checkout", "Checkout", ["pool"]),
  c("api", "API", ["pool", "cache"]),
  c("admin", "Admin", ["api"]),
  c("metrics-db", "Metrics DB", [], true),
  c("cache", "Cache"),
]);

describe("public names of components", () => {
  it("stands the nearest visible dependents in for a hidden component, through hidden ones, in configuration order", () => {
    expect(catalog.standIns("orders-db")).toEqual(["checkout", "api"]);
    expect(catalog.standIns("pool")).toEqual(["checkout", "api"]);
    // Admin depends on the API, which already stands in: farther visible dependents are not named.
    expect(catalog.standIns("orders-db")).not.toContain("admin");
    expect(catalog.standIns("cache")).toEqual(["cache"]);
    expect(catalog.standIns("unknown")).toEqual(["unknown"]);
    expect(catalog.standIns("metrics-db")).toEqual([]);
  });

  it("gives each public id once, in order of first appearance", () => {
    expect(catalog.publicIds(["orders-db", "pool", "api", "cache", "checkout"])).toEqual(["checkout", "api", "cache"]);
    expect(catalog.publicIds(["metrics-db"])).toEqual([]);
  });

  it("titles an incident Vigil named from its roots' stand-ins, and keeps a visible root's title", () => {
    expect(catalog.incidentTitle(automaticIncidentName(["Orders database"]), ["orders-db"])).toBe("Checkout, API outage");
    expect(catalog.incidentTitle(automaticIncidentName(["Orders database", "Cache"]), ["orders-db", "cache"])).toBe("Checkout, API, Cache outage");
    expect(catalog.incidentTitle(automaticIncidentName(["Metrics DB"]), ["metrics-db"])).toBe("Service disruption");
    expect(catalog.incidentTitle("Cache outage", ["cache"])).toBe("Cache outage");
  });

  it("keeps a title a person wrote, but for the hidden components' names in it", () => {
    expect(catalog.incidentTitle("Orders database failover", ["orders-db"])).toBe("Checkout and API failover");
    expect(catalog.incidentTitle("Slow Orders database (Metrics DB too)", ["orders-db"])).toBe("Slow Checkout and API (an internal system too)");
    // Whole words only, and the case as configured: "Orders databases" and "orders database" are other words.
    expect(catalog.withoutHiddenNames("Orders databases are fine; orders database is fine")).toBe("Orders databases are fine; orders database is fine");
  });

  it("names a hidden component in evidence by what depends on it", () => {
    expect(catalog.evidenceName("orders-db")).toBe("An internal dependency of Checkout and API");
    expect(catalog.evidenceName("metrics-db")).toBe("An internal system");
    expect(catalog.evidenceName("api")).toBe("API");
  });

  it("ends on a cycle of hidden components", () => {
    const cyclic = new PublicNames([c("a", "A", ["b"], true), c("b", "B", ["a"], true), c("v", "V", ["a"])]);
    expect(cyclic.standIns("b")).toEqual(["v"]);
  });

  it("finds the hidden components' names in a text", () => {
    expect(catalog.hiddenNamesIn("The Orders database and the Connection pool; not orders database")).toEqual(["Orders database", "Connection pool"]);
    expect(catalog.hiddenNamesIn("API and Cache")).toEqual([]);
  });
});
