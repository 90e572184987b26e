import { execAction } from "./exec.ts";
import { rampAction } from "./ramp.ts";
import type { ActionPlugin } from "./types.ts";
import { webhookAction } from "./webhook.ts";

/** The action types Vigil knows, in the order the docs list them. */
export const actionTypeNames = ["webhook", "exec", "ramp"] as const;
export type ActionType = (typeof actionTypeNames)[number];

/** An action of any type, its config type erased: for code that picks one by a type name read at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActionPlugin = ActionPlugin<any>;

/** Every action plugin by type; exhaustive both ways, so a type without a plugin (or a plugin without a type) fails to compile. */
export const actionRegistry: Readonly<Record<ActionType, AnyActionPlugin>> = {
  webhook: webhookAction,
  exec: execAction,
  ramp: rampAction,
} satisfies Record<ActionType, AnyActionPlugin>;
