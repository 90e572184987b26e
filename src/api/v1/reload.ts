import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import { AppError } from "../../core/errors.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

/** Reloads the configuration file; a bad file is rejected and the running configuration stays. */
export function reloadRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: "POST",
      url: "/api/v1/reload",
      operationId: "reloadConfig",
      errors: ["config_invalid"],
      summary: "Reload the configuration file (as SIGHUP does)",
      tag: "config",
      auth: "config.reload",
      response: z.object({ applied: z.literal(true), file: z.string(), added: z.array(z.string()), changed: z.array(z.string()), removed: z.array(z.string()) }),
      handler: async ({ principal }) => {
        const outcome = await deps.reload(actorOf(principal));
        if (!outcome.applied) {
          throw new AppError("config_invalid", `${outcome.file} was rejected; the running configuration is unchanged`, { details: outcome.errors });
        }
        return outcome;
      },
    }),
  ];
}
