/**
 * `googlechat`: a Google Chat incoming webhook (https://developers.google.com/workspace/chat/quickstart/webhooks),
 * sending a card (cardsV2) with a text line for notifications, or text alone. Messages about one
 * incident (or monitor) go to one thread: `thread.threadKey` is the message's dedupKey and the URL
 * gets `messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD` (a new thread the first time).
 * The webhook URL's `key` and `token` parameters are its secret. Chat allows one message a second
 * per space and answers 429 past it.
 */
import * as z from "zod";
import { httpUrl, strictMap } from "../../config/fields.ts";
import type { NotificationMessage } from "../types.ts";
import { facts, kindLabels, linkLabel, truncate, truncateEscaped, utc, type Channel } from "./channel.ts";
import { postJson } from "./http-send.ts";

/** The keys of a `googlechat` channel. */
export const GoogleChatConfig = strictMap({
  /** **Secret**: the webhook URL (https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…). */
  url: httpUrl,
  /** `card` (the default: a card, with a text line) or `text` (text only). */
  format: z.enum(["card", "text"]).default("card"),
  /** Replies about the same incident or monitor in one thread (default true). */
  thread: z.boolean().default(true),
});
/** A validated `googlechat` channel configuration. */
export type GoogleChatConfig = z.output<typeof GoogleChatConfig>;

/** The card widgets Vigil sends. */
export type GoogleChatWidget =
  | { textParagraph: { text: string } }
  | { decoratedText: { topLabel: string; text: string; wrapText: true } }
  | { buttonList: { buttons: { text: string; onClick: { openLink: { url: string } } }[] } };

/** A message as the webhook takes it. */
export interface GoogleChatPayload {
  text: string;
  cardsV2?: {
    cardId: string;
    card: {
      header: { title: string; subtitle: string };
      sections: { widgets: GoogleChatWidget[] }[];
    };
  }[];
  thread?: { threadKey: string };
}

/** Escapes text for a card's text widgets, which read a few HTML tags (<b>, <i>, <a>, <br>…). */
export function escapeCardHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Text-message formatting (`*bold*`, `<url|label>`): only a link's `<`, `>` and `|` need care, and titles have none. */
function textMessage(message: NotificationMessage): string {
  return `*${message.title}*\n${message.text}\n<${message.url}|${linkLabel(message)}> · ${message.site.name}`;
}

export function renderGoogleChat(message: NotificationMessage, config: GoogleChatConfig): GoogleChatPayload {
  const payload: GoogleChatPayload =
    config.format === "text"
      ? { text: truncate(textMessage(message), 4000) }
      : {
          text: truncate(message.title, 500),
          cardsV2: [
            {
              cardId: `vigil-${message.eventId}`,
              card: {
                header: { title: truncate(message.site.name, 200), subtitle: `${kindLabels[message.kind]} · ${utc(message.at)}` },
                sections: [
                  {
                    widgets: [
                      { textParagraph: { text: truncateEscaped(message.text, 3000, escapeCardHtml).replaceAll("\n", "<br>") } },
                      ...facts(message).map(([label, value]): GoogleChatWidget => ({ decoratedText: { topLabel: label, text: truncateEscaped(value, 1000, escapeCardHtml).replaceAll("\n", "<br>"), wrapText: true } })),
                      { buttonList: { buttons: [{ text: linkLabel(message), onClick: { openLink: { url: message.url } } }] } },
                    ],
                  },
                ],
              },
            },
          ],
        };
  if (config.thread) payload.thread = { threadKey: message.dedupKey };
  return payload;
}

/** The webhook URL, with the reply option when messages are threaded (the key and token kept). */
export function googleChatUrl(config: GoogleChatConfig, payload: GoogleChatPayload): string {
  if (payload.thread === undefined) return config.url;
  const url = new URL(config.url);
  url.searchParams.set("messageReplyOption", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
  return url.href;
}

/** Posts a card (or text) to a Google Chat space. */
export const googleChatChannel: Channel<GoogleChatConfig, GoogleChatPayload> = {
  type: "googlechat",
  configSchema: GoogleChatConfig,
  render: renderGoogleChat,
  send: (payload, config, ctx) => postJson({ url: googleChatUrl(config, payload), body: payload }, ctx),
};
