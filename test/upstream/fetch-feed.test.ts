// One conditional GET of a feed against a local feed server: validators sent and returned, 304, failures named by
// host only, the size cap (declared and streamed), the deadline, and cancellation.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fetchFeed, maxFeedBytes, type FetchOutcome } from "../../src/app/upstream/fetch-feed.ts";
import { startFeedServer, type FeedServer } from "../helpers/feed-server.ts";

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(() => server?.close());

const options = { accept: "application/json", validators: null, timeoutMs: 5_000 };
let n = 0;
let path: string;
beforeEach(() => {
  path = `/feed-${++n}.json?api_key=SECRET-KEY`;
});

function failure(outcome: FetchOutcome): string {
  if (outcome.kind !== "failed") throw new Error(`expected a failure, got ${outcome.kind}`);
  expect(outcome.error).not.toContain("SECRET-KEY");
  expect(outcome.error).not.toContain("/feed-");
  return outcome.error;
}

describe("fetchFeed", () => {
  it("returns the body and the answer's validators, and sends them back: an unchanged feed is a 304", async () => {
    server.set(path, { body: '{"components":[]}', etag: '"abc"', lastModified: "Fri, 27 Nov 2026 17:50:00 GMT" });
    const first = await fetchFeed(server.urlOf(path), options);
    expect(first).toEqual({ kind: "changed", body: '{"components":[]}', validators: { etag: '"abc"', lastModified: "Fri, 27 Nov 2026 17:50:00 GMT" } });
    expect(server.requestsTo(path)[0]).toMatchObject({ accept: "application/json", ifNoneMatch: null, ifModifiedSince: null });
    const second = await fetchFeed(server.urlOf(path), { ...options, validators: first.kind === "changed" ? first.validators : null });
    expect(second).toEqual({ kind: "unchanged" });
    expect(server.requestsTo(path)[1]).toMatchObject({ ifNoneMatch: '"abc"', ifModifiedSince: "Fri, 27 Nov 2026 17:50:00 GMT", status: 304 });
  });

  it("names the host, never the path or its key, when the feed answers an error or is down", async () => {
    server.set(path, { status: 503, body: "SECRET-KEY is rate limited" });
    expect(failure(await fetchFeed(server.urlOf(path), options))).toBe(`${server.host} answered HTTP 503`);
    const down = await startFeedServer();
    await down.down();
    expect(failure(await fetchFeed(down.urlOf(path), options))).toBe(`connection refused by ${down.host}`);
    await down.close();
  });

  it("reads a body of exactly the cap, and refuses one larger, declared or streamed", async () => {
    server.set(path, { hugeBytes: maxFeedBytes });
    const exact = await fetchFeed(server.urlOf(path), options);
    expect(exact.kind === "changed" && exact.body.length).toBe(maxFeedBytes);
    server.set(path, { hugeBytes: maxFeedBytes + 1 });
    expect(failure(await fetchFeed(server.urlOf(path), options))).toBe(`${server.host} sent more than 2 MiB; a feed may have at most that`);
    server.set(path, { hugeBytes: 5 * maxFeedBytes, declareLength: true });
    expect(failure(await fetchFeed(server.urlOf(path), options))).toBe(`${server.host} sent ${5 * maxFeedBytes} bytes; a feed may have at most 2 MiB`);
  });

  it("gives up on a feed that does not answer within the timeout", async () => {
    server.set(path, { body: "{}", delayMs: 2_000 });
    const began = Date.now();
    expect(failure(await fetchFeed(server.urlOf(path), { ...options, timeoutMs: 200 }))).toBe(`${server.host} did not answer within 200 ms`);
    expect(Date.now() - began).toBeLessThan(1_500);
  });

  it("says a request was cancelled when its signal aborts", async () => {
    server.set(path, { body: "{}", delayMs: 2_000 });
    const controller = new AbortController();
    const pending = fetchFeed(server.urlOf(path), { ...options, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(failure(await pending)).toBe("the request was cancelled");
  });
});
