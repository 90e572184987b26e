/** The pages of invitations: the owners' users page with its invite form, and the invitee's page. */
import { userRoles } from "../../auth/roles.ts";
import { passwordLength } from "../../auth/password-policy.ts";
import { esc } from "../../statuspage/render/html/escape.ts";
import type { UserRow } from "../../store/types.ts";
import { consolePage, csrfField, layout, problem, type SignedInChrome } from "./pages.ts";
import { scrollBox } from "./manage-forms.ts";

/** A user's status as the users page shows it. */
export function userStatus(user: UserRow, invitedUntil: Date | undefined, now: Date): string {
  if (user.disabledAt !== null) return "disabled";
  if (user.passwordHash !== null) return "active";
  if (invitedUntil === undefined) return "no password yet";
  return invitedUntil.getTime() > now.getTime() ? `invited, until ${invitedUntil.toISOString()}` : "invitation expired";
}

/** A user's role select with its Change button, and the Disable or Enable button (not Disable for the owner themself). */
function userControls(user: UserRow, csrf: string, selfId: string): string {
  const base = `/manage/users/${encodeURIComponent(user.id)}`;
  const role =
    `<form method="post" action="${esc(base)}/role" class="inline">${csrfField(csrf)}<label for="role-${esc(user.id)}" class="vh">Role of ${esc(user.email)}</label>` +
    `<select id="role-${esc(user.id)}" name="role">${userRoles.map((r) => `<option value="${r}"${r === user.role ? " selected" : ""}>${r}</option>`).join("")}</select>` +
    `<button type="submit" aria-label="${esc(`Change the role of ${user.email}`)}">Change</button></form>`;
  const disabled = user.disabledAt !== null;
  const access =
    !disabled && user.id === selfId
      ? ""
      : `<form method="post" action="${esc(base)}/access" class="inline">${csrfField(csrf)}<input type="hidden" name="disabled" value="${disabled ? "false" : "true"}">` +
        `<button type="submit" aria-label="${esc(`${disabled ? "Enable" : "Disable"} ${user.email}`)}">${disabled ? "Enable" : "Disable"}</button></form>`;
  return role + access;
}

/** The users page (owners only): every user with role and status, the invite form, second-factor resets, roles and access. */
export function usersPage(input: {
  csrf: string;
  /** The signed-in owner's header. */
  chrome: SignedInChrome;
  rows: readonly { user: UserRow; status: string; secondFactor: boolean }[];
  canMail: boolean;
  error?: string;
  notice?: string;
}): string {
  const rows = input.rows
    .map(
      ({ user, status, secondFactor }) =>
        `<tr><td>${esc(user.email)}</td><td>${esc(user.role)}</td><td>${esc(status)}</td><td>${secondFactor ? `on <form method="post" action="/manage/users/reset-2fa">${csrfField(input.csrf)}<input type="hidden" name="user" value="${esc(user.id)}"><button type="submit">Reset</button></form>` : "off"}</td>` +
        `<td>${userControls(user, input.csrf, input.chrome.user.id)}</td></tr>`,
    )
    .join("");
  const form = input.canMail
    ? `<form method="post" action="/manage/users/invite">${csrfField(input.csrf)}<label for="email">E-mail</label><input id="email" name="email" type="email" required>` +
      `<label for="role">Role</label><select id="role" name="role">${userRoles.map((r) => `<option value="${r}"${r === "viewer" ? " selected" : ""}>${r}</option>`).join("")}</select>` +
      `<button type="submit">Send invitation</button></form>`
    : `<p class="note" id="no-mail">Invitations are sent by e-mail, and no SMTP server is set for the console (<code>console.email</code> in the configuration). <code>vigil user invite</code> prints the link instead.</p>`;
  return consolePage(
    "Users",
    `<h1>Users</h1>${input.notice ? `<p class="note" role="status">${esc(input.notice)}</p>` : ""}${problem(input.error)}` +
      `${scrollBox("Users")}<table><thead><tr><th>E-mail</th><th>Role</th><th>Status</th><th>Second factor</th><th>Actions</th></tr></thead><tbody>${rows}</tbody></table></div>` +
      `<h2>Invite someone</h2>${form}<p><a href="/manage">Back to the console</a></p>`,
    { chrome: input.chrome, narrow: false },
  );
}

/** The invitee's page: choose a password, which signs them in. */
export function invitePage(input: { csrf: string; token: string; email: string; role: string; error?: string }): string {
  return layout(
    "You are invited",
    `<h1>You are invited</h1><p>To the Vigil console, as <strong id="invited-role">${esc(input.role)}</strong>, with the e-mail <strong>${esc(input.email)}</strong>. Choose a password of at least ${passwordLength.min} characters.</p>${problem(input.error)}` +
      `<form method="post" action="/manage/invite">${csrfField(input.csrf)}<input type="hidden" name="token" value="${esc(input.token)}">` +
      `<input type="hidden" name="username" value="${esc(input.email)}" autocomplete="username">` +
      `<label for="password">New password</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="${passwordLength.min}" required>` +
      `<button type="submit">Set password and sign in</button></form>`,
  );
}
