import { describe, expect, it } from "vitest";
import type { AgentRunningCheck } from "../../agents/ingest.ts";
import { decodeRunning, encodeRunning } from "./hub.ts";

// With several nodes, the running checks an agent reported to one node reach the node that checks the monitor through
// the store's notifications: each payload must stay under PostgreSQL's 8,000 bytes and come back as it went.
describe("running checks between nodes", () => {
  const check = (i: number): AgentRunningCheck => ({
    agent: "agt_0123456789abcdef",
    region: "eu-west",
    monitorId: `monitor-with-a-rather-long-id-of-sixty-characters-or-so-${String(i).padStart(4, "0")}`,
    at: new Date(Date.UTC(2026, 11, 7, 12, 0, 0, i)),
    afterSeq: 9_007_199_254_740 + i,
    kind: i % 2 === 0 ? "suspected" : "confirming",
    ...(i % 2 === 0 ? { unansweredMs: 1_234.5, confirmingCheck: true } : {}),
  });

  it("goes in payloads under 8,000 bytes and comes back whole, in order", () => {
    const checks = Array.from({ length: 45 }, (_, i) => check(i));
    const payloads = encodeRunning(checks);
    expect(payloads).toHaveLength(3);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8_000);
    expect(payloads.flatMap(decodeRunning)).toEqual(checks);
  });

  it("leaves out what is not a running check", () => {
    expect(decodeRunning("not json")).toEqual([]);
    expect(decodeRunning('{"m":"api"}')).toEqual([]);
    const [good] = encodeRunning([check(0)]);
    const list = JSON.parse(good!) as object[];
    expect(decodeRunning(JSON.stringify([...list, { ...list[0], kind: "hung" }, { ...list[0], at: "yesterday" }, null]))).toEqual([check(0)]);
  });
});
