/** The silences page: active and pending silences, expired ones, and the form that creates one. */
import { esc } from "../../statuspage/render/html/escape.ts";
import { consolePage, csrfField, type SignedInChrome } from "./pages.ts";
import { noticeBlock, refusalBlock, scrollBox, shownTime, textInput, timeInput, type Refusal } from "./manage-forms.ts";

/** A silence as the API lists it. */
export interface SilenceItem {
  id: string;
  matchers: { component?: string[]; group?: string[]; severity?: string[]; kind?: string[]; labels?: Record<string, string> };
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  state: string;
}

/** What the create form holds, as typed. */
export interface SilenceForm {
  component: string;
  group: string;
  severity: string;
  kind: string;
  labels: string;
  duration: string;
  ends: string;
  comment: string;
}

export const emptySilenceForm: SilenceForm = { component: "", group: "", severity: "", kind: "", labels: "", duration: "2h", ends: "", comment: "" };

/** The severity choices: any, or a minimum. */
const severityChoices = [
  { value: "", text: "Any severity" },
  { value: ">=minor", text: "Minor or worse" },
  { value: ">=major", text: "Major or worse" },
  { value: ">=critical", text: "Critical only" },
];

/** A silence's matchers in words, as in the configuration file. */
export function matchersText(m: SilenceItem["matchers"]): string {
  const parts: string[] = [];
  if (m.component) parts.push(`component: ${m.component.join(", ")}`);
  if (m.group) parts.push(`group: ${m.group.join(", ")}`);
  if (m.severity) parts.push(`severity: ${m.severity.join(", ")}`);
  if (m.kind) parts.push(`kind: ${m.kind.join(", ")}`);
  if (m.labels) parts.push(`labels: ${Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  return parts.join("; ");
}

function table(id: string, caption: string, items: readonly SilenceItem[], csrf: string | undefined): string {
  if (items.length === 0) return `<p id="${id}-none">None.</p>`;
  const rows = items
    .map(
      (s) =>
        `<tr id="s-${esc(s.id)}"><th scope="row">${esc(matchersText(s.matchers))}</th><td>${esc(s.state)}</td><td>${shownTime(s.starts_at)}</td><td>${shownTime(s.ends_at)}</td>` +
        `<td>${esc(s.created_by)}</td><td>${esc(s.comment)}</td>` +
        (csrf === undefined
          ? ""
          : `<td><form method="post" action="/manage/silences/${esc(encodeURIComponent(s.id))}/expire">${csrfField(csrf)}<button type="submit" aria-label="${esc(`Expire the silence of ${matchersText(s.matchers)}`)}">Expire</button></form></td>`) +
        `</tr>`,
    )
    .join("");
  return (
    `${scrollBox(caption)}<table id="${id}"><caption class="vh">${esc(caption)}</caption><thead><tr><th scope="col">Matches</th><th scope="col">State</th><th scope="col">Starts</th><th scope="col">Ends</th>` +
    `<th scope="col">By</th><th scope="col">Comment</th>${csrf === undefined ? "" : '<th scope="col">Actions</th>'}</tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

/** The page; `canWrite` shows the form and the expire buttons. */
export function silencesPage(input: { chrome: SignedInChrome; items: readonly SilenceItem[]; canWrite: boolean; form: SilenceForm; refusal?: Refusal; notice?: string }): string {
  const current = input.items.filter((s) => s.state !== "expired");
  const expired = input.items.filter((s) => s.state === "expired").reverse();
  const f = input.form;
  const form = input.canWrite
    ? `<section aria-labelledby="create-h"><h2 id="create-h">Create a silence</h2>${refusalBlock(input.refusal)}` +
      `<p class="note">A silence stops the notifications of the messages it matches; give at least one matcher (<code>*</code> as a kind silences everything).</p>` +
      `<form method="post" action="/manage/silences" id="create">${csrfField(input.chrome.csrf)}` +
      textInput("s-component", "component", "Component ids (comma-separated)", f.component) +
      textInput("s-group", "group", "Groups (comma-separated)", f.group) +
      `<label for="s-severity">Severity</label><select id="s-severity" name="severity">${severityChoices.map((c) => `<option value="${esc(c.value)}"${c.value === f.severity ? " selected" : ""}>${esc(c.text)}</option>`).join("")}</select>` +
      textInput("s-kind", "kind", "Kinds (comma-separated, * as a wildcard, such as incident.*)", f.kind) +
      `<label for="s-labels">Labels (one <code>name=value</code> a line)</label><textarea id="s-labels" name="labels" rows="2">${esc(f.labels)}</textarea>` +
      textInput("s-duration", "duration", "For (a duration such as 30m, 2h or 1d; leave empty to give an end)", f.duration) +
      timeInput("s-ends", "ends", "Or until", f.ends, false) +
      `<label for="s-comment">Comment (why)</label><input id="s-comment" name="comment" type="text" value="${esc(f.comment)}" required maxlength="2000">` +
      `<button type="submit">Create silence</button></form></section>`
    : "";
  return consolePage(
    "Silences",
    `<h1>Silences</h1>${noticeBlock(input.notice)}${input.canWrite ? "" : refusalBlock(input.refusal)}` +
      `<section aria-labelledby="current-h"><h2 id="current-h">Active and pending</h2>${table("current", "Active and pending silences", current, input.canWrite ? input.chrome.csrf : undefined)}</section>` +
      form +
      `<section aria-labelledby="expired-h"><h2 id="expired-h">Expired</h2>${table("expired", "Expired silences", expired, undefined)}</section>`,
    { chrome: input.chrome, narrow: false },
  );
}
