import { describe, expect, it } from "vitest";
import { redactSettings } from "./redact-settings.ts";

describe("redactSettings", () => {
  it.each([
    ["a URL's password", { url: "mysql://monitor:s3cret@db:3306/" }, { url: "mysql://monitor:%5Bredacted%5D@db:3306/" }],
    ["a password query parameter", { url: "redis://db:6379/?password=s3cret&db=1" }, { url: "redis://db:6379/?password=%5Bredacted%5D&db=1" }],
    ["a URL without secrets, untouched", { url: "https://example.com/health?x=1" }, { url: "https://example.com/health?x=1" }],
    ["a heartbeat secret", { secret: "abc", grace_ms: 1000 }, { secret: "[redacted]", grace_ms: 1000 }],
    ["secret headers, other headers kept", { headers: { Authorization: "Bearer x", "X-Api-Key": "k", Accept: "json" } }, { headers: { Authorization: "[redacted]", "X-Api-Key": "[redacted]", Accept: "json" } }],
    ["a nested password", { tls: { password: "p", ca: "pem" } }, { tls: { password: "[redacted]", ca: "pem" } }],
    ["an empty secret stays empty", { password: "" }, { password: "" }],
    ["lists", { urls: ["postgres://u:p@h/db", "plain"] }, { urls: ["postgres://u:%5Bredacted%5D@h/db", "plain"] }],
    ["numbers and booleans", { port: 5432, tls_verify: true }, { port: 5432, tls_verify: true }],
  ])("redacts %s", (_name, input, expected) => {
    expect(redactSettings(input)).toEqual(expected);
  });

  it("never lets the secret through in any form", () => {
    const text = JSON.stringify(redactSettings({ url: "mysql://m:hunter2@db/", headers: { cookie: "sid=hunter2" }, token: "hunter2" }));
    expect(text).not.toContain("hunter2");
  });
});
