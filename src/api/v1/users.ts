import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import { manageUser } from "../../auth/manage-user.ts";
import { userRoles } from "../../auth/roles.ts";
import type { UserRow } from "../../store/types.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const userView = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(userRoles),
  /** Disabled: they may not sign in, and their API tokens do not work. */
  disabled: z.boolean(),
  /** Whether their second factor (TOTP) is on. */
  second_factor: z.boolean(),
  created_at: z.string(),
});

/** Console users, their roles and their access: owners only. Never a password hash or a second factor's secret. */
export function userRoutes(deps: ApiDeps) {
  const view = (row: UserRow, secondFactor: boolean): z.infer<typeof userView> => ({
    id: row.id,
    email: row.email,
    role: row.role,
    disabled: row.disabledAt !== null,
    second_factor: secondFactor,
    created_at: row.createdAt.toISOString(),
  });
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/users",
      operationId: "listUsers",
      summary: "List console users, oldest first: e-mail, role, disabled, second factor on or off (never a secret)",
      tag: "users",
      auth: "users.manage",
      response: z.object({ users: z.array(userView) }),
      handler: async () => {
        const [rows, withFactor] = await Promise.all([deps.store.users.list(), deps.store.secondFactors.enabledUserIds()]);
        return { users: rows.map((row) => view(row, withFactor.has(row.id))) };
      },
    }),
    defineRoute({
      method: "PATCH",
      url: "/api/v1/users/:id",
      operationId: "manageUser",
      errors: ["conflict"],
      summary:
        "Give a user another role and/or disable (true) or enable (false) them; disabling ends their sessions and stops their API tokens. Refused (409): disabling yourself, and demoting or disabling the last enabled owner",
      tag: "users",
      auth: "users.manage",
      params: z.object({ id: z.string().max(200) }),
      body: z
        .strictObject({ role: z.enum(userRoles).optional(), disabled: z.boolean().optional() })
        .refine((b) => b.role !== undefined || b.disabled !== undefined, { message: "give role, disabled or both", path: ["role"] }),
      response: userView,
      handler: async ({ params, body, principal }) => {
        const { user } = await manageUser(deps, {
          id: params.id,
          ...(body.role !== undefined ? { role: body.role } : {}),
          ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
          actor: actorOf(principal),
          ...(principal?.user ? { actorUserId: principal.user.id } : {}),
        });
        return view(user, ((await deps.store.secondFactors.get(user.id))?.enabledAt ?? null) !== null);
      },
    }),
  ];
}
