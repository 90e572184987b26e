import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeDeliveryOutcomes, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { awkwardText, incidentOpened, incidentResolved, monitorDown } from "./fixtures.test-helper.ts";
import { SlackConfig, slackChannel } from "./slack.ts";

const token = "T0AAAAAAA/B0BBBBBBB/x7yQzSecretTokenValue";
const config = (base: string) => SlackConfig.parse({ url: `${base}/services/${token}` });

describe("slack", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());

  it("renders an incident as Block Kit: header, section with fields, context, a link button", () => {
    expect(slackChannel.render(incidentOpened(), config("https://hooks.slack.com"))).toEqual({
      text: "[Critical] Orders database outage: investigating",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "🔴 [Critical] Orders database outage: investigating", emoji: true } },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "Connections to the orders database are failing; checkout is unavailable.\nAffected: Orders database (major outage), Production API (partial outage).",
          },
          fields: [
            { type: "mrkdwn", text: "*Severity*\nCritical" },
            { type: "mrkdwn", text: "*Status*\nInvestigating" },
            { type: "mrkdwn", text: "*Affected*\nOrders database: major outage (was operational)\nProduction API: partial outage (was operational)" },
            { type: "mrkdwn", text: "*Started*\n<!date^1773480341^{date_short_pretty} at {time}|2026-03-14 09:25 UTC>" },
          ],
        },
        { type: "context", elements: [{ type: "mrkdwn", text: "Acme Status · Incident opened · <!date^1773480413^{date_short_pretty} at {time}|2026-03-14 09:26 UTC>" }] },
        {
          type: "actions",
          elements: [{ type: "button", text: { type: "plain_text", text: "View incident", emoji: true }, url: "https://status.acme.test/incidents/inc-42", action_id: "vigil-open" }],
        },
      ],
    });
  });

  it("marks a resolution green and shows when it ended; a monitor without incident links the status page", () => {
    const resolved = slackChannel.render(incidentResolved(), config("https://hooks.slack.com"));
    expect(resolved.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "🟢 [Critical] Orders database outage: resolved", emoji: true } });
    expect(resolved.blocks[1]).toMatchObject({ fields: expect.arrayContaining([{ type: "mrkdwn", text: "*Resolved*\n<!date^1773482530^{date_short_pretty} at {time}|2026-03-14 10:02 UTC>" }]) });
    const down = slackChannel.render(monitorDown(), config("https://hooks.slack.com"));
    expect(down.blocks[1]).toMatchObject({ fields: [{ text: "*Severity*\nMajor" }, { text: "*Status*\nMonitor down" }, { text: "*Affected*\nSearch: partial outage (was operational)" }] });
    expect(down.blocks[3]).toMatchObject({ elements: [{ text: { text: "Open status page" }, url: "https://status.acme.test" }] });
  });

  it("escapes &, < and > so text cannot make links or mentions, and keeps blocks within Slack's limits", () => {
    const payload = slackChannel.render(incidentOpened({ text: awkwardText + "x".repeat(4000), title: "T".repeat(300) }), config("https://hooks.slack.com"));
    const section = payload.blocks[1] as { text: { text: string } };
    expect(section.text.text.startsWith("Latency &gt; 5 s &amp; errors &lt; 1% on &lt;b&gt;\"orders\"&lt;/b&gt;")).toBe(true);
    expect(Array.from(section.text.text).length).toBe(3000);
    expect(section.text.text.endsWith("…")).toBe(true);
    const header = payload.blocks[0] as { text: { text: string } };
    expect(Array.from(header.text.text).length).toBe(150);
  });

  it("posts the JSON to the webhook URL with an Idempotency-Key, and Slack's `ok` is delivered", async () => {
    sink.reset();
    const cfg = config(sink.url);
    const result = await slackChannel.send(slackChannel.render(incidentOpened(), cfg), cfg, testSendContext());
    expect(result).toEqual({ ok: true, detail: `${sink.host} answered 200` });
    const request = sink.only();
    expect(request.method).toBe("POST");
    expect(request.path).toBe(`/services/${token}`);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["idempotency-key"]).toBe("4711:oncall");
    expect(request.body).toEqual(slackChannel.render(incidentOpened(), cfg));
  });

  it("reports Slack's error word without the URL's token", async () => {
    sink.reset();
    sink.reply({ status: 404, body: "no_service" });
    const cfg = config(sink.url);
    const result = await slackChannel.send(slackChannel.render(incidentOpened(), cfg), cfg, testSendContext());
    expect(result).toEqual({ ok: false, retryable: false, error: `${sink.host} answered 404: no_service` });
  });
});

describeDeliveryOutcomes("slack", () => ({
  send: (base, ctx) => {
    const cfg = config(base);
    return slackChannel.send(slackChannel.render(incidentOpened(), cfg), cfg, ctx);
  },
  secrets: [token, "x7yQzSecretTokenValue", "T0AAAAAAA"],
  success: { status: 200, body: "ok" },
}));
