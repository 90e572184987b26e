/** Sends console invitations through the SMTP server of `console.email`; without one, the link is only returned. */
import { createInvite, inviteUrl, noMailMessage, renderInviteEmail, type Inviter } from "../auth/invite-user.ts";
import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { VigilConfig } from "../config/index.ts";
import { sendOneOffMail } from "../notify/one-off-mail.ts";
import type { Logger } from "../observability/logger.ts";
import type { Store } from "../store/types.ts";

/** The console's inviter over a store, the current configuration and the console's public address. */
export function consoleInviter(deps: { store: Pick<Store, "transaction">; clock: Clock; config: () => VigilConfig; publicUrl: () => string; logger: Logger }): Inviter {
  return {
    canMail: () => deps.config().console.email !== undefined,
    async invite(input) {
      const config = deps.config();
      const settings = config.console.email;
      if (settings === undefined && input.requireMail) throw new AppError("bad_request", noMailMessage);
      const made = await createInvite(deps, { ...input, validForMs: config.console.invite_valid_for });
      const base = deps.publicUrl();
      const url = inviteUrl(base, made.linkSecret);
      const result = { user: made.user, url, expiresAt: made.expiresAt, reinvited: made.reinvited };
      if (settings === undefined) return { ...result, mail: { sent: false, reason: noMailMessage } };
      const mail = renderInviteEmail({ siteName: config.site.name, consoleUrl: base, from: settings.from, to: made.user.email, role: made.user.role, url, expiresAt: made.expiresAt });
      // Neither the SMTP password nor the link (which would let its reader in) reaches the log or the answer.
      const sent = await sendOneOffMail(settings, { from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, headers: { "auto-submitted": "auto-generated" } }, [made.linkSecret]);
      if (sent.sent) return { ...result, mail: sent };
      deps.logger.warn({ kind: "invite", user: made.user.id, smtp: settings.host, error: sent.reason }, "an invitation e-mail could not be sent");
      return { ...result, mail: { sent: false, reason: `the e-mail could not be sent: ${sent.reason}` } };
    },
  };
}
