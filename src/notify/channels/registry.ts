import type { Channel } from "./channel.ts";
import { discordChannel } from "./discord.ts";
import { emailChannel } from "./email.ts";
import { googleChatChannel } from "./googlechat.ts";
import { mattermostChannel } from "./mattermost.ts";
import { ntfyChannel } from "./ntfy.ts";
import { opsgenieChannel } from "./opsgenie.ts";
import { pagerDutyChannel } from "./pagerduty.ts";
import { slackChannel } from "./slack.ts";
import { teamsChannel } from "./teams.ts";
import { telegramChannel } from "./telegram.ts";
import { webhookChannel } from "./webhook.ts";

/** The notification channel types Vigil knows, in the order the docs list them. */
export const channelTypeNames = ["webhook", "email", "slack", "teams", "discord", "pagerduty", "opsgenie", "telegram", "ntfy", "googlechat", "mattermost"] as const;
export type ChannelType = (typeof channelTypeNames)[number];

/** A channel of any type, its config and payload types erased: for code that picks one by a type name read at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyChannel = Channel<any, any>;

/**
 * Every channel by type, each with its own config and payload types; exhaustive both ways, so a
 * type without a channel (or a channel without a type) fails to compile.
 */
export const typedChannelRegistry = {
  webhook: webhookChannel,
  email: emailChannel,
  slack: slackChannel,
  teams: teamsChannel,
  discord: discordChannel,
  pagerduty: pagerDutyChannel,
  opsgenie: opsgenieChannel,
  telegram: telegramChannel,
  ntfy: ntfyChannel,
  googlechat: googleChatChannel,
  mattermost: mattermostChannel,
} satisfies Record<ChannelType, AnyChannel>;

/**
 * The same channels, typed for dispatch by a configured type name: `registry[type]` is an
 * AnyChannel, so `send(render(message, config), config, ctx)` type-checks whichever it is (a
 * union of the typed channels would not).
 */
export const channelRegistry: Readonly<Record<ChannelType, AnyChannel>> = typedChannelRegistry;

/** The channel of a configured type name, or undefined for a type Vigil does not know. */
export function channelFor(type: string): AnyChannel | undefined {
  return isChannelType(type) ? channelRegistry[type] : undefined;
}

/** True when `type` names a channel Vigil knows. */
export function isChannelType(type: string): type is ChannelType {
  return (channelTypeNames as readonly string[]).includes(type);
}
