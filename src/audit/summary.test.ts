import { describe, expect, it } from "vitest";
import { maxStringLength, redact, redactUrlText, summarize } from "./summary.ts";

describe("the audit summary", () => {
  it("hides secret-named keys at any depth", () => {
    expect(redact({ name: "deploy", password: "hunter2", nested: { api_key: "k", Token: "t", list: [{ secret: "s" }] }, csrf: "c" })).toEqual({
      name: "deploy",
      password: "***",
      nested: { api_key: "***", Token: "***", list: [{ secret: "***" }] },
      csrf: "***",
    });
  });

  it("takes credentials out of URLs, alone or inside text", () => {
    expect(redactUrlText("https://bot:s3cret@hooks.example.com/acme?token=abc&x=1")).toBe("https://bot:***@hooks.example.com/acme?token=***&x=***");
    expect(redact({ address: "https://bot:s3cret@hooks.example.com/acme" })).toEqual({ address: "https://bot:***@hooks.example.com/acme" });
    const text = redact("see postgres://vigil:pa%24s@db.example.com:5432/vigil?password=pw for details") as string;
    expect(text).not.toContain("pa%24s");
    expect(text).not.toContain("=pw");
    expect(text).toContain("db.example.com");
  });

  it("never keeps an API token's secret", () => {
    const token = `vgl_abcdefghijkl_${"A".repeat(43)}`;
    expect(redact(`curl -H "Authorization: Bearer ${token}"`)).toBe('curl -H "Authorization: Bearer vgl_***"');
  });

  it("cuts long text and keeps a text body (a CSV file) only by size", () => {
    expect((redact("x".repeat(1000)) as string).length).toBe(maxStringLength + 1);
    expect(summarize({ method: "POST", path: "/api/v1/subscribers/import", body: "kind,address\nemail,ada@example.com\n" })).toEqual({
      method: "POST",
      path: "/api/v1/subscribers/import",
      body: { text_bytes: 35, lines: 2 },
    });
  });

  it("hides the fields a request names as secret, only on that request", () => {
    expect(summarize({ method: "POST", path: "/manage/login/code", body: { code: "123456", csrf: "x" }, secretFields: ["code"] }).body).toEqual({ code: "***", csrf: "***" });
    expect(summarize({ method: "POST", path: "/api/v1/incidents", body: { components: [{ code: "orders-db" }] } }).body).toEqual({ components: [{ code: "orders-db" }] });
  });

  it("keeps the query when there is one", () => {
    expect(summarize({ method: "POST", path: "/p", query: { dry_run: "true" }, body: { a: 1 } })).toEqual({ method: "POST", path: "/p", query: { dry_run: "true" }, body: { a: 1 } });
    expect(summarize({ method: "DELETE", path: "/p", query: {} })).toEqual({ method: "DELETE", path: "/p" });
  });
});
