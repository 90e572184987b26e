/**
 * The second factor's pages: the code step of sign-in (bound to the short-lived challenge made when the password was
 * right), and the signed-in user's account page, where they set up a TOTP second factor or turn it off.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { limitKeys, recordSuccess, startAttempt } from "../../auth/login-limiter.ts";
import { codeRefusedMessage, confirmTotp, disableTotp, pendingTotpSecret } from "../../auth/second-factor.ts";
import { signInWithCode } from "../../auth/sign-in-code.ts";
import { totpUri } from "../../auth/totp.ts";
import { isAppError } from "../../core/errors.ts";
import type { UserRow } from "../../store/types.ts";
import type { ConsoleKit } from "./kit.ts";
import { loginPage } from "./pages.ts";
import { accountPage, codePage, enrolPage, recoveryCodesPage } from "./totp-pages.ts";

/** The cookie holding a sign-in's challenge between the password and the code (5 minutes). */
export const challengeCookie = "vigil_login";

const seeOther = (reply: FastifyReply, to: string) => reply.status(303).header("cache-control", "no-store").redirect(to);

/** Registers the code step of sign-in and the account pages. */
export function registerTotpRoutes(scope: FastifyInstance, kit: ConsoleKit): void {
  const deps = { store: kit.store, clock: kit.clock };
  const account = async (reply: FastifyReply, user: UserRow, csrf: string, status: number, extra: { error?: string; notice?: string } = {}) => {
    const row = await kit.store.secondFactors.get(user.id);
    const secondFactor = row?.enabledAt ? { on: true as const, since: row.enabledAt, recoveryCodesLeft: await kit.store.secondFactors.recoveryCodesLeft(user.id) } : { on: false as const };
    return kit.page(reply, status, accountPage({ user, csrf, secondFactor, ...extra }));
  };
  const enrol = (reply: FastifyReply, user: UserRow, csrf: string, secret: string, status: number, error?: string) =>
    kit.page(reply, status, enrolPage({ csrf, secret, uri: totpUri({ secret, issuer: kit.issuer, account: user.email }), ...(error ? { error } : {}) }));
  /** The signed-in user of a POST whose CSRF token and origin are right; otherwise the answer is sent. */
  const signedInPost = async (request: FastifyRequest, reply: FastifyReply) => {
    const signedIn = await kit.session(request);
    if (!signedIn) return { answered: seeOther(reply, "/manage/login") };
    if (kit.forgedSignedIn(request, signedIn.csrf)) return { answered: kit.forged(reply) };
    return { signedIn };
  };

  scope.get("/manage/login/code", async (request, reply) => {
    if (kit.cookie(request, challengeCookie) === undefined) return seeOther(reply, "/manage/login");
    return kit.page(reply, 200, codePage({ csrf: kit.formToken(request, reply) }));
  });

  scope.post("/manage/login/code", async (request, reply) => {
    if (kit.forgedBeforeSignIn(request)) return kit.forged(reply);
    const csrf = kit.field(request.body, "csrf");
    const outcome = await signInWithCode(
      { ...deps, limiter: kit.limiter, limits: kit.login, sessions: kit.sessions },
      { challenge: kit.cookie(request, challengeCookie), code: kit.field(request.body, "code"), address: kit.clientAddress(request), userAgent: request.headers["user-agent"] },
    );
    if (outcome.ok) {
      kit.setCookie(request, reply, challengeCookie, "", 0);
      kit.setSessionCookie(request, reply, outcome.sessionSecret);
      return seeOther(reply, "/manage");
    }
    if (outcome.reason === "expired") {
      kit.setCookie(request, reply, challengeCookie, "", 0);
      return kit.page(reply, 401, loginPage({ csrf, error: "Signing in took too long, or was finished already. Sign in again." }));
    }
    if (outcome.reason === "rate_limited") {
      const seconds = Math.ceil(outcome.retryAfterMs / 1000);
      void reply.header("retry-after", String(seconds));
      return kit.page(reply, 429, codePage({ csrf, error: `Too many failed attempts. Try again in ${Math.ceil(seconds / 60)} minute(s).` }));
    }
    return kit.page(reply, 401, codePage({ csrf, error: codeRefusedMessage }));
  });

  scope.get("/manage/account", async (request, reply) => {
    const signedIn = await kit.session(request);
    if (!signedIn) return seeOther(reply, "/manage/login");
    return account(reply, signedIn.user, signedIn.csrf, 200);
  });

  scope.post("/manage/account/totp/setup", async (request, reply) => {
    const { signedIn, answered } = await signedInPost(request, reply);
    if (!signedIn) return answered;
    try {
      await pendingTotpSecret(deps, signedIn.user.id, { fresh: true });
    } catch (error) {
      if (!isAppError(error)) throw error;
      return account(reply, signedIn.user, signedIn.csrf, 409, { error: error.message });
    }
    return seeOther(reply, "/manage/account/totp");
  });

  scope.get("/manage/account/totp", async (request, reply) => {
    const signedIn = await kit.session(request);
    if (!signedIn) return seeOther(reply, "/manage/login");
    const row = await kit.store.secondFactors.get(signedIn.user.id);
    // The secret is shown while enrolling only; once on, it is never shown again.
    if (row?.enabledAt || !row?.pendingSecret) return seeOther(reply, "/manage/account");
    return enrol(reply, signedIn.user, signedIn.csrf, row.pendingSecret, 200);
  });

  scope.post("/manage/account/totp/confirm", async (request, reply) => {
    const { signedIn, answered } = await signedInPost(request, reply);
    if (!signedIn) return answered;
    try {
      const { recoveryCodes } = await confirmTotp(deps, { userId: signedIn.user.id, code: kit.field(request.body, "code") });
      // A session opened elsewhere with the password alone (perhaps by whoever learned it) ends here.
      await kit.store.sessions.removeAllOf(signedIn.user.id, signedIn.session.idHash);
      return kit.page(reply, 200, recoveryCodesPage({ codes: recoveryCodes }));
    } catch (error) {
      if (!isAppError(error)) throw error;
      const row = await kit.store.secondFactors.get(signedIn.user.id);
      if (error.code === "validation_failed" && row?.pendingSecret) return enrol(reply, signedIn.user, signedIn.csrf, row.pendingSecret, 400, error.message);
      return account(reply, signedIn.user, signedIn.csrf, 409, { error: error.message });
    }
  });

  scope.post("/manage/account/totp/disable", async (request, reply) => {
    const { signedIn, answered } = await signedInPost(request, reply);
    if (!signedIn) return answered;
    // Turning it off takes a current code, guessed no faster than a sign-in.
    const keys = limitKeys(signedIn.user.email, kit.clientAddress(request));
    const now = kit.clock.now().getTime();
    const limit = startAttempt(kit.limiter, kit.login, keys, now);
    if (!limit.allowed) return account(reply.header("retry-after", String(Math.ceil(limit.retryAfterMs / 1000))), signedIn.user, signedIn.csrf, 429, { error: "Too many failed attempts. Try again later." });
    try {
      await disableTotp(deps, { userId: signedIn.user.id, code: kit.field(request.body, "code") });
    } catch (error) {
      if (!isAppError(error) || error.code !== "validation_failed") throw error;
      return account(reply, signedIn.user, signedIn.csrf, 400, { error: error.message });
    }
    recordSuccess(kit.limiter, keys, now);
    await kit.store.sessions.removeAllOf(signedIn.user.id, signedIn.session.idHash);
    return account(reply, signedIn.user, signedIn.csrf, 200, { notice: "The second factor is off: signing in needs the password alone. Your other sessions are signed out." });
  });

}
