/// <reference lib="dom" />
// The public, Statuspage-compatible side answers CORS preflights, so that a widget or script on another origin can
// read it: first a preflight as a browser sends it (raw HTTP), then in real Chromium from a page on another origin.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserSkipReason, launchBrowser } from "../helpers/browser.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: api, name: Production API }
`;

/** Sends OPTIONS `path` with `headers`; the status, headers and body length. */
function options(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: "OPTIONS", headers }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const preflight = { origin: "https://intranet.acme.example", "access-control-request-method": "GET", "access-control-request-headers": "content-type" };

describe("CORS on the public side", () => {
  let test: TestVigil;

  beforeAll(async () => {
    test = await startTestVigil(config);
    // The site is rendered once before it is served.
    for (let i = 0; i < 150 && (await fetch(`${test.vigil.url}/api/v2/summary.json`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  }, 120_000);

  afterAll(async () => {
    await test?.dispose();
  });

  it.each(["/api/v2/summary.json", "/api/v2/status.json", "/api/v2/incidents.json", "/history.rss", "/history.atom", "/badge.svg"])("answers a preflight for %s: any origin, GET/HEAD/OPTIONS, no credentials", async (path) => {
    const res = await options(test.vigil.url, path, preflight);
    expect(res.status).toBe(204);
    expect(res.body).toBe("");
    expect(res.headers["access-control-allow-origin"]).toBe("*");
    expect(res.headers["access-control-allow-methods"]).toBe("GET, HEAD, OPTIONS");
    expect(res.headers["access-control-allow-headers"]).toBe("content-type");
    expect(res.headers["access-control-max-age"]).toBe("86400");
    expect(res.headers["access-control-allow-credentials"]).toBeUndefined();
  }, 30_000);

  it("answers a plain OPTIONS with the methods allowed, and leaves paths it does not have and the native API alone", async () => {
    const plain = await options(test.vigil.url, "/api/v2/summary.json", {});
    expect(plain.status).toBe(204);
    expect(plain.headers["allow"]).toBe("GET, HEAD, OPTIONS");
    expect(plain.headers["access-control-allow-headers"]).toBeUndefined();
    expect((await options(test.vigil.url, "/api/v2/nothing.json", preflight)).status).toBe(404);
    const native = await options(test.vigil.url, "/api/v1/incidents", preflight);
    expect(native.status).toBe(404);
    expect(native.headers["access-control-allow-origin"]).toBeUndefined();
  }, 30_000);

  it("refuses a header list that is not a list of header names", async () => {
    const res = await options(test.vigil.url, "/api/v2/summary.json", { ...preflight, "access-control-request-headers": "content-type, <x-evil>" });
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-headers"]).toBeUndefined();
  }, 30_000);

  const skip = browserSkipReason();
  if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

  describe.skipIf(skip !== undefined)(`in Chromium, from a page on another origin${skip ? ` (skipped: ${skip})` : ""}`, () => {
    let browser: Browser;
    let host: Server;

    beforeAll(async () => {
      browser = await launchBrowser();
      host = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Acme intranet</title>"));
      await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      host?.close();
    });

    it("reads the v2 JSON and the feeds with requests that need a preflight", async () => {
      const page = await browser.newPage();
      // localhost and 127.0.0.1 with another port: another origin.
      await page.goto(`http://localhost:${(host.address() as AddressInfo).port}/`);
      const read = await page.evaluate(async (base) => {
        const summary = await fetch(`${base}/api/v2/summary.json`, { headers: { "content-type": "application/json" } });
        const feed = await fetch(`${base}/history.atom`, { headers: { "x-requested-with": "XMLHttpRequest" } });
        return { status: summary.status, page: ((await summary.json()) as { page: { name: string } }).page.name, feed: feed.status };
      }, test.vigil.url);
      expect(read).toEqual({ status: 200, page: "Acme Status", feed: 200 });
      await page.close();
    }, 30_000);
  });
});
