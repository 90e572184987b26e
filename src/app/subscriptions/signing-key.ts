import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import type { Store } from "../../store/types.ts";

/**
 * The key that signs subscription links (confirm, unsubscribe), or another one under `name` (the console's single
 * sign-on state): 32 random bytes made on first use and kept in the store, so every node of a cluster and every
 * restart agree, and links sent before a restart keep working.
 */
export function signingKey(store: Pick<Store, "state">, clock: Clock, name = "subscribers.signing_key"): () => Promise<Uint8Array> {
  let key: Promise<Uint8Array> | undefined;
  return () =>
    (key ??= store.state.putIfAbsent(name, randomBytes(32).toString("base64"), clock.now()).then(
      (value) => new Uint8Array(Buffer.from(String(value), "base64")),
      (error: unknown) => {
        key = undefined;
        throw error;
      },
    ));
}
