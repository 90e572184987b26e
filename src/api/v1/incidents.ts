import { z } from "zod";
import { actorOf, rightsOf } from "../../auth/authenticate.ts";
import { AppError } from "../../core/errors.ts";
import { componentStatuses } from "../../incidents/component-status.ts";
import { impacts } from "../../incidents/impact.ts";
import { evidenceWithDiagnosis } from "../../incidents/diagnosis-lines.ts";
import { incidentStatuses } from "../../incidents/lifecycle.ts";
import { postmortemMetrics } from "../../incidents/postmortem.ts";
import { renderMarkdown } from "../../incidents/markdown.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";
import { windowJson } from "../../incidents/windows.ts";
import { incidentOf, incidentView, instantParam, updateOf, updateView, windowView } from "./incident-views.ts";

const timelineEntry = z.object({ id: z.string(), at: z.string(), kind: z.string(), actor: z.string(), data: z.record(z.string(), z.unknown()) });
const markdown = z.string().trim().min(1).max(20_000);
const updateTemplateView = z.object({ id: z.string(), name: z.string(), title: z.string().nullable(), body: z.string(), status: z.string(), components: z.record(z.string(), z.string()), notify: z.boolean() });

/** Incidents: list, open by hand, read with updates and timeline, update, publish, resolve, edit, windows. */
export function incidentRoutes(deps: ApiDeps) {
  const idParams = z.object({ id: z.string().regex(/^inc_[0-9a-f]{16}$/, "expected an incident id such as inc_0123456789abcdef") });
  const get = async (id: string) => {
    const row = await deps.store.incidents.get(id);
    if (!row) throw new AppError("not_found", `no incident with id ${id}`);
    return row;
  };
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/incidents",
      operationId: "listIncidents",
      summary: "Incidents, newest first; filter by open, status, component and the time they were open (from/to: ISO time or 7d, 12h…)",
      tag: "incidents",
      auth: "read",
      query: z.strictObject({
        open: z.enum(["true", "false"]).optional(),
        status: z.enum(incidentStatuses).optional(),
        component: z.string().max(200).optional(),
        from: instantParam(() => deps.clock.now()).optional(),
        to: instantParam(() => deps.clock.now()).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      response: z.object({ incidents: z.array(incidentView) }),
      handler: async ({ query }) => {
        const rows = await deps.store.incidents.list({
          openOnly: query.open === "true",
          ...(query.status ? { statuses: [query.status] } : {}),
          ...(query.component ? { componentId: query.component } : {}),
          ...(query.from ? { from: query.from } : {}),
          ...(query.to ? { to: query.to } : {}),
          limit: query.limit,
        });
        return { incidents: rows.map(incidentOf) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/incidents",
      operationId: "createIncident",
      errors: ["not_found"],
      summary: "Open an incident by hand: its components (with the status each shows while it is open) are its roots; published at once unless publish is false",
      tag: "incidents",
      auth: "incidents.write",
      status: 201,
      body: z.strictObject({
        name: z.string().trim().min(1).max(200),
        body: markdown,
        status: z.enum(["investigating", "identified", "monitoring"]).optional(),
        components: z.record(z.string(), z.enum(componentStatuses)).optional(),
        impact: z.enum(impacts).optional(),
        publish: z.boolean().optional(),
      }),
      response: incidentView,
      handler: async ({ body, principal }) => incidentOf(await deps.incidents.create(body, actorOf(principal), rightsOf(principal))),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/incidents/:id",
      operationId: "getIncident",
      summary: "An incident with its updates (Markdown and sanitised HTML), its evidence in words, its response metrics and its timeline",
      tag: "incidents",
      auth: "read",
      params: idParams,
      response: incidentView.extend({
        updates: z.array(updateView),
        evidence: z.array(z.object({ component: z.string(), kind: z.string(), text: z.string() })),
        metrics: z.object({ time_to_detect_ms: z.number().nullable(), time_to_acknowledge_ms: z.number().nullable(), time_to_publish_ms: z.number().nullable(), time_to_resolve_ms: z.number().nullable() }),
        timeline: z.array(timelineEntry),
      }),
      handler: async ({ params }) => {
        const row = await get(params.id);
        const [events, updates, components] = await Promise.all([
          deps.store.events.list({ subject: row.id, limit: 10_000 }),
          deps.store.incidents.updates(row.id),
          deps.store.catalog.components({ includeRemoved: true }),
        ]);
        const names = Object.fromEntries(components.map((c) => [c.id, c.name]));
        const metrics = postmortemMetrics({ incident: row, updates, events });
        return {
          ...incidentOf(row),
          updates: updates.map(updateOf),
          evidence: evidenceWithDiagnosis(events, names).map((line) => ({ component: line.componentId, kind: line.kind, text: line.text })),
          metrics: {
            time_to_detect_ms: metrics.timeToDetectMs,
            time_to_acknowledge_ms: metrics.timeToAcknowledgeMs,
            time_to_publish_ms: metrics.timeToPublishMs,
            time_to_resolve_ms: metrics.timeToResolveMs,
          },
          timeline: events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, actor: e.actor, data: e.data })),
        };
      },
    }),
    defineRoute({
      method: "PATCH",
      url: "/api/v1/incidents/:id",
      operationId: "editIncident",
      summary: "Rename an incident or override its impact (null returns to the impact derived from its components)",
      tag: "incidents",
      auth: "incidents.write",
      params: idParams,
      body: z.strictObject({ name: z.string().trim().min(1).max(200).optional(), impact: z.enum(impacts).nullable().optional() }),
      response: incidentView,
      handler: async ({ params, body, principal }) => incidentOf(await deps.incidents.edit(params.id, body, actorOf(principal), rightsOf(principal))),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/incidents/:id/updates",
      operationId: "addIncidentUpdate",
      errors: ["conflict"],
      summary: "A responder's update: a Markdown message and optionally a new status; holds the incident (automation stops moving it) unless hold is false; publishes a draft unless publish is false; tells subscribers unless notify is false",
      tag: "incidents",
      auth: "incidents.write",
      status: 201,
      params: idParams,
      body: z.strictObject({ status: z.enum(incidentStatuses).optional(), body: markdown, hold: z.boolean().optional(), publish: z.boolean().optional(), notify: z.boolean().optional() }),
      response: incidentView,
      handler: async ({ params, body, principal }) => incidentOf(await deps.incidents.personUpdate(params.id, body, actorOf(principal), rightsOf(principal))),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/incidents/:id/notes",
      operationId: "addIncidentNote",
      summary: "A responder's internal note on the timeline: never published, changes nothing",
      tag: "incidents",
      auth: "notes.write",
      status: 201,
      params: idParams,
      body: z.strictObject({ body: markdown }),
      response: timelineEntry,
      handler: async ({ params, body, principal }) => {
        const row = await get(params.id);
        const event = await deps.store.events.append({ at: deps.clock.now(), kind: "incident.note", subject: row.id, actor: actorOf(principal), data: { body: body.body } });
        return { id: event.id, at: event.at.toISOString(), kind: event.kind, actor: event.actor, data: event.data };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/incidents/:id/resolve",
      operationId: "resolveIncident",
      errors: ["conflict"],
      summary: "Resolve an incident, with an optional closing message; resolving a draft publishes it unless publish is false",
      tag: "incidents",
      auth: "incidents.write",
      params: idParams,
      body: z.strictObject({ body: markdown.optional(), publish: z.boolean().optional() }).optional(),
      response: incidentView,
      handler: async ({ params, body, principal }) =>
        incidentOf(
          await deps.incidents.personUpdate(
            params.id,
            { status: "resolved", body: body?.body ?? "This incident has been resolved.", ...(body?.publish !== undefined ? { publish: body.publish } : {}) },
            actorOf(principal),
            rightsOf(principal),
          ),
        ),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/incidents/:id/publish",
      operationId: "publishIncident",
      errors: ["conflict"],
      summary: "Publish a draft incident (publish policy manual, or a delay not yet run out)",
      tag: "incidents",
      auth: "incidents.publish",
      params: idParams,
      response: incidentView,
      handler: async ({ params, principal }) => incidentOf(await deps.incidents.publish(params.id, actorOf(principal))),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/incidents/:id/windows",
      operationId: "incidentWindows",
      summary: "Outage windows of the incident: per affected component, each interval with its status level, the confirmed and earliest possible start, and the end",
      tag: "windows",
      auth: "read",
      params: idParams,
      query: z.strictObject({ margin: z.coerce.number().int().min(0).max(86_400_000).optional() }),
      response: z.object({ incident: z.string(), windows: z.array(windowView) }),
      handler: async ({ params, query }) => {
        const row = await get(params.id);
        const windows = await deps.incidents.windows({ incidentId: row.id, from: row.earliestPossibleStart ?? row.startedAt });
        const margin = query.margin ?? deps.settings().windowMarginMs;
        return { incident: row.id, windows: windows.map((w) => windowJson(w, margin)) };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/incidents/:id/postmortem",
      operationId: "getPostmortem",
      summary: "The postmortem (Markdown, drafted from the timeline at resolution) and when it was published",
      tag: "incidents",
      auth: "read",
      params: idParams,
      response: z.object({ incident: z.string(), body: z.string().nullable(), body_html: z.string().nullable(), published_at: z.string().nullable() }),
      handler: async ({ params }) => {
        const row = await get(params.id);
        return postmortemOf(row);
      },
    }),
    defineRoute({
      method: "PUT",
      url: "/api/v1/incidents/:id/postmortem",
      operationId: "savePostmortem",
      errors: ["conflict"],
      summary: "Replace the postmortem's Markdown (the incident must be resolved)",
      tag: "incidents",
      auth: "postmortems.write",
      params: idParams,
      body: z.strictObject({ body: z.string().trim().min(1).max(200_000) }),
      response: z.object({ incident: z.string(), body: z.string().nullable(), body_html: z.string().nullable(), published_at: z.string().nullable() }),
      handler: async ({ params, body, principal }) => postmortemOf(await deps.incidents.savePostmortem(params.id, body.body, actorOf(principal), rightsOf(principal))),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/incidents/:id/postmortem/publish",
      operationId: "publishPostmortem",
      errors: ["conflict"],
      summary: "Publish the postmortem; the incident moves to postmortem. One that still names a hidden component or an internal detail (a configured host, an address, a path) is refused (409, each finding in details) unless force is true",
      tag: "incidents",
      auth: "incidents.publish",
      params: idParams,
      body: z.strictObject({ force: z.boolean().optional() }).optional(),
      response: incidentView,
      handler: async ({ params, body, principal }) => incidentOf(await deps.incidents.publishPostmortem(params.id, actorOf(principal), { force: body?.force === true })),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/update-templates",
      operationId: "listUpdateTemplates",
      summary: "The responders' update templates (config incidents.update_templates): name, title, body, status, components' statuses, notify",
      tag: "incidents",
      auth: "read",
      response: z.object({ templates: z.array(updateTemplateView) }),
      handler: async () => ({
        templates: (deps.settings().updateTemplates ?? []).map((t) => ({ id: t.id, name: t.name, title: t.title ?? null, body: t.body, status: t.status, components: t.components ?? {}, notify: t.notify })),
      }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/windows",
      operationId: "listWindows",
      summary: "Outage windows for reconciliation: which components were impaired when; filter by component and overlap with [from, to)",
      tag: "windows",
      auth: "read",
      query: z.strictObject({
        component: z.string().max(200).optional(),
        from: instantParam(() => deps.clock.now()).optional(),
        to: instantParam(() => deps.clock.now()).optional(),
        margin: z.coerce.number().int().min(0).max(86_400_000).optional(),
      }),
      response: z.object({ windows: z.array(windowView) }),
      handler: async ({ query }) => {
        const windows = await deps.incidents.windows({
          ...(query.component ? { componentId: query.component } : {}),
          ...(query.from ? { from: query.from } : {}),
          ...(query.to ? { to: query.to } : {}),
        });
        const margin = query.margin ?? deps.settings().windowMarginMs;
        return { windows: windows.map((w) => windowJson(w, margin)) };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/timeline",
      operationId: "incidentTimeline",
      errors: ["not_found"],
      summary: "The timeline of one incident, oldest first (the native events API reads all of it)",
      tag: "timeline",
      auth: "read",
      query: z.strictObject({ incident: z.string().regex(/^inc_[0-9a-f]{16}$/, "expected an incident id such as inc_0123456789abcdef") }),
      response: z.object({ events: z.array(timelineEntry) }),
      handler: async ({ query }) => {
        await get(query.incident);
        const events = await deps.store.events.list({ subject: query.incident, limit: 10_000 });
        return { events: events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, actor: e.actor, data: e.data })) };
      },
    }),
  ];
}

function postmortemOf(row: { id: string; postmortemBody: string | null; postmortemPublishedAt: Date | null }) {
  return {
    incident: row.id,
    body: row.postmortemBody,
    body_html: row.postmortemBody === null ? null : renderMarkdown(row.postmortemBody),
    published_at: row.postmortemPublishedAt?.toISOString() ?? null,
  };
}
