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
