/** What the console's page modules share with the core routes (cookies, forms, CSRF, the session), handed over once. */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Inviter } from "../../auth/invite-user.ts";
import type { LimiterState, LoginLimits } from "../../auth/login-limiter.ts";
import type { SessionPolicy } from "../../auth/session-expiry.ts";
import type { Clock } from "../../core/clock.ts";
import type { SessionRow, Store, UserRow } from "../../store/types.ts";
import type { ConsoleAction } from "../../auth/roles.ts";
import type { SignedInChrome } from "./pages.ts";

/** The console's shared helpers, made by registerConsoleRoutes. */
export interface ConsoleKit {
  store: Store;
  clock: Clock;
  sessions: SessionPolicy;
  login: LoginLimits;
  /** The issuer authenticator apps show for Vigil's codes (the site's name). */
  issuer: string;
  inviter: Inviter | undefined;
  limiter: LimiterState;
  clientAddress(request: FastifyRequest): string;
  page(reply: FastifyReply, status: number, html: string): FastifyReply;
  cookie(request: FastifyRequest, name: string): string | undefined;
  field(body: unknown, name: string): string;
  setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeSeconds: number): void;
  /** Sets the session cookie of a new session. */
  setSessionCookie(request: FastifyRequest, reply: FastifyReply, sessionSecret: string): void;
  /** The pre-sign-in form token (set as a cookie when the browser has none). */
  formToken(request: FastifyRequest, reply: FastifyReply): string;
  /** Whether a pre-sign-in POST lacks its form token or comes from another origin. */
  forgedBeforeSignIn(request: FastifyRequest): boolean;
  /** The signed-in user and the CSRF token of their forms, or undefined. */
  session(request: FastifyRequest): Promise<{ user: UserRow; session: SessionRow; csrf: string } | undefined>;
  /** Whether a signed-in POST lacks its CSRF token or comes from another origin. */
  forgedSignedIn(request: FastifyRequest, csrf: string): boolean;
  /** The 403 answer to a forged form. */
  forged(reply: FastifyReply): FastifyReply;
  /**
   * Calls Vigil's own HTTP API as the signed-in user behind `request` (their session stands for a token, with their
   * role), from the same client address: the API validates, enforces the role, forwards to the cluster's leader and
   * writes the audit log as for any caller. The console's pages read and write only through it.
   */
  api<T = unknown>(request: FastifyRequest, call: ApiCall): Promise<ApiAnswer<T>>;
  /** A GET of the API as `api` makes it, its body streamed as it comes (a CSV export), with its status and headers. */
  apiStream(request: FastifyRequest, url: string): Promise<{ status: number; headers: Record<string, string>; body: NodeJS.ReadableStream }>;
  /** Marks a POST that writes nothing (a preview): the console's audit log records no entry for it. */
  skipAudit(request: FastifyRequest): void;
  /**
   * The signed-in user whose role allows `action`, with the header of their page (`current`: the navigation entry to
   * mark). Otherwise answers for the page (to the sign-in page, or 403 naming the action and the role) and gives
   * undefined. A POST must also carry the page's CSRF token from the same origin, or it is answered as forged.
   */
  allowed(request: FastifyRequest, reply: FastifyReply, action: ConsoleAction, current: string): Promise<Allowed | undefined>;
}

/** A signed-in user allowed on a page. */
export interface Allowed {
  user: UserRow;
  csrf: string;
  chrome: SignedInChrome;
}

/** A call of the HTTP API made for a console page. */
export interface ApiCall {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The path and query, e.g. `/api/v1/incidents?status=open`. */
  url: string;
  body?: unknown;
  /** A CSV body, sent as text/csv instead of `body` as JSON. */
  csv?: string;
}

/** The API's answer: its status and JSON body (as the route's OpenAPI response describes it; undefined when none). */
export interface ApiAnswer<T = unknown> {
  status: number;
  json: T;
  /** The error's message, when the status is 400 or above. */
  error?: string;
}
