import { describe, expect, it } from "vitest";
import { ManualClock } from "../core/clock.ts";
import { HeartbeatConfig, heartbeatProbe } from "./heartbeat.ts";

const secret = "s".repeat(16);

describe("heartbeat probe", () => {
  it.each([
    ["a ping within interval + grace", 89_000, "up", 89, undefined],
    ["a ping exactly at the limit", 90_000, "up", 90, undefined],
    ["a ping older than interval + grace", 90_001, "down", 90, "no heartbeat for 90 s (allowed 90 s)"],
  ])("judges %s", async (_name, agoMs, status, sinceS, message) => {
    const clock = new ManualClock("2026-11-25T12:00:00Z");
    const last = new Date(clock.now().getTime() - agoMs);
    const config = HeartbeatConfig.parse({ secret, grace: "30s" });
    const outcome = await heartbeatProbe.run(config, { signal: new AbortController().signal, clock, region: "local", timeoutMs: 1000, intervalMs: 60_000, lastHeartbeat: () => last });
    expect(outcome.status).toBe(status);
    expect(outcome.facts["sinceLastPingS"]).toBe(sinceS);
    expect(outcome.error?.message).toBe(message);
  });

  it("is down when it has never heard a ping", async () => {
    const outcome = await heartbeatProbe.run(HeartbeatConfig.parse({ secret }), { signal: new AbortController().signal, clock: new ManualClock(), region: "local", timeoutMs: 1000, intervalMs: 60_000 });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "assertion", message: "no heartbeat received yet" } });
  });

  it("requires a secret of 16 characters or more", () => {
    const result = HeartbeatConfig.safeParse({ secret: "short" }, { reportInput: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ["secret"], params: { expected: expect.stringContaining("at least 16 characters") } });
  });

  it("gives a ping 30 s of grace by default", () => {
    expect(HeartbeatConfig.parse({ secret }).grace).toBe(30_000);
  });
});
