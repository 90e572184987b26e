/**
 * A notification channel: how one kind of destination (a Slack webhook, PagerDuty, a signed JSON
 * webhook…) is configured, what it is sent, and how it is sent. Also the wording and size helpers
 * the channels share, so that every channel says the same thing in its own format.
 */
import * as z from "zod";
import { colours } from "../../statuspage/render/badges.ts";
import type { MessageComponent, MessageKind, NotificationMessage, SendContext, SendResult, Severity } from "../types.ts";

/**
 * A channel type. `render` is pure (a function of the message and the config, so it can be
 * snapshot-tested); `send` does the I/O, through `ctx.fetch` only, and says whether a failure is
 * worth retrying.
 */
export interface Channel<Cfg, Payload> {
  type: string;
  /**
   * Validates the channel's own keys (not `id` and `type`, which the caller handles). Keys holding
   * secrets (URLs with tokens, keys) say so in their JSDoc; they never appear in a SendResult's error.
   */
  configSchema: z.ZodType<Cfg>;
  /** What the destination receives for `message`; pure. */
  render(message: NotificationMessage, config: Cfg): Payload;
  /** Delivers a rendered payload; never throws for a failed delivery. */
  send(payload: Payload, config: Cfg, ctx: SendContext): Promise<SendResult>;
}

// ---- Configuration fields shared by channels ----

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Extra request headers, one line each (a value may be a secret, such as an Authorization header). */
export const headerMap = z.record(z.string(), z.string().regex(/^[^\r\n\0]*$/, "must be text on one line")).superRefine((map, ctx) => {
  for (const name of Object.keys(map)) {
    if (headerName.test(name)) continue;
    ctx.addIssue({ code: "custom", path: [name], input: name, params: { expected: "expected a header name such as X-Request-Id" } });
  }
});

// ---- Wording ----

/** How a message reads at a glance: resolved, maintenance, or its severity. */
export type Tone = Severity | "resolved" | "maintenance";

const resolving: ReadonlySet<MessageKind> = new Set(["incident.resolved", "monitor.up", "maintenance.completed", "region.recovered", "region.reconnected", "vantage.restored"]);

/** The message reports that something is over (an incident resolved, a monitor back up, maintenance done). */
export function isResolution(message: NotificationMessage): boolean {
  return resolving.has(message.kind);
}

/** The tone of a message: resolution first, then planned maintenance, else its severity. */
export function toneOf(message: NotificationMessage): Tone {
  if (isResolution(message)) return "resolved";
  if (message.kind === "maintenance.scheduled" || message.kind === "maintenance.in_progress") return "maintenance";
  return message.severity;
}

/** The status page's palette, by tone, as #rrggbb. */
export const toneColours: Record<Tone, string> = {
  none: colours.unknown,
  minor: colours.degraded,
  major: colours.partial,
  critical: colours.major,
  resolved: colours.operational,
  maintenance: colours.maintenance,
};

/** A coloured circle by tone, for chat titles. */
export const toneEmoji: Record<Tone, string> = {
  none: "⚪",
  minor: "🟡",
  major: "🟠",
  critical: "🔴",
  resolved: "🟢",
  maintenance: "🔵",
};

/** Severities in words. */
export const severityLabels: Record<Severity, string> = { none: "None", minor: "Minor", major: "Major", critical: "Critical" };

/** What happened, in words. */
export const kindLabels: Record<MessageKind, string> = {
  "incident.created": "Incident opened",
  "incident.updated": "Incident updated",
  "incident.resolved": "Incident resolved",
  "incident.update_due": "Incident update due",
  "monitor.down": "Monitor down",
  "monitor.up": "Monitor up",
  "maintenance.scheduled": "Maintenance scheduled",
  "maintenance.in_progress": "Maintenance in progress",
  "maintenance.completed": "Maintenance completed",
  "window.closed": "Outage window closed",
  "upstream.degraded": "Provider reports a problem",
  "upstream.recovered": "Provider recovered",
  "region.stale": "Region silent",
  "region.recovered": "Region heard again",
  "region.isolated": "Region isolated",
  "region.reconnected": "Region reconnected",
  "vantage.suspect": "Vantage point suspect",
  "vantage.restored": "Vantage point restored",
  "action.approval_requested": "Action waits for approval",
  "action.approval_timed_out": "Action not approved in time",
  "action.ramp_aborted": "Recovery ramp aborted",
  test: "Test notification",
};

/** `major_outage` → `major outage`. */
export function words(status: string): string {
  return status.replaceAll("_", " ");
}

/** `major_outage` → `Major outage`. */
export function capitalized(status: string): string {
  const text = words(status);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `Orders database: major outage (was operational)`. */
export function componentLine(c: MessageComponent): string {
  const was = c.previousStatus !== null && c.previousStatus !== c.status ? ` (was ${words(c.previousStatus)})` : "";
  return `${c.name}: ${words(c.status)}${was}`;
}

/** A message about a runbook action's run (`action.*`): its link opens the run in the console, whether or not it has an incident. */
function aboutRun(message: NotificationMessage): boolean {
  return message.kind.startsWith("action.");
}

/** The message's status: what happened to a run, else the incident's, else what happened. */
export function statusLabel(message: NotificationMessage): string {
  return message.incident && !aboutRun(message) ? capitalized(message.incident.status) : kindLabels[message.kind];
}

/** The link's label: a run in the console, the incident, or the status page. */
export function linkLabel(message: NotificationMessage): string {
  if (aboutRun(message)) return message.kind === "action.approval_requested" ? "Approve or reject" : "Open the run";
  return message.incident ? "View incident" : "Open status page";
}

/** `2026-03-14 09:25 UTC`: unambiguous for every reader, whatever their zone. */
export function utc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export { unixSeconds } from "../signature.ts";

/** The facts every card shows, in order, as [label, value]. */
export function facts(message: NotificationMessage): [string, string][] {
  const out: [string, string][] = [
    ["Severity", severityLabels[message.severity]],
    ["Status", statusLabel(message)],
  ];
  if (message.components.length > 0) out.push(["Affected", message.components.map(componentLine).join("\n")]);
  if (message.incident) out.push(["Started", utc(message.incident.startedAt)]);
  if (message.incident?.resolvedAt) out.push(["Resolved", utc(message.incident.resolvedAt)]);
  return out;
}

// ---- Sizes ----

/** At most `max` characters (code points, so no emoji is split), ending in "…" when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}

/** At most `max` UTF-8 bytes, ending in "…" when cut; never splits a character. */
export function truncateBytes(text: string, max: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= max) return text;
  let out = "";
  let used = 3; // the ellipsis
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (used + size > max) break;
    out += char;
    used += size;
  }
  return `${out}…`;
}

/**
 * `escape(text)` within `max` characters: cut before escaping (so no entity is cut in half), as
 * little as possible (the longest cut that still fits once escaped).
 */
export function truncateEscaped(text: string, max: number, escape: (text: string) => string): string {
  const fits = (limit: number) => Array.from(escape(truncate(text, limit))).length <= max;
  if (fits(max)) return escape(truncate(text, max));
  // The escaped length grows with the cut's length: search for the longest that fits.
  let low = 1;
  let high = max - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return escape(truncate(text, low));
}
