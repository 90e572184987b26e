/**
 * Single sign-on's rules, pure: what the provider's claims say (e-mail, whether it is verified, the role claim's
 * values), whether they let the person in, with which role; and the short-lived value that carries a sign-in's state,
 * nonce and PKCE verifier from /manage/oidc/start to the callback, signed so that it cannot be made up or stretched.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { UserRole } from "../store/types.ts";
import { emailProblem } from "./add-user.ts";
import { userRoles } from "./roles.ts";

/** The path the provider sends the browser back to; register `<public url>` + this at the provider. */
export const oidcCallbackPath = "/manage/oidc/callback";
export const oidcStartPath = "/manage/oidc/start";

/** What the rules read of `console.oidc`. */
export interface OidcPolicy {
  allowedDomains: readonly string[];
  roleClaim: string | undefined;
  roles: Partial<Record<UserRole, readonly string[]>> | undefined;
  defaultRole: UserRole | "none";
}

/** The claims single sign-on reads, from the ID token and, for what it lacks, from userinfo. */
export interface OidcIdentity {
  email: string | undefined;
  emailVerified: boolean;
  /** The role claim's values; undefined when the claim is absent or no role claim is set. */
  roleValues: readonly string[] | undefined;
}

/** Whether the ID token lacks a claim the rules need, so that userinfo is asked too. */
export function needsUserinfo(claims: Record<string, unknown>, roleClaim: string | undefined): boolean {
  return typeof claims.email !== "string" || claims.email_verified === undefined || (roleClaim !== undefined && claims[roleClaim] === undefined);
}

/** Reads the identity from the ID token's claims, each missing one taken from userinfo (about the same subject). */
export function readIdentity(idToken: Record<string, unknown>, userinfo: Record<string, unknown> | undefined, roleClaim: string | undefined): OidcIdentity {
  const pick = (name: string) => (idToken[name] !== undefined ? idToken[name] : userinfo?.[name]);
  const email = pick("email");
  const verified = pick("email_verified");
  const roles = roleClaim === undefined ? undefined : pick(roleClaim);
  const values = typeof roles === "string" ? [roles] : Array.isArray(roles) ? roles.filter((v): v is string => typeof v === "string") : undefined;
  return { email: typeof email === "string" ? email.trim() : undefined, emailVerified: verified === true, roleValues: values };
}

/** The highest role any of `values` maps to, or undefined. */
export function mappedRole(roles: OidcPolicy["roles"], values: readonly string[] | undefined): UserRole | undefined {
  if (roles === undefined || values === undefined) return undefined;
  const held = new Set(values);
  return userRoles.find((role) => (roles[role] ?? []).some((value) => held.has(value)));
}

/** Whether `email`'s domain is one of `allowed` (exactly, without regard to case); any domain when the list is empty. */
export function domainAllowed(allowed: readonly string[], email: string): boolean {
  if (allowed.length === 0) return true;
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  return allowed.includes(domain);
}

/** Why single sign-on refused someone, in words for the page and the audit log. */
export type OidcRefusal = "no_email" | "email_unverified" | "domain_not_allowed" | "no_role" | "user_disabled";

export const oidcRefusalMessages: Readonly<Record<OidcRefusal, string>> = {
  no_email: "The sign-in provider gave no usable e-mail address.",
  email_unverified: "The sign-in provider does not say that this e-mail address is verified.",
  domain_not_allowed: "This e-mail address's domain may not sign in to this console.",
  no_role: "Your account at the sign-in provider gives you no role in this console.",
  user_disabled: "This console user is disabled.",
};

/**
 * Who the identity lets in, and the role the provider gives them. With a role claim set, the provider decides the
 * role (the highest mapped value, else `defaultRole`, else none); without one, `defaultRole` applies to new users and
 * existing users keep theirs (`role: undefined`). `existing` is the user with that e-mail, if any.
 */
export function decideSignIn(
  policy: OidcPolicy,
  identity: OidcIdentity,
  existing: { role: UserRole; disabled: boolean } | undefined,
): { ok: true; email: string; role: UserRole | undefined } | { ok: false; reason: OidcRefusal; email: string | undefined } {
  const email = identity.email;
  if (email === undefined || emailProblem(email) !== undefined) return { ok: false, reason: "no_email", email: undefined };
  if (!identity.emailVerified) return { ok: false, reason: "email_unverified", email };
  if (!domainAllowed(policy.allowedDomains, email)) return { ok: false, reason: "domain_not_allowed", email };
  if (existing?.disabled) return { ok: false, reason: "user_disabled", email };
  const fallback = policy.defaultRole === "none" ? undefined : policy.defaultRole;
  if (policy.roleClaim !== undefined) {
    const role = mappedRole(policy.roles, identity.roleValues) ?? fallback;
    return role === undefined ? { ok: false, reason: "no_role", email } : { ok: true, email, role };
  }
  if (existing !== undefined) return { ok: true, email, role: undefined };
  return fallback === undefined ? { ok: false, reason: "no_role", email } : { ok: true, email, role: fallback };
}

/** What travels between the start of a sign-in and its callback. */
export interface OidcFlow {
  state: string;
  nonce: string;
  verifier: string;
  /** Milliseconds since the epoch after which the callback refuses it. */
  expiresAt: number;
}

/** How long a sign-in at the provider may take. */
export const oidcFlowTtlMs = 10 * 60_000;

const mac = (key: Uint8Array, payload: string) => createHmac("sha256", key).update(`vigil console oidc\0${payload}`).digest("base64url");

/** The flow as a cookie value: its JSON in base64url, a dot, and an HMAC-SHA256 under `key`. */
export function sealFlow(key: Uint8Array, flow: OidcFlow): string {
  const payload = Buffer.from(JSON.stringify(flow)).toString("base64url");
  return `${payload}.${mac(key, payload)}`;
}

/** The flow in a cookie value when its HMAC is right and it has not expired; undefined otherwise. */
export function openFlow(key: Uint8Array, value: string | undefined, now: number): OidcFlow | undefined {
  if (value === undefined || value.length > 2048) return undefined;
  const [payload = "", signature = "", ...rest] = value.split(".");
  const expected = Buffer.from(mac(key, payload));
  const given = Buffer.from(signature);
  if (rest.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let flow: unknown;
  try {
    flow = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const f = flow as Partial<OidcFlow>;
  const fields = [f.state, f.nonce, f.verifier].every((v) => typeof v === "string" && v.length > 0);
  return fields && typeof f.expiresAt === "number" && now < f.expiresAt ? (f as OidcFlow) : undefined;
}

/** Whether two state values are the same, in constant time. */
export function sameState(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
