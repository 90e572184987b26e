/**
 * `telegram`: the Bot API's sendMessage (https://core.telegram.org/bots/api#sendmessage) with
 * HTML formatting. The bot token is part of the URL path, so errors name the host only. Telegram
 * answers `{"ok": false, "description": "Bad Request: chat not found"}` with the matching status,
 * and on 429 says how long to wait in `parameters.retry_after`.
 */
import * as z from "zod";
import { httpUrl, strictMap, text } from "../../config/fields.ts";
import type { NotificationMessage } from "../types.ts";
import { kindLabels, linkLabel, toneEmoji, toneOf, truncateEscaped, type Channel } from "./channel.ts";
import { postJson } from "./http-send.ts";
import { withoutTrailingSlashes } from "../../core/text.ts";

/** The keys of a `telegram` channel. */
export const TelegramConfig = strictMap({
  /** **Secret**: the bot's token from @BotFather (`123456789:AA…`). */
  bot_token: text,
  /** The chat: a numeric id (groups and channels are negative, `-100…`) or a channel's `@username`. */
  chat_id: z.union([z.number().int(), text]),
  /** A forum topic of the chat to post in. */
  message_thread_id: z.number().int().positive().optional(),
  /** The Bot API's base URL (a local Bot API server, or tests). */
  api_url: httpUrl.prefault("https://api.telegram.org"),
});
/** A validated `telegram` channel configuration. */
export type TelegramConfig = z.output<typeof TelegramConfig>;

/** A sendMessage request. */
export interface TelegramPayload {
  chat_id: number | string;
  message_thread_id?: number;
  text: string;
  parse_mode: "HTML";
  link_preview_options: { is_disabled: true };
}

/** Escapes text for Telegram's HTML mode, which knows only &lt; &gt; &amp; &quot; as entities. */
export function escapeTelegramHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

// A message is at most 4096 characters once entities are parsed: 256 + 3500 + the footer fit.
export function renderTelegram(message: NotificationMessage, config: TelegramConfig): TelegramPayload {
  const title = `${toneEmoji[toneOf(message)]} <b>${truncateEscaped(message.title, 256, escapeTelegramHtml)}</b>`;
  const body = truncateEscaped(message.text, 3500, escapeTelegramHtml);
  const footer = `<a href="${escapeTelegramHtml(message.url)}">${linkLabel(message)}</a> · ${truncateEscaped(message.site.name, 100, escapeTelegramHtml)} · ${kindLabels[message.kind]}`;
  const payload: TelegramPayload = {
    chat_id: config.chat_id,
    text: `${title}\n\n${body}\n\n${footer}`,
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
  };
  if (config.message_thread_id !== undefined) payload.message_thread_id = config.message_thread_id;
  return payload;
}

/** The sendMessage URL of a bot. */
export function sendMessageUrl(config: TelegramConfig): string {
  return `${withoutTrailingSlashes(config.api_url)}/bot${config.bot_token}/sendMessage`;
}

/** Sends an HTML message to a Telegram chat through a bot. */
export const telegramChannel: Channel<TelegramConfig, TelegramPayload> = {
  type: "telegram",
  configSchema: TelegramConfig,
  render: renderTelegram,
  // The part after the colon is the token's secret; the bot's id before it is not.
  send: (payload, config, ctx) => postJson({ url: sendMessageUrl(config), body: payload, secrets: [config.bot_token, config.bot_token.split(":").at(-1) ?? ""] }, ctx),
};
