// The notification pipeline end to end in a running Vigil: timeline events become outbox rows, delivered
// to a local webhook receiver with the idempotency key and a verifiable signature, in order per incident
// (the resolution after the alert), retried after failures and given up (dead, listed by the API) when the
// receiver refuses; a test message through the API; dependents inhibited behind their root's page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { main } from "../../src/cli/main.ts";
import { systemClock } from "../../src/core/clock.ts";
import { verifyWebhookSignature } from "../../src/notify/channels/webhook.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = (sink: string) => `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database }
  - { id: api, name: Production API, depends_on: [orders-db] }
  - { id: mail, name: Mail }
notifications:
  grouping: { group_interval: 1s }
  channels:
    - { id: oncall, type: webhook, url: "${sink}/hook", secret: "whsec-test" }
    - { id: audit, type: webhook, url: "${sink}/audit" }
  routes:
    - { channels: [oncall], match: { kind: "incident.*" }, continue: true }
    - { channels: [audit], match: { component: mail } }
`;

describe("notifications", () => {
  let sink: HttpSink;
  let test: TestVigil;
  const hooks = () => sink.requests.filter((r) => r.path === "/hook");

  beforeAll(async () => {
    sink = await startHttpSink();
    test = await startTestVigil(config(sink.url));
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
    await sink?.close();
  });

  it("delivers an incident's alert and then its resolution, signed, with an idempotency key per event and channel", async () => {
    const created = await test.send("POST", "/api/v1/incidents", { name: "Orders database outage", body: "Looking into it.", components: { "orders-db": "major_outage" } });
    await expect.poll(() => hooks().length, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(1);
    await test.send("POST", `/api/v1/incidents/${created.json.id}/resolve`, { body: "Fixed." });
    await expect.poll(() => hooks().map((r) => (r.body as { event: string }).event), { timeout: 10_000, interval: 50 }).toEqual(["incident.created", "incident.resolved"]);
    const [alert] = hooks();
    expect(alert!.body).toMatchObject({ event: "incident.created", incident: { id: created.json.id, name: "Orders database outage" } });
    expect(alert!.headers["idempotency-key"]).toMatch(/^\d+:oncall$/);
    expect(verifyWebhookSignature(alert!.rawBody, alert!.headers, "whsec-test", new Date())).toMatchObject({ ok: true });
    expect(verifyWebhookSignature(alert!.rawBody.replace("Orders", "Billing"), alert!.headers, "whsec-test", new Date())).toMatchObject({ ok: false });
    // The audit channel's route matches only mail: nothing went there.
    expect(sink.requests.filter((r) => r.path === "/audit")).toEqual([]);
    const delivered = (await test.get("/api/v1/deliveries?status=delivered&destination=oncall")).json.deliveries;
    expect(delivered.length).toBe(hooks().length);
    const events = (await test.vigil.store.events.list({ kind: "notification.delivered" })).map((e) => e.data["destination"]);
    expect(events.filter((d) => d === "oncall").length).toBe(hooks().length);
  });

  it("retries a receiver that fails, and gives up on one that refuses, listing it as dead", async () => {
    sink.reset();
    let calls = 0;
    sink.reply((request) => (request.path === "/audit" ? { status: 400, body: "bad" } : ++calls <= 2 ? { status: 503, body: "busy" } : { status: 200, body: "ok" }));
    await test.send("POST", "/api/v1/incidents", { name: "Mail delays", body: "Mail is slow.", components: { mail: "degraded_performance" } });
    await expect.poll(() => hooks().filter((r) => r.body !== undefined).length, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    const keys = hooks().map((r) => r.headers["idempotency-key"]);
    // The same delivery, retried: the same key each time.
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect((await test.vigil.store.events.list({ kind: "notification.failed" })).length).toBeGreaterThanOrEqual(2);
    await expect.poll(async () => (await test.get("/api/v1/deliveries?status=dead")).json.deliveries.map((d: { destination: string }) => d.destination), { timeout: 10_000, interval: 100 }).toEqual(["audit"]);
    const [dead] = (await test.get("/api/v1/deliveries?status=dead")).json.deliveries;
    expect(dead.last_error).toMatch(/^not retryable: .*400/);
    expect(dead.last_error).not.toContain("/audit");
  });

  it("queues a dead delivery again at an admin's request, and delivers it once the receiver takes it", async () => {
    const [dead] = (await test.get("/api/v1/deliveries?status=dead")).json.deliveries;
    expect(dead).toMatchObject({ destination: "audit", kind: "incident.created" });
    const admin = (await createToken({ store: test.vigil.store, clock: systemClock }, { name: "ops", scope: "admin", actor: "test" })).token;
    const retry = async (id: string) => {
      const res = await fetch(`${test.vigil.url}/api/v1/deliveries/${id}/retry`, { method: "POST", headers: { authorization: `Bearer ${admin}` } });
      return { status: res.status, json: await res.json() };
    };
    // Retrying needs channels.write (admin): the publish token is refused.
    expect((await test.send("POST", `/api/v1/deliveries/${dead.id}/retry`)).status).toBe(403);
    sink.reset();
    const retried = await retry(dead.id);
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ id: dead.id, status: "pending", attempts: 0, destination: "audit", idempotency_key: dead.idempotency_key, last_error: dead.last_error, created_at: dead.created_at });
    await expect.poll(() => sink.requests.filter((r) => r.path === "/audit").length, { timeout: 10_000, interval: 50 }).toBe(1);
    const [sent] = sink.requests.filter((r) => r.path === "/audit");
    expect(sent!.headers["idempotency-key"]).toBe(dead.idempotency_key);
    expect(sent!.body).toMatchObject({ event: "incident.created", incident: { name: "Mail delays" } });
    await expect.poll(async () => (await test.get("/api/v1/deliveries?destination=audit")).json.deliveries[0], { timeout: 10_000, interval: 50 }).toMatchObject({ id: dead.id, status: "delivered", attempts: 1, last_error: null });
    // Only a dead delivery may be retried: the refusal names the status.
    const again = await retry(dead.id);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe(`delivery ${dead.id} is delivered: only a dead (given up) delivery can be retried`);
    const unknown = await retry("999999");
    expect([unknown.status, unknown.json.error.message]).toEqual([404, "no delivery with id 999999"]);
    expect(sink.requests.filter((r) => r.path === "/audit")).toHaveLength(1);
    const audited = (await test.vigil.store.audit.list({}, 100)).filter((e) => e.operation === "retryDelivery");
    expect(audited.map((e) => [e.actor, e.action, e.targetId, e.status])).toEqual([
      ["token:ops", "channels.write", "999999", 404],
      ["token:ops", "channels.write", dead.id, 409],
      ["token:ops", "channels.write", dead.id, 200],
    ]);
  });

  it("sends a test message through a channel on request", async () => {
    sink.reset();
    const result = await test.send("POST", "/api/v1/channels/oncall/test");
    expect(result.json).toMatchObject({ channel: "oncall", ok: true });
    expect(sink.only().body).toMatchObject({ event: "test" });
    expect((await test.send("POST", "/api/v1/channels/nope/test")).status).toBe(404);
    expect((await test.get("/api/v1/channels")).json).toEqual({ channels: [{ id: "oncall", type: "webhook" }, { id: "audit", type: "webhook" }] });
  });

  it("sends a test message from the command line, and says when the receiver refuses it", async () => {
    sink.reset();
    let out = "";
    let err = "";
    const io = { env: { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.writeToken }, cwd: process.cwd(), stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), isTty: false };
    expect(await main(["node", "vigil", "notify", "test", "--channel", "oncall"], io)).toBe(0);
    expect(out).toBe(`sent a test message through oncall (${sink.host} answered 200)\n`);
    sink.reply({ status: 410, body: "gone" });
    expect(await main(["node", "vigil", "notify", "test", "--channel", "oncall"], io)).toBe(1);
    expect(err).toMatch(/^the test message through oncall failed: .*410/);
    expect(err).not.toContain("/hook");
  });
});
