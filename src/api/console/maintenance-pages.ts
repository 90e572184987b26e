/** The maintenances page: scheduled, in progress and past maintenances, the form that schedules one, and the one that edits one. */
import { esc } from "../../statuspage/render/html/escape.ts";
import { consolePage, csrfField, type SignedInChrome } from "./pages.ts";
import { inputFromIso, noticeBlock, refusalBlock, scrollBox, shownTime, textInput, timeInput, type Refusal } from "./manage-forms.ts";

/** A maintenance as the API lists it (the fields the page shows). */
export interface MaintenanceItem {
  id: string;
  name: string;
  body: string;
  components: string[];
  status: string;
  source: string;
  scheduled_for: string;
  scheduled_until: string;
  started_at: string | null;
  completed_at: string | null;
  cancelled_at: string | null;
}

/** What the schedule form holds: empty, or as the user typed it. */
export interface MaintenanceForm {
  name: string;
  body: string;
  components: readonly string[];
  from: string;
  until: string;
}

export const emptyMaintenanceForm: MaintenanceForm = { name: "", body: "", components: [], from: "", until: "" };

/** A maintenance's fields as the form shows them before an edit (times in UTC). */
export const maintenanceFormOf = (m: MaintenanceItem): MaintenanceForm => ({ name: m.name, body: m.body, components: m.components, from: inputFromIso(m.scheduled_for), until: inputFromIso(m.scheduled_until) });

/** The next steps a maintenance may be moved to by hand, with the button's words. */
const steps: Record<string, readonly { status: string; text: string }[]> = {
  scheduled: [{ status: "in_progress", text: "Start now" }],
  in_progress: [
    { status: "verifying", text: "Verifying" },
    { status: "completed", text: "Complete" },
  ],
  verifying: [{ status: "completed", text: "Complete" }],
};

function controls(m: MaintenanceItem, csrf: string): string {
  const base = `/manage/maintenances/${encodeURIComponent(m.id)}`;
  // One declared in the configuration file is edited there.
  const edit = m.status === "scheduled" && m.source !== "config" ? `<a href="${esc(base)}" aria-label="${esc(`Edit: ${m.name}`)}">Edit</a> ` : "";
  const moves = (steps[m.status] ?? [])
    .map((s) => `<form method="post" action="${esc(base)}/status" class="inline">${csrfField(csrf)}<input type="hidden" name="status" value="${s.status}"><button type="submit" aria-label="${esc(`${s.text}: ${m.name}`)}">${s.text}</button></form>`)
    .join("");
  const cancel =
    m.status === "completed" || m.status === "cancelled"
      ? ""
      : `<form method="post" action="${esc(base)}/cancel" class="inline">${csrfField(csrf)}<button type="submit" aria-label="${esc(`Cancel: ${m.name}`)}">Cancel</button></form>`;
  return edit + moves + cancel;
}

/** The form's fields: name, body, components and times, as `form` holds them. */
function formFields(form: MaintenanceForm, components: readonly { id: string; name: string }[]): string {
  const picked = new Set(form.components);
  return (
    textInput("m-name", "name", "Name", form.name, ' required maxlength="200"') +
    `<label for="m-body">What happens (Markdown, optional)</label><textarea id="m-body" name="body" rows="4">${esc(form.body)}</textarea>` +
    `<fieldset><legend>Components</legend>${components
      .map((c) => `<label class="check"><input type="checkbox" name="components" value="${esc(c.id)}"${picked.has(c.id) ? " checked" : ""}> ${esc(c.name)} <span class="note">(${esc(c.id)})</span></label>`)
      .join("")}</fieldset>` +
    timeInput("m-from", "from", "From", form.from, true) +
    timeInput("m-until", "until", "Until", form.until, true) +
    `<p class="note">Times are in UTC (Coordinated Universal Time).</p>`
  );
}

function table(id: string, caption: string, items: readonly MaintenanceItem[], csrf: string | undefined): string {
  if (items.length === 0) return `<p id="${id}-none">None.</p>`;
  const rows = items
    .map(
      (m) =>
        `<tr id="m-${esc(m.id)}"><th scope="row">${esc(m.name)}</th><td>${esc(m.status.replace("_", " "))}</td><td>${esc(m.components.join(", "))}</td>` +
        `<td>${shownTime(m.scheduled_for)}</td><td>${shownTime(m.scheduled_until)}</td><td>${esc(m.source)}</td>${csrf === undefined ? "" : `<td>${controls(m, csrf)}</td>`}</tr>`,
    )
    .join("");
  return (
    `${scrollBox(caption)}<table id="${id}"><caption class="vh">${esc(caption)}</caption><thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Components</th>` +
    `<th scope="col">From</th><th scope="col">Until</th><th scope="col">Source</th>${csrf === undefined ? "" : '<th scope="col">Actions</th>'}</tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

/** The page; `canWrite` shows the form and the buttons. */
export function maintenancesPage(input: {
  chrome: SignedInChrome;
  items: readonly MaintenanceItem[];
  components: readonly { id: string; name: string }[];
  canWrite: boolean;
  form: MaintenanceForm;
  refusal?: Refusal;
  notice?: string;
}): string {
  const csrf = input.canWrite ? input.chrome.csrf : undefined;
  const scheduled = input.items.filter((m) => m.status === "scheduled");
  const running = input.items.filter((m) => m.status === "in_progress" || m.status === "verifying");
  const past = input.items.filter((m) => m.status === "completed" || m.status === "cancelled").reverse();
  const form = input.canWrite
    ? `<section aria-labelledby="schedule-h"><h2 id="schedule-h">Schedule a maintenance</h2>${refusalBlock(input.refusal)}` +
      `<form method="post" action="/manage/maintenances" id="schedule">${csrfField(input.chrome.csrf)}${formFields(input.form, input.components)}<button type="submit">Schedule</button></form></section>`
    : "";
  return consolePage(
    "Maintenances",
    `<h1>Maintenances</h1>${noticeBlock(input.notice)}${input.canWrite ? "" : refusalBlock(input.refusal)}` +
      `<section aria-labelledby="running-h"><h2 id="running-h">In progress</h2>${table("running", "Maintenances in progress", running, csrf)}</section>` +
      `<section aria-labelledby="scheduled-h"><h2 id="scheduled-h">Scheduled</h2>${table("scheduled", "Scheduled maintenances", scheduled, csrf)}</section>` +
      form +
      `<section aria-labelledby="past-h"><h2 id="past-h">Past</h2>${table("past", "Past maintenances", past, csrf)}</section>`,
    { chrome: input.chrome, narrow: false },
  );
}

/** The page that edits one maintenance: its form prefilled (or as typed, after a refusal). */
export function maintenanceEditPage(input: {
  chrome: SignedInChrome;
  id: string;
  components: readonly { id: string; name: string }[];
  form: MaintenanceForm;
  refusal?: Refusal;
}): string {
  return consolePage(
    `Edit ${input.form.name || input.id}`,
    `<p><a href="/manage/maintenances">Maintenances</a></p><h1>Edit maintenance</h1>${refusalBlock(input.refusal)}` +
      `<form method="post" action="/manage/maintenances/${esc(encodeURIComponent(input.id))}" id="edit">${csrfField(input.chrome.csrf)}${formFields(input.form, input.components)}<button type="submit">Save</button></form>`,
    { chrome: input.chrome },
  );
}
