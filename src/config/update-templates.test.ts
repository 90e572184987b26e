// incidents.update_templates: read with their defaults, and refused with the key named when a component, a status or
// an id is wrong.
import { describe, expect, it } from "vitest";
import { formatConfigIssues, parseConfigText } from "./load.ts";

const text = (templates: string) => `site: { name: Acme Status }
components:
  - { id: api, name: Production API }
incidents:
  update_templates:
${templates}`;

describe("incidents.update_templates", () => {
  it("reads each template, notify true unless said otherwise", () => {
    const result = parseConfigText(text(`    - { id: failover, name: Failover, title: Database failover, body: "We are failing over.", status: identified, components: { api: partial_outage } }
    - { id: quiet, name: Quiet fix, body: "Fixed.", status: resolved, notify: false }`), "vigil.yaml", {});
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    expect(result.config.incidents.update_templates).toEqual([
      { id: "failover", name: "Failover", title: "Database failover", body: "We are failing over.", status: "identified", components: { api: "partial_outage" }, notify: true },
      { id: "quiet", name: "Quiet fix", body: "Fixed.", status: "resolved", notify: false },
    ]);
    const none = parseConfigText(text("    []"), "vigil.yaml", {});
    expect(none.ok && none.config.incidents.update_templates).toEqual([]);
  });

  it("names the key of an unknown component, a status outside the vocabulary, and an id used twice", () => {
    const result = parseConfigText(
      text(`    - { id: a, name: A, body: x, status: identified, components: { apii: partial_outage } }
    - { id: a, name: B, body: x, status: fixing }
    - { id: c, name: C, body: x, status: monitoring, components: { api: broken } }`),
      "vigil.yaml",
      {},
    );
    if (result.ok) throw new Error("expected the configuration to be rejected");
    const messages = formatConfigIssues(result.errors);
    expect(messages).toMatch(/incidents\.update_templates\[0\]\.components\.apii: no component has the id "apii" \(did you mean "api"\?\)/);
    expect(messages).toMatch(/incidents\.update_templates\[1\]\.id: duplicate update template id "a"/);
    expect(messages).toMatch(/incidents\.update_templates\[1\]\.status: .*investigating/);
    expect(messages).toMatch(/incidents\.update_templates\[2\]\.components\.api: .*major_outage/);
  });
});
