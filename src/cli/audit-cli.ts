/** The audit entry of a write the CLI made in the store itself, with no server to ask: actor and via "cli". */
import type { ConsoleAction } from "../auth/roles.ts";
import { summarize } from "../audit/summary.ts";
import { systemClock } from "../core/clock.ts";
import type { Store } from "../store/types.ts";

/** Records a CLI write named as the local socket names it (`token.create`, `user.add`, …). */
export async function auditCli(store: Pick<Store, "audit">, entry: { action: ConsoleAction; operation: string; targetKind: string; targetId: string | null; body: unknown }): Promise<void> {
  const { body, ...rest } = entry;
  await store.audit.append({ ...rest, at: systemClock.now(), actor: "cli", via: "cli", tokenId: null, status: 200, summary: summarize({ method: "CLI", path: entry.operation, body }), clientAddress: null });
}
