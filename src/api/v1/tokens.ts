import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import { createToken } from "../../auth/create-token.ts";
import { revokeToken } from "../../auth/revoke-token.ts";
import { tokenScopes } from "../../auth/token-format.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(tokenScopes),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

function view(row: { id: string; name: string; scope: (typeof tokenScopes)[number]; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }): z.infer<typeof tokenView> {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
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
      auth: "admin",
      response: z.object({ tokens: z.array(tokenView) }),
      handler: async () => ({ tokens: (await deps.store.tokens.list()).map(view) }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/tokens",
      operationId: "createToken",
      summary: "Create an API token; its secret is in this response only",
      tag: "tokens",
      auth: "admin",
      status: 201,
      body: z.strictObject({ name: z.string().trim().min(1).max(100), scope: z.enum(tokenScopes) }),
      response: tokenView.extend({ token: z.string() }),
      handler: async ({ body, principal }) => {
        const created = await createToken(deps, { name: body.name, scope: body.scope, actor: actorOf(principal) });
        return { ...view(created.row), token: created.token };
      },
    }),
    defineRoute({
      method: "DELETE",
      url: "/api/v1/tokens/:id",
      operationId: "revokeToken",
      summary: "Revoke an API token",
      tag: "tokens",
      auth: "admin",
      params: z.object({ id: z.string().regex(/^tok_[a-z0-9]{12}$/, "expected a token id such as tok_abcdefghijkl") }),
      response: z.object({ revoked: z.literal(true), id: z.string() }),
      handler: async ({ params, principal }) => {
        await revokeToken(deps, { id: params.id, actor: actorOf(principal) });
        return { revoked: true as const, id: params.id };
      },
    }),
  ];
}
