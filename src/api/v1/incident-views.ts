import { z } from "zod";
import { renderMarkdown } from "../../incidents/markdown.ts";

import type { IncidentRow, IncidentUpdateRow, MaintenanceRow } from "../../store/types.ts";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const incidentView = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  impact: z.string(),
  impact_override: z.string().nullable(),
  root_components: z.array(z.string()),
  impacted_components: z.array(z.string()),
  started_at: z.string(),
  earliest_possible_start: z.string().nullable(),
  monitoring_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
  published_at: z.string().nullable(),
  publish_at: z.string().nullable(),
  time_to_publish_ms: z.number().nullable(),
  manual: z.boolean(),
  hold: z.boolean(),
  postmortem_published_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const updateView = z.object({
  id: z.string(),
  status: z.string(),
  body: z.string(),
  body_html: z.string(),
  affected_components: z.array(z.object({ code: z.string(), name: z.string(), old_status: z.string(), new_status: z.string() })),
  actor: z.string(),
  display_at: z.string(),
  created_at: z.string(),
});

export const windowView = z.object({
  /** `<component>@<start>`: what `POST /api/v1/actions/runs` takes as `window`. */
  id: z.string(),
  component: z.string(),
  incidents: z.array(z.string()),
  start: z.string(),
  confirmed_start: z.string(),
  earliest_possible_start: z.string().nullable(),
  end: z.string().nullable(),
  worst_status: z.string(),
  margin_ms: z.number(),
  margin_from: z.string(),
  margin_to: z.string().nullable(),
  intervals: z.array(z.object({ status: z.string(), from: z.string(), to: z.string().nullable() })),
});

export const maintenanceView = z.object({
  id: z.string(),
  name: z.string(),
  body: z.string(),
  body_html: z.string(),
  components: z.array(z.string()),
  status: z.string(),
  source: z.string(),
  scheduled_for: z.string(),
  scheduled_until: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  cancelled_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** An incident as the native API shows it. */
export function incidentOf(row: IncidentRow): z.infer<typeof incidentView> {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    impact: row.impactOverride ?? row.impact,
    impact_override: row.impactOverride,
    root_components: row.rootIds,
    impacted_components: row.impactedIds,
    started_at: row.startedAt.toISOString(),
    earliest_possible_start: iso(row.earliestPossibleStart),
    monitoring_at: iso(row.monitoringAt),
    resolved_at: iso(row.resolvedAt),
    published_at: iso(row.publishedAt),
    publish_at: iso(row.publishAt),
    time_to_publish_ms: row.publishedAt === null ? null : Math.max(0, row.publishedAt.getTime() - row.startedAt.getTime()),
    manual: row.manual,
    hold: row.hold,
    postmortem_published_at: iso(row.postmortemPublishedAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function updateOf(row: IncidentUpdateRow): z.infer<typeof updateView> {
  return {
    id: row.id,
    status: row.status,
    body: row.body,
    body_html: renderMarkdown(row.body),
    affected_components: row.affectedComponents,
    actor: row.actor,
    display_at: row.displayAt.toISOString(),
    created_at: row.createdAt.toISOString(),
  };
}

export function maintenanceOf(row: MaintenanceRow): z.infer<typeof maintenanceView> {
  return {
    id: row.id,
    name: row.name,
    body: row.body,
    body_html: renderMarkdown(row.body),
    components: row.componentIds,
    status: row.cancelledAt ? "cancelled" : row.status,
    source: row.source,
    scheduled_for: row.scheduledFor.toISOString(),
    scheduled_until: row.scheduledUntil.toISOString(),
    started_at: iso(row.startedAt),
    completed_at: iso(row.completedAt),
    cancelled_at: iso(row.cancelledAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** An ISO 8601 instant in a query, or a span back from `now()` such as 7d, 12h, 30m. */
export const instantParam = (now: () => Date) => z.string().transform((value, ctx) => {
  const relative = /^(\d+)(m|h|d)$/.exec(value);
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "m" | "h" | "d"];
    return new Date(now().getTime() - Number(relative[1]) * unit);
  }
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: "custom", message: "expected an ISO 8601 time such as 2026-11-27T10:00:00Z or a span back from now such as 7d, 12h or 30m" });
    return z.NEVER;
  }
  return date;
});
