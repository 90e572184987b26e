import { describe, expect, it } from "vitest";
import type { Holders } from "../probes/db/holders.ts";
import { diagnose, diagnoses, diagnosisEvidence, duration, monitorDiagnosis, type DiagnosisEvent, type DiagnosisEvidence } from "./diagnosis.ts";

const t0 = Date.parse("2026-01-01T10:00:00Z");
const min = 60_000;
const none: DiagnosisEvidence = { error: null, lastSeen: null, saturation: null, restarts: [], crashLoop: null, beforeFirstRestart: null };
const analytics: Holders = {
  seen: 95,
  top: [
    { user: "analytics", host: "10.0.4.7", db: "app", app: null, state: "idle", count: 91 },
    { user: "analytics", host: "10.0.4.7", db: "app", app: null, state: "active", count: 3 },
    { user: "web", host: "10.0.4.9", db: "app", app: null, state: "active", count: 1 },
  ],
  rest: 0,
};
const saturated = { kind: "saturated", message: "Too many connections" };
const up41Days = 41 * 86_400 + 3_000;

describe("diagnose: one sentence, no more than the evidence shows", () => {
  it.each<{ name: string; evidence: Partial<DiagnosisEvidence>; responders: string | null; public?: string }>([
    { name: "nothing to say", evidence: {}, responders: null },
    {
      name: "a full pool, with who held it",
      evidence: { error: saturated, lastSeen: { connections: 96, maxConnections: 100, holders: analytics, uptimeS: up41Days } },
      responders: "pool exhausted: the server refuses new connections; last seen 96 of 100, 94 held by analytics@10.0.4.7 (91 idle); server up 41 days",
      public: "pool exhausted: the server refuses new connections; last seen 96 of 100, 94 held by one client (91 idle); server up 41 days",
    },
    {
      name: "a full pool, the probe could not look",
      evidence: { error: saturated, lastSeen: { connections: 96, maxConnections: 100, holders: null } },
      responders: "pool exhausted: the server refuses new connections; last seen 96 of 100, who holds them unknown",
    },
    {
      name: "a full pool, the monitor saw only its own connections (no PROCESS privilege)",
      evidence: { error: saturated, lastSeen: { connections: 96, maxConnections: 100, holders: { seen: 0, top: [], rest: 0 } } },
      responders: "pool exhausted: the server refuses new connections; last seen 96 of 100, who holds them unknown",
    },
    {
      name: "a full pool, no other connection listed at all",
      evidence: { error: saturated, lastSeen: { connections: 1, maxConnections: 100, holders: { seen: 0, top: [], rest: 0 } } },
      responders: "pool exhausted: the server refuses new connections; last seen 1 of 100, who holds them unknown",
    },
    {
      name: "a full pool never seen before",
      evidence: { error: saturated },
      responders: "pool exhausted: the server refuses new connections; connection use before unknown",
    },
    {
      name: "a full pool named by application and without states (PostgreSQL without pg_read_all_stats)",
      evidence: { error: saturated, lastSeen: { connections: 9, maxConnections: 10, holders: { seen: 8, top: [{ user: "etl", host: null, db: "app", app: "loader", state: null, count: 8 }], rest: 0 } } },
      responders: "pool exhausted: the server refuses new connections; last seen 9 of 10, 8 held by etl (loader)",
      public: "pool exhausted: the server refuses new connections; last seen 9 of 10, 8 held by one client",
    },
    {
      name: "a crash loop, with the connections before the first restart",
      evidence: { restarts: [t0, t0 + 2 * min, t0 + 6 * min], crashLoop: { restarts: 2, windowMs: 10 * min }, beforeFirstRestart: { connections: 12, maxConnections: 1000 } },
      responders: "crash loop: 3 restarts in 6 min; connections were 12 of 1,000 before the first",
    },
    {
      name: "a crash loop known only by its count",
      evidence: { crashLoop: { restarts: 2, windowMs: 10 * min } },
      responders: "crash loop: 2 restarts within 10 min; connections before the first unknown",
    },
    {
      name: "a refusal now outranks the crash loop before it",
      evidence: { error: saturated, restarts: [t0, t0 + min], crashLoop: { restarts: 2, windowMs: 10 * min }, lastSeen: { connections: 50, maxConnections: 100, uptimeS: 30 } },
      responders: "pool exhausted: the server refuses new connections; last seen 50 of 100",
    },
    { name: "one restart", evidence: { restarts: [t0], beforeFirstRestart: { connections: 40, maxConnections: 100 } }, responders: "server restarted; connections were 40 of 100 before it" },
    {
      name: "nearly full while checks succeed",
      evidence: { saturation: { connections: 96, maxConnections: 100, holders: analytics, uptimeS: 5_400 } },
      responders: "pool nearly exhausted: 96 of 100 connections, 94 held by analytics@10.0.4.7 (91 idle); server up 1 h",
    },
    {
      name: "unreachable, with the use last seen",
      evidence: { error: { kind: "connect", message: "connect ECONNREFUSED" }, lastSeen: { connections: 12, maxConnections: 1000 } },
      responders: "unreachable (connection failed); last seen 12 of 1,000 connections",
    },
    { name: "unreachable without anything seen before: the error line says it", evidence: { error: { kind: "timeout", message: "timed out" } }, responders: null },
    {
      name: "a different server at the address, its restart aside",
      evidence: { failover: { note: "a different server (id 2, host db-2.internal) answers since 13:24:10 UTC, now writable", since: "13:24:10 UTC", writable: true, promoted: false }, restarts: [t0] },
      responders: "failover: a different server (id 2, host db-2.internal) answers since 13:24:10 UTC, now writable",
      public: "failover: a different server answers since 13:24:10 UTC, now writable",
    },
    {
      name: "a promoted standby",
      evidence: { failover: { note: "a new timeline (3, was 2) since 13:24:10 UTC: a standby was promoted, now writable", since: "13:24:10 UTC", writable: true, promoted: true } },
      responders: "failover: a new timeline (3, was 2) since 13:24:10 UTC: a standby was promoted, now writable",
      public: "failover: a standby was promoted since 13:24:10 UTC, now writable",
    },
    {
      name: "a full pool outranks a failover",
      evidence: { error: saturated, failover: { note: "a different server (id 2) answers since 13:24:10 UTC", since: "13:24:10 UTC", writable: null, promoted: false } },
      responders: "pool exhausted: the server refuses new connections; connection use before unknown",
    },
    { name: "a replica behind its source", evidence: { lag: "replica 5 min behind its source, above 30 s" }, responders: "replica 5 min behind its source, above 30 s" },
    { name: "a wrong password is no diagnosis of the pool", evidence: { error: { kind: "auth", message: "denied" }, lastSeen: { connections: 12, maxConnections: 1000 } }, responders: null },
  ])("$name", ({ evidence, responders, public: forPublic }) => {
    const e = { ...none, ...evidence };
    expect(diagnose(e, { public: false })).toBe(responders);
    if (forPublic !== undefined) expect(diagnose(e, { public: true })).toBe(forPublic);
    expect(diagnose(e, { public: true }) ?? "").not.toMatch(/analytics|10\.0\.4|etl|loader|db-2|id 2/);
  });

  it("lists every applicable diagnosis in priority order, the first being the sentence", () => {
    const e = { ...none, restarts: [t0], saturation: { connections: 95, maxConnections: 100 } };
    expect(diagnoses(e, { public: false })).toEqual(["server restarted; connections before it unknown", "pool nearly exhausted: 95 of 100 connections"]);
  });

  it.each([
    [40, "40 s"],
    [600, "10 min"],
    [7_200, "2 h"],
    [86_400, "1 day"],
    [up41Days, "41 days"],
  ])("duration(%d) is %s", (s, text) => {
    expect(duration(s)).toBe(text);
  });
});

describe("diagnosisEvidence and monitorDiagnosis: from detection events", () => {
  it("reads a failover and a replica's lag from their events, within the current episode", () => {
    const at = (m: number) => new Date(t0 + m * min);
    const events: DiagnosisEvent[] = [
      { at: at(0), kind: "monitor.replication_lag", data: { note: "replica 2 min behind its source, above 30 s" } },
      { at: at(1), kind: "monitor.up", data: {} },
      { at: at(2), kind: "monitor.server_change", data: { changed: ["server_id"], writable: false, note: "a different server (id 7) answers since 10:02:00 UTC, now read-only" } },
    ];
    expect(monitorDiagnosis(events, { public: false })).toBe("failover: a different server (id 7) answers since 10:02:00 UTC, now read-only");
    expect(monitorDiagnosis(events, { public: true })).toBe("failover: a different server answers since 10:02:00 UTC, now read-only");
    // The lag belonged to an episode that ended with the recovery.
    expect(diagnosisEvidence(events.slice(2)).lag).toBeUndefined();
    expect(monitorDiagnosis(events.slice(0, 1), { public: false })).toBe("replica 2 min behind its source, above 30 s");
  });

  const ev = (minutes: number, kind: string, data: Record<string, unknown>): DiagnosisEvent => ({ at: new Date(t0 + minutes * min), kind, data });
  const iso = (minutes: number) => new Date(t0 + minutes * min).toISOString();

  it("reads the down evidence, the restarts (one per restart, whichever region saw it) and what came before them", () => {
    const events = [
      ev(1, "monitor.restart", { restarted_at: iso(1), last_seen_connections: 12, max_connections: 1000 }),
      ev(1, "monitor.restart", { restarted_at: new Date(t0 + min + 1_000).toISOString() }),
      ev(3, "monitor.restart", { restarted_at: iso(3) }),
      ev(3, "monitor.crash_loop", { restarts: 2, window_ms: 600_000, restart_times: [iso(1), iso(3)] }),
      ev(4, "monitor.down", { error: { kind: "connect", message: "refused" }, evidence: { cause: "unreachable", last_seen_connections: 3, max_connections: 1000, last_seen_at: iso(3.5) } }),
    ];
    const e = diagnosisEvidence(events);
    expect(e.restarts).toEqual([t0 + min, t0 + 3 * min]);
    expect(e.beforeFirstRestart).toEqual({ connections: 12, maxConnections: 1000 });
    expect(diagnose(e, { public: false })).toBe("crash loop: 2 restarts in 2 min; connections were 12 of 1,000 before the first");
  });

  it("reads the holders the down evidence carries, and an episode only since the latest recovery", () => {
    const holders = { seen: 10, top: [{ user: "analytics", host: "127.0.0.1", db: null, app: null, state: "idle", count: 10 }], rest: 0 };
    const events = [
      ev(0, "monitor.restart", { restarted_at: iso(0) }),
      ev(1, "monitor.up", {}),
      ev(5, "monitor.down", { error: saturated, evidence: { cause: "saturated", last_seen_connections: 11, max_connections: 12, uptime_s: 40, holders } }),
    ];
    expect(monitorDiagnosis(events.toReversed(), { public: false })).toBe("pool exhausted: the server refuses new connections; last seen 11 of 12, 10 held by analytics@127.0.0.1 (10 idle); server up 40 s");
    expect(monitorDiagnosis([...events, ev(9, "monitor.up", {})], { public: false })).toBeNull();
  });
});
