import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Housekeeping } from "../../src/app/housekeeping.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";

const day = 86_400_000;

/** Moves time on a minute at a time, letting each round the timer starts finish (the store answers from its own thread). */
async function minutes(timers: ManualTimers, job: Housekeeping, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await timers.advance(60_000);
    await job.idle();
  }
}
let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-housekeeping-"));
  store = await openStore({ dataDir: path.join(dir, "data") });
}, 60_000);
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("Housekeeping", () => {
  it("rolls up finished minutes every minute, prunes raw results past their retention and deletes ended console sessions", async () => {
    const at = (iso: string) => new Date(iso);
    const clock = new ManualClock("2026-11-25T12:00:30Z");
    const timers = new ManualTimers(clock);
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const job = new Housekeeping({ store, clock, timers, logger }, { resultsMs: 7 * day, rollupsMs: 400 * day, eventsMs: 400 * day, deliveriesMs: 30 * day, sessionIdleMs: 12 * 3_600_000 });
    // Console sessions: one live, one idle past 12 h, one past its absolute end though just used.
    await store.users.create({ id: "usr_1", email: "ops@example.com", role: "responder", createdAt: at("2026-11-20T00:00:00Z") });
    const session = (idHash: string, lastSeenAt: string, expiresAt: string) => ({ idHash, userId: "usr_1", createdAt: at("2026-11-20T00:00:00Z"), lastSeenAt: at(lastSeenAt), expiresAt: at(expiresAt), address: null, userAgent: null });
    await store.sessions.create(session("live", "2026-11-25T11:00:00Z", "2026-11-27T00:00:00Z"));
    await store.sessions.create(session("idle", "2026-11-24T23:00:00Z", "2026-11-27T00:00:00Z"));
    await store.sessions.create(session("ended", "2026-11-25T12:00:00Z", "2026-11-25T12:00:00Z"));
    await store.results.insertMany([
      { monitorId: "h", region: "local", at: at("2026-11-17T12:00:00Z"), status: "up", latencyMs: 1, facts: {} },
      { monitorId: "h", region: "local", at: at("2026-11-25T11:59:10Z"), status: "down", latencyMs: 5, facts: {} },
      { monitorId: "h", region: "local", at: at("2026-11-25T11:59:40Z"), status: "up", latencyMs: 3, facts: {} },
      { monitorId: "h", region: "local", at: at("2026-11-25T12:00:10Z"), status: "up", latencyMs: 2, facts: {} },
    ]);
    job.start();
    await timers.advance(0);
    await job.idle();
    // The first round rolled up 11:59 (finished), not 12:00 (running), and pruned the 8-day-old result.
    const minutes = await store.rollups.list("h", "minute", at("2026-11-25T11:00:00Z"), at("2026-11-25T13:00:00Z"));
    expect(minutes.map((m) => [m.start.toISOString(), m.checks, m.failures])).toEqual([["2026-11-25T11:59:00.000Z", 2, 1]]);
    expect((await store.results.list("h", { limit: 10 })).map((r) => r.at.toISOString())).not.toContain("2026-11-17T12:00:00.000Z");
    expect(await store.sessions.get("live")).toBeDefined();
    expect(await store.sessions.get("idle")).toBeUndefined();
    expect(await store.sessions.get("ended")).toBeUndefined();
    const hours = await store.rollups.list("h", "hour", at("2026-11-25T11:00:00Z"), at("2026-11-25T13:00:00Z"));
    expect(hours.map((h) => h.checks)).toEqual([2, 1]);

    await timers.advance(60_000);
    await job.idle();
    const later = await store.rollups.list("h", "minute", at("2026-11-25T11:00:00Z"), at("2026-11-25T13:00:00Z"));
    expect(later.map((m) => m.start.toISOString())).toEqual(["2026-11-25T11:59:00.000Z", "2026-11-25T12:00:00.000Z"]);
    await job.stop();
    expect(timers.pending).toBe(0);
  });

  it("recomputes the minutes, hours and days of results that arrive late, whatever their age, also across a restart", async () => {
    const at = (iso: string) => new Date(iso);
    const clock = new ManualClock("2026-12-01T12:00:30Z");
    const timers = new ManualTimers(clock);
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const retention = { resultsMs: 7 * day, rollupsMs: 400 * day, eventsMs: 400 * day, deliveriesMs: 30 * day, sessionIdleMs: 12 * 3_600_000 };
    let job = new Housekeeping({ store, clock, timers, logger }, retention);
    job.start();
    await timers.advance(0);
    await job.idle();
    const minutes = (from: string, to: string) => store.rollups.list("late", "minute", at(from), at(to)).then((rows) => rows.map((m) => [m.start.toISOString(), m.checks, m.failures]));
    // An agent's buffer: checks of three hours and of two days ago, stored now.
    await store.results.insertMany([
      { monitorId: "late", region: "eu", at: at("2026-12-01T09:00:10Z"), status: "down", latencyMs: 5, facts: {} },
      { monitorId: "late", region: "eu", at: at("2026-12-01T09:00:40Z"), status: "up", latencyMs: 3, facts: {} },
      { monitorId: "late", region: "eu", at: at("2026-11-29T08:30:00Z"), status: "up", latencyMs: 3, facts: {} },
    ]);
    await timers.advance(60_000);
    await job.idle();
    expect(await minutes("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z")).toEqual([["2026-12-01T09:00:00.000Z", 2, 1]]);
    expect(await minutes("2026-11-29T08:00:00Z", "2026-11-29T09:00:00Z")).toEqual([["2026-11-29T08:30:00.000Z", 1, 0]]);
    expect((await store.rollups.list("late", "hour", at("2026-12-01T09:00:00Z"), at("2026-12-01T10:00:00Z"))).map((h) => h.checks)).toEqual([2]);
    expect((await store.rollups.list("late", "day", at("2026-11-29T00:00:00Z"), at("2026-11-30T00:00:00Z"))).map((d) => d.checks)).toEqual([1]);

    // Stored while no housekeeping ran: the next one reads on from the saved cursor.
    await job.stop();
    await store.results.insertMany([{ monitorId: "late", region: "eu", at: at("2026-12-01T09:00:50Z"), status: "down", latencyMs: 4, facts: {} }]);
    job = new Housekeeping({ store, clock, timers, logger }, retention);
    job.start();
    await timers.advance(0);
    await job.idle();
    expect(await minutes("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z")).toEqual([["2026-12-01T09:00:00.000Z", 3, 2]]);
    await job.stop();
  });

  it("prunes timeline events and finished deliveries past their retention in its hourly round, with the retention it was last given", async () => {
    const at = (iso: string) => new Date(iso);
    const clock = new ManualClock("2026-11-25T12:00:30Z");
    const timers = new ManualTimers(clock);
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const retention = { resultsMs: 7 * day, rollupsMs: 400 * day, eventsMs: 400 * day, deliveriesMs: 30 * day, sessionIdleMs: 12 * 3_600_000 };
    const job = new Housekeeping({ store, clock, timers, logger }, retention);
    // Two-year-old and two-month-old monitor.down events of one monitor, and its latest, kept however old.
    const event = (iso: string, n: number) => ({ at: at(iso), kind: "monitor.down", subject: "hk", actor: "system", data: { n } });
    await store.events.appendMany([event("2024-11-01T00:00:00Z", 1), event("2026-09-25T00:00:00Z", 2), event("2026-11-24T00:00:00Z", 3)]);
    const delivery = (n: number, createdAt: string, status: "pending" | "muted") => ({ eventId: String(n), destination: `hk-${n}`, idempotencyKey: `hk:${n}`, orderKey: `hk:${n}`, nextAttemptAt: at(createdAt), message: { kind: "monitor.down" }, createdAt: at(createdAt), status });
    // Muted 40 days ago (gone), muted 10 days ago (kept), pending for 40 days (kept: never deleted while pending).
    await store.outbox.enqueue([delivery(1, "2026-10-16T00:00:00Z", "muted"), delivery(2, "2026-11-15T00:00:00Z", "muted"), delivery(3, "2026-10-16T00:00:00Z", "pending")]);
    const events = async () => (await store.events.list({ subject: "hk", limit: 10 })).map((e) => e.data["n"]);
    const deliveries = async () => (await store.outbox.list({ limit: 100 })).filter((d) => d.destination.startsWith("hk-")).map((d) => d.destination).sort();

    job.start();
    await timers.advance(0);
    await job.idle();
    expect(await events()).toEqual([2, 3]);
    expect(await deliveries()).toEqual(["hk-2", "hk-3"]);

    // A reload shortens both: the next hourly round (not the rounds before it) deletes the 10-day-old delivery; the
    // two-month-old event is within 91 days until a month later.
    job.setRetention({ ...retention, eventsMs: 91 * day, deliveriesMs: 7 * day });
    await minutes(timers, job, 59);
    expect(await deliveries()).toEqual(["hk-2", "hk-3"]);
    await minutes(timers, job, 1);
    expect(await deliveries()).toEqual(["hk-3"]);
    expect(await events()).toEqual([2, 3]);
    clock.set(new Date("2026-12-26T12:00:00Z"));
    await minutes(timers, job, 60);
    expect(await events()).toEqual([3]);
    await job.stop();
  });

  it("deletes per-minute and per-hour rollups past their own, shorter retentions, and keeps the days", async () => {
    const at = (iso: string) => new Date(iso);
    const clock = new ManualClock("2026-12-20T12:00:30Z");
    const timers = new ManualTimers(clock);
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    // Checks of ten and forty days ago, rolled up into each bucket.
    await store.results.insertMany(["2026-12-10T08:30:00Z", "2026-11-10T08:30:00Z"].map((iso) => ({ monitorId: "buckets", region: "local", at: at(iso), status: "up" as const, latencyMs: 1, facts: {} })));
    for (const bucket of ["minute", "hour", "day"] as const) await store.rollups.compute(bucket, at("2026-11-01T00:00:00Z"), at("2026-12-20T00:00:00Z"), ["buckets"]);
    const job = new Housekeeping({ store, clock, timers, logger }, { resultsMs: 7 * day, rollupsMs: 400 * day, minuteRollupsMs: 7 * day, hourRollupsMs: 31 * day, eventsMs: 400 * day, deliveriesMs: 30 * day, sessionIdleMs: day });
    job.start();
    await timers.advance(0);
    await job.idle();
    const starts = async (bucket: "minute" | "hour" | "day") => (await store.rollups.list("buckets", bucket, at("2026-11-01T00:00:00Z"), at("2026-12-20T00:00:00Z"))).map((r) => r.start.toISOString().slice(0, 10));
    expect(await starts("minute")).toEqual([]);
    expect(await starts("hour")).toEqual(["2026-12-10"]);
    expect(await starts("day")).toEqual(["2026-11-10", "2026-12-10"]);
    await job.stop();
  });
});
