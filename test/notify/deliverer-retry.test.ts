// A receiver that is down for ten minutes (a Slack or PagerDuty outage) still gets the page when it is
// back, and the resolution queued behind it waits its turn: deliveries are retried until their age limit,
// not for a handful of attempts, and per-cause order holds behind a message that is still retrying.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Deliverer } from "../../src/app/notifier/deliverer.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { systemTimers } from "../../src/core/timers.ts";
import { parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";

describe("delivery retries", () => {
  let dir: string;
  let store: Store;
  let sink: HttpSink;
  let config: VigilConfig;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-retry-"));
    store = await openStore({ dataDir: path.join(dir, "data") });
    sink = await startHttpSink();
    const parsed = parseConfigText(`notifications:\n  channels:\n    - { id: oncall, type: webhook, url: "${sink.url}/hook" }\n`, "vigil.yaml", {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    config = parsed.config;
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await sink?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("delivers after a ten-minute receiver outage, the alert before the resolution queued behind it", async () => {
    const clock = new ManualClock("2026-05-01T12:00:00Z");
    const timers = new ManualTimers(clock);
    const downUntil = clock.now().getTime() + 10 * 60_000;
    sink.reply(() => (clock.now().getTime() < downUntil ? { status: 503, body: "unavailable" } : { status: 200, body: "ok" }));
    const row = (eventId: string, kind: string) => ({
      eventId,
      destination: "oncall",
      idempotencyKey: `${eventId}:oncall`,
      orderKey: "oncall:incident:inc_1",
      nextAttemptAt: clock.now(),
      message: { kind, eventId, at: clock.now().toISOString(), site: { name: "Acme", url: "https://status.example.com" }, severity: "critical", title: kind, text: kind, markdown: null, url: null, dedupKey: "incident:inc_1", incident: null, components: [], labels: {} },
      createdAt: clock.now(),
    });
    await store.outbox.enqueue([row("1", "incident.created"), row("2", "incident.resolved")]);
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const deliverer = new Deliverer({ store, clock, timers, logger, config: () => config });
    for (let s = 0; s < 12 * 60; s++) {
      await timers.advance(1_000);
      await deliverer.kick();
    }
    await deliverer.stop();
    const delivered = sink.requests.filter((r) => r.body !== undefined && (r.body as { event?: string }).event !== undefined);
    const failedBeforeBack = delivered.filter((r) => r.headers["idempotency-key"] === "1:oncall");
    expect(failedBeforeBack.length).toBeGreaterThan(10);
    expect((await store.outbox.list({ status: "dead" })).length).toBe(0);
    const done = await store.outbox.list({ status: "delivered" });
    expect(done.map((d) => d.eventId).sort()).toEqual(["1", "2"]);
    // The resolution was never tried while the alert was still failing.
    const keys = sink.requests.map((r) => r.headers["idempotency-key"]);
    expect(keys.indexOf("2:oncall")).toBe(keys.length - 1);
    expect(keys.filter((k) => k === "2:oncall")).toHaveLength(1);
  });

  it("stops while attempts are in flight: waits for them and records them, without spinning", async () => {
    // One receiver answers after 100 ms, the other never: the stop comes first, then the quick answer is recorded,
    // and the deliverer must wait for the other rather than loop without yielding (which froze a stopping node).
    const clock = new ManualClock("2026-05-02T12:00:00Z");
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const quick = await startHttpSink();
    quick.reply(() => ({ status: 200, body: "ok" }));
    const slow = await startHttpSink();
    slow.reply(() => {
      arrived();
      return { hang: true, status: 200 };
    });
    const parsed = parseConfigText(`notifications:\n  channels:\n    - { id: quick, type: webhook, url: "${quick.url}/hook" }\n    - { id: slow, type: webhook, url: "${slow.url}/hook" }\n`, "vigil.yaml", {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const twoConfig = parsed.config;
    const row = (eventId: string, destination: string) => ({ eventId, destination, idempotencyKey: `${eventId}:${destination}`, orderKey: `${destination}:x`, nextAttemptAt: clock.now(), message: { kind: "incident.created", eventId, at: clock.now().toISOString(), site: { name: "Acme", url: "https://status.example.com" }, severity: "critical", title: "t", text: "t", markdown: null, url: null, dedupKey: "x", incident: null, components: [], labels: {} }, createdAt: clock.now() });
    await store.outbox.enqueue([row("21", "quick"), row("22", "slow")]);
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    // The quick receiver's answer comes 100 ms after the deliverer starts: after the stop below.
    const quickAfter = new Promise((resolve) => setTimeout(resolve, 100));
    const deliverer = new Deliverer({ store, clock, timers: systemTimers, logger, config: () => twoConfig, fetch: async (input, init) => {
      if (String(input).startsWith(quick.url)) await quickAfter;
      return fetch(input, init);
    } });
    void deliverer.kick();
    await reached;
    const stopped = deliverer.stop();
    // The event loop stays free while the stop waits (this timer fires).
    const ticked = await new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 400));
    expect(ticked).toBe(true);
    expect((await store.outbox.list({ destination: "quick" }))[0]?.status).toBe("delivered");
    await slow.close();
    await stopped;
    expect((await store.outbox.list({ destination: "slow" }))[0]?.attempts).toBe(1);
    await quick.close();
  });

  it("delivers a message enqueued while a slow receiver holds its attempt at once, not after that attempt", async () => {
    const clock = new ManualClock("2026-05-04T12:00:00Z");
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const quick = await startHttpSink();
    quick.reply(() => ({ status: 200, body: "ok" }));
    const slow = await startHttpSink();
    slow.reply(() => {
      arrived();
      return { hang: true, status: 200 };
    });
    const parsed = parseConfigText(`notifications:\n  channels:\n    - { id: quick, type: webhook, url: "${quick.url}/hook" }\n    - { id: slow, type: webhook, url: "${slow.url}/hook" }\n`, "vigil.yaml", {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const twoConfig = parsed.config;
    const row = (eventId: string, destination: string) => ({ eventId, destination, idempotencyKey: `${eventId}:${destination}`, orderKey: `${destination}:y`, nextAttemptAt: clock.now(), message: { kind: "incident.created", eventId, at: clock.now().toISOString(), site: { name: "Acme", url: "https://status.example.com" }, severity: "critical", title: "t", text: "t", markdown: null, url: null, dedupKey: "y", incident: null, components: [], labels: {} }, createdAt: clock.now() });
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const deliverer = new Deliverer({ store, clock, timers: systemTimers, logger, config: () => twoConfig });
    await store.outbox.enqueue([row("41", "slow")]);
    void deliverer.kick();
    await reached;
    // The page for the on-call channel is enqueued while the slow receiver holds its attempt (up to 10 s).
    await store.outbox.enqueue([row("42", "quick")]);
    void deliverer.kick();
    await expect.poll(() => quick.requests.length, { timeout: 3_000, interval: 50 }).toBe(1);
    expect((await store.outbox.list({ destination: "slow" }))[0]?.status).toBe("pending");
    await slow.close();
    await deliverer.stop();
    await quick.close();
  });

  it("gives a retried delivery past the age limit one attempt: given up again at a failure, delivered once the receiver takes it", async () => {
    const clock = new ManualClock("2026-05-03T12:00:00Z");
    const created = new Date(clock.now().getTime() - 2 * 24 * 3_600_000);
    sink.reset();
    sink.reply({ status: 503, body: "unavailable" });
    const message = { kind: "incident.created", eventId: "31", at: created.toISOString(), site: { name: "Acme", url: "https://status.example.com" }, severity: "critical", title: "t", text: "t", markdown: null, url: null, dedupKey: "x", incident: null, components: [], labels: {} };
    await store.outbox.enqueue([{ eventId: "31", destination: "oncall", idempotencyKey: "31:oncall", orderKey: "oncall:old", nextAttemptAt: created, message, createdAt: created }]);
    const id = (await store.outbox.list({ destination: "oncall" })).find((d) => d.idempotencyKey === "31:oncall")!.id;
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const deliverer = new Deliverer({ store, clock, timers: new ManualTimers(clock), logger, config: () => config });
    await deliverer.kick();
    expect(await store.outbox.get(id)).toMatchObject({ status: "dead", attempts: 1, lastError: `gave up after 2880 min: ${sink.host} answered 503: unavailable` });
    await store.outbox.retry(id, clock.now());
    await deliverer.kick();
    expect(await store.outbox.get(id)).toMatchObject({ status: "dead", attempts: 1 });
    sink.reply({ status: 200, body: "ok" });
    await store.outbox.retry(id, clock.now());
    await deliverer.kick();
    await deliverer.stop();
    expect(await store.outbox.get(id)).toMatchObject({ status: "delivered", attempts: 1 });
    expect(sink.requests.map((r) => r.headers["idempotency-key"])).toEqual(["31:oncall", "31:oncall", "31:oncall"]);
  });
});
