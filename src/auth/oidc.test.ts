import { describe, expect, it } from "vitest";
import { decideSignIn, domainAllowed, mappedRole, needsUserinfo, openFlow, readIdentity, sealFlow, type OidcPolicy } from "./oidc.ts";

const roles = { owner: ["vigil-owners"], admin: ["vigil-admins"], responder: ["vigil-responders", "oncall"], viewer: ["staff"] };
const mapped: OidcPolicy = { allowedDomains: ["example.com"], roleClaim: "groups", roles, defaultRole: "none" };
const verified = (email: string, values?: string[]) => ({ email, emailVerified: true, roleValues: values });

describe("single sign-on's rules", () => {
  it.each([
    [["vigil-owners"], "owner"],
    [["oncall"], "responder"],
    [["staff", "vigil-responders", "vigil-admins"], "admin"],
    [["vigil-owners", "staff"], "owner"],
    [["Vigil-Owners"], undefined],
    [[], undefined],
    [undefined, undefined],
  ] as const)("maps %j to the highest role: %s", (values, role) => {
    expect(mappedRole(roles, values)).toBe(role);
  });

  it("reads the role claim as a string or a list of strings, from the ID token first and userinfo for what it lacks", () => {
    expect(readIdentity({ email: " ada@example.com ", email_verified: true, groups: "vigil-owners" }, undefined, "groups")).toEqual(verified("ada@example.com", ["vigil-owners"]));
    expect(readIdentity({ sub: "1", groups: ["a", 7, "b"] }, { email: "ada@example.com", email_verified: true, groups: ["c"] }, "groups")).toEqual(verified("ada@example.com", ["a", "b"]));
    expect(readIdentity({ sub: "1" }, { email: "ada@example.com", email_verified: "true", roles: ["x"] }, "roles")).toEqual({ email: "ada@example.com", emailVerified: false, roleValues: ["x"] });
    expect(readIdentity({ sub: "1", email: 5 }, undefined, undefined)).toEqual({ email: undefined, emailVerified: false, roleValues: undefined });
  });

  it("asks userinfo only when the ID token lacks the e-mail, its verification, or the role claim", () => {
    expect(needsUserinfo({ email: "a@example.com", email_verified: false }, undefined)).toBe(false);
    expect(needsUserinfo({ email: "a@example.com", email_verified: true }, "groups")).toBe(true);
    expect(needsUserinfo({ email: "a@example.com", email_verified: true, groups: [] }, "groups")).toBe(false);
    expect(needsUserinfo({ email_verified: true }, undefined)).toBe(true);
  });

  it("allows a listed domain exactly, in any case, and any domain when none are listed", () => {
    expect(domainAllowed(["example.com"], "Ada@EXAMPLE.com")).toBe(true);
    expect(domainAllowed(["example.com"], "ada@eu.example.com")).toBe(false);
    expect(domainAllowed(["example.com"], "ada@example.com.evil.test")).toBe(false);
    expect(domainAllowed([], "ada@anywhere.test")).toBe(true);
  });

  it.each([
    ["no e-mail", mapped, { email: undefined, emailVerified: true, roleValues: ["vigil-owners"] }, undefined, { ok: false, reason: "no_email" }],
    ["a malformed e-mail", mapped, verified("not-an-email", ["vigil-owners"]), undefined, { ok: false, reason: "no_email" }],
    ["an unverified e-mail", mapped, { email: "ada@example.com", emailVerified: false, roleValues: ["vigil-owners"] }, undefined, { ok: false, reason: "email_unverified" }],
    ["another domain", mapped, verified("ada@acme.test", ["vigil-owners"]), undefined, { ok: false, reason: "domain_not_allowed" }],
    ["a disabled user", mapped, verified("ada@example.com", ["vigil-owners"]), { role: "owner", disabled: true }, { ok: false, reason: "user_disabled" }],
    ["no mapped value, default none", mapped, verified("ada@example.com", ["other"]), undefined, { ok: false, reason: "no_role" }],
    ["no mapped value for an existing user, default none", mapped, verified("ada@example.com", ["other"]), { role: "owner", disabled: false }, { ok: false, reason: "no_role" }],
    ["no mapped value, default viewer", { ...mapped, defaultRole: "viewer" }, verified("ada@example.com", []), undefined, { ok: true, role: "viewer" }],
    ["a mapped value for an existing user", mapped, verified("ada@example.com", ["oncall"]), { role: "owner", disabled: false }, { ok: true, role: "responder" }],
    ["a new user", mapped, verified("ada@example.com", ["vigil-admins"]), undefined, { ok: true, role: "admin" }],
    ["no role claim, an existing user", { ...mapped, roleClaim: undefined, roles: undefined }, verified("ada@example.com"), { role: "admin", disabled: false }, { ok: true, role: undefined }],
    ["no role claim, a new user, default none", { ...mapped, roleClaim: undefined, roles: undefined }, verified("ada@example.com"), undefined, { ok: false, reason: "no_role" }],
    ["no role claim, a new user, default responder", { ...mapped, roleClaim: undefined, roles: undefined, defaultRole: "responder" }, verified("ada@example.com"), undefined, { ok: true, role: "responder" }],
  ] as const)("decides %s", (_name, policy, identity, existing, expected) => {
    expect(decideSignIn(policy as OidcPolicy, identity, existing)).toMatchObject(expected);
  });

  it("opens only its own unexpired, unaltered flow cookie", () => {
    const key = new Uint8Array(32).fill(7);
    const flow = { state: "s1", nonce: "n1", verifier: "v1", expiresAt: 1_000 };
    const sealed = sealFlow(key, flow);
    expect(openFlow(key, sealed, 999)).toEqual(flow);
    expect(openFlow(key, sealed, 1_000)).toBeUndefined();
    expect(openFlow(new Uint8Array(32).fill(8), sealed, 0)).toBeUndefined();
    const [payload, mac] = sealed.split(".") as [string, string];
    const longer = Buffer.from(JSON.stringify({ ...flow, expiresAt: 9_999_999 })).toString("base64url");
    expect(openFlow(key, `${longer}.${mac}`, 0)).toBeUndefined();
    expect(openFlow(key, `${payload}.${mac}.x`, 0)).toBeUndefined();
    expect(openFlow(key, undefined, 0)).toBeUndefined();
  });
});
