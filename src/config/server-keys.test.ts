import { describe, expect, it } from "vitest";
import { formatConfigIssues, parseConfigText, type VigilConfig } from "./index.ts";

const base = `site: { name: Acme Status }\ncomponents: [{ id: api, name: API }]\n`;
const parse = (extra: string): VigilConfig => {
  const result = parseConfigText(base + extra, "vigil.yaml", {});
  if (!result.ok) throw new Error(formatConfigIssues(result.errors));
  return result.config;
};
const errors = (extra: string): string => {
  const result = parseConfigText(base + extra, "vigil.yaml", {});
  if (result.ok) throw new Error("expected errors");
  return formatConfigIssues(result.errors);
};

describe("server security settings", () => {
  it("default to no HSTS, a protected /metrics, no trusted proxies, and a 10s header deadline", () => {
    const { server, subscribers } = parse("subscribers: {}\n");
    expect(server.hsts).toBeUndefined();
    expect(server.metrics).toEqual({ public: false });
    expect(server.trusted_proxies).toEqual([]);
    expect(server.headers_timeout).toBe(10_000);
    expect(subscribers?.rate_limit).toEqual({ requests: 5, per: 600_000, recipient: { requests: 3, per: 3_600_000 }, global: { requests: 100, per: 60_000 } });
  });

  it("read HSTS's max_age as seconds or as a duration", () => {
    expect(parse("server: { hsts: { max_age: 31536000 } }\n").server.hsts).toEqual({ max_age: 31_536_000, include_subdomains: false });
    expect(parse("server: { hsts: { max_age: 365d, include_subdomains: true } }\n").server.hsts).toEqual({ max_age: 31_536_000, include_subdomains: true });
  });

  it("read trusted proxies as addresses and CIDR blocks, and the metrics settings", () => {
    const { server } = parse('server:\n  trusted_proxies: [127.0.0.1, 10.0.0.0/8, "::1", "fd00::/8"]\n  metrics: { public: true, token: "0123456789abcdef-scrape" }\n');
    expect(server.trusted_proxies).toEqual(["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"]);
    expect(server.metrics).toEqual({ public: true, token: "0123456789abcdef-scrape" });
  });

  it("name each bad value and where it is", () => {
    const messages = errors('server:\n  hsts: { max_age: 1.5s }\n  trusted_proxies: [10.0.0.0/33, proxy.example.com]\n  metrics: { public: "no" }\n');
    expect(messages).toMatch(/server\.hsts\.max_age: expected a whole number of seconds such as 31536000, or a duration such as 365d, got "1\.5s"/);
    expect(messages).toMatch(/server\.trusted_proxies\[0\]: expected an IP address or a CIDR block such as 10\.0\.0\.0\/8, 127\.0\.0\.1 or fd00::\/8, got "10\.0\.0\.0\/33"/);
    expect(messages).toMatch(/server\.trusted_proxies\[1\]: expected an IP address or a CIDR block .*, got "proxy\.example\.com"/);
    expect(messages).toMatch(/server\.metrics\.public: expected true or false, got "no"/);
    expect(errors("server: { hsts: { max_age: 1y, preload: true } }\n")).toMatch(/server\.hsts\.preload: unknown key "preload"/);
    expect(errors("server: { metrics: { token: short } }\n")).toMatch(/server\.metrics\.token: must be at least 16 characters long$/m);
    expect(errors("server: { hsts: { max_age: 0 } }\n")).toMatch(/server\.hsts\.max_age: expected a whole number of seconds/);
    expect(errors("server: { hsts: {} }\n")).toMatch(/server\.hsts\.max_age: /);
    expect(errors("server: { headers_timeout: 40s }\n")).toMatch(/server\.headers_timeout: must not be longer than server\.request_timeout: the headers are part of the request/);
  });
});
