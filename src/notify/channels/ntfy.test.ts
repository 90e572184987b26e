import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeDeliveryOutcomes, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { incidentOpened, incidentResolved, maintenanceStarted, monitorDown } from "./fixtures.test-helper.ts";
import { NtfyConfig, ntfyChannel } from "./ntfy.ts";

const topic = "acme-oncall-x7Rq2Lp9";
const token = "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2";
const config = (extra: Record<string, unknown> = {}) => NtfyConfig.parse({ topic, ...extra });

describe("ntfy", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.reset());

  it("renders a JSON publish: topic, title, message, priority, tags, click", () => {
    expect(ntfyChannel.render(incidentOpened(), config())).toEqual({
      topic,
      title: "[Critical] Orders database outage: investigating",
      message:
        "Connections to the orders database are failing; checkout is unavailable.\nAffected: Orders database (major outage), Production API (partial outage).\n\nAcme Status · Incident opened",
      priority: 5,
      tags: ["rotating_light", "incident.created"],
      click: "https://status.acme.test/incidents/inc-42",
    });
  });

  it("takes the priority from the severity, but never wakes anyone for a recovery or maintenance", () => {
    expect(ntfyChannel.render(monitorDown(), config())).toMatchObject({ priority: 4, tags: ["red_circle", "monitor.down"] });
    expect(ntfyChannel.render(incidentOpened({ severity: "minor" }), config())).toMatchObject({ priority: 3, tags: ["warning", "incident.created"] });
    expect(ntfyChannel.render(incidentResolved(), config())).toMatchObject({ priority: 3, tags: ["white_check_mark", "incident.resolved"] });
    expect(ntfyChannel.render(maintenanceStarted(), config())).toMatchObject({ priority: 2, tags: ["wrench", "maintenance.in_progress"] });
  });

  it("keeps the message under ntfy's 4096-byte limit", () => {
    const { message } = ntfyChannel.render(incidentOpened({ text: "é".repeat(5000) }), config());
    expect(new TextEncoder().encode(message).length).toBeLessThanOrEqual(3800);
  });

  it("publishes to the server's root (topic in the body) with the access token", async () => {
    const cfg = config({ server: sink.url, token });
    sink.reply({ status: 200, body: { id: "hwQ2YpKdmg", time: 1773480413, event: "message", topic } });
    expect(await ntfyChannel.send(ntfyChannel.render(incidentOpened(), cfg), cfg, testSendContext())).toEqual({ ok: true, detail: `${sink.host} answered 200` });
    const request = sink.only();
    expect(request).toMatchObject({ method: "POST", path: "/", body: { topic, priority: 5 } });
    expect(request.headers["authorization"]).toBe(`Bearer ${token}`);
    expect(config().server).toBe("https://ntfy.sh");
  });

  it("keeps a server's path prefix, and sends no Authorization without a token", async () => {
    const cfg = config({ server: `${sink.url}/ntfy` });
    await ntfyChannel.send(ntfyChannel.render(incidentOpened(), cfg), cfg, testSendContext());
    const request = sink.only();
    expect(request.path).toBe("/ntfy/");
    expect(request.headers["authorization"]).toBeUndefined();
  });

  it("rejects a topic ntfy would not take", () => {
    expect(NtfyConfig.safeParse({ topic: "has spaces" }).success).toBe(false);
    expect(NtfyConfig.safeParse({ topic: "a/b" }).success).toBe(false);
  });
});

describeDeliveryOutcomes("ntfy", () => ({
  send: (base, ctx) => {
    const cfg = config({ server: base, token });
    return ntfyChannel.send(ntfyChannel.render(incidentOpened(), cfg), cfg, ctx);
  },
  secrets: [token, topic],
  success: { status: 200, body: { id: "hwQ2YpKdmg", event: "message" } },
}));
