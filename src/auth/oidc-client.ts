/**
 * The console's relying party, over openid-client: discovery from the issuer (kept, and asked again after a failure),
 * the authorization URL of a new sign-in (state, nonce, PKCE S256), and the callback's code exchange with the ID
 * token's issuer, audience, nonce and signature (the provider's JWKS) checked, and userinfo for the claims it lacks.
 */
import * as client from "openid-client";
import { needsUserinfo, oidcCallbackPath, oidcFlowTtlMs, type OidcFlow } from "./oidc.ts";

/** What the relying party needs of `console.oidc`. */
export interface OidcClientSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: readonly string[];
  roleClaim: string | undefined;
  /** Where people reach Vigil (server.public_url, else site.url, else the listening address). */
  publicUrl(): string;
}

/** Starts sign-ins at the provider and finishes them. */
export interface OidcRelyingParty {
  /** A new sign-in: where to send the browser, and what its callback must be checked against. */
  start(now: number): Promise<{ url: string; flow: OidcFlow }>;
  /** Exchanges the callback's code and returns the ID token's claims and, when they lack some, userinfo's. */
  finish(flow: OidcFlow, search: string): Promise<{ idToken: Record<string, unknown>; userinfo: Record<string, unknown> | undefined }>;
}

/** The redirect URI to register at the provider. */
export function oidcRedirectUri(publicUrl: string): string {
  return `${publicUrl.endsWith("/") ? publicUrl.slice(0, -1) : publicUrl}${oidcCallbackPath}`;
}

/** A relying party for `settings`; nothing is fetched until the first sign-in. */
export function oidcRelyingParty(settings: OidcClientSettings): OidcRelyingParty {
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () =>
    (discovered ??= discover(settings).catch((error: unknown) => {
      discovered = undefined;
      throw error;
    }));
  // A failed exchange may mean the provider moved its endpoints or keys: the next sign-in discovers again.
  const forgetOnFailure = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      discovered = undefined;
      throw error;
    }
  };
  return {
    async start(now) {
      const config = await configuration();
      const flow: OidcFlow = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), expiresAt: now + oidcFlowTtlMs };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: oidcRedirectUri(settings.publicUrl()),
        scope: settings.scopes.join(" "),
        code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: "S256",
        state: flow.state,
        nonce: flow.nonce,
      });
      return { url: url.href, flow };
    },
    finish(flow, search) {
      return forgetOnFailure(async () => {
        const config = await configuration();
        const redirectUri = oidcRedirectUri(settings.publicUrl());
        const tokens = await client.authorizationCodeGrant(
          config,
          new URL(`${redirectUri}${search}`),
          // The redirect URI sent with the code is this URL without its query: the one the sign-in started with.
          { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true },
        );
        const idToken = { ...(tokens.claims() ?? {}) } as Record<string, unknown>;
        if (!needsUserinfo(idToken, settings.roleClaim)) return { idToken, userinfo: undefined };
        const userinfo = await client.fetchUserInfo(config, tokens.access_token, String(idToken.sub));
        return { idToken, userinfo: { ...userinfo } };
      });
    },
  };
}

async function discover(settings: OidcClientSettings): Promise<client.Configuration> {
  const auth = settings.clientSecret === undefined ? client.None() : client.ClientSecretBasic(settings.clientSecret);
  const issuer = new URL(settings.issuer);
  // The schema allows http only for a provider on a loopback address.
  const execute = issuer.protocol === "http:" ? [client.allowInsecureRequests, client.enableNonRepudiationChecks] : [client.enableNonRepudiationChecks];
  return client.discovery(issuer, settings.clientId, undefined, auth, { execute, timeout: 10 });
}
