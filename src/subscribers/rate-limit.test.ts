import { describe, expect, it } from "vitest";
import { RateLimiter, SubscribeLimiter } from "./rate-limit.ts";

const t0 = new Date("2026-03-14T09:00:00.000Z").getTime();
const at = (ms: number) => new Date(t0 + ms);

describe("RateLimiter", () => {
  it("allow `limit` requests per window, then refuse with the time left", () => {
    const limiter = new RateLimiter({ limit: 3, windowMs: 60_000, maxKeys: 100 });
    expect([0, 1_000, 2_000].map((ms) => limiter.take("1.2.3.4", at(ms)))).toEqual([
      { allowed: true, retryAfterMs: 0 },
      { allowed: true, retryAfterMs: 0 },
      { allowed: true, retryAfterMs: 0 },
    ]);
    expect(limiter.take("1.2.3.4", at(2_500))).toEqual({ allowed: false, retryAfterMs: 57_500 });
    expect(limiter.take("1.2.3.4", at(59_999))).toEqual({ allowed: false, retryAfterMs: 1 });
  });

  it("start a new window at the first request after the last one ended", () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 10_000, maxKeys: 10 });
    expect(limiter.take("k", at(0)).allowed).toBe(true);
    expect(limiter.take("k", at(9_999)).allowed).toBe(false);
    expect(limiter.take("k", at(10_000)).allowed).toBe(true);
    // The new window started at 10 s, not at 20 s.
    expect(limiter.take("k", at(15_000))).toEqual({ allowed: false, retryAfterMs: 5_000 });
    expect(limiter.take("k", at(20_000)).allowed).toBe(true);
  });

  it("not count refused requests, so hammering does not extend the wait", () => {
    const limiter = new RateLimiter({ limit: 2, windowMs: 1_000, maxKeys: 10 });
    limiter.take("k", at(0));
    limiter.take("k", at(0));
    for (let ms = 1; ms < 1_000; ms += 10) expect(limiter.take("k", at(ms)).allowed).toBe(false);
    expect(limiter.take("k", at(1_000)).allowed).toBe(true);
    expect(limiter.take("k", at(1_000)).allowed).toBe(true);
    expect(limiter.take("k", at(1_000)).allowed).toBe(false);
  });

  it("keep keys apart", () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 10 });
    expect(limiter.take("a", at(0)).allowed).toBe(true);
    expect(limiter.take("a", at(1)).allowed).toBe(false);
    expect(limiter.take("b", at(2)).allowed).toBe(true);
    expect(limiter.take("2001:db8::1", at(3)).allowed).toBe(true);
  });

  it("stay within maxKeys under a flood of distinct keys, evicting the oldest", () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 3_600_000, maxKeys: 50 });
    limiter.take("victim", at(0));
    expect(limiter.take("victim", at(1)).allowed).toBe(false);
    let largest = 0;
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`10.0.${i >> 8}.${i & 255}`, at(10 + i));
      largest = Math.max(largest, limiter.size);
    }
    expect(largest).toBe(50);
    expect(limiter.size).toBe(50);
    // The oldest keys were evicted: they start afresh; the newest are still limited.
    expect(limiter.take("victim", at(20_000)).allowed).toBe(true);
    expect(limiter.take("10.0.39.15", at(20_000)).allowed).toBe(false); // i = 9999, the newest
    expect(limiter.take("10.0.0.0", at(20_000)).allowed).toBe(true); // i = 0, long evicted
  });

  it("forget expired windows before evicting live ones", () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1_000, maxKeys: 3 });
    limiter.take("old-1", at(0));
    limiter.take("old-2", at(0));
    limiter.take("live", at(1_500));
    limiter.take("new", at(2_100)); // old-1 and old-2 are over: dropped; live stays
    expect(limiter.size).toBe(2);
    expect(limiter.take("live", at(2_200)).allowed).toBe(false);
  });

  it("restart a window when the clock goes back rather than refusing for longer than a window", () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1_000, maxKeys: 3 });
    limiter.take("k", at(5_000));
    const result = limiter.take("k", at(0));
    expect(result.allowed).toBe(true);
    expect(limiter.take("k", at(10)).retryAfterMs).toBe(990);
  });

  it("refuse nonsensical options and dates", () => {
    expect(() => new RateLimiter({ limit: 0, windowMs: 1_000, maxKeys: 1 })).toThrow(/limit/);
    expect(() => new RateLimiter({ limit: 1.5, windowMs: 1_000, maxKeys: 1 })).toThrow(/limit/);
    expect(() => new RateLimiter({ limit: 1, windowMs: 0, maxKeys: 1 })).toThrow(/windowMs/);
    expect(() => new RateLimiter({ limit: 1, windowMs: Number.NaN, maxKeys: 1 })).toThrow(/windowMs/);
    expect(() => new RateLimiter({ limit: 1, windowMs: 1, maxKeys: 0 })).toThrow(/maxKeys/);
    expect(() => new RateLimiter({ limit: 1, windowMs: 1, maxKeys: 1 }).take("k", new Date(Number.NaN))).toThrow(/valid date/);
  });
});

describe("SubscribeLimiter", () => {
  const settings = { client: { requests: 3, perMs: 60_000 }, recipient: { requests: 2, perMs: 3_600_000 }, global: { requests: 5, perMs: 60_000 } };
  type Step = [atMs: number, client: string, recipient: string, expected: string];
  const run = (steps: Step[]) => {
    const limiter = new SubscribeLimiter(settings);
    return steps.map(([ms, client, recipient]) => {
      const d = limiter.take(client, recipient, at(ms));
      return d.allowed ? "ok" : `${d.limit} ${d.retryAfterMs}`;
    });
  };
  it.each<[string, Step[]]>([
    [
      "one recipient gets at most its limit, from any number of clients",
      [
        [0, "a", "victim", "ok"],
        [1, "b", "victim", "ok"],
        [2, "c", "victim", "recipient 3599998"],
        [3, "d", "someone-else", "ok"],
      ],
    ],
    [
      "one client's limit counts across recipients, and a refused client is not counted against recipients",
      [
        [0, "a", "r1", "ok"],
        [1, "a", "r2", "ok"],
        [2, "a", "r3", "ok"],
        [3, "a", "r4", "client 59997"],
        [4, "b", "r4", "ok"],
      ],
    ],
    [
      "a client refused for its recipient still used its own budget",
      [
        [0, "a", "v", "ok"],
        [0, "b", "v", "ok"],
        [0, "c", "v", "recipient 3600000"],
        [0, "c", "v", "recipient 3600000"],
        [0, "c", "w", "ok"],
        [0, "c", "x", "client 60000"],
      ],
    ],
    [
      "the global limit holds whoever asks, and reopens after its window",
      [
        [0, "a", "r1", "ok"],
        [0, "b", "r2", "ok"],
        [0, "c", "r3", "ok"],
        [0, "d", "r4", "ok"],
        [0, "e", "r5", "ok"],
        [10_000, "f", "r6", "global 50000"],
        [60_000, "f", "r6", "ok"],
      ],
    ],
  ])("%s", (_name, steps) => {
    expect(run(steps)).toEqual(steps.map((s) => s[3]));
  });

  it("never forgets a recipient's window, however many other recipients are asked for", () => {
    const limiter = new SubscribeLimiter({ client: { requests: 1, perMs: 60_000 }, recipient: { requests: 1, perMs: 3_600_000 }, global: { requests: 100, perMs: 60_000 } });
    expect(limiter.take("attacker-0", "victim", at(0)).allowed).toBe(true);
    // Every request the global limit allows within the hour, each to a new recipient from a new client.
    let allowed = 0;
    for (let minute = 0; minute < 60; minute++) for (let i = 0; i < 150; i++) if (limiter.take(`c-${minute}-${i}`, `r-${minute}-${i}`, at(minute * 60_000 + i)).allowed) allowed++;
    expect(allowed).toBe(60 * 100 - 1);
    expect(limiter.take("attacker-1", "victim", at(3_599_999))).toEqual({ allowed: false, limit: "recipient", retryAfterMs: 1 });
  });
});
