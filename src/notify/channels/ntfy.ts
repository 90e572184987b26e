/**
 * `ntfy`: publishes to an ntfy topic (https://docs.ntfy.sh/publish/#publish-as-json) as JSON, which
 * ntfy takes when it is POSTed to the server's root URL with the topic in the body (so the topic,
 * a secret on a public server, is never in the URL). An access token goes in
 * `Authorization: Bearer`. Messages over 4096 bytes would become attachments: the text is cut
 * to fit.
 */
import * as z from "zod";
import { httpUrl, strictMap, text } from "../../config/fields.ts";
import type { NotificationMessage, Severity } from "../types.ts";
import { kindLabels, toneOf, truncate, truncateBytes, type Channel, type Tone } from "./channel.ts";
import { postJson } from "./http-send.ts";

/** The keys of an `ntfy` channel. */
export const NtfyConfig = strictMap({
  /** The server's root URL (default https://ntfy.sh). */
  server: httpUrl.prefault("https://ntfy.sh"),
  /** The topic; on a public server anyone who knows it can read it, so it is a **secret** there. */
  topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, "must be 1 to 64 letters, digits, - or _"),
  /** **Secret**: an access token (`tk_…`), for servers or topics that need one. */
  token: text.optional(),
});
/** A validated `ntfy` channel configuration. */
export type NtfyConfig = z.output<typeof NtfyConfig>;

/** A JSON publish request. */
export interface NtfyPayload {
  topic: string;
  title: string;
  message: string;
  /** 1 (min) … 3 (default) … 5 (max, a long vibration and pop-over on Android). */
  priority: 1 | 2 | 3 | 4 | 5;
  /** The first is an emoji short code ntfy shows before the title; the rest are shown as tags. */
  tags: string[];
  /** Opened when the notification is tapped. */
  click: string;
}

const priorities: Record<Severity, NtfyPayload["priority"]> = { critical: 5, major: 4, minor: 3, none: 2 };
const emoji: Record<Tone, string> = {
  critical: "rotating_light",
  major: "red_circle",
  minor: "warning",
  none: "information_source",
  resolved: "white_check_mark",
  maintenance: "wrench",
};

export function renderNtfy(message: NotificationMessage, config: NtfyConfig): NtfyPayload {
  const tone = toneOf(message);
  // A recovery or maintenance is worth knowing, not worth waking anyone for.
  const priority = tone === "resolved" ? 3 : tone === "maintenance" ? 2 : priorities[message.severity];
  return {
    topic: config.topic,
    title: truncate(message.title, 250),
    message: truncateBytes(`${message.text}\n\n${message.site.name} · ${kindLabels[message.kind]}`, 3800),
    priority,
    tags: [emoji[tone], message.kind],
    click: message.url,
  };
}

/** Publishes a notification to an ntfy topic. */
export const ntfyChannel: Channel<NtfyConfig, NtfyPayload> = {
  type: "ntfy",
  configSchema: NtfyConfig,
  render: renderNtfy,
  send: (payload, config, ctx) => {
    const headers: Record<string, string> = config.token === undefined ? {} : { authorization: `Bearer ${config.token}` };
    // JSON is published to the root: a path prefix of a server behind a proxy is kept.
    const root = config.server.endsWith("/") ? config.server : `${config.server}/`;
    return postJson({ url: root, body: payload, headers, secrets: [config.token ?? "", config.topic] }, ctx);
  },
};
