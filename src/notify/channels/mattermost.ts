/**
 * `mattermost`: a Mattermost incoming webhook (https://developers.mattermost.com/integrate/webhooks/incoming/),
 * Markdown text with a Slack-style attachment coloured by severity, or Markdown alone. `username`,
 * `icon_url` and `channel` take effect only where the server allows integrations to override them.
 * Mattermost answers `200 ok`.
 */
import * as z from "zod";
import { httpUrl, strictMap, text } from "../../config/fields.ts";
import type { NotificationMessage } from "../types.ts";
import { facts, kindLabels, linkLabel, toneColours, toneEmoji, toneOf, truncate, utc, type Channel } from "./channel.ts";
import { postJson } from "./http-send.ts";

/** The keys of a `mattermost` channel. */
export const MattermostConfig = strictMap({
  /** **Secret**: the incoming webhook URL (https://chat.example.com/hooks/<key>). */
  url: httpUrl,
  /** `attachment` (the default: a coloured attachment with fields) or `text` (Markdown only). */
  style: z.enum(["attachment", "text"]).default("attachment"),
  /** Overrides the poster's name (if the server allows). */
  username: text.max(64).optional(),
  /** Overrides the poster's picture (if the server allows). */
  icon_url: httpUrl.optional(),
  /** Posts to another channel than the webhook's (a channel name such as `town-square`, or `@user`). */
  channel: text.optional(),
});
/** A validated `mattermost` channel configuration. */
export type MattermostConfig = z.output<typeof MattermostConfig>;

/** A message attachment (Slack's legacy format, which Mattermost keeps). */
export interface MattermostAttachment {
  fallback: string;
  color: string;
  title: string;
  title_link: string;
  text: string;
  fields: { short: boolean; title: string; value: string }[];
  footer: string;
}

/** An incoming webhook's body. */
export interface MattermostPayload {
  text: string;
  username?: string;
  icon_url?: string;
  channel?: string;
  attachments?: MattermostAttachment[];
}

/** Escapes the characters Markdown would read in a name or title. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|~])/g, "\\$1");
}

export function renderMattermost(message: NotificationMessage, config: MattermostConfig): MattermostPayload {
  const tone = toneOf(message);
  const heading = `${toneEmoji[tone]} **${escapeMarkdown(message.title)}**`;
  // The update's own Markdown when there is one (it was written as Markdown), else the plain text.
  const body = message.markdown ?? message.text;
  const footer = `${message.site.name} · ${kindLabels[message.kind]} · ${utc(message.at)}`;
  const payload: MattermostPayload =
    config.style === "text"
      ? { text: truncate(`${heading}\n${body}\n\n[${linkLabel(message)}](${message.url}) · ${escapeMarkdown(footer)}`, 16000) }
      : {
          text: heading,
          attachments: [
            {
              fallback: truncate(message.title, 500),
              color: toneColours[tone],
              title: truncate(message.incident?.name ?? message.title, 500),
              title_link: message.url,
              text: truncate(body, 8000),
              fields: facts(message).map(([title, value]) => ({ short: title !== "Affected", title, value })),
              footer,
            },
          ],
        };
  if (config.username !== undefined) payload.username = config.username;
  if (config.icon_url !== undefined) payload.icon_url = config.icon_url;
  if (config.channel !== undefined) payload.channel = config.channel;
  return payload;
}

/** Posts to a Mattermost channel through an incoming webhook. */
export const mattermostChannel: Channel<MattermostConfig, MattermostPayload> = {
  type: "mattermost",
  configSchema: MattermostConfig,
  render: renderMattermost,
  send: (payload, config, ctx) => postJson({ url: config.url, body: payload }, ctx),
};
