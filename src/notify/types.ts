import type { V2WebhookObjects } from "../statuspage/render/v2.ts";

/** What a notification is about: the timeline event kinds the notifier delivers. */
export type MessageKind =
  | "incident.created"
  | "incident.updated"
  | "incident.resolved"
  | "incident.update_due"
  | "monitor.down"
  | "monitor.up"
  | "maintenance.scheduled"
  | "maintenance.in_progress"
  | "maintenance.completed"
  | "window.closed"
  | "upstream.degraded"
  | "upstream.recovered"
  | "region.stale"
  | "region.recovered"
  | "region.isolated"
  | "region.reconnected"
  | "vantage.suspect"
  | "vantage.restored"
  | "action.approval_requested"
  | "action.approval_timed_out"
  | "action.ramp_aborted"
  | "test";

/** How bad it is, in Statuspage's impact words. */
export type Severity = "none" | "minor" | "major" | "critical";

/** A component as a message names it. */
export interface MessageComponent {
  id: string;
  name: string;
  group: string | null;
  status: string;
  /** The status the component had just before the event, when it differs from `status` (null: unchanged). */
  previousStatus: string | null;
}

/**
 * One notification, built from a timeline event, before routing and rendering: everything every channel
 * needs, so that a channel's render is a pure function of (message, channel config).
 */
export interface NotificationMessage {
  kind: MessageKind;
  /** The timeline event that caused it. */
  eventId: string;
  at: Date;
  site: { name: string; url: string };
  severity: Severity;
  /** One line: "[Critical] Orders database outage: investigating". */
  title: string;
  /** Plain text, a few lines: the latest update and what is affected. */
  text: string;
  /** The latest update's Markdown, when there is one. */
  markdown: string | null;
  /** Where a person reads more (the incident's public page, or the status page). */
  url: string;
  /** Stable per incident (or per monitor outside incidents): receivers such as PagerDuty group by it. */
  dedupKey: string;
  incident: {
    id: string;
    name: string;
    status: string;
    impact: Severity;
    startedAt: Date;
    resolvedAt: Date | null;
    rootIds: string[];
    impactedIds: string[];
  } | null;
  components: MessageComponent[];
  /** Free labels for routing (monitor type, region, …). */
  labels: Record<string, string>;
  /**
   * The incident or maintenance and the components as the status page's /api/v2 served them when the message was
   * made, for Statuspage-format webhooks; absent when not needed (no channel or subscriber takes that format).
   */
  statuspage?: V2WebhookObjects;
}

/** The result of one delivery attempt: done, or failed and whether trying again may help. */
export type SendResult = { ok: true; detail?: string } | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

/** What a send gets besides the payload: a deadline, the idempotency key of this (event, destination), and fetch. */
export interface SendContext {
  signal: AbortSignal;
  idempotencyKey: string;
  fetch: typeof fetch;
  now: () => Date;
}
