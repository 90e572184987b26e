/**
 * Property tests of the configuration loader: whatever text or value a configuration file holds, parseConfigText
 * answers with a configuration or with errors that each say where (a key path or a line) and what is wrong; it never
 * throws, and never quotes a secret (a value from the environment, a value under a secret-named key).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseConfigText, type ConfigLoadResult } from "../../src/config/index.ts";

const file = "/etc/vigil/vigil.yaml";

/** Every run's result has the shape the loader promises. */
function expectWellFormed(result: ConfigLoadResult): void {
  if (result.ok) {
    expect(Object.isFrozen(result.config)).toBe(true);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  for (const error of result.errors) {
    expect(error.file).toBe(file);
    expect(typeof error.path).toBe("string");
    expect(typeof error.message).toBe("string");
    expect(error.message.trim()).not.toBe("");
    // Where: a key path, or a line and column (a syntax error has no path).
    expect(error.path !== "" || error.line !== undefined || error.message.startsWith("the configuration must be a mapping")).toBe(true);
    if (error.line !== undefined) {
      expect(Number.isInteger(error.line) && error.line >= 1).toBe(true);
      expect(Number.isInteger(error.column) && (error.column ?? 0) >= 1).toBe(true);
    }
  }
}

/** A configuration using most sections, valid as it is. */
const base = {
  site: { name: "Acme Status", url: "https://status.acme.example", time_zone: "Europe/Paris", accent_color: "#0055aa", links: [{ label: "Home", url: "https://acme.example" }] },
  server: { host: "127.0.0.1", port: 8080, body_limit: "1mb", request_timeout: "30s", metrics: { public: false, token: "0123456789abcdef0123" }, trusted_proxies: ["10.0.0.0/8"] },
  storage: { data_dir: "/var/lib/vigil" },
  components: [
    { id: "orders-db", name: "Orders database", monitors: ["orders-db-tcp"] },
    { id: "api", name: "API", depends_on: ["orders-db", { id: "cdn", soft: true }], monitors: ["api-health"], publish: "5m" },
    { id: "cdn", name: "CDN", hidden: true },
  ],
  monitors: [
    { id: "orders-db-tcp", type: "tcp", host: "db.acme.example", port: 5432, interval: "30s" },
    { id: "api-health", type: "http", url: "https://api.acme.example/health", headers: { Authorization: "Bearer abc" }, assert: ["status == 200"] },
  ],
  probe: { region: "eu-west", concurrency: 10 },
  incidents: { publish: "auto", correlation_window: "1m", templates: { investigating: "We are looking into {components}." } },
  maintenances: [{ id: "upgrade", name: "Upgrade", components: ["api"], starts_at: "2026-12-01T22:00:00Z", ends_at: "2026-12-01T23:00:00Z" }],
  upstreams: [{ id: "acme-cloud", name: "Acme Cloud", feed: { type: "statuspage", url: "https://status.acmecloud.example" }, interval: "1m" }],
  notifications: {
    channels: [
      { id: "hook", type: "webhook", url: "https://hooks.example.com/vigil", secret: "hook-secret-1" },
      { id: "pager", type: "pagerduty", routing_key: "0123456789abcdef0123456789abcdef" },
    ],
    routes: [{ match: { kind: ["incident.created"] }, channels: ["pager"], group_wait: "10s" }],
  },
  subscribers: { email: { host: "smtp.example.com", port: 587, username: "vigil", password: "mail-password", from: "status@example.com" } },
};

/** Every path to a value in `value` (keys and indexes), the root included. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

/** `root` with the value at `path` replaced by `value` (a deep copy). */
function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: unknown = structuredClone(root);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
  return copy;
}

const basePaths = pathsOf(base);

/** Values a person might put anywhere: scalars of every type, near-misses of durations, URLs and ids, small nestings. */
const hostileScalar = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("", " ", "30", "30s", "-5m", "1e9d", "0s", "5mb", "-1", "NaN", "Infinity", "http://", "ftp://x@y/z", "https://u:p@acme.example/path?q=1", "__proto__", "constructor", "{components}", "{nope}", "${NOPE}", "~", "yes", "no", "0x10", "2026-02-30T00:00:00Z", "a".repeat(300), "Europe/Nowhere", "#zzz", "10.0.0.0/33", "::1/129"),
);
const hostileValue = fc.oneof(
  { weight: 4, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("id", "type", "url", "name", "__proto__")), hostileScalar, { maxKeys: 4 }) },
);

/** Text made of YAML's own syntax, so the parser's error paths are reached as well as plain strings. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom("\n", "\n  ", "\n- ", ": ", "- ", "{", "}", "[", "]", ", ", "&a ", "*a", "<<: *a", "!!str ", "!!binary ", "!bogus ", "? ", "|\n  ", ">-\n  ", "'", '"', "#", "---\n", "...\n", "%YAML 1.2\n", "\t", "${VIGIL_X}", "${VIGIL_X:-8080}", "${", "site", "components", "monitors", "server", "port", "id", "type: http", "url: ", "\u0000", "\uFEFF", "\uD800"),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

describe("parseConfigText properties", () => {
  it("any text is a configuration or errors with a place and a message, never a throw", () => {
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string({ maxLength: 200, unit: "binary" })), (text) => {
        expectWellFormed(parseConfigText(text, file, { VIGIL_X: "x" }));
      }),
      { seed: 20261207, numRuns: 1000 },
    );
  });

  it("any value at any key is accepted or refused with the key's path", () => {
    fc.assert(
      fc.property(fc.constantFrom(...basePaths), hostileValue, fc.boolean(), (path, value, asJson) => {
        const doc = setAt(base, path, value);
        const text = asJson ? JSON.stringify(doc) : stringify(doc);
        const result = parseConfigText(text, file, {});
        expectWellFormed(result);
        if (!result.ok) {
          // Every error with a path names a key of the document (or a key the schema required of it).
          for (const error of result.errors) expect(error.path.length).toBeLessThan(500);
        }
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it("the base configuration is valid, so a refusal above is the mutation's", () => {
    expect(parseConfigText(stringify(base), file, {})).toMatchObject({ ok: true });
  });

  const secretMarker = "Zq9SECRETVALUE";
  const secretPaths = basePaths.filter((p) => {
    const key = String(p.at(-1));
    return /password|secret|token|routing_key|Authorization/.test(key);
  });

  it("a value under a secret-named key is never quoted in an error", () => {
    expect(secretPaths.length).toBeGreaterThanOrEqual(5);
    const secretValue = fc.oneof(
      fc.string({ maxLength: 10 }).map((s) => `${s}${secretMarker}${s}`),
      fc.constantFrom(`https://${secretMarker}.example/x`, `${secretMarker}:${secretMarker}`, `{${secretMarker}}`, `\${${secretMarker}`),
      fc.constant(Number("9183746501")),
      fc.array(fc.constant(secretMarker), { minLength: 1, maxLength: 2 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...secretPaths), secretValue, (path, value) => {
        const result = parseConfigText(stringify(setAt(base, path, value)), file, {});
        expectWellFormed(result);
        if (!result.ok) for (const error of result.errors) expect(`${error.path} ${error.message}`).not.toMatch(/Zq9SECRETVALUE|9183746501/);
      }),
      { seed: 11, numRuns: 400 },
    );
  });

  it("a value from the environment is never quoted in an error, wherever it is used", () => {
    const envValue = fc.oneof(
      fc.string({ maxLength: 10 }).map((s) => `${s}${secretMarker}`),
      fc.constantFrom(`https://${secretMarker}.example/x`, `{${secretMarker}}`, `${secretMarker} {components}`, "9183746501", `[${secretMarker}]`, `#${secretMarker}`, `${secretMarker}s`),
    );
    const scalarPaths = basePaths.filter((p) => {
      const v = p.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], base);
      return typeof v !== "object" || v === null;
    });
    fc.assert(
      fc.property(fc.constantFrom(...scalarPaths), envValue, (path, value) => {
        const result = parseConfigText(stringify(setAt(base, path, "${VIGIL_SECRET}")), file, { VIGIL_SECRET: value });
        expectWellFormed(result);
        if (!result.ok) for (const error of result.errors) expect(`${error.path} ${error.message}`).not.toMatch(/Zq9SECRETVALUE|9183746501/);
      }),
      { seed: 13, numRuns: 600 },
    );
  });
});

describe("parseConfigText regressions found by the properties", () => {
  it("an alias to an anchor never set is a YAML error with its place, not a throw", () => {
    expect(parseConfigText("site: { name: Acme }\nserver: *a\n", file, {})).toEqual({
      ok: false,
      errors: [{ file, path: "", message: "invalid YAML: Unresolved alias (the anchor must be set before the alias): a", line: 2, column: 9 }],
    });
  });

  it("aliases expanding past the limit are a YAML error, not a throw", () => {
    const bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";
    const result = parseConfigText(bomb, file, {});
    expect(result).toMatchObject({ ok: false, errors: [{ path: "", message: expect.stringMatching(/^invalid YAML: Excessive alias count/), line: 2 }] });
  });

  it.each([
    ["an empty section", "site:\n", "site"],
    ["a null monitor", "monitors: [null]\n", "monitors[0]"],
    ["a null dependency", "components: [{ id: api, name: API, depends_on: [null] }]\n", "components[0].depends_on[0]"],
  ])("%s is 'expected a mapping, got nothing (null)', not a throw", (_name, text, path) => {
    expect(parseConfigText(text, file, {})).toMatchObject({ ok: false, errors: [{ path, message: "expected a mapping, got nothing (null)" }] });
  });

  it("an id from the environment is named by its variable in a reference error", () => {
    const text = "components:\n  - id: api\n    name: API\n    depends_on: [\"${DEP}\"]\n";
    const result = parseConfigText(text, file, { DEP: "zq9-secret-value" });
    expect(result).toMatchObject({ ok: false, errors: [{ path: "components[0].depends_on[0]", message: "no component or upstream has the id ${DEP}" }] });
  });

  it("an assertion from the environment is named by its variable when it cannot be read", () => {
    const text = "monitors:\n  - id: api\n    type: tcp\n    host: db.acme.example\n    port: 5432\n    assert: [\"${CHECK}\"]\n";
    const result = parseConfigText(text, file, { CHECK: "Zq9SECRETVALUE" });
    expect(result).toMatchObject({ ok: false, errors: [{ path: "monitors[0].assert[0]" }] });
    expect(JSON.stringify(result)).not.toContain("Zq9SECRETVALUE");
  });

  it("an environment value read as YAML prints no warning quoting it", async () => {
    const warnings: string[] = [];
    const listener = (warning: Error) => warnings.push(warning.message);
    process.on("warning", listener);
    try {
      parseConfigText("site:\n  name: ${NAME}\n", file, { NAME: "!Zq9SECRETVALUE" });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", listener);
    }
    expect(warnings.join("\n")).not.toContain("Zq9SECRETVALUE");
  });
});
