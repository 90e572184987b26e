/** The pages of the second factor: the code step of sign-in, the account page, enrolment and the recovery codes. */
import { esc } from "../../statuspage/render/html/escape.ts";
import type { UserRow } from "../../store/types.ts";
import { consolePage, csrfField, layout, problem } from "./pages.ts";

const codeInput = (label: string, autocomplete: string) =>
  `<label for="code">${esc(label)}</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="${autocomplete}" maxlength="64" required>`;

/** The second step of sign-in: a code from the authenticator app, or a recovery code. */
export function codePage(input: { csrf: string; error?: string }): string {
  return layout(
    "Enter your code",
    `<h1>Enter your code</h1><p>Enter the 6-digit code your authenticator app shows for Vigil, or one of your recovery codes.</p>${problem(input.error)}` +
      `<form method="post" action="/manage/login/code">${csrfField(input.csrf)}${codeInput("Code", "one-time-code")}<button type="submit">Sign in</button></form>` +
      `<p class="note"><a href="/manage/login">Start again</a></p>`,
  );
}

/** The signed-in user's account: their e-mail, role and second factor, which they may set up or turn off here. */
export function accountPage(input: { user: UserRow; csrf: string; secondFactor: { on: false } | { on: true; since: Date; recoveryCodesLeft: number }; error?: string; notice?: string }): string {
  const chrome = { user: input.user, csrf: input.csrf, current: "/manage/account" };
  const factor = input.secondFactor.on
    ? `<p id="second-factor">Second factor: <strong>on</strong> since ${esc(input.secondFactor.since.toISOString())}; ${input.secondFactor.recoveryCodesLeft} recovery code(s) left.</p>` +
      `<form method="post" action="/manage/account/totp/disable">${csrfField(input.csrf)}${codeInput("Current code, to turn it off", "one-time-code")}<button type="submit">Turn off the second factor</button></form>`
    : `<p id="second-factor">Second factor: <strong>off</strong>. With it on, signing in needs a code from an authenticator app after the password.</p>` +
      `<form method="post" action="/manage/account/totp/setup">${csrfField(input.csrf)}<button type="submit">Set up a second factor</button></form>`;
  return consolePage(
    "Account",
    `<h1>Account</h1>${input.notice ? `<p class="note" role="status">${esc(input.notice)}</p>` : ""}${problem(input.error)}` +
      `<p>Signed in as <strong>${esc(input.user.email)}</strong>, role <strong>${esc(input.user.role)}</strong>.</p>${factor}<p><a href="/manage">Back to the console</a></p>`,
    { chrome },
  );
}

/** Enrolment: the otpauth:// URI and the secret, to add to an authenticator app, and the code that confirms it. */
export function enrolPage(input: { csrf: string; uri: string; secret: string; error?: string }): string {
  const grouped = input.secret.match(/.{1,4}/g)?.join(" ") ?? input.secret;
  return layout(
    "Set up a second factor",
    `<h1>Set up a second factor</h1>${problem(input.error)}` +
      `<p>Add Vigil to your authenticator app: open <a id="totp-uri" href="${esc(input.uri)}">this otpauth:// link</a> on the phone that has the app, or type the secret in.</p>` +
      `<p>Secret: <code id="totp-secret">${esc(grouped)}</code></p><p class="note">URI: <code>${esc(input.uri)}</code></p>` +
      `<p>Then enter the code the app shows, to check it works. Until then the second factor stays off.</p>` +
      `<form method="post" action="/manage/account/totp/confirm">${csrfField(input.csrf)}${codeInput("Code", "one-time-code")}<button type="submit">Turn on</button></form>` +
      `<p class="note"><a href="/manage/account">Cancel</a></p>`,
  );
}

/** The recovery codes, shown this once. */
export function recoveryCodesPage(input: { codes: readonly string[] }): string {
  return layout(
    "Second factor on",
    `<h1>Second factor on</h1><p>Signing in now needs a code from your authenticator app after the password.</p>` +
      `<p>Keep these recovery codes somewhere safe: each works once in place of a code, if you lose the phone. They are shown only now.</p>` +
      `<ul id="recovery-codes">${input.codes.map((c) => `<li><code>${esc(c)}</code></li>`).join("")}</ul>` +
      `<p><a href="/manage/account">Done</a></p>`,
  );
}
