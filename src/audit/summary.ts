/**
 * What the audit log keeps of a request: a compact summary with every secret taken out. Pure: no I/O.
 */
import { scrub, urlSecrets } from "../store/redact.ts";

/** Keys whose values are secrets wherever they appear. */
const secretKey = /pass(word|phrase)?|secret|token|authori[sz]ation|credential|api[_-]?key|private[_-]?key|cookie|csrf/i;
/** A string longer than this is cut (incident bodies, postmortems): the log says what changed, not all of it. */
export const maxStringLength = 300;
/** A summary larger than this (as JSON) is replaced by its keys. */
export const maxSummaryBytes = 8 * 1024;
const tokenPattern = /vgl_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/g;

/** A URL without its credentials: the password (user:password@) and every query value become ***. */
export function redactUrlText(text: string): string {
  let out = scrub(text, urlSecrets(text));
  const query = out.indexOf("?");
  if (query >= 0) {
    const [base, rest] = [out.slice(0, query), out.slice(query + 1)];
    const hash = rest.indexOf("#");
    const params = (hash >= 0 ? rest.slice(0, hash) : rest).split("&").map((pair) => (pair.includes("=") ? `${pair.slice(0, pair.indexOf("="))}=***` : pair));
    out = `${base}?${params.join("&")}`;
  }
  return out;
}

const urlPattern = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

function redactString(value: string): string {
  const out = value.replace(tokenPattern, "vgl_***").replace(urlPattern, (url) => redactUrlText(url));
  return out.length > maxStringLength ? `${out.slice(0, maxStringLength)}…` : out;
}

/** `value` with secrets redacted: secret-named keys become "***", URLs lose their credentials, long text is cut. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8) return "…";
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[key] = secretKey.test(key) ? "***" : redact(item, depth + 1);
  return out;
}

/** A request's summary: its method and path, its query and its body, redacted; a text body (a CSV file) only by size. */
export function summarize(input: { method: string; path: string; query?: unknown; body?: unknown; secretFields?: readonly string[] }): Record<string, unknown> {
  const summary: Record<string, unknown> = { method: input.method, path: input.path };
  const body = input.body;
  // Fields secret on this request only (a console form's `code`: a second factor's code, where `code` elsewhere names a component).
  if (input.secretFields !== undefined && body !== null && typeof body === "object" && !Array.isArray(body)) {
    const hidden = Object.fromEntries(Object.entries(body).map(([key, value]) => [key, input.secretFields?.includes(key) ? "***" : value]));
    return summarize({ method: input.method, path: input.path, query: input.query, body: hidden });
  }
  if (input.query !== undefined && input.query !== null && typeof input.query === "object" && Object.keys(input.query).length > 0) summary.query = redact(input.query);
  if (typeof input.body === "string") summary.body = { text_bytes: Buffer.byteLength(input.body), lines: input.body.split("\n").filter((line) => line.trim() !== "").length };
  else if (input.body !== undefined) summary.body = redact(input.body);
  if (Buffer.byteLength(JSON.stringify(summary)) > maxSummaryBytes) {
    const body = summary.body;
    summary.body = body !== null && typeof body === "object" ? { truncated: true, keys: Object.keys(body).slice(0, 50) } : { truncated: true };
  }
  return summary;
}
