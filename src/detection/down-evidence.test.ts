import { describe, expect, it } from "vitest";
import { encodeHolders } from "../probes/db/holders.ts";
import type { ErrorKind, Fact } from "../probes/types.ts";
import { resolvePolicy } from "./policy.ts";
import { replay, type ReplayStep } from "./replay.ts";
import type { CheckResult } from "./types.ts";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const at = (s: number): Date => new Date(t0 + s * 1000);
const policy = resolvePolicy(60_000, {});

const up = (s: number, facts: Record<string, Fact>): ReplayStep => ({ result: { monitorId: "db", region: "eu", at: at(s), status: "up", latencyMs: 5, facts } });
const down = (s: number, kind: ErrorKind, message: string): ReplayStep => {
  const result: CheckResult = { monitorId: "db", region: "eu", at: at(s), status: "down", latencyMs: 5, facts: {}, error: { kind, message } };
  return { result };
};
const holders = encodeHolders({ seen: 95, top: [{ user: "analytics", host: "10.0.4.7", db: "app", app: null, state: "idle", count: 91 }], rest: 4 });

/** The evidence of the monitor.down event after a good check with `facts` and two failed checks of `kind`. */
function evidenceAfter(facts: Record<string, Fact> | null, kind: ErrorKind): Record<string, unknown> | undefined {
  const steps = [...(facts === null ? [] : [up(0, facts)]), down(60, kind, `${kind} failure`), down(61, kind, `${kind} failure`)];
  const event = replay(steps, policy).events.find((e) => e.kind === "monitor.down");
  return event?.data["evidence"] as Record<string, unknown> | undefined;
}

describe("down evidence: what the error and the last good check show", () => {
  const low = { connections: 12, maxConnections: 1000, uptimeS: 3_542_400 };
  it.each<{ name: string; facts: Record<string, Fact> | null; kind: ErrorKind; cause: string | null; note: string | null }>([
    { name: "a refused connection with low use is not pool exhaustion", facts: low, kind: "connect", cause: "unreachable", note: "unreachable; last seen 12/1000 connections: not pool exhaustion" },
    { name: "an unresolved name with low use is not pool exhaustion", facts: low, kind: "dns", cause: "unreachable", note: "unreachable; last seen 12/1000 connections: not pool exhaustion" },
    { name: "a timeout may be a server too busy to accept: no claim", facts: low, kind: "timeout", cause: "unreachable", note: "unreachable; last seen 12/1000 connections" },
    { name: "a full pool is pool exhaustion, whatever was last seen", facts: low, kind: "saturated", cause: "saturated", note: "pool exhausted: the server refuses new connections; last seen 12/1000 connections" },
    { name: "a full pool never seen before is still pool exhaustion", facts: null, kind: "saturated", cause: "saturated", note: "pool exhausted: the server refuses new connections; connection use before unknown" },
    { name: "a wrong password is no outage of the server: failing, not unreachable", facts: low, kind: "auth", cause: "failing", note: "failing (auth); last seen 12/1000 connections" },
    { name: "a protocol error is failing, not unreachable", facts: low, kind: "protocol", cause: "failing", note: "failing (protocol); last seen 12/1000 connections" },
    { name: "without a good check and a full pool, nothing to say", facts: null, kind: "connect", cause: null, note: null },
  ])("$name", ({ facts, kind, cause, note }) => {
    const evidence = evidenceAfter(facts, kind);
    if (note === null) return expect(evidence).toBeUndefined();
    expect(evidence).toMatchObject({ cause, note });
    expect(String(evidence?.["note"])).not.toMatch(kind === "saturated" ? /not pool exhaustion|unreachable/ : /^pool exhausted/);
  });

  it("carries the last seen holders and uptime, so a diagnosis can name who held the pool", () => {
    const evidence = evidenceAfter({ connections: 96, maxConnections: 100, uptimeS: 3_542_400, holders }, "saturated");
    expect(evidence).toEqual({
      cause: "saturated",
      pool_exhausted: true,
      last_seen_connections: 96,
      max_connections: 100,
      last_seen_at: at(0).toISOString(),
      uptime_s: 3_542_400,
      holders: { seen: 95, top: [{ user: "analytics", host: "10.0.4.7", db: "app", app: null, state: "idle", count: 91 }], rest: 4 },
      note: "pool exhausted: the server refuses new connections; last seen 96/100 connections",
    });
  });

  it("says holders null when the probe could not look, and leaves them out when it does not report them", () => {
    expect(evidenceAfter({ connections: 50, maxConnections: 100, holders: null }, "saturated")).toHaveProperty("holders", null);
    expect(evidenceAfter({ connections: 50, maxConnections: 100 }, "saturated")).not.toHaveProperty("holders");
  });

  it("records the connection use before a restart and who held the pool at saturation", () => {
    const { events } = replay([up(0, { uptimeS: 5000, connections: 12, maxConnections: 1000 }), up(60, { uptimeS: 3, connections: 950, maxConnections: 1000, holders })], policy);
    expect(events.map((e) => e.kind)).toEqual(["monitor.restart", "monitor.connection_saturation"]);
    expect(events[0]?.data).toMatchObject({ last_seen_connections: 12, max_connections: 1000 });
    expect(events[1]?.data).toMatchObject({ uptime_s: 3, holders: { seen: 95, rest: 4 } });
  });
});
