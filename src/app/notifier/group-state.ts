import { emptyGroupState, type Group, type GroupState } from "../../notify/routing/group.ts";
import type { Store } from "../../store/types.ts";
import { reviveMessage } from "./message-json.ts";

/** Where the dispatcher keeps its groups, written in the transaction that moves its cursor. */
export const groupStateName = "notifier.groups";

/** The groups as stored by {@link saveGroupState}; none when never saved or unreadable (logged by the caller). */
export async function loadGroupState(store: Pick<Store, "state">): Promise<GroupState> {
  const json = (await store.state.get(groupStateName)) as { groups?: Record<string, Record<string, unknown>> } | undefined;
  if (json?.groups === undefined) return emptyGroupState;
  const groups: Record<string, Group> = {};
  for (const [key, raw] of Object.entries(json.groups)) {
    const group = raw as unknown as Group & { createdAt: string; lastSentAt: string | null };
    groups[key] = {
      ...group,
      createdAt: new Date(group.createdAt),
      lastSentAt: group.lastSentAt === null ? null : new Date(group.lastSentAt),
      pending: (raw["pending"] as Record<string, unknown>[]).map(reviveMessage),
      firing: (raw["firing"] as Record<string, unknown>[]).map(reviveMessage),
      // Groups stored before conditions were remembered: nothing said yet, so their next message waits group_interval.
      said: (raw["said"] as Group["said"] | undefined) ?? {},
    };
  }
  return { groups };
}

/** Stores the groups (dates as ISO strings). */
export async function saveGroupState(store: Pick<Store, "state">, state: GroupState, at: Date): Promise<void> {
  await store.state.put(groupStateName, JSON.parse(JSON.stringify(state)) as unknown, at);
}
