/** The actions page: the runbook actions, the form that runs one, and the runs with their approve, reject and cancel buttons. */
import { esc } from "../../statuspage/render/html/escape.ts";
import { consolePage, csrfField, type SignedInChrome } from "./pages.ts";
import { noticeBlock, refusalBlock, scrollBox, shownTime, type Refusal } from "./manage-forms.ts";

/** A run as the API lists it (the fields the page shows). */
export interface RunItem {
  id: string;
  action: string;
  incident: string | null;
  status: string;
  attempts: number;
  requested_by: string;
  approvals_required: number;
  approval_timeout_at: string | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** What the page may show of the signed-in user's rights. */
interface ActionRights {
  run: boolean;
  approve: boolean;
}

const path = "/manage/actions";

function controls(r: RunItem, csrf: string, rights: ActionRights): string {
  const base = `${path}/runs/${encodeURIComponent(r.id)}`;
  const button = (what: string, text: string, extra = "") =>
    `<form method="post" action="${esc(base)}/${what}" class="inline">${csrfField(csrf)}${extra}<button type="submit" aria-label="${esc(`${text}: run ${r.id} of ${r.action}`)}">${text}</button></form>`;
  const parts: string[] = [];
  if (r.status === "waiting_approval" && rights.approve) parts.push(button("approve", "Approve"), button("reject", "Reject"));
  if ((r.status === "waiting_approval" || r.status === "pending" || r.status === "running") && rights.run) parts.push(button("cancel", "Cancel"));
  return parts.join("");
}

function runsTable(runs: readonly RunItem[], csrf: string, rights: ActionRights): string {
  if (runs.length === 0) return `<p id="runs-none">No run yet.</p>`;
  const showControls = rights.run || rights.approve;
  const rows = runs
    .map((r) => {
      const waiting = r.status === "waiting_approval" ? ` (needs ${r.approvals_required}${r.approval_timeout_at ? `, until ${shownTime(r.approval_timeout_at)}` : ""})` : "";
      return (
        `<tr id="run-${esc(r.id)}"><th scope="row"><code>${esc(r.action)}</code></th><td>${esc(r.status.replaceAll("_", " "))}${waiting}</td>` +
        `<td>${r.incident === null ? "none" : `<a href="/manage/incidents/${esc(encodeURIComponent(r.incident))}">${esc(r.incident)}</a>`}</td><td>${esc(r.requested_by)}</td>` +
        `<td>${shownTime(r.created_at)}</td><td>${r.attempts}</td><td>${esc(r.last_error ?? "")}</td>${showControls ? `<td>${controls(r, csrf, rights)}</td>` : ""}</tr>`
      );
    })
    .join("");
  return (
    `${scrollBox("Action runs")}<table id="runs"><caption class="vh">Action runs</caption><thead><tr><th scope="col">Action</th><th scope="col">Status</th><th scope="col">Incident</th>` +
    `<th scope="col">Asked by</th><th scope="col">Asked at</th><th scope="col">Attempts</th><th scope="col">Last error</th>${showControls ? '<th scope="col">Actions</th>' : ""}</tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

/** The page; the form to run an action for roles with actions.run, the decision buttons for those with actions.approve. */
export function actionsPage(input: { chrome: SignedInChrome; actions: readonly { id: string; type: string }[]; runs: readonly RunItem[]; rights: ActionRights; incident: string; refusal?: Refusal; notice?: string }): string {
  const csrf = input.chrome.csrf;
  const form =
    input.rights.run && input.actions.length > 0
      ? `<section aria-labelledby="run-h"><h2 id="run-h">Run an action</h2><form method="post" action="${path}/runs" id="run">${csrfField(csrf)}` +
        `<label for="a-action">Action</label><select id="a-action" name="action">${input.actions.map((a) => `<option value="${esc(a.id)}">${esc(a.id)} (${esc(a.type)})</option>`).join("")}</select>` +
        `<label for="a-incident">Incident id (optional)</label><input id="a-incident" name="incident" type="text" value="${esc(input.incident)}">` +
        `<button type="submit">Run</button></form></section>`
      : "";
  const none = input.actions.length === 0 ? `<p id="actions-none">No action is configured (<code>actions.definitions</code> in vigil.yaml).</p>` : "";
  return consolePage(
    "Actions",
    `<h1>Actions</h1>${noticeBlock(input.notice)}${refusalBlock(input.refusal)}${none}` +
      `<p class="note">A run waiting for approval starts once enough people other than the one who asked have approved it; one rejection ends it.</p>` +
      form +
      `<section aria-labelledby="runs-h"><h2 id="runs-h">Runs</h2>${runsTable(input.runs, csrf, input.rights)}</section>`,
    { chrome: input.chrome, narrow: false },
  );
}
