/** The subscribers page (admins and owners): search, remove, import CSV and the export link. */
import { esc } from "../../statuspage/render/html/escape.ts";
import { consolePage, csrfField, type SignedInChrome } from "./pages.ts";
import { noticeBlock, refusalBlock, scrollBox, shownTime, type Refusal } from "./manage-forms.ts";

/** A subscriber as the API lists it. */
export interface SubscriberItem {
  id: string;
  kind: string;
  address: string;
  components: string[] | null;
  confirmed_at: string;
}

/** The page: `q` the search typed; `canWrite` shows removal and import; `csv` the import's text as typed. */
export function subscribersPage(input: {
  chrome: SignedInChrome;
  q: string;
  items: readonly SubscriberItem[];
  more: boolean;
  count: number | undefined;
  canWrite: boolean;
  csv: string;
  refusal?: Refusal;
  notice?: string;
}): string {
  const csrf = input.chrome.csrf;
  const rows = input.items
    .map(
      (s) =>
        `<tr id="sub-${esc(s.id)}"><th scope="row">${esc(s.address)}</th><td>${esc(s.kind)}</td><td>${esc(s.components === null ? "all" : s.components.join(", "))}</td><td>${shownTime(s.confirmed_at)}</td>` +
        (input.canWrite
          ? `<td><form method="post" action="/manage/subscribers/${esc(encodeURIComponent(s.id))}/remove">${csrfField(csrf)}<input type="hidden" name="q" value="${esc(input.q)}"><button type="submit" aria-label="${esc(`Remove ${s.address}`)}">Remove</button></form></td>`
          : "") +
        `</tr>`,
    )
    .join("");
  const table =
    input.items.length === 0
      ? `<p id="subscribers-none">${input.q === "" ? "No subscribers yet." : "No subscriber matches."}</p>`
      : `${scrollBox("Subscribers")}<table id="subscribers"><caption class="vh">Subscribers</caption><thead><tr><th scope="col">Address</th><th scope="col">Kind</th><th scope="col">Components</th><th scope="col">Confirmed</th>${input.canWrite ? '<th scope="col">Actions</th>' : ""}</tr></thead><tbody>${rows}</tbody></table></div>` +
        (input.more ? `<p class="note" id="more">Only the first ${input.items.length} are shown: search to narrow the list.</p>` : "");
  const importForm = input.canWrite
    ? `<section aria-labelledby="import-h"><h2 id="import-h">Import CSV</h2>${refusalBlock(input.refusal)}` +
      `<p class="note">Columns <code>kind,address,components,confirmed_at</code>, as the export writes them. Imported subscribers count as confirmed: import only people who agreed to get these messages.</p>` +
      `<form method="post" action="/manage/subscribers/import" id="import">${csrfField(csrf)}<label for="csv">CSV</label><textarea id="csv" name="csv" rows="6" required>${esc(input.csv)}</textarea>` +
      `<label class="check"><input type="checkbox" name="dry_run" value="true"> Dry run: check and count, store nothing</label>` +
      `<label class="check"><input type="checkbox" name="partial" value="true"> Import the good lines when some are bad</label><button type="submit">Import</button></form></section>`
    : "";
  return consolePage(
    "Subscribers",
    `<h1>Subscribers</h1>${noticeBlock(input.notice)}${input.canWrite ? "" : refusalBlock(input.refusal)}` +
      `<p>${input.count === undefined ? "" : `${input.count} confirmed subscriber(s). `}<a id="export" href="/manage/subscribers/export.csv" download>Export every subscriber as CSV</a> <span class="note">(the export is written to the audit log)</span></p>` +
      `<section aria-labelledby="list-h"><h2 id="list-h">Find subscribers</h2><form method="get" action="/manage/subscribers" role="search"><label for="q">E-mail address or webhook URL contains</label>` +
      `<input id="q" name="q" type="text" value="${esc(input.q)}"><button type="submit">Search</button></form>${table}</section>` +
      importForm,
    { chrome: input.chrome, narrow: false },
  );
}
