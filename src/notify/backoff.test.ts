import { describe, expect, it } from "vitest";
import { defaultRetryPolicy, nextAttempt } from "./backoff.ts";

const failure = (extra: { retryable?: boolean; retryAfterMs?: number } = {}) => ({ retryable: true, error: "503 from hooks.example.com", ...extra });

describe("nextAttempt", () => {
  it.each([
    // attempts, random, expected wait
    [1, 0.999, 999],
    [2, 0.5, 1000],
    [3, 0.25, 1000],
    [4, 1 - 1e-9, 7999],
    [10 - 1, 0.5, 128_000],
    [20 - 11, 0, 0],
  ])("after attempt %i with random %f waits %i ms (full jitter, doubling)", (attempts, r, wait) => {
    expect(nextAttempt(failure(), attempts, 0, 10_000, defaultRetryPolicy, () => r)).toEqual({ retry: true, atMs: 10_000 + wait });
  });

  it("caps the wait", () => {
    const policy = { ...defaultRetryPolicy, maxAttempts: 100 };
    expect(nextAttempt(failure(), 30, 0, 0, policy, () => 1 - 1e-12)).toEqual({ retry: true, atMs: 5 * 60_000 - 1 });
  });

  it("waits at least what the receiver asked for in Retry-After, up to the cap", () => {
    expect(nextAttempt(failure({ retryAfterMs: 30_000 }), 1, 0, 0, defaultRetryPolicy, () => 0.1)).toEqual({ retry: true, atMs: 30_000 });
    expect(nextAttempt(failure({ retryAfterMs: 3_600_000 }), 1, 0, 0, defaultRetryPolicy, () => 0.1)).toEqual({ retry: true, atMs: 300_000 });
  });

  it.each([
    [failure({ retryable: false }), 1, 0, "not retryable: 503 from hooks.example.com"],
    [failure(), 10, 0, "gave up after 10 attempts: 503 from hooks.example.com"],
    [failure(), 3, -24 * 3_600_000, "gave up after 1440 min: 503 from hooks.example.com"],
  ])("gives up: %j after attempt %i", (f, attempts, created, reason) => {
    expect(nextAttempt(f, attempts, created, 0)).toEqual({ retry: false, reason });
  });
});
