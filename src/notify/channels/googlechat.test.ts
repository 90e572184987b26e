import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeDeliveryOutcomes, startHttpSink, testSendContext, type HttpSink } from "../../../test/helpers/http-sink.ts";
import { awkwardText, incidentOpened, monitorDown } from "./fixtures.test-helper.ts";
import { GoogleChatConfig, googleChatChannel } from "./googlechat.ts";

const key = "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI";
const token = "Xb3kq9Lm2Np7Rs5Tv8Wx1Yz4Ab6Cd0Ef";
const query = `key=${key}&token=${token}`;
const config = (base: string, extra: Record<string, unknown> = {}) => GoogleChatConfig.parse({ url: `${base}/v1/spaces/AAAAq1w2e3r/messages?${query}`, ...extra });

describe("googlechat", () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.reset());

  it("renders a cardsV2 message with a text line, threaded by the dedup key", () => {
    expect(googleChatChannel.render(incidentOpened(), config("https://chat.googleapis.com"))).toEqual({
      text: "[Critical] Orders database outage: investigating",
      cardsV2: [
        {
          cardId: "vigil-4711",
          card: {
            header: { title: "Acme Status", subtitle: "Incident opened · 2026-03-14 09:26 UTC" },
            sections: [
              {
                widgets: [
                  { textParagraph: { text: "Connections to the orders database are failing; checkout is unavailable.<br>Affected: Orders database (major outage), Production API (partial outage)." } },
                  { decoratedText: { topLabel: "Severity", text: "Critical", wrapText: true } },
                  { decoratedText: { topLabel: "Status", text: "Investigating", wrapText: true } },
                  { decoratedText: { topLabel: "Affected", text: "Orders database: major outage (was operational)<br>Production API: partial outage (was operational)", wrapText: true } },
                  { decoratedText: { topLabel: "Started", text: "2026-03-14 09:25 UTC", wrapText: true } },
                  { buttonList: { buttons: [{ text: "View incident", onClick: { openLink: { url: "https://status.acme.test/incidents/inc-42" } } }] } },
                ],
              },
            ],
          },
        },
      ],
      thread: { threadKey: "vigil:incident:inc-42" },
    });
  });

  it("escapes text for the card's HTML, and renders text alone when asked", () => {
    const card = googleChatChannel.render(incidentOpened({ text: awkwardText }), config("https://chat.googleapis.com"));
    expect(JSON.stringify(card)).toContain("Latency &gt; 5 s &amp; errors &lt; 1% on &lt;b&gt;");
    expect(googleChatChannel.render(monitorDown(), config("https://chat.googleapis.com", { format: "text", thread: false }))).toEqual({
      text: "*[Major] Search is down*\nsearch-http: connection refused by search.internal:9200\n<https://status.acme.test|Open status page> · Acme Status",
    });
  });

  it("posts to the webhook with the reply option when threaded, keeping key and token", async () => {
    const cfg = config(sink.url);
    sink.reply({ status: 200, body: { name: "spaces/AAAAq1w2e3r/messages/abc.abc", thread: { name: "spaces/AAAAq1w2e3r/threads/xyz" } } });
    expect(await googleChatChannel.send(googleChatChannel.render(incidentOpened(), cfg), cfg, testSendContext())).toEqual({ ok: true, detail: `${sink.host} answered 200` });
    const request = sink.only();
    expect(request.path).toBe(`/v1/spaces/AAAAq1w2e3r/messages?${query}&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD`);
    expect(request.body).toMatchObject({ thread: { threadKey: "vigil:incident:inc-42" } });
    sink.reset();
    const unthreaded = config(sink.url, { thread: false });
    await googleChatChannel.send(googleChatChannel.render(incidentOpened(), unthreaded), unthreaded, testSendContext());
    expect(sink.only().path).toBe(`/v1/spaces/AAAAq1w2e3r/messages?${query}`);
  });

  it("reports Google's error message", async () => {
    sink.reply({ status: 400, body: { error: { code: 400, message: "Invalid JSON payload received. Unknown name \"cardz\"", status: "INVALID_ARGUMENT" } } });
    const cfg = config(sink.url);
    expect(await googleChatChannel.send(googleChatChannel.render(incidentOpened(), cfg), cfg, testSendContext())).toEqual({
      ok: false,
      retryable: false,
      error: `${sink.host} answered 400: Invalid JSON payload received. Unknown name "cardz"`,
    });
  });
});

describeDeliveryOutcomes("googlechat", () => ({
  send: (base, ctx) => {
    const cfg = config(base);
    return googleChatChannel.send(googleChatChannel.render(incidentOpened(), cfg), cfg, ctx);
  },
  secrets: [key, token, "AAAAq1w2e3r"],
  success: { status: 200, body: { name: "spaces/AAAAq1w2e3r/messages/abc" } },
}));
