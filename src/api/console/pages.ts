/** The console's server-rendered pages: plain HTML forms, one inline style sheet (allowed by hash), no script. */
import { esc } from "../../statuspage/render/html/escape.ts";
import type { UserRow } from "../../store/types.ts";
import { roleActions } from "../../auth/roles.ts";
import { passwordLength } from "../../auth/password-policy.ts";

const style = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input[type=email],input[type=password]{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.4rem 1rem}.error{color:#b42318;border:1px solid #b42318;padding:.5rem}.note{color:#57606a}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)} · Vigil console</title><style>${style}</style></head><body><main>${body}</main></body></html>`;
}

const csrfField = (token: string) => `<input type="hidden" name="csrf" value="${esc(token)}">`;
const problem = (message: string | undefined) => (message ? `<p class="error" role="alert">${esc(message)}</p>` : "");

/** The sign-in form; `email` is kept after a refusal, the password never is. */
export function loginPage(input: { csrf: string; email?: string; error?: string; next?: string }): string {
  return layout(
    "Sign in",
    `<h1>Sign in</h1>${problem(input.error)}<form method="post" action="/manage/login">${csrfField(input.csrf)}` +
      `<label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required value="${esc(input.email ?? "")}">` +
      `<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>` +
      `<button type="submit">Sign in</button></form>`,
  );
}

/** The set-password form of a one-time link. */
export function setPasswordPage(input: { csrf: string; token: string; email: string; error?: string }): string {
  return layout(
    "Set your password",
    `<h1>Set your password</h1><p>For <strong>${esc(input.email)}</strong>. At least ${passwordLength.min} characters.</p>${problem(input.error)}` +
      `<form method="post" action="/manage/set-password">${csrfField(input.csrf)}<input type="hidden" name="token" value="${esc(input.token)}">` +
      `<input type="hidden" name="username" value="${esc(input.email)}" autocomplete="username">` +
      `<label for="password">New password</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="${passwordLength.min}" required>` +
      `<button type="submit">Set password</button></form>`,
  );
}

/** A page that only says something, with a link onwards. */
export function messagePage(title: string, message: string, link?: { href: string; text: string }): string {
  return layout(title, `<h1>${esc(title)}</h1><p>${esc(message)}</p>${link ? `<p><a href="${esc(link.href)}">${esc(link.text)}</a></p>` : ""}`);
}

/** The console's home: who is signed in, with what role, and the sign-out buttons. */
export function homePage(input: { user: UserRow; csrf: string }): string {
  const actions = [...roleActions[input.user.role]].join(", ");
  return layout(
    "Console",
    `<h1>Vigil console</h1><p>Signed in as <strong id="who">${esc(input.user.email)}</strong>, role <strong id="role">${esc(input.user.role)}</strong>.</p>` +
      `<p class="note">This role may: ${esc(actions)}.</p>` +
      `<form method="post" action="/manage/logout">${csrfField(input.csrf)}<button type="submit">Sign out</button></form>` +
      `<form method="post" action="/manage/logout">${csrfField(input.csrf)}<input type="hidden" name="everywhere" value="1"><button type="submit">Sign out everywhere</button></form>`,
  );
}
