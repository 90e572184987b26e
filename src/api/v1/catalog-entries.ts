import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import { redactSettings } from "../../catalog/redact-settings.ts";
import { AppError } from "../../core/errors.ts";
import type { CatalogEntryRow } from "../../store/types.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const entryView = z.object({
  id: z.string(),
  kind: z.enum(["component", "monitor"]),
  source: z.literal("database"),
  /** The entry as the configuration file would write it; values that look like secrets are shown as [redacted]. */
  entry: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string(),
  updated_by: z.string(),
});

/** The mapping the configuration file takes for one entry; checked by the file's own schema, with the whole catalog. */
const entryBody = z.record(z.string(), z.unknown());
const idParams = z.object({ id: z.string().min(1).max(200) });

function view(row: CatalogEntryRow): z.infer<typeof entryView> {
  return {
    id: row.id,
    kind: row.kind,
    source: "database",
    entry: redactSettings(row.entry) as Record<string, unknown>,
    created_at: row.createdAt.toISOString(),
    created_by: row.createdBy,
    updated_at: row.updatedAt.toISOString(),
    updated_by: row.updatedBy,
  };
}

/**
 * Components and monitors kept in the database beside the configuration file: created, replaced, patched (JSON merge
 * patch) and removed here, each applied at once when the whole configuration stays valid.
 */
export function catalogEntryRoutes(deps: ApiDeps) {
  const port = () => {
    if (!deps.catalog) throw new AppError("conflict", "this Vigil keeps no catalog entries in its database");
    return deps.catalog;
  };
  return (["component", "monitor"] as const).flatMap((kind) => {
    const plural = `${kind}s`;
    const title = kind === "component" ? "Component" : "Monitor";
    const tag = kind === "component" ? "catalog" : "monitors";
    const common = { tag, auth: "catalog.write" as const, response: entryView };
    return [
      defineRoute({
        ...common,
        method: "GET",
        url: `/api/v1/${plural}/:id/entry`,
        operationId: `get${title}Entry`,
        summary: `A ${kind} of the database's catalog as stored (the configuration file's shape, secrets shown as [redacted]), for those who may change it`,
        errors: ["not_found"],
        params: idParams,
        handler: async ({ params }) => {
          const row = await deps.store.catalogEntries.get(kind, params.id);
          if (!row) {
            const where = deps.catalog?.sourceOf(kind, params.id);
            throw new AppError("not_found", where === "file" ? `the ${kind} ${params.id} is defined in the configuration file, not the database` : `no ${kind} with id ${params.id} in the database`);
          }
          return view(row);
        },
      }),
      defineRoute({
        ...common,
        method: "POST",
        url: `/api/v1/${plural}`,
        operationId: `create${title}`,
        summary: `Add a ${kind} to the database's catalog (the configuration file's shape), applied at once`,
        status: 201,
        errors: ["conflict"],
        body: entryBody,
        handler: async ({ body, principal }) => view((await port().change({ op: "create", kind, entry: body }, actorOf(principal))) as CatalogEntryRow),
      }),
      defineRoute({
        ...common,
        method: "PUT",
        url: `/api/v1/${plural}/:id`,
        operationId: `replace${title}`,
        summary: `Replace a ${kind} of the database's catalog (those of the configuration file are read-only)`,
        errors: ["conflict", "not_found"],
        params: idParams,
        body: entryBody,
        handler: async ({ params, body, principal }) => view((await port().change({ op: "replace", kind, id: params.id, entry: body }, actorOf(principal))) as CatalogEntryRow),
      }),
      defineRoute({
        ...common,
        method: "PATCH",
        url: `/api/v1/${plural}/:id`,
        operationId: `patch${title}`,
        summary: `Change some keys of a ${kind} of the database's catalog (JSON merge patch: null removes a key)`,
        errors: ["conflict", "not_found"],
        params: idParams,
        body: entryBody,
        handler: async ({ params, body, principal }) => view((await port().change({ op: "patch", kind, id: params.id, patch: body }, actorOf(principal))) as CatalogEntryRow),
      }),
      defineRoute({
        ...common,
        method: "DELETE",
        url: `/api/v1/${plural}/:id`,
        operationId: `remove${title}`,
        summary: `Remove a ${kind} of the database's catalog (204), unless something still refers to it`,
        status: 204,
        errors: ["conflict", "not_found"],
        params: idParams,
        response: z.undefined(),
        handler: async ({ params, principal }) => {
          await port().change({ op: "remove", kind, id: params.id }, actorOf(principal));
          return undefined;
        },
      }),
    ];
  });
}
