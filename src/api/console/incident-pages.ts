/**
 * The console's incident pages, rendered on the server from what the HTTP API answers: the list of incidents, the
 * form that opens one, and the incident room (header, evidence, timeline, outage windows, and the forms of the
 * responder's work: update, publish, components, note, resolve, postmortem). A form's controls are shown only to a
 * role that may use them; a refused or invalid form comes back with the API's message and what was typed.
 */
import { roleAllows } from "../../auth/roles.ts";
import { describeTimelineEvent } from "../../incidents/postmortem.ts";
import { esc } from "../../statuspage/render/html/escape.ts";
import { consolePage, csrfField, type SignedInChrome } from "./pages.ts";
import { scrollBox } from "./manage-forms.ts";

/** An incident as the API lists it. */
export interface IncidentJson {
  id: string;
  name: string;
  status: string;
  impact: string;
  root_components: string[];
  impacted_components: string[];
  started_at: string;
  resolved_at: string | null;
  published_at: string | null;
  publish_at: string | null;
  hold: boolean;
  postmortem_published_at: string | null;
}

/** GET /api/v1/incidents/:id. */
export interface IncidentDetailJson extends IncidentJson {
  updates: { id: string; status: string; body_html: string; actor: string; display_at: string; affected_components: { code: string; name: string; old_status: string; new_status: string }[] }[];
  evidence: { component: string; kind: string; text: string }[];
}

export interface TimelineEventJson {
  id: string;
  at: string;
  kind: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface ComponentJson {
  id: string;
  name: string;
  status: string;
  overridden: boolean;
}

export interface WindowJson {
  component: string;
  start: string;
  end: string | null;
  worst_status: string;
  earliest_possible_start: string | null;
}

export interface PostmortemJson {
  body: string | null;
  body_html: string | null;
  published_at: string | null;
}

export interface UpdateTemplateJson {
  id: string;
  name: string;
  title: string | null;
  body: string;
  status: string;
  components: Record<string, string>;
  notify: boolean;
}

/** A form's outcome to show beside it: the API's message and its field details, or a notice. */
export interface FormState {
  /** What was typed, by field name. */
  values?: Record<string, string>;
  error?: string;
  details?: { path: string; message: string }[];
  notice?: string;
  /** The body rendered as Markdown (the no-script "Preview" button). */
  preview?: string;
}

export const componentStatusText: Record<string, string> = {
  operational: "Operational",
  degraded_performance: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
  under_maintenance: "Under maintenance",
};
const updateStatuses = ["investigating", "identified", "monitoring", "resolved"] as const;
const openStatuses = new Set(["investigating", "identified", "monitoring"]);

const statusClass = (status: string): string => `status status-${status.replace(/[^a-z_]/g, "")}`;
const time = (iso: string | null): string => (iso === null ? "" : `<time datetime="${esc(iso)}">${esc(iso.slice(0, 16).replace("T", " "))} UTC</time>`);
const published = (i: IncidentJson): string => (i.published_at === null ? `<strong>Draft</strong> (not public)` : `Published ${time(i.published_at)}`);

/** The API's message and its details, as an alert beside the form. */
function problemOf(state: FormState | undefined): string {
  if (!state?.error) return "";
  const details = (state.details ?? []).map((d) => `<li>${esc(d.path ? `${d.path}: ${d.message}` : d.message)}</li>`).join("");
  return `<div class="error" role="alert"><p>${esc(state.error)}</p>${details ? `<ul>${details}</ul>` : ""}</div>`;
}
const noticeOf = (state: FormState | undefined): string => (state?.notice ? `<p class="note" role="status">${esc(state.notice)}</p>` : "");

function select(name: string, label: string, options: readonly { value: string; text: string }[], chosen: string, id = name): string {
  return (
    `<label for="${esc(id)}">${esc(label)}</label><select id="${esc(id)}" name="${esc(name)}">` +
    options.map((o) => `<option value="${esc(o.value)}"${o.value === chosen ? " selected" : ""}>${esc(o.text)}</option>`).join("") +
    `</select>`
  );
}
const check = (name: string, label: string, on: boolean, id = name) =>
  `<label class="check" for="${esc(id)}"><input type="checkbox" id="${esc(id)}" name="${esc(name)}" value="1"${on ? " checked" : ""}> ${esc(label)}</label>`;

/** A Markdown textarea with its preview (rendered by the script as one types, or by the Preview button). */
function markdownField(id: string, name: string, label: string, value: string, preview: string | undefined, rows = 6): string {
  return (
    `<label for="${esc(id)}">${esc(label)} <span class="meta">(Markdown)</span></label>` +
    `<textarea id="${esc(id)}" name="${esc(name)}" rows="${rows}" data-preview="${esc(id)}-preview">${esc(value)}</textarea>` +
    `<div id="${esc(id)}-preview" class="preview" aria-live="polite"${preview === undefined ? " hidden" : ""}><p class="meta">Preview</p>${preview ?? ""}</div>`
  );
}

const componentName = (components: readonly ComponentJson[], id: string) => components.find((c) => c.id === id)?.name ?? id;

/** /manage/incidents: open incidents first, then recent resolved ones. */
export function incidentListPage(input: { chrome: SignedInChrome; open: readonly IncidentJson[]; recent: readonly IncidentJson[]; components: readonly ComponentJson[] }): string {
  const item = (i: IncidentJson) => {
    const ids = [...i.root_components, ...i.impacted_components];
    return (
      `<li data-incident="${esc(i.id)}"><a href="/manage/incidents/${esc(i.id)}">${esc(i.name)}</a><br>` +
      `Status <strong>${esc(i.status)}</strong>, impact ${esc(i.impact)}, started ${time(i.started_at)}. ${published(i)}` +
      (ids.length > 0 ? `<br><span class="meta">Components: ${esc(ids.map((id) => componentName(input.components, id)).join(", "))}</span>` : "") +
      `</li>`
    );
  };
  const list = (items: readonly IncidentJson[], none: string) => (items.length === 0 ? `<p>${none}</p>` : `<ul class="list">${items.map(item).join("")}</ul>`);
  const open = roleAllows(input.chrome.user.role, "incidents.write") ? `<p><a id="open-incident" href="/manage/incidents/new">Open an incident</a></p>` : "";
  return consolePage(
    "Incidents",
    `<h1>Incidents</h1>${open}` +
      `<section aria-labelledby="open-h"><h2 id="open-h">Open</h2>${list(input.open, "No open incident.")}</section>` +
      `<section aria-labelledby="recent-h"><h2 id="recent-h">Recently resolved</h2>${list(input.recent, "No resolved incident yet.")}</section>`,
    { chrome: input.chrome, narrow: false },
  );
}

/** The affected components' statuses: one select per component ("" leaves it as it is). */
function componentSelects(components: readonly ComponentJson[], values: Record<string, string>, prefix: string, unchanged: string): string {
  if (components.length === 0) return `<p class="meta">No component is configured.</p>`;
  return components
    .map((c) =>
      select(
        `component.${c.id}`,
        `${c.name} (now ${componentStatusText[c.status] ?? c.status}${c.overridden ? ", set by hand" : ""})`,
        [{ value: "", text: unchanged }, ...Object.entries(componentStatusText).map(([value, text]) => ({ value, text })), ...(prefix === "set" ? [{ value: "auto", text: "Follow its monitors" }] : [])],
        values[`component.${c.id}`] ?? "",
        `${prefix}-${c.id}`,
      ),
    )
    .join("");
}

function templatePicker(action: string, templates: readonly UpdateTemplateJson[], chosen: string): string {
  if (templates.length === 0) return "";
  return (
    `<form method="get" action="${esc(action)}" class="template"><fieldset><legend>Start from a template</legend>` +
    select("template", "Template", [{ value: "", text: "None" }, ...templates.map((t) => ({ value: t.id, text: t.name }))], chosen) +
    `<button type="submit">Fill the form</button></fieldset></form>`
  );
}

/** The values a template puts in an update form. */
export function templateValues(template: UpdateTemplateJson | undefined): Record<string, string> {
  if (!template) return {};
  return {
    ...(template.title ? { name: template.title } : {}),
    body: template.body,
    status: template.status,
    notify: template.notify ? "1" : "",
    ...Object.fromEntries(Object.entries(template.components).map(([id, status]) => [`component.${id}`, status])),
  };
}

/** /manage/incidents/new. */
export function newIncidentPage(input: { chrome: SignedInChrome; components: readonly ComponentJson[]; templates: readonly UpdateTemplateJson[]; template: string; state?: FormState; status?: number }): string {
  const v = input.state?.values ?? {};
  const submitted = v["submitted"] === "1";
  return consolePage(
    "Open an incident",
    `<h1>Open an incident</h1>` +
      templatePicker("/manage/incidents/new", input.templates, input.template) +
      problemOf(input.state) +
      `<form method="post" action="/manage/incidents/new">${csrfField(input.chrome.csrf)}<input type="hidden" name="submitted" value="1">` +
      `<label for="name">Name</label><input id="name" name="name" type="text" required maxlength="200" value="${esc(v["name"] ?? "")}">` +
      markdownField("body", "body", "First update", v["body"] ?? "", input.state?.preview) +
      select("status", "Status", ["investigating", "identified", "monitoring"].map((s) => ({ value: s, text: s })), v["status"] ?? "investigating") +
      select("impact", "Impact", [{ value: "", text: "Derived from the components" }, ...["none", "minor", "major", "critical"].map((s) => ({ value: s, text: s }))], v["impact"] ?? "") +
      `<fieldset><legend>Affected components and their statuses</legend>${componentSelects(input.components, v, "new", "Not affected")}</fieldset>` +
      check("publish", "Publish now (otherwise kept as a draft)", submitted ? v["publish"] === "1" : true) +
      `<button type="submit" name="action" value="preview">Preview</button> <button type="submit" name="action" value="open">Open the incident</button></form>`,
    { chrome: input.chrome, scripts: ["incidents.js"] },
  );
}

/** What the room shows, as the API answered it. */
export interface RoomView {
  incident: IncidentDetailJson;
  timeline: readonly TimelineEventJson[];
  windows: readonly WindowJson[];
  components: readonly ComponentJson[];
  postmortem: PostmortemJson;
  templates: readonly UpdateTemplateJson[];
}

/** Which of the room's forms a state belongs to. */
export type RoomForm = "update" | "publish" | "components" | "note" | "resolve" | "postmortem" | "postmortem-publish";

/** A timeline event in words, as `vigil incident show` and the postmortem tell it. */
function timelineText(event: TimelineEventJson, components: readonly ComponentJson[]): string {
  const text = describeTimelineEvent({ ...event, at: new Date(event.at) }, (id) => componentName(components, id));
  // A note's text is the responders' own: shown with it (the postmortem and the CLI show it as its body too).
  const note = event.kind === "incident.note" && typeof event.data["body"] === "string" ? `: ${event.data["body"]}` : "";
  return event.data["notify"] === false ? `${text} (subscribers not told)` : `${text}${note}`;
}

/** /manage/incidents/:id, the room. */
export function roomPage(input: { chrome: SignedInChrome; view: RoomView; template: string; form?: RoomForm; state?: FormState }): string {
  const { incident: i, components } = input.view;
  const role = input.chrome.user.role;
  // A form's error is shown beside it; a notice (and an error whose form is no longer shown) under the header.
  let errorShown = false;
  const stateOf = (form: RoomForm) => {
    if (input.form !== form || !input.state) return undefined;
    errorShown = true;
    return { ...input.state, notice: undefined };
  };
  const open = openStatuses.has(i.status);
  const affected = [...i.root_components, ...i.impacted_components];
  const affectedList =
    affected.length === 0
      ? `<p>No component.</p>`
      : `<ul class="list" id="room-components">${affected
          .map((id) => {
            const c = components.find((x) => x.id === id);
            const status = c?.status ?? "operational";
            return `<li>${esc(c?.name ?? id)}: <span class="${statusClass(status)}">${esc(componentStatusText[status] ?? status)}</span>${c?.overridden ? ` <span class="meta">(set by hand)</span>` : ""}</li>`;
          })
          .join("")}</ul>`;
  const header =
    `<h1 id="room-name">${esc(i.name)}</h1>` +
    `<p class="live"><a href="/manage/incidents/${esc(i.id)}">Reload</a> <span id="live-state"></span></p><div id="announce" class="vh" role="status" aria-live="polite"></div>` +
    `<section aria-labelledby="state-h" data-room="${esc(i.id)}"><h2 id="state-h">State</h2>` +
    `<p>Status <strong id="room-status" data-status="${esc(i.status)}">${esc(i.status)}</strong>, impact <strong id="room-impact">${esc(i.impact)}</strong>, started ${time(i.started_at)}${i.resolved_at ? `, resolved ${time(i.resolved_at)}` : ""}.</p>` +
    `<p id="room-published">${published(i)}${i.published_at === null && i.publish_at ? `; publishes itself at ${time(i.publish_at)}` : ""}.${i.hold ? " On hold: automation does not move it." : ""}</p>` +
    `<h3>Components</h3>${affectedList}</section>`;

  const evidence =
    i.evidence.length === 0
      ? `<p>No evidence recorded.</p>`
      : `<ul class="list" id="evidence">${i.evidence.map((e) => `<li data-kind="${esc(e.kind)}"><span class="meta">${esc(e.kind)}</span> ${esc(e.text)}</li>`).join("")}</ul>`;
  const updates =
    i.updates.length === 0
      ? `<p>No update.</p>`
      : `<ol class="list" id="updates" reversed>${[...i.updates]
          .reverse()
          .map((u) => `<li><p><strong>${esc(u.status)}</strong> ${time(u.display_at)} <span class="meta">by ${esc(u.actor)}</span></p>${u.body_html}</li>`)
          .join("")}</ol>`;
  const timeline =
    input.view.timeline.length === 0
      ? `<p>No event.</p>`
      : `<ol class="list" id="timeline">${input.view.timeline
          .map((e) => `<li data-kind="${esc(e.kind)}">${time(e.at)} <strong>${esc(e.kind)}</strong> <span class="meta">${esc(e.actor)}</span><br>${esc(timelineText(e, components))}</li>`)
          .join("")}</ol>`;
  const windows =
    input.view.windows.length === 0
      ? `<p>No outage window.</p>`
      : `${scrollBox("Outage windows")}<table id="windows"><caption class="vh">Outage windows</caption><thead><tr><th scope="col">Component</th><th scope="col">Worst status</th><th scope="col">From</th><th scope="col">Until</th></tr></thead><tbody>${input.view.windows
          .map((w) => `<tr><td>${esc(componentName(components, w.component))}</td><td>${esc(componentStatusText[w.worst_status] ?? w.worst_status)}</td><td>${time(w.start)}</td><td>${w.end ? time(w.end) : "still open"}</td></tr>`)
          .join("")}</tbody></table></div>`;

  const forms: string[] = [];
  const action = (path: string) => `/manage/incidents/${esc(i.id)}/${path}`;
  const post = (path: string, inner: string) => `<form method="post" action="${action(path)}">${csrfField(input.chrome.csrf)}<input type="hidden" name="submitted" value="1">${inner}</form>`;
  if (roleAllows(role, "incidents.write")) {
    const s = stateOf("update");
    const v = s?.values ?? {};
    const submitted = v["submitted"] === "1";
    forms.push(
      `<section aria-labelledby="update-h"><h2 id="update-h">Post an update</h2>` +
        templatePicker(`/manage/incidents/${i.id}`, input.view.templates, input.template) +
        problemOf(s) +
        post(
          "update",
          select("status", "Status", updateStatuses.map((x) => ({ value: x, text: x })), v["status"] ?? (open ? i.status : "investigating"), "update-status") +
            markdownField("update-body", "body", "Message", v["body"] ?? "", s?.preview) +
            `<fieldset><legend>Components' statuses with this update</legend>${componentSelects(components, v, "update", "Leave as it is")}</fieldset>` +
            (i.published_at === null ? check("publish", "Publish this draft incident with the update", submitted ? v["publish"] === "1" : true, "update-publish") : "") +
            check("hold", "Hold: automation stops moving this incident", submitted ? v["hold"] === "1" : true, "update-hold") +
            check("notify", "Notify subscribers", submitted || v["notify"] !== undefined ? v["notify"] === "1" : true, "update-notify") +
            `<button type="submit" name="action" value="preview">Preview</button> <button type="submit" name="action" value="post">Post the update</button>`,
        ) +
        `</section>`,
    );
  }
  if (i.published_at === null && roleAllows(role, "incidents.publish")) {
    const s = stateOf("publish");
    forms.push(`<section aria-labelledby="publish-h"><h2 id="publish-h">Publish</h2>${problemOf(s)}<p>This incident is a draft: the public does not see it.</p>${post("publish", `<button type="submit">Publish the incident</button>`)}</section>`);
  }
  if (roleAllows(role, "incidents.write")) {
    const s = stateOf("components");
    forms.push(
      `<section aria-labelledby="components-h"><h2 id="components-h">Components' statuses</h2>${problemOf(s)}` +
        post("components", `${componentSelects(components, s?.values ?? {}, "set", "Leave as it is")}<button type="submit">Set the statuses</button>`) +
        `</section>`,
    );
  }
  if (roleAllows(role, "notes.write")) {
    const s = stateOf("note");
    forms.push(
      `<section aria-labelledby="note-h"><h2 id="note-h">Internal note</h2>${problemOf(s)}` +
        post("note", `<label for="note-body">Note <span class="meta">(never published)</span></label><textarea id="note-body" name="body" rows="3">${esc(s?.values?.["body"] ?? "")}</textarea><button type="submit">Add the note</button>`) +
        `</section>`,
    );
  }
  if (open && roleAllows(role, "incidents.write")) {
    const s = stateOf("resolve");
    forms.push(
      `<section aria-labelledby="resolve-h"><h2 id="resolve-h">Resolve</h2>${problemOf(s)}` +
        post("resolve", `<label for="resolve-body">Closing message <span class="meta">(optional, Markdown)</span></label><textarea id="resolve-body" name="body" rows="3">${esc(s?.values?.["body"] ?? "")}</textarea><button type="submit">Resolve the incident</button>`) +
        `</section>`,
    );
  }

  const pm = input.view.postmortem;
  let postmortem = `<section aria-labelledby="postmortem-h"><h2 id="postmortem-h">Postmortem</h2>`;
  if (pm.published_at) postmortem += `<p id="postmortem-state">Published ${time(pm.published_at)}.</p>`;
  else if (pm.body !== null) postmortem += `<p id="postmortem-state">Draft, not published.</p>`;
  if (pm.body === null) postmortem += `<p>${open ? "Drafted from the timeline when the incident is resolved." : "No postmortem."}</p>`;
  else if (roleAllows(role, "postmortems.write")) {
    const pmState = stateOf("postmortem");
    postmortem +=
      problemOf(pmState) +
      post(
        "postmortem",
        markdownField("postmortem-body", "body", "Postmortem", pmState?.values?.["body"] ?? pm.body, pmState?.preview, 16) +
          `<button type="submit" name="action" value="preview">Preview</button> <button type="submit" name="action" value="save">Save the postmortem</button>`,
      );
  } else postmortem += `<div class="preview">${pm.body_html ?? ""}</div>`;
  if (pm.body !== null && pm.published_at === null && roleAllows(role, "incidents.publish")) {
    const pmPublishState = stateOf("postmortem-publish");
    postmortem +=
      problemOf(pmPublishState) +
      post("postmortem/publish", `${check("force", "Publish even if it names hidden components or internal details", pmPublishState?.values?.["force"] === "1", "postmortem-force")}<button type="submit">Publish the postmortem</button>`);
  }
  postmortem += `</section>`;

  const outcome = noticeOf(input.state) + (errorShown ? "" : problemOf(input.state));
  return consolePage(
    i.name,
    `<p><a href="/manage/incidents">All incidents</a></p>${header}${outcome}<div class="room"><div>` +
      `<section aria-labelledby="evidence-h"><h2 id="evidence-h">Evidence and diagnosis</h2>${evidence}</section>` +
      `<section aria-labelledby="updates-h"><h2 id="updates-h">Public updates</h2>${updates}</section>` +
      `<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>${timeline}</section>` +
      `<section aria-labelledby="windows-h"><h2 id="windows-h">Outage windows</h2>${windows}</section>` +
      `</div><div>${forms.join("")}${postmortem}</div></div>`,
    { chrome: input.chrome, scripts: ["incidents.js"], narrow: false },
  );
}
