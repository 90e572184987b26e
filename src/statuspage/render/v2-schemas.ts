/**
 * Strict zod schemas of the Statuspage-compatible public API v2 documents (`/api/v2/*.json`), one per
 * path, with the exact field sets and enums Vigil emits (see docs/statuspage-v2.md). They type the
 * renderer (`v2.ts`), let tests check every document, and give the HTTP layer JSON Schemas to publish.
 */
import { z } from "zod";
import { componentStatuses } from "../../incidents/component-status.ts";
import { incidentStatuses } from "../../incidents/lifecycle.ts";
import { maintenanceStatuses } from "../../incidents/maintenance.ts";

/** The paths under `/api/v2/`, in the order Statuspage's API documentation lists them. */
export const v2Paths = [
  "summary.json",
  "status.json",
  "components.json",
  "incidents.json",
  "incidents/unresolved.json",
  "scheduled-maintenances.json",
  "scheduled-maintenances/upcoming.json",
  "scheduled-maintenances/active.json",
] as const;

/** One of the Statuspage-compatible public documents, by its path under `/api/v2/`. */
export type V2Path = (typeof v2Paths)[number];

/** An instant: ISO 8601 with an offset. Vigil always prints UTC with milliseconds, `2026-11-27T13:20:06.000Z`. */
const time = z.iso.datetime({ offset: true });
const nullableTime = time.nullable();

const page = z.strictObject({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  time_zone: z.string(),
  updated_at: time,
});

const status = z.strictObject({
  indicator: z.enum(["none", "minor", "major", "critical", "maintenance"]),
  description: z.string(),
});

const componentStatus = z.enum(componentStatuses);

/** Fields every component row has, component or group. */
const rowFields = {
  id: z.string(),
  name: z.string(),
  status: componentStatus,
  created_at: time,
  updated_at: time,
  position: z.number().int(),
  description: z.string().nullable(),
  page_id: z.string(),
  only_show_if_degraded: z.literal(false),
};

/** A component: `group: false`, shown with its uptime bar (`showcase: true`) from `start_date`. */
const componentRow = z.strictObject({
  ...rowFields,
  showcase: z.literal(true),
  start_date: z.iso.date(),
  group_id: z.string().nullable(),
  group: z.literal(false),
});

/** A group of components: `group: true`, no bar of its own, its children's ids in `components`. */
const groupRow = z.strictObject({
  ...rowFields,
  showcase: z.literal(false),
  start_date: z.null(),
  group_id: z.null(),
  group: z.literal(true),
  components: z.array(z.string()),
});

const row = z.discriminatedUnion("group", [componentRow, groupRow]);

const affectedComponent = z.strictObject({
  code: z.string(),
  name: z.string(),
  old_status: componentStatus,
  new_status: componentStatus,
});

function updateSchema<S extends readonly [string, ...string[]]>(statuses: S) {
  return z.strictObject({
    id: z.string(),
    status: z.enum(statuses),
    body: z.string(),
    incident_id: z.string(),
    created_at: time,
    updated_at: time,
    display_at: time,
    /** null when the update changed no component, as Statuspage prints it. */
    affected_components: z.array(affectedComponent).nullable(),
    deliver_notifications: z.boolean(),
    custom_tweet: z.null(),
    tweet_id: z.null(),
  });
}

/** Fields incidents and scheduled maintenances share (a maintenance is a scheduled incident on Statuspage). */
const incidentFields = {
  id: z.string(),
  name: z.string(),
  created_at: time,
  updated_at: time,
  monitoring_at: nullableTime,
  resolved_at: nullableTime,
  shortlink: z.string(),
  started_at: time,
  page_id: z.string(),
  components: z.array(componentRow),
};

const incident = z.strictObject({
  ...incidentFields,
  status: z.enum(incidentStatuses),
  impact: z.enum(["none", "minor", "major", "critical"]),
  incident_updates: z.array(updateSchema(incidentStatuses)),
  /** The published postmortem (Markdown); null until it is published. */
  postmortem_body: z.string().nullable(),
  postmortem_body_last_updated_at: nullableTime,
  postmortem_ignored: z.boolean(),
  postmortem_notified_subscribers: z.boolean(),
  postmortem_notified_twitter: z.boolean(),
  postmortem_published_at: nullableTime,
});

const maintenance = z.strictObject({
  ...incidentFields,
  status: z.enum(maintenanceStatuses),
  impact: z.literal("maintenance"),
  incident_updates: z.array(updateSchema(maintenanceStatuses)),
  scheduled_for: time,
  scheduled_until: time,
});

const summaryDocument = z
  .strictObject({
    page,
    components: z.array(row),
    incidents: z.array(incident),
    scheduled_maintenances: z.array(maintenance),
    status,
  })
  .meta({ title: "summary.json", description: "The page's status, its components, unresolved incidents, and upcoming and active scheduled maintenances." });

const statusDocument = z.strictObject({ page, status }).meta({ title: "status.json", description: "The page's overall status indicator and its description." });

const componentsDocument = z
  .strictObject({ page, components: z.array(row) })
  .meta({ title: "components.json", description: "Every component and group row, each group row followed by its components." });

const incidentsDocument = (title: string, description: string) => z.strictObject({ page, incidents: z.array(incident) }).meta({ title, description });
const maintenancesDocument = (title: string, description: string) =>
  z.strictObject({ page, scheduled_maintenances: z.array(maintenance) }).meta({ title, description });

/** The strict schema of each document. */
export const v2Schemas = {
  "summary.json": summaryDocument,
  "status.json": statusDocument,
  "components.json": componentsDocument,
  "incidents.json": incidentsDocument("incidents.json", "The 50 most recent incidents, newest first."),
  "incidents/unresolved.json": incidentsDocument("incidents/unresolved.json", "Incidents in investigating, identified or monitoring, newest first."),
  "scheduled-maintenances.json": maintenancesDocument("scheduled-maintenances.json", "The 50 most recent scheduled maintenances, newest first."),
  "scheduled-maintenances/upcoming.json": maintenancesDocument("scheduled-maintenances/upcoming.json", "Scheduled maintenances not yet started, newest first."),
  "scheduled-maintenances/active.json": maintenancesDocument("scheduled-maintenances/active.json", "Scheduled maintenances in progress or verifying, newest first."),
} as const satisfies Record<V2Path, z.ZodType>;

/** The document each path serves. */
export type V2Document<P extends V2Path> = z.output<(typeof v2Schemas)[P]>;
export type V2Page = z.output<typeof page>;
export type V2Status = z.output<typeof status>;
export type V2ComponentRow = z.output<typeof componentRow>;
export type V2GroupRow = z.output<typeof groupRow>;
export type V2Row = z.output<typeof row>;
export type V2AffectedComponent = z.output<typeof affectedComponent>;
export type V2Incident = z.output<typeof incident>;
export type V2IncidentUpdate = V2Incident["incident_updates"][number];
export type V2Maintenance = z.output<typeof maintenance>;
export type V2MaintenanceUpdate = V2Maintenance["incident_updates"][number];

/** Each document's JSON Schema (draft 2020-12), for the HTTP layer to publish. */
export function v2JsonSchemas(): Record<V2Path, object> {
  const out = {} as Record<V2Path, object>;
  for (const path of v2Paths) out[path] = z.toJSONSchema(v2Schemas[path], { target: "draft-2020-12", io: "output" });
  return out;
}
