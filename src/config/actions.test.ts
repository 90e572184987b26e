import { describe, expect, it } from "vitest";
import { formatConfigIssues, parseConfigText } from "./load.ts";

const env = { HOOK_SECRET_NEW: "whsec-new-2026", HOOK_SECRET_OLD: "whsec-old-2025", CLOUD_TOKEN: "cloud-token-42" };

function parse(actions: string) {
  return parseConfigText(`site: { name: Acme }\n${actions}`, "vigil.yaml", env);
}

describe("actions in the configuration", () => {
  it("reads webhook actions with their secrets, newest first, from the environment, and the common keys' defaults", () => {
    const result = parse(`actions:
  definitions:
    - id: scale-down
      type: webhook
      url: https://ops.example.com/hooks/scale
      secrets: ["\${HOOK_SECRET_NEW}", "\${HOOK_SECRET_OLD}"]
      timeout: 10s
`);
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    expect(result.config.actions).toEqual({
      allow_exec: false,
      definitions: [{ id: "scale-down", type: "webhook", timeout: 10_000, deadline: 600_000, settings: { url: "https://ops.example.com/hooks/scale", secrets: ["whsec-new-2026", "whsec-old-2025"] } }],
    });
  });

  it("reads an approval with its defaults (one approval, by responders and above, within 30 minutes), and refuses a bad one with its path", () => {
    const result = parse(`actions:
  definitions:
    - { id: scale-up, type: webhook, url: "https://ops.example.com/up", approval: { required: 2, roles: [admin], timeout: 10m } }
    - { id: drain, type: webhook, url: "https://ops.example.com/drain", approval: {} }
    - { id: page, type: webhook, url: "https://ops.example.com/page" }
`);
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    expect(result.config.actions.definitions.map((d) => d.approval)).toEqual([{ required: 2, roles: ["admin"], timeout: 600_000 }, { required: 1, roles: ["responder"], timeout: 1_800_000 }, undefined]);
    const refused = parse(`actions:
  definitions:
    - { id: a, type: webhook, url: "https://ops.example.com/a", approval: { required: 0 } }
    - { id: b, type: webhook, url: "https://ops.example.com/b", approval: { roles: [oncall] } }
    - { id: c, type: webhook, url: "https://ops.example.com/c", approval: { timeout: soon } }
    - { id: d, type: webhook, url: "https://ops.example.com/d", approval: { quorum: 2 } }
`);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.errors.map((e) => e.path)).toEqual(["actions.definitions[0].approval.required", "actions.definitions[1].approval.roles[0]", "actions.definitions[2].approval.timeout", "actions.definitions[3].approval.quorum"]);
  });

  it("has no actions by default", () => {
    const result = parse("");
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    expect(result.config.actions).toEqual({ allow_exec: false, definitions: [] });
  });

  it("refuses an exec action unless allow_exec is true, naming the entry and the key to set", () => {
    const exec = `  definitions:
    - id: restart-db
      type: exec
      command: /usr/local/bin/kubectl
      args: [rollout, restart, deploy/orders-db]
      env: { CLOUD_TOKEN: "\${CLOUD_TOKEN}" }
`;
    const refused = parse(`actions:\n${exec}`);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors[0]).toMatchObject({ path: "actions.definitions[0].type", line: 5 });
    expect(refused.errors[0]!.message).toContain('action "restart-db" runs a command on this server, which is off: set actions.allow_exec: true');
    const allowed = parse(`actions:\n  allow_exec: true\n${exec}`);
    if (!allowed.ok) throw new Error(formatConfigIssues(allowed.errors));
    expect(allowed.config.actions.definitions[0]).toMatchObject({ type: "exec", settings: { command: "/usr/local/bin/kubectl", args: ["rollout", "restart", "deploy/orders-db"], env: { CLOUD_TOKEN: "cloud-token-42" } } });
  });

  it("checks each type's keys and unique ids, with the path of each error, never showing a secret", () => {
    const result = parse(`actions:
  allow_exec: true
  definitions:
    - { id: a, type: webhook, url: "ftp://x", secrets: [] }
    - { id: a, type: exec, command: run, env: { VIGIL_RUN_ID: x, "1bad": "\${CLOUD_TOKEN}" } }
    - { id: c, type: pager }
    - { id: d, type: exec, command: run, env: { REGION_ID: 8675309123 } }
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = formatConfigIssues(result.errors);
    expect(text).toMatch(/actions\.definitions\[0\]\.url: expected an http:\/\/ or https:\/\/ URL/);
    expect(text).toMatch(/actions\.definitions\[0\]\.secrets: must be at least 1/);
    expect(text).toMatch(/actions\.definitions\[1\]\.env\.VIGIL_RUN_ID: VIGIL_\* variables are the run's facts/);
    expect(text).toMatch(/actions\.definitions\[1\]\.env\["1bad"\]: expected an environment variable name/);
    expect(text).toMatch(/actions\.definitions\[1\]\.id: .*action/);
    expect(text).toMatch(/actions\.definitions\[2\]\.type: /);
    expect(text).not.toContain("cloud-token-42");
    // An exec action's environment is secret, whatever its variables' names.
    expect(text).toMatch(/actions\.definitions\[3\]\.env\.REGION_ID: expected text, got a number \(not shown: secret-named key\)/);
    expect(text).not.toContain("8675309123");
  });

  it("reads an action's triggers, their delay in milliseconds and their once_per", () => {
    const result = parseConfigText(
      `site: { name: Acme }
components:
  - { id: orders-db, name: Orders database }
actions:
  definitions:
    - id: scale-down
      type: webhook
      url: https://ops.example.com/hooks/scale
      on:
        - { event: incident.opened, components: [orders-db], root: true, impact_at_least: major, delay: 2m, once_per: incident }
        - { event: window.closed, once_per: window }
`,
      "vigil.yaml",
      env,
    );
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    expect(result.config.actions.definitions[0]!.on).toEqual([
      { event: "incident.opened", components: ["orders-db"], root: true, impact_at_least: "major", delay: 120_000, once_per: "incident" },
      { event: "window.closed", delay: 0, once_per: "window" },
    ]);
  });

  it("refuses a trigger's unknown event, unknown component, misplaced once_per and conditions a region has not, naming each path", () => {
    const result = parseConfigText(
      `site: { name: Acme }
components:
  - { id: orders-db, name: Orders database }
actions:
  definitions:
    - id: scale-down
      type: webhook
      url: https://ops.example.com/hooks/scale
      on:
        - { event: incident.exploded }
        - { event: incident.opened, components: [orders-dbb] }
        - { event: incident.opened, once_per: window, delay: soon }
        - { event: region.isolated, impact_at_least: major }
`,
      "vigil.yaml",
      env,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = formatConfigIssues(result.errors);
    expect(text).toMatch(/actions\.definitions\[0\]\.on\[0\]\.event: /);
    expect(text).toMatch(/actions\.definitions\[0\]\.on\[1\]\.components\[0\]: no component has the id "orders-dbb" \(did you mean "orders-db"\?\)/);
    expect(text).toMatch(/actions\.definitions\[0\]\.on\[2\]\.delay: /);
    expect(text).toMatch(/actions\.definitions\[0\]\.on\[3\]\.impact_at_least: a region\.isolated trigger has no incident or component/);
  });

  it("reads a ramp's steps, gates and on_abort, each gate key in milliseconds or as a fraction", () => {
    const result = parseConfigText(
      `site: { name: Acme }
components:
  - { id: orders-db, name: Orders database }
actions:
  definitions:
    - { id: scale-api, type: webhook, url: "https://ops.example.com/scale" }
    - id: recovery
      type: ramp
      deadline: 1h
      components: [orders-db]
      gate: { up_for: 2m, no_restart_for: 90s, connections_below: "60%" }
      steps:
        - { run: scale-api, with: { replicas: 2, pool: warm } }
        - { run: scale-api, with: { replicas: 10 }, gate: { up_for: 5m, timeout: 30m } }
      on_abort: { run: scale-api, with: { replicas: 0 } }
`,
      "vigil.yaml",
      env,
    );
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    expect(result.config.actions.definitions[1]).toMatchObject({
      id: "recovery",
      type: "ramp",
      deadline: 3_600_000,
      settings: {
        components: ["orders-db"],
        gate: { up_for: 120_000, no_restart_for: 90_000, connections_below: 0.6 },
        steps: [
          { run: "scale-api", with: { replicas: 2, pool: "warm" } },
          { run: "scale-api", with: { replicas: 10 }, gate: { up_for: 300_000, timeout: 1_800_000 } },
        ],
        on_abort: { run: "scale-api", with: { replicas: 0 } },
      },
    });
  });

  it("refuses a ramp step that runs an unknown action or a ramp, an unknown component, a bad gate and a value named as the step's own", () => {
    const result = parseConfigText(
      `site: { name: Acme }
components:
  - { id: orders-db, name: Orders database }
actions:
  definitions:
    - { id: scale-api, type: webhook, url: "https://ops.example.com/scale" }
    - id: recovery
      type: ramp
      components: [orders-dbb]
      gate: { connections_below: "160%" }
      steps:
        - { run: scale-apii }
        - { run: recovery }
        - { run: scale-api, with: { number: 3 } }
      on_abort: { run: nothing }
    - { id: empty, type: ramp, steps: [] }
`,
      "vigil.yaml",
      env,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = formatConfigIssues(result.errors);
    expect(text).toMatch(/actions\.definitions\[1\]\.gate\.connections_below: expected a share such as "60%"/);
    expect(text).toMatch(/actions\.definitions\[1\]\.steps\[2\]\.with\.number: number and of are the step's own/);
    expect(text).toMatch(/actions\.definitions\[2\]\.steps: /);
    expect(text).toMatch(/actions\.definitions\[1\]\.components\[0\]: no component has the id "orders-dbb" \(did you mean "orders-db"\?\)/);
    expect(text).toMatch(/actions\.definitions\[1\]\.steps\[0\]\.run: no action has the id "scale-apii" \(did you mean "scale-api"\?\)/);
    expect(text).toMatch(/actions\.definitions\[1\]\.steps\[1\]\.run: action "recovery" is a ramp: a ramp's steps run other kinds of action/);
    expect(text).toMatch(/actions\.definitions\[1\]\.on_abort\.run: no action has the id "nothing"/);
  });

  it("refuses once_per: window on an incident event", () => {
    const result = parse(`actions:
  definitions:
    - id: scale-down
      type: webhook
      url: https://ops.example.com/hooks/scale
      on: [{ event: incident.opened, once_per: window }]
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatConfigIssues(result.errors)).toMatch(/actions\.definitions\[0\]\.on\[0\]\.once_per: once_per: window applies to window\.closed only, not to incident\.opened/);
  });
});
