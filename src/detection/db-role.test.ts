import { describe, expect, it } from "vitest";
import type { Fact } from "../probes/types.ts";
import { limitReplicationLag, observeServer, roleDetail } from "./db-role.ts";
import { resolvePolicy } from "./policy.ts";
import { replay, type ReplayStep } from "./replay.ts";
import type { CheckResult, CheckStatus, DetectionEvent } from "./types.ts";

const t0 = Date.parse("2026-01-01T13:24:00Z");
const at = (s: number): Date => new Date(t0 + s * 1000);
const lagPolicy = resolvePolicy(10_000, { evidence: { maxReplicationLagMs: 30_000, longTransactionMs: 60_000, lockWaits: 3 } });

function check(s: number, facts: Record<string, Fact>, status: CheckStatus = "up"): ReplayStep {
  const result: CheckResult = { monitorId: "orders-db", region: "eu", at: at(s), status, latencyMs: 5, facts: status === "down" ? {} : facts };
  if (status === "down") result.error = { kind: "connect", message: "connection refused" };
  return { result };
}

function summarize(events: readonly DetectionEvent[]): string[] {
  return events.map((e) => `${(e.at.getTime() - t0) / 1000} ${e.kind.replace("monitor.", "")}`);
}

const mysql = (serverId: string, writable: boolean, more: Record<string, Fact> = {}): Record<string, Fact> => ({
  serverId,
  serverUuid: null,
  hostname: "db-a",
  timeline: null,
  writable,
  role: writable ? "primary" : "replica",
  ...more,
});
const pg = (timeline: number, writable: boolean): Record<string, Fact> => ({ serverId: "7312345678901234567", serverUuid: null, hostname: null, timeline, writable, role: writable ? "primary" : "replica" });
const replica = (lag: number | null, running = true): Record<string, Fact> => ({ replicating: true, replicationRunning: running, replicationLagS: lag });

describe("db-role: scenarios through detect", () => {
  it.each<{ name: string; steps: ReplayStep[]; events: string[]; policy?: ReturnType<typeof resolvePolicy> }>([
    { name: "the same server is no change", steps: [0, 10, 20].map((s) => check(s, mysql("1", true))), events: [] },
    {
      name: "a different server id after an outage is a server change (and here a role change)",
      steps: [check(0, mysql("1", false)), check(10, {}, "down"), check(11, {}, "down"), check(20, mysql("2", true)), check(21, mysql("2", true))],
      events: ["11 down", "20 role_change", "20 server_change", "21 up"],
    },
    {
      name: "a facts-less check (no privilege) neither changes nor forgets the identity",
      steps: [check(0, mysql("1", true)), check(10, { serverId: null, lockWaits: 0 }), check(20, mysql("2", true))],
      events: ["20 server_change"],
    },
    {
      name: "MariaDB's missing uuid is no change; a different uuid is",
      steps: [check(0, mysql("1", true, { serverUuid: null })), check(10, mysql("1", true, { serverUuid: "u-1" })), check(20, mysql("1", true, { serverUuid: "u-2" }))],
      events: ["20 server_change"],
    },
    {
      name: "a new PostgreSQL timeline is a promotion",
      steps: [check(0, pg(1, false)), check(10, pg(2, true))],
      events: ["10 role_change", "10 server_change"],
    },
    {
      name: "lag over the limit degrades the monitor, once per episode, and recovers under it",
      steps: [5, 31, 45, 40, 20, 10, 50].map((lag, i) => check(i * 10, { ...mysql("2", false), ...replica(lag) })),
      events: ["10 replication_lag", "20 degraded", "50 up", "60 replication_lag"],
      policy: resolvePolicy(10_000, { evidence: { maxReplicationLagMs: 30_000 }, recover: 2 }),
    },
    {
      name: "stopped replication is lag past any limit",
      steps: [check(0, { ...mysql("2", false), ...replica(0) }), check(10, { ...mysql("2", false), ...replica(null, false) }), check(11, { ...mysql("2", false), ...replica(null, false) })],
      events: ["10 replication_lag", "11 degraded"],
    },
    {
      name: "an unknown lag (replica status refused) never degrades",
      steps: [0, 10, 20].map((s) => check(s, { ...mysql("2", false), replicating: null, replicationRunning: null, replicationLagS: null })),
      events: [],
    },
    {
      name: "without a limit, lag is only a fact",
      steps: [0, 10].map((s) => check(s, { ...mysql("2", false), ...replica(3600) })),
      events: [],
      policy: resolvePolicy(10_000, {}),
    },
    {
      name: "a long transaction once per episode, re-armed when it ends",
      steps: [10, 59, 60, 120, 0, 61].map((age, i) => check(i * 10, { oldestTransactionS: age, lockWaits: 0 })),
      events: ["20 long_transaction", "50 long_transaction"],
    },
    {
      name: "sessions piling up on a lock, once per episode",
      steps: [0, 2, 3, 7, 2, 3].map((waits, i) => check(i * 10, { oldestTransactionS: 5, lockWaits: waits })),
      events: ["20 lock_waits", "50 lock_waits"],
    },
  ])("$name", ({ steps, events, policy }) => {
    expect(summarize(replay(steps, policy ?? lagPolicy).events)).toEqual(events);
  });
});

describe("db-role: what the events say", () => {
  const observe = (steps: Record<string, Fact>[], s0 = 0) => {
    let server;
    const events: DetectionEvent[] = [];
    for (const [i, facts] of steps.entries()) {
      const out = observeServer(server, { monitorId: "orders-db", region: "eu", at: at(s0 + i * 10), status: "up", latencyMs: 5, facts }, lagPolicy.evidence);
      server = out.server;
      events.push(...out.events);
    }
    return events.map((e) => e.data);
  };

  it.each<{ name: string; steps: Record<string, Fact>[]; data: Record<string, unknown> }>([
    {
      name: "a different server",
      steps: [mysql("1", false), mysql("2", true)],
      data: { region: "eu", changed: ["server_id"], writable: true, since: "2026-01-01T13:24:10.000Z", from: { server_id: "1" }, to: { server_id: "2" }, note: "a different server (id 2) answers since 13:24:10 UTC, now writable" },
    },
    {
      name: "another host",
      steps: [mysql("1", true), { ...mysql("1", false), hostname: "db-b" }],
      data: { changed: ["hostname"], note: "a different server (id 1, host db-b) answers since 13:24:10 UTC, now read-only" },
    },
    { name: "a promotion", steps: [pg(2, false), pg(3, true)], data: { changed: ["timeline"], note: "a new timeline (3, was 2) since 13:24:10 UTC: a standby was promoted, now writable" } },
    { name: "lag", steps: [replica(95)], data: { lag_s: 95, max_lag_s: 30, running: true, note: "replica 95 s behind its source, above 30 s" } },
    {
      name: "a long transaction with waiters",
      steps: [{ oldestTransactionS: 720, lockWaits: 2 }],
      data: { age_s: 720, started_at: "2026-01-01T13:12:00.000Z", max_age_s: 60, lock_waits: 2, note: "a transaction open for 12 min (since 13:12:00 UTC); 2 sessions wait for a lock" },
    },
    { name: "a lock pile-up", steps: [{ oldestTransactionS: 30, lockWaits: 7 }], data: { lock_waits: 7, max_lock_waits: 3, oldest_transaction_s: 30, note: "7 sessions wait for a lock; the oldest transaction is 30 s old" } },
  ])("$name", ({ steps, data }) => {
    expect(observe(steps).at(-1)).toMatchObject(data);
  });

  it("says what a role change means", () => {
    expect(roleDetail({ role: "replica", writable: false, replicating: true })).toEqual({ writable: false, replicating: true, note: "now a replica: read-only, replicating" });
    expect(roleDetail({ role: "primary", writable: true, replicating: false })).toMatchObject({ note: "now the primary: writable, not replicating" });
    expect(roleDetail({ role: "primary" })).toEqual({});
  });

  it("degrades only an up result, keeping another warning", () => {
    const base: CheckResult = { monitorId: "m", region: "eu", at: at(0), status: "up", latencyMs: 1, facts: replica(31) };
    expect(limitReplicationLag(base, lagPolicy.evidence)).toMatchObject({ status: "degraded", warning: "replica 31 s behind its source, above 30 s" });
    expect(limitReplicationLag({ ...base, facts: replica(30) }, lagPolicy.evidence).status).toBe("up");
    expect(limitReplicationLag({ ...base, status: "degraded", warning: "slow" }, lagPolicy.evidence).warning).toBe("slow");
  });
});
