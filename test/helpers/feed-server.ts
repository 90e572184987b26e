/**
 * A local HTTP server standing in for a provider's status feed: per path, the test sets the body, the status, the
 * validators (ETag, Last-Modified) and a delay, and changes them as time goes on. It answers conditional requests the
 * way providers do (304 when If-None-Match names the current ETag, or, without an ETag, when If-Modified-Since is not
 * before Last-Modified), records every request with its validators, can serve a huge body (streamed, with or without
 * a Content-Length), and can go down (its port closed: connections refused) and come back on the same port.
 * Every answer says `Connection: close`, so no kept-alive socket outlives a change.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How one path answers. */
export interface FeedRoute {
  /** The body of a 200 (or of another status); default "". */
  body?: string;
  /** Default 200. */
  status?: number;
  /** Sent on 2xx and 304; a request whose If-None-Match names it gets a 304. */
  etag?: string | null;
  /** Sent on 2xx and 304 (an HTTP-date); without an ETag, a request whose If-Modified-Since is not before it gets a 304. */
  lastModified?: string | null;
  contentType?: string;
  /** Wait this long (real time) before answering. */
  delayMs?: number;
  /** Instead of `body`, stream this many bytes of filler. */
  hugeBytes?: number;
  /** With `hugeBytes`: declare the length up front (Content-Length) rather than stream it chunked. */
  declareLength?: boolean;
}

/** One request the server received, and what it answered. */
export interface FeedRequest {
  method: string;
  path: string;
  accept: string | null;
  ifNoneMatch: string | null;
  ifModifiedSince: string | null;
  /** The status answered (404 for a path without a route). */
  status: number;
  /** When it arrived (real ms since the epoch). */
  at: number;
}

export interface FeedServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** `127.0.0.1:<port>`: what an error may name. */
  host: string;
  /** `url` + `path`. */
  urlOf(path: string): string;
  /** Sets how `path` answers from now on (replacing what it answered before). */
  set(path: string, route: FeedRoute): void;
  /** Changes some of how `path` answers, keeping the rest. */
  update(path: string, patch: Partial<FeedRoute>): void;
  /** Every request received, oldest first. */
  requests: FeedRequest[];
  /** The requests for `path`. */
  requestsTo(path: string): FeedRequest[];
  /** Closes the port: requests are refused until `up()`. */
  down(): Promise<void>;
  /** Listens again, on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

const filler = Buffer.alloc(64 * 1024, "x");

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
}

/** Whether a conditional request may be answered 304 for `route`. */
function notModified(route: FeedRoute, ifNoneMatch: string | null, ifModifiedSince: string | null): boolean {
  if (route.etag) {
    if (ifNoneMatch === null) return false;
    return ifNoneMatch.split(",").some((tag) => tag.trim() === route.etag || tag.trim() === "*");
  }
  if (!route.lastModified || ifModifiedSince === null) return false;
  const since = Date.parse(ifModifiedSince);
  const modified = Date.parse(route.lastModified);
  return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
}

function validatorHeaders(route: FeedRoute): Record<string, string> {
  return { ...(route.etag ? { etag: route.etag } : {}), ...(route.lastModified ? { "last-modified": route.lastModified } : {}) };
}

async function streamHuge(res: ServerResponse, bytes: number): Promise<void> {
  for (let sent = 0; sent < bytes && !res.destroyed; sent += filler.length) {
    const chunk = bytes - sent >= filler.length ? filler : filler.subarray(0, bytes - sent);
    if (res.write(chunk)) continue;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
    });
  }
  res.end();
}

/** Starts a feed server on a free port of 127.0.0.1. */
export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, FeedRoute>();
  const requests: FeedRequest[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? "/";
    const route = routes.get(path);
    const ifNoneMatch = header(req, "if-none-match");
    const ifModifiedSince = header(req, "if-modified-since");
    const status = route === undefined ? 404 : notModified(route, ifNoneMatch, ifModifiedSince) ? 304 : (route.status ?? 200);
    requests.push({ method: req.method ?? "", path, accept: header(req, "accept"), ifNoneMatch, ifModifiedSince, status, at: Date.now() });
    req.resume();
    const answer = (): void => {
      if (res.destroyed) return;
      const base = { connection: "close" };
      if (route === undefined) {
        res.writeHead(404, { ...base, "content-type": "text/plain" }).end("no such feed");
        return;
      }
      const ok = status >= 200 && status < 300;
      const validators = ok || status === 304 ? validatorHeaders(route) : {};
      if (status === 304) {
        res.writeHead(304, { ...base, ...validators }).end();
        return;
      }
      const type = { "content-type": route.contentType ?? "application/octet-stream" };
      if (route.hugeBytes !== undefined) {
        res.writeHead(status, { ...base, ...type, ...validators, ...(route.declareLength ? { "content-length": String(route.hugeBytes) } : {}) });
        void streamHuge(res, route.hugeBytes);
        return;
      }
      res.writeHead(status, { ...base, ...type, ...validators }).end(route.body ?? "");
    };
    if (route?.delayMs) setTimeout(answer, route.delayMs);
    else answer();
  };

  let server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let listening = true;
  const url = `http://127.0.0.1:${port}`;

  const closeServer = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.closeAllConnections();
      server.close(() => resolve());
    });

  return {
    url,
    host: `127.0.0.1:${port}`,
    urlOf: (path) => `${url}${path}`,
    set(path, route) {
      routes.set(path, { ...route });
    },
    update(path, patch) {
      routes.set(path, { ...routes.get(path), ...patch });
    },
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    down: closeServer,
    async up() {
      if (listening) return;
      server = createServer(handle);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
      listening = true;
    },
    close: closeServer,
  };
}
