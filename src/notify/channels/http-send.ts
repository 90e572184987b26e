/**
 * Sending a JSON request for a channel and classifying what came back. Errors name the host only:
 * the path and query of a webhook URL are its secret (Slack, Discord, Teams, Google Chat and
 * Mattermost URLs embed tokens), and so are keys a channel passes in `secrets`.
 */
import type { SendContext, SendResult } from "../types.ts";

/** The most of a response body read: enough for an error message, not a download. */
const maxResponseBytes = 64 * 1024;
/** The most of a response body quoted in an error. */
const maxDetailChars = 200;

/** One JSON request to a destination. */
export interface JsonRequest {
  url: string;
  /** Serialised with JSON.stringify, unless already a string (a signed body must go out byte for byte). */
  body: unknown;
  /** Extra headers; `content-type`, `user-agent` and `idempotency-key` are set unless given here. */
  headers?: Record<string, string>;
  /** Strings that must never appear in an error (tokens, keys; from 6 characters); the URL's path and query never do. */
  secrets?: readonly string[];
  /** Send `Idempotency-Key: ctx.idempotencyKey` (default true: every service here ignores headers it does not know). */
  idempotencyKey?: boolean;
}

/** What a destination answered, as far as classifying it needs. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The body as text (at most 64 KiB). */
  text: string;
}

/**
 * POSTs JSON and classifies the outcome: 2xx is delivered; 408, 425, 429, 5xx, network errors and
 * timeouts may succeed later (with Retry-After when the service sent one); other statuses will
 * not. Redirects are not followed: a webhook that redirects is misconfigured, and following one
 * would send a secret-bearing body elsewhere.
 */
export async function postJson(request: JsonRequest, ctx: SendContext): Promise<SendResult> {
  // Configuration validates URLs; one built from parts (a token with a slash…) may still not parse.
  if (!URL.canParse(request.url)) return { ok: false, retryable: false, error: "the destination URL is not valid" };
  const target = new URL(request.url);
  const secrets = secretsOf(target, request.secrets ?? []);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Vigil" };
  if (request.idempotencyKey !== false) headers["idempotency-key"] = ctx.idempotencyKey;
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = typeof request.body === "string" ? request.body : JSON.stringify(request.body);

  let response: Response;
  try {
    response = await ctx.fetch(target, { method: "POST", headers, body, signal: ctx.signal, redirect: "manual" });
  } catch (err) {
    // A transport that refuses private addresses (notify/public-fetch.ts) says why; trying again will not help.
    const refused = causeWithCode(err, "ERR_PRIVATE_ADDRESS");
    if (refused !== undefined) return { ok: false, retryable: false, error: redact(`refused: it must be reachable on the public internet: ${refused}`, secrets) };
    return { ok: false, retryable: true, error: redact(networkError(err, target.host, ctx.signal), secrets) };
  }
  const answer: HttpAnswer = { status: response.status, headers: response.headers, text: await readCapped(response) };
  return classifyAnswer(answer, target.host, ctx.now(), secrets);
}

/** The outcome a status means; `host` is all an error says about where. */
export function classifyAnswer(answer: HttpAnswer, host: string, now: Date, secrets: readonly string[] = []): SendResult {
  const { status } = answer;
  if (status >= 200 && status < 300) return { ok: true, detail: `${host} answered ${status}` };
  if (status >= 300 && status < 400) {
    return { ok: false, retryable: false, error: redact(`${host} answered ${status} (a redirect, which notifications do not follow)`, secrets) };
  }
  // Redacted before it is cut short, so that no part of a secret is left.
  const detail = cap(redact(errorDetail(answer.text), secrets));
  const said = detail === "" ? "" : `: ${detail}`;
  const error = redact(`${host} answered ${status}${said}`, secrets);
  if (!isRetryableStatus(status)) return { ok: false, retryable: false, error };
  const retryAfterMs = retryAfterOf(answer, now);
  return retryAfterMs === undefined ? { ok: false, retryable: true, error } : { ok: false, retryable: true, error, retryAfterMs };
}

/** 408 Request Timeout, 425 Too Early, 429 Too Many Requests and server errors may succeed later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Milliseconds to wait from a `Retry-After` header (delay-seconds or an HTTP-date, RFC 9110 §10.2.3),
 * else from the body's `retry_after` (Discord, seconds) or `parameters.retry_after` (Telegram).
 */
export function retryAfterOf(answer: HttpAnswer, now: Date): number | undefined {
  const header = parseRetryAfter(answer.headers.get("retry-after"), now);
  if (header !== undefined) return header;
  const json = parseJson(answer.text);
  if (!isRecord(json)) return undefined;
  const parameters = json["parameters"];
  const seconds = json["retry_after"] ?? (isRecord(parameters) ? parameters["retry_after"] : undefined);
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}

/** A Retry-After value as milliseconds from `now` (never negative); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  // Seconds are whole by the RFC; a fraction (as some services send) is read rather than ignored.
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // An HTTP-date has a weekday name; Date.parse also reads looser forms, which are no dates here.
  if (!/^[A-Za-z]{3},/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** What went wrong before any answer, naming only the host. */
function networkError(err: unknown, host: string, signal: AbortSignal): string {
  if (signal.aborted || isAbort(err)) {
    const reason: unknown = signal.reason;
    const timedOut = (reason instanceof Error || reason instanceof DOMException) && reason.name === "TimeoutError";
    return timedOut || !signal.aborted ? `${host} did not answer in time` : `sending to ${host} was cancelled`;
  }
  const code = errorCode(err);
  switch (code) {
    case "ECONNREFUSED":
      return `connection refused by ${host}`;
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
      return `connection to ${host} was reset`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `could not resolve ${host} (${code})`;
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
      return `${host} did not answer in time`;
    case "":
      return `could not reach ${host}`;
    default:
      return `could not reach ${host} (${code})`;
  }
}

function isAbort(err: unknown): boolean {
  return (err instanceof Error || err instanceof DOMException) && (err.name === "AbortError" || err.name === "TimeoutError");
}

/** The code of a fetch failure: undici wraps the socket error in `cause` (sometimes an AggregateError). */
function errorCode(err: unknown): string {
  for (let e: unknown = err, depth = 0; isRecord(e) && depth < 4; depth++) {
    if (typeof e["code"] === "string") return e["code"];
    const errors = e["errors"];
    if (Array.isArray(errors) && isRecord(errors[0]) && typeof errors[0]["code"] === "string") return errors[0]["code"];
    e = e["cause"];
  }
  return "";
}

/** The message of the error in `err`'s cause chain with this code. */
function causeWithCode(err: unknown, code: string): string | undefined {
  for (let e: unknown = err, depth = 0; isRecord(e) && depth < 4; depth++) {
    if (e["code"] === code && typeof e["message"] === "string") return e["message"];
    const errors = e["errors"];
    if (Array.isArray(errors)) for (const inner of errors) if (isRecord(inner) && inner["code"] === code && typeof inner["message"] === "string") return inner["message"];
    e = e["cause"];
  }
  return undefined;
}

/** A one-line reason from an error body: a JSON `description`, `message` or `error`, else the text. */
function errorDetail(text: string): string {
  const json = parseJson(text);
  let detail: string | undefined;
  if (isRecord(json)) {
    const error = json["error"];
    const errors = json["errors"];
    const candidates = [json["description"], json["message"], isRecord(error) ? error["message"] : error];
    const main = candidates.find((c): c is string => typeof c === "string" && c.trim() !== "");
    // PagerDuty's `errors` say what is wrong with the event, beside a general `message`.
    const list = Array.isArray(errors) ? errors.filter((e): e is string => typeof e === "string").join("; ") : "";
    detail = main !== undefined && list !== "" ? `${main} (${list})` : main ?? (list || undefined);
  } else if (json === undefined && !/^\s*</.test(text)) detail = text; // an HTML error page says nothing useful
  return (detail ?? "").replace(/\s+/g, " ").trim();
}

function cap(line: string): string {
  return line.length > maxDetailChars ? `${line.slice(0, maxDetailChars - 1)}…` : line;
}

/** The URL's secret parts (path segments, query values) and the given secrets, longest first. */
export function secretsOf(url: URL, given: readonly string[]): string[] {
  const parts = [url.pathname + url.search, url.pathname, url.search.slice(1)];
  for (const segment of url.pathname.split("/")) parts.push(segment, safeDecode(segment));
  for (const value of url.searchParams.values()) parts.push(value, encodeURIComponent(value));
  // Short parts ("v2", "hooks") are no secrets; a part of the host name ("example" in
  // example.com/example/hooks/…) stays, as an error must still say where.
  const derived = parts.filter((p) => p.length >= 6 && !url.host.includes(p));
  // A credential such as "Bearer <token>" may come back as the token alone.
  const words = given.flatMap((g) => g.split(/\s+/)).filter((w) => w.length >= 8);
  return [...new Set([url.href, ...derived, ...given.filter((g) => g.length >= 6), ...words])].sort((a, b) => b.length - a.length);
}

/** `text` with every secret replaced by "[redacted]". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== "") out = out.split(secret).join("[redacted]");
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The body as text, at most 64 KiB; an unreadable body reads as "". */
export async function readCapped(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxResponseBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body cut short says no more than its status already did.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(all.subarray(0, maxResponseBytes));
}

function parseJson(text: string): unknown {
  if (!/^\s*[{[]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A plain object (JSON mapping, error object). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
