import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeDeliveryOutcomes, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { incidentOpened, incidentResolved, maintenanceStarted } from "./fixtures.test-helper.ts";
import { TeamsConfig, teamsChannel } from "./teams.ts";

const path = "/workflows/8c1d0e2f/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Zx9Qw3Er5Ty7Ui1Op";
const config = (base: string) => TeamsConfig.parse({ url: `${base}${path}` });

describe("teams", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());

  it("renders a message activity carrying one Adaptive Card 1.4", () => {
    expect(teamsChannel.render(incidentOpened(), config("https://prod-00.westeurope.logic.azure.com"))).toEqual({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            msteams: { width: "Full" },
            body: [
              { type: "TextBlock", text: "[Critical] Orders database outage: investigating", wrap: true, weight: "Bolder", size: "Medium", color: "Attention" },
              {
                type: "TextBlock",
                text: "Connections to the orders database are failing; checkout is unavailable.\nAffected: Orders database (major outage), Production API (partial outage).",
                wrap: true,
              },
              {
                type: "FactSet",
                facts: [
                  { title: "Severity", value: "Critical" },
                  { title: "Status", value: "Investigating" },
                  { title: "Affected", value: "Orders database: major outage (was operational), Production API: partial outage (was operational)" },
                  { title: "Started", value: "2026-03-14 09:25 UTC" },
                ],
              },
              { type: "TextBlock", text: "Acme Status · Incident opened · 2026-03-14 09:26 UTC", wrap: true, isSubtle: true, size: "Small", spacing: "Small" },
            ],
            actions: [{ type: "Action.OpenUrl", title: "View incident", url: "https://status.acme.test/incidents/inc-42" }],
          },
        },
      ],
    });
  });

  it("colours the title by tone: good when resolved, accent for maintenance", () => {
    const title = (m: ReturnType<typeof incidentOpened>) => teamsChannel.render(m, config("https://x.test")).attachments[0]?.content.body[0];
    expect(title(incidentResolved())).toMatchObject({ color: "Good" });
    expect(title(maintenanceStarted())).toMatchObject({ color: "Accent" });
    expect(title(incidentOpened({ severity: "minor" }))).toMatchObject({ color: "Warning" });
  });

  it("posts to the workflow URL; the trigger's 202 Accepted is delivered", async () => {
    sink.reply({ status: 202 });
    const cfg = config(sink.url);
    expect(await teamsChannel.send(teamsChannel.render(incidentOpened(), cfg), cfg, testSendContext())).toEqual({ ok: true, detail: `${sink.host} answered 202` });
    const request = sink.only();
    expect(request.path).toBe(path);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.body).toMatchObject({ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive" }] });
  });
});

describeDeliveryOutcomes("teams", () => ({
  send: (base, ctx) => {
    const cfg = config(base);
    return teamsChannel.send(teamsChannel.render(incidentOpened(), cfg), cfg, ctx);
  },
  secrets: ["Zx9Qw3Er5Ty7Ui1Op", "8c1d0e2f"],
  success: { status: 202 },
}));
