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
    [6, 0.5, 16_000],
    [9, 0, 0],
  ])("after attempt %i with random %f waits %i ms (full jitter, doubling)", (attempts, r, wait) => {
    expect(nextAttempt(failure(), attempts, 0, 10_000, defaultRetryPolicy, () => r)).toEqual({ retry: true, atMs: 10_000 + wait });
  });

  it("caps the wait", () => {
    expect(nextAttempt(failure(), 30, 0, 0, defaultRetryPolicy, () => 1 - 1e-12)).toEqual({ retry: true, atMs: 60_000 - 1 });
  });

  it("waits at least what the receiver asked for in Retry-After, up to the cap", () => {
    expect(nextAttempt(failure({ retryAfterMs: 30_000 }), 1, 0, 0, defaultRetryPolicy, () => 0.1)).toEqual({ retry: true, atMs: 30_000 });
    expect(nextAttempt(failure({ retryAfterMs: 3_600_000 }), 1, 0, 0, defaultRetryPolicy, () => 0.1)).toEqual({ retry: true, atMs: 60_000 });
  });

  it.each([
    [failure({ retryable: false }), 1, 0, "not retryable: 503 from hooks.example.com"],
    [failure(), 1_000, -23 * 3_600_000, undefined],
    [failure(), 3, -24 * 3_600_000, "gave up after 1440 min: 503 from hooks.example.com"],
  ])("gives up: %j after attempt %i (or, with no reason, keeps trying)", (f, attempts, created, reason) => {
    const decision = nextAttempt(f, attempts, created, 0);
    if (reason === undefined) expect(decision.retry).toBe(true);
    else expect(decision).toEqual({ retry: false, reason });
  });

  it("keeps retrying a receiver that is down for ten minutes (attempts do not run out before the age limit)", () => {
    let now = 0;
    for (let attempts = 1; now < 10 * 60_000; attempts++) {
      const decision = nextAttempt(failure(), attempts, 0, now, defaultRetryPolicy, () => 1 - 1e-9);
      expect(decision.retry).toBe(true);
      if (decision.retry) now = decision.atMs;
    }
  });

  it("honours an explicit attempt limit", () => {
    expect(nextAttempt(failure(), 3, 0, 0, { ...defaultRetryPolicy, maxAttempts: 3 })).toEqual({ retry: false, reason: "gave up after 3 attempts: 503 from hooks.example.com" });
  });
});
