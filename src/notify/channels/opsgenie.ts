/**
 * `opsgenie`: Opsgenie's Alert API (https://docs.opsgenie.com/docs/alert-api), authenticated with
 * `Authorization: GenieKey <key>` of an API integration. One alert per `dedupKey` (its alias): an
 * incident or a monitor outage creates it (Opsgenie counts a repeat of an open alias instead of
 * opening another), a responder's `identified`/`monitoring` update acknowledges it, the end closes
 * it. An action run waiting for approval or a ramp aborted creates one alert per run; the approval's
 * timeout closes it. Maintenance and window messages are not sent (the send reports success, saying so).
 *
 * Opsgenie answers 202 once it queued the request (it is processed afterwards: a close for an alias
 * it does not know is accepted, then fails in its logs), 400/422 for an invalid request, 401/403
 * for a bad key, 429 past the rate limit.
 */
import * as z from "zod";
import { httpUrl, strictMap, text } from "../../config/fields.ts";
import type { MessageKind, NotificationMessage, SendContext, SendResult, Severity } from "../types.ts";
import { componentLine, kindLabels, severityLabels, truncate, type Channel } from "./channel.ts";
import { postJson } from "./http-send.ts";
import { withoutTrailingSlashes } from "../../core/text.ts";

/** The API's host per Opsgenie region. */
export const opsgenieHosts = { us: "https://api.opsgenie.com", eu: "https://api.eu.opsgenie.com" } as const;

/** The keys of an `opsgenie` channel. */
export const OpsgenieConfig = strictMap({
  /** **Secret**: the API key of an Opsgenie API integration. */
  api_key: text,
  /** `us` (api.opsgenie.com, the default) or `eu` (api.eu.opsgenie.com). */
  region: z.enum(["us", "eu"]).default("us"),
  /** The API's base URL, overriding `region` (tests, proxies). */
  url: httpUrl.optional(),
  /** `source` of the alerts (default: the status page's host name). */
  source: text.max(100).optional(),
  /** Tags added to every alert (labels are added as `key:value`). */
  tags: z.array(text.max(50)).max(20).default([]),
});
/** A validated `opsgenie` channel configuration. */
export type OpsgenieConfig = z.output<typeof OpsgenieConfig>;

/** Opsgenie's priorities by Vigil's impact (P5 is informational). */
export const opsgeniePriorities: Record<Severity, "P1" | "P2" | "P3" | "P4" | "P5"> = { critical: "P1", major: "P2", minor: "P3", none: "P5" };

/** A create-alert request (limits: message 130, alias 512, description 15000, 20 tags of 50, details 8000 in all, entity 512, source 100). */
export interface OpsgenieAlert {
  message: string;
  alias: string;
  description: string;
  priority: "P1" | "P2" | "P3" | "P4" | "P5";
  source: string;
  tags: string[];
  details: Record<string, string>;
  entity?: string;
  user: string;
}

/** What is sent, or null when the message is not for Opsgenie. */
export type OpsgeniePayload =
  | { action: "create"; body: OpsgenieAlert }
  | { action: "acknowledge" | "close"; alias: string; body: { user: string; source: string; note: string } }
  | null;

const creates: ReadonlySet<MessageKind> = new Set(["incident.created", "incident.updated", "incident.update_due", "monitor.down", "action.approval_requested", "action.ramp_aborted", "test"]);
/** An approval not given in time closes the run's alert: nobody can approve it any more. */
const closes: ReadonlySet<MessageKind> = new Set(["incident.resolved", "monitor.up", "action.approval_timed_out"]);

function actionOf(message: NotificationMessage): "create" | "acknowledge" | "close" | null {
  if (closes.has(message.kind)) return "close";
  if (!creates.has(message.kind)) return null;
  const status = message.incident?.status;
  if (message.kind === "incident.updated" && (status === "resolved" || status === "postmortem")) return "close";
  if (message.kind === "incident.updated" && (status === "identified" || status === "monitoring")) return "acknowledge";
  return "create";
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).hostname : url;
}

export function renderOpsgenie(message: NotificationMessage, config: OpsgenieConfig): OpsgeniePayload {
  const action = actionOf(message);
  if (action === null) return null;
  const alias = message.dedupKey.slice(0, 512);
  const source = truncate(config.source ?? hostOf(message.site.url), 100);
  if (action !== "create") return { action, alias, body: { user: "Vigil", source, note: truncate(`${message.title}\n${message.text}`, 25000) } };
  const { incident } = message;
  const details: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.labels)) details[key] = truncate(value, 500);
  Object.assign(details, {
    event: kindLabels[message.kind],
    severity: severityLabels[message.severity],
    url: message.url,
    site: message.site.name,
  });
  if (incident) Object.assign(details, { incident: incident.name, incident_id: incident.id, incident_status: incident.status });
  if (message.components.length > 0) details["components"] = truncate(message.components.map(componentLine).join("\n"), 3000);
  const labelTags = Object.entries(message.labels).map(([k, v]) => truncate(`${k}:${v}`, 50));
  const root = message.components.find((c) => incident?.rootIds.includes(c.id)) ?? message.components[0];
  const body: OpsgenieAlert = {
    message: truncate(message.title, 130),
    alias,
    description: truncate(`${message.text}\n\n${message.url}`, 15000),
    priority: opsgeniePriorities[message.severity],
    source,
    tags: [...new Set([...config.tags, ...labelTags])].slice(0, 20),
    details,
    user: "Vigil",
  };
  if (root) body.entity = truncate(root.name, 512);
  return { action: "create", body };
}

/** The request URL of a payload: the create endpoint, or the alias's acknowledge/close endpoint. */
export function opsgenieUrl(payload: NonNullable<OpsgeniePayload>, config: OpsgenieConfig): string {
  const base = withoutTrailingSlashes(config.url ?? opsgenieHosts[config.region]);
  if (payload.action === "create") return `${base}/v2/alerts`;
  return `${base}/v2/alerts/${encodeURIComponent(payload.alias)}/${payload.action}?identifierType=alias`;
}

async function sendOpsgenie(payload: OpsgeniePayload, config: OpsgenieConfig, ctx: SendContext): Promise<SendResult> {
  if (payload === null) return { ok: true, detail: "not sent: Opsgenie is told of incidents, monitors and actions' runs, not of this event" };
  return postJson({ url: opsgenieUrl(payload, config), body: payload.body, headers: { authorization: `GenieKey ${config.api_key}` }, secrets: [config.api_key] }, ctx);
}

/** Creates, acknowledges and closes Opsgenie alerts. */
export const opsgenieChannel: Channel<OpsgenieConfig, OpsgeniePayload> = {
  type: "opsgenie",
  configSchema: OpsgenieConfig,
  render: renderOpsgenie,
  send: sendOpsgenie,
};
