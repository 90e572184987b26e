import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeDeliveryOutcomes, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { incidentIdentified, incidentOpened, incidentResolved, maintenanceStarted } from "./fixtures.test-helper.ts";
import { OpsgenieConfig, opsgenieChannel, opsgenieUrl } from "./opsgenie.ts";

const apiKey = "eb243592-faa2-4ba2-a551q-1afdf565c889";
const config = (extra: Record<string, unknown> = {}) => OpsgenieConfig.parse({ api_key: apiKey, ...extra });

describe("opsgenie", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.reset());

  it("creates an alert aliased by the dedup key, with a priority from the severity", () => {
    expect(opsgenieChannel.render(incidentOpened(), config({ tags: ["vigil"] }))).toEqual({
      action: "create",
      body: {
        message: "[Critical] Orders database outage: investigating",
        alias: "vigil:incident:inc-42",
        description:
          "Connections to the orders database are failing; checkout is unavailable.\nAffected: Orders database (major outage), Production API (partial outage).\n\nhttps://status.acme.test/incidents/inc-42",
        priority: "P1",
        source: "status.acme.test",
        tags: ["vigil", "region:eu-west", "monitor:orders-db-mysql"],
        details: {
          region: "eu-west",
          monitor: "orders-db-mysql",
          event: "Incident opened",
          severity: "Critical",
          url: "https://status.acme.test/incidents/inc-42",
          site: "Acme Status",
          incident: "Orders database outage",
          incident_id: "inc-42",
          incident_status: "investigating",
          components: "Orders database: major outage (was operational)\nProduction API: partial outage (was operational)",
        },
        entity: "Orders database",
        user: "Vigil",
      },
    });
    const priority = (s: "none" | "minor" | "major" | "critical") => (opsgenieChannel.render(incidentOpened({ severity: s }), config()) as { body: { priority: string } }).body.priority;
    expect([priority("critical"), priority("major"), priority("minor"), priority("none")]).toEqual(["P1", "P2", "P3", "P5"]);
    const long = opsgenieChannel.render(incidentOpened({ title: "x".repeat(300) }), config()) as { body: { message: string } };
    expect(long.body.message).toHaveLength(130);
  });

  it("acknowledges and closes by alias, and skips maintenance", () => {
    expect(opsgenieChannel.render(incidentResolved(), config())).toEqual({
      action: "close",
      alias: "vigil:incident:inc-42",
      body: { user: "Vigil", source: "status.acme.test", note: "[Critical] Orders database outage: resolved\nThe orders database is answering again; checkout works." },
    });
    expect(opsgenieChannel.render(incidentIdentified(), config())).toMatchObject({ action: "acknowledge", alias: "vigil:incident:inc-42" });
    expect(opsgenieChannel.render(maintenanceStarted(), config())).toBeNull();
  });

  it("uses the US or EU API, or the configured base URL", () => {
    const create = opsgenieChannel.render(incidentOpened(), config());
    const close = opsgenieChannel.render(incidentResolved(), config());
    if (create === null || close === null) throw new Error("expected payloads");
    expect(opsgenieUrl(create, config())).toBe("https://api.opsgenie.com/v2/alerts");
    expect(opsgenieUrl(create, config({ region: "eu" }))).toBe("https://api.eu.opsgenie.com/v2/alerts");
    expect(opsgenieUrl(close, config({ url: "http://127.0.0.1:9/" }))).toBe("http://127.0.0.1:9/v2/alerts/vigil%3Aincident%3Ainc-42/close?identifierType=alias");
  });

  it("posts with the GenieKey; Opsgenie's 202 is delivered", async () => {
    sink.reply({ status: 202, body: { result: "Request will be processed", took: 0.302, requestId: "43a29c5c-3dbf-4fa4-9c26-f4f71023e120" } });
    const cfg = config({ url: sink.url });
    expect(await opsgenieChannel.send(opsgenieChannel.render(incidentOpened(), cfg), cfg, testSendContext())).toEqual({ ok: true, detail: `${sink.host} answered 202` });
    const request = sink.only();
    expect(request).toMatchObject({ method: "POST", path: "/v2/alerts", body: { alias: "vigil:incident:inc-42", priority: "P1" } });
    expect(request.headers["authorization"]).toBe(`GenieKey ${apiKey}`);
  });

  it("closes with POST /v2/alerts/{alias}/close?identifierType=alias", async () => {
    sink.reply({ status: 202, body: { result: "Request will be processed" } });
    const cfg = config({ url: sink.url });
    await opsgenieChannel.send(opsgenieChannel.render(incidentResolved(), cfg), cfg, testSendContext());
    expect(sink.only()).toMatchObject({ path: "/v2/alerts/vigil%3Aincident%3Ainc-42/close?identifierType=alias", body: { source: "status.acme.test", user: "Vigil" } });
  });

  it("gives up on a bad key (401/422) without repeating it", async () => {
    sink.reply({ status: 422, body: { message: `Key format is not valid! ${apiKey}`, took: 0.001, requestId: "x" } });
    const cfg = config({ url: sink.url });
    const result = await opsgenieChannel.send(opsgenieChannel.render(incidentOpened(), cfg), cfg, testSendContext());
    expect(result).toEqual({ ok: false, retryable: false, error: `${sink.host} answered 422: Key format is not valid! [redacted]` });
  });
});

describeDeliveryOutcomes("opsgenie", () => ({
  send: (base, ctx) => {
    const cfg = config({ url: base });
    return opsgenieChannel.send(opsgenieChannel.render(incidentOpened(), cfg), cfg, ctx);
  },
  secrets: [apiKey],
  success: { status: 202, body: { result: "Request will be processed", took: 0.302, requestId: "43a29c5c" } },
}));
