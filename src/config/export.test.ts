import { describe, expect, it } from "vitest";
import { exportConfigText } from "./export.ts";

const file = `# Acme's status page
site: { name: Acme Status }
components:
  - id: search # the search cluster
    name: Search
notifications:
  channels:
    - id: oncall
      type: webhook
      url: http://127.0.0.1:9100/hook
      secret: \${WEBHOOK_SECRET}
`;

describe("exportConfigText", () => {
  it("adds the database's entries after the file's, keeping comments and ${ENV} references", () => {
    const text = exportConfigText(file, { components: [{ id: "api", name: "API", depends_on: ["search"] }, { id: "search", name: "Shadowed" }], monitors: [{ id: "api-health", type: "http", url: "http://127.0.0.1:9/" }] });
    expect(text).toContain("# Acme's status page");
    expect(text).toContain("- id: search # the search cluster");
    expect(text).toContain("secret: ${WEBHOOK_SECRET}");
    expect(text).not.toContain("Shadowed");
    expect(text).toMatch(/components:\n[\s\S]*- id: api\n\s+name: API\n\s+depends_on:\n\s+- search\n/);
    expect(text).toMatch(/monitors:\n\s+- id: api-health\n\s+type: http\n/);
  });

  it("returns the file as it is when the database has no entries", () => {
    expect(exportConfigText(file, { components: [], monitors: [] })).toBe(file);
  });
});
