import { describe, expect, it } from "vitest";
import { allFields, componentKeys, entryOf, fieldText, monitorKeys, patchOf, shownValues } from "./catalog-form.ts";

const keysOf = (fields: { key: string }[]) => fields.map((f) => f.key);

describe("the catalog forms' fields", () => {
  it("shows a monitor's main keys, its probe's own and the detection keys that apply to its type", () => {
    const http = monitorKeys("http");
    expect(keysOf(http.main)).toEqual(["id", "name", "interval", "timeout"]);
    expect(keysOf(http.own)).toEqual(expect.arrayContaining(["url", "method", "headers", "expect_status", "body"]));
    expect(keysOf(http.more)).toEqual(expect.arrayContaining(["recheck", "confirm", "quorum", "regions", "assert"]));
    // A replica's lag is a database's fact: an HTTP monitor has no such key, a MySQL one has.
    expect(keysOf(http.more)).not.toContain("max_replication_lag");
    expect(keysOf(monitorKeys("mysql").more)).toContain("max_replication_lag");
    expect(keysOf(allFields(http))).not.toContain("type");
  });

  it("reads text-only keys as typed, secrets as passwords, and lists a component's keys but its monitors", () => {
    const http = allFields(monitorKeys("http"));
    expect(http.find((f) => f.key === "body")).toMatchObject({ text: true, long: true });
    expect(http.find((f) => f.key === "max_redirects")).toMatchObject({ text: false });
    const heartbeat = allFields(monitorKeys("heartbeat"));
    expect(heartbeat.find((f) => f.key === "secret")).toMatchObject({ secret: true });
    expect(keysOf(allFields(componentKeys()))).toEqual(["id", "name", "group", "description", "depends_on", "hidden", "publish", "impact"]);
  });
});

describe("a value in its field", () => {
  const plain = { key: "x", long: false, text: false, secret: false };
  it("is text as it is when YAML reads it back the same, and YAML otherwise", () => {
    expect(fieldText("30s", plain)).toBe("30s");
    expect(fieldText("200", plain)).toBe('"200"');
    expect(fieldText(5, plain)).toBe("5");
    expect(fieldText(true, plain)).toBe("true");
    expect(fieldText(["eu-west", "us-east"], plain)).toBe("[ eu-west, us-east ]");
    expect(fieldText({ accept: "application/json" }, { ...plain, long: true })).toBe("accept: application/json");
    expect(fieldText("200", { ...plain, text: true })).toBe("200");
    expect(fieldText(undefined, plain)).toBe("");
  });
});

describe("a submitted form", () => {
  const keys = monitorKeys("http");
  it("makes a new entry of the fields typed in, read as YAML or, for text keys, as typed", () => {
    const made = entryOf(keys, { id: "api", name: "123", interval: "30s", url: "https://example.com/health", max_redirects: "3", body: '{"q": 1}', regions: "[eu-west]", confirm: " " }, { type: "http" });
    expect(made).toEqual({ entry: { type: "http", id: "api", name: "123", interval: "30s", url: "https://example.com/health", max_redirects: 3, body: '{"q": 1}', regions: ["eu-west"] } });
  });

  it("names the field that is not YAML, and one still holding a redacted secret", () => {
    expect(entryOf(keys, { id: "api", headers: "{ broken" })).toEqual({ problems: [{ path: "headers", message: expect.stringContaining("cannot be read as YAML") }] });
    expect(entryOf(keys, { id: "api", url: "https://u:[redacted]@example.com/" })).toEqual({ problems: [{ path: "url", message: expect.stringContaining("type the whole value again") }] });
  });

  it("patches only what changed from what was shown: an emptied field removes its key, an empty secret keeps it", () => {
    const heartbeat = monitorKeys("heartbeat");
    const stored = { id: "backup", type: "heartbeat", secret: "[redacted]", grace: "10m", interval: "1h", regions: ["eu-west"] };
    const shown = shownValues(heartbeat, stored);
    expect(shown.secret).toBe("");
    expect(shown.regions).toBe("[ eu-west ]");
    expect(patchOf(heartbeat, stored, shown)).toEqual({ patch: {} });
    expect(patchOf(heartbeat, stored, { ...shown, grace: "", regions: "[eu-west, us-east]", name: "Nightly backup" })).toEqual({
      patch: { grace: null, regions: ["eu-west", "us-east"], name: "Nightly backup" },
    });
    expect(patchOf(heartbeat, stored, { ...shown, secret: "s3cret-value" })).toEqual({ patch: { secret: "s3cret-value" } });
    // A URL holding a redacted password is not sent back unchanged, and refused when edited around the placeholder.
    const http = { id: "api", type: "http", url: "https://u:[redacted]@example.com/" };
    expect(patchOf(keys, http, shownValues(keys, http))).toEqual({ patch: {} });
    expect(patchOf(keys, http, { ...shownValues(keys, http), url: "https://u:[redacted]@example.com/v2" })).toMatchObject({ problems: [{ path: "url" }] });
  });
});
