/**
 * The catalog pages: every component and monitor with where it is defined, and the forms that add, edit and remove
 * those kept in the database (the configuration file's stay read-only).
 */
import { esc } from "../../statuspage/render/html/escape.ts";
import { monitorTypeNames } from "../../probes/registry.ts";
import type { CatalogField, CatalogKeys } from "./catalog-form.ts";
import { consolePage, csrfField, type SignedInChrome } from "./pages.ts";
import { noticeBlock, refusalBlock, scrollBox, type Refusal } from "./manage-forms.ts";

/** A component as the API lists it (the fields the page shows). */
export interface ComponentItem {
  id: string;
  name: string;
  monitors: string[];
  source: "file" | "database";
  status: string;
}

/** A monitor as the API lists it (the fields the page shows). */
export interface MonitorItem {
  id: string;
  name: string | null;
  type: string;
  interval_ms: number;
  source: "file" | "database";
  state: { status: string };
}

const sourceText = { file: "configuration file", database: "added here" } as const;
export const catalogPath = "/manage/catalog";

const everyText = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`);

function editCell(kind: "component" | "monitor", id: string, name: string, source: "file" | "database", csrf: string | undefined): string {
  if (csrf === undefined) return "";
  if (source === "file") return `<td><span class="note">read-only</span></td>`;
  const base = `${catalogPath}/${kind}s/${encodeURIComponent(id)}`;
  return (
    `<td><a href="${esc(base)}" aria-label="${esc(`Edit the ${kind} ${name}`)}">Edit</a> ` +
    `<form method="post" action="${esc(base)}/remove" class="inline">${csrfField(csrf)}<button type="submit" aria-label="${esc(`Remove the ${kind} ${name}`)}">Remove</button></form></td>`
  );
}

/** The list; `canWrite` shows the links that add entries and the controls of the database's. */
export function catalogPage(input: { chrome: SignedInChrome; components: readonly ComponentItem[]; monitors: readonly MonitorItem[]; canWrite: boolean; refusal?: Refusal; notice?: string }): string {
  const csrf = input.canWrite ? input.chrome.csrf : undefined;
  const actions = csrf === undefined ? "" : '<th scope="col">Actions</th>';
  const components =
    input.components.length === 0
      ? `<p id="components-none">None yet.</p>`
      : `${scrollBox("Components")}<table id="components"><caption class="vh">Components</caption><thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Monitors</th><th scope="col">Status</th><th scope="col">Defined in</th>${actions}</tr></thead><tbody>` +
        input.components
          .map((c) => `<tr id="c-${esc(c.id)}"><th scope="row">${esc(c.name)}</th><td><code>${esc(c.id)}</code></td><td>${esc(c.monitors.join(", "))}</td><td>${esc(c.status.replaceAll("_", " "))}</td><td>${sourceText[c.source]}</td>${editCell("component", c.id, c.name, c.source, csrf)}</tr>`)
          .join("") +
        `</tbody></table></div>`;
  const monitors =
    input.monitors.length === 0
      ? `<p id="monitors-none">None yet.</p>`
      : `${scrollBox("Monitors")}<table id="monitors"><caption class="vh">Monitors</caption><thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Type</th><th scope="col">Every</th><th scope="col">Status</th><th scope="col">Defined in</th>${actions}</tr></thead><tbody>` +
        input.monitors
          .map(
            (m) =>
              `<tr id="m-${esc(m.id)}"><th scope="row">${esc(m.name ?? m.id)}</th><td><code>${esc(m.id)}</code></td><td>${esc(m.type)}</td><td>${everyText(m.interval_ms)}</td><td>${esc(m.state.status)}</td>` +
              `<td>${sourceText[m.source]}</td>${editCell("monitor", m.id, m.name ?? m.id, m.source, csrf)}</tr>`,
          )
          .join("") +
        `</tbody></table></div>`;
  const add = input.canWrite ? `<p class="actions"><a href="${catalogPath}/components/new">Add a component</a> <a href="${catalogPath}/monitors/new">Add a monitor</a></p>` : "";
  return consolePage(
    "Catalog",
    `<h1>Catalog</h1>${noticeBlock(input.notice)}${refusalBlock(input.refusal)}` +
      `<p class="note">Components and monitors of the configuration file are read-only here. Those added here are kept in the database, checked and shown at once on every node, and exported as YAML by <code>vigil config export</code>.</p>` +
      add +
      `<section aria-labelledby="components-h"><h2 id="components-h">Components</h2>${components}</section>` +
      `<section aria-labelledby="monitors-h"><h2 id="monitors-h">Monitors</h2>${monitors}</section>`,
    { chrome: input.chrome, narrow: false },
  );
}

/** The problems of a form, by the key of the field they are about (the API's `body.<key>…` paths, or the form's own). */
function problemsByKey(refusal: Refusal | undefined): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const d of refusal?.details ?? []) {
    const key = /^(?:body\.)?([a-z_]+)/.exec(d.path)?.[1];
    if (key === undefined) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), d.message]);
  }
  return byKey;
}

function fieldHtml(f: CatalogField, value: string, problems: readonly string[], editing: boolean): string {
  const id = `f-${f.key}`;
  const hint = f.secret && editing ? ` <span class="note">(stored; leave empty to keep it)</span>` : "";
  const error = problems.length === 0 ? "" : `<p class="field-error" id="${id}-error">${problems.map(esc).join(" ")}</p>`;
  const attributes = `id="${id}" name="v.${esc(f.key)}"${problems.length === 0 ? "" : ` aria-invalid="true" aria-describedby="${id}-error"`}${f.key === "id" && editing ? " readonly" : ""}`;
  const control = f.secret
    ? `<input ${attributes} type="password" autocomplete="off" value="${esc(value)}">`
    : f.long || value.includes("\n")
      ? `<textarea ${attributes} rows="3" spellcheck="false">${esc(value)}</textarea>`
      : `<input ${attributes} type="text" spellcheck="false" value="${esc(value)}"${f.key === "id" ? " required" : ""}>`;
  return `<label for="${id}"><code>${esc(f.key)}</code>${hint}</label>${control}${error}`;
}

/** What an add or edit form shows. */
export interface EntryFormInput {
  chrome: SignedInChrome;
  kind: "component" | "monitor";
  /** The monitor's type (a new monitor's is chosen first; an existing one's is fixed). */
  type?: string;
  keys: CatalogKeys;
  values: Readonly<Record<string, string>>;
  /** Set when editing an entry of the database. */
  editing?: string;
  /** A component's monitors to choose from, and those chosen. */
  monitorChoices?: readonly { id: string; name: string }[];
  chosen?: readonly string[];
  refusal?: Refusal;
}

/** The page that adds an entry or edits one kept in the database. */
export function entryFormPage(input: EntryFormInput): string {
  const { kind, editing } = input;
  const problems = problemsByKey(input.refusal);
  const fields = (list: readonly CatalogField[]) => list.map((f) => fieldHtml(f, input.values[f.key] ?? "", problems.get(f.key) ?? [], editing !== undefined)).join("");
  const title = editing === undefined ? `Add a ${kind}` : `Edit the ${kind} ${editing}`;
  const action = editing === undefined ? `${catalogPath}/${kind}s` : `${catalogPath}/${kind}s/${encodeURIComponent(editing)}`;
  const typeChooser =
    kind === "monitor" && editing === undefined
      ? `<form method="get" action="${catalogPath}/monitors/new" class="type-choice"><label for="type">Type</label><select id="type" name="type">${monitorTypeNames.map((t) => `<option${t === input.type ? " selected" : ""}>${t}</option>`).join("")}</select><button type="submit">Choose type</button></form>`
      : kind === "monitor"
        ? `<p>Type: <strong id="monitor-type">${esc(input.type ?? "")}</strong></p>`
        : "";
  const chosen = new Set(input.chosen ?? []);
  const monitorChoice =
    input.monitorChoices === undefined
      ? ""
      : `<fieldset><legend>Monitors</legend>${
          input.monitorChoices.length === 0
            ? `<p class="note">No monitor yet.</p>`
            : input.monitorChoices.map((m) => `<label class="check"><input type="checkbox" name="monitors" value="${esc(m.id)}"${chosen.has(m.id) ? " checked" : ""}> ${esc(m.name)} <code>${esc(m.id)}</code></label>`).join("")
        }${problems.has("monitors") ? `<p class="field-error">${(problems.get("monitors") ?? []).map(esc).join(" ")}</p>` : ""}</fieldset>`;
  const own = input.keys.own.length === 0 ? "" : `<fieldset><legend>The ${esc(input.type ?? "")} check</legend>${fields(input.keys.own)}</fieldset>`;
  const moreOpen = input.keys.more.some((f) => problems.has(f.key) || (input.values[f.key] ?? "") !== "");
  const more = `<details${moreOpen ? " open" : ""}><summary>${kind === "monitor" ? "Detection, regions and assertions" : "Dependencies and publishing"}</summary>${fields(input.keys.more)}</details>`;
  const remove =
    editing === undefined
      ? ""
      : `<form method="post" action="${esc(action)}/remove" class="danger">${csrfField(input.chrome.csrf)}<button type="submit">Remove this ${kind}</button></form>`;
  return consolePage(
    title,
    `<p><a href="${catalogPath}">Back to the catalog</a></p><h1>${esc(title)}</h1>${refusalBlock(input.refusal)}${typeChooser}` +
      `<form method="post" action="${esc(action)}" id="entry">${csrfField(input.chrome.csrf)}${input.type === undefined ? "" : `<input type="hidden" name="type" value="${esc(input.type)}">`}` +
      `<p class="note">Each field takes what follows its key in vigil.yaml, read the same way (<code>30s</code>, <code>[eu-west, us-east]</code>, <code>{accept: text/html}</code>); an empty field takes its default. The configuration reference names every key.</p>` +
      fields(input.keys.main) +
      monitorChoice +
      own +
      more +
      `<button type="submit">${editing === undefined ? `Add ${kind}` : "Save"}</button></form>${remove}`,
    { chrome: input.chrome },
  );
}
