import { describe, expect, it } from "vitest";
import { errorKinds } from "../probes/types.ts";
import { hidden, hostsIn, internalDetails, publicErrorPhrase, publicWarningPhrase, scrubPublicText } from "./public-text.ts";

// Property-style: many generated sentences from a seeded generator, so a failure reproduces.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(20261206);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const hex = () => int(0x10000).toString(16);
const label = () => pick(["db", "orders", "api", "mysql-1", "primary", "eu-west", "k8s", "svc"]) + (rand() < 0.5 ? String(int(100)) : "");

// Each generator gives an internal detail the public must never read.
const details: Record<string, () => string> = {
  ipv4: () => [int(256), int(256), int(256), int(256)].join("."),
  "ipv4:port": () => `${[10, int(256), int(256), int(256)].join(".")}:${1 + int(65535)}`,
  ipv6: () => Array.from({ length: 8 }, hex).join(":"),
  "compressed ipv6": () => `${hex()}:${hex()}::${hex()}`,
  "loopback ipv6": () => "::1",
  "bracketed ipv6:port": () => `[${hex()}::${hex()}]:${1 + int(65535)}`,
  "host:port": () => `${label()}.${label()}.internal:${1 + int(65535)}`,
  url: () => `${pick(["http", "https", "mysql", "postgres", "redis"])}://${pick(["monitor:secret@", ""])}${label()}.example.com:${1 + int(65535)}/${label()}?x=1`,
  domain: () => `${label()}.${pick(["acme.example", "example.com", "corp.example.org"])}`,
  "file path": () => `/${pick(["var", "tmp", "srv"])}/${label()}/${label()}.sock`,
};
const configHosts = ["orders-db-primary", "mysql-replica-7"];
const safeWords = ["Orders database", "failing", "connection refused", "restarted 3 times in 4 min", "at 10:00:05", "HTTP 503", "last seen 12 of 1000 connections"];

describe("scrubPublicText", () => {
  it.each(Object.keys(details))("hides every %s, in any sentence, and keeps the words around it", (kind) => {
    for (let i = 0; i < 200; i++) {
      const detail = details[kind]!();
      const before = pick(safeWords);
      const after = pick(safeWords);
      const sentence = `${before} ${pick(["", "(", "to ", "from "])}${detail}${pick(["", ")", ",", "."])} ${after}`;
      const out = scrubPublicText(sentence, configHosts);
      expect(out, sentence).not.toContain(detail);
      expect(out, sentence).toContain(hidden);
      expect(out, sentence).toContain(before);
      expect(out, sentence).toContain(after);
    }
  });

  it("hides the configuration's host names however they are spelled", () => {
    for (const host of configHosts) {
      expect(scrubPublicText(`could not reach ${host.toUpperCase()} now`, configHosts)).toBe(`could not reach ${hidden} now`);
      expect(scrubPublicText(`${host}:3306 refused`, configHosts)).toBe(`${hidden} refused`);
    }
  });

  it("leaves a sentence without internal details as it is", () => {
    for (let i = 0; i < 200; i++) {
      const sentence = Array.from({ length: 1 + int(4) }, () => pick(safeWords)).join("; ");
      expect(scrubPublicText(sentence, configHosts)).toBe(sentence);
    }
  });

  it("keeps the kept strings (component names) even when they look like host names", () => {
    expect(scrubPublicText("Node.js API failing: see api.acme.example", [], ["Node.js API"])).toBe(`Node.js API failing: see ${hidden}`);
  });
});

describe("publicErrorPhrase", () => {
  const phrases = /^(timed out( after \d+(\.\d)? s)?|connection (refused|reset|failed)|host unreachable|name (not found|resolution failed)|certificate (expired|rejected)|secure connection failed|authentication failed|too many connections|invalid response|HTTP \d{3}|no heartbeat received|unexpected response|failing)$/;

  it("says only one of a closed set of phrases, whatever the raw message", () => {
    for (let i = 0; i < 500; i++) {
      const message = `${pick(["connect ECONNREFUSED", "no response within 800 ms", "status 503, expected 200-399", "Access denied for", "getaddrinfo ENOTFOUND", "self-signed certificate", "", "Error at /srv/app/x.js:10"])} ${pick(Object.values(details))()}`;
      const kind = rand() < 0.1 ? null : pick(errorKinds);
      const phrase = publicErrorPhrase(kind, message);
      expect(phrase, `${kind}: ${message}`).toMatch(phrases);
    }
  });

  it.each<[string | null, string, string]>([
    ["connect", "connect ECONNREFUSED 127.0.0.1:36269", "connection refused"],
    ["saturated", "Too many connections", "too many connections"],
    ["saturated", "remaining connection slots are reserved for roles with the SUPERUSER attribute", "too many connections"],
    ["connect", "connection reset by 10.0.0.1:5432", "connection reset"],
    ["timeout", "no response within 5000 ms", "timed out after 5 s"],
    ["timeout", "timed out after 800 ms", "timed out after 0.8 s"],
    ["timeout", "connect timed out (ETIMEDOUT)", "timed out"],
    ["assertion", "status 503, expected 200-399", "HTTP 503"],
    ["assertion", "no heartbeat for 95 s (allowed 60 s)", "no heartbeat received"],
    ["assertion", 'body does not contain "healthy"', "unexpected response"],
    ["tls", "certificate has expired", "certificate expired"],
    ["protocol", "invalid HTTP response from db.internal:80 (HPE_INVALID_CONSTANT)", "invalid response"],
    [null, "connect ECONNREFUSED /tmp/mysql.sock", "connection refused"],
    [null, "something odd at 10.0.0.1", "failing"],
  ])("%s %j → %s", (kind, message, phrase) => {
    expect(publicErrorPhrase(kind, message)).toBe(phrase);
  });
});

describe("publicWarningPhrase", () => {
  it.each([
    ["slow response: 2400 ms, above 1000 ms", "slow responses"],
    ["certificate expires in 5 days (2026-12-11), less than warn_days 14", "certificate expiring soon"],
    ["replica lag on 10.0.0.1", "degraded performance"],
  ])("%j → %s", (warning, phrase) => {
    expect(publicWarningPhrase(warning)).toBe(phrase);
  });
});

describe("hostsIn", () => {
  it("finds the hosts of URLs and host-like keys, at any depth", () => {
    expect(
      hostsIn([
        { url: "mysql://monitor:pw@db.internal.acme.example:3306/" },
        { host: "10.0.0.5", port: 6379 },
        { name: "api.acme.example", server: "[2001:db8::53]:53", record_type: "A" },
        { type: "rss", url: "http://[::1]:8080/feed.rss" },
        { nested: { urls: ["https://cache.acme.example/x"] } },
        { host: "localhost-ish", expect: "+OK" },
      ]).sort(),
    ).toEqual(["10.0.0.5", "[2001:db8::53]:53", "::1", "api.acme.example", "cache.acme.example", "db.internal.acme.example"].sort());
  });

  it("finds the internal details a person should not publish unseen, by line, but not links", () => {
    const text = "Summary\nThe primary db1.acme.internal at [fd00::12]:5432 failed.\nSee /var/log/app/error.log, and https://status.example.com/incidents/1.\nIt was 10:42:05.";
    expect(internalDetails(text, ["db1.acme.internal"])).toEqual([
      { line: 2, found: "db1.acme.internal" },
      { line: 2, found: "[fd00::12]:5432" },
      { line: 3, found: "/var/log/app/error.log" },
    ]);
    expect(internalDetails("All clear at 21:20, see https://example.com/status.")).toEqual([]);
  });
});
