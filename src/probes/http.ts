import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { TLSSocket } from "node:tls";
import * as z from "zod";
import { httpUrl, positiveDuration, scalar, strictMap, text } from "../config/fields.ts";
import { socketError } from "./tcp.ts";
import { daysUntil } from "./tls.ts";
import { elapsedSince, type Fact, type ProbeContext, type ProbeError, type ProbeOutcome, type Probe } from "./types.ts";

/** The most body read: enough for a health document or a page's keyword, not a download. */
const maxBodyBytes = 1024 * 1024;

const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** An inclusive range of HTTP status codes; a single code has min = max. */
export interface StatusRange {
  min: number;
  max: number;
}

function statusRange(part: unknown): StatusRange | undefined {
  if (typeof part === "number") return Number.isInteger(part) && part >= 100 && part <= 599 ? { min: part, max: part } : undefined;
  if (typeof part !== "string") return undefined;
  const klass = /^\s*([1-5])xx\s*$/i.exec(part);
  if (klass) return { min: Number(klass[1]) * 100, max: Number(klass[1]) * 100 + 99 };
  const match = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(part);
  if (!match) return undefined;
  const min = Number(match[1]);
  const max = Number(match[2] ?? match[1]);
  return min >= 100 && min <= max && max <= 599 ? { min, max } : undefined;
}

/** `200`, `"200-299"`, `"2xx"`, `"200, 204"` or a list of those. */
const expectStatus = scalar('expected a status such as 200, a range such as "200-299", or a list of them', (value) => {
  const parts: unknown[] = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [value];
  const ranges = parts.map(statusRange);
  return ranges.length > 0 && ranges.every((r) => r !== undefined) ? (ranges as StatusRange[]) : undefined;
});

/** Status ranges as written in messages: `200-399`, `200, 204`. */
export function formatStatusRanges(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.min === r.max ? String(r.min) : `${r.min}-${r.max}`)).join(", ");
}

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerValue = scalar("expected a header value (text on one line)", (value) => {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value === "string" && !/[\r\n\0]/.test(value) ? value : undefined;
});
const headers = z.record(z.string(), headerValue).superRefine((map, ctx) => {
  for (const name of Object.keys(map)) {
    if (headerName.test(name)) continue;
    ctx.addIssue({ code: "custom", path: [name], input: name, params: { expected: "expected a header name such as X-Request-Id" } });
  }
});

/** A regular expression's source, compiled once here so that a bad one is a configuration error. */
const regexSource = z.unknown().transform((value, ctx): string => {
  let expected = 'expected a regular expression such as "ok|healthy"';
  if (typeof value === "string") {
    try {
      new RegExp(value);
      return value;
    } catch (err) {
      // "Invalid regular expression: /(/: Unterminated group" → "unterminated group".
      const reason = (err instanceof Error ? err.message : String(err)).split(": ").at(-1) ?? "";
      expected = `expected a valid regular expression (${reason.toLowerCase()})`;
    }
  }
  ctx.addIssue({ code: "custom", input: value, params: value === undefined ? { required: true } : { expected } });
  return z.NEVER;
});

/** The keys of an `http` monitor: one request (following redirects) and what its response must look like. */
export const HttpConfig = strictMap({
  url: httpUrl,
  method: scalar(`expected an HTTP method (${methods.join(", ")})`, (value) => {
    const upper = typeof value === "string" ? value.toUpperCase() : undefined;
    return methods.find((m) => m === upper);
  }).prefault("GET"),
  headers: headers.default({}),
  body: z.string().optional(),
  expect_status: expectStatus.prefault("200-399"),
  /** 0 means a redirect is the final response. */
  max_redirects: scalar("expected a whole number from 0 to 20", (value) =>
    typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 20 ? value : undefined,
  ).prefault(5),
  body_contains: text.optional(),
  body_not_contains: text.optional(),
  body_matches: regexSource.optional(),
  tls_verify: z.boolean().default(true),
  /** Answered correctly but slower than this: degraded. */
  degraded_latency: positiveDuration.optional(),
});
/** A validated `http` monitor configuration. */
export type HttpConfig = z.output<typeof HttpConfig>;

/** Sends one HTTP request and checks the status, body and latency of the final response. */
export const httpProbe: Probe<HttpConfig> = {
  type: "http",
  configSchema: HttpConfig,
  // "body" is not stored as a fact: it is the response body, for body and json.* assertions.
  facts: ["status", "latencyMs", "redirects", "bodyBytes", "contentType", "certDaysLeft", "body"],
  run: (config, ctx) => checkHttp(config, ctx),
};

/** A response whose body has not been read yet, with the leaf certificate's days left for https. */
interface Head {
  res: IncomingMessage;
  certDaysLeft: number | null;
}

async function checkHttp(config: HttpConfig, ctx: ProbeContext): Promise<ProbeOutcome> {
  const started = performance.now();
  const facts: Record<string, Fact> = { status: null, latencyMs: null, redirects: 0, bodyBytes: null, contentType: null, certDaysLeft: null };
  const fail = (error: ProbeError): ProbeOutcome => {
    facts.latencyMs = elapsedSince(started);
    return { status: "down", latencyMs: facts.latencyMs, facts, error };
  };
  const timedOut = () => fail({ kind: "timeout", message: `no response within ${ctx.timeoutMs} ms` });

  let url = new URL(config.url);
  let method: string = config.method;
  let body = config.body;
  let headers: OutgoingHttpHeaders = { "user-agent": "Vigil", ...config.headers };
  const visited = new Set([url.href]);
  let head: Head;
  for (let redirects = 0; ; redirects++) {
    try {
      head = await send(url, method, headers, body, config.tls_verify, ctx);
    } catch (err) {
      return ctx.signal.aborted ? timedOut() : fail(requestError(err, url));
    }
    facts.redirects = redirects;
    facts.certDaysLeft = head.certDaysLeft ?? facts.certDaysLeft ?? null;
    const location = head.res.headers.location;
    if (![301, 302, 303, 307, 308].includes(head.res.statusCode ?? 0) || location === undefined || config.max_redirects === 0) break;
    head.res.destroy();
    if (redirects >= config.max_redirects) return fail({ kind: "protocol", message: `more than ${config.max_redirects} redirects` });
    const next = URL.canParse(location, url.href) ? new URL(location, url) : undefined;
    if (next === undefined || (next.protocol !== "http:" && next.protocol !== "https:")) {
      return fail({ kind: "protocol", message: `redirect from ${url.pathname} to an invalid location` });
    }
    if (visited.has(next.href)) return fail({ kind: "protocol", message: `redirect loop: ${url.pathname} leads back to ${next.pathname}` });
    visited.add(next.href);
    // As browsers do: 303 (and 301/302 after a POST) become a GET without a body; 307/308 repeat the request.
    if (head.res.statusCode === 303 || (method === "POST" && head.res.statusCode !== 307 && head.res.statusCode !== 308)) {
      if (method !== "HEAD") method = "GET";
      body = undefined;
    }
    // Credentials meant for one origin are not handed to another.
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^(authorization|cookie)$/i.test(k)));
    url = next;
  }

  let bodyBuffer: Buffer;
  try {
    bodyBuffer = await readBody(head.res);
  } catch (err) {
    return ctx.signal.aborted ? timedOut() : fail(requestError(err, url));
  }
  const latencyMs = elapsedSince(started);
  const status = head.res.statusCode ?? 0;
  const text = bodyBuffer.toString("utf8");
  Object.assign(facts, { status, latencyMs, bodyBytes: bodyBuffer.length, contentType: head.res.headers["content-type"] ?? null });
  const outcome = (extra: Omit<ProbeOutcome, "latencyMs" | "facts" | "body">): ProbeOutcome => ({ ...extra, latencyMs, facts, body: text });

  const problem = assertionProblem(config, status, text);
  if (problem !== undefined) return outcome({ status: "down", error: { kind: "assertion", message: problem } });
  if (config.degraded_latency !== undefined && latencyMs > config.degraded_latency) {
    return outcome({ status: "degraded", warning: `slow response: ${Math.round(latencyMs)} ms, above ${config.degraded_latency} ms` });
  }
  return outcome({ status: "up" });
}

/** The first expectation the response fails, as a message, or undefined when it meets them all. */
function assertionProblem(config: HttpConfig, status: number, text: string): string | undefined {
  if (!config.expect_status.some((r) => status >= r.min && status <= r.max)) return `status ${status}, expected ${formatStatusRanges(config.expect_status)}`;
  if (config.body_contains !== undefined && !text.includes(config.body_contains)) return `body does not contain ${quote(config.body_contains)}`;
  if (config.body_not_contains !== undefined && text.includes(config.body_not_contains)) return `body contains ${quote(config.body_not_contains)}`;
  if (config.body_matches !== undefined && !new RegExp(config.body_matches).test(text)) return `body does not match /${config.body_matches}/`;
  return undefined;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

/** Sends one request and resolves with the response head; the body is left unread. */
function send(url: URL, method: string, headers: OutgoingHttpHeaders, body: string | undefined, tlsVerify: boolean, ctx: ProbeContext): Promise<Head> {
  return new Promise((resolve, reject) => {
    const https = url.protocol === "https:";
    // A fresh connection each time (agent: false): a check measures the connect and handshake too.
    const options = { method, headers, agent: false as const, signal: ctx.signal, rejectUnauthorized: tlsVerify };
    const req = https ? httpsRequest(url, options) : httpRequest(url, options);
    req.on("error", reject);
    req.once("response", (res) => {
      res.on("error", () => undefined); // read errors are reported by readBody
      let certDaysLeft: number | null = null;
      if (https) {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        if (cert.valid_to) certDaysLeft = daysUntil(new Date(cert.valid_to), ctx.clock.now());
      }
      resolve({ res, certDaysLeft });
    });
    req.end(body);
  });
}

/** Reads the body up to `maxBodyBytes`; past that the connection is dropped, the rest unread. */
function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    res.on("data", (chunk: Buffer) => {
      if (done) return;
      const room = maxBodyBytes - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(chunk.length, room);
      if (size >= maxBodyBytes) {
        finish();
        res.destroy();
      }
    });
    res.once("end", () => finish());
    res.once("error", (err) => finish(err));
    res.once("close", () => finish(Object.assign(new Error("connection closed before the response ended"), { code: "ECONNRESET" })));
  });
}

/** A request error as a ProbeError; a malformed response is a protocol error, the rest is the socket's. */
function requestError(err: unknown, url: URL): ProbeError {
  const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  if (code.startsWith("HPE_")) return { kind: "protocol", message: `invalid HTTP response from ${url.hostname}:${port} (${code})` };
  return socketError(err, { host: url.hostname, port });
}
