import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { commonSecurityHeaders, htmlPolicy, pageSecurityHeaders, styleHashes } from "./security-headers.ts";

const sha = (css: string) => `'sha256-${createHash("sha256").update(css, "utf8").digest("base64")}'`;
const html = "<html><head><style>a{color:red}</style><style>\nb{}\n</style></head><body></body></html>";

describe("security headers", () => {
  it("hash every inline style sheet of a page", () => {
    expect(styleHashes(html)).toEqual([sha("a{color:red}"), sha("\nb{}\n")]);
  });

  it.each([
    ["a pre-rendered page", { scripts: true, embeddable: false }, `default-src 'none'; script-src 'self'; style-src ${sha("a{color:red}")} ${sha("\nb{}\n")}; img-src https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`],
    ["a subscription page", { scripts: false, embeddable: false }, `default-src 'none'; style-src ${sha("a{color:red}")} ${sha("\nb{}\n")}; img-src https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`],
    ["the embeddable page", { scripts: false, embeddable: true }, `default-src 'none'; style-src ${sha("a{color:red}")} ${sha("\nb{}\n")}; img-src https: data:; form-action 'none'; base-uri 'none'`],
  ])("give %s its policy", (_name, options, policy) => {
    expect(htmlPolicy(html, options)).toBe(policy);
  });

  it("refuse framing everywhere but /embed", () => {
    expect(pageSecurityHeaders("/", html)).toMatchObject({ "x-frame-options": "DENY", "content-security-policy": expect.stringContaining("frame-ancestors 'none'") });
    expect(pageSecurityHeaders("/embed", html)["x-frame-options"]).toBeUndefined();
    expect(pageSecurityHeaders("/embed", html)["content-security-policy"]).not.toContain("frame-ancestors");
  });

  it("add HSTS only when configured", () => {
    expect(commonSecurityHeaders(undefined)).toEqual({ "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" });
    expect(commonSecurityHeaders({ maxAgeSeconds: 31_536_000, includeSubdomains: false })["strict-transport-security"]).toBe("max-age=31536000");
    expect(commonSecurityHeaders({ maxAgeSeconds: 600, includeSubdomains: true })["strict-transport-security"]).toBe("max-age=600; includeSubDomains");
  });
});
