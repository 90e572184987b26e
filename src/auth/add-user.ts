import { randomBytes } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store, UserRole, UserRow } from "../store/types.ts";
import { isUserRole, userRoles } from "./roles.ts";
import { mintSecret } from "./secrets.ts";

/** How long a set-password link works: a day. */
export const passwordLinkTtlMs = 24 * 3_600_000;

/** The path of the set-password page; the link is this with `?token=`. */
export const setPasswordPath = "/manage/set-password";

/** A plain check of an e-mail address's shape; it is a login name, nothing is sent to it. */
export function emailProblem(email: string): string | undefined {
  if (email.length > 254) return "an e-mail address has at most 254 characters";
  const at = email.lastIndexOf("@");
  const domain = email.slice(at + 1);
  if (at < 1 || /[\s@]/.test(email.slice(0, at)) || /[\s@]/.test(domain) || !/^[^.]+(?:\.[^.]+)+$/.test(domain)) return `"${email.slice(0, 60)}" is not an e-mail address`;
  return undefined;
}

/** The e-mail (trimmed) and role of a user to add or invite; a validation error naming the field otherwise. */
export function newUserInput(input: { email: string; role: string }): { email: string; role: UserRole } {
  const email = input.email.trim();
  const problem = emailProblem(email);
  if (problem) throw new AppError("validation_failed", `email: ${problem}`, { details: [{ path: "email", message: problem }] });
  if (!isUserRole(input.role)) {
    const message = `expected one of ${userRoles.join(", ")}, got "${input.role.slice(0, 40)}"`;
    throw new AppError("validation_failed", `role: ${message}`, { details: [{ path: "role", message }] });
  }
  return { email, role: input.role };
}

/** A new user's id: `usr_` and 12 lowercase letters and digits. */
export function newUserId(): string {
  return `usr_${randomBytes(9).toString("base64url").toLowerCase().replace(/[^a-z0-9]/g, "0")}`;
}

/** Adds a console user without a password and mints their one-time set-password link; the secret is returned once. */
export async function addUser(
  deps: { store: Pick<Store, "transaction">; clock: Clock },
  input: { email: string; role: string; actor: string },
): Promise<{ user: UserRow; linkSecret: string; linkExpiresAt: Date }> {
  const { email, role } = newUserInput(input);
  const now = deps.clock.now();
  const id = newUserId();
  const link = mintSecret();
  const linkExpiresAt = new Date(now.getTime() + passwordLinkTtlMs);
  await deps.store.transaction(async (tx) => {
    if (await tx.users.byEmail(email)) throw new AppError("conflict", `a user with the e-mail ${email} exists already`);
    await tx.users.create({ id, email, role, createdAt: now });
    await tx.passwordLinks.create({ tokenHash: link.hash, userId: id, createdAt: now, expiresAt: linkExpiresAt });
    await tx.events.append({ at: now, kind: "user.created", subject: id, actor: input.actor, data: { email, role } });
  });
  return { user: { id, email, role, passwordHash: null, createdAt: now, updatedAt: now, disabledAt: null }, linkSecret: link.secret, linkExpiresAt };
}

/** The set-password URL for a link secret, under `base` (the site's public address). */
export function setPasswordUrl(base: string, secret: string): string {
  return `${base.endsWith("/") ? base.slice(0, -1) : base}${setPasswordPath}?token=${secret}`;
}
