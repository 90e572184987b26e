import type { ComponentStatus } from "./component-status.ts";
import { statusTimes } from "./lifecycle.ts";

/** A timeline event as projections read it. */
export interface ProjectionEvent {
  at: Date;
  kind: string;
  subject: string | null;
  data: Record<string, unknown>;
}

/** An incident's state as the timeline alone says it. */
export interface ProjectedIncident {
  id: string;
  name: string;
  status: string;
  impact: string;
  impactOverride: string | null;
  rootIds: string[];
  impactedIds: string[];
  startedAt: Date;
  earliestPossibleStart: Date | null;
  monitoringAt: Date | null;
  resolvedAt: Date | null;
  publishedAt: Date | null;
  postmortemPublishedAt: Date | null;
  manual: boolean;
  hold: boolean;
  createdAt: Date;
}

/**
 * Rebuilds every incident from its timeline events, oldest first: `incident.created` gives the
 * initial state; `incident.signal_joined` its new roots, impact, name and start; `incident.updated`,
 * `incident.resolved` and `incident.reopened` the status (monitoring_at set on entering monitoring and
 * cleared on leaving it for another open status, resolved_at set on resolving and cleared on
 * reopening, postmortem_published_at on entering postmortem) and the hold; `incident.published` the
 * publication; `incident.edited` the name and impact override; `incident.merged` (on the survivor) its start.
 * Other kinds change nothing.
 * The incidents table is this projection kept current; a rebuild must give the same rows.
 */
export function projectIncidents(events: readonly ProjectionEvent[]): Map<string, ProjectedIncident> {
  const incidents = new Map<string, ProjectedIncident>();
  for (const event of events) {
    const id = event.subject;
    if (id === null) continue;
    const d = event.data;
    if (event.kind === "incident.created") {
      incidents.set(id, {
        id,
        name: str(d["name"]) ?? id,
        status: str(d["status"]) ?? "investigating",
        impact: str(d["impact"]) ?? "none",
        impactOverride: str(d["impact_override"]) ?? null,
        rootIds: strings(d["root_ids"]),
        impactedIds: strings(d["impacted_ids"]),
        startedAt: date(d["started_at"]) ?? event.at,
        earliestPossibleStart: date(d["earliest_possible_start"]),
        monitoringAt: d["status"] === "monitoring" ? event.at : null,
        resolvedAt: null,
        publishedAt: null,
        postmortemPublishedAt: null,
        manual: d["manual"] === true,
        hold: d["manual"] === true,
        createdAt: event.at,
      });
      continue;
    }
    const incident = incidents.get(id);
    if (incident === undefined) continue;
    switch (event.kind) {
      case "incident.signal_joined":
        if (Array.isArray(d["root_ids"])) incident.rootIds = strings(d["root_ids"]);
        if (Array.isArray(d["impacted_ids"])) incident.impactedIds = strings(d["impacted_ids"]);
        incident.impact = str(d["impact"]) ?? incident.impact;
        incident.name = str(d["name"]) ?? incident.name;
        incident.startedAt = date(d["started_at"]) ?? incident.startedAt;
        if ("earliest_possible_start" in d) incident.earliestPossibleStart = date(d["earliest_possible_start"]);
        break;
      case "incident.updated":
      case "incident.resolved":
      case "incident.reopened": {
        const to = str(d["status"]) ?? incident.status;
        Object.assign(incident, statusTimes(incident.status, to, event.at));
        if (typeof d["hold"] === "boolean") incident.hold = d["hold"];
        incident.status = to;
        break;
      }
      case "incident.merged":
        incident.startedAt = date(d["started_at"]) ?? incident.startedAt;
        if ("earliest_possible_start" in d) incident.earliestPossibleStart = date(d["earliest_possible_start"]);
        break;
      case "incident.published":
        incident.publishedAt = date(d["published_at"]) ?? event.at;
        break;
      case "incident.edited":
        incident.name = str(d["name"]) ?? incident.name;
        if ("impact_override" in d) incident.impactOverride = str(d["impact_override"]) ?? null;
        break;
    }
  }
  return incidents;
}

/** Every component's last recorded status, from its `component.status_changed` events (operational when none). */
export function projectComponentStatuses(events: readonly ProjectionEvent[]): Record<string, ComponentStatus> {
  const statuses: Record<string, ComponentStatus> = {};
  for (const event of events) {
    if (event.kind !== "component.status_changed" || event.subject === null) continue;
    const to = str(event.data["to"]);
    if (to !== undefined) statuses[event.subject] = to as ComponentStatus;
  }
  return statuses;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function date(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}
