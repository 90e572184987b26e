import { describe, expect, it } from "vitest";
import { checkLimit, limitKeys, maxKeys, recordFailure, recordSuccess, startAttempt, withdrawAttempt, type LimiterState, type LoginLimits } from "./login-limiter.ts";

const limits: LoginLimits = { account: { max: 3, windowMs: 60_000 }, address: { max: 5, windowMs: 60_000 } };
const fail = (state: LimiterState, email: string, address: string, at: number) => {
  recordFailure(state, limits, limitKeys(email, address), at);
  return state;
};

describe("login limiter", () => {
  it("counts an account whatever the case of its e-mail, and refuses past its limit until the oldest failure leaves the window", () => {
    let state: LimiterState = new Map();
    state = fail(state, "ada@example.com", "192.0.2.1", 0);
    state = fail(state, "ADA@example.com", "192.0.2.2", 10_000);
    expect(checkLimit(state, limits, limitKeys("ada@example.com", "192.0.2.3"), 20_000)).toEqual({ allowed: true });
    state = fail(state, "ada@example.com", "192.0.2.3", 20_000);
    expect(checkLimit(state, limits, limitKeys("Ada@Example.com", "198.51.100.9"), 30_000)).toEqual({ allowed: false, retryAfterMs: 30_000 });
    // Sliding: at 60 s the failure at 0 has left the window.
    expect(checkLimit(state, limits, limitKeys("ada@example.com", "198.51.100.9"), 60_000)).toEqual({ allowed: true });
    expect(checkLimit(state, limits, limitKeys("bob@example.com", "192.0.2.1"), 30_000)).toEqual({ allowed: true });
  });

  it("counts an address across accounts, including accounts that do not exist", () => {
    let state: LimiterState = new Map();
    for (let i = 0; i < 5; i++) state = fail(state, `user${i}@example.com`, "203.0.113.7", i * 1000);
    expect(checkLimit(state, limits, limitKeys("someone@example.com", "203.0.113.7"), 5_000)).toEqual({ allowed: false, retryAfterMs: 55_000 });
    expect(checkLimit(state, limits, limitKeys("someone@example.com", "203.0.113.8"), 5_000)).toEqual({ allowed: true });
  });

  it("forgets an account's failures on success, but not its address's", () => {
    let state: LimiterState = new Map();
    for (let i = 0; i < 2; i++) state = fail(state, "ada@example.com", "192.0.2.1", i);
    expect(startAttempt(state, limits, limitKeys("ada@example.com", "192.0.2.1"), 5)).toEqual({ allowed: true });
    recordSuccess(state, limitKeys("ada@example.com", "192.0.2.1"), 5);
    expect(checkLimit(state, limits, limitKeys("ada@example.com", "192.0.2.9"), 10)).toEqual({ allowed: true });
    // The successful attempt itself is taken back from the address.
    expect(state.get("address:192.0.2.1")).toEqual([0, 1]);
  });

  it("counts attempts made in parallel before any is answered: a burst gets no more tries than the limit", () => {
    const state: LimiterState = new Map();
    const keys = limitKeys("ada@example.com", "192.0.2.1");
    // Every attempt checks and counts at once, before its password or code is verified (an await later).
    const burst = Array.from({ length: 20 }, () => startAttempt(state, limits, keys, 1_000));
    expect(burst.filter((a) => a.allowed)).toHaveLength(limits.account.max);
    // A right answer takes its own attempt back; one that needs a second step only withdraws it.
    withdrawAttempt(state, keys, 1_000);
    expect(state.get(keys.account)).toHaveLength(limits.account.max - 1);
  });

  it("keeps at most the limit's failures per key and at most maxKeys keys", () => {
    let state: LimiterState = new Map();
    for (let i = 0; i < 10; i++) state = fail(state, "ada@example.com", "192.0.2.1", i);
    expect(state.get("account:ada@example.com")).toEqual([7, 8, 9]);
    const big: LimiterState = new Map();
    for (let i = 0; i < maxKeys; i++) recordFailure(big, limits, limitKeys(`u${i}@example.com`, "192.0.2.1"), 0);
    expect(big.size).toBe(maxKeys);
    expect(big.has("address:192.0.2.1")).toBe(true);
  });
});
