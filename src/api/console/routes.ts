/**
 * The console's pages under /manage: sign in, set a password through a one-time link, sign out, and the signed-in
 * home. Cookies are httpOnly and SameSite=Lax, Secure when the request came over HTTPS (directly, or as a trusted
 * proxy's X-Forwarded-Proto says). Every POST needs a CSRF token and, when the browser sends one, a same-origin Origin.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { TLSSocket } from "node:tls";
import { setPasswordPath } from "../../auth/add-user.ts";
import type { LimiterState } from "../../auth/login-limiter.ts";
import { endSession, resolveSession } from "../../auth/session.ts";
import { setPasswordWithLink, userOfLink, linkInvalidMessage } from "../../auth/set-password.ts";
import { challengeTtlMs, signIn, signInRefusedMessage } from "../../auth/sign-in.ts";
import type { Clock } from "../../core/clock.ts";
import { isAppError } from "../../core/errors.ts";
import type { Store } from "../../store/types.ts";
import { trustedList } from "../client-address.ts";
import { loginPage, messagePage, setPasswordPage } from "./pages.ts";
import { roleAllows } from "../../auth/roles.ts";
import { forbiddenMessage } from "../../auth/authenticate.ts";
import { sessionStatus } from "../../auth/session-expiry.ts";
import { hashOfPresented } from "../../auth/secrets.ts";
import { registerConsoleAssets } from "./assets.ts";
import { OverviewFeed, registerOverviewEvents } from "./events.ts";
import { gatherOverview, type OverviewDeps } from "./overview.ts";
import { overviewPage } from "./overview-page.ts";
import { registerAuditPages } from "./audit.ts";
import { summarize } from "../../audit/summary.ts";

// Kept in their own file so that the API's deps can name them without importing the console's routes.
export { defaultConsoleSettings, type ConsoleSettings } from "./settings.ts";
import type { ConsoleSettings } from "./settings.ts";
import { registerInviteRoutes } from "./invites.ts";
import { registerIncidentPages } from "./incidents.ts";
import type { ApiAnswer, ApiCall, ConsoleKit } from "./kit.ts";
import { challengeCookie, registerTotpRoutes } from "./totp.ts";
import { registerOidcRoutes } from "./oidc.ts";
import { registerMaintenancePages } from "./maintenances.ts";
import { registerSilencePages } from "./silences.ts";
import { registerSubscriberPages } from "./subscribers.ts";
import { registerChannelPages } from "./channels.ts";
import { registerCatalogPages } from "./catalog.ts";
import { registerActionPages } from "./actions.ts";
import { registerTokenPages } from "./tokens.ts";

/** The cookie holding the session's secret, and the one holding the CSRF token of the forms shown before sign-in. */
export const sessionCookie = "vigil_session";
export const formCookie = "vigil_form";

interface ConsoleDeps {
  store: Store;
  clock: Clock;
  settings: ConsoleSettings;
  trustedProxies: readonly string[];
  clientAddress: (request: FastifyRequest) => string;
  /** What the overview reads of the running Vigil. */
  overview: OverviewDeps;
}

/** The console pages' policy: scripts, styles and the event stream from /manage itself, nothing inline. */
export const consolePolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function cookies(request: FastifyRequest): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0) jar.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return jar;
}

function field(body: unknown, name: string): string {
  const value = body !== null && typeof body === "object" ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value : "";
}

function same(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A signed-in form's CSRF token: derived from the session's secret, which a page of another site cannot read. */
function sessionCsrf(sessionSecret: string): string {
  return createHash("sha256").update(`vigil console csrf\0${sessionSecret}`).digest("base64url");
}

function page(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    // same-origin, not the site's no-referrer: with no-referrer Chromium sends `Origin: null` on the console's own forms.
    .header("referrer-policy", "same-origin")
    .header("content-security-policy", consolePolicy)
    .header("x-frame-options", "DENY")
    .send(html);
}

/** The audit log's names for the console's own forms. */
const consoleOperations: Record<string, { action: string; operation: string }> = {
  "/manage/login": { action: "session", operation: "signIn" },
  "/manage/logout": { action: "session", operation: "signOut" },
  [setPasswordPath]: { action: "account", operation: "setPassword" },
};

/** Registers the /manage pages. */
export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleDeps): void {
  const proxies = trustedList(deps.trustedProxies);
  const limiter: LimiterState = new Map();
  const settings = deps.settings;
  /** Console POSTs whose write went through the API, which recorded it: the console records no second entry. */
  const auditedByApi = new WeakSet<FastifyRequest>();
  /** The new session a request opened (a code, an invitation, single sign-on): its user is the audit entry's actor. */
  const signedInNow = new WeakMap<FastifyRequest, string>();
  const sso = settings.oidc && { sso: settings.oidc.name };

  const secure = (request: FastifyRequest): boolean => {
    if ((request.socket as Partial<TLSSocket>).encrypted === true) return true;
    const peer = request.socket.remoteAddress ?? "";
    const family = peer.includes(":") && !peer.startsWith("::ffff:") ? "ipv6" : "ipv4";
    const address = peer.startsWith("::ffff:") ? peer.slice(7) : peer;
    const proto = request.headers["x-forwarded-proto"];
    return typeof proto === "string" && proto.split(",")[0]?.trim().toLowerCase() === "https" && address !== "" && proxies.check(address, family);
  };
  const setCookie = (request: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeSeconds: number) => {
    const attributes = [`${name}=${value}`, "Path=/manage", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeSeconds}`, ...(secure(request) ? ["Secure"] : [])];
    const previous = reply.getHeader("set-cookie");
    const list = previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)];
    void reply.header("set-cookie", [...list, attributes.join("; ")]);
  };
  /** The pre-sign-in form token: the cookie's value, set now when the browser has none. */
  const formToken = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = cookies(request).get(formCookie);
    if (existing !== undefined && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString("base64url");
    setCookie(request, reply, formCookie, token, 86_400);
    return token;
  };
  /** A POST from a page of another origin, when the browser says so. */
  const crossOrigin = (request: FastifyRequest): boolean => {
    const origin = request.headers.origin;
    // "null": a browser that hides the origin (privacy settings, a no-referrer policy) proves nothing either way.
    if (origin === undefined || origin === "null") return false;
    const host = request.headers.host ?? "";
    return origin !== `${secure(request) ? "https" : "http"}://${host}` && origin !== `http://${host}` && origin !== `https://${host}`;
  };
  const forged = (reply: FastifyReply) =>
    page(reply, 403, messagePage("Form refused", "This form expired or was sent from another site. Open the page again and resend it.", { href: "/manage/login", text: "Sign in" }));
  const session = (request: FastifyRequest, secret = cookies(request).get(sessionCookie)) => resolveSession({ store: deps.store, clock: deps.clock, sessions: settings.sessions }, secret);
  const kit: ConsoleKit = {
    store: deps.store,
    clock: deps.clock,
    sessions: settings.sessions,
    login: settings.login,
    issuer: settings.issuer ?? "Vigil",
    inviter: settings.inviter,
    limiter,
    clientAddress: deps.clientAddress,
    page,
    field,
    setCookie,
    formToken,
    forged,
    cookie: (request, name) => cookies(request).get(name),
    setSessionCookie: (request, reply, secret) => {
      signedInNow.set(request, secret);
      setCookie(request, reply, sessionCookie, secret, Math.floor(settings.sessions.absoluteMs / 1000));
    },
    forgedBeforeSignIn: (request) => crossOrigin(request) || !same(cookies(request).get(formCookie) ?? "", field(request.body, "csrf")),
    forgedSignedIn: (request, csrf) => crossOrigin(request) || !same(csrf, field(request.body, "csrf")),
    session: async (request) => {
      const signedIn = await session(request);
      return signedIn && { ...signedIn, csrf: sessionCsrf(cookies(request).get(sessionCookie) as string) };
    },
    allowed: async (request, reply, action, current) => {
      const signedIn = await session(request);
      if (!signedIn) {
        void reply.status(303).header("cache-control", "no-store").redirect("/manage/login");
        return undefined;
      }
      const csrf = sessionCsrf(cookies(request).get(sessionCookie) as string);
      if (request.method === "POST" && (crossOrigin(request) || !same(csrf, field(request.body, "csrf")))) {
        void forged(reply);
        return undefined;
      }
      if (!roleAllows(signedIn.user.role, action)) {
        const message = forbiddenMessage(action, { role: signedIn.user.role, what: "your account" }).replace(/^this/, "This page");
        void page(reply, 403, messagePage("Not allowed", message, { href: "/manage", text: "Console home" }));
        return undefined;
      }
      return { user: signedIn.user, csrf, chrome: { user: signedIn.user, csrf, current } };
    },
    api: async <T>(request: FastifyRequest, call: ApiCall) => {
      const answer = await callApi<T>(app, request, cookies(request).get(sessionCookie) ?? "", call);
      // The API wrote the audit entry (a refusal before any write, 401 or 403, leaves it to the console's own).
      if (request.method === "POST" && call.method !== "GET" && answer.status !== 401 && answer.status !== 403) auditedByApi.add(request);
      return answer;
    },
    apiStream: async (request, url) => {
      const response = await app.inject({ method: "GET", url, headers: apiHeaders(request, cookies(request).get(sessionCookie) ?? ""), remoteAddress: request.socket.remoteAddress ?? "127.0.0.1", payloadAsStream: true });
      const headers = Object.fromEntries(Object.entries(response.headers).flatMap(([name, value]) => (typeof value === "string" ? [[name, value]] : [])));
      return { status: response.statusCode, headers, body: response.stream() };
    },
    skipAudit: (request) => auditedByApi.add(request),
  };

  registerConsoleAssets(app);
  registerOverviewEvents(app, { feed: new OverviewFeed(deps.overview, app.log), signedIn: (request) => streamAllowed(deps, settings, cookies(request).get(sessionCookie)), ...(settings.timers ? { timers: settings.timers } : {}) });

  void app.register(async (scope) => {
    // A postmortem may be 200 000 characters (the API's limit): the console's forms take up to 1 MiB.
    await scope.register(formbody, { bodyLimit: 1024 * 1024 });
    registerTotpRoutes(scope, kit);
    registerInviteRoutes(scope, kit);
    registerOidcRoutes(scope, kit, settings.oidc);
    registerMaintenancePages(scope, kit);
    registerSilencePages(scope, kit);
    registerSubscriberPages(scope, kit);
    registerChannelPages(scope, kit);
    registerCatalogPages(scope, kit);
    registerActionPages(scope, kit);
    registerTokenPages(scope, kit);
    registerIncidentPages(scope, kit);

    // The audit log's one choke point for the console: every POST under /manage, whoever sent it and however it ended.
    // Who is signed in is read before the handler (signing out ends the session); a sign-in names the email typed.
    const actors = new WeakMap<FastifyRequest, { id: string; email: string }>();
    scope.addHook("preHandler", async (request) => {
      if (request.method !== "POST") return;
      const signedIn = await session(request);
      if (signedIn) actors.set(request, { id: signedIn.user.id, email: signedIn.user.email });
    });
    scope.addHook("onResponse", async (request, reply) => {
      if (request.method !== "POST" || auditedByApi.has(request)) return;
      const opened = signedInNow.get(request);
      const who = actors.get(request) ?? (opened === undefined ? undefined : (await session(request, opened))?.user);
      // A refusal of nobody signed in (a form without its token, past the sign-in limits) writes nothing: anyone could
      // fill the log with them. Attempts that were judged (a wrong password or code) are entries.
      if (who === undefined && (reply.statusCode === 403 || reply.statusCode === 429)) return;
      const path = request.url.split("?")[0] ?? request.url;
      const known = consoleOperations[path] ?? { action: "console.write", operation: `POST ${path}` };
      // As typed, cut to an e-mail address's longest.
      const typed = field(request.body, "email").trim().toLowerCase().slice(0, 254);
      try {
        const named = who ?? (typed === "" ? undefined : await deps.store.users.byEmail(typed));
        await deps.store.audit.append({
          at: deps.clock.now(),
          actor: who?.email ?? (typed === "" ? "anonymous" : typed),
          via: "session",
          tokenId: null,
          ...known,
          targetKind: "users",
          targetId: named?.id ?? null,
          status: reply.statusCode,
          // A second factor's code or recovery code is as secret as a password, spent or not.
          summary: summarize({ method: "POST", path, body: request.body, secretFields: ["code"] }),
          clientAddress: deps.clientAddress(request),
        });
      } catch (error) {
        request.log.error({ err: error }, "could not write the audit log");
      }
    });

    registerAuditPages(scope, { store: deps.store, now: () => deps.clock.now(), allowed: kit.allowed, page });

    scope.get("/manage", async (request, reply) => {
      const signedIn = await session(request);
      if (!signedIn) return reply.status(303).header("cache-control", "no-store").redirect("/manage/login");
      if (!roleAllows(signedIn.user.role, "read")) return page(reply, 403, messagePage("Not allowed", "Your role may not read the overview."));
      const view = await gatherOverview(deps.overview);
      return page(reply, 200, overviewPage({ user: signedIn.user, csrf: sessionCsrf(cookies(request).get(sessionCookie) as string), view }));
    });

    scope.get("/manage/login", async (request, reply) => {
      if (await session(request)) return reply.status(303).redirect("/manage");
      return page(reply, 200, loginPage({ csrf: formToken(request, reply), ...sso }));
    });

    scope.post("/manage/login", async (request, reply) => {
      const cookie = cookies(request).get(formCookie) ?? "";
      if (crossOrigin(request) || !same(cookie, field(request.body, "csrf"))) return forged(reply);
      const email = field(request.body, "email");
      const outcome = await signIn(
        { store: deps.store, clock: deps.clock, limiter, limits: settings.login, sessions: settings.sessions },
        { email, password: field(request.body, "password"), address: deps.clientAddress(request), userAgent: request.headers["user-agent"] },
      );
      if (outcome.ok) {
        setCookie(request, reply, sessionCookie, outcome.sessionSecret, Math.floor(settings.sessions.absoluteMs / 1000));
        return reply.status(303).header("cache-control", "no-store").redirect("/manage");
      }
      if (outcome.reason === "second_factor") {
        setCookie(request, reply, challengeCookie, outcome.challengeSecret, Math.floor(challengeTtlMs / 1000));
        return reply.status(303).header("cache-control", "no-store").redirect("/manage/login/code");
      }
      if (outcome.reason === "rate_limited") {
        const seconds = Math.ceil(outcome.retryAfterMs / 1000);
        void reply.header("retry-after", String(seconds));
        return page(reply, 429, loginPage({ csrf: cookie, email, ...sso, error: `Too many failed attempts. Try again in ${Math.ceil(seconds / 60)} minute(s).` }));
      }
      return page(reply, 401, loginPage({ csrf: cookie, email, ...sso, error: signInRefusedMessage }));
    });

    scope.get(setPasswordPath, async (request, reply) => {
      const token = field(request.query, "token");
      const user = await userOfLink(deps, token);
      if (!user) return page(reply, 404, messagePage("Link not valid", linkInvalidMessage));
      return page(reply, 200, setPasswordPage({ csrf: formToken(request, reply), token, email: user.email }));
    });

    scope.post(setPasswordPath, async (request, reply) => {
      const cookie = cookies(request).get(formCookie) ?? "";
      if (crossOrigin(request) || !same(cookie, field(request.body, "csrf"))) return forged(reply);
      const token = field(request.body, "token");
      try {
        await setPasswordWithLink(deps, { token, password: field(request.body, "password") });
      } catch (error) {
        if (!isAppError(error)) throw error;
        if (error.code === "validation_failed") {
          const user = await userOfLink(deps, token);
          if (user) return page(reply, 400, setPasswordPage({ csrf: cookie, token, email: user.email, error: error.message }));
        }
        return page(reply, 404, messagePage("Link not valid", linkInvalidMessage));
      }
      return page(reply, 200, messagePage("Password set", "Your password is set. Sign in with it now.", { href: "/manage/login", text: "Sign in" }));
    });

    scope.get("/manage/logout", async (request, reply) => {
      const signedIn = await session(request);
      if (!signedIn) return reply.status(303).redirect("/manage/login");
      return reply.status(303).redirect("/manage");
    });

    scope.post("/manage/logout", async (request, reply) => {
      const secret = cookies(request).get(sessionCookie);
      const signedIn = await session(request);
      if (!signedIn || secret === undefined) return reply.status(303).redirect("/manage/login");
      if (crossOrigin(request) || !same(sessionCsrf(secret), field(request.body, "csrf"))) return forged(reply);
      if (field(request.body, "everywhere") === "1") await deps.store.sessions.removeAllOf(signedIn.user.id);
      else await endSession(deps, secret);
      setCookie(request, reply, sessionCookie, "", 0);
      return page(reply, 200, messagePage("Signed out", field(request.body, "everywhere") === "1" ? "You are signed out on every device." : "You are signed out.", { href: "/manage/login", text: "Sign in again" }));
    });
  });
}

/** Headers of the console's request the API's call keeps: the client's address behind a proxy, and its agent. */
const passedOn = ["x-forwarded-for", "x-forwarded-proto", "x-real-ip", "forwarded", "user-agent"];

/** The headers of an API call made for a console request: the session's user, and the client's address and agent. */
function apiHeaders(request: FastifyRequest, sessionSecret: string): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Session ${sessionSecret}`, accept: "application/json" };
  for (const name of passedOn) {
    const value = request.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  return headers;
}

/** Calls the API in this process for a console request, as the session's user, from the request's client address. */
async function callApi<T>(app: FastifyInstance, request: FastifyRequest, sessionSecret: string, call: ApiCall): Promise<ApiAnswer<T>> {
  const headers = apiHeaders(request, sessionSecret);
  const hasBody = call.body !== undefined || call.csv !== undefined;
  if (hasBody) headers["content-type"] = call.csv !== undefined ? "text/csv" : "application/json";
  const response = await app.inject({
    method: call.method,
    url: call.url,
    headers,
    remoteAddress: request.socket.remoteAddress ?? "127.0.0.1",
    ...(hasBody ? { payload: call.csv ?? JSON.stringify(call.body) } : {}),
  });
  const text = response.body;
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const message = (json as { error?: { message?: unknown } } | undefined)?.error?.message;
  const error = response.statusCode >= 400 ? (typeof message === "string" ? message : `the API answered ${response.statusCode}`) : undefined;
  return { status: response.statusCode, json: json as T, ...(error === undefined ? {} : { error }) };
}

/** Whether the session behind `secret` is alive and its user may read, without extending it (a stream is not activity). */
async function streamAllowed(deps: ConsoleDeps, settings: ConsoleSettings, secret: string | undefined): Promise<boolean> {
  const hash = hashOfPresented(secret);
  const session = hash === undefined ? undefined : await deps.store.sessions.get(hash);
  if (!session || !sessionStatus(session, settings.sessions, deps.clock.now()).alive) return false;
  const user = await deps.store.users.get(session.userId);
  return user !== undefined && user.disabledAt === null && roleAllows(user.role, "read");
}
