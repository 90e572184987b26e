/**
 * `pagerduty`: PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
 * One alert per `dedupKey`: an incident or a monitor outage triggers it, a responder's
 * `identified`/`monitoring` update acknowledges it, the end resolves it. An action run waiting for
 * approval or a ramp aborted triggers one alert per run; the approval's timeout resolves it. Maintenance,
 * window, provider and region messages page nobody: they are not sent (the send reports success, saying so).
 *
 * PagerDuty answers 202 when it accepted the event, 400 when the event is invalid (final), 429
 * when the routing key sends too fast and 5xx on its side (both worth retrying).
 */
import type * as z from "zod";
import { httpUrl, strictMap, text } from "../../config/fields.ts";
import type { MessageKind, NotificationMessage, SendContext, SendResult, Severity } from "../types.ts";
import { componentLine, linkLabel, truncate, type Channel } from "./channel.ts";
import { postJson } from "./http-send.ts";

/** The Events API v2 endpoint (accounts in the EU service region may use https://events.eu.pagerduty.com/v2/enqueue). */
export const pagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";

/** The keys of a `pagerduty` channel. */
export const PagerDutyConfig = strictMap({
  /** **Secret**: the integration key (32 characters) of an Events API v2 integration or ruleset. */
  routing_key: text,
  /** The endpoint; tests and proxies override it. */
  url: httpUrl.prefault(pagerDutyEventsUrl),
  /** `payload.source` (default: the status page's host name). */
  source: text.max(255).optional(),
});
/** A validated `pagerduty` channel configuration. */
export type PagerDutyConfig = z.output<typeof PagerDutyConfig>;

/** PagerDuty's severities. */
export type PagerDutySeverity = "critical" | "error" | "warning" | "info";

/** Vigil's impact words to PagerDuty's severities. */
export const pagerDutySeverities: Record<Severity, PagerDutySeverity> = { critical: "critical", major: "error", minor: "warning", none: "info" };

/** A trigger event: opens the alert, or adds to it when one with the same dedup_key is open. */
export interface PagerDutyTrigger {
  routing_key: string;
  event_action: "trigger";
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component?: string;
    group?: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  links: { href: string; text: string }[];
  client: string;
  client_url: string;
}

/** Acknowledge and resolve carry nothing but the alert's identity. */
export interface PagerDutyStateChange {
  routing_key: string;
  event_action: "acknowledge" | "resolve";
  dedup_key: string;
}

/** What is sent, or null when the message is not for PagerDuty. */
export type PagerDutyPayload = PagerDutyTrigger | PagerDutyStateChange | null;

const triggers: ReadonlySet<MessageKind> = new Set(["incident.created", "incident.updated", "incident.update_due", "monitor.down", "action.approval_requested", "action.ramp_aborted", "test"]);
/** An approval not given in time resolves the run's alert: nobody can approve it any more. */
const resolves: ReadonlySet<MessageKind> = new Set(["incident.resolved", "monitor.up", "action.approval_timed_out"]);

/** The event action a message means, or null for messages PagerDuty is not told about. */
export function pagerDutyAction(message: NotificationMessage): "trigger" | "acknowledge" | "resolve" | null {
  if (resolves.has(message.kind)) return "resolve";
  if (!triggers.has(message.kind)) return null;
  const status = message.incident?.status;
  if (message.kind === "incident.updated" && (status === "resolved" || status === "postmortem")) return "resolve";
  if (message.kind === "incident.updated" && (status === "identified" || status === "monitoring")) return "acknowledge";
  return "trigger";
}

export function renderPagerDuty(message: NotificationMessage, config: PagerDutyConfig): PagerDutyPayload {
  const action = pagerDutyAction(message);
  if (action === null) return null;
  // PagerDuty's limit on dedup_key is 255 characters.
  const identity = { routing_key: config.routing_key, dedup_key: message.dedupKey.slice(0, 255) };
  if (action !== "trigger") return { ...identity, event_action: action };
  const root = message.components.find((c) => message.incident?.rootIds.includes(c.id)) ?? message.components[0];
  const { incident } = message;
  const details: Record<string, unknown> = { text: message.text, event: message.kind, event_id: message.eventId };
  if (incident) {
    details["incident"] = { id: incident.id, name: incident.name, status: incident.status, impact: incident.impact, started_at: incident.startedAt.toISOString() };
  }
  if (message.components.length > 0) details["components"] = message.components.map(componentLine);
  if (Object.keys(message.labels).length > 0) details["labels"] = { ...message.labels };
  const payload: PagerDutyTrigger["payload"] = {
    summary: truncate(message.title, 1024),
    source: config.source ?? hostOf(message.site.url),
    severity: pagerDutySeverities[message.severity],
    timestamp: message.at.toISOString(),
    class: message.kind,
    custom_details: details,
  };
  if (root) payload.component = root.name;
  if (root?.group) payload.group = root.group;
  return {
    ...identity,
    event_action: "trigger",
    payload,
    links: [{ href: message.url, text: linkLabel(message) }],
    client: `Vigil (${message.site.name})`,
    client_url: message.site.url,
  };
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).hostname : url;
}

async function sendPagerDuty(payload: PagerDutyPayload, config: PagerDutyConfig, ctx: SendContext): Promise<SendResult> {
  if (payload === null) return { ok: true, detail: "not sent: PagerDuty is told of incidents, monitors and actions' runs, not of this event" };
  return postJson({ url: config.url, body: payload, secrets: [config.routing_key] }, ctx);
}

/** Triggers, acknowledges and resolves PagerDuty alerts. */
export const pagerDutyChannel: Channel<PagerDutyConfig, PagerDutyPayload> = {
  type: "pagerduty",
  configSchema: PagerDutyConfig,
  render: renderPagerDuty,
  send: sendPagerDuty,
};
