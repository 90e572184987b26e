/**
 * Single sign-on's two pages: /manage/oidc/start sends the browser to the provider with a new state, nonce and PKCE
 * challenge (kept in a signed, 10-minute cookie); /manage/oidc/callback checks them, has the code exchanged, and signs
 * the person in or says why not (403). Each callback writes one audit entry naming the e-mail, never a code or token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { oidcCallbackPath, oidcFlowTtlMs, oidcRefusalMessages, oidcStartPath, openFlow, readIdentity, sameState, sealFlow } from "../../auth/oidc.ts";
import { signInWithOidc } from "../../auth/oidc-sign-in.ts";
import type { ConsoleKit } from "./kit.ts";
import { messagePage } from "./pages.ts";
import type { ConsoleOidc } from "./settings.ts";

/** The cookie that carries a sign-in's state from the start to the callback. */
export const oidcCookie = "vigil_oidc";

/** What a callback came to, for the audit log. */
interface Noted {
  outcome: string;
  email: string | undefined;
  userId: string | undefined;
}

const again = { href: "/manage/login", text: "Back to sign in" };

/** Registers single sign-on's pages when `oidc` is configured. */
export function registerOidcRoutes(scope: FastifyInstance, kit: ConsoleKit, oidc: ConsoleOidc | undefined): void {
  if (oidc === undefined) return;
  const noted = new WeakMap<FastifyRequest, Noted>();

  // The console's audit hook covers POSTs; a callback is a GET, and is audited here however it ended.
  scope.addHook("onResponse", async (request, reply) => {
    const note = noted.get(request);
    if (note === undefined) return;
    try {
      await kit.store.audit.append({
        at: kit.clock.now(),
        actor: note.email ?? "anonymous",
        via: "session",
        tokenId: null,
        action: "session",
        operation: "signInOidc",
        targetKind: "users",
        targetId: note.userId ?? null,
        status: reply.statusCode,
        summary: { method: "GET", path: oidcCallbackPath, provider: oidc.name, outcome: note.outcome },
        clientAddress: kit.clientAddress(request),
      });
    } catch (error) {
      request.log.error({ err: error }, "could not write the audit log");
    }
  });

  const refuse = (reply: FastifyReply, title: string, message: string) => kit.page(reply, 403, messagePage(title, message, again));

  scope.get(oidcStartPath, async (request, reply) => {
    let started;
    try {
      started = await oidc.client.start(kit.clock.now().getTime());
    } catch (error) {
      request.log.warn({ kind: "oidc", error: describe(error) }, "single sign-on: the provider's discovery failed");
      return kit.page(reply, 502, messagePage("Sign-in provider unreachable", `${oidc.name} could not be reached. Try again, or sign in with a password.`, again));
    }
    kit.setCookie(request, reply, oidcCookie, sealFlow(await oidc.key(), started.flow), Math.floor(oidcFlowTtlMs / 1000));
    return reply.status(303).header("cache-control", "no-store").redirect(started.url);
  });

  scope.get(oidcCallbackPath, async (request, reply) => {
    const note: Noted = { outcome: "error", email: undefined, userId: undefined };
    noted.set(request, note);
    // Spent whatever happens: a sign-in's state is good for one callback.
    kit.setCookie(request, reply, oidcCookie, "", 0);
    const flow = openFlow(await oidc.key(), kit.cookie(request, oidcCookie), kit.clock.now().getTime());
    if (flow === undefined || !sameState(flow.state, kit.field(request.query, "state"))) {
      note.outcome = "state_mismatch";
      return refuse(reply, "Sign-in not recognised", "This sign-in was not started in this browser, took longer than 10 minutes, or was finished already. Start it again.");
    }
    const error = kit.field(request.query, "error");
    if (error !== "") {
      note.outcome = "provider_error";
      const code = /^[a-z_]{1,60}$/.test(error) ? error : "an error";
      return refuse(reply, "Sign-in refused", `${oidc.name} answered ${code}.`);
    }
    let claims;
    try {
      const at = request.url.indexOf("?");
      claims = await oidc.client.finish(flow, at < 0 ? "" : request.url.slice(at));
    } catch (failure) {
      note.outcome = "not_verified";
      request.log.warn({ kind: "oidc", error: describe(failure) }, "single sign-on: the code exchange or the ID token's checks failed");
      return refuse(reply, "Sign-in not verified", `Vigil could not verify the sign-in with ${oidc.name}. Start it again.`);
    }
    const identity = readIdentity(claims.idToken, claims.userinfo, oidc.policy.roleClaim);
    note.email = identity.email?.slice(0, 254);
    const outcome = await signInWithOidc(
      { store: kit.store, clock: kit.clock, sessions: kit.sessions },
      { policy: oidc.policy, identity, address: kit.clientAddress(request), userAgent: request.headers["user-agent"] },
    );
    note.userId = outcome.ok ? outcome.user.id : outcome.userId;
    if (!outcome.ok) {
      note.outcome = outcome.reason;
      return refuse(reply, "Sign-in refused", oidcRefusalMessages[outcome.reason]);
    }
    note.outcome = outcome.created ? `created as ${outcome.user.role}` : outcome.roleChanged ? `signed in, role set to ${outcome.user.role}` : "signed in";
    kit.setSessionCookie(request, reply, outcome.sessionSecret);
    return reply.status(303).header("cache-control", "no-store").redirect("/manage");
  });
}

/** An error for the log: its code and message only (a response body may hold tokens). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return "unknown error";
  const code = (error as { code?: unknown }).code;
  return `${typeof code === "string" ? `${code}: ` : ""}${error.message}`.slice(0, 300);
}
