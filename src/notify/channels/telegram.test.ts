import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeDeliveryOutcomes, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { awkwardText, incidentOpened, monitorDown } from "./fixtures.test-helper.ts";
import { sendMessageUrl, TelegramConfig, telegramChannel } from "./telegram.ts";

const botToken = "7712345678:AAHk3Jx-Qw9rT2yU4iO6pA8sD0fG1hJ3kL5";
const config = (extra: Record<string, unknown> = {}) => TelegramConfig.parse({ bot_token: botToken, chat_id: -1001234567890, ...extra });

describe("telegram", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.reset());

  it("renders sendMessage with HTML formatting and no link preview", () => {
    expect(telegramChannel.render(incidentOpened(), config())).toEqual({
      chat_id: -1001234567890,
      text:
        "🔴 <b>[Critical] Orders database outage: investigating</b>\n\n" +
        "Connections to the orders database are failing; checkout is unavailable.\nAffected: Orders database (major outage), Production API (partial outage).\n\n" +
        '<a href="https://status.acme.test/incidents/inc-42">View incident</a> · Acme Status · Incident opened',
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    });
    expect(telegramChannel.render(monitorDown(), config({ chat_id: "@acme_status", message_thread_id: 7 }))).toMatchObject({ chat_id: "@acme_status", message_thread_id: 7 });
  });

  it("escapes <, >, & and quotes so text cannot inject tags", () => {
    const { text } = telegramChannel.render(incidentOpened({ title: "a <b> & c", text: awkwardText, url: 'https://x.test/?a=1&b="2"' }), config());
    expect(text).toContain("<b>a &lt;b&gt; &amp; c</b>");
    expect(text).toContain("Latency &gt; 5 s &amp; errors &lt; 1% on &lt;b&gt;&quot;orders&quot;&lt;/b&gt;");
    expect(text).toContain('<a href="https://x.test/?a=1&amp;b=&quot;2&quot;">');
    const long = telegramChannel.render(incidentOpened({ text: "&".repeat(10_000) }), config());
    expect(long.text.length).toBeLessThan(4096 * 5);
    expect(long.text).not.toMatch(/&a?m?…/);
  });

  it("posts to /bot<token>/sendMessage; Telegram's ok is delivered", async () => {
    sink.reply({ status: 200, body: { ok: true, result: { message_id: 42 } } });
    const cfg = config({ api_url: sink.url });
    expect(await telegramChannel.send(telegramChannel.render(incidentOpened(), cfg), cfg, testSendContext())).toEqual({ ok: true, detail: `${sink.host} answered 200` });
    const request = sink.only();
    expect(request).toMatchObject({ method: "POST", path: `/bot${botToken}/sendMessage`, body: { chat_id: -1001234567890, parse_mode: "HTML" } });
    expect(sendMessageUrl(config())).toBe(`https://api.telegram.org/bot${botToken}/sendMessage`);
  });

  it("reports Telegram's description, and waits parameters.retry_after on 429", async () => {
    const cfg = config({ api_url: sink.url });
    const payload = telegramChannel.render(incidentOpened(), cfg);
    sink.reply({ status: 400, body: { ok: false, error_code: 400, description: "Bad Request: chat not found" } });
    expect(await telegramChannel.send(payload, cfg, testSendContext())).toEqual({ ok: false, retryable: false, error: `${sink.host} answered 400: Bad Request: chat not found` });
    sink.reply({ status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 35", parameters: { retry_after: 35 } } });
    expect(await telegramChannel.send(payload, cfg, testSendContext())).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 35_000,
      error: `${sink.host} answered 429: Too Many Requests: retry after 35`,
    });
  });
});

describeDeliveryOutcomes("telegram", () => ({
  send: (base, ctx) => {
    const cfg = config({ api_url: base });
    return telegramChannel.send(telegramChannel.render(incidentOpened(), cfg), cfg, ctx);
  },
  secrets: [botToken, "AAHk3Jx-Qw9rT2yU4iO6pA8sD0fG1hJ3kL5"],
  success: { status: 200, body: { ok: true, result: { message_id: 42 } } },
}));
