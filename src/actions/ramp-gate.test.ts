import { describe, expect, it } from "vitest";
import { gateOf, judgeGate, type Gate, type GateInput, type GateMonitor, type GateResult } from "./ramp-gate.ts";

const t0 = Date.parse("2026-12-01T10:00:00Z");
const s = 1_000;
const min = 60 * s;

/** A database monitor checked every 10 s from `from` to `to` (seconds after t0), its server up since `bootS`. */
function db(id: string, from: number, to: number, options: { bootS?: number; status?: (atS: number) => GateResult["status"]; connections?: number; max?: number } = {}): GateMonitor {
  const results: GateResult[] = [];
  for (let at = from; at <= to; at += 10) {
    const boot = options.bootS ?? -3600;
    results.push({ at: t0 + at * s, region: "local", status: options.status?.(at) ?? "up", uptimeS: at - boot, connections: options.connections ?? 100, maxConnections: options.max ?? 1000 });
  }
  return { id, component: "orders-db", intervalMs: 10 * s, timeoutMs: 5 * s, results };
}

const gate = (over: Partial<Gate> = {}): Gate => ({ upForMs: 2 * min, noRestartForMs: null, connectionsBelow: null, timeoutMs: 15 * min, ...over });
const input = (monitors: GateMonitor[], over: Partial<GateInput> = {}): GateInput => ({
  now: t0 + 5 * min,
  rampStartedAt: t0,
  gateStartedAt: t0 + 2 * min,
  components: ["orders-db"],
  monitors,
  statuses: { "orders-db": "operational" },
  ...over,
});

describe("a ramp's gate", () => {
  it("takes each key from the step, else the ramp, else the defaults", () => {
    expect(gateOf({ up_for: 120_000, connections_below: 0.6 }, { up_for: 300_000 })).toEqual({ upForMs: 300_000, noRestartForMs: null, connectionsBelow: 0.6, timeoutMs: 900_000 });
    expect(gateOf(undefined, undefined)).toEqual({ upForMs: 60_000, noRestartForMs: null, connectionsBelow: null, timeoutMs: 900_000 });
  });

  it("holds when every monitor answered only up for up_for since the step, and says what held", () => {
    const verdict = judgeGate(gate({ noRestartForMs: 2 * min, connectionsBelow: 0.6 }), input([db("orders-mysql", 0, 300)]));
    expect(verdict).toEqual({ kind: "holds", summary: "up for 3 min; no restart for 65 min; orders-mysql at 100 of 1000 connections (10%)" });
  });

  it("waits while the step's up_for has not passed, or the streak restarted after a failed check", () => {
    expect(judgeGate(gate(), input([db("orders-mysql", 0, 200)], { now: t0 + 200 * s }))).toEqual({ kind: "waiting", reason: "up for 80 s of 2 min" });
    // One degraded check at 4:10 after the step: the streak counts from 4:20.
    const blip = db("orders-mysql", 0, 300, { status: (at) => (at === 250 ? "degraded" : "up") });
    expect(judgeGate(gate(), input([blip]))).toEqual({ kind: "waiting", reason: "up for 40 s of 2 min" });
    // A result too old to speak for now.
    expect(judgeGate(gate(), input([db("orders-mysql", 0, 200)]))).toEqual({ kind: "waiting", reason: "no result from orders-mysql in the last 25 s" });
  });

  it("waits while a pool is too full or the server too young, and fails when the wait outlasts the timeout", () => {
    const busy = db("orders-mysql", 0, 300, { connections: 700 });
    expect(judgeGate(gate({ connectionsBelow: 0.6 }), input([busy]))).toEqual({ kind: "waiting", reason: "orders-mysql at 700 of 1000 connections (70%, under 60% wanted)" });
    const young = db("orders-mysql", 0, 300, { bootS: -60 });
    expect(judgeGate(gate({ noRestartForMs: 10 * min }), input([young]))).toEqual({ kind: "waiting", reason: "orders-mysql up 6 min of 10 min without a restart" });
    expect(judgeGate(gate({ connectionsBelow: 0.6, timeoutMs: 3 * min }), input([busy]))).toEqual({
      kind: "fails",
      reason: "the gate did not hold within 3 min: orders-mysql at 700 of 1000 connections (70%, under 60% wanted)",
    });
  });

  it("fails at once when the database restarted after the ramp began, whatever else holds", () => {
    // The server came back 200 s after the ramp began: results from then on say so.
    const restarted = db("orders-mysql", 200, 300, { bootS: 195 });
    expect(judgeGate(gate(), input([restarted]))).toEqual({ kind: "fails", reason: "orders-mysql restarted at 10:03:15 UTC, during the ramp" });
    // Up since before the ramp: no restart, however young.
    expect(judgeGate(gate({ upForMs: 0 }), input([db("orders-mysql", 0, 300, { bootS: -1 })])).kind).toBe("holds");
  });

  it("fails when a component is in an outage again after its monitors answered up during the ramp, not when it never came up", () => {
    const down = db("orders-mysql", 0, 300, { status: (at) => (at >= 280 ? "down" : "up") });
    expect(judgeGate(gate(), input([down], { statuses: { "orders-db": "major_outage" } }))).toEqual({ kind: "fails", reason: "orders-db is in major outage again (last up at 10:04:30 UTC, after the ramp began or just before)" });
    // Up before the ramp began, down since its first moments: a new failure all the same.
    const dropped = db("orders-mysql", -60, 300, { status: (at) => (at >= 0 ? "down" : "up") });
    expect(judgeGate(gate(), input([dropped], { statuses: { "orders-db": "major_outage" } }))).toEqual({ kind: "fails", reason: "orders-db is in major outage again (last up at 09:59:50 UTC, after the ramp began or just before)" });
    const never = db("orders-mysql", -60, 300, { status: () => "down" });
    expect(judgeGate(gate(), input([never], { statuses: { "orders-db": "major_outage" } }))).toEqual({ kind: "waiting", reason: "orders-mysql is down (10:05:00 UTC)" });
  });

  it("fails rather than wait forever on a fact no watched monitor reports, or with no monitor at all", () => {
    const http: GateMonitor = { ...db("orders-api", 0, 300), results: db("orders-api", 0, 300).results.map((r) => ({ ...r, uptimeS: null, connections: null, maxConnections: null })) };
    expect(judgeGate(gate({ noRestartForMs: min }), input([http])).kind).toBe("fails");
    expect(judgeGate(gate({ connectionsBelow: 0.5 }), input([http]))).toEqual({
      kind: "fails",
      reason: "connections_below needs a monitor that reports connections and their limit (mysql, postgres, redis); none of orders-db's does",
    });
    expect(judgeGate(gate(), input([]))).toEqual({ kind: "fails", reason: "no monitor watches orders-db: nothing to judge the gate on" });
    // No result since the step yet: the facts are not known to be missing, the gate waits.
    expect(judgeGate(gate({ noRestartForMs: min }), input([{ ...http, results: [] }]))).toEqual({ kind: "waiting", reason: "no result from orders-api in the last 25 s" });
  });
});
