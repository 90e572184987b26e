import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sinkNow, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { classifyAnswer, isRetryableStatus, parseRetryAfter, postJson, redact } from "./http-send.ts";

const answer = (status: number, text = "", headers: Record<string, string> = {}) => ({ status, text, headers: new Headers(headers) });

describe("outcome classification", () => {
  it("retries 408, 425, 429 and 5xx only", () => {
    expect([408, 425, 429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 410, 413, 422].some(isRetryableStatus)).toBe(false);
    expect(classifyAnswer(answer(408), "h", sinkNow)).toEqual({ ok: false, retryable: true, error: "h answered 408" });
    expect(classifyAnswer(answer(410, "channel_is_archived"), "h", sinkNow)).toEqual({ ok: false, retryable: false, error: "h answered 410: channel_is_archived" });
    expect(classifyAnswer(answer(204), "h", sinkNow)).toEqual({ ok: true, detail: "h answered 204" });
  });

  it("reads Retry-After as seconds or an HTTP-date, never negative, ignoring nonsense", () => {
    expect(parseRetryAfter("120", sinkNow)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", sinkNow)).toBe(0);
    expect(parseRetryAfter("1.5", sinkNow)).toBe(1500);
    expect(parseRetryAfter("Sat, 14 Mar 2026 09:28:00 GMT", sinkNow)).toBe(60_000);
    expect(parseRetryAfter("Sat, 14 Mar 2026 09:00:00 GMT", sinkNow)).toBe(0);
    expect(parseRetryAfter("-5", sinkNow)).toBeUndefined();
    expect(parseRetryAfter("soon", sinkNow)).toBeUndefined();
    expect(parseRetryAfter("2026-03-14", sinkNow)).toBeUndefined();
    expect(parseRetryAfter(null, sinkNow)).toBeUndefined();
    // The header wins over the body.
    expect(classifyAnswer(answer(429, '{"retry_after": 3}', { "retry-after": "9" }), "h", sinkNow)).toMatchObject({ retryAfterMs: 9000 });
    expect(classifyAnswer(answer(429, '{"retry_after": 3}'), "h", sinkNow)).toMatchObject({ retryAfterMs: 3000 });
  });

  it("quotes at most 200 characters of a reason, on one line, and nothing of an HTML page", () => {
    const long = classifyAnswer(answer(400, `bad\n\n  ${"x".repeat(500)}`), "h", sinkNow);
    expect(!long.ok && long.error).toMatch(/^h answered 400: bad x+…$/);
    expect(!long.ok && long.error.length).toBe("h answered 400: ".length + 200);
    expect(classifyAnswer(answer(502, "<!DOCTYPE html><html>Bad gateway</html>"), "h", sinkNow)).toEqual({ ok: false, retryable: true, error: "h answered 502" });
  });

  it("redacts every occurrence of every secret", () => {
    expect(redact("a s3cret b s3cret", ["s3cret"])).toBe("a [redacted] b [redacted]");
  });
});

describe("postJson", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.reset());

  it("sends a string body byte for byte, and leaves out the Idempotency-Key when asked", async () => {
    const body = '{"b":1,  "a":2}';
    await postJson({ url: `${sink.url}/x`, body, idempotencyKey: false, headers: { "X-Extra": "1" } }, testSendContext());
    const request = sink.only();
    expect(request.rawBody).toBe(body);
    expect(request.headers["idempotency-key"]).toBeUndefined();
    expect(request.headers["x-extra"]).toBe("1");
  });

  it("says a cancelled send was cancelled, and retries it", async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await postJson({ url: `${sink.url}/x`, body: {} }, { ...testSendContext(), signal: controller.signal });
    expect(result).toEqual({ ok: false, retryable: true, error: `sending to ${sink.host} was cancelled` });
  });

  it("names the host, not the path, when the host cannot be resolved", async () => {
    const result = await postJson({ url: "http://vigil-no-such-host.invalid/hooks/SECRET-PATH-123" , body: {} }, testSendContext());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toMatch(/vigil-no-such-host\.invalid/);
    expect(!result.ok && result.error).not.toContain("SECRET-PATH-123");
  });

  it("keeps a host name that a path segment repeats", async () => {
    sink.reply({ status: 404, body: "not found" });
    const result = await postJson({ url: `${sink.url}/127.0.0.1/token-abcdef` , body: {} }, testSendContext());
    expect(result).toEqual({ ok: false, retryable: false, error: `${sink.host} answered 404: not found` });
  });
});

describe("postJson with a URL that does not parse", () => {
  it("gives up without repeating it", async () => {
    const result = await postJson({ url: "http://[bad/tok3n-secret", body: {} }, testSendContext());
    expect(result).toEqual({ ok: false, retryable: false, error: "the destination URL is not valid" });
  });
});
