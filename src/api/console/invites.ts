/**
 * Invitations in the console: the owners' users page (every user with role and status, an invite form, the reset
 * of another user's second factor, and each user's role and access changed through the API), and the invitee's page,
 * where following the link sets a password and signs in.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { acceptInvite, inviteLinkProblem } from "../../auth/accept-invite.ts";
import { invitePath } from "../../auth/invite-user.ts";
import { resetSecondFactor } from "../../auth/reset-second-factor.ts";
import { roleAllows } from "../../auth/roles.ts";
import { linkInvalidMessage, userOfLink } from "../../auth/set-password.ts";
import { isAppError } from "../../core/errors.ts";
import type { UserRow } from "../../store/types.ts";
import type { ConsoleKit } from "./kit.ts";
import { invitePage, usersPage, userStatus } from "./invite-pages.ts";
import { idSegment } from "./manage-forms.ts";
import { messagePage } from "./pages.ts";

const seeOther = (reply: FastifyReply, to: string) => reply.status(303).header("cache-control", "no-store").redirect(to);

/** Registers /manage/users (owners) and the invitation page. */
export function registerInviteRoutes(scope: FastifyInstance, kit: ConsoleKit): void {
  const deps = { store: kit.store, clock: kit.clock };

  const users = async (reply: FastifyReply, signedIn: { user: UserRow; csrf: string }, status: number, extra: { error?: string; notice?: string } = {}) => {
    const csrf = signedIn.csrf;
    const [list, invited, withFactor] = await Promise.all([kit.store.users.list(), kit.store.passwordLinks.openUntil("invite"), kit.store.secondFactors.enabledUserIds()]);
    const now = kit.clock.now();
    const rows = list.map((user) => ({ user, status: userStatus(user, invited.get(user.id), now), secondFactor: withFactor.has(user.id) }));
    return kit.page(reply, status, usersPage({ csrf, chrome: { user: signedIn.user, csrf, current: "/manage/users" }, rows, canMail: kit.inviter?.canMail() ?? false, ...extra }));
  };
  /** The signed-in owner, or the answer already sent (sign in first; 403 for another role; 403 for a forged POST). */
  const owner = async (request: FastifyRequest, reply: FastifyReply, post: boolean) => {
    const signedIn = await kit.session(request);
    if (!signedIn) return { answered: seeOther(reply, "/manage/login") };
    if (post && kit.forgedSignedIn(request, signedIn.csrf)) return { answered: kit.forged(reply) };
    if (!roleAllows(signedIn.user.role, "users.manage")) return { answered: kit.page(reply, 403, messagePage("Not allowed", `Managing users needs the owner role; you are ${signedIn.user.role}.`, { href: "/manage", text: "Back to the console" })) };
    return { signedIn };
  };

  scope.get("/manage/users", async (request, reply) => {
    const { signedIn, answered } = await owner(request, reply, false);
    if (!signedIn) return answered;
    return users(reply, signedIn, 200);
  });

  scope.post("/manage/users/invite", async (request, reply) => {
    const { signedIn, answered } = await owner(request, reply, true);
    if (!signedIn) return answered;
    if (!kit.inviter) return users(reply, signedIn, 400, { error: "this Vigil cannot send invitations" });
    try {
      const made = await kit.inviter.invite({ email: kit.field(request.body, "email"), role: kit.field(request.body, "role"), actor: `user:${signedIn.user.id}`, requireMail: true });
      if (!made.mail.sent) return users(reply, signedIn, 502, { error: `${made.user.email} is invited, but ${made.mail.reason}. Invite them again to send a new e-mail.` });
      return users(reply, signedIn, 200, { notice: `Invitation sent to ${made.user.email} (${made.user.role}); the link works once, until ${made.expiresAt.toISOString()}.` });
    } catch (error) {
      if (!isAppError(error)) throw error;
      return users(reply, signedIn, error.code === "conflict" ? 409 : 400, { error: error.message });
    }
  });

  scope.post("/manage/users/reset-2fa", async (request, reply) => {
    const { signedIn, answered } = await owner(request, reply, true);
    if (!signedIn) return answered;
    const user = await kit.store.users.get(kit.field(request.body, "user").slice(0, 64));
    if (!user) return users(reply, signedIn, 404, { error: "no such user" });
    await resetSecondFactor(deps, { email: user.email, actor: `user:${signedIn.user.id}` });
    return users(reply, signedIn, 200, { notice: `The second factor of ${user.email} is off: they sign in with their password alone until they set it up again.` });
  });

  /** A change of a user's role or access, through PATCH /api/v1/users/:id; the page shows the API's refusal or the outcome. */
  const change = async (request: FastifyRequest, reply: FastifyReply, body: { role: string } | { disabled: unknown }) => {
    const allowed = await kit.allowed(request, reply, "users.manage", "/manage/users");
    if (!allowed) return reply;
    const { id } = request.params as { id: string };
    const answer = await kit.api<{ email: string; role: string; disabled: boolean }>(request, { method: "PATCH", url: `/api/v1/users/${idSegment(id)}`, body });
    if (answer.status >= 400) return users(reply, allowed, answer.status, { error: answer.error ?? `the API answered ${answer.status}` });
    const { email, role, disabled } = answer.json;
    const notice =
      "role" in body
        ? `${email} is now ${role}.`
        : disabled
          ? `${email} is disabled: their sessions ended and their API tokens stop working.`
          : `${email} is enabled again.`;
    return users(reply, allowed, 200, { notice });
  };
  scope.post("/manage/users/:id/role", (request, reply) => change(request, reply, { role: kit.field(request.body, "role") }));
  scope.post("/manage/users/:id/access", (request, reply) => {
    const disabled = kit.field(request.body, "disabled");
    // Anything but true or false goes to the API as typed, which refuses it naming the field.
    return change(request, reply, { disabled: disabled === "true" ? true : disabled === "false" ? false : disabled });
  });

  const invalid = async (reply: FastifyReply, token: string) => {
    const problem = await inviteLinkProblem(deps, token);
    if (problem) return kit.page(reply, 410, messagePage("Invitation expired", `This invitation expired on ${problem.expiredAt.toISOString()}. Ask an owner of this Vigil to invite you again.`));
    return kit.page(reply, 404, messagePage("Link not valid", linkInvalidMessage));
  };

  scope.get(invitePath, async (request, reply) => {
    const token = kit.field(request.query, "token");
    const invited = await userOfLink(deps, token, "invite");
    const user = invited && (await kit.store.users.get(invited.id));
    if (!user) return invalid(reply, token);
    return kit.page(reply, 200, invitePage({ csrf: kit.formToken(request, reply), token, email: user.email, role: user.role }));
  });

  scope.post(invitePath, async (request, reply) => {
    if (kit.forgedBeforeSignIn(request)) return kit.forged(reply);
    const token = kit.field(request.body, "token");
    try {
      const accepted = await acceptInvite({ ...deps, sessions: kit.sessions }, { token, password: kit.field(request.body, "password"), address: kit.clientAddress(request), userAgent: request.headers["user-agent"] });
      kit.setSessionCookie(request, reply, accepted.sessionSecret);
      return seeOther(reply, "/manage");
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.code === "validation_failed") {
        const invited = await userOfLink(deps, token, "invite");
        const user = invited && (await kit.store.users.get(invited.id));
        if (user) return kit.page(reply, 400, invitePage({ csrf: kit.field(request.body, "csrf"), token, email: user.email, role: user.role, error: error.message }));
      }
      return invalid(reply, token);
    }
  });
}
