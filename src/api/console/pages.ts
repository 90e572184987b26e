/**
 * The console's server-rendered pages: one layout (a skip link, the header with the console's navigation and the
 * signed-in user, a main landmark), one external style sheet with a dark variant, and plain HTML forms. A page may
 * load scripts from /manage/assets, which only enhance it: every page is complete without them.
 */
import { esc } from "../../statuspage/render/html/escape.ts";
import type { UserRow } from "../../store/types.ts";
import { roleActions, roleAllows, type ConsoleAction } from "../../auth/roles.ts";
import { passwordLength } from "../../auth/password-policy.ts";
import { assetPath } from "./assets.ts";

/** The console's navigation, in order: each page adds its entry here, with the action a role needs to see it. */
export const consoleNav: readonly { href: string; text: string; action: ConsoleAction }[] = [
  { href: "/manage", text: "Overview", action: "read" },
  { href: "/manage/incidents", text: "Incidents", action: "read" },
  { href: "/manage/maintenances", text: "Maintenances", action: "read" },
  { href: "/manage/silences", text: "Silences", action: "read" },
  { href: "/manage/channels", text: "Channels", action: "read" },
  { href: "/manage/catalog", text: "Catalog", action: "read" },
  { href: "/manage/actions", text: "Actions", action: "read" },
  { href: "/manage/subscribers", text: "Subscribers", action: "subscribers.export" },
  { href: "/manage/audit", text: "Audit log", action: "audit.read" },
  { href: "/manage/tokens", text: "Tokens", action: "tokens.manage" },
  { href: "/manage/users", text: "Users", action: "users.manage" },
  { href: "/manage/account", text: "Account", action: "read" },
];

/** Who is signed in, shown in the header of every signed-in page, and the page of the navigation it is on. */
export interface SignedInChrome {
  user: UserRow;
  csrf: string;
  /** The path of the navigation entry to mark as the current page. */
  current: string;
}

function header(chrome: SignedInChrome): string {
  const links = consoleNav
    .filter((n) => roleAllows(chrome.user.role, n.action))
    .map((n) => `<li><a href="${esc(n.href)}"${n.href === chrome.current ? ' aria-current="page"' : ""}>${esc(n.text)}</a></li>`)
    .join("");
  return (
    `<header class="top"><p class="brand"><a href="/manage">Vigil console</a></p><nav aria-label="Console"><ul>${links}</ul></nav>` +
    `<div class="who"><p>Signed in as <strong id="who">${esc(chrome.user.email)}</strong>, role <strong id="role">${esc(chrome.user.role)}</strong></p>` +
    `<form method="post" action="/manage/logout">${csrfField(chrome.csrf)}<button type="submit">Sign out</button></form></div></header>`
  );
}

/**
 * A console page: `body` inside the main landmark, the header when someone is signed in, and `scripts` (paths under
 * /manage/assets) loaded deferred.
 */
export function consolePage(title: string, body: string, options: { chrome?: SignedInChrome; scripts?: readonly string[]; narrow?: boolean } = {}): string {
  const scripts = (options.scripts ?? []).map((s) => `<script src="${esc(assetPath(s))}" defer></script>`).join("");
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="robots" content="noindex"><meta name="color-scheme" content="light dark"><title>${esc(title)} · Vigil console</title>` +
    `<link rel="icon" href="data:,"><link rel="stylesheet" href="${esc(assetPath("console.css"))}">${scripts}</head>` +
    `<body><a class="skip" href="#main">Skip to content</a>${options.chrome ? header(options.chrome) : ""}` +
    `<main id="main"${options.narrow === false ? "" : ' class="narrow"'}>${body}</main></body></html>`
  );
}

export const csrfField = (token: string) => `<input type="hidden" name="csrf" value="${esc(token)}">`;
export const problem = (message: string | undefined) => (message ? `<p class="error" role="alert">${esc(message)}</p>` : "");

/** A page without the signed-in header (the account and users pages, until they are given one). */
export function layout(title: string, body: string): string {
  return consolePage(title, body);
}

/** The sign-in form; `email` is kept after a refusal, the password never is. */
export function loginPage(input: { csrf: string; email?: string; error?: string; next?: string; sso?: string }): string {
  return consolePage(
    "Sign in",
    `<h1>Sign in</h1>${problem(input.error)}<form method="post" action="/manage/login">${csrfField(input.csrf)}` +
      `<label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required value="${esc(input.email ?? "")}">` +
      `<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>` +
      `<button type="submit">Sign in</button></form>` +
      (input.sso === undefined ? "" : `<p class="sso"><a id="sso" href="/manage/oidc/start">Sign in with ${esc(input.sso)}</a></p>`),
  );
}

/** The set-password form of a one-time link. */
export function setPasswordPage(input: { csrf: string; token: string; email: string; error?: string }): string {
  return consolePage(
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
  return consolePage(title, `<h1>${esc(title)}</h1><p>${esc(message)}</p>${link ? `<p><a href="${esc(link.href)}">${esc(link.text)}</a></p>` : ""}`);
}

/** The signed-in user's role, what it may do, and signing out everywhere: the overview's closing section. */
export function accountSection(input: { user: UserRow; csrf: string }): string {
  const actions = [...roleActions[input.user.role]].join(", ");
  return (
    `<section aria-labelledby="account-h" class="account"><h2 id="account-h">Your session</h2>` +
    `<p class="note">The role ${esc(input.user.role)} may: ${esc(actions)}.</p>` +
    `<form method="post" action="/manage/logout">${csrfField(input.csrf)}<input type="hidden" name="everywhere" value="1"><button type="submit">Sign out everywhere</button></form></section>`
  );
}
