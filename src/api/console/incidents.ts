/**
 * The console's incidents: the list (/manage/incidents), opening one by hand (/manage/incidents/new), the incident
 * room (/manage/incidents/:id) with its forms, and the Markdown preview (/manage/preview). Every read and write goes
 * through the HTTP API as the signed-in user (kit.api), so the API validates, enforces the role, forwards to the
 * leader and writes the audit log; a 4xx comes back beside its form with what was typed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ConsoleAction } from "../../auth/roles.ts";
import { renderMarkdown } from "../../incidents/markdown.ts";
import {
  incidentListPage,
  newIncidentPage,
  roomPage,
  templateValues,
  type ComponentJson,
  type FormState,
  type IncidentDetailJson,
  type IncidentJson,
  type PostmortemJson,
  type RoomForm,
  type TimelineEventJson,
  type UpdateTemplateJson,
  type WindowJson,
} from "./incident-pages.ts";
import type { Allowed, ApiAnswer, ConsoleKit } from "./kit.ts";
import { messagePage } from "./pages.ts";

const seeOther = (reply: FastifyReply, to: string) => reply.status(303).header("cache-control", "no-store").redirect(to);
const incidentId = /^inc_[0-9a-f]{16}$/;

/** The form's fields as typed (strings only), the CSRF token left out. */
function valuesOf(body: unknown): Record<string, string> {
  const raw = body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
  return Object.fromEntries(Object.entries(raw).filter(([key, value]) => key !== "csrf" && typeof value === "string")) as Record<string, string>;
}

/** The components' statuses a form chose (`component.<id>` fields that are not empty). */
function chosenStatuses(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).flatMap(([key, value]) => (key.startsWith("component.") && value !== "" ? [[key.slice("component.".length), value]] : [])));
}

/** The API's refusal as a form state. */
function refusal(answer: ApiAnswer, values: Record<string, string>): FormState {
  const details = (answer.json as { error?: { details?: { path?: unknown; message?: unknown }[] } } | undefined)?.error?.details;
  return {
    values,
    error: answer.error ?? `the API answered ${answer.status}`,
    ...(Array.isArray(details) ? { details: details.map((d) => ({ path: typeof d.path === "string" ? d.path : "", message: String(d.message ?? "") })) } : {}),
  };
}

/** The preview of a Markdown body, or an empty one. */
const previewOf = (text: string): string => (text.trim() === "" ? `<p class="meta">Nothing to preview.</p>` : renderMarkdown(text));

/** Registers the incident pages in the console's scope. */
export function registerIncidentPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const templates = async (request: FastifyRequest): Promise<UpdateTemplateJson[]> => (await kit.api<{ templates: UpdateTemplateJson[] }>(request, { method: "GET", url: "/api/v1/update-templates" })).json?.templates ?? [];
  const components = async (request: FastifyRequest): Promise<ComponentJson[]> => (await kit.api<{ components: ComponentJson[] }>(request, { method: "GET", url: "/api/v1/components" })).json?.components ?? [];
  const templateParam = (request: FastifyRequest) => kit.field(request.query, "template").slice(0, 200);

  /** Answers a page that failed to read from the API with its message. */
  const failed = (reply: FastifyReply, answer: ApiAnswer) => kit.page(reply, answer.status >= 400 ? answer.status : 502, messagePage("Incident", answer.error ?? "the API gave no answer", { href: "/manage/incidents", text: "All incidents" }));

  scope.get("/manage/incidents", async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "read", "/manage/incidents");
    if (!allowed) return reply;
    const [open, all, list] = await Promise.all([
      kit.api<{ incidents: IncidentJson[] }>(request, { method: "GET", url: "/api/v1/incidents?open=true&limit=200" }),
      kit.api<{ incidents: IncidentJson[] }>(request, { method: "GET", url: "/api/v1/incidents?limit=50" }),
      components(request),
    ]);
    if (open.status !== 200) return failed(reply, open);
    if (all.status !== 200) return failed(reply, all);
    const openIds = new Set(open.json.incidents.map((i) => i.id));
    const recent = all.json.incidents.filter((i) => !openIds.has(i.id) && i.resolved_at !== null);
    return kit.page(reply, 200, incidentListPage({ chrome: allowed.chrome, open: open.json.incidents, recent, components: list }));
  });

  const newPage = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, status: number, state?: FormState) => {
    const [list, known] = await Promise.all([components(request), templates(request)]);
    const template = templateParam(request);
    const filled = state ?? { values: templateValues(known.find((t) => t.id === template)) };
    return kit.page(reply, status, newIncidentPage({ chrome: allowed.chrome, components: list, templates: known, template, state: filled }));
  };

  scope.get("/manage/incidents/new", async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "incidents.write", "/manage/incidents");
    if (!allowed) return reply;
    return newPage(request, reply, allowed, 200);
  });

  scope.post("/manage/incidents/new", async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "incidents.write", "/manage/incidents");
    if (!allowed) return reply;
    const values = valuesOf(request.body);
    if (values["action"] === "preview") {
      kit.skipAudit(request);
      return newPage(request, reply, allowed, 200, { values, preview: previewOf(values["body"] ?? "") });
    }
    const chosen = chosenStatuses(values);
    const answer = await kit.api<IncidentJson>(request, {
      method: "POST",
      url: "/api/v1/incidents",
      body: {
        name: values["name"] ?? "",
        body: values["body"] ?? "",
        ...(values["status"] ? { status: values["status"] } : {}),
        ...(values["impact"] ? { impact: values["impact"] } : {}),
        ...(Object.keys(chosen).length > 0 ? { components: chosen } : {}),
        publish: values["publish"] === "1",
      },
    });
    if (answer.status !== 201) return newPage(request, reply, allowed, answer.status >= 400 && answer.status < 500 ? answer.status : 502, refusal(answer, values));
    return seeOther(reply, `/manage/incidents/${answer.json.id}`);
  });

  /** Reads the room's view; undefined when the incident cannot be read (answered). */
  const roomView = async (request: FastifyRequest, reply: FastifyReply, id: string) => {
    const incident = await kit.api<IncidentDetailJson>(request, { method: "GET", url: `/api/v1/incidents/${id}` });
    if (incident.status !== 200) {
      void failed(reply, incident);
      return undefined;
    }
    const [timeline, windows, list, postmortem, known] = await Promise.all([
      kit.api<{ events: TimelineEventJson[] }>(request, { method: "GET", url: `/api/v1/timeline?incident=${id}` }),
      kit.api<{ windows: WindowJson[] }>(request, { method: "GET", url: `/api/v1/incidents/${id}/windows` }),
      components(request),
      kit.api<PostmortemJson>(request, { method: "GET", url: `/api/v1/incidents/${id}/postmortem` }),
      templates(request),
    ]);
    return {
      incident: incident.json,
      timeline: timeline.json?.events ?? [],
      windows: windows.json?.windows ?? [],
      components: list,
      postmortem: postmortem.json ?? { body: null, body_html: null, published_at: null },
      templates: known,
    };
  };

  const room = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, id: string, status: number, form?: RoomForm, state?: FormState) => {
    const view = await roomView(request, reply, id);
    if (!view) return reply;
    const template = templateParam(request);
    const chosen = view.templates.find((t) => t.id === template);
    const filled = form === undefined && chosen ? { form: "update" as const, state: { values: templateValues(chosen) } } : { form, state };
    return kit.page(reply, status, roomPage({ chrome: allowed.chrome, view, template, ...(filled.form ? { form: filled.form } : {}), ...(filled.state ? { state: filled.state } : {}) }));
  };

  const idOf = (request: FastifyRequest): string | undefined => {
    const id = (request.params as { id?: string }).id ?? "";
    return incidentId.test(id) ? id : undefined;
  };
  const notFound = (reply: FastifyReply) => kit.page(reply, 404, messagePage("Incident", "No incident has this id.", { href: "/manage/incidents", text: "All incidents" }));

  scope.get("/manage/incidents/:id", async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "read", "/manage/incidents");
    if (!allowed) return reply;
    const id = idOf(request);
    if (!id) return notFound(reply);
    return room(request, reply, allowed, id, 200);
  });

  /**
   * One of the room's forms: `action` is the role's action for it (the API checks its own too); `write` calls the API
   * and gives its answer, or the preview when the form asked for one. Success comes back to the room with a notice.
   */
  const roomForm = (path: string, form: RoomForm, action: ConsoleAction, write: (request: FastifyRequest, id: string, values: Record<string, string>) => Promise<ApiAnswer | { preview: string }>, notice: string) => {
    scope.post(`/manage/incidents/:id/${path}`, async (request, reply) => {
      const allowed = await kit.allowed(request, reply, action, "/manage/incidents");
      if (!allowed) return reply;
      const id = idOf(request);
      if (!id) return notFound(reply);
      const values = valuesOf(request.body);
      const answer = await write(request, id, values);
      if ("preview" in answer) {
        kit.skipAudit(request);
        return room(request, reply, allowed, id, 200, form, { values, preview: answer.preview });
      }
      if (answer.status >= 400) return room(request, reply, allowed, id, answer.status < 500 ? answer.status : 502, form, refusal(answer, values));
      return room(request, reply, allowed, id, 200, form, { notice });
    });
  };

  roomForm(
    "update",
    "update",
    "incidents.write",
    async (request, id, values) => {
      if (values["action"] === "preview") return { preview: previewOf(values["body"] ?? "") };
      const answer = await kit.api(request, {
        method: "POST",
        url: `/api/v1/incidents/${id}/updates`,
        body: {
          body: values["body"] ?? "",
          ...(values["status"] ? { status: values["status"] } : {}),
          ...(values["publish"] !== undefined || values["submitted"] === "1" ? { publish: values["publish"] === "1" } : {}),
          hold: values["hold"] === "1",
          notify: values["notify"] === "1",
        },
      });
      if (answer.status >= 400) return answer;
      return (await setStatuses(request, values)) ?? answer;
    },
    "The update is posted.",
  );

  /** Sets each chosen component's status through the API, one after the other; the first refusal, if any. */
  const setStatuses = async (request: FastifyRequest, values: Record<string, string>): Promise<ApiAnswer | undefined> => {
    for (const [component, status] of Object.entries(chosenStatuses(values))) {
      const answer = await kit.api(request, { method: "PUT", url: `/api/v1/components/${encodeURIComponent(component)}/status`, body: { status: status === "auto" ? null : status } });
      if (answer.status >= 400) return answer;
    }
    return undefined;
  };

  roomForm("publish", "publish", "incidents.publish", (request, id) => kit.api(request, { method: "POST", url: `/api/v1/incidents/${id}/publish` }), "The incident is published.");
  roomForm(
    "components",
    "components",
    "incidents.write",
    async (request, _id, values) => (await setStatuses(request, values)) ?? { status: 200, json: undefined },
    "The components' statuses are set.",
  );
  roomForm("note", "note", "notes.write", (request, id, values) => kit.api(request, { method: "POST", url: `/api/v1/incidents/${id}/notes`, body: { body: values["body"] ?? "" } }), "The note is on the timeline.");
  roomForm(
    "resolve",
    "resolve",
    "incidents.write",
    (request, id, values) => kit.api(request, { method: "POST", url: `/api/v1/incidents/${id}/resolve`, body: (values["body"] ?? "").trim() === "" ? {} : { body: values["body"] } }),
    "The incident is resolved.",
  );
  roomForm(
    "postmortem",
    "postmortem",
    "postmortems.write",
    async (request, id, values) => {
      if (values["action"] === "preview") return { preview: previewOf(values["body"] ?? "") };
      return kit.api(request, { method: "PUT", url: `/api/v1/incidents/${id}/postmortem`, body: { body: values["body"] ?? "" } });
    },
    "The postmortem is saved.",
  );
  roomForm(
    "postmortem/publish",
    "postmortem-publish",
    "incidents.publish",
    (request, id, values) => kit.api(request, { method: "POST", url: `/api/v1/incidents/${id}/postmortem/publish`, body: values["force"] === "1" ? { force: true } : {} }),
    "The postmortem is published.",
  );

  // The preview of the pages' script: a Markdown body rendered as the status page will show it. Read-only.
  scope.post("/manage/preview", async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "read", "/manage/incidents");
    if (!allowed) return reply;
    kit.skipAudit(request);
    return reply
      .status(200)
      .header("content-type", "text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .header("content-security-policy", "default-src 'none'")
      .send(previewOf(kit.field(request.body, "body").slice(0, 200_000)));
  });
}
