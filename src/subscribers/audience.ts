/**
 * Who among the public subscribers hears about a notification: only incident and maintenance
 * news, only once an incident is published, and only subscribers following a component it names.
 */
import type { MessageKind, NotificationMessage } from "../notify/types.ts";

/** What audienceOf reads of a subscriber: the components followed, null for all. */
export interface Audience {
  id: string;
  components: string[] | null;
}

/** The kinds subscribers hear about; monitor, window, update-due and test messages are for responders. */
export const subscriberKinds: ReadonlySet<MessageKind> = new Set<MessageKind>([
  "incident.created",
  "incident.updated",
  "incident.resolved",
  "maintenance.scheduled",
  "maintenance.in_progress",
  "maintenance.completed",
]);

/** The component ids a message is about: its components', and its incident's roots and impacted ones. */
export function componentIdsOf(message: NotificationMessage): Set<string> {
  return new Set([...message.components.map((c) => c.id), ...(message.incident?.rootIds ?? []), ...(message.incident?.impactedIds ?? [])]);
}

/**
 * The subscribers told about `message`, in the order given: none unless its kind is in
 * `subscriberKinds` and, for an incident, `published` is true (maintenance is public from the
 * start); then every subscriber following all components (null) and those following at least one
 * component the message names. A subscriber following an empty list hears nothing.
 */
export function audienceOf<T extends Audience>(message: NotificationMessage, subscribers: readonly T[], published: boolean): T[] {
  if (!subscriberKinds.has(message.kind)) return [];
  if (message.kind.startsWith("incident.") && !published) return [];
  const ids = componentIdsOf(message);
  return subscribers.filter((s) => s.components === null || s.components.some((id) => ids.has(id)));
}
