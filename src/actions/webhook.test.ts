import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHttpSink, type HttpSink } from "../../test/helpers/http-sink.ts";
import { verifyWebhookSignature } from "../notify/signature.ts";
import { actionContext, factsFixture } from "./fixtures.test-helper.ts";
import { WebhookActionConfig, webhookAction } from "./webhook.ts";

const newKey = "whsec-new-2026-rotation";
const oldKey = "whsec-old-2025-rotation";

describe("webhook action", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.reset());

  /** A receiver that knows one key: it accepts a request only when a signature checks with it. */
  const receiverKnowing = (key: string) =>
    sink.reply((request) => {
      const check = verifyWebhookSignature(request.rawBody, request.headers, key, new Date());
      return check.ok ? { status: 200, body: "resynced" } : { status: 401, body: { error: `signature ${check.reason}` } };
    });
  const config = (overrides: Record<string, unknown> = {}) => WebhookActionConfig.parse({ url: `${sink.url}/hooks/scale`, secrets: [newKey, oldKey], ...overrides });

  it("sends the run's facts as JSON, with its idempotency key, signed with every secret during a rotation", async () => {
    for (const key of [oldKey, newKey]) {
      sink.reset();
      receiverKnowing(key);
      expect(await webhookAction.run(config(), factsFixture(), actionContext())).toEqual({ ok: true, output: `${sink.host} answered 200: resynced` });
    }
    const request = sink.only();
    expect(request.headers["idempotency-key"]).toBe("action:run_test1");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(String(request.headers["vigil-signature"]).split(",")).toHaveLength(2);
    expect(request.body).toEqual({ event: "action.run", ...factsFixture() });
  });

  it("sends a run's window, and reads the count of records a JSON answer says it resynced", async () => {
    const window = { id: "orders-db@2026-12-01T09:59:30.000Z", component: "orders-db", start: "2026-12-01T09:59:30.000Z", earliest_possible_start: null, confirmed_start: "2026-12-01T10:00:00.000Z", end: "2026-12-01T10:31:40.000Z", worst: "major_outage", incidents: ["inc_orders"] };
    sink.reply({ status: 200, body: { resynced: 42, note: "orders" } });
    expect(await webhookAction.run(config(), { ...factsFixture(), window }, actionContext())).toEqual({ ok: true, output: `${sink.host} answered 200: {"resynced":42,"note":"orders"}`, resynced: 42 });
    expect((sink.only().body as { window: unknown }).window).toEqual(window);
    // Any other answer says no count.
    for (const [body, said] of [["42", ": 42"], [{ resynced: "42" }, ': {"resynced":"42"}'], ["<html>ok</html>", ""]] as const) {
      sink.reset();
      sink.reply({ status: 200, body });
      expect(await webhookAction.run(config(), factsFixture(), actionContext())).toEqual({ ok: true, output: `${sink.host} answered 200${said}` });
    }
  });

  it("keeps what the receiver answered as the output, with the action's secrets redacted", async () => {
    sink.reply({ status: 200, body: { kind: "Scale", spec: { replicas: 3 }, echoed: "Bearer receiver-token-123" } });
    const result = await webhookAction.run(config({ headers: { Authorization: "Bearer receiver-token-123" } }), factsFixture(), actionContext());
    expect(result).toEqual({ ok: true, output: `${sink.host} answered 200: {"kind":"Scale","spec":{"replicas":3},"echoed":"[redacted]"}` });
  });

  it("is refused by a receiver that knows neither key, and says so without the secrets", async () => {
    receiverKnowing("whsec-some-other-key");
    const result = await webhookAction.run(config({ headers: { Authorization: "Bearer receiver-token-123" } }), factsFixture(), actionContext());
    expect(result).toEqual({ ok: false, retryable: false, error: `${sink.host} answered 401: signature mismatch` });
    expect(JSON.stringify(result)).not.toContain("receiver-token-123");
    expect(sink.only().headers.authorization).toBe("Bearer receiver-token-123");
  });

  it("signs nothing without secrets, and asks for another attempt when the receiver fails", async () => {
    sink.reply({ status: 503, body: "busy", headers: { "retry-after": "7" } });
    const result = await webhookAction.run(config({ secrets: undefined }), factsFixture(), actionContext());
    expect(result).toEqual({ ok: false, retryable: true, error: `${sink.host} answered 503: busy`, retryAfterMs: 7_000 });
    expect(sink.only().headers["vigil-signature"]).toBeUndefined();
  });
});
