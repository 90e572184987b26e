import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeDeliveryOutcomes, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { DiscordConfig, discordChannel, waitUrl } from "./discord.ts";
import { awkwardText, incidentOpened, incidentResolved } from "./fixtures.test-helper.ts";

const token = "1234567890123456789/Aq1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9P0-discordtoken";
const config = (base: string, extra: Record<string, unknown> = {}) => DiscordConfig.parse({ url: `${base}/api/webhooks/${token}`, ...extra });

describe("discord", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());

  it("renders one embed coloured by severity, with no mention allowed", () => {
    expect(discordChannel.render(incidentOpened(), config("https://discord.com"))).toEqual({
      embeds: [
        {
          title: "[Critical] Orders database outage: investigating",
          description: "Connections to the orders database are failing; checkout is unavailable.\nAffected: Orders database (major outage), Production API (partial outage).",
          url: "https://status.acme.test/incidents/inc-42",
          color: 0xc62828,
          fields: [
            { name: "Severity", value: "Critical", inline: true },
            { name: "Status", value: "Investigating", inline: true },
            { name: "Affected", value: "Orders database: major outage (was operational)\nProduction API: partial outage (was operational)", inline: false },
            { name: "Started", value: "2026-03-14 09:25 UTC", inline: true },
          ],
          timestamp: "2026-03-14T09:26:53.000Z",
          footer: { text: "Acme Status · Incident opened" },
        },
      ],
      allowed_mentions: { parse: [] },
    });
    expect(discordChannel.render(incidentResolved(), config("https://discord.com")).embeds[0]?.color).toBe(0x2e7d32);
  });

  it("mentions only the configured roles, and overrides name and avatar when asked", () => {
    const payload = discordChannel.render(incidentOpened({ text: awkwardText }), config("https://discord.com", { mention_roles: ["987654321098765432"], username: "Vigil", avatar_url: "https://status.acme.test/logo.png" }));
    expect(payload).toMatchObject({
      content: "<@&987654321098765432>",
      allowed_mentions: { parse: [], roles: ["987654321098765432"] },
      username: "Vigil",
      avatar_url: "https://status.acme.test/logo.png",
    });
    expect(DiscordConfig.safeParse({ url: "https://discord.com/api/webhooks/1/x", mention_roles: ["@here"] }).success).toBe(false);
  });

  it("keeps an embed within Discord's limits", () => {
    const [embed] = discordChannel.render(incidentOpened({ title: "t".repeat(400), text: "x".repeat(9000) }), config("https://discord.com")).embeds;
    expect(Array.from(embed?.title ?? "").length).toBe(256);
    expect(Array.from(embed?.description ?? "").length).toBe(3000);
  });

  it("posts with ?wait=true, so Discord confirms the message was saved", async () => {
    sink.reply({ status: 200, body: { id: "1111", type: 0, channel_id: "2222" } });
    const cfg = config(sink.url);
    expect(await discordChannel.send(discordChannel.render(incidentOpened(), cfg), cfg, testSendContext())).toEqual({ ok: true, detail: `${sink.host} answered 200` });
    expect(sink.only().path).toBe(`/api/webhooks/${token}?wait=true`);
    expect(waitUrl("https://discord.com/api/webhooks/1/x?thread_id=42")).toBe("https://discord.com/api/webhooks/1/x?thread_id=42&wait=true");
  });

  it("waits as long as Discord's 429 body says when there is no Retry-After header", async () => {
    sink.reply({ status: 429, body: { message: "You are being rate limited.", retry_after: 0.648, global: false } });
    const cfg = config(sink.url);
    const result = await discordChannel.send(discordChannel.render(incidentOpened(), cfg), cfg, testSendContext());
    expect(result).toEqual({ ok: false, retryable: true, retryAfterMs: 648, error: `${sink.host} answered 429: You are being rate limited.` });
  });
});

describeDeliveryOutcomes("discord", () => ({
  send: (base, ctx) => {
    const cfg = config(base);
    return discordChannel.send(discordChannel.render(incidentOpened(), cfg), cfg, ctx);
  },
  secrets: ["Aq1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9P0-discordtoken", "1234567890123456789"],
  success: { status: 200, body: { id: "1111" } },
}));
