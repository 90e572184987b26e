/** Single sign-on for the console, built from `console.oidc`: the rules, the relying party, and the state cookie's key. */
import type { ConsoleOidc } from "../api/console/settings.ts";
import { oidcRelyingParty } from "../auth/oidc-client.ts";
import type { Clock } from "../core/clock.ts";
import type { VigilConfig } from "../config/index.ts";
import type { Store } from "../store/types.ts";
import { signingKey } from "./subscriptions/signing-key.ts";

/** The console's single sign-on, or undefined when `console.oidc` is absent. */
export function consoleOidc(config: VigilConfig, deps: { store: Pick<Store, "state">; clock: Clock; publicUrl: () => string }): ConsoleOidc | undefined {
  const oidc = config.console.oidc;
  if (oidc === undefined) return undefined;
  return {
    name: oidc.name,
    policy: { allowedDomains: oidc.allowed_domains, roleClaim: oidc.role_claim, roles: oidc.roles, defaultRole: oidc.default_role },
    client: oidcRelyingParty({ issuer: oidc.issuer, clientId: oidc.client_id, clientSecret: oidc.client_secret, scopes: oidc.scopes, roleClaim: oidc.role_claim, publicUrl: deps.publicUrl }),
    key: signingKey(deps.store, deps.clock, "console.oidc_key"),
  };
}
