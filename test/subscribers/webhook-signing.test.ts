/**
 * Public subscriber webhooks are signed as team webhooks are (Vigil-Timestamp, Vigil-Signature: v1=HMAC-SHA256 of
 * "<timestamp>.<raw body>"), under a secret the confirmation ping gives the webhook once. The check here is written
 * from the documented scheme with node:crypto alone, not with Vigil's own verifier.
 */
import { createHmac } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubscriberSender } from "../../src/app/notifier/subscriber-sender.ts";
import { SubscriptionService } from "../../src/app/subscriptions/service.ts";
import { parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { incidentOpened } from "../../src/notify/channels/fixtures.test-helper.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { startHttpSink, testSendContext, type HttpSink, type SinkRequest } from "../helpers/http-sink.ts";
import { freshTarget, type StoreTarget } from "../helpers/stores.ts";

const key = new Uint8Array(32).fill(9);
const config = (): VigilConfig => {
  const parsed = parseConfigText("site: { name: Acme Status }\ncomponents: [{ id: api, name: API }]\nsubscribers: { allow_private_webhooks: true }\n", "vigil.yaml", {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
};
const message = incidentOpened();

/** The receiver's check, from the documentation. */
function verified(request: SinkRequest, secret: string): boolean {
  const timestamp = String(request.headers["vigil-timestamp"] ?? "");
  const signature = String(request.headers["vigil-signature"] ?? "");
  const expected = `v1=${createHmac("sha256", secret).update(`${timestamp}.${request.rawBody}`).digest("hex")}`;
  return /^\d+$/.test(timestamp) && signature.split(",").map((s) => s.trim()).includes(expected);
}

describe("signed subscriber webhooks", () => {
  let sink: HttpSink;
  let target: StoreTarget;
  let store: Store;
  beforeAll(async () => {
    sink = await startHttpSink();
    target = await freshTarget(process.env.VIGIL_TEST_POSTGRES_URL ? "postgres" : "pglite");
    store = await openStore({ url: target.url, dataDir: target.dataDir });
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
    await sink?.close();
  });

  it("gives the webhook its secret once, in the confirmation ping, and signs every delivery with it", async () => {
    const service = new SubscriptionService({
      store,
      clock: new ManualClock("2026-03-14T09:00:00Z"),
      logger: createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
      config,
      publicUrl: () => "https://status.example.com",
      signingKey: async () => key,
    });
    const url = `${sink.url}/hooks/acme`;
    expect((await service.request({ kind: "webhook", address: url, components: null, ip: "192.0.2.1" })).ok).toBe(true);
    await service.stop();
    const ping = sink.only();
    const secret = (ping.body as { signing_secret?: unknown }).signing_secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(verified(ping, secret as string)).toBe(true);

    const now = new Date("2026-03-14T09:00:00Z");
    await store.subscribers.confirm({ id: "sub_signed", kind: "webhook", address: url, componentIds: null, format: "vigil", confirmedAt: now, createdAt: now });
    await store.subscribers.confirm({ id: "sub_sp", kind: "webhook", address: `${sink.url}/hooks/other`, componentIds: null, format: "statuspage", confirmedAt: now, createdAt: now });
    const sender = new SubscriberSender({ store, config, publicUrl: () => "https://status.example.com", signingKey: async () => key });
    sink.reset();
    expect(await sender.send("subscriber:sub_signed", message, testSendContext())).toMatchObject({ ok: true });
    expect(await sender.send("subscriber:sub_sp", message, testSendContext())).toMatchObject({ ok: true });
    sender.close();
    const [delivery, other] = sink.requests;
    expect(verified(delivery!, secret as string)).toBe(true);
    // Each webhook has its own secret: one subscriber's cannot sign for another.
    expect(verified(other!, secret as string)).toBe(false);
    expect(other!.headers["vigil-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);
    // A changed body does not verify.
    expect(verified({ ...delivery!, rawBody: delivery!.rawBody.replace("outage", "0utage") }, secret as string)).toBe(false);
  });
});
