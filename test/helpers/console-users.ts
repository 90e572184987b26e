/** What the console's tests share: the password their users sign in with, and a user made ready to sign in. */
import { addUser } from "../../src/auth/add-user.ts";
import { setPasswordWithLink } from "../../src/auth/set-password.ts";
import type { Clock } from "../../src/core/clock.ts";
import type { Store, UserRow } from "../../src/store/types.ts";

export const consolePassword = "correct horse battery staple";

/** Adds a console user and sets `password` through their one-time link, as a newcomer would; the stored user. */
export async function addUserWithPassword(deps: { store: Store; clock: Clock }, email: string, role: string, password = consolePassword): Promise<UserRow> {
  const added = await addUser(deps, { email, role, actor: "test" });
  await setPasswordWithLink(deps, { token: added.linkSecret, password });
  return added.user;
}

const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(";")[0];

/** Signs in through the console's login form, as a browser would; the `vigil_session=…` cookie, or "" when refused. */
export async function signInOverHttp(baseUrl: string, email: string, password = consolePassword): Promise<string> {
  const page = await fetch(`${baseUrl}/manage/login`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const res = await fetch(`${baseUrl}/manage/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieOf(page, "vigil_form") ?? "" },
    body: new URLSearchParams({ csrf, email, password }).toString(),
  });
  return cookieOf(res, "vigil_session") ?? "";
}
