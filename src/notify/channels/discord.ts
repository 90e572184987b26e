/**
 * `discord`: a Discord channel webhook (Execute Webhook, https://discord.com/developers/docs/resources/webhook)
 * with one embed. `?wait=true` is added to the URL so that Discord confirms the message was saved
 * (200 with the message) rather than answering 204 before it is; without it, a message Discord then
 * drops is not reported. `allowed_mentions` stops text from the incident (an "@everyone" in an
 * update) from pinging anyone; only `mention_roles` ping.
 */
import * as z from "zod";
import { httpUrl, strictMap, text } from "../../config/fields.ts";
import type { NotificationMessage } from "../types.ts";
import { facts, kindLabels, toneColours, toneOf, truncate, type Channel } from "./channel.ts";
import { postJson } from "./http-send.ts";

/** The keys of a `discord` channel. */
export const DiscordConfig = strictMap({
  /** **Secret**: the webhook URL (https://discord.com/api/webhooks/<id>/<token>). */
  url: httpUrl,
  /** Overrides the webhook's name. */
  username: text.max(80).optional(),
  /** Overrides the webhook's avatar. */
  avatar_url: httpUrl.optional(),
  /** Role ids (snowflakes) to mention, and so notify, with each message. */
  mention_roles: z.array(z.string().regex(/^\d{1,20}$/, "must be a role id (digits)")).max(100).default([]),
});
/** A validated `discord` channel configuration. */
export type DiscordConfig = z.output<typeof DiscordConfig>;

/** One embed (Discord's limits: title 256, description 4096, 25 fields of name 256 / value 1024, footer 2048, 6000 in all). */
export interface DiscordEmbed {
  title: string;
  description: string;
  url: string;
  color: number;
  fields: { name: string; value: string; inline: boolean }[];
  timestamp: string;
  footer: { text: string };
}

/** An Execute Webhook body. */
export interface DiscordPayload {
  content?: string;
  username?: string;
  avatar_url?: string;
  embeds: DiscordEmbed[];
  allowed_mentions: { parse: []; roles?: string[] };
}

/** `#rrggbb` as the integer Discord takes. */
export function colourInt(hex: string): number {
  return Number.parseInt(hex.slice(1), 16);
}

export function renderDiscord(message: NotificationMessage, config: DiscordConfig): DiscordPayload {
  const embed: DiscordEmbed = {
    title: truncate(message.title, 256),
    description: truncate(message.text, 3000),
    url: message.url,
    color: colourInt(toneColours[toneOf(message)]),
    fields: facts(message).map(([name, value]) => ({ name, value: truncate(value, 1024), inline: name !== "Affected" })),
    timestamp: message.at.toISOString(),
    footer: { text: truncate(`${message.site.name} · ${kindLabels[message.kind]}`, 256) },
  };
  const payload: DiscordPayload = { embeds: [embed], allowed_mentions: { parse: [] } };
  if (config.mention_roles.length > 0) {
    payload.content = config.mention_roles.map((id) => `<@&${id}>`).join(" ");
    payload.allowed_mentions = { parse: [], roles: [...config.mention_roles] };
  }
  if (config.username !== undefined) payload.username = config.username;
  if (config.avatar_url !== undefined) payload.avatar_url = config.avatar_url;
  return payload;
}

/** The webhook URL with `wait=true` (other parameters, such as `thread_id`, kept). */
export function waitUrl(url: string): string {
  const out = new URL(url);
  out.searchParams.set("wait", "true");
  return out.href;
}

/** Posts an embed to a Discord channel webhook. */
export const discordChannel: Channel<DiscordConfig, DiscordPayload> = {
  type: "discord",
  configSchema: DiscordConfig,
  render: renderDiscord,
  send: (payload, config, ctx) => postJson({ url: waitUrl(config.url), body: payload }, ctx),
};
