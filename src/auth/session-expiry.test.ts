import { describe, expect, it } from "vitest";
import { sessionStatus, sessionTimes, type SessionPolicy } from "./session-expiry.ts";

const policy: SessionPolicy = { idleMs: 30 * 60_000, absoluteMs: 8 * 3_600_000 };
const t0 = new Date("2026-12-01T09:00:00Z");
const plus = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describe("session expiry", () => {
  it("starts a session that ends absolutely after the absolute time", () => {
    expect(sessionTimes(policy, t0)).toEqual({ createdAt: t0, lastSeenAt: t0, expiresAt: plus(480) });
  });

  it.each([
    ["just made", 0, 0, { alive: true, touch: false }],
    ["used within the minute", 0, 0.5, { alive: true, touch: false }],
    ["used a minute later: worth touching", 0, 1, { alive: true, touch: true }],
    ["one millisecond before the idle end", 0, 30 - 1 / 60_000, { alive: true, touch: true }],
    ["idle for exactly the idle time", 0, 30, { alive: false, reason: "idle" }],
    ["active but past the absolute end", 479, 480, { alive: false, reason: "absolute" }],
    ["idle and past the absolute end: absolute wins", 0, 600, { alive: false, reason: "absolute" }],
  ] as const)("%s", (_name, lastSeen, now, expected) => {
    const session = { lastSeenAt: plus(lastSeen), expiresAt: plus(480) };
    expect(sessionStatus(session, policy, plus(now))).toEqual(expected);
  });
});
