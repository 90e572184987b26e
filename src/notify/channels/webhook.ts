/**
 * `webhook`: a JSON POST to any URL, in Vigil's own format or in Statuspage's webhook format (for
 * receivers written for Statuspage), signed with HMAC-SHA256 when a `secret` is set.
 *
 * Signing (format of Stripe's and Slack's signatures): `Vigil-Timestamp: <unix seconds>` and
 * `Vigil-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. Receivers check it with
 * `verifyWebhookSignature`, which also rejects a timestamp outside a window (a replayed request).
 */
import { incidentJson, type IncidentJson } from "../../incidents/incident-json.ts";
import * as z from "zod";
import { httpUrl, strictMap, text } from "../../config/fields.ts";
import { groupId } from "../../statuspage/view/build.ts";
import type { MessageComponent, NotificationMessage, SendContext, SendResult } from "../types.ts";
import { headerMap, type Channel } from "./channel.ts";
import { signatureHeaders } from "../signature.ts";
import { postJson } from "./http-send.ts";

/** The keys of a `webhook` channel. */
export const WebhookConfig = strictMap({
  /** Where to POST. **Secret** when it embeds a token. */
  url: httpUrl,
  /** **Secret**: the HMAC-SHA256 key of `Vigil-Signature`; without it requests are not signed. */
  secret: text.optional(),
  /** `vigil` (Vigil's own JSON, the default) or `statuspage` (Statuspage's webhook JSON). */
  format: z.enum(["vigil", "statuspage"]).default("vigil"),
  /** `statuspage` format: the page id to send (default: the status page's, as /api/v2 says it). */
  page_id: text.optional(),
  /** Extra request headers, such as an `Authorization` the receiver wants (**secret** then). */
  headers: headerMap.optional(),
});
/** A validated `webhook` channel configuration. */
export type WebhookConfig = z.output<typeof WebhookConfig>;

// ---- Vigil's format ----

/** Vigil's webhook body: the message, with dates in ISO 8601 and keys in snake_case like the API. */
export interface VigilWebhookBody {
  event: NotificationMessage["kind"];
  /** The timeline event's id: a receiver may drop a repeat by it (so may it by the Idempotency-Key header). */
  id: string;
  at: string;
  site: { name: string; url: string };
  severity: NotificationMessage["severity"];
  title: string;
  text: string;
  markdown: string | null;
  url: string;
  dedup_key: string;
  incident: IncidentJson<NotificationMessage["severity"]> | null;
  components: { id: string; name: string; group: string | null; status: string; previous_status: string | null }[];
  labels: Record<string, string>;
}

/** Vigil's own webhook body for `message`. */
export function vigilBody(message: NotificationMessage): VigilWebhookBody {
  const { incident } = message;
  return {
    event: message.kind,
    id: message.eventId,
    at: message.at.toISOString(),
    site: { name: message.site.name, url: message.site.url },
    severity: message.severity,
    title: message.title,
    text: message.text,
    markdown: message.markdown,
    url: message.url,
    dedup_key: message.dedupKey,
    incident: incident && incidentJson(incident),
    components: message.components.map((c) => ({ id: c.id, name: c.name, group: c.group, status: c.status, previous_status: c.previousStatus })),
    labels: { ...message.labels },
  };
}

// ---- Statuspage's format ----

/** Where Statuspage's own payloads point `meta.documentation`. */
export const statuspageWebhookDocs = "https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/";

type Indicator = "none" | "minor" | "major" | "critical" | "maintenance";

/** Statuspage's words for the page indicator (as Vigil's /api/v2 says them). */
const indicatorDescriptions: Record<Indicator, string> = {
  none: "All Systems Operational",
  minor: "Minor Service Outage",
  major: "Partial System Outage",
  critical: "Major Service Outage",
  maintenance: "Service Under Maintenance",
};

interface StatuspageMeta {
  unsubscribe: string;
  documentation: string;
  generated_at: string;
}

interface StatuspagePage {
  id: string;
  status_indicator: Indicator;
  status_description: string;
}

/** A component as Statuspage's webhooks show it; with the /api/v2 objects, the very row /api/v2 serves. */
interface StatuspageComponent {
  status: string;
  name: string;
  created_at: string;
  updated_at: string;
  position: number;
  description: string | null;
  showcase: boolean;
  id: string;
  page_id: string;
  group_id: string | null;
  start_date?: string | null;
  group?: boolean;
  only_show_if_degraded?: boolean;
}

/** An incident update as Statuspage's webhooks show it; with the /api/v2 objects, the very update /api/v2 serves. */
interface StatuspageIncidentUpdate {
  status: string;
  body: string;
  created_at: string;
  wants_twitter_update?: boolean;
  twitter_updated_at?: null;
  updated_at: string;
  display_at: string;
  affected_components: { code: string; name: string; old_status: string; new_status: string }[] | null;
  custom_tweet: null;
  tweet_id?: null;
  deliver_notifications: boolean;
  id: string;
  incident_id: string;
}

/** Statuspage's incident object as its webhooks send it (a maintenance is one with `scheduled_for`/`scheduled_until`). */
export interface StatuspageIncident {
  name: string;
  status: string;
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  impact: string;
  shortlink: string;
  /** An incident's postmortem fields (a maintenance has none, as in /api/v2). */
  postmortem_ignored?: boolean;
  postmortem_body?: string | null;
  postmortem_body_last_updated_at?: string | null;
  postmortem_published_at?: string | null;
  postmortem_notified_subscribers?: boolean;
  postmortem_notified_twitter?: boolean;
  backfilled: boolean;
  scheduled_for: string | null;
  scheduled_until: string | null;
  scheduled_remind_prior: boolean;
  scheduled_reminded_at: null;
  impact_override: null;
  scheduled_auto_in_progress: boolean;
  scheduled_auto_completed: boolean;
  started_at: string;
  id: string;
  page_id: string;
  incident_updates: StatuspageIncidentUpdate[];
  components: StatuspageComponent[];
}

/** Statuspage's webhook bodies: an incident update, a component update, or (neither known) the page alone. */
export type StatuspageWebhookBody =
  | { meta: StatuspageMeta; page: StatuspagePage; incident: StatuspageIncident }
  | {
      meta: StatuspageMeta;
      page: StatuspagePage;
      component_update: { old_status: string; new_status: string; created_at: string; component_type: "Component"; id: string; component_id: string };
      component: StatuspageComponent;
    }
  | { meta: StatuspageMeta; page: StatuspagePage };

const closedStatuses = new Set(["resolved", "postmortem", "completed", "cancelled"]);
const componentIndicators: Record<string, Indicator> = {
  degraded_performance: "minor",
  partial_outage: "major",
  major_outage: "critical",
  under_maintenance: "maintenance",
};
const indicatorRank: Record<Indicator, number> = { none: 0, maintenance: 0.5, minor: 1, major: 2, critical: 3 };

/** The fields of Statuspage's webhook incident that its /api/v2 incident lacks; a maintenance's `scheduled_*` replace them. */
const webhookOnlyFields = {
  backfilled: false,
  scheduled_for: null,
  scheduled_until: null,
  scheduled_remind_prior: false,
  scheduled_reminded_at: null,
  impact_override: null,
  scheduled_auto_in_progress: false,
  scheduled_auto_completed: false,
} as const;

/**
 * Statuspage's webhook body for `message`, or null when Statuspage would send nothing. Statuspage sends an incident
 * update (the incident, maintenances included, with its updates and components) or a component update (one
 * component's status change).
 *
 * When the message carries the status page's /api/v2 objects (`message.statuspage`, attached when the event was
 * dispatched), the page, the incident or maintenance and the components are exactly those objects: the same ids,
 * times, positions and updates as /api/v2 serves, so a receiver can match the two. A maintenance goes out as an
 * incident with its `scheduled_for`/`scheduled_until`. A message without a component whose status changed and
 * without an incident (a window closed, a monitor whose component kept its status), or about an action's run, sends
 * nothing.
 *
 * Without those objects (an incident not published yet, a message stored before they were attached) it is built from
 * the message, approximating what it lacks:
 * - `page.status_indicator` is the message's own picture (the open incident's impact, else the worst of its components);
 * - `incident_updates` holds only this update, whose id is the timeline event's;
 * - components' times are the message's, their positions the order given.
 *
 * `meta.unsubscribe` is the status page's URL (there is no per-subscriber link). `pageId` replaces every page id when
 * the channel sets one (`page_id`).
 */
export function statuspageBody(message: NotificationMessage, pageId?: string): StatuspageWebhookBody | null {
  // An action run's message is for responders: Statuspage has no such event, even when the run has an incident.
  if (message.kind.startsWith("action.")) return null;
  const at = message.at.toISOString();
  const meta: StatuspageMeta = { unsubscribe: message.site.url, documentation: statuspageWebhookDocs, generated_at: at };
  const objects = message.statuspage;
  const id = pageId ?? objects?.page.id ?? hostOf(message.site.url);
  const rows = new Map((objects?.components ?? []).map((c) => [c.id, c]));
  const component = (c: MessageComponent, position: number): StatuspageComponent => {
    const row = rows.get(c.id);
    if (row !== undefined) return { ...row, page_id: id };
    return { status: c.status, name: c.name, created_at: at, updated_at: at, position, description: null, showcase: true, id: c.id, page_id: id, group_id: c.group === null ? null : groupId(c.group) };
  };
  const pageOf = (fallback: Indicator): StatuspagePage =>
    objects ? { id, status_indicator: objects.page.status_indicator, status_description: objects.page.status_description } : page(id, fallback);

  if (objects?.incident) {
    const { components, ...rest } = objects.incident;
    return {
      meta,
      page: pageOf("none"),
      incident: { ...webhookOnlyFields, ...rest, page_id: id, components: components.map((row) => ({ ...row, page_id: id })) },
    };
  }
  const { incident } = message;
  if (incident) {
    const open = !closedStatuses.has(incident.status);
    const indicator: Indicator = !open ? "none" : incident.impact;
    return {
      meta,
      page: pageOf(indicator),
      incident: {
        name: incident.name,
        status: incident.status,
        created_at: incident.startedAt.toISOString(),
        updated_at: at,
        monitoring_at: incident.status === "monitoring" ? at : null,
        resolved_at: incident.resolvedAt?.toISOString() ?? null,
        impact: incident.impact,
        shortlink: message.url,
        postmortem_ignored: false,
        postmortem_body: null,
        postmortem_body_last_updated_at: null,
        postmortem_published_at: null,
        postmortem_notified_subscribers: false,
        postmortem_notified_twitter: false,
        ...webhookOnlyFields,
        started_at: incident.startedAt.toISOString(),
        id: incident.id,
        page_id: id,
        incident_updates: [
          {
            status: incident.status,
            body: message.markdown ?? message.text,
            created_at: at,
            wants_twitter_update: false,
            twitter_updated_at: null,
            updated_at: at,
            display_at: at,
            affected_components: message.components.map((c) => ({ code: c.id, name: c.name, old_status: c.previousStatus ?? c.status, new_status: c.status })),
            custom_tweet: null,
            deliver_notifications: true,
            id: message.eventId,
            incident_id: incident.id,
          },
        ],
        components: message.components.map((c, i) => component(c, i + 1)),
      },
    };
  }
  const worst = message.components.reduce<Indicator>((acc, c) => {
    const next = componentIndicators[c.status] ?? "none";
    return indicatorRank[next] > indicatorRank[acc] ? next : acc;
  }, "none");
  // A test message has nothing to report: the page alone shows the receiver is reached.
  if (message.kind === "test") return { meta, page: pageOf(worst) };
  const changed = message.components.find((c) => c.previousStatus !== null && c.previousStatus !== c.status);
  if (!changed) return null;
  return {
    meta,
    page: pageOf(worst),
    component_update: {
      old_status: changed.previousStatus ?? changed.status,
      new_status: changed.status,
      created_at: at,
      component_type: "Component",
      id: message.eventId,
      component_id: changed.id,
    },
    component: component(changed, message.components.indexOf(changed) + 1),
  };
}

function page(id: string, indicator: Indicator): StatuspagePage {
  return { id, status_indicator: indicator, status_description: indicatorDescriptions[indicator] };
}

// ---- Signatures ----

// Signing is shared with runbook actions' webhooks (src/actions/webhook.ts); receivers import it from here or there.
export { verifyWebhookSignature, webhookSignature, type HeaderSource, type SignatureFailure } from "../signature.ts";

// ---- The channel ----

/** What a `webhook` channel sends: the body, serialised and signed at send time; null: nothing to send (see statuspageBody). */
export type WebhookPayload = VigilWebhookBody | StatuspageWebhookBody | null;

/** The host name of a URL, as a default page id. */
function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).hostname : url;
}

async function sendWebhook(payload: WebhookPayload, config: WebhookConfig, ctx: SendContext): Promise<SendResult> {
  if (payload === null) return { ok: true, detail: "not sent: nothing that Statuspage's format reports changed" };
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { ...config.headers };
  if (config.secret !== undefined) Object.assign(headers, signatureHeaders(body, ctx.now(), [config.secret]));
  const secrets = [config.secret ?? "", ...Object.values(config.headers ?? {})];
  return postJson({ url: config.url, body, headers, secrets }, ctx);
}

/** Posts Vigil's (or Statuspage's) JSON to a URL, signed when a secret is set. */
export const webhookChannel: Channel<WebhookConfig, WebhookPayload> = {
  type: "webhook",
  configSchema: WebhookConfig,
  render: (message, config) => (config.format === "statuspage" ? statuspageBody(message, config.page_id) : vigilBody(message)),
  send: sendWebhook,
};
