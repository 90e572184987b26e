import { describe, expect, it } from "vitest";
import type { Fact } from "../probes/types.ts";
import { emptyDbEvidence } from "./region.ts";
import { hasDbFacts, observeEvidence } from "./evidence.ts";
import { resolvePolicy } from "./policy.ts";
import { replay, type ReplayStep } from "./replay.ts";
import type { CheckResult, CheckStatus, DetectionEvent } from "./types.ts";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const at = (s: number): Date => new Date(t0 + s * 1000);
const iso = (s: number): string => at(s).toISOString();
const policy = resolvePolicy(60_000, {});

/** A database check result at t0+s from region "eu"; a down result carries no facts, like a refused connection. */
function db(s: number, facts: Record<string, Fact>, status: CheckStatus = "up", latencyMs = 5): ReplayStep {
  const result: CheckResult = { monitorId: "pg", region: "eu", at: at(s), status, latencyMs, facts: status === "down" ? {} : facts };
  if (status === "down") result.error = { kind: "connect", message: "connection refused" };
  return { result };
}

function run(steps: readonly ReplayStep[]) {
  const out = replay(steps, policy);
  return { ...out, summary: summarize(out.events) };
}

function summarize(events: readonly DetectionEvent[]): string[] {
  return events.map((e) => `${(e.at.getTime() - t0) / 1000} ${e.kind.replace("monitor.", "")}`);
}

const uptimes = (pairs: [number, number][]): ReplayStep[] => pairs.map(([s, uptimeS]) => db(s, { uptimeS }));

describe("evidence: scenarios", () => {
  it.each<{ name: string; steps: ReplayStep[]; events: string[] }>([
    { name: "a steadily growing uptime is no restart", steps: uptimes([[0, 1000], [60, 1060], [120, 1120]]), events: [] },
    { name: "a lower uptime than expected is a restart", steps: uptimes([[0, 1000], [60, 1060], [120, 5]]), events: ["120 restart"] },
    {
      name: "a slow previous check does not look like a restart",
      steps: [db(0, { uptimeS: 1000 }, "up", 9_000), db(60, { uptimeS: 1051 })],
      events: [],
    },
    {
      name: "a restart is noticed across failed checks",
      steps: [db(0, { uptimeS: 1000 }), db(60, {}, "down"), db(61, {}, "down"), db(121, { uptimeS: 3 }), db(122, { uptimeS: 4 })],
      events: ["61 down", "121 restart", "122 up"],
    },
    {
      name: "two restarts within 10 min are one crash loop, re-armed once they leave the window",
      steps: uptimes([[0, 5000], [60, 30], [120, 90], [180, 20], [240, 10], [900, 670], [960, 10], [1020, 5]]),
      events: ["60 restart", "180 restart", "180 crash_loop", "240 restart", "960 restart", "1020 restart", "1020 crash_loop"],
    },
    {
      name: "connection saturation on entering, re-armed only 5 points below",
      steps: [850, 900, 950, 860, 950, 840, 910].map((c, i) => db(i * 60, { connections: c, maxConnections: 1000 })),
      events: ["60 connection_saturation", "360 connection_saturation"],
    },
    {
      name: "role changes",
      steps: ["primary", "primary", "replica", "replica", "primary"].map((role, i) => db(i * 60, { role })),
      events: ["120 role_change", "240 role_change"],
    },
  ])("$name", ({ steps, events }) => {
    expect(run(steps).summary).toEqual(events);
  });
});

describe("evidence: event data", () => {
  it("estimates when the server restarted", () => {
    const { events } = run(uptimes([[0, 1000], [60, 1060], [120, 5]]));
    expect(events[0]).toEqual({
      kind: "monitor.restart",
      monitorId: "pg",
      at: at(120),
      data: { region: "eu", previous_uptime_s: 1060, uptime_s: 5, restarted_at: iso(115) },
    });
  });

  it("lists the restarts of a crash loop", () => {
    const { events } = run(uptimes([[0, 5000], [60, 30], [120, 90], [180, 20]]));
    expect(events.find((e) => e.kind === "monitor.crash_loop")?.data).toEqual({
      region: "eu",
      restarts: 2,
      window_ms: 600_000,
      restart_times: [iso(30), iso(160)],
    });
  });

  it("gives the connection use and the role change", () => {
    const saturated = run([db(0, { connections: 95, maxConnections: 100 })]).events[0];
    expect(saturated?.data).toEqual({ region: "eu", connections: 95, max_connections: 100, ratio: 0.95 });
    const roles = run([db(0, { role: "replica" }), db(60, { role: "primary" })]).events[0];
    expect(roles?.data).toEqual({ region: "eu", from: "replica", to: "primary" });
  });

  it("notes on down that the last seen connection use rules out pool exhaustion", () => {
    const { events, summary } = run([db(0, { connections: 12, maxConnections: 1000 }), db(60, {}, "down"), db(61, {}, "down")]);
    expect(summary).toEqual(["61 down"]);
    expect(events[0]?.data["evidence"]).toEqual({
      cause: "unreachable",
      pool_exhausted: false,
      last_seen_connections: 12,
      max_connections: 1000,
      last_seen_at: iso(0),
      note: "unreachable; last seen 12/1000 connections: not pool exhaustion",
    });
  });

  it("does not rule out pool exhaustion when the last seen connection use was saturated", () => {
    const { events, summary } = run([db(0, { connections: 950, maxConnections: 1000 }), db(60, {}, "down"), db(61, {}, "down")]);
    expect(summary).toEqual(["0 connection_saturation", "61 down"]);
    expect(events[1]?.data["evidence"]).toMatchObject({ cause: "unreachable", note: "unreachable; last seen 950/1000 connections, near the limit" });
  });
});

describe("evidence: functions", () => {
  it.each<[Record<string, Fact>, boolean]>([
    [{}, false],
    [{ status: 200 }, false],
    [{ uptimeS: null }, false],
    [{ uptimeS: 10 }, true],
    [{ connections: 3 }, true],
    [{ role: "primary" }, true],
  ])("hasDbFacts(%j) is %s", (facts, expected) => {
    expect(hasDbFacts(facts)).toBe(expected);
  });

  it("does not modify the evidence it is given", () => {
    const before = { ...emptyDbEvidence(), uptimeS: 1000, uptimeAt: t0, restarts: [t0 - 1000] };
    const copy = structuredClone(before);
    const result: CheckResult = { monitorId: "pg", region: "eu", at: at(60), status: "up", latencyMs: 1, facts: { uptimeS: 1 } };
    const out = observeEvidence(before, result, policy.evidence);
    expect(before).toEqual(copy);
    expect(out.db.restarts).toHaveLength(2);
    expect(out.events.map((e) => e.kind)).toEqual(["monitor.restart", "monitor.crash_loop"]);
  });
});
