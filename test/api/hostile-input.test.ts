// Hostile requests against every public route of a running Vigil, on raw sockets so that nothing is cleaned up on the
// way: request targets up to the 2,048-character limit and past it, runs of slashes and dots, percent-encoding tricks
// (%00, %2e%2e, overlong UTF-8, broken escapes), huge, nested and repeated query parameters, CR and LF inside header
// values, bodies at the body limit, deeply nested JSON and the wrong content types. Each answer must be the status
// the route documents, with Vigil's error body (or its 414 text), never a 5xx, never the hostile input unescaped in
// HTML, never a header the request smuggled in; and the server must answer a normal request right after.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpStatusOf } from "../../src/api/errors.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const bodyLimit = 64 * 1024;
const config = `
site: { name: Acme Status }
server: { body_limit: 64kb }
components:
  - { id: api, name: Production API }
  - { id: search, name: "Search <beta>" }
monitors:
  - { id: nightly, type: heartbeat, secret: "heartbeat-0123456789abcdef", interval: 1h, grace: 5m }
subscribers:
  email: { host: 127.0.0.1, port: 9, from: "Acme Status <status@example.com>" }
  # Hundreds of requests from one address: the limits would answer 429 instead of showing how each input is read.
  rate_limit: { requests: 100000, per: 1m, recipient: { requests: 100000, per: 1m }, global: { requests: 100000, per: 1m } }
`;

/** What Vigil would insert into a page if it reflected its input unescaped. */
const marker = "<svg onload=vigil>";
const markerEncoded = encodeURIComponent(marker);

interface Answer {
  status: number;
  headers: Map<string, string[]>;
  body: string;
}

/**
 * Sends `data` on a new connection and reads one answer until the server closes it (every request says Connection: close).
 * It does not half-close the connection: Node's HTTP server then drops a request whose answer is not ready by the time it
 * reads the end, which a route that waits for the store (in its own thread) never is.
 */
function raw(port: number, data: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(data));
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error)));
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
      const headers = new Map<string, string[]>();
      for (const line of lines) {
        const colon = line.indexOf(":");
        const name = line.slice(0, colon).trim().toLowerCase();
        headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
      }
      let body = text.slice(end + 4);
      if (headers.get("transfer-encoding")?.[0] === "chunked") {
        let decoded = "";
        for (let at = 0; ; ) {
          const lineEnd = body.indexOf("\r\n", at);
          const size = parseInt(body.slice(at, lineEnd), 16);
          if (!(size > 0)) break;
          decoded += body.slice(lineEnd + 2, lineEnd + 2 + size);
          at = lineEnd + 2 + size + 2;
        }
        body = decoded;
      }
      resolve({ status: Number(statusLine.split(" ")[1] ?? 0), headers, body });
    });
  });
}

const get = (target: string, extraHeaders = "") => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extraHeaders}Connection: close\r\n\r\n`;
const post = (target: string, contentType: string | undefined, body: string) =>
  `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${contentType === undefined ? "" : `Content-Type: ${contentType}\r\n`}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

/** A request target of exactly `length` characters: `route`, then a query parameter that fills it up. */
const targetOfLength = (route: string, length: number) => {
  const head = `${route}${route.includes("?") ? "&" : "?"}x=`;
  return head + "a".repeat(length - head.length);
};

describe("hostile input on every public route", () => {
  let test: TestVigil;
  let port: number;
  let incidentId: string;
  /** Every public GET route, and what it answers a plain request (confirm and unsubscribe links need a token; /metrics one too). */
  let getRoutes: Array<{ path: string; status: number; site: boolean }>;
  /** Every public POST route, and what it answers an empty JSON object. */
  const postRoutes = [
    { path: "/subscribe", form: true, emptyJson: 400 },
    { path: "/subscriptions/confirm", form: true, emptyJson: 400 },
    { path: "/subscriptions/unsubscribe", form: true, emptyJson: 400 },
    { path: "/api/v1/subscriptions", form: false, emptyJson: 400 },
    { path: "/api/v1/heartbeat/nightly", form: false, emptyJson: 401 },
  ];

  /**
   * Checks one answer: `status` (one of them), Vigil's error body for a JSON error, the 414 text, no input reflected
   * unescaped in HTML, no Set-Cookie; then that the server still answers a normal request.
   */
  const check = async (label: string, answer: Answer, status: number | readonly number[]) => {
    const statuses = typeof status === "number" ? [status] : status;
    expect(statuses, `${label}: ${answer.status} ${answer.body.slice(0, 300)}`).toContain(answer.status);
    const type = answer.headers.get("content-type")?.[0] ?? "";
    if (answer.status === 414) {
      expect(answer.body, label).toBe("The request target is longer than 2048 characters.\n");
    } else if (answer.status >= 400 && type.startsWith("application/json")) {
      const parsed = JSON.parse(answer.body) as { error: { code: keyof typeof httpStatusOf; message: string; details: unknown[] } };
      expect(Object.keys(parsed), label).toEqual(["error"]);
      expect(httpStatusOf[parsed.error.code], `${label}: ${answer.body}`).toBe(answer.status);
      expect(typeof parsed.error.message, label).toBe("string");
      expect(Array.isArray(parsed.error.details), label).toBe(true);
    } else if (answer.status >= 400) {
      expect(type, `${label}: an error answers JSON or an HTML page`).toMatch(/^(text\/html|application\/json)/);
    }
    if (type.startsWith("text/html")) expect(answer.body.includes(marker) || answer.body.includes("<svg/onload"), `${label}: input reflected in HTML`).toBe(false);
    expect(answer.headers.get("set-cookie"), label).toBeUndefined();
    expect(answer.headers.get("x-injected"), label).toBeUndefined();
    const after = await fetch(`${test.vigil.url}/healthz`);
    expect(after.status, `${label}: the next request`).toBe(200);
  };

  beforeAll(async () => {
    test = await startTestVigil(config);
    port = test.vigil.port;
    const opened = await test.send("POST", "/api/v1/incidents", { name: "Search is slow", body: "Searches take seconds.", components: { search: "partial_outage" } });
    expect(opened.status).toBe(201);
    incidentId = opened.json.id;
    await test.vigil.statusPage.refresh();
    const site = [
      "/", "/history", `/incidents/${incidentId}`, "/history.rss", "/history.atom", "/badge.svg", "/badges/api.svg", "/badges/api/uptime.svg", "/widget.js", "/local-time.js", "/embed",
      ...["summary", "status", "components", "incidents", "incidents/unresolved", "scheduled-maintenances", "scheduled-maintenances/upcoming", "scheduled-maintenances/active"].map((n) => `/api/v2/${n}.json`),
    ];
    getRoutes = [
      ...site.map((path) => ({ path, status: 200, site: true })),
      { path: "/subscribe", status: 200, site: false },
      { path: "/subscriptions/confirm", status: 400, site: false },
      { path: "/subscriptions/unsubscribe", status: 400, site: false },
      { path: "/healthz", status: 200, site: false },
      { path: "/readyz", status: 200, site: false },
      { path: "/metrics", status: 401, site: false },
    ];
    for (const route of getRoutes) expect((await raw(port, get(route.path))).status, route.path).toBe(route.status);
  }, 120_000);

  afterAll(async () => {
    await test?.dispose();
  });

  it("answers a target of 2,048 characters as usual, a longer one 414 before reading it, and one past 16 KB 431", async () => {
    for (const route of getRoutes) {
      await check(`${route.path} at 2048`, await raw(port, get(targetOfLength(route.path, 2048))), route.status);
      const longPath = `${route.path}/${"a".repeat(2048 - route.path.length - 1)}`;
      await check(`${route.path}/aaa… at 2048`, await raw(port, get(longPath)), 404);
      await check(`${route.path} at 2049`, await raw(port, get(targetOfLength(route.path, 2049))), 414);
      await check(`${route.path} at 10000`, await raw(port, get(targetOfLength(route.path, 10_000))), 414);
      await check(`${route.path} at 20000`, await raw(port, get(targetOfLength(route.path, 20_000))), 431);
    }
    for (const route of postRoutes) {
      await check(`POST ${route.path} at 2049`, await raw(port, post(targetOfLength(route.path, 2049), "application/json", "{}")), 414);
    }
  });

  it("answers runs of slashes and dots with the page (trailing slashes on the site) or 404, never a file outside it", async () => {
    for (const route of getRoutes) {
      // The site drops trailing slashes from a file's path ("/" itself has none to drop); the API does not.
      await check(`${route.path}/// `, await raw(port, get(`${route.path}${"/".repeat(1_000)}`)), route.site && route.path !== "/" ? route.status : 404);
      await check(`//${route.path}`, await raw(port, get(`//${route.path}`)), 404);
      await check(`${route.path}/./../`, await raw(port, get(`${route.path}${"/./..".repeat(300)}`)), 404);
      await check(`/../..${route.path}`, await raw(port, get(`/../../../..${route.path}`)), 404);
      await check(`${route.path}/../../etc/passwd`, await raw(port, get(`${route.path}/../../../../etc/passwd`)), 404);
    }
  });

  it("answers percent-encoding tricks with 404, or 400 and Vigil's error body for an escape that is not UTF-8", async () => {
    for (const route of getRoutes) {
      await check(`${route.path}%00`, await raw(port, get(`${route.path}%00`)), 404);
      await check(`${route.path}/%2e%2e`, await raw(port, get(`${route.path}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`)), 404);
      await check(`${route.path}/%2f`, await raw(port, get(`${route.path}%2f%2f..%2f..%2fetc%2fpasswd`)), 404);
      for (const broken of ["/%c0%ae%c0%ae/%c0%af", "/%zz", "/%", "/%ff%fe"]) {
        const answer = await raw(port, get(`${route.path}${broken}`));
        await check(`${route.path}${broken}`, answer, 400);
        expect(JSON.parse(answer.body).error, `${route.path}${broken}`).toMatchObject({ code: "bad_request", message: "the request URL is malformed" });
        expect(answer.headers.get("x-content-type-options"), `${route.path}${broken}`).toEqual(["nosniff"]);
      }
      for (const query of ["token=%00", "token=%c0%ae%c0%ae", "token=%zz&page=%", "page=%00", `token=${markerEncoded}&format=${markerEncoded}`]) {
        await check(`${route.path}?${query}`, await raw(port, get(`${route.path}?${query}`)), route.status);
      }
    }
  });

  it("answers huge, deeply nested and repeated query parameters as it answers none", async () => {
    for (const route of getRoutes) {
      const many = Array.from({ length: 200 }, (_, i) => `p${i}=${i}`).join("&");
      await check(`${route.path}?200 parameters`, await raw(port, get(`${route.path}?${many}`)), route.status);
      await check(`${route.path}?a[b][c]…`, await raw(port, get(`${route.path}?a${"[b]".repeat(500)}=1`)), route.status);
      await check(`${route.path}?a.b.c…`, await raw(port, get(`${route.path}?__proto__[x]=1&constructor.prototype.x=1&a${".b".repeat(500)}=1`)), route.status);
      const repeated = ["token=a", "token=b", "page=2", "page=3", "format=statuspage", "format=x", "email=a", "email=b", `x=${markerEncoded}`, `x=${markerEncoded}`].join("&");
      // The history has one page here: its second is not found. Elsewhere `page` means nothing.
      const paged = route.path === "/history" ? 404 : route.status;
      await check(`${route.path}?repeated`, await raw(port, get(`${route.path}?${repeated}`)), paged);
      await check(`${route.path}?page=2`, await raw(port, get(`${route.path}?page=2`)), paged);
    }
  });

  it("refuses CR and LF inside header values with 400 and lets no header through, and never echoes a request id it cannot log", async () => {
    for (const route of [...getRoutes.map((r) => r.path), ...postRoutes.map((r) => r.path)]) {
      for (const smuggled of ["X-A: a\rX-Injected: 1", "X-A: a\nX-Injected: 1", "X-A: a\r\n X-Injected: 1", "X-A: a\u0000b"]) {
        const answer = await raw(port, `GET ${route} HTTP/1.1\r\nHost: 127.0.0.1\r\n${smuggled}\r\nConnection: close\r\n\r\n`);
        await check(`${route} with ${JSON.stringify(smuggled)}`, answer, 400);
        expect(JSON.parse(answer.body).error.code).toBe("bad_request");
      }
      // Encoded in the target: stays in the target.
      await check(`${route}%0d%0a`, await raw(port, get(`${route}%0d%0aX-Injected:%201%0d%0aSet-Cookie:%20a=b`)), 404);
      const id = await raw(port, get(route, "X-Request-Id: a%0d%0aX-Injected: 1\r\n"));
      expect(id.headers.get("x-request-id")?.[0] ?? "", route).not.toContain("%0d");
    }
  });

  it("answers bodies at the body limit by reading them, one byte over with 413, deep JSON and wrong content types with 400 or 415", async () => {
    for (const route of postRoutes) {
      const json = (label: string, body: string, status: number | readonly number[]) => raw(port, post(route.path, "application/json", body)).then((a) => check(`${route.path} ${label}`, a, status));
      const atLimit = JSON.stringify({ email: "a".repeat(bodyLimit - 12) });
      expect(Buffer.byteLength(atLimit)).toBe(bodyLimit);
      await json("{} ", "{}", route.emptyJson);
      await json("at the body limit", atLimit, route.emptyJson);
      await json("one byte over the body limit", JSON.stringify({ email: "a".repeat(bodyLimit - 11) }), 413);
      // Refused before it is parsed: JSON.parse takes a third of a second over a megabyte of nesting.
      const tooDeep = async (label: string, body: string) => {
        const answer = await raw(port, post(route.path, "application/json", body));
        await check(`${route.path} ${label}`, answer, 400);
        expect(JSON.parse(answer.body).error, `${route.path} ${label}`).toMatchObject({ code: "bad_request", message: "the request body is nested deeper than 64 levels" });
      };
      await tooDeep("nested 30,000 deep", `{"email":${"[".repeat(30_000)}${"]".repeat(30_000)}}`);
      await tooDeep("nested objects 10,000 deep", `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`);
      await tooDeep("nested 65 deep", `{"email":${"[".repeat(64)}${"]".repeat(64)}}`);
      await json("nested 64 deep", `{"email":${"[".repeat(63)}${"]".repeat(63)}}`, route.emptyJson);
      await json("brackets in a string", JSON.stringify({ email: "[".repeat(1000) }), route.emptyJson);
      // Fastify's JSON parser refuses prototype keys outright.
      await json("prototype keys", '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', 400);
      await json("not JSON", '{"email":', 400);
      await json(`a marker`, JSON.stringify({ email: marker, webhook_url: marker, components: [marker], format: "vigil" }), route.emptyJson);
      const form = `email=${markerEncoded}&webhook_url=${markerEncoded}&${Array.from({ length: 1000 }, () => `components=${markerEncoded}`).join("&")}`;
      await check(`${route.path} form`, await raw(port, post(route.path, "application/x-www-form-urlencoded", form)), route.form ? 400 : 415);
      await check(`${route.path} form over the limit`, await raw(port, post(route.path, "application/x-www-form-urlencoded", `email=${"a".repeat(bodyLimit)}`)), route.form ? 413 : 415);
      for (const type of ["text/plain", "application/xml", "text/html", "application/x-json-but-not", "application/json-patch+json"]) {
        await check(`${route.path} as ${type}`, await raw(port, post(route.path, type, "<x>&#x41;</x>")), 415);
      }
      await check(`${route.path} as multipart`, await raw(port, post(route.path, "multipart/form-data; boundary=x", "--x--\r\n")), route.form ? 400 : 415);
      await check(`${route.path} without a type`, await raw(port, post(route.path, undefined, "email=a")), 415);
    }
  });

  it("answers other methods on the public routes with the error body (405 with Allow on the site's files), and OPTIONS on the site's files with a preflight", async () => {
    for (const route of getRoutes) {
      for (const method of ["PUT", "DELETE", "PATCH", "TRACE"]) {
        const answer = await raw(port, `${method} ${route.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        await check(`${method} ${route.path}`, answer, route.site ? 405 : 404);
        if (route.site) expect(answer.headers.get("allow"), `${method} ${route.path}`).toEqual(["GET, HEAD, OPTIONS"]);
      }
      if (route.site) await check(`OPTIONS ${route.path}`, await raw(port, `OPTIONS ${route.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`), 204);
    }
  });
});
