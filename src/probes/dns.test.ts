import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { startDnsServer, type TestDnsServer } from "../../test/helpers/dns-server.ts";
import { issuesFromZod } from "../config/issues.ts";
import { formatPath } from "../config/path.ts";
import { systemClock } from "../core/clock.ts";
import { DnsConfig, dnsProbe } from "./dns.ts";
import type { ProbeContext } from "./types.ts";

const ctx = (timeoutMs = 5000): ProbeContext => ({ signal: AbortSignal.timeout(timeoutMs), clock: systemClock, region: "local", timeoutMs });

/** The messages a user would read for `data`, as "path: message". */
function configErrors(schema: z.ZodType, data: Record<string, unknown>): string[] {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) throw new Error("expected the configuration to be rejected");
  return issuesFromZod(result.error, data, new Map(), formatPath).map((i) => `${formatPath(i.path)}: ${i.message}`);
}

describe("dns config", () => {
  it("asks for A records through the system resolvers by default", () => {
    expect(DnsConfig.parse({ name: "example.com" })).toEqual({ name: "example.com", record_type: "A" });
  });

  it("reads record types in any case, a single expected value and resolvers with ports", () => {
    expect(DnsConfig.parse({ name: "example.com", record_type: "mx", expect: "mx1.example.com", resolver: "127.0.0.1:5353" })).toEqual({
      name: "example.com",
      record_type: "MX",
      expect: ["mx1.example.com"],
      resolver: "127.0.0.1:5353",
    });
    expect(DnsConfig.parse({ name: "x", resolver: "[::1]:53" }).resolver).toBe("[::1]:53");
    expect(DnsConfig.parse({ name: "x", resolver: "2606:4700:4700::1111" }).resolver).toBe("2606:4700:4700::1111");
  });

  it.each([
    [{ name: "example.com", record_type: "PTR" }, 'record_type: expected a record type (A, AAAA, CNAME, MX, TXT, NS, SRV, CAA), got "PTR"'],
    [{ name: "example.com", resolver: "dns.google" }, 'resolver: expected a resolver IP address such as 1.1.1.1 or 127.0.0.1:5353, got "dns.google"'],
    [{ name: "example.com", resolver: "1.1.1.1:99999" }, 'resolver: expected a resolver IP address such as 1.1.1.1 or 127.0.0.1:5353, got "1.1.1.1:99999"'],
    [{ name: "example.com", expect: [] }, "expect: must be at least 1 items"],
    [{ record_type: "A" }, "name: is required"],
    [{ name: "example.com", recordtype: "A" }, 'recordtype: unknown key "recordtype" (did you mean "record_type"?)'],
  ])("rejects %j", (input, message) => {
    expect(configErrors(DnsConfig, input)).toEqual([message]);
  });
});

describe("dns probe", () => {
  let server: TestDnsServer;
  const check = (input: Record<string, unknown>, timeoutMs?: number) => dnsProbe.run(DnsConfig.parse({ resolver: server.address, ...input }), ctx(timeoutMs));

  beforeAll(async () => {
    server = await startDnsServer(
      {
        "api.example.test": { A: ["10.0.0.2", "10.0.0.1"] },
        "example.test": {
          TXT: ["v=spf1 -all", ["google-site-verification=", "abc123"]],
          MX: [
            { priority: 20, exchange: "mx2.example.test" },
            { priority: 10, exchange: "mx1.example.test" },
          ],
        },
      },
      { silent: ["slow.example.test"] },
    );
  });
  afterAll(() => server.close());

  it("resolves A records through the configured resolver, answers sorted", async () => {
    const outcome = await check({ name: "api.example.test" });
    expect(outcome).toMatchObject({ status: "up", facts: { answerCount: 2, answers: "10.0.0.1, 10.0.0.2" } });
    expect(outcome.facts.latencyMs).toBe(outcome.latencyMs);
    expect(server.queries).toContain("api.example.test A");
  });

  it("checks that every expected value is among the answers", async () => {
    expect((await check({ name: "api.example.test", expect: ["10.0.0.1", "10.0.0.2"] })).status).toBe("up");
    const outcome = await check({ name: "api.example.test", expect: ["10.0.0.1", "10.0.0.9"] });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "assertion", message: '"10.0.0.9" not among the A answers (10.0.0.1, 10.0.0.2)' } });
  });

  it("joins the strings of a TXT record", async () => {
    const outcome = await check({ name: "example.test", record_type: "TXT", expect: ["google-site-verification=abc123"] });
    expect(outcome).toMatchObject({ status: "up", facts: { answerCount: 2, answers: "google-site-verification=abc123, v=spf1 -all" } });
  });

  it("reads MX records as priority and host, and matches an expected host alone", async () => {
    const outcome = await check({ name: "example.test", record_type: "MX", expect: ["mx1.example.test", "20 mx2.example.test"] });
    expect(outcome).toMatchObject({ status: "up", facts: { answers: "10 mx1.example.test, 20 mx2.example.test" } });
  });

  it("is down with a dns error for a name that does not exist", async () => {
    const outcome = await check({ name: "missing.example.test" });
    expect(outcome).toMatchObject({
      status: "down",
      facts: { answerCount: 0, answers: null },
      error: { kind: "dns", message: `missing.example.test does not exist (NXDOMAIN) (resolver ${server.address})` },
    });
  });

  it("is down with a dns error when the name has no records of the type", async () => {
    const outcome = await check({ name: "api.example.test", record_type: "AAAA" });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "dns", message: `no AAAA records for api.example.test (resolver ${server.address})` } });
  });

  it("times out when the resolver does not answer", async () => {
    const outcome = await check({ name: "slow.example.test" }, 300);
    expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout" } });
    expect(outcome.error?.message).toMatch(/^no answer within 300 ms/);
  });
});
