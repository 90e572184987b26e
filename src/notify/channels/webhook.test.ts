import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeDeliveryOutcomes, sinkNow, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { samplePageView } from "../../../test/helpers/page-view.ts";
import { v2Incidents, v2ScheduledMaintenances, v2Components, v2WebhookObjects } from "../../statuspage/render/v2.ts";
import { incidentOpened, incidentResolved, maintenanceStarted, monitorDown } from "./fixtures.test-helper.ts";
import { statuspageWebhookDocs, verifyWebhookSignature, WebhookConfig, webhookChannel, webhookSignature } from "./webhook.ts";

const secret = "whsec-7c1f0a9e5b2d4c6a8e0f";
const config = (base: string, extra: Record<string, unknown> = {}) => WebhookConfig.parse({ url: `${base}/hooks/vigil?token=qTr9LmZx2Kp`, ...extra });
const nowS = Math.floor(sinkNow.getTime() / 1000);

describe("webhook: Vigil's format", () => {
  it("renders the message with ISO dates and snake_case keys", () => {
    expect(webhookChannel.render(incidentOpened(), config("https://hooks.example.com"))).toEqual({
      event: "incident.created",
      id: "4711",
      at: "2026-03-14T09:26:53.000Z",
      site: { name: "Acme Status", url: "https://status.acme.test" },
      severity: "critical",
      title: "[Critical] Orders database outage: investigating",
      text: "Connections to the orders database are failing; checkout is unavailable.\nAffected: Orders database (major outage), Production API (partial outage).",
      markdown: "Connections to the **orders database** are failing; checkout is unavailable.",
      url: "https://status.acme.test/incidents/inc-42",
      dedup_key: "vigil:incident:inc-42",
      incident: {
        id: "inc-42",
        name: "Orders database outage",
        status: "investigating",
        impact: "critical",
        started_at: "2026-03-14T09:25:41.000Z",
        resolved_at: null,
        root_components: ["orders-db"],
        impacted_components: ["api"],
      },
      components: [
        { id: "orders-db", name: "Orders database", group: "Data stores", status: "major_outage", previous_status: "operational" },
        { id: "api", name: "Production API", group: null, status: "partial_outage", previous_status: "operational" },
      ],
      labels: { region: "eu-west", monitor: "orders-db-mysql" },
    });
    expect(webhookChannel.render(incidentResolved(), config("https://hooks.example.com"))).toMatchObject({ event: "incident.resolved", incident: { resolved_at: "2026-03-14T10:02:10.000Z" } });
    expect(webhookChannel.render(monitorDown(), config("https://hooks.example.com"))).toMatchObject({ event: "monitor.down", incident: null });
  });
});

describe("webhook: Statuspage's format", () => {
  const sp = (base: string) => config(base, { format: "statuspage", page_id: "jb7j80lkgqvb" });

  it("renders an incident update as Statuspage's webhook does: meta, page, incident with its update and components", () => {
    const body = webhookChannel.render(incidentOpened(), sp("https://hooks.example.com"));
    expect(body).toEqual({
      meta: { unsubscribe: "https://status.acme.test", documentation: statuspageWebhookDocs, generated_at: "2026-03-14T09:26:53.000Z" },
      page: { id: "jb7j80lkgqvb", status_indicator: "critical", status_description: "Major Service Outage" },
      incident: {
        name: "Orders database outage",
        status: "investigating",
        created_at: "2026-03-14T09:25:41.000Z",
        updated_at: "2026-03-14T09:26:53.000Z",
        monitoring_at: null,
        resolved_at: null,
        impact: "critical",
        shortlink: "https://status.acme.test/incidents/inc-42",
        postmortem_ignored: false,
        postmortem_body: null,
        postmortem_body_last_updated_at: null,
        postmortem_published_at: null,
        postmortem_notified_subscribers: false,
        postmortem_notified_twitter: false,
        backfilled: false,
        scheduled_for: null,
        scheduled_until: null,
        scheduled_remind_prior: false,
        scheduled_reminded_at: null,
        impact_override: null,
        scheduled_auto_in_progress: false,
        scheduled_auto_completed: false,
        started_at: "2026-03-14T09:25:41.000Z",
        id: "inc-42",
        page_id: "jb7j80lkgqvb",
        incident_updates: [
          {
            status: "investigating",
            body: "Connections to the **orders database** are failing; checkout is unavailable.",
            created_at: "2026-03-14T09:26:53.000Z",
            wants_twitter_update: false,
            twitter_updated_at: null,
            updated_at: "2026-03-14T09:26:53.000Z",
            display_at: "2026-03-14T09:26:53.000Z",
            affected_components: [
              { code: "orders-db", name: "Orders database", old_status: "operational", new_status: "major_outage" },
              { code: "api", name: "Production API", old_status: "operational", new_status: "partial_outage" },
            ],
            custom_tweet: null,
            deliver_notifications: true,
            id: "4711",
            incident_id: "inc-42",
          },
        ],
        components: [
          {
            status: "major_outage",
            name: "Orders database",
            created_at: "2026-03-14T09:26:53.000Z",
            updated_at: "2026-03-14T09:26:53.000Z",
            position: 1,
            description: null,
            showcase: true,
            id: "orders-db",
            page_id: "jb7j80lkgqvb",
            group_id: "group-data-stores",
          },
          {
            status: "partial_outage",
            name: "Production API",
            created_at: "2026-03-14T09:26:53.000Z",
            updated_at: "2026-03-14T09:26:53.000Z",
            position: 2,
            description: null,
            showcase: true,
            id: "api",
            page_id: "jb7j80lkgqvb",
            group_id: null,
          },
        ],
      },
    });
  });

  it("says the page is operational once the incident is resolved", () => {
    const body = webhookChannel.render(incidentResolved(), sp("https://hooks.example.com"));
    expect(body).toMatchObject({
      page: { status_indicator: "none", status_description: "All Systems Operational" },
      incident: { status: "resolved", resolved_at: "2026-03-14T10:02:10.000Z" },
    });
  });

  it("renders a monitor outside an incident as a component update", () => {
    expect(webhookChannel.render(monitorDown(), sp("https://hooks.example.com"))).toEqual({
      meta: { unsubscribe: "https://status.acme.test", documentation: statuspageWebhookDocs, generated_at: "2026-03-14T09:25:43.000Z" },
      page: { id: "jb7j80lkgqvb", status_indicator: "major", status_description: "Partial System Outage" },
      component_update: { old_status: "operational", new_status: "partial_outage", created_at: "2026-03-14T09:25:43.000Z", component_type: "Component", id: "4702", component_id: "search" },
      component: {
        status: "partial_outage",
        name: "Search",
        created_at: "2026-03-14T09:25:43.000Z",
        updated_at: "2026-03-14T09:25:43.000Z",
        position: 1,
        description: null,
        showcase: true,
        id: "search",
        page_id: "jb7j80lkgqvb",
        group_id: null,
      },
    });
    expect(webhookChannel.render(maintenanceStarted(), sp("https://hooks.example.com"))).toMatchObject({
      page: { status_indicator: "maintenance", status_description: "Service Under Maintenance" },
      component_update: { new_status: "under_maintenance" },
    });
  });

  it("uses the status page's host name as page id only for a message without the /api/v2 objects", () => {
    expect(webhookChannel.render(monitorDown(), config("https://hooks.example.com", { format: "statuspage" }))).toMatchObject({ page: { id: "status.acme.test" } });
  });

  describe("with the /api/v2 objects of the message", () => {
    const view = samplePageView();
    const plain = config("https://hooks.example.com", { format: "statuspage" });
    const incidentId = "inc_00000000000000a1";

    it("sends the incident, its updates and its components exactly as /api/v2 serves them, with /api/v2's page id and status", () => {
      const statuspage = v2WebhookObjects(view, { incidentId, componentIds: ["orders-db", "api"] });
      const body = webhookChannel.render(incidentOpened({ statuspage, incident: { ...incidentOpened().incident!, id: incidentId } }), plain) as unknown as { page: unknown; incident: Record<string, unknown> };
      expect(body.page).toEqual({ id: "acmestatus01", status_indicator: "critical", status_description: "Major System Outage" });
      const { backfilled, scheduled_for, scheduled_until, scheduled_remind_prior, scheduled_reminded_at, impact_override, scheduled_auto_in_progress, scheduled_auto_completed, ...rest } = body.incident;
      expect(rest).toEqual(v2Incidents(view).incidents.find((i) => i.id === incidentId));
      expect({ backfilled, scheduled_for, scheduled_until, scheduled_remind_prior, scheduled_reminded_at, impact_override, scheduled_auto_in_progress, scheduled_auto_completed }).toEqual({
        backfilled: false,
        scheduled_for: null,
        scheduled_until: null,
        scheduled_remind_prior: false,
        scheduled_reminded_at: null,
        impact_override: null,
        scheduled_auto_in_progress: false,
        scheduled_auto_completed: false,
      });
      // A page id set on the channel replaces /api/v2's everywhere.
      expect(JSON.stringify(webhookChannel.render(incidentOpened({ statuspage, incident: { ...incidentOpened().incident!, id: incidentId } }), sp("https://hooks.example.com")))).not.toContain("acmestatus01");
    });

    it("sends a maintenance as an incident with scheduled_for and scheduled_until, as /api/v2 serves it, never as a component update", () => {
      const maintenance = v2ScheduledMaintenances(view).scheduled_maintenances[0]!;
      const statuspage = v2WebhookObjects(view, { maintenanceId: maintenance.id, componentIds: ["orders-db"] });
      const body = webhookChannel.render({ ...maintenanceStarted(), statuspage }, plain) as unknown as { incident: Record<string, unknown>; component_update?: unknown };
      expect(body.component_update).toBeUndefined();
      const { backfilled: _b, scheduled_remind_prior: _p, scheduled_reminded_at: _r, impact_override: _o, scheduled_auto_in_progress: _i, scheduled_auto_completed: _c, ...rest } = body.incident;
      expect(rest).toEqual(maintenance);
      expect(body.incident).toMatchObject({ impact: "maintenance", scheduled_for: maintenance.scheduled_for, scheduled_until: maintenance.scheduled_until });
    });

    it("sends a component update with the component's /api/v2 row, and nothing when no component changed", () => {
      const statuspage = v2WebhookObjects(view, { componentIds: ["checkout"] });
      const down = { ...monitorDown(), statuspage, components: [{ id: "checkout", name: "Checkout <beta>", group: null, status: "degraded_performance", previousStatus: "operational" }] };
      expect(webhookChannel.render(down, plain)).toMatchObject({
        page: { id: "acmestatus01" },
        component_update: { old_status: "operational", new_status: "degraded_performance", component_id: "checkout" },
        component: v2Components(view).components.find((r) => r.id === "checkout"),
      });
      const unchanged = { ...down, components: [{ ...down.components[0]!, previousStatus: null }] };
      expect(webhookChannel.render(unchanged, plain)).toBeNull();
      expect(webhookChannel.render({ ...maintenanceStarted(), components: [{ ...maintenanceStarted().components[0]!, previousStatus: null }] }, plain)).toBeNull();
    });

    it("says nothing was sent for a null body", async () => {
      expect(await webhookChannel.send(null, plain, testSendContext())).toEqual({ ok: true, detail: "not sent: nothing that Statuspage's format reports changed" });
    });
  });
});

describe("webhook: sending and signatures", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.reset());

  it("posts the body with an Idempotency-Key and no signature when there is no secret", async () => {
    const cfg = config(sink.url);
    expect(await webhookChannel.send(webhookChannel.render(incidentOpened(), cfg), cfg, testSendContext())).toEqual({ ok: true, detail: `${sink.host} answered 200` });
    const request = sink.only();
    expect(request).toMatchObject({ method: "POST", path: "/hooks/vigil?token=qTr9LmZx2Kp" });
    expect(request.headers).toMatchObject({ "content-type": "application/json", "idempotency-key": "4711:oncall", "user-agent": "Vigil" });
    expect(request.headers["vigil-signature"]).toBeUndefined();
    expect(request.body).toEqual(webhookChannel.render(incidentOpened(), cfg));
  });

  it("signs `<timestamp>.<raw body>` with HMAC-SHA256, and the receiver's check accepts it", async () => {
    const cfg = config(sink.url, { secret, headers: { Authorization: "Bearer receiver-token-123" } });
    await webhookChannel.send(webhookChannel.render(incidentOpened(), cfg), cfg, testSendContext());
    const request = sink.only();
    expect(request.headers["vigil-timestamp"]).toBe(String(nowS));
    const expected = createHmac("sha256", secret).update(`${nowS}.${request.rawBody}`).digest("hex");
    expect(request.headers["vigil-signature"]).toBe(`v1=${expected}`);
    expect(request.headers["authorization"]).toBe("Bearer receiver-token-123");
    expect(verifyWebhookSignature(request.rawBody, request.headers, secret, sinkNow)).toEqual({ ok: true });
    // fetch's Headers and a Buffer body work too.
    const headers = new Headers({ "Vigil-Timestamp": String(nowS), "Vigil-Signature": String(request.headers["vigil-signature"]) });
    expect(verifyWebhookSignature(Buffer.from(request.rawBody), headers, secret, sinkNow)).toEqual({ ok: true });
  });

  it("refuses a tampered body, another secret, an old or future timestamp, and missing or malformed headers", () => {
    const body = JSON.stringify({ event: "test", id: "1" });
    const headers = { "vigil-timestamp": String(nowS), "vigil-signature": webhookSignature(body, nowS, secret) };
    expect(verifyWebhookSignature(body, headers, secret, sinkNow)).toEqual({ ok: true });
    expect(verifyWebhookSignature(body.replace('"1"', '"2"'), headers, secret, sinkNow)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyWebhookSignature(body, headers, "another-secret", sinkNow)).toEqual({ ok: false, reason: "mismatch" });
    // Replayed later than the window, or stamped too far ahead.
    expect(verifyWebhookSignature(body, headers, secret, new Date(sinkNow.getTime() + 301_000))).toEqual({ ok: false, reason: "expired" });
    expect(verifyWebhookSignature(body, headers, secret, new Date(sinkNow.getTime() - 301_000))).toEqual({ ok: false, reason: "expired" });
    expect(verifyWebhookSignature(body, headers, secret, new Date(sinkNow.getTime() + 299_000))).toEqual({ ok: true });
    expect(verifyWebhookSignature(body, headers, secret, new Date(sinkNow.getTime() + 3_600_000), 7200)).toEqual({ ok: true });
    // A signature made for another timestamp does not hold for this one.
    const moved = { ...headers, "vigil-timestamp": String(nowS - 1) };
    expect(verifyWebhookSignature(body, moved, secret, sinkNow)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyWebhookSignature(body, { "vigil-signature": headers["vigil-signature"] }, secret, sinkNow)).toEqual({ ok: false, reason: "missing" });
    expect(verifyWebhookSignature(body, { ...headers, "vigil-timestamp": "soon" }, secret, sinkNow)).toEqual({ ok: false, reason: "malformed" });
    expect(verifyWebhookSignature(body, { ...headers, "vigil-signature": "v0=abc" }, secret, sinkNow)).toEqual({ ok: false, reason: "malformed" });
  });

  it("accepts any v1 entry of a list, as while a secret is rotated", () => {
    const body = "{}";
    const both = `${webhookSignature(body, nowS, "old-secret")},${webhookSignature(body, nowS, secret)}`;
    expect(verifyWebhookSignature(body, { "Vigil-Timestamp": String(nowS), "Vigil-Signature": both }, secret, sinkNow)).toEqual({ ok: true });
  });

  it("sends the statuspage format the same way", async () => {
    const cfg = config(sink.url, { format: "statuspage", secret });
    await webhookChannel.send(webhookChannel.render(monitorDown(), cfg), cfg, testSendContext());
    const request = sink.only();
    expect(request.body).toMatchObject({ component_update: { component_id: "search" } });
    expect(verifyWebhookSignature(request.rawBody, request.headers, secret, sinkNow).ok).toBe(true);
  });

  it("validates its configuration", () => {
    expect(WebhookConfig.safeParse({ url: "ftp://example.com" }).success).toBe(false);
    expect(WebhookConfig.safeParse({ url: "https://example.com", format: "xml" }).success).toBe(false);
    expect(WebhookConfig.safeParse({ url: "https://example.com", headers: { "Bad Name": "x" } }).success).toBe(false);
    expect(WebhookConfig.safeParse({ url: "https://example.com", secet: "x" }).success).toBe(false);
    expect(WebhookConfig.parse({ url: "https://example.com" })).toEqual({ url: "https://example.com", format: "vigil" });
  });
});

describeDeliveryOutcomes("webhook", () => ({
  send: (base, ctx) => {
    const cfg = config(base, { secret, headers: { authorization: "Bearer receiver-token-123" } });
    return webhookChannel.send(webhookChannel.render(incidentOpened(), cfg), cfg, ctx);
  },
  secrets: ["qTr9LmZx2Kp", "/hooks/vigil", secret, "receiver-token-123"],
  success: { status: 204 },
}));
