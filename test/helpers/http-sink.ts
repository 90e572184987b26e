/**
 * A local HTTP server that records what it receives and answers as told, standing in for Slack,
 * PagerDuty and the other notification services in channel tests; and the delivery-outcome suite
 * every HTTP channel runs against it.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SendContext, SendResult } from "../../src/notify/types.ts";

/** One request the sink received. */
export interface SinkRequest {
  method: string;
  /** Path and query, as sent: `/services/T0/B0/x?wait=true`. */
  path: string;
  /** Lower-case names, as Node reads them. */
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/** How the sink answers one request. */
export interface SinkReply {
  status: number;
  /** Text as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (the connection stays open until the client gives up or the sink closes). */
  hang?: boolean;
}

/** A recording HTTP server on 127.0.0.1. */
export interface HttpSink {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** `127.0.0.1:<port>`: what an error may name. */
  host: string;
  requests: SinkRequest[];
  /** Sets the answer to every following request (default: 200 "ok"). */
  reply(reply: SinkReply | ((request: SinkRequest) => SinkReply)): void;
  /** Forgets the requests and goes back to answering 200 "ok". */
  reset(): void;
  /** The one request received since the last reset (fails otherwise). */
  only(): SinkRequest;
  close(): Promise<void>;
}

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, reply: SinkReply): void {
  if (reply.hang) return;
  const text = typeof reply.body === "string" ? reply.body : reply.body === undefined ? "" : JSON.stringify(reply.body);
  const type = typeof reply.body === "string" || reply.body === undefined ? "text/plain" : "application/json";
  res.writeHead(reply.status, { "content-type": type, ...reply.headers }).end(reply.status === 204 ? undefined : text);
}

/** Starts a sink on a free port of 127.0.0.1. */
export async function startHttpSink(): Promise<HttpSink> {
  const requests: SinkRequest[] = [];
  const ok: SinkReply = { status: 200, body: "ok" };
  let replyFor: (request: SinkRequest) => SinkReply = () => ok;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const request: SinkRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, rawBody, body: parse(rawBody), at: Date.now() };
      requests.push(request);
      answer(res, replyFor(request));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    reply(reply) {
      replyFor = typeof reply === "function" ? reply : () => reply;
    },
    reset() {
      requests.length = 0;
      replyFor = () => ok;
    },
    only() {
      expect(requests).toHaveLength(1);
      return requests[0] as SinkRequest;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A base URL nothing listens on (a port bound, then released). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The instant channel tests treat as now. */
export const sinkNow = new Date("2026-03-14T09:27:00.000Z");

/** A send context for tests: a 5 s deadline (or `timeoutMs`), real fetch, a fixed clock. */
export function testSendContext(options: { timeoutMs?: number; idempotencyKey?: string } = {}): SendContext {
  return {
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    idempotencyKey: options.idempotencyKey ?? "4711:oncall",
    fetch: globalThis.fetch,
    now: () => sinkNow,
  };
}

/** What `describeDeliveryOutcomes` needs of a channel. */
export interface OutcomeSubject {
  /** Sends one rendered message to a destination whose base URL (scheme, host, port) is `baseUrl`. */
  send(baseUrl: string, ctx: SendContext): Promise<SendResult>;
  /** Strings no error may contain: tokens, keys, the URL's path. */
  secrets: string[];
  /** The status the service answers on success, with its body. */
  success: SinkReply;
}

function expectNoSecrets(result: SendResult, secrets: readonly string[]): void {
  if (result.ok) return;
  for (const secret of secrets) expect(result.error).not.toContain(secret);
}

/**
 * The classification every HTTP channel must get right: the service's success status is delivered;
 * 400 is final; 429 (with Retry-After seconds or an HTTP-date), 503, a refused connection and a
 * timeout are worth retrying; a redirect is final; no error names more than the host.
 */
export function describeDeliveryOutcomes(name: string, subject: () => OutcomeSubject): void {
  describe(`${name}: delivery outcomes`, () => {
    let sink: HttpSink;
    let s: OutcomeSubject;
    beforeAll(async () => {
      sink = await startHttpSink();
      s = subject();
    });
    afterAll(() => sink.close());
    beforeEach(() => sink.reset());

    const failed = (result: SendResult) => {
      if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
      expectNoSecrets(result, s.secrets);
      return result;
    };

    it("is delivered when the service answers its success status", async () => {
      sink.reply(s.success);
      const result = await s.send(sink.url, testSendContext());
      expect(result).toEqual({ ok: true, detail: `${sink.host} answered ${s.success.status}` });
    });

    it("gives up on 400, naming the host and the service's reason but no secret", async () => {
      // The reason echoes every secret, as a careless service might.
      sink.reply({ status: 400, body: { message: `invalid payload for ${s.secrets.join(" ")}` } });
      const result = failed(await s.send(sink.url, testSendContext()));
      expect(result.retryable).toBe(false);
      expect(result.error).toMatch(new RegExp(`^${sink.host.replaceAll(".", "\\.")} answered 400: invalid payload for`));
      expect(result.retryAfterMs).toBeUndefined();
    });

    it("retries 429 after Retry-After seconds", async () => {
      sink.reply({ status: 429, body: "rate limited", headers: { "retry-after": "7" } });
      const result = failed(await s.send(sink.url, testSendContext()));
      expect(result).toMatchObject({ retryable: true, retryAfterMs: 7000, error: `${sink.host} answered 429: rate limited` });
    });

    it("retries 429 after a Retry-After HTTP-date", async () => {
      sink.reply({ status: 429, headers: { "retry-after": new Date(sinkNow.getTime() + 90_000).toUTCString() } });
      const result = failed(await s.send(sink.url, testSendContext()));
      expect(result).toMatchObject({ retryable: true, retryAfterMs: 90_000 });
    });

    it("retries 503 without a Retry-After", async () => {
      sink.reply({ status: 503, body: "<html><body>Service Unavailable</body></html>" });
      const result = failed(await s.send(sink.url, testSendContext()));
      expect(result).toEqual({ ok: false, retryable: true, error: `${sink.host} answered 503` });
    });

    it("gives up on a redirect rather than follow it", async () => {
      sink.reply({ status: 301, headers: { location: "http://127.0.0.1:1/elsewhere" } });
      const result = failed(await s.send(sink.url, testSendContext()));
      expect(result.retryable).toBe(false);
      expect(sink.requests).toHaveLength(1);
    });

    it("retries a refused connection", async () => {
      const base = await refusedUrl();
      const result = failed(await s.send(base, testSendContext()));
      expect(result).toEqual({ ok: false, retryable: true, error: `connection refused by ${new URL(base).host}` });
    });

    it("retries when the service does not answer before the deadline", async () => {
      sink.reply({ status: 200, hang: true });
      const result = failed(await s.send(sink.url, testSendContext({ timeoutMs: 150 })));
      expect(result).toEqual({ ok: false, retryable: true, error: `${sink.host} did not answer in time` });
    });
  });
}
