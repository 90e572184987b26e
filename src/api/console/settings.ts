import type { Inviter } from "../../auth/invite-user.ts";
import type { OidcPolicy } from "../../auth/oidc.ts";
import type { OidcRelyingParty } from "../../auth/oidc-client.ts";
import { defaultLoginLimits, type LoginLimits } from "../../auth/login-limiter.ts";
import type { Timers } from "../../core/timers.ts";
import { defaultSessionPolicy, type SessionPolicy } from "../../auth/session-expiry.ts";

/** Console settings (config `console`). */
export interface ConsoleSettings {
  sessions: SessionPolicy;
  login: LoginLimits;
  /** The issuer authenticator apps show (the site's name); "Vigil" when not given. */
  issuer?: string;
  /** Sends invitations; without it the users page offers none. */
  inviter?: Inviter;
  /** The process's timers (the live overview's keep-alive); the runtime's when not given. */
  timers?: Timers;
  /** Single sign-on (config `console.oidc`); without it the login page offers passwords only. */
  oidc?: ConsoleOidc;
}

/** Single sign-on as the console's routes use it. */
export interface ConsoleOidc {
  /** The link reads "Sign in with <name>". */
  name: string;
  policy: OidcPolicy;
  client: OidcRelyingParty;
  /** The key that signs a sign-in's state cookie (kept in the store, shared by a cluster's nodes). */
  key(): Promise<Uint8Array>;
}

export const defaultConsoleSettings: ConsoleSettings = { sessions: defaultSessionPolicy, login: defaultLoginLimits };
