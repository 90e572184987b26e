import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import { createToken, expiryFrom } from "../../auth/create-token.ts";
import { revokeToken } from "../../auth/revoke-token.ts";
import { userRoles } from "../../auth/roles.ts";
import { tokenScopes } from "../../auth/token-format.ts";
import type { TokenRow } from "../../store/types.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  /** The legacy scope it was made with (a ceiling on its role), agent, or null for a token made with a role. */
  scope: z.enum(tokenScopes).nullable(),
  /** The role it acts as at most (its user's, if lower, wins); null for an agent token. */
  role: z.enum(userRoles).nullable(),
  /** The console user it belongs to; null for a named service's token. */
  user_id: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  /** The region an agent token reports for; null for the other scopes. */
  region: z.string().nullable(),
});

function view(row: Omit<TokenRow, "secretHash">): z.infer<typeof tokenView> {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    role: row.role,
    user_id: row.ownerUserId,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    region: row.region,
  };
}

/** Token management: admin only. */
export function tokenRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/tokens",
      operationId: "listTokens",
      summary: "List API tokens (never their secrets)",
      tag: "tokens",
      auth: "tokens.manage",
      response: z.object({ tokens: z.array(tokenView) }),
      handler: async () => ({ tokens: (await deps.store.tokens.list()).map(view) }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/tokens",
      operationId: "createToken",
      summary:
        "Create an API token; its secret is in this response only. role (owner, admin, responder, viewer; default viewer) says what it may do; scope (read, write, publish, admin) is still taken instead and stands for a role; user (an email) makes it that console user's, never above their role. expires_in (a duration such as 90d) or expires_at (an ISO 8601 time) ends it; neither: it lasts until revoked. Scope agent needs region: the one region the agent may report for",
      tag: "tokens",
      auth: "tokens.manage",
      status: 201,
      body: z
        .strictObject({
          name: z.string().trim().min(1).max(100),
          role: z.enum(userRoles).optional(),
          scope: z.enum(tokenScopes).optional(),
          user: z.string().trim().min(1).max(300).optional(),
          expires_in: z.string().max(40).optional(),
          expires_at: z.iso.datetime({ offset: true, message: "expected an ISO 8601 time with a zone, such as 2027-03-01T00:00:00Z" }).optional(),
          region: z.string().max(63).optional(),
        })
        .refine((b) => b.expires_in === undefined || b.expires_at === undefined, { message: "give expires_in or expires_at, not both", path: ["expires_in"] })
        .refine((b) => b.role === undefined || b.scope === undefined, { message: "give role or scope, not both", path: ["role"] }),
      response: tokenView.extend({ token: z.string() }),
      handler: async ({ body, principal }) => {
        const now = deps.clock.now();
        const expiresAt = body.expires_in !== undefined ? expiryFrom(body.expires_in, now, "expires_in") : body.expires_at !== undefined ? new Date(body.expires_at) : null;
        const created = await createToken(deps, {
          name: body.name,
          ...(body.role !== undefined ? { role: body.role } : {}),
          ...(body.scope !== undefined ? { scope: body.scope } : {}),
          ...(body.user !== undefined ? { user: body.user } : {}),
          actor: actorOf(principal),
          expiresAt,
          region: body.region ?? null,
        });
        return { ...view(created.row), token: created.token };
      },
    }),
    defineRoute({
      method: "DELETE",
      url: "/api/v1/tokens/:id",
      operationId: "revokeToken",
      summary: "Revoke an API token",
      tag: "tokens",
      auth: "tokens.manage",
      params: z.object({ id: z.string().regex(/^tok_[a-z0-9]{12}$/, "expected a token id such as tok_abcdefghijkl") }),
      response: z.object({ revoked: z.literal(true), id: z.string() }),
      handler: async ({ params, principal }) => {
        await revokeToken(deps, { id: params.id, actor: actorOf(principal) });
        return { revoked: true as const, id: params.id };
      },
    }),
  ];
}
