import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { issuesFromZod } from "../config/issues.ts";
import { formatPath } from "../config/path.ts";
import { systemClock } from "../core/clock.ts";
import { HttpConfig, httpProbe } from "./http.ts";
import type { ProbeContext } from "./types.ts";

const ctx = (timeoutMs = 5000): ProbeContext => ({ signal: AbortSignal.timeout(timeoutMs), clock: systemClock, region: "local", timeoutMs });
const config = (input: Record<string, unknown>) => HttpConfig.parse(input);
const check = (input: Record<string, unknown>, timeoutMs?: number) => httpProbe.run(config(input), ctx(timeoutMs));

/** The messages a user would read for `data`, as "path: message". */
function configErrors(schema: z.ZodType, data: Record<string, unknown>): string[] {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) throw new Error("expected the configuration to be rejected");
  return issuesFromZod(result.error, data, new Map(), formatPath).map((i) => `${formatPath(i.path)}: ${i.message}`);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

function routes(req: IncomingMessage, res: ServerResponse, base: string, other: string): void {
  const url = new URL(req.url ?? "/", base);
  const chain = /^\/chain\/(\d+)$/.exec(url.pathname);
  if (chain) {
    const left = Number(chain[1]);
    res.writeHead(302, { location: left > 1 ? `/chain/${left - 1}` : "/ok" }).end();
    return;
  }
  switch (url.pathname) {
    case "/ok":
      res.writeHead(200, { "content-type": "text/plain" }).end("all ok");
      return;
    case "/status":
      res.writeHead(Number(url.searchParams.get("code"))).end();
      return;
    case "/json":
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", db: { latency: 3 } }));
      return;
    case "/echo": {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ method: req.method, headers: req.headers, body })));
      return;
    }
    case "/loop":
      res.writeHead(301, { location: "/loop" }).end();
      return;
    case "/see-other":
      res.writeHead(303, { location: "/echo" }).end();
      return;
    case "/elsewhere":
      res.writeHead(307, { location: `${other}/echo` }).end();
      return;
    case "/same-origin":
      res.writeHead(307, { location: "/echo" }).end();
      return;
    case "/big":
      res.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(2 * 1024 * 1024));
      return;
    case "/slow-50ms":
      setTimeout(() => res.writeHead(200).end("late"), 50);
      return;
    case "/hang":
      return; // never answers; the connection is closed when the server closes
    case "/trickle":
      res.writeHead(200, { "content-type": "text/plain" }).write("partial"); // and never ends
      return;
    default:
      res.writeHead(404).end("not found");
  }
}

describe("http config", () => {
  it("fills in defaults", () => {
    expect(config({ url: "http://127.0.0.1/health" })).toEqual({
      url: "http://127.0.0.1/health",
      method: "GET",
      headers: {},
      expect_status: [{ min: 200, max: 399 }],
      max_redirects: 5,
      tls_verify: true,
    });
  });

  it("reads statuses as a number, a range, a class or a list, and methods in any case", () => {
    const statuses = (expect_status: unknown) => config({ url: "http://x", expect_status }).expect_status;
    expect(statuses(204)).toEqual([{ min: 204, max: 204 }]);
    expect(statuses("200-299")).toEqual([{ min: 200, max: 299 }]);
    expect(statuses("4xx")).toEqual([{ min: 400, max: 499 }]);
    expect(statuses([200, "301-302"])).toEqual([{ min: 200, max: 200 }, { min: 301, max: 302 }]);
    expect(statuses("200, 204")).toEqual([{ min: 200, max: 200 }, { min: 204, max: 204 }]);
    expect(config({ url: "http://x", method: "post", degraded_latency: "500ms" })).toMatchObject({ method: "POST", degraded_latency: 500 });
  });

  it.each([
    [{ url: "ftp://example.com/" }, 'url: expected an http:// or https:// URL, got "ftp://example.com/"'],
    [{ url: "http://x", method: "FETCH" }, 'method: expected an HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS), got "FETCH"'],
    [{ url: "http://x", expect_status: "299-200" }, 'expect_status: expected a status such as 200, a range such as "200-299", or a list of them, got "299-200"'],
    [{ url: "http://x", expect_status: 999 }, 'expect_status: expected a status such as 200, a range such as "200-299", or a list of them, got 999'],
    [{ url: "http://x", max_redirects: -1 }, "max_redirects: expected a whole number from 0 to 20, got -1"],
    [{ url: "http://x", body_matches: "(ok" }, 'body_matches: expected a valid regular expression (unterminated group), got "(ok"'],
    [{ url: "http://x", degraded_latency: "fast" }, 'degraded_latency: expected a duration such as 30s, got "fast"'],
    [{ url: "http://x", headers: { "Bad Header": "x" } }, 'headers["Bad Header"]: expected a header name such as X-Request-Id, got "Bad Header"'],
    [{ url: "http://x", body_contain: "ok" }, 'body_contain: unknown key "body_contain" (did you mean "body_contains"?)'],
    [{}, "url: is required"],
  ])("rejects %j", (input, message) => {
    expect(configErrors(HttpConfig, input)).toEqual([message]);
  });
});

describe("http probe", () => {
  const server = createServer((req, res) => routes(req, res, base, otherBase));
  const other = createServer((req, res) => routes(req, res, otherBase, base));
  let base = "";
  let otherBase = "";

  beforeAll(async () => {
    base = `http://127.0.0.1:${await listen(server)}`;
    otherBase = `http://127.0.0.1:${await listen(other)}`;
  });
  afterAll(async () => {
    await close(server);
    await close(other);
  });

  it("is up on a 200, with its facts and body", async () => {
    const outcome = await check({ url: `${base}/ok` });
    expect(outcome).toMatchObject({ status: "up", body: "all ok" });
    expect(outcome.error).toBeUndefined();
    expect(outcome.facts).toMatchObject({ status: 200, redirects: 0, bodyBytes: 6, contentType: "text/plain", certDaysLeft: null });
    expect(outcome.facts.latencyMs).toBe(outcome.latencyMs);
    expect(outcome.latencyMs).toBeGreaterThan(0);
  });

  it("is down with an assertion error on an unexpected status, and up when that status is expected", async () => {
    const outcome = await check({ url: `${base}/status?code=503` });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "assertion", message: "status 503, expected 200-399" }, facts: { status: 503 } });
    expect((await check({ url: `${base}/status?code=503`, expect_status: [200, "500-503"] })).status).toBe("up");
    const missing = await check({ url: `${base}/nowhere`, expect_status: "200-299" });
    expect(missing.error).toEqual({ kind: "assertion", message: "status 404, expected 200-299" });
  });

  it("checks keywords and a regular expression against a JSON body", async () => {
    const url = `${base}/json`;
    expect((await check({ url, body_contains: '"status":"ok"', body_not_contains: "error", body_matches: '"latency":\\s*\\d+' })).status).toBe("up");
    expect((await check({ url, body_contains: "healthy" })).error).toEqual({ kind: "assertion", message: 'body does not contain "healthy"' });
    expect((await check({ url, body_not_contains: '"ok"' })).error).toEqual({ kind: "assertion", message: 'body contains "\\"ok\\""' });
    expect((await check({ url, body_matches: '"status":"(degraded|down)"' })).error).toEqual({
      kind: "assertion",
      message: 'body does not match /"status":"(degraded|down)"/',
    });
    expect((await check({ url })).facts.contentType).toBe("application/json");
  });

  it("sends the method, headers and body configured", async () => {
    const outcome = await check({ url: `${base}/echo`, method: "PUT", headers: { "X-Probe": "vigil", Authorization: "Bearer t0ken" }, body: '{"ping":1}' });
    const echoed = JSON.parse(outcome.body ?? "") as { method: string; headers: Record<string, string>; body: string };
    expect(echoed).toMatchObject({ method: "PUT", body: '{"ping":1}', headers: { "x-probe": "vigil", authorization: "Bearer t0ken", "user-agent": "Vigil" } });
    const head = await check({ url: `${base}/ok`, method: "HEAD" });
    expect(head).toMatchObject({ status: "up", body: "", facts: { status: 200, bodyBytes: 0 } });
  });

  it("follows redirects up to max_redirects, counting them", async () => {
    expect(await check({ url: `${base}/chain/3` })).toMatchObject({ status: "up", body: "all ok", facts: { status: 200, redirects: 3 } });
    expect(await check({ url: `${base}/chain/3`, max_redirects: 3 })).toMatchObject({ status: "up", facts: { redirects: 3 } });
    expect(await check({ url: `${base}/chain/3`, max_redirects: 2 })).toMatchObject({
      status: "down",
      error: { kind: "protocol", message: "more than 2 redirects" },
      facts: { redirects: 2 },
    });
  });

  it("treats the redirect itself as the response when max_redirects is 0", async () => {
    expect(await check({ url: `${base}/chain/1`, max_redirects: 0 })).toMatchObject({ status: "up", facts: { status: 302, redirects: 0 } });
    expect((await check({ url: `${base}/chain/1`, max_redirects: 0, expect_status: 200 })).error).toEqual({ kind: "assertion", message: "status 302, expected 200" });
  });

  it("reports a redirect loop as a protocol error", async () => {
    const outcome = await check({ url: `${base}/loop` });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "protocol", message: "redirect loop: /loop leads back to /loop" } });
  });

  it("turns a POST into a GET after a 303, and keeps credentials to their origin", async () => {
    const seeOther = await check({ url: `${base}/see-other`, method: "POST", body: "form" });
    expect(JSON.parse(seeOther.body ?? "")).toMatchObject({ method: "GET", body: "" });
    const headers = { Authorization: "Bearer t0ken", "X-Keep": "yes" };
    const sameOrigin = JSON.parse((await check({ url: `${base}/same-origin`, headers })).body ?? "") as { headers: Record<string, string> };
    expect(sameOrigin.headers).toMatchObject({ authorization: "Bearer t0ken", "x-keep": "yes" });
    const elsewhere = JSON.parse((await check({ url: `${base}/elsewhere`, headers })).body ?? "") as { headers: Record<string, string> };
    expect(elsewhere.headers["x-keep"]).toBe("yes");
    expect(elsewhere.headers.authorization).toBeUndefined();
  });

  it("reads at most 1 MiB of body", async () => {
    const outcome = await check({ url: `${base}/big`, body_contains: "xxx" });
    expect(outcome).toMatchObject({ status: "up", facts: { bodyBytes: 1024 * 1024 } });
    expect(outcome.body).toHaveLength(1024 * 1024);
  });

  it("is degraded when the right answer comes later than degraded_latency", async () => {
    const outcome = await check({ url: `${base}/slow-50ms`, degraded_latency: "20ms" });
    expect(outcome.status).toBe("degraded");
    expect(outcome.warning).toMatch(/^slow response: \d+ ms, above 20 ms$/);
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(50);
    expect((await check({ url: `${base}/slow-50ms`, degraded_latency: "10s" })).status).toBe("up");
  });

  it("times out when the server never answers", async () => {
    const outcome = await check({ url: `${base}/hang` }, 300);
    expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout", message: "no response within 300 ms" } });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(250);
  });

  it("times out when the body never ends, since latency is the time to the full response", async () => {
    const outcome = await check({ url: `${base}/trickle` }, 300);
    expect(outcome).toMatchObject({ status: "down", error: { kind: "timeout", message: "no response within 300 ms" } });
  });

  it("reports a refused connection without the URL's credentials", async () => {
    const port = await freePort();
    const outcome = await check({ url: `http://monitor:s3cret@127.0.0.1:${port}/health` });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "connect", message: `connection refused by 127.0.0.1:${port}` } });
    expect(JSON.stringify(outcome)).not.toContain("s3cret");
  });

  it("reports a name that does not resolve as a dns error", async () => {
    const outcome = await check({ url: "http://vigil-probe-test.invalid/" });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "dns" } });
    expect(outcome.error?.message).toMatch(/^could not resolve vigil-probe-test\.invalid/);
  });
});

describe("http probe over https", () => {
  const validityDays = 30;
  let server: Server;
  let url = "";

  beforeAll(async () => {
    const now = Date.now();
    const pems = await generate([{ name: "commonName", value: "localhost" }], {
      keyType: "ec",
      algorithm: "sha256",
      notBeforeDate: new Date(now - 60_000),
      notAfterDate: new Date(now + validityDays * 86_400_000),
    });
    server = createHttpsServer({ key: pems.private, cert: pems.cert }, (_req, res) => res.writeHead(200).end("secure ok"));
    url = `https://127.0.0.1:${await listen(server)}/`;
  });
  afterAll(() => close(server));

  it("rejects a self-signed certificate when tls_verify is on", async () => {
    const outcome = await check({ url });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "tls", message: "certificate rejected: self-signed certificate" } });
  });

  it("accepts it when tls_verify is off, reporting the days the certificate has left", async () => {
    const outcome = await check({ url, tls_verify: false });
    expect(outcome).toMatchObject({ status: "up", body: "secure ok", facts: { status: 200 } });
    expect(outcome.facts.certDaysLeft).toBeCloseTo(validityDays, 0);
  });
});
