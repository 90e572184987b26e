import { windowClosedText } from "../incidents/windows.ts";
import { actionMessage, actionMessageKinds, type ActionIncident } from "./action-message.ts";
import type { PublicNames } from "../incidents/public-names.ts";
import type { V2WebhookObjects } from "../statuspage/render/v2.ts";
import type { MessageComponent, MessageKind, NotificationMessage, Severity } from "./types.ts";

/** A timeline event as the dispatcher reads it. */
export interface DispatchEvent {
  id: string;
  at: Date;
  kind: string;
  subject: string | null;
  data: Record<string, unknown>;
}

/** What a message about an incident needs besides its event. */
export interface IncidentContext extends ActionIncident {
  publishedAt: Date | null;
  /** The latest update's body (Markdown), if any. */
  latestBody: string | null;
}

/** Everything `messageFromEvent` reads besides the event. */
export interface MessageContext {
  site: { name: string; url: string };
  /** Components by id, with their status now. */
  components: ReadonlyMap<string, { name: string; group: string | null; status: string }>;
  /** The incident the event is about, for incident events and those of an action's run for an incident. */
  incident?: IncidentContext | undefined;
  /** A monitor's components, for monitor events. */
  componentsOfMonitor?: (monitorId: string) => string[];
  /** Our components that depend on an upstream, directly or not, for upstream events. */
  dependentsOf?: (upstreamId: string) => string[];
  /** The status a component had just before `at`, from its status changes (see `statusBefore`); absent: not known. */
  statusBefore?: (componentId: string, at: Date) => string;
  /** The status page's /api/v2 objects of a message, for Statuspage-format webhooks; absent: none attached. */
  statuspage?: (ref: { incidentId: string | null; maintenanceId: string | null; componentIds: string[] }) => V2WebhookObjects | undefined;
  /**
   * For a message to the public (subscribers): how components are named. A hidden component is not named: the incident's
   * title and the message's components name the visible ones that depend on it instead. Absent: responders' names.
   */
  publicNames?: PublicNames;
}

/** A component's status change, as `statusBefore` reads it. */
export interface ComponentChange {
  componentId: string;
  at: Date;
  from: string;
  to: string;
}

/**
 * The status `componentId` had just before `at`: what its last change before `at` left it in, else what its first
 * change at or after `at` left behind, else operational (it never changed). `changes` must be oldest first and hold,
 * for each component, every change from its last one before `at` on.
 */
export function statusBefore(changes: readonly ComponentChange[], componentId: string, at: Date): string {
  let before: string | undefined;
  for (const change of changes) {
    if (change.componentId !== componentId) continue;
    if (change.at.getTime() < at.getTime()) before = change.to;
    else return before ?? change.from;
  }
  return before ?? "operational";
}

/**
 * The incident as the event recorded it at the time (`data.incident`), or undefined when the event carries none
 * (events written before incidents were recorded with their events): a message tells what was true then.
 */
export function incidentOfEvent(event: Pick<DispatchEvent, "data">): IncidentContext | undefined {
  const raw = event.data["incident"];
  if (typeof raw !== "object" || raw === null) return undefined;
  const i = raw as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  const date = (v: unknown) => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? new Date(v) : null);
  const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const id = text(i["id"]);
  const name = text(i["name"]);
  const status = text(i["status"]);
  const startedAt = date(i["started_at"]);
  if (id === null || name === null || status === null || startedAt === null) return undefined;
  return {
    id,
    name,
    status,
    impact: text(i["impact"]) ?? "none",
    startedAt,
    resolvedAt: date(i["resolved_at"]),
    rootIds: ids(i["root_ids"]),
    impactedIds: ids(i["impacted_ids"]),
    publishedAt: date(i["published_at"]),
    latestBody: text(i["latest_body"]),
  };
}

const incidentKinds: Record<string, MessageKind> = {
  "incident.created": "incident.created",
  "incident.upstream_attributed": "incident.updated",
  "incident.updated": "incident.updated",
  "incident.reopened": "incident.updated",
  "incident.resolved": "incident.resolved",
  "incident.update_due": "incident.update_due",
};

const severities: readonly Severity[] = ["none", "minor", "major", "critical"];

/**
 * The notification a timeline event makes, or null for events nobody is told about (signals joined,
 * status changes, notes…). Incident events (created, updated, reopened, resolved, update due) carry the
 * incident, its latest update and its components; `monitor.down`/`monitor.up` the monitor's components;
 * maintenance starts and ends and closed outage windows their components; an action run waiting for approval, not
 * approved in time, or a ramp aborted its incident's (see action-message.ts). The dedup key is the incident's
 * id (or `monitor:<id>`, `maintenance:<id>`, `window:<component>`, the run's id), so receivers group by cause.
 */
export function messageFromEvent(event: DispatchEvent, ctx: MessageContext): NotificationMessage | null {
  const message = baseMessage(event, ctx);
  // A run's message is for responders only: Statuspage's format has nothing to say of it.
  if (message === null || ctx.statuspage === undefined || actionMessageKinds.has(event.kind)) return message;
  const maintenanceId = event.kind.startsWith("maintenance.") ? event.subject : null;
  const statuspage = ctx.statuspage({ incidentId: message.incident?.id ?? null, maintenanceId, componentIds: message.components.map((c) => c.id) });
  return statuspage === undefined ? message : { ...message, statuspage };
}

function baseMessage(event: DispatchEvent, ctx: MessageContext): NotificationMessage | null {
  // A component's status now, and the one it had just before the event when that was another.
  const component = (id: string): MessageComponent => {
    const c = ctx.components.get(id);
    const status = c?.status ?? "operational";
    const before = ctx.statusBefore?.(id, event.at);
    return { id, name: c?.name ?? id, group: c?.group ?? null, status, previousStatus: before !== undefined && before !== status ? before : null };
  };
  const base = { eventId: event.id, at: event.at, site: ctx.site, labels: {} as Record<string, string> };
  const kind = incidentKinds[event.kind];
  if (kind !== undefined) {
    const incident = ctx.incident;
    if (!incident) return null;
    const severity = severities.includes(incident.impact as Severity) ? (incident.impact as Severity) : "none";
    const ids = [...incident.rootIds, ...incident.impactedIds];
    const components = (ctx.publicNames?.publicIds(ids) ?? ids).map((id) => component(id));
    const name = ctx.publicNames?.incidentTitle(incident.name, incident.rootIds) ?? incident.name;
    const status = typeof event.data["status"] === "string" ? event.data["status"] : incident.status;
    const heading = kind === "incident.update_due" ? "update due" : event.kind === "incident.upstream_attributed" ? "likely upstream cause" : status;
    const affected = components.map((c) => c.name).join(", ");
    return {
      ...base,
      kind,
      severity,
      title: `[${capitalise(severity === "none" ? "notice" : severity)}] ${name}: ${heading}`,
      text: [
        kind === "incident.update_due"
          ? updateDueText(incident.name, incident.id, event)
          : event.kind === "incident.upstream_attributed"
            ? attributionText(event)
            : (incident.latestBody ?? ""),
        affected ? `Affected: ${affected}.` : "",
      ]
        .filter((line) => line !== "")
        .join("\n"),
      markdown: incident.latestBody,
      url: `${ctx.site.url}/incidents/${incident.id}`,
      dedupKey: incident.id,
      incident: { id: incident.id, name, status, impact: severity, startedAt: incident.startedAt, resolvedAt: incident.resolvedAt, rootIds: incident.rootIds, impactedIds: incident.impactedIds },
      components,
    };
  }
  if (event.kind === "monitor.down" || event.kind === "monitor.up") {
    const monitor = event.subject ?? "";
    const ids = ctx.componentsOfMonitor?.(monitor) ?? [];
    const down = event.kind === "monitor.down";
    const error = event.data["error"] as { message?: string } | null | undefined;
    return {
      ...base,
      kind: event.kind,
      severity: down ? "major" : "none",
      title: `[${down ? "Down" : "Up"}] ${monitor}`,
      text: down ? `Monitor ${monitor} is down${error?.message ? `: ${error.message}` : ""}.` : `Monitor ${monitor} is up again.`,
      markdown: null,
      url: ctx.site.url,
      dedupKey: `monitor:${monitor}`,
      incident: null,
      components: ids.map((id) => component(id)),
      labels: { monitor },
    };
  }
  if (event.kind === "maintenance.scheduled" || event.kind === "maintenance.in_progress" || event.kind === "maintenance.completed") {
    const given = Array.isArray(event.data["components"]) ? event.data["components"].filter((c): c is string => typeof c === "string") : [];
    const ids = ctx.publicNames?.publicIds(given) ?? given;
    const written = typeof event.data["name"] === "string" ? event.data["name"] : (event.subject ?? "maintenance");
    const name = ctx.publicNames?.withoutHiddenNames(written) ?? written;
    const what = event.kind === "maintenance.scheduled" ? "scheduled" : event.kind === "maintenance.in_progress" ? "in progress" : "completed";
    return {
      ...base,
      kind: event.kind,
      severity: "none",
      title: `[Maintenance] ${name}: ${what}`,
      text: `${name} is ${what} (${String(event.data["scheduled_for"] ?? "")} – ${String(event.data["scheduled_until"] ?? "")}).`,
      markdown: null,
      url: `${ctx.site.url}/maintenances/${event.subject ?? ""}`,
      dedupKey: `maintenance:${event.subject ?? name}`,
      incident: null,
      components: ids.map((id) => component(id)),
    };
  }
  if (event.kind === "upstream.degraded" || event.kind === "upstream.recovered") return upstreamMessage(event, ctx, base, component);
  if (event.kind === "region.stale" || event.kind === "region.recovered") return regionMessage(event, ctx, base);
  if (event.kind === "region.isolated" || event.kind === "region.reconnected") return isolationMessage(event, ctx, base);
  if (event.kind === "vantage.suspect" || event.kind === "vantage.restored") return vantageMessage(event, ctx, base);
  if (actionMessageKinds.has(event.kind)) return actionMessage(event, ctx, base);
  if (event.kind === "window.closed") {
    const id = event.subject ?? "";
    const c = component(id);
    return {
      ...base,
      kind: "window.closed",
      severity: "none",
      ...windowClosedText(c.name, event.data),
      markdown: null,
      url: ctx.site.url,
      dedupKey: `window:${id}`,
      incident: null,
      components: [c],
      labels: { window: JSON.stringify(event.data) },
    };
  }
  return null;
}

/** What an attribution says to responders: the provider's incident, with its link. */
function attributionText(event: DispatchEvent): string {
  const summary = typeof event.data["summary"] === "string" ? event.data["summary"] : "likely upstream cause found";
  const url = typeof event.data["url"] === "string" ? ` ${event.data["url"]}` : "";
  return `${summary.charAt(0).toUpperCase()}${summary.slice(1)}.${url}`;
}

/** An agents' region gone silent or heard again, for responders: its votes stop (or start again) counting. */
function regionMessage(event: DispatchEvent, ctx: MessageContext, base: Pick<NotificationMessage, "eventId" | "at" | "site" | "labels">): NotificationMessage {
  const id = event.subject ?? "";
  const name = typeof event.data["name"] === "string" ? event.data["name"] : id;
  const stale = event.kind === "region.stale";
  const lastSeen = typeof event.data["last_seen"] === "string" ? event.data["last_seen"] : null;
  return {
    ...base,
    kind: stale ? "region.stale" : "region.recovered",
    severity: stale ? "minor" : "none",
    title: stale ? `[Region] ${name}: every agent silent` : `[Region] ${name}: agents heard again`,
    text: stale
      ? `No agent of region ${name} has reported${lastSeen === null ? "" : ` since ${lastSeen}`}: its checks no longer count towards any monitor's status until one is heard again. Nothing is published.`
      : `An agent of region ${name} reports again: its checks count again.`,
    markdown: null,
    url: ctx.site.url,
    dedupKey: `region:${id}`,
    incident: null,
    components: [],
    labels: { region: id },
  };
}

/** A region that disagrees with the others about many monitors (its own network at fault), or agrees again. */
function isolationMessage(event: DispatchEvent, ctx: MessageContext, base: Pick<NotificationMessage, "eventId" | "at" | "site" | "labels">): NotificationMessage {
  const id = event.subject ?? "";
  const isolated = event.kind === "region.isolated";
  const failing = typeof event.data["failing"] === "number" ? event.data["failing"] : null;
  const of = typeof event.data["of"] === "number" ? event.data["of"] : null;
  const count = failing === null || of === null ? "many monitors" : `${failing} of ${of} monitors`;
  return {
    ...base,
    kind: isolated ? "region.isolated" : "region.reconnected",
    severity: isolated ? "minor" : "none",
    title: isolated ? `[Region] ${id}: its network, not the targets` : `[Region] ${id}: agrees with the others again`,
    text: isolated
      ? `Region ${id} sees ${count} failing that the other regions see up: its own network is the likely fault. Its checks no longer count, so nothing is opened or published for it.`
      : `Region ${id} agrees with the other regions again: its checks count again.`,
    markdown: null,
    url: ctx.site.url,
    dedupKey: `region:${id}:isolation`,
    incident: null,
    components: [],
    labels: { region: id },
  };
}

/** The server's own network may be cut off (most monitors and every canary failed at once), or that suspicion ended. */
function vantageMessage(event: DispatchEvent, ctx: MessageContext, base: Pick<NotificationMessage, "eventId" | "at" | "site" | "labels">): NotificationMessage {
  const region = event.subject ?? "local";
  const suspect = event.kind === "vantage.suspect";
  const summary = typeof event.data["summary"] === "string" ? event.data["summary"] : "most monitors and every canary failed at once";
  const reason = typeof event.data["reason"] === "string" ? event.data["reason"] : null;
  // In a cluster each node's network is its own: the event names the node, and whether it led (only the leader holds publication).
  const node = typeof event.data["node"] === "string" ? event.data["node"] : null;
  const follower = node !== null && event.data["leading"] === false;
  const server = node === null ? "this server" : `node ${node}`;
  const held = follower
    ? "Incidents still open for responders; this node does not lead the cluster, and the leader, whose own vantage point decides publication, may still publish them."
    : "Incidents still open for responders, but nothing is published automatically until this ends or a responder publishes by hand.";
  const resumed = follower ? "." : ": automatic publication resumes for new incidents; those held meanwhile are left to responders.";
  return {
    ...base,
    kind: suspect ? "vantage.suspect" : "vantage.restored",
    severity: suspect ? "major" : "none",
    title: suspect ? `[Vantage] ${server} may be cut off` : `[Vantage] ${server} reaches out again`,
    text: suspect
      ? `${summary.charAt(0).toUpperCase()}${summary.slice(1)}: ${server}'s own network may be cut off, rather than the services. ${held}`
      : `${server.charAt(0).toUpperCase()}${server.slice(1)}'s vantage point is no longer suspect${reason === null ? "" : ` (${reason})`}${resumed}`,
    markdown: null,
    url: ctx.site.url,
    dedupKey: node === null ? `vantage:${region}` : `vantage:${region}:${node}`,
    incident: null,
    components: [],
    labels: node === null ? { region } : { region, node },
  };
}

/** A provider's status change, for responders: what it reports, since when, and which of our components depend on it. */
function upstreamMessage(
  event: DispatchEvent,
  ctx: MessageContext,
  base: Pick<NotificationMessage, "eventId" | "at" | "site" | "labels">,
  component: (id: string) => MessageComponent,
): NotificationMessage | null {
  const id = event.subject ?? "";
  const name = typeof event.data["name"] === "string" ? event.data["name"] : id;
  const reason = typeof event.data["reason"] === "string" ? event.data["reason"] : "";
  const degraded = event.kind === "upstream.degraded";
  // An upstream that does not warn of its trouble does not announce its recovery either.
  if (event.data["warn"] === false) return null;
  const incident = typeof event.data["incident"] === "object" && event.data["incident"] !== null ? (event.data["incident"] as { title?: unknown; url?: unknown }) : null;
  const link = typeof incident?.url === "string" ? incident.url : ctx.site.url;
  const dependents = ctx.dependentsOf?.(id) ?? [];
  const affected = dependents.map((c) => ctx.components.get(c)?.name ?? c);
  return {
    ...base,
    kind: degraded ? "upstream.degraded" : "upstream.recovered",
    severity: degraded ? "minor" : "none",
    title: degraded ? `[Provider] ${name}: ${String(event.data["status"] ?? "degraded").replace(/_/g, " ")}` : `[Provider] ${name}: recovered`,
    text: [
      degraded ? `The provider reports a problem before any of our checks fails: ${reason}.` : `The provider reports ${name} working again.`,
      affected.length > 0 ? `Depending on it: ${affected.join(", ")}.` : "",
    ]
      .filter((line) => line !== "")
      .join("\n"),
    markdown: null,
    url: link,
    dedupKey: `upstream:${id}`,
    incident: null,
    components: dependents.map((c) => component(c)),
    labels: { upstream: id },
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A responder reminder: when the public last heard about the incident, how long ago, and how to post an update. Update
 * reminders go to the team's channels only, never to subscribers.
 */
function updateDueText(name: string, id: string, event: DispatchEvent): string {
  const last = typeof event.data["last_public_update_at"] === "string" ? new Date(event.data["last_public_update_at"]) : null;
  const since = last === null || Number.isNaN(last.getTime()) ? null : Math.max(0, Math.round((event.at.getTime() - last.getTime()) / 60_000));
  const when = last === null || since === null ? "a while ago" : `at ${last.toISOString().slice(11, 16)} UTC, ${since} min ago`;
  return `Reminder: the public last heard about ${name} ${when}. Post an update: vigil incident update ${id} --body "…" (or POST /api/v1/incidents/${id}/updates).`;
}
