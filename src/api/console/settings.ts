import type { Inviter } from "../../auth/invite-user.ts";
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
}

export const defaultConsoleSettings: ConsoleSettings = { sessions: defaultSessionPolicy, login: defaultLoginLimits };
