import type { Store } from "../../store/types.ts";

/** Repository methods that only read: they pass through unfenced (a stale read harms nothing; a stale write would). */
const reads = new Set(["get", "list", "cursor", "due", "count", "find", "getMany", "load", "components", "monitors", "monitor", "updates", "updatesOf", "statusChanges", "statusChangesSince", "lateSince", "latestPerSubject", "leader", "nodes", "last"]);

/** Repositories whose writes a leader makes. */
const fenced = ["events", "results", "rollups", "monitorStates", "incidents", "maintenances", "outbox", "subscribers", "silences", "state"] as const;

/**
 * The store as the leader's work sees it in one term: every transaction, and every write made outside one, first
 * checks that `node` still holds the lease in `term` and keeps the lease row locked until it commits. A leader that
 * was paused or cut off past its lease can then never write after another node's term began: its write fails
 * (AppError conflict) and nothing of it is stored.
 */
export function fencedStore(store: Store, node: string, term: number): Store {
  const transaction: Store["transaction"] = (fn) =>
    store.transaction(async (tx) => {
      await tx.cluster.fence(node, term);
      return fn(tx);
    });
  const wrapped: Record<string, unknown> = { ...store, transaction };
  for (const name of fenced) {
    const repo = store[name] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const out: Record<string, unknown> = {};
    for (const [method, fn] of Object.entries(repo)) {
      out[method] = reads.has(method)
        ? fn
        : (...args: unknown[]) => transaction((tx) => (tx[name] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args));
    }
    wrapped[name] = out;
  }
  return wrapped as unknown as Store;
}
