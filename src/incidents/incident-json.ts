/** What Vigil's outgoing JSON (webhook channels, runbook actions) says of an incident. */
export interface IncidentJson<Impact extends string = string> {
  id: string;
  name: string;
  status: string;
  impact: Impact;
  started_at: string;
  resolved_at: string | null;
  root_components: string[];
  impacted_components: string[];
}

/** The incident's fields as outgoing JSON names them (pure). */
export function incidentJson<Impact extends string>(incident: { id: string; name: string; status: string; impact: Impact; startedAt: Date; resolvedAt: Date | null; rootIds: readonly string[]; impactedIds: readonly string[] }): IncidentJson<Impact> {
  return {
    id: incident.id,
    name: incident.name,
    status: incident.status,
    impact: incident.impact,
    started_at: incident.startedAt.toISOString(),
    resolved_at: incident.resolvedAt?.toISOString() ?? null,
    root_components: [...incident.rootIds],
    impacted_components: [...incident.impactedIds],
  };
}
