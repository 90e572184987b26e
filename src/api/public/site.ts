import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../core/errors.ts";

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

/** The key of a request in the site: its path, plus `?page=N` for a history page after the first. */
export function siteKeyOf(url: string): string {
  const [pathname = "/", query = ""] = url.split("?", 2);
  const page = new URLSearchParams(query).get("page");
  const clean = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
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

/**
 * Serves the pre-rendered public site from memory: strong ETags and 304s, brotli or gzip as the client
 * accepts, the artifact's Cache-Control, and CORS open for GET (it is all public).
 * Nothing here touches the store, so the page stays up when the store is down.
 */
export function registerSite(app: FastifyInstance, site: SitePort): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const files = site.files();
    if (files === undefined) {
      reply.header("retry-after", "1");
      throw new AppError("store_unavailable", "the status page is being rendered; try again in a second");
    }
    const key = siteKeyOf(request.url);
    const artifact = files.get(key);
    if (artifact === undefined) throw new AppError("not_found", `no page at ${key}`);
    reply.header("etag", artifact.etag);
    reply.header("cache-control", artifact.cacheControl);
    reply.header("vary", "accept-encoding");
    // Everything here is public: other sites may read the JSON, feeds, badges and widget.
    reply.header("access-control-allow-origin", "*");
    if (etagMatches(request.headers["if-none-match"], artifact.etag)) return reply.code(304).send();
    reply.type(artifact.contentType);
    const encoding = pickEncoding(request.headers["accept-encoding"]);
    const encoded = encoding === "br" ? artifact.br : encoding === "gzip" ? artifact.gzip : null;
    if (encoded !== null && encoding !== null) {
      reply.header("content-encoding", encoding);
      return reply.send(encoded);
    }
    return reply.send(artifact.body);
  };
  app.get("/", handler);
  app.get("/*", handler);
}
