import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store, TokenRow } from "../store/types.ts";
import { mintToken, type TokenScope } from "./token-format.ts";

/** A created token: the stored row (without its hash) and the secret, shown once. */
export interface CreatedToken {
  token: string;
  row: Omit<TokenRow, "secretHash">;
}

/** Creates an API token; the secret is returned here and never again. */
export async function createToken(
  deps: { store: Pick<Store, "tokens" | "events">; clock: Clock },
  input: { name: string; scope: TokenScope; actor: string },
): Promise<CreatedToken> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) {
    throw new AppError("validation_failed", "token name must be 1 to 100 characters", { details: [{ path: "name", message: "must be 1 to 100 characters" }] });
  }
  const minted = mintToken();
  const createdAt = deps.clock.now();
  await deps.store.tokens.create({ id: minted.id, name, scope: input.scope, secretHash: minted.secretHash, createdAt });
  await deps.store.events.append({ at: createdAt, kind: "token.created", subject: minted.id, actor: input.actor, data: { name, scope: input.scope } });
  return { token: minted.token, row: { id: minted.id, name, scope: input.scope, createdAt, lastUsedAt: null, revokedAt: null } };
}
