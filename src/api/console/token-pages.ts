/** The tokens page (owners): every API token without its secret, the form that creates one, and the secret shown once. */
import { userRoles } from "../../auth/roles.ts";
import { esc } from "../../statuspage/render/html/escape.ts";
import { consolePage, csrfField, type SignedInChrome } from "./pages.ts";
import { noticeBlock, refusalBlock, scrollBox, shownTime, textInput, timeInput, type Refusal } from "./manage-forms.ts";

/** A token as the API lists it (never its secret). */
export interface TokenItem {
  id: string;
  name: string;
  scope: string | null;
  role: string | null;
  user_id: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  expires_at: string | null;
  region: string | null;
}

/** What the create form holds, as typed. */
export interface TokenForm {
  name: string;
  role: string;
  user: string;
  expiresIn: string;
  expiresAt: string;
}

export const emptyTokenForm: TokenForm = { name: "", role: "viewer", user: "", expiresIn: "90d", expiresAt: "" };

/** Whom a token belongs to, in words. */
function ownerOf(t: TokenItem, users: ReadonlyMap<string, string>): string {
  if (t.scope === "agent") return `agent (${t.region ?? "no region"})`;
  if (t.user_id === null) return "service";
  return users.get(t.user_id) ?? `user ${t.user_id}`;
}

function row(t: TokenItem, csrf: string, now: string, users: ReadonlyMap<string, string>): string {
  const state = t.revoked_at !== null ? "revoked" : t.expires_at !== null && t.expires_at <= now ? "expired" : "active";
  const revoke =
    state === "active"
      ? `<form method="post" action="/manage/tokens/${esc(encodeURIComponent(t.id))}/revoke">${csrfField(csrf)}<button type="submit" aria-label="${esc(`Revoke ${t.name}`)}">Revoke</button></form>`
      : "";
  return (
    `<tr id="t-${esc(t.id)}"><th scope="row">${esc(t.name)}</th><td>${esc(t.role ?? t.scope ?? "")}${t.scope !== null && t.scope !== "agent" ? ` <span class="note">(scope ${esc(t.scope)})</span>` : ""}</td>` +
    `<td>${esc(ownerOf(t, users))}</td><td>${shownTime(t.created_at)}</td><td>${t.last_used_at ? shownTime(t.last_used_at) : "never"}</td>` +
    `<td>${t.expires_at ? shownTime(t.expires_at) : "never"}</td><td>${state}${t.revoked_at ? ` ${shownTime(t.revoked_at)}` : ""}</td><td>${revoke}</td></tr>`
  );
}

/** The page; `secret` is the new token's, shown this once. */
export function tokensPage(input: {
  chrome: SignedInChrome;
  tokens: readonly TokenItem[];
  /** The console users' e-mails by id, to say whose a token is. */
  users: ReadonlyMap<string, string>;
  now: string;
  form: TokenForm;
  refusal?: Refusal;
  notice?: string;
  created?: { name: string; secret: string };
}): string {
  const f = input.form;
  const users = new Map([...input.users, [input.chrome.user.id, input.chrome.user.email]]);
  const table =
    input.tokens.length === 0
      ? `<p id="tokens-none">No tokens yet.</p>`
      : `${scrollBox("API tokens")}<table id="tokens"><caption class="vh">API tokens</caption><thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Belongs to</th><th scope="col">Created</th>` +
        `<th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead><tbody>${input.tokens.map((t) => row(t, input.chrome.csrf, input.now, users)).join("")}</tbody></table></div>`;
  const created = input.created
    ? `<section aria-labelledby="secret-h" class="secret"><h2 id="secret-h">The secret of ${esc(input.created.name)}</h2>` +
      `<p>Copy it now: it is shown this once and never again (Vigil keeps only its hash).</p><p><code id="secret">${esc(input.created.secret)}</code></p></section>`
    : "";
  return consolePage(
    "API tokens",
    `<h1>API tokens</h1>${noticeBlock(input.notice)}${created}<section aria-labelledby="list-h"><h2 id="list-h">Tokens</h2>${table}</section>` +
      `<section aria-labelledby="create-h"><h2 id="create-h">Create a token</h2>${refusalBlock(input.refusal)}<form method="post" action="/manage/tokens" id="create">${csrfField(input.chrome.csrf)}` +
      textInput("t-name", "name", "Name", f.name, ' required maxlength="100"') +
      `<label for="t-role">Role</label><select id="t-role" name="role">${userRoles.map((r) => `<option value="${r}"${r === f.role ? " selected" : ""}>${r}</option>`).join("")}</select>` +
      `<label for="t-user">Console user's e-mail (empty: a service's token)</label><input id="t-user" name="user" type="email" value="${esc(f.user)}">` +
      textInput("t-expires-in", "expires_in", "Expires in (a duration such as 90d; empty for an end time or never)", f.expiresIn) +
      timeInput("t-expires-at", "expires_at", "Or expires at", f.expiresAt, false) +
      `<button type="submit">Create token</button></form></section>`,
    { chrome: input.chrome, narrow: false },
  );
}
