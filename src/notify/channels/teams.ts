/**
 * `teams`: Microsoft Teams through a Workflows (Power Automate) webhook, the replacement for the
 * retired Office 365 connectors. The "Post to a channel when a webhook request is received"
 * template takes a message activity whose attachments are Adaptive Cards (Workflows do not take
 * the old MessageCard format). The trigger answers 202 Accepted once the flow is queued: a card the
 * flow then fails to post is not reported back, which is a limit of Workflows.
 */
import type * as z from "zod";
import { httpUrl, strictMap } from "../../config/fields.ts";
import type { NotificationMessage } from "../types.ts";
import { facts, kindLabels, linkLabel, toneOf, truncate, utc, type Channel, type Tone } from "./channel.ts";
import { postJson } from "./http-send.ts";

/** The keys of a `teams` channel. */
export const TeamsConfig = strictMap({
  /** **Secret**: the workflow's HTTP trigger URL (its `sig` query parameter is the key). */
  url: httpUrl,
});
/** A validated `teams` channel configuration. */
export type TeamsConfig = z.output<typeof TeamsConfig>;

/** The Adaptive Card elements Vigil sends (schema 1.4, which every Teams client renders). */
export type AdaptiveElement =
  | { type: "TextBlock"; text: string; wrap: true; weight?: "Bolder"; size?: "Small" | "Medium" | "Large"; color?: AdaptiveColor; isSubtle?: true; spacing?: "Small" }
  | { type: "FactSet"; facts: { title: string; value: string }[] };

type AdaptiveColor = "Default" | "Accent" | "Good" | "Warning" | "Attention";

/** The body a Teams workflow webhook receives. */
export interface TeamsPayload {
  type: "message";
  attachments: {
    contentType: "application/vnd.microsoft.card.adaptive";
    contentUrl: null;
    content: {
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json";
      type: "AdaptiveCard";
      version: "1.4";
      /** Teams only: use the whole width of the conversation. */
      msteams: { width: "Full" };
      body: AdaptiveElement[];
      actions: { type: "Action.OpenUrl"; title: string; url: string }[];
    };
  }[];
}

const toneColour: Record<Tone, AdaptiveColor> = {
  none: "Default",
  minor: "Warning",
  major: "Attention",
  critical: "Attention",
  resolved: "Good",
  maintenance: "Accent",
};

export function renderTeams(message: NotificationMessage): TeamsPayload {
  const body: AdaptiveElement[] = [
    { type: "TextBlock", text: truncate(message.title, 500), wrap: true, weight: "Bolder", size: "Medium", color: toneColour[toneOf(message)] },
    { type: "TextBlock", text: truncate(message.text, 4000), wrap: true },
    // Line breaks inside a fact render differently across Teams clients: one line, comma-separated.
    { type: "FactSet", facts: facts(message).map(([title, value]) => ({ title, value: value.replaceAll("\n", ", ") })) },
    { type: "TextBlock", text: `${message.site.name} · ${kindLabels[message.kind]} · ${utc(message.at)}`, wrap: true, isSubtle: true, size: "Small", spacing: "Small" },
  ];
  return {
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
          body,
          actions: [{ type: "Action.OpenUrl", title: linkLabel(message), url: message.url }],
        },
      },
    ],
  };
}

/** Posts an Adaptive Card to a Teams channel through a Workflows webhook. */
export const teamsChannel: Channel<TeamsConfig, TeamsPayload> = {
  type: "teams",
  configSchema: TeamsConfig,
  render: (message) => renderTeams(message),
  send: (payload, config, ctx) => postJson({ url: config.url, body: payload }, ctx),
};
