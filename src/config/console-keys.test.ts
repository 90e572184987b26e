import { describe, expect, it } from "vitest";
import { formatConfigIssues, parseConfigText, type VigilConfig } from "./index.ts";

const base = `site: { name: Acme Status }\ncomponents: [{ id: api, name: API }]\n`;
const parse = (extra: string): VigilConfig => {
  const result = parseConfigText(base + extra, "vigil.yaml", { SMTP_PASSWORD: "hunter2-smtp" });
  if (!result.ok) throw new Error(formatConfigIssues(result.errors));
  return result.config;
};
const errors = (extra: string): string => {
  const result = parseConfigText(base + extra, "vigil.yaml", {});
  if (result.ok) throw new Error("expected errors");
  return formatConfigIssues(result.errors);
};

describe("the console's keys", () => {
  it("default to sessions of 12h idle and 7d at most, no invitation e-mail, and invitations valid for 72h", () => {
    expect(parse("").console).toEqual({ session: { idle: 43_200_000, absolute: 604_800_000 }, invite_valid_for: 259_200_000 });
  });

  it("read the SMTP server invitations go through, with its defaults", () => {
    const { console } = parse('console:\n  email: { host: smtp.example.com, username: vigil, password: "${SMTP_PASSWORD}", from: "Vigil <vigil@example.com>" }\n  invite_valid_for: 24h\n');
    expect(console.email).toEqual({ host: "smtp.example.com", port: 587, secure: false, username: "vigil", password: "hunter2-smtp", from: "Vigil <vigil@example.com>" });
    expect(console.invite_valid_for).toBe(86_400_000);
  });

  it("name what is wrong, and never print the SMTP password", () => {
    const messages = errors("console:\n  email: { host: smtp.example.com, password: 1234567, connections: 2 }\n  invite_valid_for: 0s\n");
    expect(messages).toMatch(/console\.email\.from: /);
    expect(messages).toMatch(/console\.email\.connections: unknown key "connections"/);
    expect(messages).toMatch(/console\.email\.password: expected text, got a number \(not shown: secret-named key\)/);
    expect(messages).toMatch(/console\.invite_valid_for: /);
    expect(messages).not.toContain("1234567");
  });
});

describe("the console's single sign-on keys", () => {
  const oidc = (body: string) => `console:\n  oidc:\n${body.replace(/^/gm, "    ")}\n`;
  const parseWith = (extra: string, env: Record<string, string>) => {
    const result = parseConfigText(base + extra, "vigil.yaml", env);
    if (!result.ok) throw new Error(formatConfigIssues(result.errors));
    return result.config;
  };

  it("read the provider and the client, with their defaults, and the secret from the environment", () => {
    const config = parseWith(oidc('issuer: https://login.example.com/realms/acme\nclient_id: vigil\nclient_secret: "${OIDC_SECRET}"'), { OIDC_SECRET: "s3cret-from-env" });
    expect(config.console.oidc).toEqual({
      issuer: "https://login.example.com/realms/acme",
      client_id: "vigil",
      client_secret: "s3cret-from-env",
      name: "single sign-on",
      scopes: ["openid", "email", "profile"],
      allowed_domains: [],
      default_role: "none",
    });
  });

  it("read a role mapping and allowed domains (lowercased); a public client has no secret", () => {
    const config = parse(oidc("issuer: http://127.0.0.1:9000\nclient_id: vigil\nname: Acme SSO\nallowed_domains: [Example.com]\nrole_claim: groups\nroles: { owner: [vigil-owners], responder: [oncall] }\ndefault_role: viewer"));
    expect(config.console.oidc).toMatchObject({ name: "Acme SSO", allowed_domains: ["example.com"], role_claim: "groups", roles: { owner: ["vigil-owners"], admin: [], responder: ["oncall"], viewer: [] }, default_role: "viewer" });
    expect(config.console.oidc?.client_secret).toBeUndefined();
  });

  it("name each wrong key, and never print the client secret", () => {
    const messages = errors(oidc("issuer: http://login.example.com\nclient_secret: 7654321\nscopes: [email]\nallowed_domains: ['@example.com']\nroles: { owner: [a], boss: [b] }\ndefault_role: root"));
    expect(messages).toMatch(/console\.oidc\.issuer: expected an https:\/\/ URL \(http:\/\/ only on 127\.0\.0\.1, ::1 or localhost\)/);
    expect(messages).toMatch(/console\.oidc\.client_id: /);
    expect(messages).toMatch(/console\.oidc\.client_secret: expected text, got a number \(not shown: secret-named key\)/);
    expect(messages).toMatch(/console\.oidc\.allowed_domains\[0\]: expected a domain such as example\.com/);
    expect(messages).toMatch(/console\.oidc\.roles\.boss: unknown key "boss"/);
    expect(messages).toMatch(/console\.oidc\.default_role: /);
    expect(messages).not.toContain("7654321");
    expect(errors(oidc("issuer: https://login.example.com\nclient_id: vigil\nscopes: [email]"))).toMatch(/console\.oidc\.scopes: must include openid/);
    expect(errors(oidc("issuer: https://login.example.com\nclient_id: vigil\nroles: { owner: [a] }"))).toMatch(/console\.oidc\.roles: needs console\.oidc\.role_claim/);
    expect(errors(oidc("issuer: https://login.example.com\nclient_id: vigil\nrole_claim: groups"))).toMatch(/console\.oidc\.role_claim: needs console\.oidc\.roles/);
  });
});
