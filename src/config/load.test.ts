import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatConfigIssues, loadConfigFile, parseConfigText, type ConfigIssue } from "./load.ts";

const base = `site: { name: Acme Status }
components:
  - id: orders-db
    name: Orders database
    group: Infrastructure
    monitors: [orders-db-mysql]
  - id: api
    name: Production API
    depends_on: [orders-db]
    monitors: [api-health]
monitors:
  - id: api-health
    type: http
    url: http://127.0.0.1:9000/health
    interval: 5s
    timeout: 2s
  - id: orders-db-mysql
    type: mysql
    url: mysql://monitor:\${MYSQL_PASSWORD}@127.0.0.1:3306/
    interval: 5s
incidents:
  publish: auto
notifications:
  channels:
    - id: oncall
      type: webhook
      url: http://127.0.0.1:9100/hook
      secret: \${WEBHOOK_SECRET}
`;
const env = { MYSQL_PASSWORD: "p@ss:w0rd", WEBHOOK_SECRET: "whsec-123" };

function errorsOf(text: string, vars: Record<string, string> = env): ConfigIssue[] {
  const result = parseConfigText(text, "vigil.yaml", vars);
  if (result.ok) throw new Error("expected the configuration to be rejected");
  return result.errors;
}

describe("parseConfigText", () => {
  it("accepts the design's example, with defaults filled in, durations in ms and secrets interpolated", () => {
    const result = parseConfigText(base, "vigil.yaml", env);
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    const { config } = result;
    expect(config.site).toEqual({ name: "Acme Status", time_zone: "UTC", links: [] });
    expect(config.statuspage).toEqual({ render_thread: "auto", show_regions: false });
    expect(config.server).toEqual({ host: "127.0.0.1", port: 8080, body_limit: 1024 * 1024, request_timeout: 30_000, headers_timeout: 10_000, metrics: { public: false }, trusted_proxies: [] });
    expect(config.components[1]).toEqual({ id: "api", name: "Production API", depends_on: [{ id: "orders-db", soft: false }], monitors: ["api-health"], hidden: false });
    expect(config.monitors[0]).toMatchObject({ id: "api-health", type: "http", interval: 5000, timeout: 2000 });
    expect(config.monitors[1]).toMatchObject({ settings: { url: "mysql://monitor:p@ss:w0rd@127.0.0.1:3306/" }, timeout: 10_000, recheck: 1_000, confirm: 2, quorum: "majority" });
    expect(config.notifications.channels[0]).toMatchObject({ id: "oncall", secret: "whsec-123" });
    expect(config.incidents.publish).toBe("auto");
    expect(Object.isFrozen(config.monitors[0])).toBe(true);
  });

  it("reads soft dependencies, a publish delay, a default for a missing variable and a typed value from the environment", () => {
    const text = base
      .replace("depends_on: [orders-db]", "depends_on: [{ id: orders-db, soft: true }]")
      .replace("publish: auto", "publish: 90s")
      .replace("site: { name: Acme Status }", "site: { name: Acme Status }\nserver:\n  port: ${PORT:-9090}\n  host: ${HOST:-0.0.0.0}");
    const result = parseConfigText(text, "vigil.yaml", { ...env, PORT: "7070" });
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    expect(result.config.components[1]?.depends_on).toEqual([{ id: "orders-db", soft: true }]);
    expect(result.config.incidents.publish).toBe(90_000);
    expect(result.config.server).toMatchObject({ port: 7070, host: "0.0.0.0" });
  });

  it("keeps $${ as a literal ${", () => {
    const result = parseConfigText(base.replace("name: Production API", () => "name: Cost $${USD}"), "vigil.yaml", env);
    expect(result.ok && result.config.components[1]?.name).toBe("Cost ${USD}");
  });

  // Each bad input: the path and message reported, and the line and column they are found at.
  it.each([
    ["malformed YAML", base.replace("  - id: api\n", "  - id: api\n   bad: [\n"), "", /^invalid YAML/, 8],
    ["a wrong type", base.replace("name: Production API", "name: [a, b]"), "components[1].name", /^expected text, got a list$/, 8],
    ["an unknown key", base.replace("    timeout: 2s", "    tiemout: 2s"), "monitors[0].tiemout", /^unknown key "tiemout" \(did you mean "timeout"\?\)$/, 16],
    ["an unknown section", base + "notifcations: {}\n", "notifcations", /^unknown key "notifcations" \(did you mean "notifications"\?\)$/, 29],
    ["a duplicate id", base.replace("  - id: orders-db-mysql", "  - id: api-health"), "monitors[1].id", /^duplicate monitor id "api-health" \(first used at monitors\[0\]\)$/, 17],
    ["a dangling monitor reference", base.replace("monitors: [api-health]", "monitors: [api-helth]"), "components[1].monitors[0]", /^no monitor has the id "api-helth" \(did you mean "api-health"\?\)$/, 10],
    ["a dangling dependency", base.replace("depends_on: [orders-db]", "depends_on: [orders]"), "components[1].depends_on[0]", /^no component or upstream has the id "orders"$/, 9],
    ["a bad duration", base.replace("interval: 5s\n    timeout", "interval: fast\n    timeout"), "monitors[0].interval", /^expected a duration such as 30s, got "fast"$/, 15],
    ["a zero duration", base.replace("timeout: 2s", "timeout: 0s"), "monitors[0].timeout", /^must be greater than zero$/, 16],
    ["a missing environment variable", base, "notifications.channels[0].secret", /^environment variable WEBHOOK_SECRET is not set/, 28],
    ["a bad id", base.replace("id: orders-db\n", "id: Orders_DB\n"), "components[0].id", /^expected an id of lowercase letters/, 3],
    ["an unknown monitor type", base.replace("type: mysql", "type: mysq"), "monitors[1].type", /^expected one of "http", "tcp"/, 18],
    ["a missing required field", base.replace("    url: http://127.0.0.1:9000/health\n", ""), "monitors[0].url", /^is required$/, 12],
    ["a bad URL", base.replace("http://127.0.0.1:9000/health", "127.0.0.1:9000"), "monitors[0].url", /^expected an http:\/\/ or https:\/\/ URL, got "127.0.0.1:9000"$/, 14],
    ["a publish policy", base.replace("publish: auto", "publish: sometimes"), "incidents.publish", /^expected "auto", "manual" or a duration such as 30s, got "sometimes"$/, 22],
    ["a bad replication lag", base.replace("    interval: 5s\nincidents", "    interval: 5s\n    max_replication_lag: soon\nincidents"), "monitors[1].max_replication_lag", /^expected a duration such as 30s, got "soon"$/, 21],
    ["a replication lag on an http monitor", base.replace("    timeout: 2s\n", "    timeout: 2s\n    max_replication_lag: 30s\n"), "monitors[0].max_replication_lag", /^applies only to monitors whose checks report replicationLagS \(mysql, postgres\)$/, 17],
    ["a lock-wait limit of zero", base.replace("    interval: 5s\nincidents", "    interval: 5s\n    max_lock_waits: 0\nincidents"), "monitors[1].max_lock_waits", /^expected a whole number of at least 1/, 21],
    ["a component impact", base.replace("    group: Infrastructure\n", "    group: Infrastructure\n    impact: severe\n"), "components[0].impact", /^expected one of "none", "minor", "major", "critical", got "severe"$/, 6],
  ])("reports %s", (_name, text, path, message, line) => {
    const vars = _name === "a missing environment variable" ? { MYSQL_PASSWORD: "x" } : env;
    const errors = errorsOf(text, vars);
    const found = errors.find((e) => e.path === path && message.test(e.message));
    expect(found, formatConfigIssues(errors)).toBeDefined();
    expect(found?.line).toBe(line);
    expect(found?.file).toBe("vigil.yaml");
  });

  it("reads a database monitor's limits, leaving those not given to detection's defaults", () => {
    const result = parseConfigText(base.replace("    interval: 5s\nincidents", "    interval: 5s\n    max_replication_lag: 30s\n    max_transaction_age: 2m\nincidents"), "vigil.yaml", env);
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    expect(result.config.monitors[1]).toMatchObject({ max_replication_lag: 30_000, max_transaction_age: 120_000 });
    expect(result.config.monitors[1]?.max_lock_waits).toBeUndefined();
    expect(result.config.monitors[0]?.max_replication_lag).toBeUndefined();
  });

  it("checks a monitor's own keys with its probe's schema and its assertions against the facts it produces", () => {
    const text = base.replace("    timeout: 2s\n", "    timeout: 2s\n    method: FETCH\n    assert: [\"certDaysLeft >= 14\", \"uptimeS > 5\", \"status = 200\"]\n");
    const errors = errorsOf(text);
    const messages = formatConfigIssues(errors);
    expect(messages).toMatch(/monitors\[0\]\.method: expected an HTTP method \(GET, HEAD/);
    expect(messages).toMatch(/monitors\[0\]\.assert\[1\]: .*uptimeS/);
    expect(messages).toMatch(/monitors\[0\]\.assert\[2\]: cannot read assertion "status = 200"/);
    expect(messages).not.toMatch(/assert\[0\]/);
  });

  it("reads canaries with their probe's keys and the mass-failure rule, with their defaults", () => {
    const none = parseConfigText(base, "vigil.yaml", env);
    if (!none.ok) throw new Error(formatConfigIssues(none.errors));
    expect(none.config.probe).toMatchObject({ canaries: [], canary_interval: 10_000, mass_failure: { share: 0.5, min_monitors: 3, window: 30_000 } });
    const text = base.replace("incidents:\n", "probe:\n  canaries:\n    - { type: tcp, host: 1.1.1.1, port: 53 }\n    - { type: http, name: Example, url: https://example.com/, timeout: 3s }\n    - { type: postgres, url: \"postgres://vigil:${MYSQL_PASSWORD}@127.0.0.1:5432/vigil\" }\n  canary_interval: 5s\n  mass_failure: { share: 75%, min_monitors: 5, window: 10s }\nincidents:\n");
    const parsed = parseConfigText(text, "vigil.yaml", env);
    if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
    expect(parsed.config.probe.canaries).toEqual([
      { type: "tcp", timeout: 5_000, settings: { host: "1.1.1.1", port: 53 } },
      { type: "http", name: "Example", timeout: 3_000, settings: expect.objectContaining({ url: "https://example.com/" }) },
      { type: "postgres", timeout: 5_000, settings: expect.objectContaining({ url: "postgres://vigil:p@ss:w0rd@127.0.0.1:5432/vigil" }) },
    ]);
    expect(parsed.config.probe).toMatchObject({ canary_interval: 5_000, mass_failure: { share: 0.75, min_monitors: 5, window: 10_000 } });
  });

  it.each([
    ["a canary without its probe's key", "    - { type: tcp, host: 1.1.1.1 }\n", "probe.canaries[0].port", /^is required$/],
    ["a canary's unknown key", "    - { type: tcp, host: 1.1.1.1, port: 53, timout: 1s }\n", "probe.canaries[0].timout", /^unknown key "timout" \(did you mean "timeout"\?\)$/],
    ["a heartbeat as a canary", "    - { type: heartbeat, secret: abcdefghijklmnop }\n", "probe.canaries[0].type", /^a heartbeat monitor waits to be called: a canary is an address the server checks \(http, tcp, dns, tls, mysql, postgres, redis\)$/],
    ["a canary's bad URL", "    - { type: http, url: example.com }\n", "probe.canaries[0].url", /^expected an http:\/\/ or https:\/\/ URL, got "example.com"$/],
    ["a share that is not one", "    - { type: tcp, host: 1.1.1.1, port: 53 }\n  mass_failure: { share: 0.5 }\n", "probe.mass_failure.share", /^expected a share of the monitors such as "50%", got 0.5$/],
    ["canaries beside agents' regions", "    - { type: tcp, host: 1.1.1.1, port: 53 }\nregions: [{ id: eu-west, name: Frankfurt }]\n", "probe.canaries", /^canaries judge the server's own network when it is the only region/],
  ])("reports %s at its path", (_name, canaries, path, message) => {
    const errors = errorsOf(base.replace("incidents:\n", `probe:\n  canaries:\n${canaries}incidents:\n`));
    expect(errors.find((e) => e.path === path && message.test(e.message)), formatConfigIssues(errors)).toBeDefined();
  });

  it("reads the retentions, with their defaults, and names one too short for what reads it", () => {
    const none = parseConfigText(base, "vigil.yaml", env);
    if (!none.ok) throw new Error(formatConfigIssues(none.errors));
    expect(none.config.probe).toMatchObject({ results_retention: 7 * 86_400_000, rollups_retention: 400 * 86_400_000, minute_rollups_retention: 7 * 86_400_000, hour_rollups_retention: 90 * 86_400_000, events_retention: 400 * 86_400_000, deliveries_retention: 30 * 86_400_000 });
    const parsed = parseConfigText(base.replace("incidents:\n", "probe:\n  events_retention: 180d\n  deliveries_retention: 7d\n  minute_rollups_retention: 3d\n  hour_rollups_retention: 60d\nincidents:\n"), "vigil.yaml", env);
    if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
    expect(parsed.config.probe).toMatchObject({ events_retention: 180 * 86_400_000, deliveries_retention: 7 * 86_400_000, minute_rollups_retention: 3 * 86_400_000, hour_rollups_retention: 60 * 86_400_000 });
    const errors = formatConfigIssues(errorsOf(base.replace("incidents:\n", "probe:\n  events_retention: 30d\n  deliveries_retention: 12h\n  minute_rollups_retention: 1d\n  hour_rollups_retention: 7d\nincidents:\n")));
    expect(errors).toMatch(/probe\.minute_rollups_retention: must be at least 2d: the 24-hour uptime reads per-minute rollups$/m);
    expect(errors).toMatch(/probe\.hour_rollups_retention: must be at least 31d: the 30-day uptime reads per-hour rollups$/m);
    expect(errors).toMatch(/probe\.events_retention: must be at least 91d: the status page's uptime bars read the last 90 days of status changes$/m);
    expect(errors).toMatch(/probe\.deliveries_retention: must be at least 1d: after a restart the notifier reads the recent deliveries/m);
  });

  it("reads hang suspicion's keys, with their defaults, and names a factor below 1", () => {
    const parsed = parseConfigText(base.replace("    timeout: 2s\n", "    timeout: 2s\n    suspect_factor: 20\n    suspect_floor: 500ms\n").replace("    interval: 5s\nincidents", "    interval: 5s\n    suspect: false\nincidents"), "vigil.yaml", env);
    if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
    expect(parsed.config.monitors[0]).toMatchObject({ suspect: true, suspect_factor: 20, suspect_floor: 500 });
    expect(parsed.config.monitors[1]).toMatchObject({ suspect: false, suspect_factor: 10, suspect_floor: 1_000 });
    const errors = errorsOf(base.replace("    timeout: 2s\n", "    timeout: 2s\n    suspect_factor: 0.5\n"));
    expect(formatConfigIssues(errors)).toMatch(/monitors\[0\]\.suspect_factor: must be at least 1$/m);
  });

  it("reads incident policies, templates and declared maintenance, and names what is wrong in them", () => {
    const extra = `incidents:
  publish: 2m
  update_due_after: 15m
  window_margin: 30s
  templates:
    investigating: "We are looking into {impact} on {components}.{evidence}"
maintenances:
  - id: db-upgrade
    name: Database upgrade
    components: [orders-db]
    starts_at: "2026-12-01T02:00:00Z"
    ends_at: "2026-12-01T03:30:00+01:00"
`;
    const text = base.replace(/incidents:\n  publish: auto\n/, "").replace("    group: Infrastructure\n", "    group: Infrastructure\n    publish: manual\n") + extra;
    const result = parseConfigText(text, "vigil.yaml", env);
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    expect(result.config.incidents).toMatchObject({ publish: 120_000, update_due_after: 900_000, window_margin: 30_000, public_evidence: false });
    expect(result.config.components[0]?.publish).toBe("manual");
    expect(result.config.maintenances).toEqual([
      { id: "db-upgrade", name: "Database upgrade", body: "Scheduled maintenance is in progress.", components: ["orders-db"], starts_at: new Date("2026-12-01T02:00:00Z"), ends_at: new Date("2026-12-01T02:30:00Z") },
    ]);

    const bad = text
      .replace("{impact} on", "{impakt} on")
      .replace('ends_at: "2026-12-01T03:30:00+01:00"', 'ends_at: "2026-12-01T01:00:00Z"')
      .replace("components: [orders-db]", "components: [orders-dbb]")
      .replace('starts_at: "2026-12-01T02:00:00Z"', 'starts_at: "2026-12-01T02:00:00Z"\n    note: x');
    const messages = formatConfigIssues(errorsOf(bad));
    expect(messages).toMatch(/incidents\.templates\.investigating: unknown placeholder \{impakt\}; known: \{components\}/);
    expect(messages).toMatch(/maintenances\[0\]\.ends_at: must be after starts_at/);
    expect(messages).toMatch(/maintenances\[0\]\.components\[0\]: no component has the id "orders-dbb" \(did you mean "orders-db"\?\)/);
    expect(messages).toMatch(/maintenances\[0\]\.note: unknown key "note"/);
    expect(formatConfigIssues(errorsOf(text.replace('"2026-12-01T02:00:00Z"', '"tomorrow"')))).toMatch(/maintenances\[0\]\.starts_at: expected a date and time with a zone/);
  });

  it("gives routes the notifications.grouping defaults, their own keys winning, and reads the subscribers section", () => {
    const extra = `  grouping: { group_interval: 2m, repeat_interval: 1h }
  routes:
    - { channels: [oncall], match: { kind: "incident.*" } }
    - { channels: [oncall], group_interval: 10s, group_by: [component] }
subscribers:
  email: { host: smtp.example.com, from: "Acme Status <status@example.com>" }
  rate_limit: { requests: 3 }
`;
    const result = parseConfigText(base + extra, "vigil.yaml", env);
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    expect(result.config.notifications.routes.map((r) => [r.groupBy, r.groupWaitMs, r.groupIntervalMs, r.repeatIntervalMs])).toEqual([
      [["incident"], 0, 120_000, 3_600_000],
      [["component"], 0, 10_000, 3_600_000],
    ]);
    expect(result.config.notifications.grouping).toEqual({ group_by: ["incident"], group_wait: 0, group_interval: 120_000, repeat_interval: 3_600_000 });
    expect(result.config.subscribers).toMatchObject({ email: { host: "smtp.example.com", port: 587, connections: 5 }, webhooks: true, confirm_within: 86_400_000, rate_limit: { requests: 3, per: 600_000 } });
    const plain = parseConfigText(base, "vigil.yaml", env);
    expect(plain.ok && plain.config.subscribers).toBeUndefined();

    const messages = formatConfigIssues(errorsOf(base + extra.replace("group_interval: 10s", "group_interval: 0s").replace("requests: 3", "requests: 0")));
    expect(messages).toMatch(/notifications\.routes\[1\]\.group_interval: .*greater than/);
    expect(messages).toMatch(/subscribers\.rate_limit\.requests: expected a whole number of at least 1/);
  });

  it("prints a dependency cycle", () => {
    const text = base.replace("    group: Infrastructure\n", "    group: Infrastructure\n    depends_on: [checkout]\n") + "";
    const withCheckout = text.replace("monitors:\n  - id: api-health", "  - id: checkout\n    name: Checkout\n    depends_on: [api]\nmonitors:\n  - id: api-health");
    const errors = errorsOf(withCheckout);
    expect(errors.map((e) => e.message)).toContain("dependency cycle: orders-db → checkout → api → orders-db");
    expect(errorsOf(base.replace("depends_on: [orders-db]", "depends_on: [api]")).map((e) => e.message)).toContain('component "api" cannot depend on itself');
  });

  it("reports every error at once, in file order", () => {
    const text = base.replace("interval: 5s\n    timeout", "interval: fast\n    tiemout").replace("monitors: [api-health]", "monitors: [api-health, nope]");
    const errors = errorsOf(text);
    expect(errors.map((e) => e.path)).toEqual(["components[1].monitors[1]", "monitors[0].interval", "monitors[0].tiemout"]);
    expect(formatConfigIssues(errors)).toBe(
      [
        'vigil.yaml:10:28 components[1].monitors[1]: no monitor has the id "nope"',
        'vigil.yaml:15:15 monitors[0].interval: expected a duration such as 30s, got "fast"',
        'vigil.yaml:16:5 monitors[0].tiemout: unknown key "tiemout" (did you mean "timeout"?)',
      ].join("\n"),
    );
  });

  it("never prints a value that came from the environment", () => {
    const text = base.replace("  - id: orders-db-mysql", "  - id: cache\n    type: tcp\n    host: 127.0.0.1\n    port: ${SECRET_PORT}\n  - id: orders-db-mysql");
    const errors = errorsOf(text, { ...env, SECRET_PORT: "hunter2" });
    const message = formatConfigIssues(errors);
    expect(message).toContain("monitors[1].port: expected a port number from 1 to 65535, got the value of ${SECRET_PORT}");
    expect(message).not.toContain("hunter2");
  });

  it("treats a secret with YAML syntax in it as one string", () => {
    const result = parseConfigText(base, "vigil.yaml", { ...env, WEBHOOK_SECRET: "a: [b, {c" });
    expect(result.ok && result.config.notifications.channels[0]?.["secret"]).toBe("a: [b, {c");
  });

  it("rejects a file that is not a mapping", () => {
    expect(errorsOf("- a\n- b\n")[0]?.message).toMatch(/must be a mapping/);
  });
});

describe("loadConfigFile", () => {
  it("reads a file, and reports a missing one without throwing", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "vigil-config-"));
    try {
      const file = path.join(dir, "vigil.yaml");
      await writeFile(file, base);
      expect((await loadConfigFile(file, env)).ok).toBe(true);
      const missing = await loadConfigFile(path.join(dir, "nope.yaml"), env);
      expect(missing.ok).toBe(false);
      expect(!missing.ok && missing.errors[0]?.message).toBe("cannot read the configuration file: no such file");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("errors about secrets", () => {
  const secretText = `site: { name: Acme Status }
components: [{ id: api, name: API, monitors: [api-health] }]
monitors:
  - id: api-health
    type: http
    url: "ftp://admin:hunter2-userinfo@example.com/health?api_key=query-token-123"
notifications:
  channels:
    - id: oncall
      type: webhook
      url: "htps://hooks.example.com/services/T000/B000/path-token-456"
      secret: 8675309123
      headers: { Authorization: 5551234567 }
subscribers:
  email: { host: smtp.example.com, password: 4242424242, from: status@example.com }
`;
  const secrets = ["hunter2-userinfo", "query-token-123", "path-token-456", "8675309123", "5551234567", "4242424242"];

  it("says what is wrong with a secret-named key or a URL without quoting the value", () => {
    const errors = errorsOf(secretText);
    const text = formatConfigIssues(errors);
    for (const secret of secrets) expect(text).not.toContain(secret);
    const byPath = Object.fromEntries(errors.map((e) => [e.path, e.message]));
    expect(byPath["monitors[0].url"]).toMatch(/^expected .*, got a URL "ftp:\/\/example\.com\/…" \(the rest not shown: a URL may hold a secret\)$/);
    expect(byPath["notifications.channels[0].url"]).toMatch(/got a URL "htps:\/\/hooks\.example\.com\/…" \(the rest not shown/);
    expect(byPath["notifications.channels[0].secret"]).toBe("expected text, got a number (not shown: secret-named key)");
    expect(byPath["notifications.channels[0].headers.Authorization"]).toMatch(/got a number \(not shown: secret-named key\)$/);
    expect(byPath["subscribers.email.password"]).toBe("expected text, got a number (not shown: secret-named key)");
  });

  it("still quotes an ordinary value", () => {
    const errors = errorsOf(`site: { name: Acme Status }\ncomponents: [{ id: api, name: API }]\nincidents: { publish: sometimes }\n`);
    expect(errors[0]?.message).toContain('got "sometimes"');
  });
});
