/**
 * DNS rebinding against public webhook subscriptions: a name with a zero TTL answers a public address when Vigil checks
 * it and a private one (here the loopback address of a listening server) when the request is made. The confirmation
 * ping and every delivery must connect only to the address that was checked, so the private server never hears a thing.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SubscriberSender } from "../../src/app/notifier/subscriber-sender.ts";
import { SubscriptionService } from "../../src/app/subscriptions/service.ts";
import { parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { createPublicFetch } from "../../src/notify/public-fetch.ts";
import { incidentOpened } from "../../src/notify/channels/fixtures.test-helper.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { startHttpSink, testSendContext, type HttpSink } from "../helpers/http-sink.ts";
import { lookupVia, startRebindingDns, uncheckedFetchVia, type RebindingDns } from "../helpers/rebinding-dns.ts";
import { freshTarget, type StoreTarget } from "../helpers/stores.ts";

const publicAddress = "93.184.215.14";
const key = new Uint8Array(32).fill(7);

function configOf(): VigilConfig {
  const parsed = parseConfigText("site: { name: Acme Status }\ncomponents: [{ id: api, name: API }]\nsubscribers: { webhooks: true }\n", "vigil.yaml", {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

const message = incidentOpened();

describe("public webhooks under DNS rebinding", () => {
  let sink: HttpSink;
  let dns: RebindingDns;
  let target: StoreTarget;
  let store: Store;
  beforeAll(async () => {
    sink = await startHttpSink();
    // Each name: the public address to its first query (the check), the private one to every later query.
    dns = await startRebindingDns((_name, n) => (n === 0 ? publicAddress : "127.0.0.1"));
    // The shared PostgreSQL when there is one (quicker to create than a PGlite data dir on a busy machine).
    target = await freshTarget(process.env.VIGIL_TEST_POSTGRES_URL ? "postgres" : "pglite");
    store = await openStore({ url: target.url, dataDir: target.dataDir });
  }, 180_000);
  beforeEach(() => sink.reset());
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
    await sink?.close();
    await dns?.close();
  });

  it("never sends the confirmation ping to the private address the name turns into", async () => {
    const lines: string[] = [];
    const service = new SubscriptionService({
      store,
      clock: new ManualClock("2026-03-14T09:00:00Z"),
      logger: createLogger({ destination: new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }) }),
      config: configOf,
      publicUrl: () => "https://status.example.com",
      signingKey: async () => key,
      lookup: lookupVia(dns),
      fetch: uncheckedFetchVia(dns),
    });
    const port = new URL(sink.url).port;
    for (const n of [1, 2, 3]) {
      const outcome = await service.request({ kind: "webhook", address: `http://ping${n}.rebind.test:${port}/hook`, components: null, ip: `192.0.2.${n}` });
      expect(outcome, JSON.stringify(dns.answers)).toMatchObject({ ok: true });
      await service.idle();
    }
    await service.stop();
    // Each request: the check got the public address, the connection the private one, and refused it.
    for (const n of [1, 2, 3]) {
      expect(dns.answers.filter((a) => a.startsWith(`ping${n}.`)).slice(0, 2)).toEqual([`ping${n}.rebind.test ${publicAddress}`, `ping${n}.rebind.test 127.0.0.1`]);
      expect(lines.join("\n")).toContain(`refused: it must be reachable on the public internet: ping${n}.rebind.test resolves to 127.0.0.1, a loopback address (127.0.0.0/8)`);
    }
    expect(sink.requests).toEqual([]);
  });

  it("never delivers to the private address the name turns into after its check", async () => {
    const now = new Date("2026-03-14T09:00:00Z");
    const port = new URL(sink.url).port;
    await store.subscribers.confirm({ id: "sub_rebind", kind: "webhook", address: `http://deliver.rebind.test:${port}/hook`, componentIds: null, format: "vigil", confirmedAt: now, createdAt: now });
    const sender = new SubscriberSender({ store, config: configOf, publicUrl: () => "https://status.example.com", signingKey: async () => key, lookup: lookupVia(dns) });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await sender.send("subscriber:sub_rebind", message, { ...testSendContext(), fetch: uncheckedFetchVia(dns) }));
    sender.close();
    expect(sink.requests).toEqual([]);
    expect(results).toEqual(
      Array.from({ length: 3 }, () => ({ ok: false, retryable: false, error: "refused: it must be reachable on the public internet: [webhook host] resolves to 127.0.0.1, a loopback address (127.0.0.0/8)" })),
    );
    expect(dns.answers.filter((a) => a.startsWith("deliver.")).slice(0, 2)).toEqual(["deliver.rebind.test 93.184.215.14", "deliver.rebind.test 127.0.0.1"]);
  });

  it("refuses an IP literal that is not public and a name with any private address, connecting to neither", async () => {
    const { fetch: publicFetch, close } = createPublicFetch({ lookup: async () => [{ address: publicAddress, family: 4 }, { address: "10.0.0.7", family: 4 }] });
    try {
      for (const url of [`${sink.url}/a`, `http://[::ffff:127.0.0.1]:${new URL(sink.url).port}/b`, "http://mixed.example.com/c"]) {
        await expect(publicFetch(url, { method: "POST", body: "{}" })).rejects.toMatchObject({ cause: { code: "ERR_PRIVATE_ADDRESS" } });
      }
    } finally {
      await close();
    }
    expect(sink.requests).toEqual([]);
  });
});
