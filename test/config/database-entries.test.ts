// The configuration file merged with the components and monitors kept in the database: the same rules for both, the
// database's errors named by entry, the file's entries winning over a database entry of the same id.
import { describe, expect, it } from "vitest";
import { formatConfigIssues, parseConfigText } from "../../src/config/index.ts";

const file = `
components:
  - id: search
    name: Search
monitors:
  - id: search-tcp
    type: tcp
    host: 127.0.0.1
    port: 9
`;

describe("the configuration with the database's entries", () => {
  it("adds them after the file's own and says which came from the database", () => {
    const parsed = parseConfigText(file, "vigil.yaml", {}, { components: [{ id: "api", name: "API", depends_on: ["search"] }], monitors: [{ id: "api-health", type: "http", url: "http://127.0.0.1:9/" }] });
    if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
    expect(parsed.config.components.map((c) => c.id)).toEqual(["search", "api"]);
    expect(parsed.config.monitors.map((m) => m.id)).toEqual(["search-tcp", "api-health"]);
    expect(parsed.fromDatabase).toEqual({ component: ["api"], monitor: ["api-health"] });
  });

  it("leaves out a database entry whose id the file has: the file's stands", () => {
    const parsed = parseConfigText(file, "vigil.yaml", {}, { components: [{ id: "search", name: "Other" }], monitors: [] });
    if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
    expect(parsed.config.components).toMatchObject([{ id: "search", name: "Search" }]);
    expect(parsed.fromDatabase).toEqual({ component: [], monitor: [] });
  });

  it("names the database entry an error is in, and the field inside it", () => {
    const parsed = parseConfigText(file, "vigil.yaml", {}, { components: [{ id: "api", name: "API", depends_on: ["orders"] }], monitors: [{ id: "api-health", type: "http", url: "nope" }] });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.entry)).toEqual([
      { kind: "monitor", id: "api-health", path: "url" },
      { kind: "component", id: "api", path: "depends_on[0]" },
    ]);
    expect(formatConfigIssues(parsed.errors)).toContain('database (component "api") depends_on[0]: no component or upstream has the id "orders"');
  });
});
