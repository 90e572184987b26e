import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { nonPagePolicy, pageSecurityHeaders } from "./security-headers.ts";
import { withoutTrailingSlashes } from "../../core/text.ts";

/** A rendered file as the site serves it (see app/statuspage/snapshot.ts). */
export interface SiteArtifact {
  contentType: string;
  cacheControl: string;
  body: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
  etag: string;
}

/** The public site, pre-rendered: undefined until its first render. */
export interface SitePort {
  files(): ReadonlyMap<string, SiteArtifact> | undefined;
}

/** The longest request target Vigil answers (its own URLs are far shorter); a longer one gets 414 before anything reads it. */
export const maxUrlLength = 2_048;

/** The key of a request in the site: its path, plus `?page=N` for a history page after the first (only the history has pages). */
export function siteKeyOf(url: string): string {
  const [pathname = "/", query = ""] = url.split("?", 2);
  const clean = pathname.length > 1 ? withoutTrailingSlashes(pathname) : pathname;
  if (clean !== "/history") return clean;
  const page = new URLSearchParams(query).get("page");
  return page !== null && /^[0-9]{1,6}$/.test(page) && Number(page) > 1 ? `${clean}?page=${Number(page)}` : clean;
}

/** Whether an If-None-Match header matches `etag` (weak comparison, as RFC 9110 asks for GET). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === bare);
}

/** The encoding to send: brotli, then gzip, when the client accepts it (q=0 refuses). */
export function pickEncoding(header: string | undefined): "br" | "gzip" | null {
  if (!header) return null;
  const accepted = new Map<string, number>();
  for (const part of header.toLowerCase().split(",")) {
    const [name = "", ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    accepted.set(name.trim(), q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get("*") ?? 0) > 0;
  if (ok("br")) return "br";
  if (ok("gzip")) return "gzip";
  return null;
}

const headerList = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

/**
 * The answer to OPTIONS on a public file: a CORS preflight from any origin (read-only methods, no credentials, the
 * request headers asked for when they are a list of header names), cached by the browser for a day.
 */
export function preflightHeaders(requested: string | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    allow: "GET, HEAD, OPTIONS",
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, HEAD, OPTIONS",
    "access-control-max-age": "86400",
    "cache-control": "public, max-age=86400",
    vary: "access-control-request-headers",
    "content-length": 0,
  };
  const asked = requested?.trim();
  if (asked && asked.length <= 1_000 && headerList.test(asked)) headers["access-control-allow-headers"] = asked.toLowerCase();
  return headers;
}

// A page's policy hashes its style sheet: computed once per rendered artifact, not per request.
const pageHeaders = new WeakMap<SiteArtifact, OutgoingHttpHeaders>();

function securityHeadersOf(key: string, artifact: SiteArtifact): OutgoingHttpHeaders {
  let headers = pageHeaders.get(artifact);
  if (headers === undefined) {
    headers = artifact.contentType.startsWith("text/html") ? pageSecurityHeaders(key.split("?")[0] ?? key, artifact.body.toString("utf8")) : { "content-security-policy": nonPagePolicy };
    pageHeaders.set(artifact, headers);
  }
  return headers;
}

/** The methods the public site's files take. */
export const siteMethods = ["GET", "HEAD", "OPTIONS"] as const;

/** What serving one request did: answered it, or left it to the API (a path the site does not have). */
export type SiteOutcome = { served: true; status: number } | { served: false };

/**
 * Serves the pre-rendered public site from memory on the raw Node request, ahead of Fastify: strong ETags
 * and 304s, brotli or gzip as the client accepts, the artifact's Cache-Control, CORS open for GET and
 * preflights (it is all public), and the security headers (`common`, and each page's Content-Security-Policy).
 * Nothing here touches the store, so the page stays up when the store is down; and a
 * crowd's requests cost no routing, hooks or per-request logger. A path the site does not have is left
 * to the API (`served: false`), which answers 404 in its error format.
 */
export function serveSite(site: SitePort, request: IncomingMessage, response: ServerResponse, common: OutgoingHttpHeaders): SiteOutcome {
  const url = request.url ?? "/";
  // Before any parsing, for every method and path (the API too): nothing of Vigil's needs a longer target.
  if (url.length > maxUrlLength) {
    response.writeHead(414, { ...common, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", connection: "close" });
    response.end(`The request target is longer than ${maxUrlLength} characters.\n`);
    return { served: true, status: 414 };
  }
  if (request.method !== "GET" && request.method !== "HEAD" && request.method !== "OPTIONS") return { served: false };
  if (url.startsWith("/api/v1/") || url === "/healthz" || url === "/readyz" || url === "/metrics") return { served: false };
  const files = site.files();
  const key = siteKeyOf(url);
  const artifact = files?.get(key);
  // Before the first render, the home page and the status API are on their way; nothing else is known yet.
  const known = files === undefined ? url === "/" || url.startsWith("/api/v2/") : artifact !== undefined;
  if (!known) return { served: false };
  if (request.method === "OPTIONS") {
    response.writeHead(204, { ...common, ...preflightHeaders(request.headers["access-control-request-headers"]) });
    response.end();
    return { served: true, status: 204 };
  }
  if (artifact === undefined) {
    response.writeHead(503, { ...common, "retry-after": "1", "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    response.end("The status page is being rendered; try again in a second.\n");
    return { served: true, status: 503 };
  }
  const headers: OutgoingHttpHeaders = {
    ...common,
    ...securityHeadersOf(key, artifact),
    etag: artifact.etag,
    "cache-control": artifact.cacheControl,
    vary: "accept-encoding",
    "access-control-allow-origin": "*",
  };
  if (etagMatches(request.headers["if-none-match"], artifact.etag)) {
    response.writeHead(304, headers);
    response.end();
    return { served: true, status: 304 };
  }
  const encoding = pickEncoding(request.headers["accept-encoding"]);
  const encoded = encoding === "br" ? artifact.br : encoding === "gzip" ? artifact.gzip : null;
  const body = encoded ?? artifact.body;
  headers["content-type"] = artifact.contentType;
  headers["content-length"] = body.length;
  if (encoded !== null && encoding !== null) headers["content-encoding"] = encoding;
  response.writeHead(200, headers);
  response.end(request.method === "HEAD" ? undefined : body);
  return { served: true, status: 200 };
}
