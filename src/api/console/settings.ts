import { defaultLoginLimits, type LoginLimits } from "../../auth/login-limiter.ts";
import { defaultSessionPolicy, type SessionPolicy } from "../../auth/session-expiry.ts";

/** Console settings (config `console`). */
export interface ConsoleSettings {
  sessions: SessionPolicy;
  login: LoginLimits;
}

export const defaultConsoleSettings: ConsoleSettings = { sessions: defaultSessionPolicy, login: defaultLoginLimits };
