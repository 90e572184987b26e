import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etagMatches, pickEncoding, serveSite, siteKeyOf, type SiteArtifact } from "./site.ts";

describe("siteKeyOf", () => {
  it.each([
    ["/", "/"],
    ["/?utm=x", "/"],
    ["/incidents/inc_1/", "/incidents/inc_1"],
    ["/history", "/history"],
    ["/history?page=1", "/history"],
    ["/history?page=2", "/history?page=2"],
    ["/history?page=002", "/history?page=2"],
    ["/history?page=-1", "/history"],
    ["/history?page=x", "/history"],
    ["/api/v2/summary.json?callback=x", "/api/v2/summary.json"],
    // Only the history has pages: elsewhere `page` is a parameter like any other.
    ["/?page=2", "/"],
    ["/api/v2/summary.json?page=2", "/api/v2/summary.json"],
    ["/incidents/inc_1?page=3&page=4", "/incidents/inc_1"],
  ])("%s → %s", (url, key) => {
    expect(siteKeyOf(url)).toBe(key);
  });

  it("strips trailing slashes in time linear in the path (a run of slashes not at the end used to take quadratic time)", () => {
    // 200 KB of slashes then a letter: the old pattern needed tens of seconds here, past this test's 5 s limit.
    const hostile = `/${"/".repeat(200_000)}x`;
    expect(siteKeyOf(hostile)).toBe(hostile);
    expect(siteKeyOf(`/history${"/".repeat(200_000)}`)).toBe("/history");
  }, 5_000);
});

describe("etagMatches", () => {
  it.each([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"abcd"', false],
    ["*", true],
    ["", false],
  ])("If-None-Match %s → %s", (header, expected) => {
    expect(etagMatches(header, '"abc"')).toBe(expected);
  });
});

describe("pickEncoding", () => {
  it.each([
    [undefined, null],
    ["", null],
    ["gzip", "gzip"],
    ["gzip, deflate, br", "br"],
    ["br;q=0, gzip", "gzip"],
    ["br;q=0, gzip;q=0", null],
    ["*", "br"],
    ["*;q=0, gzip", "gzip"],
    ["identity", null],
    ["GZIP", "gzip"],
  ] as const)("Accept-Encoding %s → %s", (header, expected) => {
    expect(pickEncoding(header)).toBe(expected);
  });
});

describe("serveSite", () => {
  const artifact: SiteArtifact = { contentType: "application/json", cacheControl: "public, max-age=10", body: Buffer.from("{}"), gzip: null, br: null, etag: '"e1"' };
  let files: ReadonlyMap<string, SiteArtifact> | undefined;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (!serveSite({ files: () => files }, request, response, { "x-content-type-options": "nosniff" }).served) response.writeHead(599).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ["before the first render", undefined, "GET", "/", 503],
    ["before the first render", undefined, "GET", "/api/v2/summary.json", 503],
    ["before the first render", undefined, "OPTIONS", "/api/v2/summary.json", 204],
    ["before the first render", undefined, "GET", "/history", 599],
    ["before the first render", undefined, "OPTIONS", "/history", 599],
    ["rendered", new Map([["/api/v2/summary.json", artifact]]), "GET", "/api/v2/summary.json", 200],
    ["rendered", new Map([["/api/v2/summary.json", artifact]]), "OPTIONS", "/api/v2/summary.json", 204],
    ["rendered", new Map([["/api/v2/summary.json", artifact]]), "GET", "/", 599],
    ["rendered", new Map([["/api/v2/summary.json", artifact]]), "OPTIONS", "/", 599],
    ["rendered", new Map([["/api/v2/summary.json", artifact]]), "POST", "/api/v2/summary.json", 599],
  ] as const)("%s: %s %s → %i (599: left to the API)", async (_when, site, method, path, status) => {
    files = site;
    const res = await fetch(`${base}${path}`, { method });
    expect(res.status).toBe(status);
    if (status !== 599) expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    if (status === 503) expect(res.headers.get("retry-after")).toBe("1");
  });
});
