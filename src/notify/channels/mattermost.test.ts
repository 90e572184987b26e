import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeDeliveryOutcomes, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { incidentOpened, incidentResolved, monitorDown } from "./fixtures.test-helper.ts";
import { MattermostConfig, mattermostChannel } from "./mattermost.ts";

const hookKey = "xi4ug8m1bjyp7dx6wmq3kzn5ea";
const config = (base: string, extra: Record<string, unknown> = {}) => MattermostConfig.parse({ url: `${base}/hooks/${hookKey}`, ...extra });

describe("mattermost", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.reset());

  it("renders Markdown text with an attachment coloured by severity", () => {
    expect(mattermostChannel.render(incidentOpened(), config("https://chat.acme.test"))).toEqual({
      text: "🔴 **\\[Critical\\] Orders database outage: investigating**",
      attachments: [
        {
          fallback: "[Critical] Orders database outage: investigating",
          color: "#c62828",
          title: "Orders database outage",
          title_link: "https://status.acme.test/incidents/inc-42",
          text: "Connections to the **orders database** are failing; checkout is unavailable.",
          fields: [
            { short: true, title: "Severity", value: "Critical" },
            { short: true, title: "Status", value: "Investigating" },
            { short: false, title: "Affected", value: "Orders database: major outage (was operational)\nProduction API: partial outage (was operational)" },
            { short: true, title: "Started", value: "2026-03-14 09:25 UTC" },
          ],
          footer: "Acme Status · Incident opened · 2026-03-14 09:26 UTC",
        },
      ],
    });
    expect(mattermostChannel.render(incidentResolved(), config("https://chat.acme.test")).attachments?.[0]?.color).toBe("#2e7d32");
  });

  it("renders Markdown alone, with the overrides, when asked", () => {
    expect(mattermostChannel.render(monitorDown(), config("https://chat.acme.test", { style: "text", username: "Vigil", icon_url: "https://status.acme.test/icon.png", channel: "ops" }))).toEqual({
      text: "🟠 **\\[Major\\] Search is down**\nsearch-http: connection refused by search.internal:9200\n\n[Open status page](https://status.acme.test) · Acme Status · Monitor down · 2026-03-14 09:25 UTC",
      username: "Vigil",
      icon_url: "https://status.acme.test/icon.png",
      channel: "ops",
    });
  });

  it("posts to the hook; Mattermost's ok is delivered", async () => {
    const cfg = config(sink.url);
    expect(await mattermostChannel.send(mattermostChannel.render(incidentOpened(), cfg), cfg, testSendContext())).toEqual({ ok: true, detail: `${sink.host} answered 200` });
    expect(sink.only()).toMatchObject({ method: "POST", path: `/hooks/${hookKey}`, body: { text: "🔴 **\\[Critical\\] Orders database outage: investigating**" } });
  });
});

describeDeliveryOutcomes("mattermost", () => ({
  send: (base, ctx) => {
    const cfg = config(base);
    return mattermostChannel.send(mattermostChannel.render(incidentOpened(), cfg), cfg, ctx);
  },
  secrets: [hookKey],
  success: { status: 200, body: "ok" },
}));
