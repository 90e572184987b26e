import type { DispatchEvent } from "../../notify/message.ts";
import type { NotificationMessage } from "../../notify/types.ts";
import { audienceOf } from "../../subscribers/audience.ts";
import type { NewDelivery, SharedMessage, SubscriberRow } from "../../store/types.ts";
import { messageJson } from "./message-json.ts";

/** Destinations of subscriber deliveries are `subscriber:<id>`. */
export const subscriberPrefix = "subscriber:";

/** Incident events subscribers hear about once the incident is public; `incident.published` is their first. */
const publicIncidentEvents = new Set(["incident.published", "incident.updated", "incident.reopened", "incident.resolved"]);

/** Whether subscribers may hear about an event of this kind (an incident's only once it is public: see subscriberEvent). */
export function mayReachSubscribers(kind: string): boolean {
  return kind.startsWith("maintenance.") || publicIncidentEvents.has(kind);
}

/**
 * The event a subscriber message is built from, or null when subscribers are not told about `event`: an incident's
 * publication (told as its creation: it is the first the public hears), its later status changes once it is public
 * (`publishedAt` at or before the event), and maintenance. Responder-only events (`incident.created` of an
 * unpublished incident, update reminders, monitors, windows) never reach the public.
 */
export function subscriberEvent(event: DispatchEvent, publishedAt: Date | null): DispatchEvent | null {
  if (event.kind.startsWith("maintenance.")) return event;
  if (!mayReachSubscribers(event.kind)) return null;
  // A responder's update sent with notify false: shown on the status page, sent to no subscriber.
  if (event.data["notify"] === false) return null;
  if (publishedAt === null || publishedAt.getTime() > event.at.getTime()) return null;
  return event.kind === "incident.published" ? { ...event, kind: "incident.created", data: {} } : event;
}

/**
 * One delivery per subscriber who chose a component of `message` (or every component), each in order per cause; they
 * share one stored message (`<event id>:public`), given back as `shared`.
 */
export function subscriberDeliveries(message: NotificationMessage, subscribers: readonly SubscriberRow[], now: Date): { rows: NewDelivery[]; shared: SharedMessage[] } {
  const audience = audienceOf(
    message,
    subscribers.map((s) => ({ id: s.id, components: s.componentIds })),
    true,
  );
  if (audience.length === 0) return { rows: [], shared: [] };
  const shared = { id: `${message.eventId}:public`, body: messageJson(message) };
  const rows = audience.map(({ id }): NewDelivery => {
    const destination = `${subscriberPrefix}${id}`;
    return {
      eventId: message.eventId,
      destination,
      idempotencyKey: `${message.eventId}:${destination}`,
      orderKey: `${destination}:${message.dedupKey}`,
      status: "pending",
      nextAttemptAt: now,
      message: { shared: shared.id },
      lastError: null,
      createdAt: now,
    };
  });
  return { rows, shared: [shared] };
}
