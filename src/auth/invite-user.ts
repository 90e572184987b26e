/** Invitations: a console user made with a role and a one-time link that sets their password and signs them in. */
import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store, UserRole, UserRow } from "../store/types.ts";
import { newUserId, newUserInput } from "./add-user.ts";
import { mintSecret } from "./secrets.ts";

/** The path of the invitation page; the link is this with `?token=`. */
export const invitePath = "/manage/invite";

/** How long an invitation works unless `console.invite_valid_for` says otherwise: three days. */
export const defaultInviteValidForMs = 72 * 3_600_000;

/** What sends invitations for the console (built from `console.email`); the HTTP pages and the local socket use it. */
export interface Inviter {
  /** Whether an SMTP server is configured for the console. */
  canMail(): boolean;
  /**
   * Invites `email` as `role`. With `requireMail`, refuses (AppError bad_request, nothing stored) when no SMTP server
   * is configured; otherwise the invitation is made and, when it cannot be e-mailed, the link is only returned.
   */
  invite(input: { email: string; role: string; actor: string; requireMail: boolean }): Promise<InviteResult>;
}

/** An invitation made: its link (one use, until `expiresAt`), and whether the e-mail went out. */
export interface InviteResult {
  user: UserRow;
  url: string;
  expiresAt: Date;
  reinvited: boolean;
  mail: { sent: true } | { sent: false; reason: string };
}

/** The message for an invitation asked for without an SMTP server. */
export const noMailMessage = "invitations are sent by e-mail, and no SMTP server is set for the console (console.email in the configuration); `vigil user invite` prints the link instead";

/**
 * Stores an invitation: a new user with `role` and no password, or a user who never set a password (their earlier
 * links are spent, the role must be the same). The link's secret is returned once; only its SHA-256 is stored.
 */
export async function createInvite(
  deps: { store: Pick<Store, "transaction">; clock: Clock },
  input: { email: string; role: string; actor: string; validForMs: number },
): Promise<{ user: UserRow; linkSecret: string; expiresAt: Date; reinvited: boolean }> {
  const { email, role } = newUserInput(input);
  const now = deps.clock.now();
  const link = mintSecret();
  const expiresAt = new Date(now.getTime() + input.validForMs);
  return deps.store.transaction(async (tx) => {
    const existing = await tx.users.byEmail(email);
    if (existing && (existing.passwordHash !== null || existing.disabledAt !== null)) throw new AppError("conflict", `a user with the e-mail ${email} exists already`);
    if (existing && existing.role !== role) throw new AppError("conflict", `${existing.email} was invited as ${existing.role} already; invite them again as ${existing.role}`);
    const user: UserRow = existing ?? { id: newUserId(), email, role, passwordHash: null, createdAt: now, updatedAt: now, disabledAt: null };
    if (existing) await tx.passwordLinks.revokeAllOf(user.id, now);
    else await tx.users.create({ id: user.id, email, role, createdAt: now });
    await tx.passwordLinks.create({ tokenHash: link.hash, userId: user.id, createdAt: now, expiresAt, purpose: "invite" });
    await tx.events.append({ at: now, kind: "user.invited", subject: user.id, actor: input.actor, data: { email: user.email, role, expires_at: expiresAt.toISOString() } });
    return { user, linkSecret: link.secret, expiresAt, reinvited: existing !== undefined };
  });
}

/** The invitation URL for a link secret, under `base` (the console's public address). */
export function inviteUrl(base: string, secret: string): string {
  return `${base.endsWith("/") ? base.slice(0, -1) : base}${invitePath}?token=${secret}`;
}

/** The invitation e-mail: plain text, the link, the role, when it expires, and who sent it. */
export function renderInviteEmail(input: { siteName: string; consoleUrl: string; from: string; to: string; role: UserRole; url: string; expiresAt: Date }): { from: string; to: string; subject: string; text: string } {
  const site = input.siteName.replace(/[\r\n]+/g, " ").slice(0, 100);
  const text = [
    `You are invited to the Vigil console of ${site} (${input.consoleUrl}/manage) as ${input.role}.`,
    "",
    `Choose your password here: ${input.url}`,
    "",
    `This link works once, until ${input.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z")}.`,
    "If you did not expect this, ignore this e-mail.",
  ].join("\n");
  return { from: input.from, to: input.to, subject: `[${site}] You are invited to the Vigil console`, text };
}
