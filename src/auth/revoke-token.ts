import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store } from "../store/types.ts";

/** Revokes a token by id; an unknown or already revoked id is `not_found`. */
export async function revokeToken(
  deps: { store: Pick<Store, "tokens" | "events">; clock: Clock },
  input: { id: string; actor: string },
): Promise<void> {
  const at = deps.clock.now();
  const revoked = await deps.store.tokens.revoke(input.id, at);
  if (!revoked) throw new AppError("not_found", `no active token with id ${input.id}`);
  await deps.store.events.append({ at, kind: "token.revoked", subject: input.id, actor: input.actor, data: {} });
}
