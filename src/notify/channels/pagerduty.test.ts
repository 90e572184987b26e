import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeDeliveryOutcomes, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { incidentIdentified, incidentOpened, incidentResolved, maintenanceStarted, monitorDown } from "./fixtures.test-helper.ts";
import { PagerDutyConfig, pagerDutyChannel, pagerDutyEventsUrl } from "./pagerduty.ts";

const routingKey = "R0ab12cd34ef56ab78cd90ef12ab34cd";
const config = (base?: string) => PagerDutyConfig.parse(base === undefined ? { routing_key: routingKey } : { routing_key: routingKey, url: `${base}/v2/enqueue` });

describe("pagerduty", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.reset());

  it("defaults to the Events API v2 endpoint", () => {
    expect(config().url).toBe(pagerDutyEventsUrl);
    expect(pagerDutyEventsUrl).toBe("https://events.pagerduty.com/v2/enqueue");
  });

  it("triggers an alert for a new incident, keyed by the dedup key", () => {
    expect(pagerDutyChannel.render(incidentOpened(), config())).toEqual({
      routing_key: routingKey,
      event_action: "trigger",
      dedup_key: "vigil:incident:inc-42",
      payload: {
        summary: "[Critical] Orders database outage: investigating",
        source: "status.acme.test",
        severity: "critical",
        timestamp: "2026-03-14T09:26:53.000Z",
        component: "Orders database",
        group: "Data stores",
        class: "incident.created",
        custom_details: {
          text: "Connections to the orders database are failing; checkout is unavailable.\nAffected: Orders database (major outage), Production API (partial outage).",
          event: "incident.created",
          event_id: "4711",
          incident: { id: "inc-42", name: "Orders database outage", status: "investigating", impact: "critical", started_at: "2026-03-14T09:25:41.000Z" },
          components: ["Orders database: major outage (was operational)", "Production API: partial outage (was operational)"],
          labels: { region: "eu-west", monitor: "orders-db-mysql" },
        },
      },
      links: [{ href: "https://status.acme.test/incidents/inc-42", text: "View incident" }],
      client: "Vigil (Acme Status)",
      client_url: "https://status.acme.test",
    });
  });

  it("maps severities, and cuts the summary at 1024 characters", () => {
    const severity = (s: "none" | "minor" | "major" | "critical") => (pagerDutyChannel.render(incidentOpened({ severity: s }), config()) as { payload: { severity: string } }).payload.severity;
    expect([severity("critical"), severity("major"), severity("minor"), severity("none")]).toEqual(["critical", "error", "warning", "info"]);
    const long = pagerDutyChannel.render(incidentOpened({ title: "x".repeat(2000) }), config()) as { payload: { summary: string } };
    expect(long.payload.summary).toHaveLength(1024);
  });

  it("acknowledges on identified, resolves at the end with nothing but the alert's identity, and skips maintenance", () => {
    expect(pagerDutyChannel.render(incidentIdentified(), config())).toEqual({ routing_key: routingKey, event_action: "acknowledge", dedup_key: "vigil:incident:inc-42" });
    expect(pagerDutyChannel.render(incidentResolved(), config())).toEqual({ routing_key: routingKey, event_action: "resolve", dedup_key: "vigil:incident:inc-42" });
    expect(pagerDutyChannel.render({ ...monitorDown(), kind: "monitor.up" }, config())).toEqual({ routing_key: routingKey, event_action: "resolve", dedup_key: "vigil:monitor:search-http" });
    expect(pagerDutyChannel.render(monitorDown(), config())).toMatchObject({ event_action: "trigger", payload: { severity: "error", component: "Search", class: "monitor.down" } });
    expect(pagerDutyChannel.render(maintenanceStarted(), config())).toBeNull();
  });

  it("posts the event; PagerDuty's 202 is delivered", async () => {
    sink.reply({ status: 202, body: { status: "success", message: "Event processed", dedup_key: "vigil:incident:inc-42" } });
    const cfg = config(sink.url);
    expect(await pagerDutyChannel.send(pagerDutyChannel.render(incidentResolved(), cfg), cfg, testSendContext())).toEqual({ ok: true, detail: `${sink.host} answered 202` });
    const request = sink.only();
    expect(request).toMatchObject({ method: "POST", path: "/v2/enqueue", body: { routing_key: routingKey, event_action: "resolve", dedup_key: "vigil:incident:inc-42" } });
    expect(request.headers["content-type"]).toBe("application/json");
  });

  it("reports an invalid event's errors, never the routing key", async () => {
    sink.reply({ status: 400, body: { status: "invalid event", message: "Event object is invalid", errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"] } });
    const cfg = config(sink.url);
    const result = await pagerDutyChannel.send(pagerDutyChannel.render(incidentOpened(), cfg), cfg, testSendContext());
    expect(result).toEqual({ ok: false, retryable: false, error: `${sink.host} answered 400: Event object is invalid (Length of 'routing_key' is incorrect (should be 32 characters))` });
  });

  it("sends nothing for a message it skips", async () => {
    const cfg = config(sink.url);
    const result = await pagerDutyChannel.send(pagerDutyChannel.render(maintenanceStarted(), cfg), cfg, testSendContext());
    expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(/^not sent/) });
    expect(sink.requests).toHaveLength(0);
  });
});

describeDeliveryOutcomes("pagerduty", () => ({
  send: (base, ctx) => {
    const cfg = config(base);
    return pagerDutyChannel.send(pagerDutyChannel.render(incidentOpened(), cfg), cfg, ctx);
  },
  secrets: [routingKey],
  success: { status: 202, body: { status: "success", message: "Event processed", dedup_key: "vigil:incident:inc-42" } },
}));
