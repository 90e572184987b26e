/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1 for the console's single sign-on tests, with its development
 * login and consent pages (any password), accounts whose claims carry email, email_verified and groups, and one
 * client registered for Vigil's callback once Vigil's address is known.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import type { Clock } from "../../src/core/clock.ts";
import { startTestVigil, type TestVigil } from "./vigil.ts";

/** The provider's accounts by login name; each login name is also the subject (`sub`). */
export const providerAccounts: Record<string, { email: string; email_verified: boolean; groups?: string[]; name: string }> = {
  olga: { email: "olga@example.com", email_verified: true, groups: ["staff", "vigil-owners"], name: "Olga Owner" },
  rita: { email: "rita@example.com", email_verified: true, groups: ["vigil-responders"], name: "Rita Responder" },
  both: { email: "bo@example.com", email_verified: true, groups: ["vigil-responders", "vigil-owners"], name: "Bo Both" },
  pat: { email: "PAT@Example.com", email_verified: true, groups: ["vigil-admins"], name: "Pat Password" },
  eve: { email: "eve@elsewhere.test", email_verified: true, groups: ["vigil-owners"], name: "Eve Elsewhere" },
  uma: { email: "uma@example.com", email_verified: false, groups: ["vigil-owners"], name: "Uma Unverified" },
  nora: { email: "nora@example.com", email_verified: true, groups: ["staff"], name: "Nora Nogroup" },
  dora: { email: "dora@example.com", email_verified: true, groups: ["vigil-owners"], name: "Dora Disabled" },
};

export const providerClient = { id: "vigil", secret: "acme-client-secret-for-tests" };

/** A running provider. */
export interface TestProvider {
  issuer: string;
  /** Registers Vigil's client with `redirectUri` and starts answering. */
  attach(redirectUri: string): void;
  /** While true, /jwks serves a key the provider does not sign with (ID tokens then fail their signature check). */
  foreignJwks: boolean;
  close(): Promise<void>;
}

/** Starts listening at once (so the issuer is known before Vigil's config is written); answers after `attach`. */
export async function startTestProvider(): Promise<TestProvider> {
  let handler: RequestListener | undefined;
  const foreign = { keys: [{ ...generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }), kid: "foreign", use: "sig", alg: "RS256" }] };
  const state = { foreignJwks: false };
  const server: Server = createServer((req, res) => {
    if (state.foreignJwks && req.url === "/jwks") {
      res.writeHead(200, { "content-type": "application/jwk-set+json" }).end(JSON.stringify(foreign));
      return;
    }
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    get foreignJwks() {
      return state.foreignJwks;
    },
    set foreignJwks(value: boolean) {
      state.foreignJwks = value;
    },
    attach(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: providerClient.id, client_secret: providerClient.secret, redirect_uris: [redirectUri], grant_types: ["authorization_code"], response_types: ["code"] }],
        claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
        findAccount: (_ctx, id) => {
          const account = providerAccounts[id];
          return account && { accountId: id, claims: () => ({ sub: id, ...account }) };
        },
        cookies: { keys: ["acme-provider-cookie-key-for-tests"] },
        features: { devInteractions: { enabled: true } },
      });
      handler = provider.callback();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Vigil's config for single sign-on through `issuer`: Acme SSO, example.com only, the groups claim mapped to roles. */
export const ssoConfig = (issuer: string) => `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
console:
  oidc:
    issuer: ${issuer}
    client_id: ${providerClient.id}
    client_secret: ${providerClient.secret}
    name: Acme SSO
    allowed_domains: [example.com]
    role_claim: groups
    roles: { owner: [vigil-owners], admin: [vigil-admins], responder: [vigil-responders] }
`;

/** A provider, and a Vigil (on `databaseUrl`, else PGlite) that signs in through it, registered at it. */
export async function startVigilWithProvider(options: { databaseUrl: string | undefined; clock?: Clock }): Promise<{ provider: TestProvider; test: TestVigil }> {
  const provider = await startTestProvider();
  const test = await startTestVigil(ssoConfig(provider.issuer), { ...(options.clock ? { clock: options.clock } : {}), ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}) });
  provider.attach(`${test.vigil.url}/manage/oidc/callback`);
  return { provider, test };
}
