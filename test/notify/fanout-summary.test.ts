// A fan-out to subscribers is one timeline event with its counts (`notification.fanout_summary`), not one
// `notification.delivered` per subscriber; its failures are still recorded one by one. Run through the real dispatcher
// and deliverer, to a local SMTP server and a local webhook receiver, on the embedded store and on PostgreSQL; the
// summary is right when the deliverer is stopped in the middle of the fan-out and a new one, on a store opened afresh,
// finishes it.
import { createServer, type Server } from "node:http";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Deliverer } from "../../src/app/notifier/deliverer.ts";
import { cursorName, Dispatcher } from "../../src/app/notifier/dispatcher.ts";
import { fanoutSummaryKind } from "../../src/app/notifier/fanout-summary.ts";
import { SubscriberSender } from "../../src/app/notifier/subscriber-sender.ts";
import { parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { StoredEvent, Store, SubscriberRow } from "../../src/store/types.ts";
import { startSmtpInbox, type SmtpInbox } from "../helpers/smtp-inbox.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";

const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`a fan-out to subscribers on ${backend.name}`, () => {
    let target: StoreTarget;
    let store: Store;
    let smtp: SmtpInbox;
    let receiver: Server;
    let port = 0;
    let config: VigilConfig;
    /** Paths the receiver was sent, in order. */
    const received: string[] = [];
    /** How long the receiver takes to answer a request, except the flaky and refused ones. */
    let delayMs = 0;
    let flakyCalls = 0;
    const clock = new ManualClock("2026-06-01T12:00:00Z");

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      store = await openStore({ url: target.url, dataDir: target.dataDir });
      // One e-mail address is refused for good (550: dead at once); every other one is taken.
      smtp = await startSmtpInbox({ keepRaw: false, rejectRecipient: (address) => (address === "refused@example.com" ? 550 : undefined) });
      // The webhook at /flaky fails its first request (503: retried); the others answer 200, after `delayMs`.
      receiver = createServer((req, res) => {
        req.on("data", () => undefined);
        req.on("end", () => {
          received.push(req.url ?? "");
          if (req.url === "/flaky" && flakyCalls++ === 0) res.writeHead(503).end("busy");
          else setTimeout(() => res.writeHead(200).end("ok"), req.url === "/flaky" ? 0 : delayMs);
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      port = (receiver.address() as { port: number }).port;
      const parsed = parseConfigText(
        `site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database }
subscribers:
  email: { host: 127.0.0.1, port: ${smtp.port}, from: status@example.com }
  webhooks: true
  allow_private_webhooks: true
`,
        "vigil.yaml",
        {},
      );
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      config = parsed.config;
      const now = clock.now();
      const email = (id: string, address: string): SubscriberRow => ({ id, kind: "email", address, componentIds: null, format: null, confirmedAt: now, createdAt: now });
      const webhook = (id: string, path: string): SubscriberRow => ({ id, kind: "webhook", address: `http://127.0.0.1:${port}${path}`, componentIds: null, format: "vigil", confirmedAt: now, createdAt: now });
      await store.subscribers.importMany([
        ...Array.from({ length: 19 }, (_, i) => email(`sub_e${String(i).padStart(3, "0")}`, `reader${i}@example.com`)),
        email("sub_refused", "refused@example.com"),
        ...Array.from({ length: 9 }, (_, i) => webhook(`sub_w${String(i).padStart(3, "0")}`, `/w/${i}`)),
        webhook("sub_flaky", "/flaky"),
      ]);
    }, 120_000);

    afterAll(async () => {
      await store?.close();
      await target?.dispose();
      await smtp?.close();
      receiver?.closeAllConnections();
      receiver?.close();
    });

    /** The dispatcher and the deliverer over `store`, with the subscriber sender; a retry waits 99 % of its ceiling. */
    function pipeline() {
      const timers = new ManualTimers(clock);
      const deps = { store, clock, timers, logger, config: () => config, publicUrl: () => "https://status.example.com", signingKey: async () => new Uint8Array(32).fill(7) };
      const subscribers = new SubscriberSender(deps);
      const dispatcher = new Dispatcher({ ...deps, statuses: () => ({ "orders-db": "operational" }), maintenanceComponents: () => new Set<string>() });
      const deliverer = new Deliverer({ ...deps, subscribers, random: () => 0.99 });
      return {
        dispatcher,
        deliverer,
        async stop() {
          await dispatcher.stop();
          await deliverer.stop();
          subscribers.close();
        },
      };
    }

    /** Appends a maintenance's announcement (told to every subscriber) after the dispatcher's cursor. */
    async function announce(maintenanceId: string): Promise<StoredEvent> {
      const [newest] = await store.events.list({ newestFirst: true, limit: 1 });
      await store.outbox.setCursor(cursorName, newest?.id ?? "0", clock.now());
      return store.events.append({ at: clock.now(), kind: "maintenance.scheduled", subject: maintenanceId, actor: "system", data: { name: "Database upgrade", components: ["orders-db"] } });
    }

    /** The notification events about `event`, by kind. */
    async function outcomesOf(event: StoredEvent): Promise<Record<string, StoredEvent[]>> {
      const byKind: Record<string, StoredEvent[]> = {};
      for (const e of await store.events.list({ subject: event.id, limit: 10_000 })) (byKind[e.kind] ??= []).push(e);
      return byKind;
    }

    it("records thirty deliveries as one summary with its counts, and the failures one by one", async () => {
      const event = await announce("mnt_1");
      const { dispatcher, deliverer, stop } = pipeline();
      await dispatcher.dispatch();
      await deliverer.kick();
      expect(smtp.count()).toBe(19);
      const outcomes = await outcomesOf(event);
      expect(Object.keys(outcomes).sort()).toEqual(["notification.dead", "notification.failed", fanoutSummaryKind]);
      expect(outcomes[fanoutSummaryKind]).toHaveLength(1);
      const at = clock.now().toISOString();
      const webhooks = { total: 10, delivered: 9, retrying: 1, waiting: 0, dead: 0, muted: 0, failed: 1 };
      expect(outcomes[fanoutSummaryKind]![0]!.data).toEqual({
        total: 30,
        delivered: 28,
        retrying: 1,
        waiting: 0,
        dead: 1,
        muted: 0,
        failed: 2,
        kinds: { email: { total: 20, delivered: 19, retrying: 0, waiting: 0, dead: 1, muted: 0, failed: 1 }, webhook: webhooks },
        first_delivered_at: at,
        last_delivered_at: at,
      });
      expect(outcomes["notification.failed"]!.map((e) => e.data["destination"])).toEqual(["subscriber:sub_flaky"]);
      expect(outcomes["notification.dead"]!.map((e) => [e.data["destination"], e.data["error"]])).toEqual([["subscriber:sub_refused", expect.stringMatching(/^not retryable: SMTP 550/)]]);

      // The retry comes due: its success follows the summary, so it is recorded on its own.
      clock.advance(2_000);
      await deliverer.kick();
      const after = await outcomesOf(event);
      expect(after["notification.delivered"]!.map((e) => [e.data["destination"], e.data["attempts"]])).toEqual([["subscriber:sub_flaky", 2]]);
      expect(after[fanoutSummaryKind]).toHaveLength(1);
      expect((await store.outbox.list({ status: "delivered", limit: 1000 })).filter((d) => d.eventId === event.id)).toHaveLength(29);
      await stop();
    });

    it("waits for the dispatcher to have written the whole fan-out, even when the deliveries written so far are done", async () => {
      const event = await announce("mnt_2");
      const { dispatcher, deliverer, stop } = pipeline();
      await dispatcher.dispatch();
      // As if the dispatcher had written these rows as a first chunk and not yet moved its cursor past the event.
      await store.outbox.setCursor(cursorName, String(BigInt(event.id) - 1n), clock.now());
      await deliverer.kick();
      expect(await store.outbox.list({ status: "pending", limit: 1000 })).toEqual([]);
      expect(await outcomesOf(event)).not.toHaveProperty(fanoutSummaryKind);
      await store.outbox.setCursor(cursorName, event.id, clock.now());
      await deliverer.kick();
      const outcomes = await outcomesOf(event);
      expect(outcomes[fanoutSummaryKind]).toHaveLength(1);
      expect(outcomes[fanoutSummaryKind]![0]!.data).toMatchObject({ total: 30, delivered: 29, dead: 1, retrying: 0, failed: 1 });
      expect(outcomes).not.toHaveProperty("notification.delivered");
      await stop();
    });

    it("counts a fan-out stopped in the middle and finished by a new deliverer on a store opened afresh", async () => {
      const now = clock.now();
      await store.subscribers.importMany(
        Array.from({ length: 170 }, (_, i): SubscriberRow => ({ id: `sub_x${String(i).padStart(3, "0")}`, kind: "webhook", address: `http://127.0.0.1:${port}/x/${i}`, componentIds: null, format: "vigil", confirmedAt: now, createdAt: now })),
      );
      delayMs = 40;
      received.length = 0;
      const event = await announce("mnt_3");
      const first = pipeline();
      await first.dispatcher.dispatch();
      const draining = first.deliverer.kick();
      await expect.poll(() => received.length, { timeout: 20_000, interval: 5 }).toBeGreaterThanOrEqual(20);
      // Stopping takes no more deliveries and records those in flight.
      await first.stop();
      await draining;
      const pending = (await store.outbox.list({ status: "pending", limit: 1000 })).filter((d) => d.eventId === event.id);
      expect(pending.length).toBeGreaterThan(0);
      expect(pending.every((d) => d.attempts === 0)).toBe(true);
      expect(await outcomesOf(event)).not.toHaveProperty(fanoutSummaryKind);
      const firstDelivered = (await store.outbox.list({ status: "delivered", limit: 1000 })).filter((d) => d.eventId === event.id).length;
      expect(firstDelivered).toBeGreaterThan(0);

      await store.close();
      store = await openStore({ url: target.url, dataDir: target.dataDir });
      clock.advance(60_000);
      delayMs = 0;
      const second = pipeline();
      await second.deliverer.kick();
      const outcomes = await outcomesOf(event);
      expect(outcomes[fanoutSummaryKind]).toHaveLength(1);
      expect(outcomes[fanoutSummaryKind]![0]!.data).toMatchObject({
        total: 200,
        delivered: 199,
        dead: 1,
        retrying: 0,
        waiting: 0,
        failed: 1,
        kinds: { email: { total: 20, delivered: 19, dead: 1 }, webhook: { total: 180, delivered: 180 } },
        first_delivered_at: now.toISOString(),
        last_delivered_at: clock.now().toISOString(),
      });
      expect(Object.keys(outcomes).sort()).toEqual(["notification.dead", fanoutSummaryKind]);
      // Each subscriber's webhook was sent once.
      expect(new Set(received).size).toBe(received.length);
      expect(received.length).toBe(180);
      await second.stop();
    }, 60_000);
  });
}
