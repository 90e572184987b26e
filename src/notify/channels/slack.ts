/**
 * `slack`: a Slack incoming webhook (https://api.slack.com/messaging/webhooks) with Block Kit.
 * Slack answers `200 ok`, or an error word in the body (`invalid_blocks`, `no_service`,
 * `channel_is_archived`…) with 400/403/404/410, and 429 with Retry-After past one message a second.
 * An app's webhook posts to the channel chosen when it was created: `channel`, `username` and
 * `icon_emoji` in the body are ignored, so there are no such keys.
 */
import type * as z from "zod";
import { httpUrl, strictMap } from "../../config/fields.ts";
import type { NotificationMessage } from "../types.ts";
import { componentLine, kindLabels, linkLabel, severityLabels, statusLabel, toneEmoji, toneOf, truncate, truncateEscaped, unixSeconds, utc, type Channel } from "./channel.ts";
import { postJson } from "./http-send.ts";

/** The keys of a `slack` channel. */
export const SlackConfig = strictMap({
  /** **Secret**: the incoming webhook URL (https://hooks.slack.com/services/T…/B…/…, its path is the token). */
  url: httpUrl,
});
/** A validated `slack` channel configuration. */
export type SlackConfig = z.output<typeof SlackConfig>;

interface PlainText {
  type: "plain_text";
  text: string;
  emoji: true;
}
interface Mrkdwn {
  type: "mrkdwn";
  text: string;
}
/** The Block Kit blocks Vigil sends. */
export type SlackBlock =
  | { type: "header"; text: PlainText }
  | { type: "section"; text: Mrkdwn; fields?: Mrkdwn[] }
  | { type: "context"; elements: Mrkdwn[] }
  | { type: "actions"; elements: { type: "button"; text: PlainText; url: string; action_id: string }[] };

/** An incoming webhook's body: `text` is the notification and screen-reader fallback for the blocks. */
export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

/** Escapes the three characters mrkdwn gives meaning to (&, <, >), as Slack asks. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A date each reader sees in their own zone, with UTC as the fallback text (Slack's `<!date>`). */
function slackDate(date: Date): string {
  return `<!date^${unixSeconds(date)}^{date_short_pretty} at {time}|${utc(date)}>`;
}

// Block Kit limits: header text 150, section text 3000, field 2000, button text 75.
export function renderSlack(message: NotificationMessage): SlackPayload {
  const fields: Mrkdwn[] = [
    { type: "mrkdwn", text: `*Severity*\n${severityLabels[message.severity]}` },
    { type: "mrkdwn", text: `*Status*\n${escapeMrkdwn(statusLabel(message))}` },
  ];
  if (message.components.length > 0) {
    fields.push({ type: "mrkdwn", text: `*Affected*\n${truncateEscaped(message.components.map(componentLine).join("\n"), 1980, escapeMrkdwn)}` });
  }
  if (message.incident) fields.push({ type: "mrkdwn", text: `*Started*\n${slackDate(message.incident.startedAt)}` });
  if (message.incident?.resolvedAt) fields.push({ type: "mrkdwn", text: `*Resolved*\n${slackDate(message.incident.resolvedAt)}` });
  const body = message.text.trim() === "" ? message.title : message.text;
  return {
    text: truncate(message.title, 3000),
    blocks: [
      { type: "header", text: { type: "plain_text", text: truncate(`${toneEmoji[toneOf(message)]} ${message.title}`, 150), emoji: true } },
      { type: "section", text: { type: "mrkdwn", text: truncateEscaped(body, 3000, escapeMrkdwn) }, fields },
      { type: "context", elements: [{ type: "mrkdwn", text: `${escapeMrkdwn(message.site.name)} · ${kindLabels[message.kind]} · ${slackDate(message.at)}` }] },
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: linkLabel(message), emoji: true }, url: message.url, action_id: "vigil-open" }] },
    ],
  };
}

/** Posts a Block Kit message to a Slack incoming webhook. */
export const slackChannel: Channel<SlackConfig, SlackPayload> = {
  type: "slack",
  configSchema: SlackConfig,
  render: (message) => renderSlack(message),
  send: (payload, config, ctx) => postJson({ url: config.url, body: payload }, ctx),
};
